/**
 * What an audit review finds, independent of how it is shown (text, JSON, HTML). Times are ISO
 * 8601 strings so the JSON form is the same document the renderers read. Nothing here holds a
 * client token or request data: accessors (HMAC'd or raw, as the device logged them) identify
 * tokens.
 */

export type AnomalyRule = "TW070" | "TW071" | "TW072" | "TW073" | "TW074" | "TW075" | "TW076";

export interface Anomaly {
  readonly rule: AnomalyRule;
  readonly severity: "deny" | "warn";
  readonly need?: string;
  readonly consumer?: string;
  readonly owner?: string;
  readonly message: string;
  readonly count: number;
  readonly first: string;
  readonly last: string;
  readonly path?: string;
  readonly operation?: string;
  readonly remoteAddress?: string;
  readonly token?: string;
}

export interface TokenUsage {
  /** The accessor when known (raw device or sys/audit-hash), else `<device>:hmac-sha256:<prefix>…`. */
  readonly token: string;
  /** How the accessor was learnt: "raw" (a device with hmac_accessor=false), "audit-hash", or "hmac" (not matched). */
  readonly identifiedBy: "raw" | "audit-hash" | "hmac";
  readonly displayName?: string;
  readonly issued?: string;
  readonly uses: number;
  readonly lastUse: string;
}

export interface PathUse {
  readonly path: string;
  readonly capabilities: readonly string[];
  readonly count: number;
}

export interface RuleUsage {
  readonly path: string;
  readonly granted: readonly string[];
  readonly used: readonly string[];
  /** Concrete paths used under this rule (at most a few dozen kept). */
  readonly paths: readonly PathUse[];
  /** More distinct paths were used than are listed. */
  readonly morePaths: boolean;
}

export interface NeedUsage {
  readonly need: string;
  readonly consumer: string;
  readonly owner?: string;
  readonly provider: string;
  readonly access: string;
  /** Review date (the need's `expires`). */
  readonly expires?: string;
  /** Successful uses in the window. */
  readonly uses: number;
  readonly denied: number;
  /** Requests that failed for another reason. */
  readonly failed: number;
  /** Last successful use seen in the logs (may be before the window). */
  readonly lastUse?: string;
  readonly remoteAddresses: readonly string[];
  /** Successful uses per day of the window, oldest first. */
  readonly daily: readonly number[];
  readonly tokens: readonly TokenUsage[];
  readonly rules: readonly RuleUsage[];
  /** Successful uses on paths none of the need's rules grant (e.g. the default policy's). */
  readonly otherPaths: readonly PathUse[];
}

export interface PolicyProposal {
  readonly need: string;
  readonly policy: string;
  readonly currentHcl: string;
  readonly proposedHcl: string;
  /** Unified-diff style change to the need's `paths` in the manifest. */
  readonly manifestDiff: string;
  /** file:line of the need's `paths` in the manifest. */
  readonly location: string;
  /** One line per narrowing: "drop rule …", "capabilities … → …", "path … → …". */
  readonly changes: readonly string[];
}

export interface DeviceSummary {
  readonly name: string;
  readonly files: readonly string[];
  readonly entries: number;
  /** How accessors appear in this device's log. */
  readonly accessors: "hmac" | "raw" | "mixed" | "none";
}

export interface AuditReport {
  readonly manifest: string;
  readonly window: { readonly since: string; readonly until: string; readonly days: number };
  readonly devices: readonly DeviceSummary[];
  /** How HMAC'd accessors were matched to tokens, in a sentence per device. */
  readonly accessorMatching: readonly string[];
  readonly stats: {
    readonly lines: number;
    readonly requests: number;
    readonly responses: number;
    readonly duplicates: number;
    readonly requestsWithoutResponse: number;
    readonly responsesWithoutRequest: number;
    readonly inWindow: number;
    readonly unattributed: number;
  };
  readonly problems: {
    readonly count: number;
    readonly kinds: Readonly<Record<string, number>>;
    readonly examples: readonly { file: string; line: number; problem: string }[];
  };
  readonly needs: readonly NeedUsage[];
  /** Needs never used in the window: revocation candidates. */
  readonly unused: readonly string[];
  readonly proposals: readonly PolicyProposal[];
  readonly anomalies: readonly Anomaly[];
  /** Requests by tokens no need accounts for, by display name (top 20). */
  readonly otherTokens: readonly { displayName: string; requests: number }[];
}
