/**
 * What a procurement run reports, per need. Rule ids TW040–TW046 (metadata in report/rules.ts).
 * Messages name the need, provider, versions and scopes — never a token or a credential.
 */
export const PROCURE_RULES = {
  /** The provider granted scopes the need did not ask for: the token was revoked, stored nowhere. */
  excessScopes: "TW040",
  /** The provider granted fewer scopes than asked: stored, but consumers may fail. */
  missingScopes: "TW041",
  /** The token response had no expires_in: expiry unknown, rotation follows the period only. */
  noExpiry: "TW042",
  /** A token request, revocation or Vault write failed: the current token is untouched. */
  failed: "TW043",
  /** A replaced token could not be revoked at the provider (no revocation endpoint). */
  notRevocable: "TW044",
  /** A static token is due for rotation: a person must hand off a new one with `put`. */
  handOffDue: "TW045",
  /** A replaced token was retired before its grace period ended, to make room for a new one. */
  graceCutShort: "TW046",
} as const;

export interface ProcureFinding {
  readonly ruleId: string;
  readonly severity: "deny" | "warn";
  readonly message: string;
}

export interface RetiredVersion {
  readonly version: number;
  /**
   * "revoked" at the provider, "not-revocable" (no endpoint / data already gone), "revoke-failed",
   * or "no-token" (a version that never held one, such as the stack's empty placeholder).
   */
  readonly revocation: "revoked" | "not-revocable" | "revoke-failed" | "no-token";
  readonly destroyed: boolean;
  /** Retired before its grace period ended. */
  readonly early: boolean;
}

export type NeedAction =
  /** A new token was requested and stored as the next version. */
  | "procured"
  /** A handed-off token was stored as the next version (`put`). */
  | "stored"
  /** The current token is not due; nothing requested. */
  | "not-due"
  /** The provider's answer was refused (excess scopes); nothing stored. */
  | "rejected"
  /** Something failed; the current token is untouched. */
  | "failed"
  /** Static provider: due, waiting for a person's hand-off. */
  | "hand-off-due";

export interface NeedOutcome {
  readonly need: string;
  readonly provider: string;
  readonly providerKind: string;
  action: NeedAction;
  /** KV path of the entry (mount/data/provider/need). */
  readonly path: string;
  /** The version now current (new or existing). */
  version?: number;
  issued?: string;
  expires?: string;
  rotateAfter?: string;
  scopesGranted?: readonly string[];
  /** Replaced versions revoked/destroyed in this run. */
  readonly retired: RetiredVersion[];
  /** Replaced versions still in their grace period, and when they will be retired. */
  readonly pending: { version: number; retireAfter: string }[];
  /** Things this run repaired after an earlier interrupted one. */
  readonly repaired: string[];
  readonly findings: ProcureFinding[];
  /** Requests made to the provider (token + revocation, retries included). */
  providerRequests: number;
}

export function newOutcome(
  need: string,
  provider: string,
  kind: string,
  path: string,
): NeedOutcome {
  return {
    need,
    provider,
    providerKind: kind,
    action: "not-due",
    path,
    retired: [],
    pending: [],
    repaired: [],
    findings: [],
    providerRequests: 0,
  };
}
