/**
 * A manifest object exercising every auth kind (approle, kubernetes, jwt, token) and every provider
 * kind (vault-token, static, oauth2-client-credentials, jwt-bearer), and helpers to look at what the
 * program registered under Pulumi's mock runtime.
 */
import { collectResources, type PlannedResource } from "../../components/mock-run";

export const NOW = new Date("2026-01-01T00:00:00Z");

export function manifestObject(): Record<string, unknown> {
  return {
    version: 1,
    defaults: { ttl: "1h", maxTtl: "24h", rotation: "30d" },
    limits: { maxTtl: "720h", maxRotation: "90d", maxNeedLifetime: "365d" },
    vault: {
      kvMount: "tokens",
      authMounts: { approle: "approle", kubernetes: "k8s-prod", jwt: "gha" },
      audit: { path: "tw-file", filePath: "/var/log/vault/tw.log" },
    },
    consumers: [
      {
        name: "billing-api",
        owner: "billing@example.com",
        auth: "approle",
        approle: { secretIdTtl: "7d", secretIdNumUses: 5 },
      },
      {
        name: "web",
        owner: "web@example.com",
        auth: "kubernetes",
        kubernetes: {
          serviceAccounts: ["web", "web-canary"],
          namespaces: ["prod"],
          audience: "vault",
        },
      },
      {
        name: "deploy",
        owner: "platform@example.com",
        auth: "jwt",
        jwt: {
          boundAudiences: ["vault"],
          boundClaims: {
            repository: "example-org/deploy",
            ref: ["refs/heads/main", "refs/heads/release"],
          },
          userClaim: "sub",
        },
      },
      { name: "cron", owner: "data@example.com", auth: "token" },
    ],
    providers: [
      { name: "vault", kind: "vault-token", maxTtl: "24h" },
      { name: "stripe", kind: "static", scopes: ["charges:read", "charges:write"] },
      {
        name: "github-app",
        kind: "oauth2-client-credentials",
        tokenUrl: "https://auth.example.com/oauth2/token",
        scopes: ["deployments:write", "contents:read"],
      },
      {
        name: "analytics",
        kind: "jwt-bearer",
        tokenUrl: "https://oauth2.example.com/token",
        scopes: ["reports.read"],
      },
    ],
    needs: [
      need("billing-config", "billing-api", "vault", {
        paths: [{ path: "secret/data/billing/config", capabilities: ["read"] }],
        ttl: "15m",
        maxTtl: "1h",
        rotation: "7d",
      }),
      need("billing-stripe", "billing-api", "stripe", { scopes: ["charges:read"] }),
      need("web-session", "web", "vault", {
        paths: [
          { path: "secret/data/web/session", capabilities: ["read"] },
          { path: "secret/metadata/web/session", capabilities: ["list"] },
        ],
        ttl: "30m",
        maxTtl: "4h",
        rotation: "14d",
      }),
      need("web-analytics", "web", "analytics", {
        scopes: ["reports.read"],
        ttl: "30m",
        maxTtl: "1h",
      }),
      need("deploy-github", "deploy", "github-app", {
        scopes: ["deployments:write"],
        access: "write",
        ttl: "10m",
        maxTtl: "1h",
        rotation: "7d",
      }),
      need("cron-warehouse", "cron", "vault", {
        paths: [{ path: "database/creds/warehouse-readonly", capabilities: ["read"] }],
        ttl: "1h",
        maxTtl: "8h",
        rotation: "1d",
      }),
      need("cron-reports-write", "cron", "vault", {
        paths: [{ path: "secret/data/reports/*", capabilities: ["create", "update"] }],
        access: "write",
        ttl: "2h",
        maxTtl: "12h",
        defaultPolicy: true,
      }),
    ],
  };
}

function need(
  name: string,
  consumer: string,
  provider: string,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  return {
    name,
    consumer,
    provider,
    access: "read",
    owner: `${consumer}@example.com`,
    justification: `because ${name}`,
    expires: "2026-12-31",
    ...extra,
  };
}

/** Third-party needs of the fixture, with a distinct canary value each. */
export const THIRD_PARTY_CANARIES: Readonly<Record<string, string>> = {
  "billing-stripe": "CANARY-rk_live_51stripe0000",
  "web-analytics": "CANARY-ya29.analytics0000",
  "deploy-github": "CANARY-ghs_github0000",
};

/** The fixture manifest run through the program under Pulumi's mocks at `now`, with the canaries. */
export function collectFixture(now: Date = NOW): ReturnType<typeof collectResources> {
  return collectResources(manifestObject(), { now, thirdPartyTokens: THIRD_PARTY_CANARIES });
}

export function only(
  resources: readonly PlannedResource[],
  type: string,
  name: string,
): PlannedResource {
  const found = resources.filter((r) => r.type === type && r.name === name);
  if (found.length !== 1) {
    throw new Error(`expected one ${type} named ${name}, found ${found.length}`);
  }
  return found[0];
}

export function ofType(resources: readonly PlannedResource[], type: string): PlannedResource[] {
  return resources.filter((r) => r.type === type);
}

export const T = {
  policy: "vault:index/policy:Policy",
  token: "vault:index/token:Token",
  mount: "vault:index/mount:Mount",
  audit: "vault:index/audit:Audit",
  kv: "vault:kv/secretV2:SecretV2",
  approle: "vault:appRole/authBackendRole:AuthBackendRole",
  k8s: "vault:kubernetes/authBackendRole:AuthBackendRole",
  jwt: "vault:jwt/authBackendRole:AuthBackendRole",
  tokenRole: "vault:tokenauth/authBackendRole:AuthBackendRole",
  secretId: "vault:appRole/authBackendRoleSecretId:AuthBackendRoleSecretId",
  rotating: "time:index/rotating:Rotating",
  accessNeeds: "tokenwarden:index:AccessNeeds",
  consumerRole: "tokenwarden:index:ConsumerRole",
  needGrant: "tokenwarden:index:NeedGrant",
  rotation: "tokenwarden:index:Rotation",
  tokenStore: "tokenwarden:index:TokenStore",
} as const;
