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
  return CATALOGUE;
}
