/**
 * The grant plan, on its own: every auth kind and provider kind → the exact Vault objects.
 * Pulumi and CDKTF only render this, so these objects are what gets provisioned.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  loadManifest,
  parseManifestText,
  planGrants,
  renderPolicyHcl,
  type GrantPlan,
  type Manifest,
} from "../../model";
import { generateManifest } from "../../bench/gen-manifest";
import { EXAMPLE } from "./helpers";

const PROVIDERS = `providers:
  - { name: vault, kind: vault-token, maxTtl: 24h }
  - { name: stripe, kind: static, scopes: [charges:read, refunds:write] }
  - name: gh
    kind: oauth2-client-credentials
    tokenUrl: https://auth.example.com/token
    scopes: [contents:read]
  - name: analytics
    kind: jwt-bearer
    tokenUrl: https://oauth2.example.com/token
    audience: https://oauth2.example.com/token
    scopes: [reports.read]
`;

function plan(consumers: string, needs: string, extra = ""): GrantPlan {
  return planGrants(
    parseManifestText(
      `version: 1\n${extra}consumers:\n${consumers}${PROVIDERS}needs:\n${needs}`,
      "t.yaml",
    ),
  );
}

describe("policies", () => {
  it("vault-token need: exactly its paths; declared capabilities kept, undeclared ones get the access level's set", () => {
    const p = plan(
      "  - { name: app, auth: approle }\n",
      `  - name: cfg
    consumer: app
    provider: vault
    access: write
    paths:
      - { path: "secret/data/app/*" }
      - { path: secret/metadata/app, capabilities: [list, sudo] }
`,
    );
    const need = p.consumers[0].needs[0];
    expect(need.policy).toEqual({
      name: "tw-cfg",
      rules: [
        {
          path: "secret/data/app/*",
          capabilities: ["create", "read", "update", "patch", "delete", "list"],
        },
        // sudo is beyond `write`, but it is what was reviewed: kept, and TW002 reports it.
        { path: "secret/metadata/app", capabilities: ["list", "sudo"] },
      ],
      hcl:
        'path "secret/data/app/*" {\n  capabilities = ["create", "read", "update", "patch", "delete", "list"]\n}\n' +
        "\n" +
        'path "secret/metadata/app" {\n  capabilities = ["list", "sudo"]\n}\n',
    });
  });

  it("access levels without declared capabilities: read → read,list; admin → write set + sudo", () => {
    const p = plan(
      "  - { name: app, auth: approle }\n",
      `  - { name: r, consumer: app, provider: vault, access: read, paths: [{ path: a/b }] }
  - { name: a, consumer: app, provider: vault, access: admin, paths: [{ path: sys/policies/acl/x }] }
`,
    );
    expect(p.consumers[0].needs.map((n) => n.policy.rules[0].capabilities)).toEqual([
      ["read", "list"],
      ["create", "read", "update", "patch", "delete", "list", "sudo"],
    ]);
  });

  it("third-party need: read on its one KV v2 data path under the kv mount", () => {
    const p = plan(
      "  - { name: app, auth: approle }\n",
      "  - { name: pay, consumer: app, provider: stripe, access: read, scopes: [charges:read] }\n",
      "vault: { kvMount: team/tokens }\n",
    );
    expect(p.consumers[0].needs[0].policy).toEqual({
      name: "tw-pay",
      rules: [{ path: "team/tokens/data/stripe/pay", capabilities: ["read"] }],
      hcl: 'path "team/tokens/data/stripe/pay" {\n  capabilities = ["read"]\n}\n',
    });
  });

  it("renderPolicyHcl escapes nothing it does not need to and is stable", () => {
    expect(renderPolicyHcl([{ path: "+/x", capabilities: ["deny"] }])).toBe(
      'path "+/x" {\n  capabilities = ["deny"]\n}\n',
    );
    expect(renderPolicyHcl([])).toBe("");
  });
});

describe("roles per auth kind", () => {
  const needs = `  - { name: n-b, consumer: c, provider: vault, access: read, paths: [{ path: a/b }], ttl: 2h, maxTtl: 8h, rotation: 14d }
  - { name: n-a, consumer: c, provider: stripe, access: read, scopes: [charges:read], ttl: 30m, maxTtl: 12h, rotation: 7d }
`;

  it("approle: sorted policies, strictest TTLs, secret-id TTL = shortest rotation when not set", () => {
    const p = plan(
      "  - { name: c, owner: o@example.com, auth: approle }\n",
      needs,
      "vault: { authMounts: { approle: ci-approle } }\n",
    );
    expect(p.consumers[0].role).toEqual({
      kind: "approle",
      consumer: "c",
      roleName: "c",
      backend: "ci-approle",
      tokenPolicies: ["tw-n-a", "tw-n-b"],
      tokenTtl: 1800,
      tokenMaxTtl: 28800,
      secretIdTtl: 7 * 86400,
      secretIdNumUses: 0,
    });
  });

  it("approle: explicit secret-id settings win", () => {
    const p = plan(
      "  - { name: c, auth: approle, approle: { secretIdTtl: 1d, secretIdNumUses: 3 } }\n",
      needs,
    );
    expect(p.consumers[0].role).toMatchObject({ secretIdTtl: 86400, secretIdNumUses: 3 });
  });

  it("kubernetes: bound service accounts, namespaces and audience", () => {
    const p = plan(
      "  - { name: c, auth: kubernetes, kubernetes: { serviceAccounts: [web, worker], namespaces: [prod], audience: vault } }\n",
      needs,
    );
    expect(p.consumers[0].role).toEqual({
      kind: "kubernetes",
      consumer: "c",
      roleName: "c",
      backend: "kubernetes",
      tokenPolicies: ["tw-n-a", "tw-n-b"],
      tokenTtl: 1800,
      tokenMaxTtl: 28800,
      boundServiceAccountNames: ["web", "worker"],
      boundServiceAccountNamespaces: ["prod"],
      audience: "vault",
    });
  });

  it("jwt: audiences, claims (lists joined with ','), user claim defaulting to sub", () => {
    const p = plan(
      "  - name: c\n    auth: jwt\n    jwt: { boundAudiences: [vault], boundClaims: { repository: org/repo, ref: [refs/heads/main, refs/tags/v1] } }\n",
      needs,
    );
    expect(p.consumers[0].role).toEqual({
      kind: "jwt",
      consumer: "c",
      roleName: "c",
      backend: "jwt",
      tokenPolicies: ["tw-n-a", "tw-n-b"],
      tokenTtl: 1800,
      tokenMaxTtl: 28800,
      boundAudiences: ["vault"],
      boundClaims: { repository: "org/repo", ref: "refs/heads/main,refs/tags/v1" },
      userClaim: "sub",
    });
  });

  it("token: a token role, plus one token per need carrying only that need's policy and meta", () => {
    const p = plan(
      "  - { name: c, owner: consumer-owner@example.com, auth: token }\n",
      `  - { name: n-b, consumer: c, provider: vault, access: read, paths: [{ path: a/b }], ttl: 2h, maxTtl: 8h, owner: b@example.com, defaultPolicy: true }
  - { name: n-a, consumer: c, provider: stripe, access: read, scopes: [charges:read] }
`,
    );
    const cp = p.consumers[0];
    // Only what POST auth/token/roles/:name takes (TokenWriteRoleRequest in Vault's OpenAPI):
    // no token_ttl, token_max_ttl or token_policies, which Vault ignores there with a warning.
    expect(cp.role).toEqual({
      kind: "token",
      consumer: "c",
      roleName: "c",
      allowedPolicies: ["tw-n-a", "tw-n-b"],
      tokenExplicitMaxTtl: 28800,
      tokenType: "service",
      renewable: true,
      orphan: false,
    });
    expect(cp.needs.map((n) => n.token)).toEqual([
      {
        name: "c-n-b",
        policies: ["tw-n-b"],
        ttl: 7200,
        explicitMaxTtl: 28800,
        renewable: true,
        noParent: false,
        noDefaultPolicy: false,
        roleName: "c",
        meta: { need: "n-b", consumer: "c", owner: "b@example.com", provider: "vault" },
        displayName: "n-b",
      },
      {
        // No ttl/owner on the need: 0 (Vault's default) and no owner in meta — the policies flag
        // both; the consumer's owner is not borrowed. The role's cap still applies to it.
        name: "c-n-a",
        policies: ["tw-n-a"],
        ttl: 0,
        explicitMaxTtl: 28800,
        renewable: true,
        noParent: false,
        noDefaultPolicy: true,
        roleName: "c",
        meta: { need: "n-a", consumer: "c", provider: "stripe" },
        displayName: "n-a",
      },
    ]);
  });

  it("a role's ttl never exceeds its max ttl, even when they come from different needs", () => {
    const p = plan(
      "  - { name: c, auth: approle }\n",
      `  - { name: a, consumer: c, provider: vault, access: read, paths: [{ path: a }], ttl: 10h }
  - { name: b, consumer: c, provider: vault, access: read, paths: [{ path: b }], maxTtl: 2h }
`,
    );
    expect(p.consumers[0].role).toMatchObject({ tokenTtl: 7200, tokenMaxTtl: 7200 });
  });

  it("roles get TTL 0 (Vault default) when no need sets one; only token consumers get tokens", () => {
    const p = plan(
      "  - { name: c, auth: approle }\n",
      "  - { name: n, consumer: c, provider: vault, access: read, paths: [{ path: a/b }] }\n",
    );
    expect(p.consumers[0].role).toMatchObject({ tokenTtl: 0, tokenMaxTtl: 0, secretIdTtl: 0 });
    expect(p.consumers[0].needs[0].token).toBeUndefined();
  });
});

describe("KV entries, rotation and the token store", () => {
  it("each third-party provider kind gets a KV entry with its metadata; vault-token needs none", () => {
    const p = plan(
      "  - { name: c, auth: approle }\n",
      `  - { name: s, consumer: c, provider: stripe, access: write, scopes: [charges:read, refunds:write], rotation: 30d, owner: o@example.com, expires: 2027-06-30 }
  - { name: o, consumer: c, provider: gh, access: read, scopes: [contents:read], rotation: 90m }
  - { name: j, consumer: c, provider: analytics, access: read, scopes: [reports.read] }
  - { name: v, consumer: c, provider: vault, access: read, paths: [{ path: a/b }], rotation: 1d }
`,
    );
    const needs = p.consumers[0].needs;
    // No rotation clocks: procurement rotates third-party tokens, and the approle consumer's
    // login (its SecretID) rotates on the consumer, not per need.
    expect(needs.map((n) => [n.providerKind, n.kvEntry, n.rotation])).toEqual([
      [
        "static",
        {
          mount: "tokens",
          name: "stripe/s",
          maxVersions: 2,
          customMetadata: {
            owner: "o@example.com",
            consumer: "c",
            need: "s",
            provider: "stripe",
            scopes: "charges:read,refunds:write",
            rotation_period: "30d",
            review_date: "2027-06-30",
            managed_by: "tokenwarden",
          },
        },
        undefined,
      ],
      [
        "oauth2-client-credentials",
        {
          mount: "tokens",
          name: "gh/o",
          maxVersions: 2,
          customMetadata: {
            consumer: "c",
            need: "o",
            provider: "gh",
            scopes: "contents:read",
            rotation_period: "1h30m",
            managed_by: "tokenwarden",
          },
        },
        undefined,
      ],
      [
        "jwt-bearer",
        {
          mount: "tokens",
          name: "analytics/j",
          maxVersions: 2,
          customMetadata: {
            consumer: "c",
            need: "j",
            provider: "analytics",
            scopes: "reports.read",
            managed_by: "tokenwarden",
          },
        },
        undefined,
      ],
      ["vault-token", undefined, undefined],
    ]);
    // The consumer's SecretID rotates on the shortest of its needs' periods (90m here).
    expect(p.consumers[0].credential).toMatchObject({
      kind: "secret-id",
      rotation: { periodSeconds: 5400, rotationMinutes: 90 },
    });
  });

  it("rotation minutes round up, never rotating early", () => {
    const p = plan(
      "  - { name: c, auth: token }\n",
      "  - { name: v, consumer: c, provider: vault, access: read, paths: [{ path: a }], rotation: 61s }\n",
    );
    expect(p.consumers[0].needs[0].rotation).toEqual({ periodSeconds: 61, rotationMinutes: 2 });
  });

  it("token store: KV mount only when a third-party need exists; audit device only when asked", () => {
    const vaultOnly = plan(
      "  - { name: c, auth: approle }\n",
      "  - { name: v, consumer: c, provider: vault, access: read, paths: [{ path: a }] }\n",
    );
    expect(vaultOnly.store).toEqual({ authMounts: [{ kind: "approle", path: "approle" }] });
    const both = plan(
      "  - { name: c, auth: approle }\n",
      "  - { name: s, consumer: c, provider: stripe, access: read, scopes: [charges:read] }\n",
      "vault: { audit: { path: tw-audit, filePath: /var/log/vault/audit.log } }\n",
    );
    expect(both.store).toEqual({
      kvMount: {
        path: "tokens",
        description: "tokenwarden: third-party API tokens (KV v2)",
        create: true,
      },
      authMounts: [{ kind: "approle", path: "approle" }],
      audit: { path: "tw-audit", filePath: "/var/log/vault/audit.log" },
    });
  });

  it("consumers without needs get no role (nothing to grant)", () => {
    const p = plan(
      "  - { name: idle, auth: approle }\n  - { name: c, auth: approle }\n",
      "  - { name: v, consumer: c, provider: vault, access: read, paths: [{ path: a }] }\n",
    );
    expect(p.consumers.map((c) => c.consumer)).toEqual(["c"]);
  });
});

describe("the bundled example", () => {
  it("covers every auth kind and provider kind, and plans one policy per need", () => {
    const m = loadManifest(EXAMPLE);
    const p = planGrants(m);
    expect(p.consumers.map((c) => c.auth)).toEqual(["approle", "kubernetes", "jwt", "token"]);
    expect(new Set(p.consumers.flatMap((c) => c.needs.map((n) => n.providerKind)))).toEqual(
      new Set(["vault-token", "static", "oauth2-client-credentials", "jwt-bearer"]),
    );
    const policies = p.consumers.flatMap((c) => c.needs.map((n) => n.policy.name));
    expect(policies).toHaveLength(m.needs.length);
    expect(new Set(policies)).toEqual(new Set(m.needs.map((n) => `tw-${n.name}`)));
    const tokens = p.consumers.flatMap((c) =>
      c.needs.flatMap((n) => (n.token ? [n.token.name] : [])),
    );
    expect(tokens).toEqual([
      "reporting-cron-reporting-warehouse-read",
      "reporting-cron-reporting-stripe-charges",
    ]);
  });
});

describe("determinism and purity", () => {
  it("the same manifest gives the same plan, whatever the order of consumers' needs in the file", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 60 }),
        (seed, needs) => {
          const text = generateManifest({ needs, seed, violations: seed % 2 === 0 });
          const a = planGrants(parseManifestText(text, "a.yaml"));
          const b = planGrants(parseManifestText(text, "b.yaml"));
          expect(JSON.stringify(a)).toBe(JSON.stringify(b));
          // Every need is planned exactly once, under its consumer.
          const m = parseManifestText(text, "a.yaml");
          const planned = a.consumers
            .flatMap((c) => c.needs.map((n) => `${c.consumer}/${n.need}`))
            .sort();
          expect(planned).toEqual(m.needs.map((n) => `${n.consumer}/${n.name}`).sort());
          // Roles carry exactly their needs' policies.
          for (const c of a.consumers)
            expect(c.role.kind === "token" ? c.role.allowedPolicies : c.role.tokenPolicies).toEqual(
              c.needs.map((n) => n.policy.name).sort(),
            );
        },
      ),
      { numRuns: 40 },
    );
  });

  it("does not mutate the manifest", () => {
    const m: Manifest = loadManifest(EXAMPLE);
    const before = JSON.stringify(m);
    planGrants(m);
    planGrants(m);
    expect(JSON.stringify(m)).toBe(before);
  });
});
