/**
 * TW014–TW028 in the Pulumi policy pack: resources shaped exactly as @pulumi/policy hands them to a
 * stack policy (inputs behind its unknown-checking proxy, camelCase as @pulumi/vault names them)
 * are normalised with the fields these rules read, and each finding comes back at the resource's
 * URN, mandatory for denies and advisory for warnings.
 */
import { describe, expect, it } from "vitest";
import { packResource, runPackPolicies } from "../support/policy-pack";

const STACK = "urn:pulumi:dev::tokenwarden::tokenwarden:index:AccessNeeds";
const resource = (type: string, name: string, props: Record<string, unknown>) =>
  packResource(STACK, type, name, props);
const runPolicies = runPackPolicies;

const TTLS = { tokenTtl: 900, tokenMaxTtl: 3600 };

describe("TW014–TW028 in the Pulumi policy pack", () => {
  it("reports a grant over Vault's own controls and the audit trail as mandatory", async () => {
    const own = resource("vault:index/policy:Policy", "tw-app", {
      name: "tw-app",
      policy:
        'path "sys/policies/acl/tw-app" {\n  capabilities = ["update"]\n}\n' +
        'path "sys/audit/*" {\n  capabilities = ["delete"]\n}\n' +
        'path "secret/data/app/config" {\n  capabilities = ["read"]\n}\n',
    });
    const reported = await runPolicies([own]);
    const at = (id: string) => reported.filter((r) => r.message.startsWith(id));
    expect(at("TW014")).toHaveLength(1);
    expect(at("TW014")[0]).toMatchObject({ level: "mandatory", urn: own.urn });
    expect(at("TW014")[0].message).toContain('"sys/policies/acl/tw-app"');
    expect(at("TW016")[0]).toMatchObject({ level: "mandatory", urn: own.urn });
  });

  it("stays quiet on a policy that only reads its own secrets", async () => {
    const fine = resource("vault:index/policy:Policy", "tw-app", {
      name: "tw-app",
      policy: 'path "secret/data/app/config" {\n  capabilities = ["read"]\n}\n',
    });
    const reported = await runPolicies([fine]);
    expect(reported.filter((r) => /^TW0(1[4-9]|2\d)/.test(r.message))).toEqual([]);
  });

  it("reads login bindings from Kubernetes, JWT and AppRole roles", async () => {
    const k8s = resource("vault:kubernetes/authBackendRole:AuthBackendRole", "web", {
      roleName: "web",
      tokenPolicies: ["tw-web"],
      boundServiceAccountNames: ["*"],
      boundServiceAccountNamespaces: ["prod"],
      ...TTLS,
    });
    const jwt = resource("vault:jwt/authBackendRole:AuthBackendRole", "ci", {
      roleName: "ci",
      tokenPolicies: ["tw-ci"],
      userClaim: "sub",
      boundAudiences: ["vault"],
      boundClaimsType: "glob",
      boundClaims: { repository: "example-org/app", ref: "refs/heads/*" },
      ...TTLS,
    });
    const approle = resource("vault:appRole/authBackendRole:AuthBackendRole", "billing", {
      roleName: "billing",
      tokenPolicies: ["tw-billing"],
      secretIdNumUses: 0,
      ...TTLS,
    });
    const reported = await runPolicies([k8s, jwt, approle]);
    const find = (id: string) => reported.find((r) => r.message.startsWith(id));
    expect(find("TW017")).toMatchObject({ level: "mandatory", urn: k8s.urn });
    expect(find("TW019")).toMatchObject({ level: "mandatory", urn: jwt.urn });
    expect(find("TW019")?.message).toContain('"refs/heads/*"');
    expect(find("TW021")).toMatchObject({ level: "mandatory", urn: approle.urn });
    expect(find("TW022")).toMatchObject({ level: "advisory", urn: approle.urn });
  });

  it("reads token shape: periodic, batch token roles, attribution", async () => {
    const periodic = resource("vault:index/token:Token", "periodic", {
      policies: ["tw-x"],
      ttl: "1h",
      period: "24h",
      noDefaultPolicy: true,
      metadata: { consumer: "x" },
    });
    const role = resource("vault:tokenauth/authBackendRole:AuthBackendRole", "ops", {
      roleName: "ops",
      allowedPolicies: [],
      tokenType: "batch",
      orphan: true,
      tokenExplicitMaxTtl: 3600,
    });
    const reported = await runPolicies([periodic, role]);
    const ids = (urn: string) =>
      reported
        .filter((r) => r.urn === urn)
        .map((r) => `${r.message.slice(0, 5)} ${r.level}`)
        .sort();
    expect(ids(periodic.urn)).toEqual(
      expect.arrayContaining(["TW025 mandatory", "TW028 advisory"]),
    );
    expect(ids(role.urn)).toEqual(expect.arrayContaining(["TW024 mandatory", "TW026 mandatory"]));
  });
});
