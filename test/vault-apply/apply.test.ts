/**
 * Apply what we render: the example manifest, generated manifests and a manifest using every
 * option, applied to the Vault API double through the provider's own calls (provider-calls.ts).
 * For each: no request draws a warning, an error or an ignored parameter (except the token-role
 * fields the provider sends whatever is declared); reading back the way the provider reads gives
 * what was declared (a second preview shows no diff); each issued credential reaches exactly its
 * need's paths with exactly its capabilities; destroy leaves nothing behind. Then the ownership of
 * a KV entry: an `up` after a procurement leaves the procured token in place.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { load as loadYaml } from "js-yaml";
import { planManifest } from "../../components/access-needs";
import type { GrantPlan } from "../../model";
import { generateManifest } from "../../bench/gen-manifest";
import { startVaultDouble, type VaultDouble, vaultDoubleSkipReason } from "../vault-double";
import { Applier, render, send, type Applied } from "./apply";
import { DATA_SOURCE_CALLS, describeTable, providerInherentIgnored } from "./provider-calls";
import { requireAuthMount, requireKvV2Mount } from "../../components/token-store";

const EXAMPLE = path.resolve(__dirname, "../../examples/access-needs.yaml");
const NOW = new Date("2026-06-01T12:00:00Z");
const skipReason = vaultDoubleSkipReason();
if (skipReason) console.log(skipReason);

let vault: VaultDouble;
let tmp: string;
beforeEach(async (ctx) => {
  if (skipReason) ctx.skip();
  vault = await startVaultDouble({ startMs: NOW.getTime() });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tw-apply-"));
});
afterEach(async () => {
  await vault?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

type Manifest = Record<string, unknown> & { vault?: Record<string, unknown> };

function exampleObject(): Manifest {
  const m = loadYaml(fs.readFileSync(EXAMPLE, "utf8")) as Manifest;
  // The only change: the audit log goes to a temp file this machine can write, not /var/log.
  (m.vault?.audit as Record<string, unknown>).filePath = path.join(tmp, "audit.log");
  return m;
}

/** Third-party initial values, one canary each (never to be seen in a request's warnings). */
function tokensFor(plan: GrantPlan): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of plan.consumers)
    for (const n of c.needs) if (n.kvEntry) out[n.need] = `CANARY-initial-${n.need}`;
  return out;
}

async function root(method: "GET" | "POST" | "PUT" | "DELETE" | "LIST", p: string, body?: object) {
  return send(vault.address, vault.rootToken, { method, path: p, body: body as never });
}

/** What the platform team provides for mounts the stack does not create (the stack checks them). */
async function enableExistingMounts(plan: GrantPlan): Promise<void> {
  for (const m of plan.store.authMounts) {
    if (m.setup) continue;
    const r = await root("POST", `sys/auth/${m.path}`, { type: m.kind });
    expect(r.status).toBe(204);
  }
  const kv = plan.store.kvMount;
  if (kv && !kv.create && kv.path !== "secret") {
    await root("POST", `sys/mounts/${kv.path}`, { type: "kv", options: { version: "2" } });
  }
}

interface Outcome {
  applied: Applied[];
  plan: GrantPlan;
  /** Index into vault.requests where the stack's own requests start. */
  from: number;
}

/**
 * The preview-time mount checks, on the double's real answers: the data sources' calls, then the
 * same checks the components run on them (requireAuthMount, requireKvV2Mount).
 */
async function checkMounts(plan: GrantPlan): Promise<void> {
  const existing = plan.store.authMounts.filter((m) => !m.setup);
  if (existing.length > 0) {
    const [call] = DATA_SOURCE_CALLS.vault_auth_backends({});
    const r = await send(vault.address, vault.rootToken, call);
    const paths = Object.keys((r.body?.data ?? {}) as Record<string, unknown>);
    for (const m of existing) requireAuthMount(m, paths);
  }
  const kv = plan.store.kvMount;
  if (kv && !kv.create) {
    const [call] = DATA_SOURCE_CALLS.vault_generic_secret({ path: "sys/mounts" });
    const r = await send(vault.address, vault.rootToken, call);
    requireKvV2Mount(kv.path, JSON.stringify(r.body?.data ?? {}));
  }
}

async function applyManifest(manifest: string | Manifest): Promise<Outcome> {
  const { plan } = planManifest(manifest);
  await enableExistingMounts(plan);
  const from = vault.requests.length;
  await checkMounts(plan);
  const rendered = await render(manifest, tokensFor(plan), NOW);
  const applied = await new Applier(vault.address, vault.rootToken).create(rendered);
  return { applied, plan, from };
}

/** Every request of the stack must be clean: no warning, no error, nothing ignored. */
function problems(from: number): string[] {
  const out: string[] = [];
  for (const r of vault.requests.slice(from)) {
    const inherent = Object.entries(providerInherentIgnored).find(([prefix]) =>
      r.path.startsWith(prefix),
    )?.[1];
    const ignored = r.ignored.filter((f) => !inherent?.includes(f));
    if (r.warnings.length || r.errors.length || ignored.length || r.status >= 400)
      out.push(
        `${r.method} ${r.path} ${r.status} warnings=${JSON.stringify(r.warnings)} errors=${JSON.stringify(r.errors)} ignored=${JSON.stringify(ignored)}`,
      );
  }
  return out;
}

/** A concrete path a rule's pattern matches: `+` → one segment, a trailing `*` → a suffix. */
function sample(pattern: string): string {
  return pattern.replace(/(^|\/)\+(?=\/|$)/g, "$1probe").replace(/\*$/, "probe");
}

async function capabilities(token: string, paths: string[]): Promise<Record<string, string[]>> {
  // sys/capabilities with the operator's token: the issued tokens carry no `default` policy,
  // so they cannot ask sys/capabilities-self themselves.
  const r = await root("POST", "sys/capabilities", { token, paths });
  expect(r.status).toBe(200);
  const data = (r.body?.data ?? r.body) as Record<string, string[]>;
  return Object.fromEntries(paths.map((p) => [p, [...(data[p] ?? [])].sort()]));
}

/** A credential reaches exactly its needs' rules, and is denied next to them. */
async function expectExactReach(token: string, needs: GrantPlan["consumers"][number]["needs"]) {
  const want: Record<string, string[]> = {};
  for (const n of needs)
    for (const rule of n.policy.rules) want[sample(rule.path)] = [...rule.capabilities].sort();
  const denied = ["secret/data/tw-apply-denied", "sys/policies/acl/tw-apply", "tokens/data/other"];
  const got = await capabilities(token, [...Object.keys(want), ...denied]);
  for (const [p, caps] of Object.entries(want)) expect(got[p], p).toEqual(caps);
  for (const p of denied) expect(got[p], p).toEqual(["deny"]);
}

/** Each consumer's credential, as it would hold it, probed through the double's ACL. */
async function probeAll({ applied, plan }: Outcome): Promise<number> {
  let probed = 0;
  for (const c of plan.consumers) {
    if (c.auth === "token") {
      for (const n of c.needs) {
        const a = applied.find(
          (x) => x.resource.type === "vault_token" && x.resource.name === `${n.need}-token`,
        );
        const token = String(a?.state.client_token);
        await expectExactReach(token, [n]);
        // Its own TTL, capped by the role: the strictest-TTL promise, as Vault keeps it.
        const self = await root("POST", "auth/token/lookup", { token });
        const d = self.body?.data as {
          ttl: number;
          explicit_max_ttl: number;
          display_name: string;
        };
        expect(d.explicit_max_ttl).toBe(n.token?.explicitMaxTtl);
        if (n.token?.ttl) expect(d.ttl).toBeLessThanOrEqual(n.token.ttl);
        expect(d.display_name).toBe(`token-${n.token?.displayName}`);
        probed++;
      }
    } else if (c.auth === "approle") {
      // The consumer unwraps its SecretID once and logs in, as it would in production.
      const s = applied.find(
        (x) =>
          x.resource.type === "vault_approle_auth_backend_role_secret_id" &&
          x.resource.name === `${c.consumer}-secret-id`,
      );
      const unwrapped = await send(vault.address, String(s?.state.wrapping_token), {
        method: "POST",
        path: "sys/wrapping/unwrap",
        body: {},
      });
      expect(unwrapped.status).toBe(200);
      const secretId = (unwrapped.body?.data as { secret_id: string }).secret_id;
      const backend = c.role.kind === "approle" ? c.role.backend : "approle";
      const roleId = await root("GET", `auth/${backend}/role/${c.role.roleName}/role-id`);
      const login = await send(vault.address, "", {
        method: "POST",
        path: `auth/${backend}/login`,
        body: { role_id: (roleId.body?.data as { role_id: string }).role_id, secret_id: secretId },
      });
      expect(login.status).toBe(200);
      const auth = login.body?.auth as { client_token: string; lease_duration: number };
      await expectExactReach(auth.client_token, c.needs);
      if (c.role.kind === "approle" && c.role.tokenTtl)
        expect(auth.lease_duration).toBe(c.role.tokenTtl);
      probed++;
    } else if (c.role.kind !== "token") {
      // Kubernetes and JWT logins need a cluster's TokenReview or a signed CI token, which the
      // double cannot give: the role's policies are probed through a token carrying exactly them.
      const r = await root("POST", "auth/token/create", {
        policies: c.role.tokenPolicies,
        no_default_policy: true,
        ttl: "5m",
      });
      await expectExactReach((r.body?.auth as { client_token: string }).client_token, c.needs);
      probed++;
    }
  }
  return probed;
}

/** After destroy: no policy, role, token, KV entry, mount or audit device of the stack is left. */
async function expectNothingLeft({ applied, plan }: Outcome): Promise<void> {
  const policies = await root("LIST", "sys/policies/acl");
  expect((policies.body?.data as { keys: string[] }).keys.sort()).toEqual(["default", "root"]);
  expect((await root("LIST", "auth/token/roles")).status).toBe(404);
  for (const m of plan.store.authMounts) {
    if (m.setup)
      expect((await root("GET", "sys/auth")).body?.data).not.toHaveProperty(`${m.path}/`);
    else expect((await root("LIST", `auth/${m.path}/role`)).status).toBe(404);
  }
  for (const a of applied) {
    if (a.resource.type === "vault_token") {
      const r = await root("POST", "auth/token/lookup-accessor", { accessor: a.state.accessor });
      expect(r.status).toBe(400);
    }
    if (a.resource.type === "vault_kv_secret_v2") {
      const { mount, name } = a.resource.attrs as { mount: string; name: string };
      expect((await root("GET", `${mount}/metadata/${name}`)).status).toBe(404);
    }
  }
  const mounts = (await root("GET", "sys/mounts")).body?.data as Record<string, unknown>;
  if (plan.store.kvMount?.create) expect(mounts).not.toHaveProperty(`${plan.store.kvMount.path}/`);
  if (plan.store.kvMount && !plan.store.kvMount.create)
    expect(mounts).toHaveProperty(`${plan.store.kvMount.path}/`); // used as is, never removed
  if (plan.store.audit) {
    const audits = (await root("GET", "sys/audit")).body?.data as Record<string, unknown>;
    expect(audits).not.toHaveProperty(`${plan.store.audit.path}/`);
  }
}

interface Phases {
  /** [from, to) indexes into vault.requests of the stack's own requests per phase. */
  readonly up: [number, number];
  readonly refresh: [number, number];
  readonly destroy: [number, number];
}

async function fullCycle(
  manifest: string | Manifest,
): Promise<{ outcome: Outcome; probed: number; phases: Phases }> {
  const outcome = await applyManifest(manifest);
  const applier = new Applier(vault.address, vault.rootToken);
  const upEnd = vault.requests.length;
  expect(problems(outcome.from)).toEqual([]);
  expect(await applier.diff(outcome.applied)).toEqual([]);
  const refreshEnd = vault.requests.length;
  const probed = await probeAll(outcome);
  const before = vault.requests.length;
  await applier.destroy(outcome.applied);
  const destroyEnd = vault.requests.length;
  expect(problems(before)).toEqual([]);
  await expectNothingLeft(outcome);
  return {
    outcome,
    probed,
    phases: {
      up: [outcome.from, upEnd],
      refresh: [upEnd, refreshEnd],
      destroy: [before, destroyEnd],
    },
  };
}

/** Requests by endpoint (method and the OpenAPI operation), and every warning, for the note. */
function tally(from: number, to = vault.requests.length) {
  const byEndpoint = new Map<string, number>();
  let warnings = 0;
  const ignored = new Map<string, number>();
  for (const r of vault.requests.slice(from, to)) {
    const key = `${r.method} ${r.operationId || r.path}`;
    byEndpoint.set(key, (byEndpoint.get(key) ?? 0) + 1);
    warnings += r.warnings.length;
    for (const f of r.ignored)
      ignored.set(
        `${r.method} ${r.operationId}: ${f}`,
        (ignored.get(`${r.method} ${r.operationId}: ${f}`) ?? 0) + 1,
      );
  }
  return {
    byEndpoint: Object.fromEntries([...byEndpoint].sort()),
    warnings,
    ignored: Object.fromEntries(ignored),
  };
}

describe.skipIf(Boolean(skipReason))("apply what we render, to the Vault API double", () => {
  it("the bundled example: clean requests, no diff on a second preview, exact reach, nothing left", async () => {
    const { probed, phases } = await fullCycle(exampleObject());
    expect(probed).toBe(5); // 2 reporting tokens, the AppRole login, the kubernetes and jwt roles
    const figures = {
      up: tally(...phases.up),
      refresh: tally(...phases.refresh),
      destroy: tally(...phases.destroy),
    };
    console.log(
      `requests the example makes, by phase and endpoint:\n${JSON.stringify(figures, null, 2)}`,
    );
    for (const f of Object.values(figures)) expect(f.warnings).toBe(0);
  });

  it("the harness notices what issue 8 found: the old token role and display names never settle", async () => {
    const outcome = await applyManifest(exampleObject());
    // The token role as the components rendered it before: token_ttl/token_max_ttl/token_policies
    // (ignored by POST auth/token/roles/:name), and a display name with "_" and ".".
    const old = outcome.applied.map((a) =>
      a.resource.type === "vault_token_auth_backend_role"
        ? {
            ...a,
            resource: {
              ...a.resource,
              attrs: {
                ...a.resource.attrs,
                token_ttl: 3600,
                token_max_ttl: 28800,
                token_policies: ["tw-x"],
              },
            },
          }
        : a.resource.type === "vault_token"
          ? {
              ...a,
              resource: {
                ...a.resource,
                attrs: { ...a.resource.attrs, display_name: "reporting_warehouse.read" },
              },
            }
          : a,
    );
    const diffs = await new Applier(vault.address, vault.rootToken).diff(old);
    expect(diffs).toEqual(
      expect.arrayContaining([
        expect.stringContaining("token_ttl reads back 0, declared 3600"),
        expect.stringContaining('token_policies reads back [], declared ["tw-x"]'),
        expect.stringContaining("display_name reads back"),
      ]),
    );
  });

  it.each([
    [12, 3],
    [40, 11],
  ])(
    "generated manifest (%i needs, seed %i): every auth kind and provider kind",
    async (needs, seed) => {
      const text = generateManifest({ needs, seed });
      const file = path.join(tmp, "gen.yaml");
      fs.writeFileSync(file, text);
      const { outcome } = await fullCycle(file);
      const kinds = new Set(outcome.plan.consumers.map((c) => c.auth));
      expect([...kinds].sort()).toEqual(["approle", "jwt", "kubernetes", "token"]);
    },
  );

  it("every option: existing KV mount used as is, auth mounts created with config, odd need names", async () => {
    const manifest: Manifest = {
      version: 1,
      defaults: { ttl: "1h", maxTtl: "8h", rotation: "7d" },
      vault: {
        kvMount: { path: "secret", create: false },
        authMounts: {
          approle: { path: "apps", create: true },
          kubernetes: { path: "k8s", create: true, kubernetesHost: "https://k8s.example.com:6443" },
          jwt: {
            path: "ci",
            create: true,
            oidcDiscoveryUrl: "https://token.actions.githubusercontent.com",
            boundIssuer: "https://token.actions.githubusercontent.com",
          },
        },
        audit: { path: "tw-audit", filePath: path.join(tmp, "audit2.log") },
      },
      consumers: [
        {
          name: "vm",
          owner: "o@example.com",
          auth: "approle",
          approle: { secretIdTtl: "2d", secretIdNumUses: 3, wrappingTtl: "10m" },
        },
        {
          name: "pod",
          owner: "o@example.com",
          auth: "kubernetes",
          kubernetes: { serviceAccounts: ["a", "b"], namespaces: ["n"], audience: "vault" },
        },
        {
          name: "ci",
          owner: "o@example.com",
          auth: "jwt",
          jwt: {
            boundAudiences: ["vault"],
            boundClaims: { repository: "o/r", ref: ["refs/heads/main", "refs/tags/v1"] },
            userClaim: "sub",
          },
        },
        { name: "cron", owner: "o@example.com", auth: "token" },
      ],
      providers: [
        { name: "vault", kind: "vault-token", maxTtl: "24h" },
        { name: "stripe", kind: "static", scopes: ["charges:read"] },
        {
          name: "gh",
          kind: "oauth2-client-credentials",
          tokenUrl: "https://auth.example.com/token",
          scopes: ["contents:read"],
        },
        {
          name: "an",
          kind: "jwt-bearer",
          tokenUrl: "https://auth.example.com/token",
          scopes: ["r"],
        },
      ],
      needs: [
        {
          name: "vm.cfg",
          consumer: "vm",
          provider: "vault",
          access: "read",
          paths: [{ path: "secret/data/vm/+/cfg" }],
        },
        {
          name: "vm_stripe",
          consumer: "vm",
          provider: "stripe",
          access: "read",
          scopes: ["charges:read"],
        },
        {
          name: "pod-gh",
          consumer: "pod",
          provider: "gh",
          access: "read",
          scopes: ["contents:read"],
          rotation: "1d",
        },
        { name: "ci-an", consumer: "ci", provider: "an", access: "read", scopes: ["r"] },
        {
          name: "cron.a_b",
          consumer: "cron",
          provider: "vault",
          access: "write",
          paths: [{ path: "secret/data/cron/*", capabilities: ["create", "update"] }],
          ttl: "12h",
          maxTtl: "12h",
          defaultPolicy: true,
        },
        {
          name: "cron-x",
          consumer: "cron",
          provider: "stripe",
          access: "read",
          scopes: ["charges:read"],
          maxTtl: "2h",
        },
      ],
    };
    const { outcome } = await fullCycle(manifest);
    expect(outcome.plan.store.kvMount).toMatchObject({ path: "secret", create: false });
  });

  it("who owns a KV entry's value: an up after a procurement leaves the procured token in place", async () => {
    const manifest = exampleObject();
    const outcome = await applyManifest(manifest);
    const applier = new Applier(vault.address, vault.rootToken);
    const entry = outcome.applied.find(
      (a) =>
        a.resource.type === "vault_kv_secret_v2" && a.resource.name === "billing-stripe-charges-kv",
    );
    const { mount, name } = entry?.resource.attrs as { mount: string; name: string };
    // Procurement writes the next version (check-and-set on the version it read).
    const procured = await root("POST", `${mount}/data/${name}`, {
      data: { token: "CANARY-procured-v2" },
      options: { cas: 1 },
    });
    expect(procured.status).toBe(200);

    // `pulumi up` with nothing changed: the refresh reads nothing of the value, so no diff, no write.
    expect(await applier.diff(outcome.applied)).toEqual([]);
    // `pulumi up` after a manifest edit that changes the entry's metadata: only the metadata is
    // written (the write-only value's version did not change).
    const edited = exampleObject();
    const needs = edited.needs as Record<string, unknown>[];
    needs[0] = { ...needs[0], owner: "new-owner@example.com" };
    const from = vault.requests.length;
    const next = await render(edited, tokensFor(outcome.plan), NOW);
    const { updated } = await applier.update(outcome.applied, next);
    expect(updated).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^vault_kv_secret_v2 billing-stripe-charges-kv: custom_metadata/),
      ]),
    );
    const writes = vault.requests.slice(from).filter((r) => r.method !== "GET");
    expect(writes.some((r) => r.path === `${mount}/data/${name}`)).toBe(false);
    expect(writes.some((r) => r.path === `${mount}/metadata/${name}`)).toBe(true);
    expect(problems(from)).toEqual([]);

    const read = await root("GET", `${mount}/data/${name}`);
    expect((read.body?.data as { data: { token: string } }).data.token).toBe("CANARY-procured-v2");
    expect((read.body?.data as { metadata: { version: number } }).metadata.version).toBe(2);
    const meta = await root("GET", `${mount}/metadata/${name}`);
    expect(
      (meta.body?.data as { custom_metadata: Record<string, string> }).custom_metadata.owner,
    ).toBe("new-owner@example.com");
  });

  it("a mount the stack does not create is checked on Vault's real answer: missing ones stop the preview", async () => {
    const { plan } = planManifest(exampleObject());
    await expect(checkMounts(plan)).rejects.toThrow(
      'auth mount "approle/" (vault.authMounts.approle) is not enabled in this Vault',
    );
    await enableExistingMounts(plan);
    await expect(checkMounts(plan)).resolves.toBeUndefined();
    const existingKv = planManifest({
      ...exampleObject(),
      vault: { ...exampleObject().vault, kvMount: { path: "nope", create: false } },
    }).plan;
    await expect(checkMounts(existingKv)).rejects.toThrow(
      'KV mount "nope/" (vault.kvMount) does not exist',
    );
    const devSecret = planManifest({
      ...exampleObject(),
      vault: { ...exampleObject().vault, kvMount: { path: "secret", create: false } },
    }).plan;
    await expect(checkMounts(devSecret)).resolves.toBeUndefined();
  });

  it("the table covers every resource type either route renders, and prints", () => {
    const table = describeTable();
    for (const t of [
      "vault_mount",
      "vault_auth_backend",
      "vault_jwt_auth_backend",
      "vault_kubernetes_auth_backend_config",
      "vault_audit",
      "vault_policy",
      "vault_token_auth_backend_role",
      "vault_approle_auth_backend_role",
      "vault_approle_auth_backend_role_secret_id",
      "vault_kubernetes_auth_backend_role",
      "vault_jwt_auth_backend_role",
      "vault_token",
      "vault_kv_secret_v2",
      "time_rotating",
    ])
      expect(table).toContain(`| ${t} |`);
    console.log(table);
  });
});
