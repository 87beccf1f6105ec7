/**
 * The Vault HTTP client against a local test double that answers like Vault's HTTP API: headers,
 * 404 semantics, retries of temporary failures (5xx, 429, sealed 503, network), custom CA, and a
 * token that never shows up in logs or errors.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { mapConcurrent, VaultClient, VaultConfigError, VaultError } from "../../vault";

const TOKEN = "hvs.CANARY-operator-token";

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}
type Reply = { status: number; body?: unknown; headers?: Record<string, string> };

let servers: (http.Server | https.Server)[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  servers = [];
});

/**
 * Serves `replies` in order (the last one repeats) and records every request. A reply of
 * `"drop"` reads the request and then destroys the connection without answering, as a proxy
 * or a crashed node does after the request may already have been handled.
 */
async function double(
  replies: (Reply | "drop")[],
  tls?: { key: string; cert: string },
): Promise<{ address: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const handler: http.RequestListener = (req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      const reply = replies[Math.min(seen.length - 1, replies.length - 1)];
      if (reply === "drop") {
        req.socket.destroy();
        return;
      }
      res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
      res.end(reply.body === undefined ? "" : JSON.stringify(reply.body));
    });
  };
  const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return { address: `${tls ? "https" : "http"}://127.0.0.1:${port}`, seen };
}

const fast = { minBackoffMs: 1, maxBackoffMs: 5 };

describe("requests", () => {
  it("sends the token and namespace headers to /v1/<path> and returns data", async () => {
    const v = await double([{ status: 200, body: { data: { policy: 'path "x" {}' } } }]);
    const client = new VaultClient({ address: v.address, token: TOKEN, namespace: "team-a" });
    expect(await client.readPolicy("tw-x")).toBe('path "x" {}');
    expect(v.seen[0]).toMatchObject({ method: "GET", url: "/v1/sys/policies/acl/tw-x" });
    expect(v.seen[0].headers["x-vault-token"]).toBe(TOKEN);
    expect(v.seen[0].headers["x-vault-namespace"]).toBe("team-a");
  });

  it("reads a missing object as undefined (404), and lists with ?list=true", async () => {
    const v = await double([{ status: 404, body: { errors: [] } }]);
    const client = new VaultClient({ address: v.address, token: TOKEN });
    expect(await client.readAuthRole("approle", "nope")).toBeUndefined();
    expect(await client.list("auth/token/accessors")).toEqual([]);
    expect(v.seen.map((s) => s.url)).toEqual([
      "/v1/auth/approle/role/nope",
      "/v1/auth/token/accessors/?list=true",
    ]);
  });

  it("looks tokens up by accessor with a POST body, never by renewing; gone → undefined", async () => {
    const v = await double([
      { status: 200, body: { data: { policies: ["tw-a"], meta: { need: "a" } } } },
      { status: 400, body: { errors: ["invalid accessor"] } },
    ]);
    const client = new VaultClient({ address: v.address, token: TOKEN });
    expect(await client.lookupAccessor("acc1")).toEqual({
      policies: ["tw-a"],
      meta: { need: "a" },
    });
    expect(await client.lookupAccessor("acc2")).toBeUndefined();
    expect(v.seen[0]).toMatchObject({ method: "POST", url: "/v1/auth/token/lookup-accessor" });
    expect(JSON.parse(v.seen[0].body)).toEqual({ accessor: "acc1" });
    expect(v.seen.every((s) => !s.url.includes("renew"))).toBe(true);
  });

  it("reads KV v2 metadata and data at their API paths", async () => {
    const v = await double([
      { status: 200, body: { data: { custom_metadata: { need: "n" }, max_versions: 2 } } },
      { status: 200, body: { data: { data: { token: "t" }, metadata: {} } } },
    ]);
    const client = new VaultClient({ address: v.address, token: TOKEN });
    expect(await client.readKvMetadata("tokens", "stripe/n")).toMatchObject({ max_versions: 2 });
    expect(await client.readKvData("tokens", "stripe/n")).toEqual({ token: "t" });
    expect(v.seen.map((s) => s.url)).toEqual([
      "/v1/tokens/metadata/stripe/n",
      "/v1/tokens/data/stripe/n",
    ]);
  });
});

describe("retries", () => {
  it("retries a sealed/standby 503, a 500 and a 429 (honouring Retry-After), then succeeds", async () => {
    const v = await double([
      { status: 503, body: { errors: ["Vault is sealed"] } },
      { status: 500, body: { errors: ["internal error"] } },
      { status: 429, body: { errors: ["rate limited"] }, headers: { "retry-after": "0" } },
      { status: 200, body: { data: { ok: true } } },
    ]);
    const lines: string[] = [];
    const client = new VaultClient({
      address: v.address,
      token: TOKEN,
      ...fast,
      log: (l) => lines.push(l),
    });
    expect(await client.read("sys/x")).toEqual({ ok: true });
    expect(v.seen).toHaveLength(4);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain("503 Vault is sealed");
    for (const l of lines) expect(l).not.toContain(TOKEN);
  });

  it("gives up after the configured retries with the last error", async () => {
    const v = await double([{ status: 503, body: { errors: ["Vault is sealed"] } }]);
    const client = new VaultClient({ address: v.address, token: TOKEN, retries: 2, ...fast });
    const err = await client.read("sys/x").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VaultError);
    expect(err).toMatchObject({ status: 503, errors: ["Vault is sealed"] });
    expect(v.seen).toHaveLength(3);
    expect(String((err as Error).message)).not.toContain(TOKEN);
  });

  it("does not retry a permission error, and says what Vault said", async () => {
    const v = await double([{ status: 403, body: { errors: ["permission denied"] } }]);
    const client = new VaultClient({ address: v.address, token: TOKEN, ...fast });
    await expect(client.read("sys/policies/acl/x")).rejects.toThrow(
      "GET /v1/sys/policies/acl/x: 403 permission denied",
    );
    expect(v.seen).toHaveLength(1);
  });

  it("retries network failures and reports an unreachable Vault without the token", async () => {
    const v = await double([{ status: 200 }]);
    await new Promise((r) => servers.pop()?.close(r));
    const client = new VaultClient({ address: v.address, token: TOKEN, retries: 1, ...fast });
    const err = (await client.read("sys/health").catch((e: unknown) => e)) as VaultError;
    expect(err).toBeInstanceOf(VaultError);
    expect(err.status).toBe(0);
    expect(err.message).toContain("cannot reach Vault");
    expect(err.message).not.toContain(TOKEN);
  });
});

describe("configuration from the environment", () => {
  it("needs VAULT_ADDR, and a readable VAULT_CACERT when one is named", () => {
    expect(() => VaultClient.fromEnv({})).toThrow(VaultConfigError);
    expect(() => VaultClient.fromEnv({ VAULT_ADDR: "vault:8200" })).toThrow(/http/);
    expect(() =>
      VaultClient.fromEnv({ VAULT_ADDR: "https://v:8200", VAULT_CACERT: "/nonexistent/ca.pem" }),
    ).toThrow(/VAULT_CACERT \/nonexistent\/ca\.pem: cannot be read/);
  });

  const openssl = spawnSync("openssl", ["version"]).status === 0;
  if (!openssl) console.log("skipping the VAULT_CACERT test: no `openssl` to make a test CA with");
  it.skipIf(!openssl)("trusts the CA in VAULT_CACERT for an https Vault", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tw-vault-ca-"));
    const key = join(dir, "key.pem");
    const cert = join(dir, "cert.pem");
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        key,
        "-out",
        cert,
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
      ],
      { stdio: "ignore" },
    );
    const v = await double([{ status: 200, body: { data: { sealed: false } } }], {
      key: readFileSync(key, "utf8"),
      cert: readFileSync(cert, "utf8"),
    });
    const trusted = VaultClient.fromEnv({
      VAULT_ADDR: v.address,
      VAULT_TOKEN: TOKEN,
      VAULT_CACERT: cert,
    });
    expect(await trusted.read("sys/seal-status")).toEqual({ sealed: false });
    // Without the CA the same server is refused (the system store does not know it).
    const untrusted = new VaultClient({ address: v.address, token: TOKEN, retries: 0 });
    await expect(untrusted.read("sys/seal-status")).rejects.toThrow(/cannot reach Vault/);
  });
});

describe("retries are decided per call: a write is repeated only where that is safe", () => {
  const quiet = { token: TOKEN, retries: 3, ...fast };

  it("does not repeat a plain write after a 500 or a dropped connection (it may have happened)", async () => {
    for (const first of [{ status: 500, body: { errors: ["internal error"] } }, "drop"] as const) {
      const v = await double([first, { status: 200, body: { data: { client_token: "x" } } }]);
      const client = new VaultClient({ address: v.address, ...quiet });
      const err = (await client
        .write("auth/token/create", { policies: ["tw-a"] })
        .catch((e: unknown) => e)) as VaultError;
      expect(err).toBeInstanceOf(VaultError);
      expect(err.method).toBe("POST");
      expect(err.path).toBe("auth/token/create");
      expect(v.seen).toHaveLength(1); // one token minted at most, never two
      expect(err.message).not.toContain(TOKEN);
    }
  });

  it("repeats a plain write after 429 and 503 (sealed/standby): Vault never ran it", async () => {
    const v = await double([
      {
        status: 429,
        body: { errors: ["request path rate limited"] },
        headers: { "retry-after": "0" },
      },
      { status: 503, body: { errors: ["Vault is sealed"] } },
      { status: 200, body: { data: { secret_id_accessor: "sa" } } },
    ]);
    const client = new VaultClient({ address: v.address, ...quiet });
    expect(await client.write("auth/approle/role/r/secret-id", {})).toEqual({
      secret_id_accessor: "sa",
    });
    expect(v.seen).toHaveLength(3);
  });

  it("repeats a write marked idempotent after a 500 and a dropped connection", async () => {
    const v = await double([
      { status: 500, body: { errors: ["internal error"] } },
      "drop",
      { status: 204 },
    ]);
    const client = new VaultClient({ address: v.address, ...quiet });
    await client.write("sys/policies/acl/tw-a", { policy: "" }, { idempotent: true });
    expect(v.seen.map((s) => s.method)).toEqual(["POST", "POST", "POST"]);
  });

  it("retries a KV data write only when it carries cas", async () => {
    const v = await double([
      { status: 500, body: { errors: ["internal error"] } },
      { status: 500, body: { errors: ["internal error"] } },
      { status: 200, body: { data: { version: 3 } } },
    ]);
    const client = new VaultClient({ address: v.address, ...quiet });
    await expect(client.writeKvData("tokens", "stripe/n", { token: "t" })).rejects.toThrow(
      "POST /v1/tokens/data/stripe/n: 500 internal error",
    );
    expect(v.seen).toHaveLength(1);
    expect(await client.writeKvData("tokens", "stripe/n", { token: "t" }, 2)).toEqual({
      version: 3,
    });
    expect(v.seen).toHaveLength(3);
    expect(JSON.parse(v.seen[2].body)).toEqual({ data: { token: "t" }, options: { cas: 2 } });
  });

  it("retries a plain write whose connection was refused (nothing was sent)", async () => {
    const v = await double([{ status: 200 }]);
    await new Promise((r) => servers.pop()?.close(r));
    const lines: string[] = [];
    const client = new VaultClient({ address: v.address, ...quiet, log: (l) => lines.push(l) });
    const err = (await client.write("auth/token/create", {}).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain("cannot reach Vault");
    expect(lines).toHaveLength(3); // every attempt refused before sending, so each was safe
  });

  it("retries lookup-accessor (a read sent as POST) and revoke-accessor (same end state)", async () => {
    const v = await double([
      { status: 502, body: { errors: ["bad gateway"] } },
      { status: 200, body: { data: { accessor: "a1", id: "", policies: ["tw-a"] } } },
      "drop",
      { status: 204 },
      { status: 400, body: { errors: ["invalid accessor"] } },
    ]);
    const client = new VaultClient({ address: v.address, ...quiet });
    const info = await client.lookupAccessor("a1");
    expect(info).toEqual({ accessor: "a1", policies: ["tw-a"] }); // no `id` key passed on
    expect(await client.revokeAccessor("a1")).toBe("revoked");
    expect(await client.revokeAccessor("a1")).toBe("gone");
    expect(v.seen.map((s) => s.url)).toEqual([
      "/v1/auth/token/lookup-accessor",
      "/v1/auth/token/lookup-accessor",
      "/v1/auth/token/revoke-accessor",
      "/v1/auth/token/revoke-accessor",
      "/v1/auth/token/revoke-accessor",
    ]);
  });

  it("waits as long as Retry-After says (up to the backoff cap)", async () => {
    const v = await double([
      { status: 429, body: { errors: ["rate limited"] }, headers: { "retry-after": "1" } },
      { status: 200, body: { data: { ok: true } } },
    ]);
    const client = new VaultClient({ address: v.address, token: TOKEN, minBackoffMs: 1 });
    const t0 = Date.now();
    expect(await client.read("sys/x")).toEqual({ ok: true });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
  });

  it("takes VAULT_MAX_RETRIES from the environment, as the Vault CLI does", async () => {
    const v = await double([{ status: 500, body: { errors: ["internal error"] } }]);
    const client = VaultClient.fromEnv(
      { VAULT_ADDR: v.address, VAULT_TOKEN: TOKEN, VAULT_MAX_RETRIES: "1" },
      fast,
    );
    await expect(client.read("sys/x")).rejects.toThrow("GET /v1/sys/x: 500 internal error");
    expect(v.seen).toHaveLength(2);
    expect(() => VaultClient.fromEnv({ VAULT_ADDR: v.address, VAULT_MAX_RETRIES: "x" })).toThrow(
      /VAULT_MAX_RETRIES must be a whole number/,
    );
  });
});

describe("mapConcurrent", () => {
  it("keeps at most `limit` calls in flight and returns results in input order", async () => {
    let inFlight = 0;
    let peak = 0;
    const items = Array.from({ length: 50 }, (_, i) => i);
    const out = await mapConcurrent(items, 4, async (n) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, (n * 7) % 5));
      inFlight--;
      return n * 2;
    });
    expect(out).toEqual(items.map((n) => n * 2));
    expect(peak).toBe(4);
  });

  it("stops starting calls after a rejection and rejects with it", async () => {
    const started: number[] = [];
    const err = await mapConcurrent([0, 1, 2, 3, 4, 5], 2, async (n) => {
      started.push(n);
      if (n === 1) throw new Error("boom");
      await new Promise((r) => setTimeout(r, 5));
      return n;
    }).catch((e: unknown) => e);
    expect((err as Error).message).toBe("boom");
    expect(started.length).toBeLessThan(6);
  });
});
