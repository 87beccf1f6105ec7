import { describe, expect, it } from "vitest";
import { stackInput, tokenwardenPolicies } from "../../policies/pack/policies";
import { packResource, runPackPolicies } from "../support/policy-pack";
import { CANARY, fixture } from "./helpers";

const STACK =
  "urn:pulumi:dev::tokenwarden::tokenwarden:index:AccessNeeds$tokenwarden:index:NeedGrant";
const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A resource as @pulumi/policy's server builds it for a stack policy (props behind its proxy). */
const resource = (type: string, name: string, props: Record<string, unknown>) =>
  packResource(STACK, type, name, props);
const runPolicies = runPackPolicies;

const policy = (name: string, hcl: string) =>
  resource("vault:index/policy:Policy", name, { name, policy: hcl });

describe("Pulumi policy pack", () => {
  it("declares a mandatory deny policy and an advisory warn policy with the limits config", () => {
    const [deny, warn] = tokenwardenPolicies();
    expect([deny.name, deny.enforcementLevel, warn.name, warn.enforcementLevel]).toEqual([
      "tokenwarden-deny",
      "mandatory",
      "tokenwarden-warn",
      "advisory",
    ]);
    expect(Object.keys(deny.configSchema?.properties ?? {})).toEqual(
      expect.arrayContaining(["maxTtl", "maxRotation", "maxNeedLifetime", "manifest"]),
    );
  });

  it("reports a deny as a mandatory violation against the resource's URN", async () => {
    const wide = policy("tw-wide", 'path "secret/*" {\n  capabilities = ["read"]\n}\n');
    const reported = await runPolicies([wide]);
    const v = reported.find((r) => r.message.startsWith("TW001"));
    expect(v).toMatchObject({ policy: "tokenwarden-deny", level: "mandatory", urn: wide.urn });
  });

  it("reports warnings as advisory (orphan token)", async () => {
    const token = resource("vault:index/token:Token", "orphan", {
      policies: ["tw-x"],
      ttl: "1h",
      explicitMaxTtl: "24h",
      noParent: true,
      renewable: true,
      noDefaultPolicy: true,
      metadata: { need: "x" },
    });
    const reported = await runPolicies([token]);
    const w = reported.find((r) => r.message.startsWith("TW009"));
    expect(w).toMatchObject({ policy: "tokenwarden-warn", level: "advisory", urn: token.urn });
  });

  it("reports unknown values instead of skipping the stack (CrossGuard would skip silently)", async () => {
    const role = resource("vault:appRole/authBackendRole:AuthBackendRole", "billing", {
      backend: "approle",
      roleName: "billing",
      tokenPolicies: ["tw-a"],
      tokenTtl: UNKNOWN_STRING,
      tokenMaxTtl: 86400,
      secretIdTtl: 604800,
    });
    const reported = await runPolicies([role]);
    const u = reported.find((r) => r.message.startsWith("TW012"));
    expect(u).toMatchObject({ policy: "tokenwarden-deny", urn: role.urn });
    expect(u?.message).toContain("token_ttl was unknown at preview");
  });

  it("applies limits from the pack config", async () => {
    const role = resource("vault:kubernetes/authBackendRole:AuthBackendRole", "web", {
      roleName: "web",
      tokenPolicies: ["tw-web"],
      tokenTtl: 7200,
      tokenMaxTtl: 7200,
    });
    const lax = await runPolicies([role], { maxTtl: "720h" });
    expect(lax.some((r) => r.message.startsWith("TW004"))).toBe(false);
    const strict = await runPolicies([role], { maxTtl: "1h" });
    expect(strict.find((r) => r.message.startsWith("TW004"))).toMatchObject({
      urn: role.urn,
      level: "mandatory",
    });
  });

  it("reads the declared needs from the `manifest` config and reports per-need findings on the stack", async () => {
    const input = await stackInput([], { manifest: fixture("violations.yaml") });
    expect(input.has_declaration).toBe(true);
    expect(input.needs.map((n) => n.name)).toContain("long-ttl");
    const reported = await runPolicies([], { manifest: fixture("violations.yaml") });
    const ttl = reported.find(
      (r) => r.message.startsWith("TW004") && r.message.includes("long-ttl"),
    );
    expect(ttl).toMatchObject({ policy: "tokenwarden-deny", urn: undefined });
    // the active waiver is visible as an advisory note, the need-level deny it covers is not mandatory
    expect(
      reported.some(
        (r) =>
          r.policy === "tokenwarden-warn" && r.message.startsWith("TW001 waived until 2027-01-31"),
      ),
    ).toBe(true);
  });

  it("never reports a secret value", async () => {
    const kv = resource("vault:kv/secretV2:SecretV2", "entry", {
      mount: "tokens",
      name: "stripe/x",
      dataJson: JSON.stringify({ token: CANARY }),
      customMetadata: { data: { need: "x", note: CANARY } },
    });
    const reported = await runPolicies([kv]);
    expect(reported.some((r) => r.message.startsWith("TW011"))).toBe(true);
    expect(JSON.stringify(reported)).not.toContain(CANARY);
    expect(JSON.stringify(await stackInput([kv], {}))).not.toContain(CANARY);
  });
});
