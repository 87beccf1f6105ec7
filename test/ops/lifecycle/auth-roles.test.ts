/**
 * Login auth methods against the Vault double: approle and kubernetes roles written as the plan
 * declares them read back clean; an approle login is a session of its consumer, not a shadow; a
 * role edited in Vault is drift; without a manifest the mounts come from sys/auth.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { main } from "../../../cli/main";
import { parseManifestText } from "../../../model";
import { declare } from "../../../ops/lifecycle/declared";
import type { VaultClient } from "../../../vault";
import { captureIO } from "../../support/capture-io";
import { startVaultDouble, type VaultDouble } from "../../vault-double";
import { applyPlan, rootClient } from "./seed";

const ROOT = "hvs.CANARY-auth-roles-root";
const NOW = ["--now", "2026-12-01T12:00:00Z"];
const MANIFEST = `version: 1
defaults: { ttl: 1h, maxTtl: 8h, rotation: 30d }
consumers:
  - { name: billing-api, owner: team-billing@example.com, auth: approle }
  - name: web
    owner: web@example.com
    auth: kubernetes
    kubernetes: { serviceAccounts: [web], namespaces: [prod] }
providers:
  - { name: vault, kind: vault-token }
needs:
  - name: billing-config
    consumer: billing-api
    provider: vault
    paths: [{ path: secret/data/billing/config, capabilities: [read] }]
    access: read
    ttl: 15m
    owner: team-billing@example.com
    justification: Read config
    expires: 2027-06-30
  - name: web-session
    consumer: web
    provider: vault
    paths: [{ path: secret/data/web/session, capabilities: [read] }]
    access: read
    owner: web@example.com
    justification: Sign cookies
    expires: 2027-06-30
`;

let vault: VaultDouble;
let root: VaultClient;
let file: string;
let dir: string;

beforeEach(async () => {
  vault = await startVaultDouble({ rootToken: ROOT, startMs: Date.parse("2026-12-01T12:00:00Z") });
  root = rootClient(vault.address, ROOT);
  await root.write("sys/auth/approle", { type: "approle" }, { idempotent: true });
  await root.write("sys/auth/kubernetes", { type: "kubernetes" }, { idempotent: true });
  dir = mkdtempSync(join(tmpdir(), "tw-auth-roles-"));
  file = join(dir, "access-needs.yaml");
  writeFileSync(file, MANIFEST);
  await applyPlan(root, declare(parseManifestText(MANIFEST, file)), { authRoles: true });
});
afterEach(async () => {
  await vault.close();
});

async function tw(argv: string[]) {
  const c = captureIO(dir, { VAULT_ADDR: vault.address, VAULT_TOKEN: ROOT });
  const code = await main(argv, c.io);
  expect(c.out() + c.err()).not.toContain(ROOT);
  return { code, out: c.out(), err: c.err() };
}

async function approleLogin(): Promise<string> {
  const roleId = (await root.read<{ role_id: string }>("auth/approle/role/billing-api/role-id"))!
    .role_id;
  const secretId = (await root.write<{ secret_id: string }>(
    "auth/approle/role/billing-api/secret-id",
    {},
  ))!.secret_id;
  const res = await root.request("POST", "auth/approle/login", {
    role_id: roleId,
    secret_id: secretId,
  });
  return (res.body as { auth: { accessor: string } }).auth.accessor;
}

it("reads declared roles back clean, and tells an approle login apart from a shadow", async () => {
  const session = await approleLogin();
  const drift = await tw(["drift", file, "--format", "json", ...NOW]);
  expect(JSON.parse(drift.out).findings).toEqual([]);
  expect(drift.code).toBe(0);
  // Every request of the scan was one Vault takes as sent.
  expect(vault.requests.filter((r) => r.ignored.length > 0 || r.warnings.length > 0)).toEqual([]);

  const inv = JSON.parse(
    (await tw(["inventory", "--manifest", file, "--format", "json", ...NOW])).out,
  );
  const t = inv.tokens.find((x: { accessor: string }) => x.accessor === session);
  expect(t).toMatchObject({
    status: "session",
    consumer: "billing-api",
    owner: "team-billing@example.com",
    path: "auth/approle/login",
  });
  expect(inv.roles).toContainEqual(
    expect.objectContaining({
      kind: "approle",
      mount: "approle",
      name: "billing-api",
      policies: ["tw-billing-config"],
      ttl_seconds: 900,
      consumer: "billing-api",
    }),
  );
});

it("reports a role whose TTL or policies were edited in Vault", async () => {
  await root.write(
    "auth/approle/role/billing-api",
    { token_ttl: "24h", token_max_ttl: "48h" },
    { idempotent: true },
  );
  await root.write(
    "auth/kubernetes/role/web",
    {
      token_policies: ["tw-web-session", "tw-billing-config"],
      bound_service_account_names: ["x"],
      bound_service_account_namespaces: ["y"],
    },
    { idempotent: true },
  );
  const r = await tw(["drift", file, "--format", "json", ...NOW]);
  expect(r.code).toBe(1);
  const f = JSON.parse(r.out).findings as { id: string; message: string; resource: string }[];
  expect(f.map((x) => `${x.id} ${x.resource}`).sort()).toEqual([
    "TW057 auth/kubernetes/role/web",
    "TW058 auth/approle/role/billing-api",
  ]);
  expect(f.find((x) => x.id === "TW058")!.message).toContain(
    "token TTL 86400s in Vault, declared 900s",
  );
});

it("finds the login mounts in sys/auth when no manifest is given", async () => {
  const inv = JSON.parse((await tw(["inventory", "--format", "json", ...NOW])).out);
  expect(
    inv.roles.map((r: { kind: string; name: string }) => `${r.kind} ${r.name}`).sort(),
  ).toEqual(["approle billing-api", "kubernetes web"]);
  expect(inv.tokens.every((t: { status?: string }) => t.status === undefined)).toBe(true);
});
