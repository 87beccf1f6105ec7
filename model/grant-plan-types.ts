/**
 * The provider-neutral grant plan: every Vault object a manifest requires, fully decided.
 * Pulumi components and CDKTF constructs only *render* this; neither decides anything itself.
 * All values are plain (never unknown at preview), so policies always see them.
 */
import type {
  AccessLevel,
  AuthKind,
  AuthMountSetup,
  Capability,
  LoginAuthKind,
  Seconds,
} from "./types";

export interface PolicyRule {
  readonly path: string;
  readonly capabilities: readonly Capability[];
}

export interface PolicyPlan {
  /** Vault policy name. */
  readonly name: string;
  /** The policy document in HCL, as written to Vault. */
  readonly hcl: string;
  /** The same rules, structured (what the HCL says). */
  readonly rules: readonly PolicyRule[];
}

/** Token metadata Vault copies into every audit line: ties each use back to a declared need. */
export type TokenMeta = Readonly<Record<string, string>>;

export interface TokenPlan {
  /** Logical name (unique in the plan), e.g. "<consumer>-<need>". */
  readonly name: string;
  readonly policies: readonly string[];
  /** The token's own TTL: its need's, never above the role's explicit max TTL (0: Vault's default). */
  readonly ttl: Seconds;
  /**
   * The explicit max TTL Vault gives the token: its token role's `token_explicit_max_ttl`. The
   * renderers do not send it with the token — Vault answers a token that sets one against a role
   * that has one with a warning and keeps the lesser — so the role is where it is enforced.
   */
  readonly explicitMaxTtl: Seconds;
  readonly renewable: boolean;
  readonly noParent: boolean;
  readonly noDefaultPolicy: boolean;
  /** Token role the token is created against, if any. */
  readonly roleName?: string;
  readonly meta: TokenMeta;
  /** The display name as Vault reads it back (see display-names.ts), so it never shows a diff. */
  readonly displayName: string;
}

export interface KvEntryPlan {
  /** KV v2 mount, e.g. "tokens". */
  readonly mount: string;
  /** Path within the mount, e.g. "stripe/billing-stripe-charges". */
  readonly name: string;
  /**
   * Custom metadata written to the entry's metadata (all values strings, as Vault stores them):
   * owner (when the need has one), consumer, need, provider, scopes (comma-joined),
   * rotation_period (duration text, when set), review_date (the need's `expires`, when set),
   * managed_by = "tokenwarden". The stack owns this metadata; `tokenwarden procure`/`put` own the
   * entry's versions (the token values) and its rotation, so no rotation clock writes here.
   */
  readonly customMetadata: Readonly<Record<string, string>>;
  readonly maxVersions: number;
}

/** The roles of login auth methods: they issue tokens at login, with these policies and TTLs. */
interface RolePlanBase {
  readonly consumer: string;
  /** Role name within its auth mount. */
  readonly roleName: string;
  readonly tokenPolicies: readonly string[];
  readonly tokenTtl: Seconds;
  readonly tokenMaxTtl: Seconds;
}
export interface AppRoleRolePlan extends RolePlanBase {
  readonly kind: "approle";
  readonly backend: string;
  readonly secretIdTtl: Seconds;
  readonly secretIdNumUses: number;
  /** The consumer's fixed addresses: where its SecretIDs may be used from (when it has them). */
  readonly secretIdBoundCidrs?: readonly string[];
}
export interface KubernetesRolePlan extends RolePlanBase {
  readonly kind: "kubernetes";
  readonly backend: string;
  readonly boundServiceAccountNames: readonly string[];
  readonly boundServiceAccountNamespaces: readonly string[];
  readonly audience?: string;
}
export interface JwtRolePlan extends RolePlanBase {
  readonly kind: "jwt";
  readonly backend: string;
  readonly boundAudiences: readonly string[];
  readonly boundClaims: Readonly<Record<string, string>>;
  readonly userClaim: string;
}
/**
 * A token role (`auth/token/roles/<name>`): for token-auth consumers. It carries only what
 * `POST auth/token/roles/:name` accepts (TokenWriteRoleRequest): no `token_ttl`,
 * `token_max_ttl` or `token_policies` — Vault ignores those there with a warning. Each token
 * carries its own TTL; the role caps every token created against it.
 */
export interface TokenRolePlan {
  readonly kind: "token";
  readonly consumer: string;
  readonly roleName: string;
  /** The policies tokens created against the role may carry (its needs' policies, sorted). */
  readonly allowedPolicies: readonly string[];
  /** The strictest max TTL of the consumer's needs; 0 when none sets one (Vault's system max). */
  readonly tokenExplicitMaxTtl: Seconds;
  readonly tokenType: "service";
  readonly renewable: boolean;
  readonly orphan: boolean;
  /** The consumer's fixed addresses: where its tokens may be used from (when it has them). */
  readonly tokenBoundCidrs?: readonly string[];
}
export type RolePlan = AppRoleRolePlan | KubernetesRolePlan | JwtRolePlan | TokenRolePlan;

export interface RotationPlan {
  readonly periodSeconds: Seconds;
  /** The period in whole minutes (rounded up), as `time_rotating`/`time.Rotating` take it. */
  readonly rotationMinutes: number;
}

/** Everything one need is granted. */
export interface NeedGrantPlan {
  readonly need: string;
  readonly consumer: string;
  readonly provider: string;
  readonly providerKind: "vault-token" | "static" | "oauth2-client-credentials" | "jwt-bearer";
  readonly access: AccessLevel;
  readonly owner?: string;
  readonly policy: PolicyPlan;
  /**
   * For token-auth consumers: the token issued for this need. Every need of a token-auth consumer
   * gets one — for a vault-token need it carries the need's paths, for a third-party need the
   * policy that reads its KV entry.
   */
  readonly token?: TokenPlan;
  /** For third-party needs: the KV entry holding the provider's token. */
  readonly kvEntry?: KvEntryPlan;
  /**
   * The clock that re-issues the need's token: only for needs that issue one (token-auth
   * consumers). A third-party token is rotated by `tokenwarden procure`/`put`, which own the KV
   * entry's versions; the stack only records the period in the entry's metadata.
   */
  readonly rotation?: RotationPlan;
}

/**
 * The long-lived credential a consumer logs in with, and whether the stack re-issues it:
 *  - `secret-id`: an AppRole consumer's SecretID, issued response-wrapped and re-issued on its
 *    rotation period (the new one is created before the old one is destroyed);
 *  - `token-per-need`: token-auth consumers hold one Vault token per need (each need's rotation);
 *  - `none`: Kubernetes and JWT consumers log in with a credential their platform issues and
 *    expires (a service-account token, a CI OIDC token); the stack holds nothing to rotate.
 */
export type CredentialPlan =
  | {
      readonly kind: "secret-id";
      /** How long the response-wrapped SecretID can be unwrapped. */
      readonly wrappingTtl: Seconds;
      /** `ttl` of the SecretID itself (0: the role's `secret_id_ttl`). */
      readonly ttl: Seconds;
      readonly numUses: number;
      /** SecretID metadata: Vault copies it onto the tokens issued at login, so into audit lines. */
      readonly metadata: Readonly<Record<string, string>>;
      readonly rotation?: RotationPlan;
    }
  | { readonly kind: "token-per-need" }
  | { readonly kind: "none"; readonly reason: string };

export interface ConsumerPlan {
  readonly consumer: string;
  readonly auth: AuthKind;
  readonly owner?: string;
  /** The consumer's one auth role carrying all its needs' policies. */
  readonly role: RolePlan;
  readonly credential: CredentialPlan;
  readonly needs: readonly NeedGrantPlan[];
}

/** A policy plan without its HCL text: what readers of the structured rules alone are given. */
export type PolicyRulesPlan = Omit<PolicyPlan, "hcl">;
/** A need's plan with its policy as rules only ({@link PolicyRulesPlan}). */
export type NeedRulesPlan = Omit<NeedGrantPlan, "policy"> & { readonly policy: PolicyRulesPlan };
/** A consumer's plan with its needs' policies as rules only (`forEachConsumerRules`). */
export type ConsumerRulesPlan = Omit<ConsumerPlan, "needs"> & {
  readonly needs: readonly NeedRulesPlan[];
};

/** An auth mount a consumer's role lives in: created with its configuration, or checked to exist. */
export interface AuthMountPlan {
  readonly kind: LoginAuthKind;
  readonly path: string;
  /** Present when the stack enables the mount; absent: it must already exist. */
  readonly setup?: AuthMountSetup;
}

export interface TokenStorePlan {
  /**
   * KV v2 mount for third-party tokens; absent when no need uses a third-party provider.
   * `create: false`: an existing mount used as it is (checked to exist, never created or removed).
   */
  readonly kvMount?: {
    readonly path: string;
    readonly description: string;
    readonly create: boolean;
  };
  /** The auth mounts the consumers' roles are written into, in the order kinds first appear. */
  readonly authMounts: readonly AuthMountPlan[];
  readonly audit?: { readonly path: string; readonly filePath: string };
}

export interface GrantPlan {
  readonly store: TokenStorePlan;
  readonly consumers: readonly ConsumerPlan[];
}
