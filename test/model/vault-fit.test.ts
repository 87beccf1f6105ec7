/**
 * What the plan asks of Vault is what Vault takes and reads back the same (issue 8's findings):
 * token roles carry only token-role parameters and cap their tokens; need names become the
 * display names Vault hands back, or are refused when two would meet; mounts are created with
 * their configuration or used as they are; only credentials that rotate get a rotation clock.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ManifestError, parseManifestObject, parseManifestText, planGrants } from "../../model";
import { vaultDisplayName } from "../../model/display-names";
import { BASE, issuesOf } from "./helpers";

const OPENAPI = path.resolve(__dirname, "../../../shared/vault-openapi/openapi.json");

function planOf(text: string) {
  return planGrants(parseManifestText(text, "m.yaml"));
}

const TOKEN_CONSUMER = `version: 1
consumers:
  - { name: cron, auth: token }
providers:
  - { name: vault, kind: vault-token }
needs:
  - { name: a.b_c, consumer: cron, provider: vault, access: read, paths: [{ path: a/b }], ttl: 10h, maxTtl: 12h }
  - { name: short, consumer: cron, provider: vault, access: read, paths: [{ path: c }], ttl: 30m, maxTtl: 2h }
`;

describe("token roles and tokens", () => {
  it("the token role carries only parameters POST auth/token/roles/:name accepts", () => {
    const role = planOf(TOKEN_CONSUMER).consumers[0].role;
    const sent = Object.keys(role).filter((k) => !["kind", "consumer", "roleName"].includes(k));
    const snake = sent.map((k) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
    if (!fs.existsSync(OPENAPI)) {
      if (process.env.CI === "true") throw new Error(`missing ${OPENAPI}`);
      console.warn(`skipping the OpenAPI cross-check: ${OPENAPI} is not there`);
      return;
    }
    const spec = JSON.parse(fs.readFileSync(OPENAPI, "utf8")) as {
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    const accepted = Object.keys(spec.components.schemas.TokenWriteRoleRequest.properties);
    expect(snake.filter((k) => !accepted.includes(k))).toEqual([]);
    expect(accepted).not.toContain("token_ttl");
  });

  it("keeps the strictest-TTL promise: the role caps every token; no token asks for more", () => {
    const c = planOf(TOKEN_CONSUMER).consumers[0];
    expect(c.role).toMatchObject({ kind: "token", tokenExplicitMaxTtl: 7200 });
    // a.b_c asked for a 10h ttl; Vault would cut it at the role's 2h cap (with a warning).
    expect(c.needs.map((n) => [n.need, n.token?.ttl, n.token?.explicitMaxTtl])).toEqual([
      ["a.b_c", 7200, 7200],
      ["short", 1800, 7200],
    ]);
    expect(c.credential).toEqual({ kind: "token-per-need" });
  });
});

describe("display names", () => {
  it("follow Vault's normalisation: `.` and `_` become `-`, one trailing `-` is dropped", () => {
    expect(vaultDisplayName("billing-config")).toBe("billing-config");
    expect(vaultDisplayName("a.b_c")).toBe("a-b-c");
    expect(vaultDisplayName("ends-")).toBe("ends");
    expect(vaultDisplayName("ends.")).toBe("ends");
    const token = planOf(TOKEN_CONSUMER).consumers[0].needs[0].token;
    expect(token?.displayName).toBe("a-b-c");
  });

  it("two needs of token consumers that would share one display name are refused at load", () => {
    const text = TOKEN_CONSUMER.replace("name: short,", "name: a-b.c,");
    expect(issuesOf(text)).toEqual([
      `m.yaml:8:7: needs[1].name: "a-b.c" and "a.b_c" (needs[0]) would both be Vault token display name "token-a-b-c" (Vault turns "." and "_" into "-"); rename one`,
    ]);
  });

  it("clashes are reported after every other issue of the needs, where no line orders them", () => {
    // an object manifest has no positions: its issues keep the order they were found in
    const m = {
      version: 1,
      consumers: [{ name: "tok", auth: "token" }],
      providers: [{ name: "vault", kind: "vault-token" }],
      needs: ["a.b", "a_b", "c"].map((name) => ({
        name,
        consumer: "tok",
        provider: "vault",
        paths: [{ path: `secret/data/${name}`, capabilities: ["read"] }],
        access: name === "c" ? "none" : "read",
      })),
    };
    let fields: string[] = [];
    try {
      parseManifestObject(m, "object");
    } catch (err) {
      fields = (err as ManifestError).issues.map((i) => i.field);
    }
    expect(fields).toEqual(["needs[2].access", "needs[1].name"]);
  });

  it("needs of login consumers get no token, so their names may meet", () => {
    const text = TOKEN_CONSUMER.replace("auth: token", "auth: approle").replace(
      "name: short,",
      "name: a-b.c,",
    );
    expect(issuesOf(text)).toEqual([]);
  });
});

describe("mounts", () => {
  it("kvMount: a name is created by the stack; { path, create: false } is used as it is", () => {
    const third = `${BASE}  - { name: s, consumer: app, provider: stripe, access: read, scopes: [charges:read] }\n`;
    expect(planOf(third).store.kvMount).toMatchObject({ path: "tokens", create: true });
    const existing = third.replace(
      "version: 1\n",
      "version: 1\nvault: { kvMount: { path: secret, create: false } }\n",
    );
    expect(planOf(existing).store.kvMount).toMatchObject({ path: "secret", create: false });
    expect(planOf(existing).consumers[0].needs[1].policy.rules[0].path).toBe(
      "secret/data/stripe/s",
    );
  });

  it("auth mounts: a path must exist; create: true carries the configuration logins need", () => {
    const text = BASE.replace(
      "version: 1\n",
      `version: 1
vault:
  authMounts:
    approle: { path: apps, create: true }
`,
    );
    expect(planOf(text).store.authMounts).toEqual([
      { kind: "approle", path: "apps", setup: { kind: "approle" } },
    ]);
    expect(planOf(BASE).store.authMounts).toEqual([{ kind: "approle", path: "approle" }]);
  });

  it("refuses a created kubernetes or jwt mount without its configuration, and config on an existing one", () => {
    const text = BASE.replace(
      "version: 1\n",
      `version: 1
vault:
  kvMount: { path: secret, create: maybe }
  authMounts:
    kubernetes: { path: k8s, create: true }
    jwt: { path: ci, create: true }
    approle: { path: approle, kubernetesHost: https://x }
`,
    );
    expect(issuesOf(text)).toEqual([
      'm.yaml:3:28: vault.kvMount.create: expected true or false, got the text "maybe"',
      `m.yaml:5:5: vault.authMounts.kubernetes: missing "kubernetesHost" (the Kubernetes API address Vault checks service-account tokens with)`,
      `m.yaml:6:5: vault.authMounts.jwt: give exactly one of "oidcDiscoveryUrl" or "jwksUrl" (where Vault finds the CI issuer's signing keys)`,
      "m.yaml:7:31: vault.authMounts.approle.kubernetesHost: unknown field (allowed: path, create)",
    ]);
    const k8sOnExisting = BASE.replace(
      "version: 1\n",
      "version: 1\nvault: { authMounts: { kubernetes: { path: k8s, kubernetesHost: https://x } } }\n",
    );
    expect(issuesOf(k8sOnExisting)).toEqual([
      "m.yaml:2:49: vault.authMounts.kubernetes.kubernetesHost: only applies with create: true (an existing mount is used as it is)",
    ]);
  });
});

describe("credentials and rotation clocks", () => {
  const text = `version: 1
consumers:
  - { name: vm, auth: approle, owner: o@example.com, approle: { secretIdNumUses: 3, wrappingTtl: 10m } }
  - { name: pod, auth: kubernetes, kubernetes: { serviceAccounts: [p], namespaces: [n] } }
  - { name: ci, auth: jwt, jwt: { boundAudiences: [vault], boundClaims: { repository: o/r } } }
providers:
  - { name: vault, kind: vault-token }
  - { name: stripe, kind: static, scopes: [charges:read] }
needs:
  - { name: v1, consumer: vm, provider: vault, access: read, paths: [{ path: a }], rotation: 7d }
  - { name: v2, consumer: vm, provider: stripe, access: read, scopes: [charges:read], rotation: 1d }
  - { name: p1, consumer: pod, provider: vault, access: read, paths: [{ path: b }], rotation: 7d }
  - { name: c1, consumer: ci, provider: stripe, access: read, scopes: [charges:read], rotation: 7d }
`;
  it("an AppRole consumer gets a wrapped SecretID rotating on its shortest period", () => {
    const vm = planOf(text).consumers[0];
    expect(vm.credential).toEqual({
      kind: "secret-id",
      wrappingTtl: 600,
      ttl: 86400,
      numUses: 3,
      metadata: { consumer: "vm", owner: "o@example.com", managed_by: "tokenwarden" },
      rotation: { periodSeconds: 86400, rotationMinutes: 1440 },
    });
    expect(vm.role).toMatchObject({ secretIdTtl: 86400, secretIdNumUses: 3 });
  });

  it("Kubernetes and JWT consumers hold no long-lived credential: no clock anywhere", () => {
    const p = planOf(text);
    for (const c of p.consumers.slice(1)) {
      expect(c.credential.kind).toBe("none");
      expect(c.credential.kind === "none" && c.credential.reason).toMatch(
        /^no long-lived credential: .*nothing to rotate$/,
      );
      expect(c.needs.every((n) => n.rotation === undefined)).toBe(true);
    }
    // The rotation period still reaches the KV entry, where procurement reads it.
    expect(p.consumers[2].needs[0].kvEntry?.customMetadata.rotation_period).toBe("7d");
  });
});
