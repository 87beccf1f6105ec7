/**
 * Talking to a provider's token endpoint through `openid-client`: the client-credentials grant
 * (RFC 6749 §4.4), the JWT-bearer grant (RFC 7523 §2.1, assertion signed with `jose`), client
 * authentication by secret or private_key_jwt (RFC 7523 §2.2), and RFC 7009 revocation.
 *
 * Temporary failures — no answer within the timeout, a network error, 5xx, 429 — are retried with
 * backoff, honouring Retry-After; each retry is a fresh request (a new assertion with a new jti,
 * since servers refuse a replayed one). OAuth errors (invalid_client, invalid_scope, …) are not
 * retried: asking again cannot change the answer. Errors carry the endpoint, the status and the
 * OAuth error code, never a secret or a token.
 */
import { randomUUID } from "node:crypto";
import type { ProviderCredentials, FetchedProvider } from "./credentials";
import { DEFAULT_RETRY, backoffMs, retryAfterMs, sleep, type RetryPolicy } from "./retry";
import type { SecretSet } from "./secrets";

export const JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";

export interface EndpointOptions {
  /** Per-attempt timeout (default 30 s). */
  readonly timeoutMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** Told about every retry, with a line that holds no secret. */
  readonly onRetry?: (line: string) => void;
}

export interface IssuedToken {
  readonly value: string;
  readonly tokenType: string;
  /** Seconds, when the server said (RFC 6749 §5.1 makes expires_in only RECOMMENDED). */
  readonly expiresIn?: number;
  /** What the token carries: the response's `scope`, or what was asked when it has none. */
  readonly scopes: readonly string[];
  /** False when the response had no `scope` and the request's scopes were assumed (§5.1). */
  readonly scopeInResponse: boolean;
  /** Requests made, retries included. */
  readonly attempts: number;
}

export type TokenErrorKind =
  "timeout" | "network" | "unavailable" | "rate-limited" | "oauth" | "response";

/** A token request or revocation that failed (after retries where they apply). */
export class TokenEndpointError extends Error {
  override name = "TokenEndpointError";
  constructor(
    message: string,
    readonly kind: TokenErrorKind,
    /** HTTP status of the last answer; 0 when there was none. */
    readonly status: number,
    /** The OAuth error code (invalid_client, invalid_scope, …) when the server sent one. */
    readonly oauthError?: string,
    readonly attempts: number = 1,
  ) {
    super(message);
  }
}

type OidcClient = typeof import("openid-client");
let oidcModule: Promise<OidcClient> | undefined;
/** openid-client and jose load only in the commands that fetch tokens. */
function oidc(): Promise<OidcClient> {
  oidcModule ??= import("openid-client");
  return oidcModule;
}

/** What one attempt saw on the wire, read by the error classifier. */
interface WireTrace {
  status: number;
  retryAfter: string | null;
  thrown?: unknown;
  /** RFC 6749 §5.2 error body of a non-2xx answer (read here: a 401 with WWW-Authenticate
   * surfaces from openid-client as a challenge error that does not carry it). */
  oauth?: { error: string; description?: string };
}

/** Requests a token for exactly `scopes`. */
export async function requestToken(
  provider: FetchedProvider,
  creds: ProviderCredentials,
  scopes: readonly string[],
  secrets: SecretSet,
  options: EndpointOptions = {},
): Promise<IssuedToken> {
  const client = await oidc();
  const scope = scopes.join(" ");
  const res = await withRetries(`POST ${provider.tokenUrl}`, secrets, options, async (trace) => {
    const config = await configure(client, provider, creds, provider.revocationUrl, trace, options);
    if (provider.kind === "jwt-bearer") {
      const assertion = await signAssertion(provider, creds);
      return client.genericGrantRequest(config, JWT_BEARER_GRANT, {
        assertion,
        ...(scope ? { scope } : {}),
      });
    }
    return client.clientCredentialsGrant(config, scope ? { scope } : {});
  });
  const body = res.value;
  secrets.add(body.access_token);
  const granted =
    typeof body.scope === "string" ? body.scope.split(" ").filter(Boolean) : undefined;
  return {
    value: body.access_token,
    tokenType: body.token_type ?? "bearer",
    ...(typeof body.expires_in === "number" ? { expiresIn: body.expires_in } : {}),
    scopes: granted ?? [...scopes],
    scopeInResponse: granted !== undefined,
    attempts: res.attempts,
  };
}

/** RFC 7009 revocation; resolves when the server accepted it (it answers 200 for unknown tokens too). */
export async function revokeToken(
  provider: FetchedProvider,
  creds: ProviderCredentials,
  token: string,
  secrets: SecretSet,
  options: EndpointOptions = {},
): Promise<number> {
  const url = provider.revocationUrl;
  if (url === undefined) throw new Error(`provider ${provider.name} has no revocationUrl`);
  secrets.add(token);
  const client = await oidc();
  const res = await withRetries(`POST ${url}`, secrets, options, async (trace) => {
    const config = await configure(client, provider, creds, url, trace, options);
    await client.tokenRevocation(config, token, { token_type_hint: "access_token" });
  });
  return res.attempts;
}

async function withRetries<T>(
  what: string,
  secrets: SecretSet,
  options: EndpointOptions,
  attempt: (trace: WireTrace) => Promise<T>,
): Promise<{ value: T; attempts: number }> {
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  for (let n = 1; ; n++) {
    const trace: WireTrace = { status: 0, retryAfter: null };
    try {
      return { value: await attempt(trace), attempts: n };
    } catch (e) {
      const err = classify(what, e, trace, secrets, n);
      const retryable = err.kind !== "oauth" && err.kind !== "response";
      if (!retryable || n > policy.retries) throw err;
      let wait = backoffMs(policy, n);
      if (err.kind === "rate-limited") {
        const asked = retryAfterMs(trace.retryAfter);
        if (asked !== undefined && asked > policy.maxRetryAfterMs) {
          throw new TokenEndpointError(
            `${err.message}; Retry-After ${Math.ceil(asked / 1000)}s is longer than this run waits (${policy.maxRetryAfterMs / 1000}s)`,
            err.kind,
            err.status,
            undefined,
            n,
          );
        }
        if (asked !== undefined) wait = asked;
      }
      options.onRetry?.(`${err.message}; retry ${n}/${policy.retries} in ${wait}ms`);
      await sleep(wait);
    }
  }
}

function classify(
  what: string,
  e: unknown,
  trace: WireTrace,
  secrets: SecretSet,
  attempts: number,
): TokenEndpointError {
  const msg = (s: string) => secrets.redact(`${what}: ${s}`);
  if (trace.thrown !== undefined) {
    const t = trace.thrown as Error;
    const timedOut = t?.name === "TimeoutError" || t?.name === "AbortError";
    return timedOut
      ? new TokenEndpointError(
          msg("no answer within the timeout"),
          "timeout",
          0,
          undefined,
          attempts,
        )
      : new TokenEndpointError(
          msg(`cannot reach the server (${t?.message ?? String(t)})`),
          "network",
          0,
          undefined,
          attempts,
        );
  }
  const oauth = trace.oauth;
  if (oauth !== undefined && trace.status !== 429 && trace.status < 500) {
    const desc = oauth.description !== undefined ? ` (${oauth.description})` : "";
    return new TokenEndpointError(
      msg(`${trace.status} ${oauth.error}${desc}`),
      "oauth",
      trace.status,
      oauth.error,
      attempts,
    );
  }
  if (trace.status === 429)
    return new TokenEndpointError(
      msg("429 rate limited"),
      "rate-limited",
      429,
      undefined,
      attempts,
    );
  if (trace.status >= 500)
    return new TokenEndpointError(
      msg(`${trace.status} server error`),
      "unavailable",
      trace.status,
      undefined,
      attempts,
    );
  const detail = e instanceof Error ? e.message : String(e);
  return new TokenEndpointError(
    msg(`unusable answer (${trace.status || "no status"}): ${detail}`),
    "response",
    trace.status,
    undefined,
    attempts,
  );
}

async function configure(
  client: OidcClient,
  provider: FetchedProvider,
  creds: ProviderCredentials,
  revocationUrl: string | undefined,
  trace: WireTrace,
  options: EndpointOptions,
) {
  // The authorization server's identifier is the audience of client assertions (RFC 7523 §3):
  // the provider's `audience` when it names one, otherwise its token endpoint, which the RFC allows.
  const server = {
    issuer: audienceOf(provider),
    token_endpoint: provider.tokenUrl,
    ...(revocationUrl !== undefined ? { revocation_endpoint: revocationUrl } : {}),
  };
  const clientId = creds.clientId ?? creds.issuer ?? provider.name;
  let auth;
  switch (creds.clientAuth) {
    case "client_secret_basic":
      auth = client.ClientSecretBasic(creds.clientSecret);
      break;
    case "client_secret_post":
      auth = client.ClientSecretPost(creds.clientSecret);
      break;
    case "private_key_jwt":
      auth = client.PrivateKeyJwt({
        key: await signingKey(creds),
        ...(creds.keyId !== undefined ? { kid: creds.keyId } : {}),
      });
      break;
    case "none":
      auth = client.None();
      break;
  }
  const config = new client.Configuration(server, clientId, undefined, auth);
  // Plain http is only ever a loopback test server: the manifest refuses it anywhere else.
  if (provider.tokenUrl.startsWith("http:")) client.allowInsecureRequests(config);
  const timeoutMs = options.timeoutMs ?? 30_000;
  config.timeout = Math.max(1, Math.ceil(timeoutMs / 1000));
  config[client.customFetch] = async (url, init) => {
    try {
      const signal = AbortSignal.timeout(timeoutMs);
      const res = await fetch(url, {
        ...init,
        signal: init.signal ? AbortSignal.any([init.signal, signal]) : signal,
      } as RequestInit);
      trace.status = res.status;
      trace.retryAfter = res.headers.get("retry-after");
      if (res.status >= 400 && (res.headers.get("content-type") ?? "").includes("json")) {
        const body = (await res
          .clone()
          .json()
          .catch(() => undefined)) as { error?: unknown; error_description?: unknown } | undefined;
        if (typeof body?.error === "string")
          trace.oauth = {
            error: body.error,
            ...(typeof body.error_description === "string"
              ? { description: body.error_description }
              : {}),
          };
      }
      return res;
    } catch (e) {
      trace.thrown = e;
      throw e;
    }
  };
  return config;
}

function audienceOf(provider: FetchedProvider): string {
  return provider.kind === "jwt-bearer" && provider.audience !== undefined
    ? provider.audience
    : provider.tokenUrl;
}

/** What jose's importPKCS8 gives (a WebCrypto key; named so without the DOM lib). */
type SigningKey = Awaited<ReturnType<(typeof import("jose"))["importPKCS8"]>>;
const keyCache = new WeakMap<ProviderCredentials, Promise<SigningKey>>();
function signingKey(creds: ProviderCredentials): Promise<SigningKey> {
  let key = keyCache.get(creds);
  if (!key) {
    const pem = creds.privateKey ?? "";
    const alg = creds.alg ?? "RS256";
    key = import("jose").then((jose) => jose.importPKCS8(pem, alg));
    keyCache.set(creds, key);
  }
  return key;
}

/** The RFC 7523 §3 assertion: iss, sub, aud, exp (5 min), iat, jti — a new one per request. */
async function signAssertion(
  provider: FetchedProvider,
  creds: ProviderCredentials,
): Promise<string> {
  const jose = await import("jose");
  const iss = creds.issuer ?? creds.clientId ?? provider.name;
  return new jose.SignJWT({})
    .setProtectedHeader({
      alg: creds.alg ?? "RS256",
      typ: "JWT",
      ...(creds.keyId !== undefined ? { kid: creds.keyId } : {}),
    })
    .setIssuer(iss)
    .setSubject(creds.subject ?? iss)
    .setAudience(audienceOf(provider))
    .setIssuedAt()
    .setExpirationTime("5m")
    .setJti(randomUUID())
    .sign(await signingKey(creds));
}
