/**
 * The one policy input document (DESIGN.md "The policy input document"). Every source — the
 * manifest, a Pulumi preview, CDKTF synth output, a Terraform plan — is normalised into this, so
 * one Rego policy set judges them all. Field names are snake_case because Rego reads them.
 *
 * `source` on every item says where it came from (need name, Pulumi URN, Terraform address) so a
 * finding points at something a person can fix. `unknown` lists fields whose values were not known
 * at preview time: policies report them instead of passing them silently.
 */

export interface InputPathRule {
  path: string;
  capabilities: string[];
}

export interface InputNeed {
  name: string;
  consumer: string;
  provider: string;
  scopes: string[];
  paths: InputPathRule[];
  access: string;
  ttl_seconds: number | null;
  max_ttl_seconds: number | null;
  rotation_seconds: number | null;
  owner: string | null;
  justification: string | null;
  /** Review date YYYY-MM-DD, or null. */
  expires: string | null;
  default_policy: boolean;
  waivers: { rule: string; reason: string; expires: string }[];
  /** Name of the Vault policy the grant plan generates for this need. */
  policy_name: string;
}

export interface InputConsumer {
  name: string;
  owner: string | null;
  auth: string;
  /**
   * The fixed addresses (CIDR blocks) the consumer logs in from, when the manifest declares them:
   * its AppRole SecretIDs and tokens must be bound to them (TW023).
   */
  cidrs?: string[];
}

export interface InputProvider {
  name: string;
  kind: string;
  scopes: string[];
  max_ttl_seconds: number | null;
}

export interface InputPolicy {
  name: string;
  source: string;
  rules: InputPathRule[];
  /** Set when the HCL did not parse: the parser's message with its location. */
  parse_error?: string;
  unknown?: string[];
  /** The need this policy serves, when known (manifest, or matched through the declaration). */
  need?: string;
}

export interface InputToken {
  name: string;
  source: string;
  policies: string[];
  ttl_seconds: number | null;
  explicit_max_ttl_seconds: number | null;
  period_seconds: number | null;
  renewable: boolean;
  no_parent: boolean;
  no_default_policy: boolean;
  meta: Record<string, string>;
  /** The display name as set on the token (null when unset: Vault then shows only "token"). */
  display_name?: string | null;
  /** Uses before the token is revoked; 0 (or absent) means unlimited. */
  num_uses?: number | null;
  unknown?: string[];
  /** The need this token serves, when known (from `meta.need` or the declaration). */
  need?: string;
}

export interface InputRole {
  name: string;
  kind: string;
  source: string;
  token_policies: string[];
  token_ttl_seconds: number | null;
  token_max_ttl_seconds: number | null;
  secret_id_ttl_seconds: number | null;
  // The fields below are what the login-binding and token-shape rules (TW017–TW028) read. They are
  // optional so a document from an older normaliser still loads; absent means "not set".
  /** AppRole: SecretID uses (0 = unlimited). */
  secret_id_num_uses?: number | null;
  /** AppRole: CIDR blocks a SecretID may be used from. */
  secret_id_bound_cidrs?: string[];
  /** Any role: CIDR blocks its tokens may be used from. */
  token_bound_cidrs?: string[];
  /** Kubernetes: service account names and namespaces a login must come from. */
  bound_service_account_names?: string[];
  bound_service_account_namespaces?: string[];
  /** JWT/OIDC: audiences, subject and claims a login token must carry. */
  bound_audiences?: string[];
  bound_subject?: string | null;
  /** Claim → allowed values (Vault's comma-separated string form is split into a list). */
  bound_claims?: Record<string, string[]>;
  /** "string" (exact) or "glob" (`*` matches anything): how bound claim values are compared. */
  bound_claims_type?: string | null;
  /** Token roles: the policies its tokens may carry, exactly and by glob. */
  allowed_policies?: string[];
  allowed_policies_glob?: string[];
  /** Periodic tokens: renewal period and the explicit cap on their life. */
  token_period_seconds?: number | null;
  token_explicit_max_ttl_seconds?: number | null;
  /** "service", "batch", "default", "default-service", "default-batch" (null: not set). */
  token_type?: string | null;
  /** Uses before an issued token is revoked; 0 (or absent) means unlimited. */
  token_num_uses?: number | null;
  /** Token roles: whether its tokens are orphans (not revoked with their parent). */
  orphan?: boolean;
  unknown?: string[];
  /** The consumer this role belongs to, when known. */
  consumer?: string;
}

export interface InputSecret {
  path: string;
  source: string;
  custom_metadata: Record<string, string>;
  /** Names of plain (non-secret) inputs that look like they hold a token value (TW011). */
  plain_token_fields?: string[];
  unknown?: string[];
  /** The need whose token this entry holds, when known (`custom_metadata.need`). */
  need?: string;
}

export interface PolicyInput {
  /** RFC 3339. */
  now: string;
  limits: {
    max_ttl_seconds: number;
    max_rotation_seconds: number;
    max_need_lifetime_seconds: number;
  };
  needs: InputNeed[];
  consumers: InputConsumer[];
  providers: InputProvider[];
  vault: {
    policies: InputPolicy[];
    tokens: InputToken[];
    roles: InputRole[];
    secrets: InputSecret[];
  };
  /** Plain-text config values that look like token values (TW011), with where they were found. */
  plain_values?: { source: string; field: string }[];
  /**
   * False when the input came from resources without an embedded declaration (no needs side):
   * rules that compare grants with declared needs (TW002, TW003, TW010) must not fire then.
   * Absent means true (the manifest always has one).
   */
  has_declaration?: boolean;
}

/** One policy finding, as the Rego rules produce it. */
export interface Finding {
  id: string;
  severity: "deny" | "warn";
  message: string;
  /** Need name, Pulumi URN or Terraform address. */
  source: string;
  remediation: string;
  /** The need the finding concerns, when the rule knows it (for waivers and manifest lines). */
  need?: string;
  /** The need's field at fault (e.g. "ttl", "paths"), for the exact manifest line. */
  field?: string;
}
