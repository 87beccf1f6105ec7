/**
 * What a scan of a live Vault saw, normalised from Vault's answers: tokens (by accessor, never by
 * id), ACL policies, auth roles, KV entries' metadata — and exactly what it could not read. Nothing
 * here ever holds a token id or a stored secret value: KV data is never read, and lookup answers
 * are copied field by field.
 */

export type Seconds = number;

export interface LiveToken {
  readonly accessor: string;
  readonly policies: readonly string[];
  /** Token metadata (`meta`); {} when the token has none. */
  readonly meta: Readonly<Record<string, string>>;
  readonly displayName: string;
  /** The auth path that created it: `auth/token/create`, `auth/approle/login`, … */
  readonly path: string;
  /** Token role it was created against (`auth/token/create/<role>`), if any. */
  readonly role?: string;
  /** Seconds since the epoch. */
  readonly creationTime: number;
  /** RFC 3339, when Vault says. */
  readonly issueTime?: string;
  /** RFC 3339; undefined for a token that never expires (root, or TTL 0). */
  readonly expireTime?: string;
  readonly ttl: Seconds;
  readonly creationTtl: Seconds;
  readonly explicitMaxTtl: Seconds;
  readonly period: Seconds;
  readonly orphan: boolean;
  readonly renewable: boolean;
  readonly type?: string;
}

export interface LivePolicy {
  readonly name: string;
  /** The policy text; undefined when it could not be read (then named in `unread`). */
  readonly hcl?: string;
}

export type RoleKind = "approle" | "kubernetes" | "jwt" | "token";

export interface LiveRole {
  readonly kind: RoleKind;
  /** Auth mount path ("token" for token roles). */
  readonly mount: string;
  readonly name: string;
  /** Policies its tokens get: `token_policies` (or `allowed_policies` for token roles), sorted. */
  readonly policies: readonly string[];
  /** `token_ttl`; undefined for token roles, which have none. */
  readonly ttl?: Seconds;
  /** `token_max_ttl`, or `token_explicit_max_ttl` for token roles. */
  readonly maxTtl?: Seconds;
}

export interface LiveKvEntry {
  readonly mount: string;
  /** Path within the mount, e.g. "stripe/billing-stripe-charges". */
  readonly path: string;
  readonly customMetadata: Readonly<Record<string, string>>;
  readonly currentVersion: number;
  /** RFC 3339 creation time of the current version: when the value was last written. */
  readonly lastWritten?: string;
}

/** Something the scan could not read, named exactly (method, API path, Vault's answer). */
export interface Unread {
  /** What is missing from the picture, in words: "the token list", "ACL policy tw-x". */
  readonly what: string;
  /** e.g. "LIST auth/token/accessors/" or "POST auth/token/lookup-accessor (accessor a1)". */
  readonly request: string;
  /** HTTP status, 0 when Vault could not be reached. */
  readonly status: number;
  readonly why: string;
}

export interface LiveState {
  readonly address: string;
  /** When the scan ran (ms since the epoch, from the command's clock). */
  readonly scannedAt: number;
  /** Undefined when the token list could not be read (see `unread`). */
  readonly tokens?: readonly LiveToken[];
  readonly policies?: readonly LivePolicy[];
  readonly roles: readonly LiveRole[];
  readonly kvMount: string;
  readonly kvEntries?: readonly LiveKvEntry[];
  readonly unread: readonly Unread[];
  /**
   * Lists read only in part (some lookups or sub-folders failed): absence from them proves
   * nothing, so nothing may be reported missing on their account.
   */
  readonly partial: {
    readonly tokens: boolean;
    readonly kv: boolean;
    /** `<mount>/<role>` of roles listed but not read. */
    readonly roles: readonly string[];
  };
  /** HTTP requests the scan sent (for progress and measurement). */
  readonly requests: number;
}
