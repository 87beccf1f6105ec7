/**
 * Rule metadata for report formats (SARIF's rule descriptors, JUnit test names): the catalogue of
 * DESIGN.md plus the two preview rules. Organisation rules get a generic descriptor.
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
  /** SARIF `properties.tags`: the OWASP Non-Human Identities Top 10 (2025) risk addressed. */
  readonly tags?: readonly string[];
}

const CATALOGUE: readonly RuleInfo[] = [
  {
    id: "TW001",
    title: "Policy path wildcard wider than the need allows",
    description:
      "A Vault policy path uses a wildcard (`*` or `+`) at a mount root or above, or is a bare `*`, so it reaches every secret under that mount.",
    help: "Name the exact paths the need uses, or put the wildcard below an application-specific prefix (e.g. secret/data/<app>/*).",
    severity: "deny",
  },
  {
    id: "TW002",
    title: "Capability beyond the need's access level",
    description:
      "A policy grants a capability the need's access level does not allow: `read` allows read/list only; `sudo` only for `admin` needs with a justification.",
    help: "Drop the extra capabilities, or raise the need's access level with a justification that a reviewer accepts.",
    severity: "deny",
  },
  {
    id: "TW003",
    title: "Grant reaches a path no declared need covers",
    description:
      "A policy, role or token reaches a Vault path that no need in the manifest declares.",
    help: "Declare a need for the path (with owner, justification and review date), or remove the grant.",
    severity: "deny",
  },
  {
    id: "TW004",
    title: "TTL or max TTL missing or above the limits",
    description:
      "A need, role or token has no TTL or max TTL, or one above `limits.maxTtl` or the provider's own ceiling.",
    help: "Set `ttl` and `maxTtl` on the need (or in `defaults`) within `limits.maxTtl` and the provider's maximum.",
    severity: "deny",
  },
  {
    id: "TW005",
    title: "Rotation missing or too long",
    description:
      "A need has no rotation period, one above `limits.maxRotation`, or a TTL longer than its rotation period.",
    help: "Set `rotation` within `limits.maxRotation`, and keep the TTL at most the rotation period.",
    severity: "deny",
  },
  {
    id: "TW006",
    title: "No owner",
    description: "A need or consumer has no owner to answer for the token.",
    help: "Add `owner:` with a team or person's address.",
    severity: "deny",
  },
  {
    id: "TW007",
    title: "Justification or review date missing or too far out",
    description:
      "A need has no justification, or its review date (`expires`) is missing or beyond `limits.maxNeedLifetime` (warn); a review date in the past is a deny.",
    help: "Write why the need exists in `justification`, and set `expires` to a review date within the allowed lifetime.",
    severity: "warn",
  },
  {
    id: "TW008",
    title: "`root` policy, or `default` policy not asked for",
    description:
      "A token or role carries the `root` policy, or tokens carry Vault's `default` policy although the need did not ask for it.",
    help: "Remove `root`; set `no_default_policy` (or `defaultPolicy: true` on the need when it really needs `default`).",
    severity: "deny",
  },
  {
    id: "TW009",
    title: "Orphan or non-renewable long-lived token",
    description: "A token is an orphan (`no_parent`) or is long-lived and not renewable.",
    help: "Create tokens with a parent and a short, renewable TTL; rotate instead of issuing long-lived tokens.",
    severity: "warn",
  },
  {
    id: "TW010",
    title: "Scope not offered, or write scope on a read need",
    description:
      "A need asks for scopes its provider does not offer, or for write/admin scopes while its access level is `read`.",
    help: "Use only scopes listed under the provider, and match scopes to the need's access level.",
    severity: "deny",
  },
  {
    id: "TW011",
    title: "Token value in plain configuration",
    description: "A token value appears in plain (non-secret) configuration or resource inputs.",
    help: "Remove the value from configuration; let tokenwarden write it to Vault, or pass it as a secret.",
    severity: "deny",
  },
  {
    id: "TW012",
    title: "Value unknown at preview",
    description:
      "A value the rules judge (TTL, policies, paths) was not known at preview time, so it could not be checked.",
    help: "Compute the value from the manifest as a plain value, or check a plan in which it is known.",
    severity: "deny",
  },
  {
    id: "TW013",
    title: "Policy HCL does not parse",
    description: "A Vault policy document is not valid HCL; its rules could not be checked.",
    help: "Fix the HCL at the reported line and column.",
    severity: "deny",
  },
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

/**
 * TW014–TW028: least privilege that knows Vault (docs/rules.md). Help says why the finding
 * matters and how to fix it.
 */
const LEAST_PRIVILEGE: readonly RuleInfo[] = [
  {
    id: "TW014",
    title: "Grant reaches a path with power over Vault itself",
    description:
      "A policy path (exact, or a `*`/`+` pattern that can reach one) grants a dangerous capability on a path from the escalation catalogue in policies/data.json: ACL policies, token creation and token roles, auth method roles and configuration, identity entities and groups, mounts, lease revocation by prefix, replication, raw storage, seal and root-key operations, namespaces, the plugin catalog. The need is not `access: admin` with a justification.",
    help: "Why: whoever holds such a grant can give itself more access than its need declares (rewrite its own policy, mint tokens, add policies to its own login role). Fix: remove the grant; if the need really administers Vault, declare it `access: admin` with a justification (it is then reported as TW015, a warning).",
    severity: "deny",
    tags: ["OWASP-NHI5:2025"],
  },
  {
    id: "TW015",
    title: "Admin need with power over Vault itself",
    description:
      "An `access: admin` need with a justification is granted a path from the escalation catalogue. Allowed, and reported so a reviewer sees every standing grant of that power.",
    help: "Why: a standing grant over Vault's own controls is the first thing an attacker with the token uses. Fix: keep it only while the justification holds; prefer a short-lived break-glass token, and review it by the need's review date.",
    severity: "warn",
    tags: ["OWASP-NHI5:2025"],
  },
  {
    id: "TW016",
    title: "Grant can tamper with the audit trail",
    description:
      "A grant can enable, disable or re-point an audit device (`sys/audit/*`), change audited request headers (`sys/config/auditing/request-headers/*`) or hash values with an audit device's salt (`sys/audit-hash/*`). Denied whatever the need's access level.",
    help: "Why: the audit log is how every other misuse is found; a token that can switch it off or read its HMACs back erases its own tracks. Fix: remove the grant; operators change audit devices with a break-glass token, outside tokenwarden.",
    severity: "deny",
    tags: ["OWASP-NHI5:2025"],
  },
  {
    id: "TW017",
    title: "Kubernetes role bound to any service account or namespace",
    description:
      "A Kubernetes auth role's `bound_service_account_names` or `bound_service_account_namespaces` is `*` or a glob.",
    help: "Why: any pod running as a matching service account, in any matching namespace, logs in and gets the role's policies. Fix: bind the role to the exact service accounts and namespaces the consumer runs as.",
    severity: "deny",
    tags: ["OWASP-NHI4:2025"],
  },
  {
    id: "TW018",
    title: "JWT/OIDC role pins nothing identifying",
    description:
      "A JWT/OIDC role has no `bound_subject` and its `bound_claims` are empty or pin only claims every token of the issuer carries (`aud`, `iss`, timing claims).",
    help: "Why: any token the issuer mints for that audience logs in, whichever workload it was minted for. Fix: bind the claims that name the workload (sub, or repository and ref/environment for CI).",
    severity: "deny",
    tags: ["OWASP-NHI4:2025"],
  },
  {
    id: "TW019",
    title: "JWT/OIDC bound claim matched as a glob with a wildcard",
    description:
      "A JWT/OIDC role has `bound_claims_type: glob` and a bound claim value containing `*`.",
    help: "Why: every claim value of that shape logs in, including repositories, branches or jobs created later by anyone who can create them. Fix: list exact values (`bound_claims_type: string`), or keep a narrow glob a reviewer accepts under a waiver.",
    severity: "deny",
    tags: ["OWASP-NHI4:2025"],
  },
  {
    id: "TW020",
    title: "GitHub-style subject without repository and ref/environment",
    description:
      "A JWT/OIDC role looks at GitHub Actions claims (`repository*`, `workflow*`, or a `repo:` subject) but does not pin both the repository and the ref or environment.",
    help: "Why: without the repository, other repositories' workflows log in; without the ref or environment, any branch (a pull request's included) does. Fix: bind `repository` and `ref` or `environment`, or a subject `repo:<org>/<repo>:ref:<ref>`.",
    severity: "deny",
    tags: ["OWASP-NHI4:2025", "OWASP-NHI8:2025"],
  },
  {
    id: "TW021",
    title: "AppRole SecretIDs never expire",
    description: "An AppRole role has no `secret_id_ttl`, so its SecretIDs live for ever.",
    help: "Why: a SecretID is a long-lived login credential; one that never expires keeps working wherever it was copied. Fix: set `secret_id_ttl` (the consumer's `approle.secretIdTtl`) to at most its rotation period.",
    severity: "deny",
    tags: ["OWASP-NHI7:2025"],
  },
  {
    id: "TW022",
    title: "AppRole SecretIDs with unlimited uses from any address",
    description:
      "An AppRole role issues SecretIDs with `secret_id_num_uses` 0 (unlimited) and no `secret_id_bound_cidrs`.",
    help: "Why: a copied SecretID logs in from anywhere, any number of times, until it expires. Fix: set `secret_id_num_uses` (`approle.secretIdNumUses`) to the logins one SecretID needs, or bind SecretIDs to the consumer's addresses.",
    severity: "warn",
    tags: ["OWASP-NHI2:2025"],
  },
  {
    id: "TW023",
    title: "Consumer with fixed addresses, credentials not bound to them",
    description:
      "A consumer declares the addresses it logs in from (`cidrs`), but its AppRole role has no `secret_id_bound_cidrs` (or its token role no `token_bound_cidrs`).",
    help: "Why: a credential that only ever comes from known addresses should not work from any other. Fix: bind the role to the consumer's CIDR blocks.",
    severity: "deny",
    tags: ["OWASP-NHI4:2025"],
  },
  {
    id: "TW024",
    title: "Token role allows policies nobody listed",
    description:
      "A token role has no `allowed_policies` (tokens may carry any policy of their creator), allows policies by a `*` glob, or allows a policy that no need of its consumer generates.",
    help: "Why: tokens created against the role can carry more than the consumer's declared needs. Fix: list exactly the needs' own policies in `allowed_policies`.",
    severity: "deny",
    tags: ["OWASP-NHI5:2025"],
  },
  {
    id: "TW025",
    title: "Periodic token without an explicit max TTL",
    description:
      "A token has a `period`, or a role issues tokens with a `token_period`, and no explicit max TTL.",
    help: "Why: a periodic token renewed on time never expires. Fix: set an explicit max TTL within `limits.maxTtl`, or drop the period.",
    severity: "deny",
    tags: ["OWASP-NHI7:2025"],
  },
  {
    id: "TW026",
    title: "Batch tokens where they cannot be controlled",
    description:
      "A role issues batch tokens that are periodic, orphans (token roles), or live longer than the long-lived threshold (1d by default).",
    help: "Why: batch tokens have no accessor and cannot be renewed or revoked one by one; an orphan or long-lived one stays valid whatever happens. Fix: issue service tokens there, or short-lived batch tokens with a parent.",
    severity: "deny",
    tags: ["OWASP-NHI1:2025"],
  },
  {
    id: "TW027",
    title: "Bootstrap token with unlimited uses",
    description:
      "A token that can mint credentials (its policy reaches token creation or AppRole SecretID generation, or its metadata says `purpose=bootstrap`) has `num_uses` 0.",
    help: "Why: a bootstrap token is meant to be used once to hand out credentials; with unlimited uses, a copy keeps minting them. Fix: set `num_uses` to the uses bootstrapping takes, a short TTL, and deliver it response-wrapped.",
    severity: "deny",
    tags: ["OWASP-NHI2:2025"],
  },
  {
    id: "TW028",
    title: "Token whose audit lines cannot be tied to a need",
    description:
      "A token has no `display_name`, no `need` in its metadata, or names a need that is not declared.",
    help: "Why: Vault copies the display name and metadata into every audit line; without them a use cannot be traced to a declared need and owner, so unused or misused tokens go unnoticed. Fix: set display_name and meta need (with consumer and owner) to the need the token serves.",
    severity: "warn",
    tags: ["OWASP-NHI1:2025"],
  },
];

/** The OWASP NHI Top 10 (2025) risk each rule of the original catalogue addresses. */
const NHI_TAGS: Readonly<Record<string, readonly string[]>> = {
  TW001: ["OWASP-NHI5:2025"],
  TW002: ["OWASP-NHI5:2025"],
  TW003: ["OWASP-NHI5:2025"],
  TW004: ["OWASP-NHI7:2025"],
  TW005: ["OWASP-NHI7:2025"],
  TW006: ["OWASP-NHI1:2025"],
  TW007: ["OWASP-NHI1:2025"],
  TW008: ["OWASP-NHI5:2025"],
  TW009: ["OWASP-NHI7:2025"],
  TW010: ["OWASP-NHI5:2025"],
  TW011: ["OWASP-NHI2:2025"],
};

const BY_ID = new Map(
  [...CATALOGUE, ...LEAST_PRIVILEGE].map((r) => [
    r.id,
    r.tags || !NHI_TAGS[r.id] ? r : { ...r, tags: NHI_TAGS[r.id] },
  ]),
);

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
