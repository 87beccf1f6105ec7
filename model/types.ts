/**
 * The normalised access-needs model: what a validated manifest means, with defaults merged and
 * every duration in seconds. Fields a policy rule exists to judge (owner, TTLs, rotation,
 * justification, review date) stay optional here, so a manifest that lacks them still loads and
 * the rule reports it at the right line instead of the loader refusing the file.
 */

export type Seconds = number;

export type AuthKind = "approle" | "kubernetes" | "jwt" | "token";
export type AccessLevel = "read" | "write" | "admin";
export type ProviderKind = "vault-token" | "static" | "oauth2-client-credentials" | "jwt-bearer";

/** Vault ACL capabilities, as Vault spells them. */
export const CAPABILITIES = [
  "create",
  "read",
  "update",
  "patch",
  "delete",
  "list",
  "sudo",
  "deny",
  "subscribe",
  "recover",
] as const;
export type Capability = (typeof CAPABILITIES)[number];

interface ConsumerBase {
  readonly name: string;
  readonly owner?: string;
  /**
   * The fixed addresses (CIDR blocks) the consumer logs in from, when it has them: its AppRole
   * SecretIDs, or its token role's tokens, are bound to them (TW023 checks the binding).
   */
  readonly cidrs?: readonly string[];
}
export interface AppRoleConsumer extends ConsumerBase {
  readonly auth: "approle";
  readonly approle: {
    readonly secretIdTtl?: Seconds;
    readonly secretIdNumUses?: number;
    /** How long the response-wrapped SecretID can be unwrapped after `pulumi up` delivers it. */
    readonly wrappingTtl?: Seconds;
  };
}
export interface KubernetesConsumer extends ConsumerBase {
  readonly auth: "kubernetes";
  readonly kubernetes: {
    readonly serviceAccounts: readonly string[];
    readonly namespaces: readonly string[];
    readonly audience?: string;
  };
}
export interface JwtConsumer extends ConsumerBase {
  readonly auth: "jwt";
  readonly jwt: {
    readonly boundAudiences: readonly string[];
    readonly boundClaims: Readonly<Record<string, string | readonly string[]>>;
    readonly userClaim: string;
  };
}
export interface TokenConsumer extends ConsumerBase {
  readonly auth: "token";
}
export type Consumer = AppRoleConsumer | KubernetesConsumer | JwtConsumer | TokenConsumer;

interface ProviderBase {
  readonly name: string;
  /** The provider's own ceiling on token lifetime, if it has one. */
  readonly maxTtl?: Seconds;
}
export interface VaultTokenProvider extends ProviderBase {
  readonly kind: "vault-token";
}
export interface StaticProvider extends ProviderBase {
  readonly kind: "static";
  readonly scopes: readonly string[];
  /** How long a replaced token stays readable before `procure`/`put` destroys it (default 24h). */
  readonly grace?: Seconds;
}
/** How `procure` authenticates at a token endpoint (RFC 6749 §2.3, RFC 7523 §2.2). */
export type ClientAuthMethod =
  "client_secret_basic" | "client_secret_post" | "private_key_jwt" | "none";
/** What `tokenwarden procure` needs to fetch a provider's tokens itself. */
interface FetchedProviderFields {
  readonly scopes: readonly string[];
  readonly tokenUrl: string;
  /**
   * Vault API path (e.g. `secret/data/tokenwarden/stripe`) of the entry holding the client
   * credentials or signing key — never the values themselves. Required by `procure` only.
   */
  readonly credentials?: string;
  /** Client authentication at the token endpoint; default from what the credentials hold. */
  readonly clientAuth?: ClientAuthMethod;
  /** RFC 7009 revocation endpoint; without one, replaced tokens are only destroyed in Vault. */
  readonly revocationUrl?: string;
  /** How long a replaced token stays readable before it is revoked and destroyed (default 24h). */
  readonly grace?: Seconds;
}
export interface OAuth2Provider extends ProviderBase, FetchedProviderFields {
  readonly kind: "oauth2-client-credentials";
}
export interface JwtBearerProvider extends ProviderBase, FetchedProviderFields {
  readonly kind: "jwt-bearer";
  readonly audience?: string;
}
export type ThirdPartyProvider = StaticProvider | OAuth2Provider | JwtBearerProvider;
export type Provider = VaultTokenProvider | ThirdPartyProvider;

export interface PathGrant {
  readonly path: string;
  readonly capabilities: readonly Capability[];
}

/** A reviewed exception: turns a deny of `rule` on this need into a reported waiver until `expires`. */
export interface Waiver {
  readonly rule: string;
  readonly reason: string;
  /** ISO date, YYYY-MM-DD. */
  readonly expires: string;
}

export interface Need {
  readonly name: string;
  readonly consumer: string;
  readonly provider: string;
  readonly access: AccessLevel;
  /** Third-party scopes; empty for vault-token needs. */
  readonly scopes: readonly string[];
  /** Vault paths; empty for third-party needs (their one KV path is derived in the grant plan). */
  readonly paths: readonly PathGrant[];
  readonly ttl?: Seconds;
  readonly maxTtl?: Seconds;
  readonly rotation?: Seconds;
  readonly owner?: string;
  readonly justification?: string;
  /** Review date, ISO YYYY-MM-DD. */
  readonly expires?: string;
  /** Whether tokens for this need may carry Vault's `default` policy (TW008). */
  readonly defaultPolicy: boolean;
  readonly waivers: readonly Waiver[];
}

export interface Limits {
  readonly maxTtl: Seconds;
  readonly maxRotation: Seconds;
  readonly maxNeedLifetime: Seconds;
}

/** Auth kinds that log in through a mount of their own (token auth is always at `auth/token`). */
export type LoginAuthKind = Exclude<AuthKind, "token">;

/**
 * An auth mount the stack enables itself, with the configuration its logins need: the
 * Kubernetes API address for `kubernetes`, where to find the issuer's keys for `jwt`.
 */
export type AuthMountSetup =
  | { readonly kind: "approle" }
  | {
      readonly kind: "kubernetes";
      readonly kubernetesHost: string;
      readonly kubernetesCaCert?: string;
    }
  | {
      readonly kind: "jwt";
      readonly oidcDiscoveryUrl?: string;
      readonly jwksUrl?: string;
      readonly boundIssuer?: string;
    };

export interface VaultSettings {
  /** KV v2 mount holding third-party tokens. */
  readonly kvMount: string;
  /** true: the stack creates the KV v2 mount; false: an existing KV v2 mount is used as it is. */
  readonly kvMountCreate: boolean;
  /** Auth mount path per auth kind. */
  readonly authMounts: Readonly<Record<LoginAuthKind, string>>;
  /**
   * Auth mounts the stack enables and configures (`create: true`); every other mount a consumer
   * uses must already exist, which the components check before writing roles into it.
   */
  readonly authMountSetup: Readonly<Partial<Record<LoginAuthKind, AuthMountSetup>>>;
  /** Enable a file audit device at this path when set. */
  readonly audit?: { readonly path: string; readonly filePath: string };
}

/** Where a manifest came from, and how to find the line of a field in it (computed lazily). */
export interface ManifestSource {
  readonly file: string;
  /** 1-based line and column of the node at `path` (e.g. ["needs", 3, "ttl"]), if it exists. */
  locate(path: readonly (string | number)[]): { line: number; column: number } | undefined;
}

export interface Manifest {
  readonly version: 1;
  readonly limits: Limits;
  readonly vault: VaultSettings;
  readonly consumers: readonly Consumer[];
  readonly providers: readonly Provider[];
  readonly needs: readonly Need[];
  readonly source: ManifestSource;
}
