/**
 * The double itself: HTTP envelopes, OpenAPI validation, the token store, ACL enforcement,
 * KV v2, mounts and faults. (What must also hold against a real Vault lives in
 * test/vault-contract/; these tests pin the double's own mechanics and its test-only controls.)
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startVaultDouble, type VaultDouble, vaultDoubleSkipReason } from ".";
import { type VaultCall, vaultHttp } from "./http";

const skipReason = vaultDoubleSkipReason();
if (skipReason) console.log(skipReason);

let vault: VaultDouble;
let call: VaultCall;

beforeEach(async (ctx) => {
  if (skipReason) ctx.skip();
  vault = await startVaultDouble({ startMs: Date.UTC(2026, 0, 1) });
  call = vaultHttp(vault.address, vault.rootToken);
});
afterEach(async () => {
  await vault?.close();
});

async function tokenWith(policies: string[], extra: Record<string, unknown> = {}) {
  const r = await call("POST", "auth/token/create", { policies, ...extra });
  expect(r.status).toBe(200);
  return r.body!.auth as { client_token: string; accessor: string; policies: string[] };
}

async function policy(name: string, hcl: string) {
  const r = await call("PUT", `sys/policies/acl/${name}`, { policy: hcl });
  expect(r.status).toBe(204);
}

describe("HTTP surface", () => {
  it("answers with Vault's envelope, 204 for writes without data, and logs every request", async () => {
    const r = await call("GET", "sys/mounts");
    expect(r.status).toBe(200);
    expect(Object.keys(r.body!)).toEqual(
      expect.arrayContaining([
        "request_id",
        "lease_id",
        "renewable",
        "lease_duration",
        "data",
        "wrap_info",
        "warnings",
        "auth",
      ]),
    );
    expect(r.body!.data["secret/"]).toMatchObject({ type: "kv", options: { version: "2" } });
    const w = await call("PUT", "sys/policies/acl/p1", {
      policy: 'path "a/*" { capabilities = ["read"] }',
    });
    expect(w.status).toBe(204);
    expect(vault.requests.map((q) => [q.method, q.path, q.status])).toEqual([
      ["GET", "sys/mounts", 200],
      ["PUT", "sys/policies/acl/p1", 204],
    ]);
  });

  it("404s unknown paths and unmounted prefixes, 405s a method the path does not take", async () => {
    expect((await call("GET", "nothing-mounted/here")).body).toEqual({
      errors: ['no handler for route "nothing-mounted/here". route entry not found.'],
    });
    expect((await call("GET", "sys/no-such-endpoint")).status).toBe(404);
    const r = await call("DELETE", "auth/token/create");
    expect(r.status).toBe(405);
    expect(r.body).toEqual({ errors: ["unsupported operation"] });
  });

  it("403s without a token, with an unknown token, and with a revoked one", async () => {
    expect((await call("GET", "sys/mounts", undefined, { "X-Vault-Token": "" })).status).toBe(403);
    const bad = await call("GET", "sys/mounts", undefined, { "X-Vault-Token": "hvs.nope" });
    expect(bad).toMatchObject({ status: 403, body: { errors: ["permission denied"] } });
  });

  it("takes LIST as a method and as GET ?list=true", async () => {
    await call("POST", "secret/data/a/b", { data: { x: 1 } });
    await call("POST", "secret/data/c", { data: { x: 1 } });
    const viaMethod = await call("LIST", "secret/metadata/");
    const viaQuery = await call("GET", "secret/metadata/?list=true");
    expect(viaMethod.body!.data.keys).toEqual(["a/", "c"]);
    expect(viaQuery.body!.data.keys).toEqual(["a/", "c"]);
  });

  it("accepts the root namespace and refuses others (the double is a Vault without namespaces)", async () => {
    expect(
      (await call("GET", "sys/mounts", undefined, { "X-Vault-Namespace": "root" })).status,
    ).toBe(200);
    expect(
      (await call("GET", "sys/mounts", undefined, { "X-Vault-Namespace": "team-a" })).status,
    ).toBe(404);
  });
});

describe("validation against the OpenAPI description", () => {
  it("warns about ignored fields on an answer with a body and records them on a 204", async () => {
    const created = await call("POST", "auth/token/create", {
      policies: ["default"],
      bogus: 1,
      also: "x",
    });
    expect(created.body!.warnings).toEqual([
      "Endpoint ignored these unrecognized parameters: [also bogus]",
    ]);
    const role = await call("POST", "auth/token/roles/r", {
      token_ttl: "1h",
      token_max_ttl: "2h",
      allowed_policies: "a",
    });
    expect(role.status).toBe(204);
    expect(vault.requests.at(-1)!.ignored).toEqual(["token_max_ttl", "token_ttl"]);
    const read = await call("GET", "auth/token/roles/r");
    expect(read.body!.data).not.toHaveProperty("token_ttl");
  });

  it("coerces leniently as Vault does and 400s what cannot be coerced", async () => {
    const ok = await call("POST", "auth/token/roles/r", {
      allowed_policies: "b, a",
      token_explicit_max_ttl: "1h30m",
      token_period: 600,
      orphan: "true",
      renewable: "0",
    });
    expect(ok.status).toBe(204);
    const read = (await call("GET", "auth/token/roles/r")).body!.data;
    expect(read).toMatchObject({
      allowed_policies: ["a", "b"],
      token_explicit_max_ttl: 5400,
      explicit_max_ttl: 5400,
      token_period: 600,
      orphan: true,
      renewable: false,
    });
    const bad = await call("POST", "auth/token/roles/r", { token_period: "soon" });
    expect(bad.status).toBe(400);
    expect(bad.body!.errors[0]).toMatch(
      /^Field validation failed: error converting input for field "token_period": /,
    );
    const badBool = await call("POST", "auth/token/roles/r", { orphan: "yes" });
    expect(badBool.body!.errors[0]).toMatch(/field "orphan"/);
    const badMap = await call("POST", "secret/metadata/k", { custom_metadata: "a=b" });
    expect(badMap.status).toBe(400);
  });
});

describe("token store", () => {
  beforeEach(async () => {
    await policy("creator", 'path "auth/token/create" { capabilities = ["update"] }');
  });

  it("creates, looks up by id and accessor, and normalises display names", async () => {
    const auth = await tokenWith(["default"], {
      display_name: "Billing.API_v2",
      meta: { need: "n1" },
      ttl: "1h",
    });
    const byId = (await call("POST", "auth/token/lookup", { token: auth.client_token })).body!.data;
    expect(byId).toMatchObject({
      id: auth.client_token,
      accessor: auth.accessor,
      display_name: "token-Billing-API-v2",
      meta: { need: "n1" },
      ttl: 3600,
      creation_ttl: 3600,
      path: "auth/token/create",
      orphan: false,
    });
    const byAccessor = (
      await call("POST", "auth/token/lookup-accessor", { accessor: auth.accessor })
    ).body!.data;
    expect(byAccessor.id).toBe("");
    expect(byAccessor.display_name).toBe("token-Billing-API-v2");
    expect((await call("POST", "auth/token/lookup-accessor", { accessor: "nope" })).status).toBe(
      400,
    );
  });

  it("expires tokens on the injected clock and revokes their children with them", async () => {
    const parent = await tokenWith(["creator"], { ttl: "10m" });
    const asParent = vaultHttp(vault.address, parent.client_token);
    const child = (await asParent("POST", "auth/token/create", { ttl: "1h" })).body!.auth;
    expect(child.lease_duration).toBe(3600);
    vault.clock.advance(599);
    expect(
      (await call("POST", "auth/token/lookup", { token: parent.client_token })).body!.data.ttl,
    ).toBe(1);
    vault.clock.advance(1);
    expect((await call("POST", "auth/token/lookup", { token: parent.client_token })).status).toBe(
      403,
    );
    expect(
      (await call("POST", "auth/token/lookup-accessor", { accessor: child.accessor })).status,
    ).toBe(400);
  });

  it("revokes trees by token and by accessor; revoke-orphan keeps the children", async () => {
    const a = await tokenWith(["creator"]);
    const asA = vaultHttp(vault.address, a.client_token);
    const b = (await asA("POST", "auth/token/create", {})).body!.auth;
    const c = (await vaultHttp(vault.address, b.client_token)("POST", "auth/token/create", {}))
      .body!.auth;
    expect(
      (await call("POST", "auth/token/revoke-accessor", { accessor: b.accessor })).status,
    ).toBe(204);
    expect(
      (await call("POST", "auth/token/lookup-accessor", { accessor: c.accessor })).status,
    ).toBe(400);
    expect(
      (await call("POST", "auth/token/lookup-accessor", { accessor: a.accessor })).status,
    ).toBe(200);

    const d = (await asA("POST", "auth/token/create", {})).body!.auth;
    expect((await call("POST", "auth/token/revoke-orphan", { token: a.client_token })).status).toBe(
      204,
    );
    const orphaned = (await call("POST", "auth/token/lookup-accessor", { accessor: d.accessor }))
      .body!.data;
    expect(orphaned.orphan).toBe(true);
  });

  it("enforces child-policy subsets, num_uses, and sudo for the accessor list", async () => {
    await policy("lister", 'path "auth/token/accessors" { capabilities = ["list"] }');
    await policy("lister-sudo", 'path "auth/token/accessors" { capabilities = ["list", "sudo"] }');
    const plain = await tokenWith(["lister", "creator"]);
    const sudo = await tokenWith(["lister-sudo"]);
    expect(
      (await vaultHttp(vault.address, plain.client_token)("LIST", "auth/token/accessors")).status,
    ).toBe(403);
    const listed = await vaultHttp(vault.address, sudo.client_token)(
      "LIST",
      "auth/token/accessors",
    );
    expect(listed.body!.data.keys).toEqual(expect.arrayContaining([plain.accessor, sudo.accessor]));

    const sub = await vaultHttp(vault.address, plain.client_token)("POST", "auth/token/create", {
      policies: ["lister-sudo"],
    });
    expect(sub).toMatchObject({
      status: 400,
      body: { errors: ["child policies must be subset of parent"] },
    });

    const twice = await tokenWith(["default"], { num_uses: 2 });
    const asTwice = vaultHttp(vault.address, twice.client_token);
    expect((await asTwice("GET", "auth/token/lookup-self")).body!.data.num_uses).toBe(1);
    expect((await asTwice("GET", "auth/token/lookup-self")).status).toBe(200);
    expect((await asTwice("GET", "auth/token/lookup-self")).status).toBe(403);
  });

  it("creates against a role within its constraints", async () => {
    await call("POST", "auth/token/roles/app", {
      allowed_policies: ["app-read"],
      disallowed_policies: ["admin"],
      orphan: true,
      token_period: "1h",
      token_explicit_max_ttl: "2h",
      renewable: true,
    });
    const t = (await call("POST", "auth/token/create/app", { display_name: "svc" })).body!.auth;
    expect(t.policies).toEqual(["app-read", "default"]);
    expect(t.orphan).toBe(true);
    expect(t.lease_duration).toBe(3600);
    const look = (await call("POST", "auth/token/lookup-accessor", { accessor: t.accessor })).body!
      .data;
    expect(look).toMatchObject({
      period: 3600,
      explicit_max_ttl: 7200,
      role: "app",
      path: "auth/token/create/app",
    });
    const denied = await call("POST", "auth/token/create/app", { policies: ["other"] });
    expect(denied.status).toBe(400);
    expect((await call("POST", "auth/token/create/none", {})).status).toBe(400);
  });
});

describe("ACL enforcement", () => {
  it("applies Vault's priority matching, + segments and deny", async () => {
    await policy(
      "p",
      `
      path "kv/data/*" { capabilities = ["read"] }
      path "kv/data/team/+/config" { capabilities = ["update"] }
      path "kv/data/team/secret*" { capabilities = ["deny"] }
      path "kv/data/exact" { capabilities = ["list"] }
      `,
    );
    await call("POST", "sys/mounts/kv", { type: "kv", options: { version: "2" } });
    const t = await tokenWith(["p"]);
    const caps = async (p: string) =>
      (
        await vaultHttp(vault.address, t.client_token)("POST", "sys/capabilities-self", {
          paths: [p],
        })
      ).body!.data.capabilities;
    expect(await caps("kv/data/anything")).toEqual(["read"]);
    expect(await caps("kv/data/team/x/config")).toEqual(["update"]);
    expect(await caps("kv/data/team/x/y/config")).toEqual(["read"]);
    expect(await caps("kv/data/team/secrets")).toEqual(["deny"]);
    expect(await caps("kv/data/exact")).toEqual(["list"]);
    expect(await caps("other/path")).toEqual(["deny"]);
    const asT = vaultHttp(vault.address, t.client_token);
    await call("POST", "kv/data/team/secrets", { data: { a: 1 } });
    expect((await asT("GET", "kv/data/team/secrets")).status).toBe(403);
    expect((await asT("POST", "kv/data/anything", { data: { a: 1 } })).status).toBe(403);
  });

  it("tells create from update by whether the entry exists", async () => {
    await policy("c", 'path "secret/data/*" { capabilities = ["create"] }');
    const asT = vaultHttp(vault.address, (await tokenWith(["c"])).client_token);
    expect((await asT("POST", "secret/data/new", { data: { a: 1 } })).status).toBe(200);
    expect((await asT("POST", "secret/data/new", { data: { a: 2 } })).status).toBe(403);
  });

  it("gives the default policy's self-service paths and nothing else", async () => {
    const asT = vaultHttp(vault.address, (await tokenWith(["default"])).client_token);
    expect((await asT("GET", "auth/token/lookup-self")).status).toBe(200);
    expect((await asT("GET", "sys/mounts")).status).toBe(403);
    expect((await asT("POST", "auth/token/revoke-self")).status).toBe(204);
    expect((await asT("GET", "auth/token/lookup-self")).status).toBe(403);
  });
});

describe("KV v2", () => {
  it("versions, cas, custom metadata, max_versions, delete/undelete/destroy", async () => {
    expect(
      (await call("POST", "secret/data/k", { data: { v: 1 }, options: { cas: 1 } })).status,
    ).toBe(400);
    expect(
      (await call("POST", "secret/data/k", { data: { v: 1 }, options: { cas: 0 } })).body!.data
        .version,
    ).toBe(1);
    const cas = await call("POST", "secret/data/k", { data: { v: 2 }, options: { cas: 0 } });
    expect(cas.body).toEqual({
      errors: ["check-and-set parameter did not match the current version"],
    });
    await call("POST", "secret/data/k", { data: { v: 2 }, options: { cas: 1 } });
    expect(
      (
        await call("POST", "secret/metadata/k", {
          max_versions: 2,
          custom_metadata: { owner: "team-a" },
        })
      ).status,
    ).toBe(204);
    await call("POST", "secret/data/k", { data: { v: 3 } });
    const meta = (await call("GET", "secret/metadata/k")).body!.data;
    expect(meta).toMatchObject({
      current_version: 3,
      oldest_version: 2,
      max_versions: 2,
      custom_metadata: { owner: "team-a" },
    });
    expect(Object.keys(meta.versions)).toEqual(["2", "3"]);
    const v2 = await call("GET", "secret/data/k?version=2");
    expect(v2.body!.data.data).toEqual({ v: 2 });
    expect(v2.body!.warnings).toBeNull(); // `version` is a field of the path, not an ignored one

    expect((await call("DELETE", "secret/data/k")).status).toBe(204);
    const gone = await call("GET", "secret/data/k");
    expect(gone.status).toBe(404);
    expect(gone.body!.data.data).toBeNull();
    expect(gone.body!.data.metadata.deletion_time).not.toBe("");
    await call("POST", "secret/undelete/k", { versions: [3] });
    expect((await call("GET", "secret/data/k")).body!.data.data).toEqual({ v: 3 });
    await call("POST", "secret/destroy/k", { versions: [3] });
    expect((await call("GET", "secret/data/k")).body!.data.metadata.destroyed).toBe(true);
    expect((await call("GET", "secret/data/never")).body).toEqual({ errors: [] });
  });

  it("requires cas when the key says so", async () => {
    await call("POST", "secret/metadata/strict", { cas_required: true });
    const r = await call("POST", "secret/data/strict", { data: { a: 1 } });
    expect(r.body).toEqual({ errors: ["check-and-set parameter required for this call"] });
  });
});

describe("mounts", () => {
  it("tells the mount serving a path (sys/internal/ui/mounts, as the Vault CLI asks)", async () => {
    const r = await call("GET", "sys/internal/ui/mounts/secret/app/x");
    expect(r.body!.data).toMatchObject({ path: "secret/", type: "kv", options: { version: "2" } });
    expect(
      (await call("GET", "sys/internal/ui/mounts/secret/x", undefined, { "X-Vault-Token": "" }))
        .status,
    ).toBe(403);
  });

  it("enables, tunes and disables secrets engines and auth methods", async () => {
    expect(
      (await call("POST", "sys/mounts/tokens", { type: "kv", options: { version: "2" } })).status,
    ).toBe(204);
    expect((await call("POST", "sys/mounts/tokens", { type: "kv" })).body).toEqual({
      errors: ["path is already in use at tokens/"],
    });
    await call("POST", "sys/mounts/tokens/tune", { max_lease_ttl: "2h" });
    expect((await call("GET", "sys/mounts/tokens/tune")).body!.data.max_lease_ttl).toBe(7200);
    expect((await call("POST", "tokens/data/x", { data: { a: 1 } })).status).toBe(200);
    await call("DELETE", "sys/mounts/tokens");
    expect((await call("GET", "tokens/data/x")).status).toBe(404);

    expect((await call("POST", "sys/auth/approle", { type: "approle" })).status).toBe(204);
    const auth = (await call("GET", "sys/auth")).body!.data;
    expect(Object.keys(auth).sort()).toEqual(["approle/", "token/"]);
    expect((await call("DELETE", "sys/auth/token")).status).toBe(400);
  });
});

describe("KV v1", () => {
  it("stores any fields per path, lists and deletes; a tune to version 2 makes it versioned", async () => {
    await call("POST", "sys/mounts/legacy", { type: "kv" });
    expect((await call("POST", "legacy/app/db", { password: "x", user: "u" })).status).toBe(204);
    const read = await call("GET", "legacy/app/db");
    expect(read.body!.data).toEqual({ password: "x", user: "u" });
    expect(read.body!.lease_duration).toBe(768 * 3600);
    expect(read.body!.warnings).toBeNull();
    expect((await call("LIST", "legacy/")).body!.data.keys).toEqual(["app/"]);
    expect((await call("GET", "legacy/data/app/db")).status).toBe(404);
    await call("POST", "sys/mounts/legacy/tune", { options: { version: "2" } });
    expect((await call("POST", "legacy/data/app/db", { data: { a: 1 } })).body!.data.version).toBe(
      1,
    );
  });
});

describe("faults", () => {
  it("sealed, standby, 429 with Retry-After and 5xx, each for N requests and a path prefix", async () => {
    vault.fault({ kind: "sealed", times: 2 });
    expect((await call("GET", "sys/mounts")).body).toEqual({ errors: ["Vault is sealed"] });
    expect((await call("GET", "sys/mounts")).status).toBe(503);
    expect((await call("GET", "sys/mounts")).status).toBe(200);

    vault.fault({ kind: "standby" });
    expect((await call("GET", "sys/mounts")).body).toEqual({
      errors: ["no active Vault instance found"],
    });
    vault.fault({ kind: "standby", activeAddress: "http://127.0.0.1:1" });
    const redirected = await fetch(`${vault.address}/v1/sys/mounts?x=1`, { redirect: "manual" });
    expect(redirected.status).toBe(307);
    expect(redirected.headers.get("location")).toBe("http://127.0.0.1:1/v1/sys/mounts?x=1");

    vault.fault({ kind: "status", status: 429, retryAfterS: 7, pathPrefix: "auth/token/" });
    expect((await call("GET", "sys/mounts")).status).toBe(200);
    const limited = await call("POST", "auth/token/create", {});
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("7");

    vault.fault({ kind: "status", status: 500, times: Infinity });
    expect((await call("GET", "sys/mounts")).status).toBe(500);
    expect((await call("GET", "sys/mounts")).status).toBe(500);
    vault.clearFaults();
    expect((await call("GET", "sys/mounts")).status).toBe(200);
  });

  it("sys/health and sys/seal-status tell a sealed Vault without using up the fault", async () => {
    vault.fault({ kind: "sealed" });
    const health = await call("GET", "sys/health", undefined, { "X-Vault-Token": "" });
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ sealed: true, initialized: true });
    expect((await call("GET", "sys/seal-status")).body).toMatchObject({ sealed: true });
    expect((await call("GET", "sys/mounts")).status).toBe(503);
    expect((await call("GET", "sys/health")).body).toMatchObject({ sealed: false });
  });

  it("drops connections and answers slowly", async () => {
    vault.fault({ kind: "drop" });
    await expect(call("GET", "sys/mounts")).rejects.toThrow();
    vault.fault({ kind: "slow", delayMs: 150 });
    const t0 = Date.now();
    expect((await call("GET", "sys/mounts")).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });
});
