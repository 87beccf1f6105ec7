/**
 * The token-endpoint client against a real authorization server (oidc-provider) on loopback:
 * every grant and client authentication procure uses, and every fault a provider can throw at it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startOAuthServer, type OAuthTestServer } from "../../support/oauth-server";
import {
  requestToken,
  revokeToken,
  TokenEndpointError,
  type EndpointOptions,
} from "../../../ops/procure/token-endpoint";
import type { FetchedProvider, ProviderCredentials } from "../../../ops/procure/credentials";
import { SecretSet } from "../../../ops/procure/secrets";

const CANARY_SECRET = "canary-client-secret-7f3a9c1e5b";
const FAST: EndpointOptions = {
  timeoutMs: 1000,
  retry: { retries: 3, minBackoffMs: 10, maxBackoffMs: 40, maxRetryAfterMs: 5000 },
};

let as: OAuthTestServer;
beforeAll(async () => {
  as = await startOAuthServer({ clientSecret: CANARY_SECRET });
});
afterAll(() => as.close());
beforeEach(() => {
  as.clearFaults();
  as.requests.length = 0;
});

function cc(extra: Partial<FetchedProvider> = {}): FetchedProvider {
  return {
    name: "stripe",
    kind: "oauth2-client-credentials",
    scopes: ["charges:read", "charges:write"],
    tokenUrl: as.tokenUrl,
    revocationUrl: as.revocationUrl,
    credentials: "secret/data/tw/stripe",
    ...extra,
  } as FetchedProvider;
}
const basic = (): ProviderCredentials => ({
  clientAuth: "client_secret_basic",
  clientId: as.secretClient.clientId,
  clientSecret: CANARY_SECRET,
});

describe("client credentials grant (RFC 6749 §4.4)", () => {
  it("asks for exactly the need's scopes and returns the granted ones", async () => {
    const t = await requestToken(cc(), basic(), ["charges:read"], new SecretSet(), FAST);
    expect(t.scopes).toEqual(["charges:read"]);
    expect(t.scopeInResponse).toBe(true);
    expect(t.expiresIn).toBe(3600);
    expect(t.tokenType.toLowerCase()).toBe("bearer");
    expect(await as.scopesOf(t.value)).toEqual(["charges:read"]);
    expect(as.requests.map((r) => [r.path, r.grantType, r.scope])).toEqual([
      ["/token", "client_credentials", "charges:read"],
    ]);
  });

  it("authenticates with client_secret_post", async () => {
    const t = await requestToken(
      cc(),
      { clientAuth: "client_secret_post", clientId: "billing-post", clientSecret: CANARY_SECRET },
      ["reports:read"],
      new SecretSet(),
      FAST,
    );
    expect(await as.isActive(t.value)).toBe(true);
  });

  it("authenticates with private_key_jwt (RFC 7523 §2.2)", async () => {
    const creds: ProviderCredentials = {
      clientAuth: "private_key_jwt",
      clientId: as.keyClient.clientId,
      privateKey: as.keyClient.privateKeyPem,
      keyId: as.keyClient.keyId,
      alg: as.keyClient.alg,
    };
    const t = await requestToken(cc(), creds, ["charges:read"], new SecretSet(), FAST);
    expect(await as.scopesOf(t.value)).toEqual(["charges:read"]);
  });

  it("revokes a token (RFC 7009)", async () => {
    const secrets = new SecretSet();
    const t = await requestToken(cc(), basic(), ["charges:read"], secrets, FAST);
    expect(await as.isActive(t.value)).toBe(true);
    await revokeToken(cc(), basic(), t.value, secrets, FAST);
    expect(await as.isActive(t.value)).toBe(false);
  });
});

describe("JWT bearer grant (RFC 7523 §2.1)", () => {
  const bearerProvider = () =>
    ({
      name: "analytics",
      kind: "jwt-bearer",
      scopes: ["reports:read"],
      tokenUrl: as.tokenUrl,
      credentials: "secret/data/tw/analytics",
    }) as FetchedProvider;

  it("signs an assertion with the service account's key and gets a token", async () => {
    const creds: ProviderCredentials = {
      clientAuth: "none",
      issuer: as.bearer.issuer,
      privateKey: as.bearer.privateKeyPem,
      keyId: as.bearer.keyId,
      alg: as.bearer.alg,
    };
    const t = await requestToken(bearerProvider(), creds, ["reports:read"], new SecretSet(), FAST);
    expect(await as.scopesOf(t.value)).toEqual(["reports:read"]);
    expect(as.requests[0].grantType).toBe("urn:ietf:params:oauth:grant-type:jwt-bearer");
  });

  it("combines the assertion grant with private_key_jwt client authentication", async () => {
    // The client asserts itself: one key signs the assertion and the client assertion.
    const creds: ProviderCredentials = {
      clientAuth: "private_key_jwt",
      clientId: as.keyClient.clientId,
      privateKey: as.keyClient.privateKeyPem,
      keyId: as.keyClient.keyId,
      alg: as.keyClient.alg,
    };
    const t = await requestToken(bearerProvider(), creds, ["reports:read"], new SecretSet(), FAST);
    expect(await as.scopesOf(t.value)).toEqual(["reports:read"]);
  });

  it("a JWT-bearer request is retried after a 502 with a newly signed assertion", async () => {
    const creds: ProviderCredentials = {
      clientAuth: "none",
      issuer: as.bearer.issuer,
      privateKey: as.bearer.privateKeyPem,
      keyId: as.bearer.keyId,
      alg: as.bearer.alg,
    };
    as.fault({ kind: "status", status: 502, times: 1 });
    const t = await requestToken(bearerProvider(), creds, ["reports:read"], new SecretSet(), FAST);
    expect(t.attempts).toBe(2);
  });

  it("a bad assertion signature is invalid_grant and not retried", async () => {
    const creds: ProviderCredentials = {
      clientAuth: "none",
      issuer: as.bearer.issuer,
      privateKey: as.keyClient.privateKeyPem, // wrong key
      alg: "ES256",
    };
    const err = (await requestToken(
      bearerProvider(),
      creds,
      ["reports:read"],
      new SecretSet(),
      FAST,
    ).catch((e: unknown) => e)) as TokenEndpointError;
    expect(err.oauthError).toBe("invalid_grant");
    expect(as.requests).toHaveLength(1);
  });
});

describe("faults", () => {
  it("retries a 5xx and succeeds", async () => {
    as.fault({ kind: "status", status: 503, times: 2 });
    const retries: string[] = [];
    const t = await requestToken(cc(), basic(), ["charges:read"], new SecretSet(), {
      ...FAST,
      onRetry: (l) => retries.push(l),
    });
    expect(t.attempts).toBe(3);
    expect(as.requests.map((r) => r.status)).toEqual([503, 503, 200]);
    expect(retries[0]).toMatch(/503 server error; retry 1\/3/);
  });

  it("honours Retry-After on 429", async () => {
    as.fault({ kind: "rate-limit", retryAfterS: 1, times: 1 });
    const started = Date.now();
    const t = await requestToken(cc(), basic(), ["charges:read"], new SecretSet(), FAST);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(t.attempts).toBe(2);
  });

  it("gives up on a Retry-After longer than the run waits, saying so", async () => {
    as.fault({ kind: "rate-limit", retryAfterS: 3600, times: 1 });
    const err = (await requestToken(cc(), basic(), ["charges:read"], new SecretSet(), FAST).catch(
      (e: unknown) => e,
    )) as TokenEndpointError;
    expect(err.kind).toBe("rate-limited");
    expect(err.message).toMatch(/Retry-After 3600s is longer than this run waits/);
    expect(as.requests).toHaveLength(1);
  });

  it("times out a hanging server, retries, and reports when retries are spent", async () => {
    as.fault({ kind: "timeout" });
    const err = (await requestToken(cc(), basic(), ["charges:read"], new SecretSet(), {
      ...FAST,
      timeoutMs: 300,
      retry: { ...FAST.retry, retries: 1 },
    }).catch((e: unknown) => e)) as TokenEndpointError;
    expect(err.kind).toBe("timeout");
    expect(err.message).toMatch(/no answer within the timeout/);
    expect(as.requests).toHaveLength(2);
  });

  it("recovers after one timeout", async () => {
    as.fault({ kind: "timeout", times: 1 });
    const t = await requestToken(cc(), basic(), ["charges:read"], new SecretSet(), {
      ...FAST,
      timeoutMs: 300,
    });
    expect(t.attempts).toBe(2);
  });

  it("does not retry invalid_client (a wrong secret) and never echoes the secret", async () => {
    const wrong = "canary-wrong-secret-0c9d8e7f";
    const secrets = new SecretSet();
    secrets.add(wrong);
    const err = (await requestToken(
      cc(),
      { clientAuth: "client_secret_basic", clientId: "billing-basic", clientSecret: wrong },
      ["charges:read"],
      secrets,
      FAST,
    ).catch((e: unknown) => e)) as TokenEndpointError;
    expect(err.oauthError).toBe("invalid_client");
    expect(err.status).toBe(401);
    expect(as.requests).toHaveLength(1);
    expect(`${err.message} ${err.stack}`).not.toContain(wrong);
  });

  it("injected invalid_client and invalid_scope are reported with their codes", async () => {
    as.fault({ kind: "invalid_client", times: 1 });
    as.fault({ kind: "invalid_scope", times: 1 });
    const e1 = (await requestToken(cc(), basic(), ["charges:read"], new SecretSet(), FAST).catch(
      (e: unknown) => e,
    )) as TokenEndpointError;
    const e2 = (await requestToken(cc(), basic(), ["charges:read"], new SecretSet(), FAST).catch(
      (e: unknown) => e,
    )) as TokenEndpointError;
    expect([e1.oauthError, e2.oauthError]).toEqual(["invalid_client", "invalid_scope"]);
  });

  it("a scope the client may not have is invalid_scope from the server itself", async () => {
    const limited = await startOAuthServer({ allowedScopes: ["charges:read"] });
    try {
      const err = (await requestToken(
        cc({ tokenUrl: limited.tokenUrl }),
        {
          clientAuth: "client_secret_basic",
          clientId: "billing-basic",
          clientSecret: limited.secretClient.clientSecret,
        },
        ["charges:write"],
        new SecretSet(),
        FAST,
      ).catch((e: unknown) => e)) as TokenEndpointError;
      expect(err.oauthError).toBe("invalid_scope");
    } finally {
      await limited.close();
    }
  });

  it("reports what the server really granted when it grants more than asked", async () => {
    as.fault({ kind: "extra-scopes", scopes: ["refunds:write"], times: 1 });
    const t = await requestToken(cc(), basic(), ["charges:read"], new SecretSet(), FAST);
    expect([...t.scopes].sort()).toEqual(["charges:read", "refunds:write"]);
    expect((await as.scopesOf(t.value))?.sort()).toEqual(["charges:read", "refunds:write"]);
  });

  it("a response without expires_in or scope: expiry unknown, scopes as asked (RFC 6749 §5.1)", async () => {
    as.fault({ kind: "no-expires-in", times: 1 });
    as.fault({ kind: "no-scope", times: 1 });
    const t = await requestToken(cc(), basic(), ["charges:read"], new SecretSet(), FAST);
    expect(t.expiresIn).toBeUndefined();
    expect(t.scopeInResponse).toBe(false);
    expect(t.scopes).toEqual(["charges:read"]);
  });

  it("an unreachable endpoint is a network error after retries", async () => {
    const err = (await requestToken(
      cc({ tokenUrl: "http://127.0.0.1:9/token" }),
      basic(),
      ["charges:read"],
      new SecretSet(),
      { ...FAST, retry: { ...FAST.retry, retries: 1 } },
    ).catch((e: unknown) => e)) as TokenEndpointError;
    expect(err.kind).toBe("network");
    expect(err.attempts).toBe(2);
  });
});
