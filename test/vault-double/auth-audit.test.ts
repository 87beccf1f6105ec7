/** The double's AppRole, JWT and Kubernetes roles, audit devices, audit-hash and wrapping. */
import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startVaultDouble, type VaultDouble, vaultDoubleSkipReason } from ".";
import { type VaultCall, vaultHttp } from "./http";

const skipReason = vaultDoubleSkipReason();
if (skipReason) console.log(skipReason);

let vault: VaultDouble;
let call: VaultCall;
let dir: string;

beforeEach(async (ctx) => {
  if (skipReason) ctx.skip();
  vault = await startVaultDouble({ startMs: Date.UTC(2026, 0, 1) });
  call = vaultHttp(vault.address, vault.rootToken);
  dir = mkdtempSync(join(tmpdir(), "vault-double-"));
});
afterEach(async () => {
  await vault?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("approle", () => {
  beforeEach(async () => {
    expect((await call("POST", "sys/auth/approle", { type: "approle" })).status).toBe(204);
  });

  it("reads a role back normalised, with Vault's defaults", async () => {
    const w = await call("POST", "auth/approle/role/ci", {
      token_policies: "b,a",
      token_ttl: "1h",
      token_max_ttl: 7200,
      secret_id_ttl: "10m",
      secret_id_num_uses: "2",
    });
    expect(w.status).toBe(204);
    const r = (await call("GET", "auth/approle/role/ci")).body!.data;
    expect(r).toEqual({
      bind_secret_id: true,
      local_secret_ids: false,
      secret_id_bound_cidrs: null,
      secret_id_num_uses: 2,
      secret_id_ttl: 600,
      token_bound_cidrs: [],
      token_explicit_max_ttl: 0,
      token_max_ttl: 7200,
      token_no_default_policy: false,
      token_num_uses: 0,
      token_period: 0,
      token_policies: ["a", "b"],
      token_ttl: 3600,
      token_type: "default",
    });
    const legacy = await call("POST", "auth/approle/role/old", { policies: ["x"], period: "1h" });
    expect(legacy.status).toBe(204);
    expect((await call("GET", "auth/approle/role/old")).body!.data).toMatchObject({
      policies: ["x"],
      token_policies: ["x"],
      period: 3600,
      token_period: 3600,
    });
  });

  it("logs in with role-id and secret-id, honouring secret_id_num_uses and secret_id_ttl", async () => {
    await call("POST", "auth/approle/role/ci", {
      token_policies: ["p"],
      token_ttl: "20m",
      secret_id_num_uses: 1,
      secret_id_ttl: "5m",
    });
    const roleId = (await call("GET", "auth/approle/role/ci/role-id")).body!.data.role_id;
    const sid = (
      await call("POST", "auth/approle/role/ci/secret-id", { metadata: '{"team":"ops"}' })
    ).body!.data;
    expect(sid).toMatchObject({ secret_id_num_uses: 1, secret_id_ttl: 300 });
    const login = vaultHttp(vault.address);
    const ok = await login("POST", "auth/approle/login", {
      role_id: roleId,
      secret_id: sid.secret_id,
    });
    expect(ok.body!.auth).toMatchObject({
      policies: ["default", "p"],
      lease_duration: 1200,
      metadata: { role_name: "ci", team: "ops" },
      orphan: true,
    });
    const look = (await call("POST", "auth/token/lookup", { token: ok.body!.auth.client_token }))
      .body!.data;
    expect(look).toMatchObject({ display_name: "approle", path: "auth/approle/login" });
    const again = await login("POST", "auth/approle/login", {
      role_id: roleId,
      secret_id: sid.secret_id,
    });
    expect(again).toMatchObject({ status: 400, body: { errors: ["invalid role or secret ID"] } });

    const sid2 = (await call("POST", "auth/approle/role/ci/secret-id", {})).body!.data;
    vault.clock.advance(301);
    expect(
      (await login("POST", "auth/approle/login", { role_id: roleId, secret_id: sid2.secret_id }))
        .status,
    ).toBe(400);
  });

  it("looks up, lists and destroys secret IDs by accessor", async () => {
    await call("POST", "auth/approle/role/ci", { token_policies: ["p"] });
    const sid = (await call("POST", "auth/approle/role/ci/secret-id", {})).body!.data;
    const listed = await call("LIST", "auth/approle/role/ci/secret-id");
    expect(listed.body!.data.keys).toEqual([sid.secret_id_accessor]);
    const look = await call("POST", "auth/approle/role/ci/secret-id-accessor/lookup", {
      secret_id_accessor: sid.secret_id_accessor,
    });
    expect(look.body!.data).toMatchObject({
      secret_id_accessor: sid.secret_id_accessor,
      secret_id_num_uses: 0,
      metadata: {},
    });
    expect(look.body!.data).not.toHaveProperty("secret_id");
    expect(
      (
        await call("POST", "auth/approle/role/ci/secret-id-accessor/destroy", {
          secret_id_accessor: sid.secret_id_accessor,
        })
      ).status,
    ).toBe(204);
    expect((await call("LIST", "auth/approle/role/ci/secret-id")).status).toBe(404);
  });

  it("wraps a secret-id on X-Vault-Wrap-TTL and unwraps it once", async () => {
    await call("POST", "auth/approle/role/ci", { token_policies: ["p"] });
    const wrapped = await call(
      "POST",
      "auth/approle/role/ci/secret-id",
      {},
      { "X-Vault-Wrap-TTL": "60s" },
    );
    expect(wrapped.body!.data).toBeNull();
    const info = wrapped.body!.wrap_info;
    expect(info).toMatchObject({ ttl: 60, creation_path: "auth/approle/role/ci/secret-id" });
    expect(typeof info.wrapped_accessor).toBe("string");
    const looked = await vaultHttp(vault.address)("POST", "sys/wrapping/lookup", {
      token: info.token,
    });
    expect(looked.body!.data).toMatchObject({
      creation_ttl: 60,
      creation_path: "auth/approle/role/ci/secret-id",
    });
    const unwrapped = await vaultHttp(vault.address, info.token)("POST", "sys/wrapping/unwrap");
    expect(unwrapped.body!.data.secret_id_accessor).toBe(info.wrapped_accessor);
    expect((await vaultHttp(vault.address, info.token)("POST", "sys/wrapping/unwrap")).status).toBe(
      403,
    );
    expect((await call("POST", "sys/wrapping/unwrap", { token: info.token })).status).toBe(400);
  });
});

describe("jwt and kubernetes roles", () => {
  it("stores jwt config and roles with the plugin's defaults and checks", async () => {
    await call("POST", "sys/auth/jwt", { type: "jwt" });
    expect((await call("POST", "auth/jwt/config", { bound_issuer: "x" })).status).toBe(400);
    expect(
      (
        await call("POST", "auth/jwt/config", {
          jwks_url: "https://issuer/.well-known/jwks",
          bound_issuer: "https://issuer",
        })
      ).status,
    ).toBe(204);
    expect((await call("GET", "auth/jwt/config")).body!.data).toMatchObject({
      jwks_url: "https://issuer/.well-known/jwks",
      jwt_validation_pubkeys: [],
      oidc_discovery_url: "",
    });
    expect(
      (await call("POST", "auth/jwt/role/deploy", { role_type: "jwt", bound_audiences: "vault" }))
        .body,
    ).toEqual({
      errors: ["a user claim must be defined on the role"],
    });
    await call("POST", "auth/jwt/role/deploy", {
      role_type: "jwt",
      user_claim: "sub",
      bound_audiences: "vault",
      bound_claims: { repository: "org/repo" },
      token_policies: ["deploy"],
      token_ttl: "15m",
    });
    expect((await call("GET", "auth/jwt/role/deploy")).body!.data).toMatchObject({
      role_type: "jwt",
      bound_audiences: ["vault"],
      bound_claims: { repository: "org/repo" },
      bound_claims_type: "string",
      clock_skew_leeway: 60,
      expiration_leeway: 150,
      not_before_leeway: 150,
      token_policies: ["deploy"],
      token_ttl: 900,
      user_claim: "sub",
    });
  });

  it("stores kubernetes config and roles", async () => {
    await call("POST", "sys/auth/kubernetes", { type: "kubernetes" });
    expect((await call("POST", "auth/kubernetes/config", {})).body).toEqual({
      errors: ["no host provided"],
    });
    await call("POST", "auth/kubernetes/config", {
      kubernetes_host: "https://k8s:443",
      token_reviewer_jwt: "jwt",
    });
    expect((await call("GET", "auth/kubernetes/config")).body!.data).toMatchObject({
      kubernetes_host: "https://k8s:443",
      token_reviewer_jwt_set: true,
      disable_iss_validation: true,
    });
    expect(
      (await call("POST", "auth/kubernetes/role/app", { bound_service_account_names: "sa" }))
        .status,
    ).toBe(400);
    await call("POST", "auth/kubernetes/role/app", {
      bound_service_account_names: "sa1,sa2",
      bound_service_account_namespaces: ["ns"],
      token_policies: "p",
      token_max_ttl: "1h",
    });
    expect((await call("GET", "auth/kubernetes/role/app")).body!.data).toMatchObject({
      bound_service_account_names: ["sa1", "sa2"],
      bound_service_account_namespaces: ["ns"],
      alias_name_source: "serviceaccount_uid",
      token_policies: ["p"],
      token_max_ttl: 3600,
    });
  });
});

describe("audit", () => {
  it("writes Vault's JSON lines with HMAC'd tokens, accessors and data; metadata in plain text", async () => {
    const file = join(dir, "audit.log");
    expect(
      (await call("PUT", "sys/audit/file", { type: "file", options: { file_path: file } })).status,
    ).toBe(204);
    const t = (
      await call("POST", "auth/token/create", { policies: ["default"], meta: { need: "billing" } })
    ).body!.auth;
    const written = await call("POST", "secret/data/app", { data: { password: "CANARY-s3cret" } });
    await vaultHttp(vault.address, t.client_token)("GET", "secret/data/app");

    const text = readFileSync(file, "utf8");
    expect(text).not.toContain(t.client_token);
    expect(text).not.toContain("CANARY-s3cret");
    expect(text).not.toContain(vault.rootToken);
    const lines = text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toEqual(vault.auditLines(file));
    const hash = (await call("POST", "sys/audit-hash/file", { input: t.accessor })).body!.data.hash;
    expect(hash).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    const denied = lines.filter((l) => l.auth?.accessor === hash);
    expect(denied.map((l) => [l.type, l.request.path, l.error])).toEqual([
      ["request", "secret/data/app", "permission denied"],
    ]);
    expect(denied[0].auth.metadata).toEqual({ need: "billing" });
    expect(denied[0].auth.policy_results.allowed).toBe(false);
    const write = lines.find(
      (l) =>
        l.type === "request" &&
        l.request.path === "secret/data/app" &&
        l.request.operation === "create",
    );
    expect(write.request.data.data.password).toMatch(/^hmac-sha256:/);
    expect(write.request.id).toBe(written.body!.request_id);
    const created = lines.find(
      (l) => l.type === "response" && l.request.path === "auth/token/create",
    );
    expect(created.response.auth.client_token).toMatch(/^hmac-sha256:/);
    expect(created.response.auth.accessor).toBe(hash);
  });

  it("keeps accessors plain with hmac_accessor=false and hashes with the device's own salt", async () => {
    await call("PUT", "sys/audit/a", {
      type: "file",
      options: { file_path: join(dir, "a.log"), hmac_accessor: "false" },
    });
    await call("PUT", "sys/audit/b", { type: "file", options: { file_path: join(dir, "b.log") } });
    const t = (await call("POST", "auth/token/create", { policies: ["default"] })).body!.auth;
    await vaultHttp(vault.address, t.client_token)("GET", "auth/token/lookup-self");
    const a = vault
      .auditLines(join(dir, "a.log"))
      .find(
        (l) =>
          l.type === "response" &&
          (l.request as { path: string }).path === "auth/token/lookup-self",
      )!;
    expect((a.auth as { accessor: string }).accessor).toBe(t.accessor);
    const ha = (await call("POST", "sys/audit-hash/a", { input: "x" })).body!.data.hash;
    const hb = (await call("POST", "sys/audit-hash/b", { input: "x" })).body!.data.hash;
    expect(ha).not.toBe(hb);
    // the hash is an HMAC-SHA256 of the input under some key, hex-encoded
    expect(ha).not.toBe(`hmac-sha256:${createHmac("sha256", "").update("x").digest("hex")}`);
    const list = (await call("GET", "sys/audit")).body!.data;
    expect(Object.keys(list).sort()).toEqual(["a/", "b/"]);
  });
});
