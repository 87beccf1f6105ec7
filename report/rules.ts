/**
 * Rule metadata for report formats (SARIF's rule descriptors, JUnit test names) of the rules
 * implemented in TypeScript: procurement, drift/lifecycle and audit findings. Rules implemented in
 * Rego (TW001–TW028, and an organisation's) are described by METADATA annotations in their
 * policies (policies/rule-descriptors.ts), which `check` hands to the report as `Report.rules`.
 * Anything else gets a generic descriptor.
 */

export interface RuleInfo {
  readonly id: string;
  /** One line: what the rule checks. */
  readonly title: string;
  /** What the rule checks, in full. */
  readonly description: string;
  /** How to fix what it reports. */
  readonly help: string;
  readonly severity: "deny" | "warn";
  /** SARIF `properties.tags`: e.g. the OWASP Non-Human Identities Top 10 (2025) risk addressed. */
  readonly tags?: readonly string[];
}

const CATALOGUE: readonly RuleInfo[] = [
  // Procurement (tokenwarden procure / put): TW040–TW049.
  {
    id: "TW040",
    title: "Provider granted more scopes than asked",
    description:
      "The token endpoint granted scopes the need did not ask for (its response's `scope`, RFC 6749 §5.1). The token was stored nowhere and revoked at the provider where it supports RFC 7009.",
    help: "Restrict the OAuth client at the provider to the scopes its needs declare (or declare the extra scopes on a need, with a justification), then run procure again.",
    severity: "deny",
  },
  {
    id: "TW041",
    title: "Provider granted fewer scopes than asked",
    description:
      "The token endpoint granted only part of the need's scopes. The token was stored, but the consumer may fail where it needs the missing ones.",
    help: "Allow the OAuth client the missing scopes at the provider, or drop them from the need.",
    severity: "warn",
  },
  {
    id: "TW042",
    title: "Token response without expires_in",
    description:
      "The provider did not say when the token expires, so its expiry is unknown and it is rotated by the need's rotation period only.",
    help: "Keep the need's rotation period within the provider's documented token lifetime.",
    severity: "warn",
  },
  {
    id: "TW043",
    title: "Procurement step failed",
    description:
      "A token request, a revocation or a Vault read/write failed after retries. The current token is untouched; a token that could not be stored was revoked where possible.",
    help: "Read the message for the endpoint and error (invalid_client: check the credentials entry in Vault; 5xx/timeouts: the provider or Vault was unavailable), fix it, and run procure again — a re-run finishes what was left.",
    severity: "deny",
  },
  {
    id: "TW044",
    title: "Replaced token not revoked at the provider",
    description:
      "A replaced token was destroyed in Vault after its grace period, but the provider has no RFC 7009 revocation endpoint (or the version's data was already deleted), so the token itself may still be valid.",
    help: "Revoke the old token in the provider's console, or set the provider's revocationUrl when it offers one.",
    severity: "warn",
  },
  {
    id: "TW045",
    title: "Static token due for a hand-off",
    description:
      "A static provider's token is past its rotation time (or none is stored); tokenwarden cannot fetch it.",
    help: "Create a new token at the provider and hand it off with `tokenwarden put <manifest> <need>` (token on stdin).",
    severity: "warn",
  },
  {
    id: "TW046",
    title: "Grace period cut short",
    description:
      "A new version was due while an older replaced token was still in its grace period; the older one was revoked and destroyed first, because writing the new version would have dropped it from KV (max_versions) without revoking it.",
    help: "Keep each provider's grace shorter than its needs' rotation periods.",
    severity: "warn",
  },
  // Drift and lifecycle (tokenwarden drift / expiry / revoke): TW050–TW069.
  {
    id: "TW050",
    title: "Shadow token",
    description:
      "A live token carries a `tw-` policy, names a need in its metadata, or was created against a declared consumer's token role, without a declared need behind it (`tokenwarden drift`).",
    help: "Find who created it (the audit log has its accessor); declare the need it serves, or revoke it with `tokenwarden revoke --shadow`.",
    severity: "deny",
  },
  {
    id: "TW051",
    title: "Declared token not in Vault",
    description:
      "A need of a token-auth consumer declares a token, but Vault holds no live token issued for it: it expired, was revoked, or was never issued.",
    help: "Run `pulumi up`: it issues the token again.",
    severity: "deny",
  },
  {
    id: "TW052",
    title: "Declared token expired",
    description: "A token issued for a declared need is past its expiry but Vault still lists it.",
    help: "Revoke it with `tokenwarden revoke --expired`, and run `pulumi up` to issue a fresh one.",
    severity: "deny",
  },
  {
    id: "TW053",
    title: "Undeclared tw- policy",
    description: "A policy named `tw-…` is in Vault but no need in the manifest declares it.",
    help: "Declare the need it serves, or delete the policy and revoke the tokens carrying it.",
    severity: "deny",
  },
  {
    id: "TW054",
    title: "Declared policy not in Vault",
    description: "A need's ACL policy is missing from Vault.",
    help: "Run `pulumi up` to write it; remove the need if it was deleted on purpose.",
    severity: "deny",
  },
  {
    id: "TW055",
    title: "Policy rules differ",
    description:
      "A need's ACL policy in Vault grants other paths or capabilities than the manifest declares (compared as parsed HCL, not text).",
    help: "Find out who edited it; `pulumi up` writes the declared rules back. Declare the change if it is needed.",
    severity: "deny",
  },
  {
    id: "TW056",
    title: "Declared role not in Vault",
    description:
      "A consumer's auth role (approle, kubernetes, jwt or token role) is missing from Vault, or its auth mount is not enabled.",
    help: "Run `pulumi up`, and check that the mount in `vault.authMounts` is enabled.",
    severity: "deny",
  },
  {
    id: "TW057",
    title: "Role policies differ",
    description: "A consumer's auth role grants other policies in Vault than its declared needs.",
    help: "`pulumi up` writes the declared policies back; declare a need for any policy the consumer needs.",
    severity: "deny",
  },
  {
    id: "TW058",
    title: "Role TTLs differ",
    description:
      "A consumer's auth role has other token TTLs in Vault than the strictest of its needs' TTLs.",
    help: "`pulumi up` writes the declared TTLs back; change the needs' ttl/maxTtl if they must differ.",
    severity: "deny",
  },
  {
    id: "TW059",
    title: "Undeclared role with tw- policies",
    description: "An auth role that no consumer declares grants `tw-` policies.",
    help: "Declare the consumer and its needs, or delete the role.",
    severity: "deny",
  },
  {
    id: "TW060",
    title: "Declared KV entry not in Vault",
    description: "The KV v2 entry that should hold a third-party need's token is missing.",
    help: "Run `pulumi up` with the token in `tokenwarden:thirdPartyTokens`, or procure it again.",
    severity: "deny",
  },
  {
    id: "TW061",
    title: "KV entry overdue for rotation",
    description:
      "A third-party token's KV entry is past its `next_rotation` (or its last write plus `rotation_period`).",
    help: "Procure a new token and run `pulumi up`; it is written as the entry's next version.",
    severity: "warn",
  },
  {
    id: "TW062",
    title: "Need past its review date",
    description: "A need's review date (`expires`) has passed while its grants are still live.",
    help: "Review the need and extend `expires`, or remove it and revoke its grants with `tokenwarden revoke --lapsed`.",
    severity: "deny",
  },
  {
    id: "TW063",
    title: "Undeclared managed KV entry",
    description: "A KV entry marked `managed_by=tokenwarden` is in Vault but no need declares it.",
    help: "Declare the need, or destroy the entry and revoke the token at its provider.",
    severity: "warn",
  },
  {
    id: "TW064",
    title: "Declared token's policies differ",
    description: "A token issued for a declared need carries other policies than the need's grant.",
    help: "Revoke it and let `pulumi up` issue it again from the manifest.",
    severity: "deny",
  },
  {
    id: "TW065",
    title: "KV metadata differs",
    description:
      "A KV entry's custom metadata (owner, consumer, need, scopes, rotation period, review date) differs from its need.",
    help: "`pulumi up` writes the declared metadata back.",
    severity: "warn",
  },
  {
    id: "TW066",
    title: "Declared token overdue for rotation",
    description: "A token issued for a declared need is past the `next_rotation` in its metadata.",
    help: "Run `pulumi up` (it refreshes first): the rotation clock re-issues the token.",
    severity: "warn",
  },
  // Audit review (tokenwarden audit): TW070–TW089.
  {
    id: "TW070",
    title: "Request denied",
    description:
      "Vault refused a request of a need's token (HTTP 403 permission denied): the consumer tries something its grant does not allow.",
    help: "Find out what the consumer needs: declare it (with justification) or fix the consumer; repeated denials can be probing.",
    severity: "warn",
  },
  {
    id: "TW071",
    title: "Need used from a new remote address",
    description:
      "A need's token was used from a remote address not seen in its first day (and first 10 uses) in the logs.",
    help: "Confirm the new address belongs to the consumer (a new host or pod network); if not, revoke the token.",
    severity: "warn",
  },
  {
    id: "TW072",
    title: "Token used after rotation",
    description:
      "An older token of a need was still used more than the grace period after a newer token of the same need appeared.",
    help: "Move the consumer to the current credential, then revoke the old token (`tokenwarden revoke`).",
    severity: "deny",
  },
  {
    id: "TW073",
    title: "Need used after its review date",
    description: "A need was used after its review date (`expires`) passed.",
    help: "Review the need and extend `expires` with a justification, or revoke its grant.",
    severity: "deny",
  },
  {
    id: "TW074",
    title: "Root token used",
    description: "A token with the root policy made requests.",
    help: "Use root tokens only for break-glass; revoke it (`vault token revoke -accessor`) and do the work through a declared need.",
    severity: "deny",
  },
  {
    id: "TW075",
    title: "Grant not used in the window",
    description: "A need's grant was never used in the audit window: a revocation candidate.",
    help: "Confirm with the owner, then remove the need from the manifest (its policy, role and tokens go with it).",
    severity: "warn",
  },
  {
    id: "TW076",
    title: "Grant wider than its use",
    description:
      "A need used fewer paths or capabilities than it is granted; a narrower policy is proposed from the use.",
    help: "Apply the proposed `paths` change to the manifest after checking rarely used operations outside the window.",
    severity: "warn",
  },
];

const BY_ID = new Map(CATALOGUE.map((r) => [r.id, r]));

export function ruleInfo(id: string, severity: "deny" | "warn" = "deny"): RuleInfo {
  return (
    BY_ID.get(id) ?? {
      id,
      title: `Organisation rule ${id}`,
      description: `A rule from the organisation's own policies (${id}).`,
      help: "See the organisation's policy documentation for this rule.",
      severity,
    }
  );
}

export function catalogue(): readonly RuleInfo[] {
  return [...BY_ID.values()];
}
