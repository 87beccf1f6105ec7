/**
 * The provider-neutral grant plan: every Vault object a manifest requires, fully decided.
 * Pulumi components and CDKTF constructs only *render* this; neither decides anything itself.
 * All values are plain (never unknown at preview), so policies always see them.
 */
import type { AccessLevel, AuthKind, Capability, Seconds } from "./types";

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
  readonly ttl: Seconds;
  readonly explicitMaxTtl: Seconds;
  readonly renewable: boolean;
  readonly noParent: boolean;
  readonly noDefaultPolicy: boolean;
  /** Token role the token is created against, if any. */
  readonly roleName?: string;
  readonly meta: TokenMeta;
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
   * managed_by = "tokenwarden". `next_rotation` is NOT here: it is only known from the rotation
   * resource (time_rotating / time.Rotating), so the renderers add it.
   */
  readonly customMetadata: Readonly<Record<string, string>>;
  readonly maxVersions: number;
}

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
/** A token role (`auth/token/roles/<name>`): for token-auth consumers. */
export interface TokenRolePlan extends RolePlanBase {
  readonly kind: "token";
  readonly allowedPolicies: readonly string[];
  readonly renewable: boolean;
  readonly orphan: boolean;
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
  readonly rotation?: RotationPlan;
}

export interface ConsumerPlan {
  readonly consumer: string;
  readonly auth: AuthKind;
  readonly owner?: string;
  /** The consumer's one auth role carrying all its needs' policies. */
  readonly role: RolePlan;
  readonly needs: readonly NeedGrantPlan[];
}

export interface TokenStorePlan {
  /** KV v2 mount for third-party tokens; absent when no need uses a third-party provider. */
  readonly kvMount?: { readonly path: string; readonly description: string };
  readonly audit?: { readonly path: string; readonly filePath: string };
}

export interface GrantPlan {
  readonly store: TokenStorePlan;
  readonly consumers: readonly ConsumerPlan[];
}
