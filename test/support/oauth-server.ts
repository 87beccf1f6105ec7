/**
 * A real OAuth 2.0 authorization server on 127.0.0.1 for procurement tests: `oidc-provider` with
 * the client-credentials grant (RFC 6749 §4.4), RFC 7009 revocation, introspection, a
 * private_key_jwt client (RFC 7523 §2.2) and a JWT-bearer grant (RFC 7523 §2.1, registered on the
 * provider through its grant-type API: oidc-provider ships no handler for it). In front of it sits
 * a thin fault injector for what real providers do on bad days: hang, 5xx, 429 with Retry-After,
 * invalid_client, invalid_scope, grant more scopes than asked, omit expires_in.
 *
 * Every request is recorded (path, grant type, asked scope, status) so tests can count requests
 * and check exactly what was asked; token values and secrets are never recorded.
 */
import * as http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import {
  createLocalJWKSet,
  decodeJwt,
  exportJWK,
  exportPKCS8,
  generateKeyPair,
  jwtVerify,
} from "jose";

export const JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/** Faults act on the token endpoint unless `path` names another (e.g. "/token/revocation"). */
export type OAuthFault = { path?: string } &
  /** Accept the request and answer nothing for delayMs (default: until the server closes). */
  (
    | { kind: "timeout"; delayMs?: number; times?: number }
    /** Answer with a bare 5xx (HTML body, as a load balancer would). */
    | { kind: "status"; status: 500 | 502 | 503 | 504; times?: number }
    /** 429 Too Many Requests with Retry-After (seconds). */
    | { kind: "rate-limit"; retryAfterS: number; times?: number }
    /** 401 invalid_client, as the server answers a wrong secret. */
    | { kind: "invalid_client"; times?: number }
    /** 400 invalid_scope. */
    | { kind: "invalid_scope"; times?: number }
    /** The server adds these scopes to what the client asked for, and really grants them. */
    | { kind: "extra-scopes"; scopes: string[]; times?: number }
    /** The token response has no expires_in. */
    | { kind: "no-expires-in"; times?: number }
    /** The token response has no scope member (RFC 6749 §5.1: then it is what was asked). */
    | { kind: "no-scope"; times?: number }
  );

export interface RecordedRequest {
  readonly path: string;
  readonly grantType?: string;
  /** The scope parameter as the client sent it. */
  readonly scope?: string;
  /** HTTP status answered; 0 when the server never answered (timeout fault). */
  status: number;
  /** Which fault answered, if one did. */
  readonly fault?: OAuthFault["kind"];
}

export interface SigningKey {
  readonly privateKeyPem: string;
  readonly keyId: string;
  readonly alg: string;
}

export interface OAuthServerOptions {
  /** Every scope the server knows (oidc-provider refuses the ones clients are not allowed). */
  readonly scopes?: readonly string[];
  /** Scopes each client may be granted (default: all of `scopes`). */
  readonly allowedScopes?: readonly string[];
  /** The secret of the client_secret clients; tests pass a canary. */
  readonly clientSecret?: string;
  /** Access-token lifetime in seconds (default 3600). */
  readonly tokenTtlS?: number;
}

export interface OAuthTestServer {
  readonly issuer: string;
  readonly tokenUrl: string;
  readonly revocationUrl: string;
  /** client_secret_basic / client_secret_post client. */
  readonly secretClient: { readonly clientId: string; readonly clientSecret: string };
  /** private_key_jwt client for the client-credentials grant. */
  readonly keyClient: { readonly clientId: string } & SigningKey;
  /** JWT-bearer grant: the assertion issuer/subject (a service account) and its key. */
  readonly bearer: { readonly issuer: string; readonly subject: string } & SigningKey;
  readonly requests: RecordedRequest[];
  fault(f: OAuthFault): void;
  clearFaults(): void;
  /** Is this access token still valid at the server (not revoked, not expired)? */
  isActive(token: string): Promise<boolean>;
  /** How many access tokens are live (issued, not revoked, not expired). */
  activeTokenCount(): number;
  /** Scopes of a live access token, as the server recorded them. */
  scopesOf(token: string): Promise<string[] | undefined>;
  close(): Promise<void>;
}

const DEFAULT_SCOPES = ["charges:read", "charges:write", "refunds:write", "reports:read"];

export async function startOAuthServer(options: OAuthServerOptions = {}): Promise<OAuthTestServer> {
  const { default: Provider, errors } = await import("oidc-provider");
  const scopes = [...(options.scopes ?? DEFAULT_SCOPES)];
  const allowed = (options.allowedScopes ?? scopes).join(" ");
  const clientSecret = options.clientSecret ?? "test-client-secret-0123456789abcdef";

  const keyClientKey = await newSigningKey("ES256", "key-client-1");
  const bearerKey = await newSigningKey("RS256", "bearer-1");
  const bearerIssuer = "svc-reporting@example.test";

  const faults: (OAuthFault & { left: number })[] = [];
  const requests: RecordedRequest[] = [];
  const held = new Set<http.ServerResponse>();
  const sockets = new Set<Socket>();

  const server = http.createServer();
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://127.0.0.1:${port}`;
  const tokenUrl = `${issuer}/token`;

  const signingJwk = await exportJWK((await keyPair("RS256", "server-1")).privateKey);
  const Adapter = mapAdapter();
  const provider = new Provider(issuer, {
    adapter: Adapter,
    jwks: { keys: [{ ...signingJwk, kid: "server-1", alg: "RS256", use: "sig" }] },
    clients: [
      {
        client_id: "billing-basic",
        client_secret: clientSecret,
        grant_types: ["client_credentials"],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: "client_secret_basic",
        scope: allowed,
      },
      {
        client_id: "billing-post",
        client_secret: clientSecret,
        grant_types: ["client_credentials"],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: "client_secret_post",
        scope: allowed,
      },
      {
        client_id: "billing-key",
        grant_types: ["client_credentials", JWT_BEARER_GRANT],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: "private_key_jwt",
        token_endpoint_auth_signing_alg: "ES256",
        jwks: { keys: [keyClientKey.publicJwk] },
        scope: allowed,
      },
      {
        // A public client for the bare JWT-bearer grant: the assertion is the credential.
        client_id: bearerIssuer,
        grant_types: [JWT_BEARER_GRANT],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: "none",
        scope: allowed,
      },
    ],
    scopes,
    clientAuthMethods: ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"],
    features: {
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      introspection: { enabled: true },
      devInteractions: { enabled: false },
    },
    ttl: { ClientCredentials: options.tokenTtlS ?? 3600 },
  });
  // oidc-provider's development-only warnings (dev keys, in-memory adapter) are expected here.
  provider.on("server_error", () => undefined);

  // Assertion issuers the server trusts: the service account, and the private_key_jwt client
  // asserting itself (one key for both the assertion and client authentication).
  const assertionKeys = new Map([
    [bearerIssuer, createLocalJWKSet({ keys: [bearerKey.publicJwk] })],
    ["billing-key", createLocalJWKSet({ keys: [keyClientKey.publicJwk] })],
  ]);
  const seenJti = new Set<string>();
  provider.registerGrantType(
    JWT_BEARER_GRANT,
    async (ctx) => {
      const assertion = String(ctx.oidc.params?.assertion ?? "");
      let payload;
      try {
        const iss = decodeJwt(assertion).iss ?? "";
        const jwks = assertionKeys.get(iss);
        if (!jwks) throw new Error(`untrusted issuer ${iss}`);
        ({ payload } = await jwtVerify(assertion, jwks, {
          issuer: iss,
          audience: tokenUrl,
          requiredClaims: ["exp", "iat", "sub", "jti"],
        }));
      } catch (e) {
        throw new errors.InvalidGrant(`invalid assertion: ${(e as Error).message}`);
      }
      if (seenJti.has(String(payload.jti))) throw new errors.InvalidGrant("assertion replayed");
      seenJti.add(String(payload.jti));
      const asked = String(ctx.oidc.params?.scope ?? "")
        .split(" ")
        .filter(Boolean);
      const may = new Set(allowed.split(" "));
      const bad = asked.find((s) => !may.has(s));
      if (bad) throw new errors.InvalidScope("requested scope is not allowed", bad);
      const client = ctx.oidc.client;
      if (!client) throw new errors.InvalidClient();
      const token = new provider.ClientCredentials({
        client,
        scope: asked.join(" ") || undefined,
      });
      const value = await token.save();
      ctx.body = {
        access_token: value,
        token_type: "Bearer",
        expires_in: token.expiration,
        ...(token.scope ? { scope: token.scope } : {}),
      };
    },
    ["assertion", "scope"],
  );

  // Response rewriting faults act on what oidc-provider answered.
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path !== "/token" || ctx.status !== 200) return;
    const body = ctx.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== "object") return;
    if (take("no-expires-in")) delete body.expires_in;
    if (take("no-scope")) delete body.scope;
  });

  const callback = provider.callback();

  function take<K extends OAuthFault["kind"]>(
    kind: K,
  ): Extract<OAuthFault, { kind: K }> | undefined {
    const i = faults.findIndex((f) => f.kind === kind && (f.path ?? "/token") === "/token");
    if (i < 0) return undefined;
    const f = faults[i];
    if (--f.left <= 0) faults.splice(i, 1);
    return f as unknown as Extract<OAuthFault, { kind: K }>;
  }
  /** The first pending fault that answers instead of the server. */
  function takeAnswering(path: string): OAuthFault | undefined {
    const i = faults.findIndex(
      (f) =>
        (f.path ?? "/token") === path &&
        f.kind !== "extra-scopes" &&
        f.kind !== "no-expires-in" &&
        f.kind !== "no-scope",
    );
    if (i < 0) return undefined;
    const f = faults[i];
    if (--f.left <= 0) faults.splice(i, 1);
    return f;
  }

  server.on("request", (req, res) => {
    void (async () => {
      const path = (req.url ?? "/").split("?")[0];
      let params = new URLSearchParams();
      if (req.method === "POST") {
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        const raw = Buffer.concat(chunks).toString("utf8");
        params = new URLSearchParams(raw);
      }
      const rec: RecordedRequest = {
        path,
        ...(params.has("grant_type") ? { grantType: params.get("grant_type") ?? "" } : {}),
        ...(params.has("scope") ? { scope: params.get("scope") ?? "" } : {}),
        status: 0,
      };
      requests.push(rec);
      res.on("finish", () => (rec.status = res.statusCode));

      const fault = takeAnswering(path);
      if (fault) {
        (rec as { fault?: string }).fault = fault.kind;
        answerFault(fault, res);
        return;
      }
      if (path === "/token") {
        const extra = take("extra-scopes");
        if (extra) {
          const asked = (params.get("scope") ?? "").split(" ").filter(Boolean);
          params.set("scope", [...new Set([...asked, ...extra.scopes])].join(" "));
        }
      }
      // The body was consumed above: oidc-provider reads the (possibly rewritten) parsed form.
      (req as http.IncomingMessage & { body?: string }).body = params.toString();
      callback(req, res);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  function answerFault(f: OAuthFault, res: http.ServerResponse): void {
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      res
        .writeHead(status, { "content-type": "application/json", ...headers })
        .end(JSON.stringify(body));
    switch (f.kind) {
      case "timeout":
        held.add(res);
        if (f.delayMs !== undefined) {
          setTimeout(() => {
            held.delete(res);
            if (!res.writableEnded) json(503, { error: "temporarily_unavailable" });
          }, f.delayMs).unref();
        }
        return;
      case "status":
        res.writeHead(f.status, { "content-type": "text/html" }).end("<html>upstream error</html>");
        return;
      case "rate-limit":
        json(429, { error: "rate_limited" }, { "retry-after": String(f.retryAfterS) });
        return;
      case "invalid_client":
        json(
          401,
          { error: "invalid_client", error_description: "client authentication failed" },
          { "www-authenticate": 'Basic realm="token"' },
        );
        return;
      case "invalid_scope":
        json(400, { error: "invalid_scope", error_description: "requested scope is not allowed" });
        return;
      default:
        return;
    }
  }

  return {
    issuer,
    tokenUrl,
    revocationUrl: `${issuer}/token/revocation`,
    secretClient: { clientId: "billing-basic", clientSecret },
    keyClient: { clientId: "billing-key", ...keyClientKey.signing },
    bearer: { issuer: bearerIssuer, subject: bearerIssuer, ...bearerKey.signing },
    requests,
    fault(f) {
      faults.push({ ...f, left: f.times ?? Number.POSITIVE_INFINITY });
    },
    clearFaults() {
      faults.length = 0;
    },
    async isActive(token) {
      return (await provider.ClientCredentials.find(token)) !== undefined;
    },
    activeTokenCount: () => Adapter.live("ClientCredentials"),
    async scopesOf(token) {
      const t = await provider.ClientCredentials.find(token);
      return t
        ? String(t.scope ?? "")
            .split(" ")
            .filter(Boolean)
        : undefined;
    },
    async close() {
      for (const res of held) res.destroy();
      held.clear();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function newSigningKey(
  alg: "ES256" | "RS256",
  keyId: string,
): Promise<{ signing: SigningKey; publicJwk: Record<string, unknown> }> {
  const { publicKey, privateKey } = await keyPair(alg, keyId);
  const publicJwk = { ...(await exportJWK(publicKey)), kid: keyId, alg, use: "sig" };
  return { signing: { privateKeyPem: await exportPKCS8(privateKey), keyId, alg }, publicJwk };
}

interface Stored {
  payload: Record<string, unknown>;
  expiresAt?: number;
}

/**
 * Storage for this server alone: oidc-provider's development adapter is one LRU of 1000 entries
 * shared by every provider in the process, which would forget tokens in the 500-token benchmark
 * and mix test servers' state.
 */
function mapAdapter() {
  const store = new Map<string, Stored>();
  return class MapAdapter {
    static live(model: string): number {
      let n = 0;
      const now = Date.now();
      for (const [k, v] of store)
        if (k.startsWith(`${model}:`) && (v.expiresAt === undefined || v.expiresAt > now)) n++;
      return n;
    }
    constructor(private readonly model: string) {}
    private key(id: string) {
      return `${this.model}:${id}`;
    }
    async upsert(id: string, payload: Record<string, unknown>, expiresIn?: number) {
      store.set(this.key(id), {
        payload,
        ...(expiresIn ? { expiresAt: Date.now() + expiresIn * 1000 } : {}),
      });
    }
    async find(id: string) {
      const s = store.get(this.key(id));
      if (!s) return undefined;
      if (s.expiresAt !== undefined && s.expiresAt <= Date.now()) {
        store.delete(this.key(id));
        return undefined;
      }
      return s.payload;
    }
    async findByUid() {
      return undefined;
    }
    async findByUserCode() {
      return undefined;
    }
    async consume(id: string) {
      const s = store.get(this.key(id));
      if (s) s.payload.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      store.delete(this.key(id));
    }
    async revokeByGrantId() {
      // Client-credentials tokens belong to no grant.
    }
  };
}

/** RSA key generation is slow: each key is made once per process and shared by every server. */
const keyPairs = new Map<string, ReturnType<typeof generateKeyPair>>();
function keyPair(alg: "ES256" | "RS256", name: string): ReturnType<typeof generateKeyPair> {
  let kp = keyPairs.get(name);
  if (!kp) {
    kp = generateKeyPair(alg, { extractable: true });
    keyPairs.set(name, kp);
  }
  return kp;
}
