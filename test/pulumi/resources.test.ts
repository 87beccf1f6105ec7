/**
 * Every auth kind and every provider kind → exactly the Vault objects `pulumi up` would create,
 * with the inputs the @pulumi/vault SDK takes, under the consumer and need they belong to.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { collectResources, type PlannedResource } from "../../components/mock-run";
import { NOW, T, collectFixture, ofType, only } from "./fixtures";

let resources: PlannedResource[];
const parentOf = (r: PlannedResource): PlannedResource | undefined =>
  resources.find((x) => x.urn === r.parent);

beforeAll(async () => {
  ({ resources } = await collectFixture());
});

describe("what the manifest provisions", () => {
  it("registers exactly the expected resources, nothing more", () => {
    const count = (type: string) => ofType(resources, type).length;
    expect(count(T.accessNeeds)).toBe(1);
    expect(count(T.tokenStore)).toBe(1);
    expect(count(T.mount)).toBe(1);
    expect(count(T.audit)).toBe(1);
    expect(count(T.consumerRole)).toBe(4);
    expect(count(T.needGrant)).toBe(7);
    expect(count(T.policy)).toBe(7); // one per need
    expect(count(T.kv)).toBe(3); // one per third-party need
    expect(count(T.token)).toBe(2); // one per need of the token-auth consumer
    expect(count(T.approle) + count(T.k8s) + count(T.jwt) + count(T.tokenRole)).toBe(4);
    expect(count(T.secretId)).toBe(1); // the AppRole consumer's login
    // Clocks only for what the stack re-issues: the two tokens and the one SecretID. Kubernetes
    // and JWT logins hold nothing long-lived; third-party tokens are rotated by procurement.
    expect(count(T.rotation)).toBe(3);
    expect(count(T.rotating)).toBe(3);
    const known = new Set<string>(Object.values(T));
    expect(resources.filter((r) => !known.has(r.type))).toEqual([]);
  });

  it("puts each role under its consumer and each need's objects under the need", () => {
    expect(parentOf(only(resources, T.approle, "billing-api-role"))?.name).toBe("billing-api");
    const grant = only(resources, T.needGrant, "billing-stripe");
    expect(parentOf(grant)).toMatchObject({ type: T.consumerRole, name: "billing-api" });
    for (const r of resources.filter((x) => x.parent === grant.urn && x.custom)) {
      expect([T.policy, T.kv]).toContain(r.type);
    }
    const store = only(resources, T.tokenStore, "access-needs-store");
    expect(parentOf(only(resources, T.mount, "access-needs-store-kv"))).toBe(store);
  });

  it("writes the KV v2 mount and the file audit device of the token store", () => {
    expect(only(resources, T.mount, "access-needs-store-kv").inputs).toEqual({
      path: "tokens",
      type: "kv",
      options: { version: "2" },
      description: "tokenwarden: third-party API tokens (KV v2)",
    });
    expect(only(resources, T.audit, "access-needs-store-audit").inputs).toEqual({
      type: "file",
      path: "tw-file",
      options: { file_path: "/var/log/vault/tw.log" },
    });
  });
});

describe("auth roles, one per consumer, of its auth kind", () => {
  it("approle: the consumer's policies, strictest TTLs, SecretID limits", () => {
    expect(only(resources, T.approle, "billing-api-role").inputs).toEqual({
      backend: "approle",
      roleName: "billing-api",
      tokenPolicies: ["tw-billing-config", "tw-billing-stripe"],
      tokenTtl: 15 * 60,
      tokenMaxTtl: 60 * 60,
      secretIdTtl: 7 * 86400,
      secretIdNumUses: 5,
    });
  });

  it("kubernetes: bound service accounts and namespaces on the cluster's mount", () => {
    expect(only(resources, T.k8s, "web-role").inputs).toEqual({
      backend: "k8s-prod",
      roleName: "web",
      tokenPolicies: ["tw-web-analytics", "tw-web-session"],
      tokenTtl: 30 * 60,
      tokenMaxTtl: 60 * 60,
      boundServiceAccountNames: ["web", "web-canary"],
      boundServiceAccountNamespaces: ["prod"],
      audience: "vault",
    });
  });

  it("jwt: roleType jwt, bound audiences and claims (any-of values comma-joined), user claim", () => {
    expect(only(resources, T.jwt, "deploy-role").inputs).toEqual({
      backend: "gha",
      roleName: "deploy",
      roleType: "jwt",
      tokenPolicies: ["tw-deploy-github"],
      tokenTtl: 10 * 60,
      tokenMaxTtl: 60 * 60,
      boundAudiences: ["vault"],
      boundClaims: { repository: "example-org/deploy", ref: "refs/heads/main,refs/heads/release" },
      userClaim: "sub",
    });
  });

  it("token: a token role allowing exactly the consumer's policies, capping its tokens' lifetime", () => {
    // No tokenTtl/tokenMaxTtl/tokenPolicies: POST auth/token/roles/:name ignores them.
    expect(only(resources, T.tokenRole, "cron-role").inputs).toEqual({
      roleName: "cron",
      allowedPolicies: ["tw-cron-reports-write", "tw-cron-warehouse"],
      tokenExplicitMaxTtl: 8 * 3600,
      tokenType: "service",
      renewable: true,
      orphan: false,
    });
  });

  it("approle: a response-wrapped SecretID under the role, re-issued by its own clock", () => {
    const secretId = only(resources, T.secretId, "billing-api-secret-id");
    expect(secretId.inputs).toEqual({
      backend: "approle",
      roleName: "billing-api",
      metadata: JSON.stringify({
        consumer: "billing-api",
        owner: "billing@example.com",
        managed_by: "tokenwarden",
        next_rotation: "2026-01-08T00:00:00Z",
      }),
      ttl: 7 * 86400,
      numUses: 5,
      wrappingTtl: "86400s",
      withWrappedAccessor: true,
    });
    expect(secretId.deleteBeforeReplace).toBe(false);
    expect(parentOf(secretId)?.name).toBe("billing-api");
    const clock = only(resources, T.rotating, "billing-api-secret-id-rotation-clock");
    expect(clock.inputs).toEqual({ rotationMinutes: 7 * 24 * 60 });
  });
});

describe("per-need grants", () => {
  it("vault-token need: a policy named after the need, nothing stored in KV", () => {
    expect(only(resources, T.policy, "billing-config-policy").inputs).toEqual({
      name: "tw-billing-config",
      policy: 'path "secret/data/billing/config" {\n  capabilities = ["read"]\n}\n',
    });
    expect(resources.some((r) => r.type === T.kv && r.name.startsWith("billing-config"))).toBe(
      false,
    );
    expect(resources.some((r) => r.type === T.token && r.name.startsWith("billing-config"))).toBe(
      false,
    );
  });

  it.each([
    ["billing-stripe", "stripe", "static", "charges:read", "30d"],
    ["web-analytics", "analytics", "jwt-bearer", "reports.read", "30d"],
    ["deploy-github", "github-app", "oauth2", "deployments:write", "7d"],
  ])(
    "third-party need %s (%s, %s): KV v2 entry with custom metadata, value secret",
    (need, provider, _kind, scopes, period) => {
      const consumer = need.split("-")[0] === "billing" ? "billing-api" : need.split("-")[0];
      const kv = only(resources, T.kv, `${need}-kv`);
      expect(kv.inputs).toEqual({
        mount: "tokens",
        name: `${provider}/${need}`,
        // Written once, when the entry is created; never read back: procurement owns versions.
        dataJsonWo: "[secret]",
        dataJsonWoVersion: 1,
        disableRead: true,
        deleteAllVersions: true,
        customMetadata: {
          maxVersions: 2,
          data: {
            owner: `${consumer}@example.com`,
            consumer,
            need,
            provider,
            scopes,
            rotation_period: period,
            review_date: "2026-12-31",
            managed_by: "tokenwarden",
          },
        },
      });
      expect(only(resources, T.policy, `${need}-policy`).inputs).toEqual({
        name: `tw-${need}`,
        policy: `path "tokens/data/${provider}/${need}" {\n  capabilities = ["read"]\n}\n`,
      });
      // Written only once the mount exists.
      expect(kv.dependsOn).toContain(only(resources, T.mount, "access-needs-store-kv").urn);
    },
  );

  it("token-auth consumer: one Vault token per need, against the consumer's token role", () => {
    const token = only(resources, T.token, "cron-warehouse-token");
    expect(token.inputs).toEqual({
      policies: ["tw-cron-warehouse"],
      ttl: "3600s",
      renewable: true,
      noParent: false,
      noDefaultPolicy: true,
      roleName: "cron",
      displayName: "cron-warehouse",
      metadata: {
        need: "cron-warehouse",
        consumer: "cron",
        owner: "cron@example.com",
        provider: "vault",
        next_rotation: "2026-01-02T00:00:00Z",
      },
    });
    // Created after its policy and its role, so Vault never issues it against a missing role.
    expect(token.dependsOn).toEqual(
      expect.arrayContaining([
        only(resources, T.policy, "cron-warehouse-policy").urn,
        only(resources, T.tokenRole, "cron-role").urn,
      ]),
    );
  });

  it("a need that asks for Vault's default policy gets a token that carries it", () => {
    expect(only(resources, T.token, "cron-reports-write-token").inputs).toMatchObject({
      policies: ["tw-cron-reports-write"],
      noDefaultPolicy: false,
      ttl: "7200s",
    });
    // The role's explicit max TTL (the consumer's strictest, 8h) caps it; the token sets none.
    expect(only(resources, T.token, "cron-reports-write-token").inputs).not.toHaveProperty(
      "explicitMaxTtl",
    );
  });

  it("non-token consumers get no Vault token resources", () => {
    for (const t of ofType(resources, T.token)) expect(t.name.startsWith("cron-")).toBe(true);
  });
});

describe("the same program from a YAML file", () => {
  it("provisions the bundled example with every auth kind", async () => {
    const { resources: example } = await collectResources("examples/access-needs.yaml", {
      now: NOW,
    });
    const kinds = new Set(example.map((r) => r.type));
    for (const t of [T.approle, T.k8s, T.jwt, T.tokenRole, T.policy, T.kv, T.token, T.mount]) {
      expect(kinds).toContain(t);
    }
  });
});
