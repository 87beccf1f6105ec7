/**
 * The rule catalogue as data: what each rule id means, for reports (SARIF rule metadata, docs).
 * Kept beside the oracle because both are the rules' TypeScript face; the Rego is the source of
 * the findings themselves.
 */

export interface RuleInfo {
  readonly id: string;
  /** "warn→deny" rules report warn normally and deny in the case the description names. */
  readonly severity: "deny" | "warn" | "warn→deny";
  readonly title: string;
  readonly description: string;
  readonly help: string;
}

export const RULES: readonly RuleInfo[] = [
  {
    id: "TW001",
    severity: "deny",
    title: "Policy wildcard too wide",
    description:
      "A policy path has a wildcard (`*` or `+`) at a mount root or above (`*`, `secret/*`, `secret/data/*`, `secret/data/+/x`), reaching every secret under it.",
    help: "Name the exact paths the need uses, or put the wildcard below an application-specific prefix such as secret/data/<app>/*.",
  },
  {
    id: "TW002",
    severity: "deny",
    title: "Capability beyond the access level",
    description:
      "A policy grants a capability the need's access level does not allow: read → read, list; write → also create, update, patch, delete; admin → also sudo, and sudo only with a justification.",
    help: "Remove the capability, or raise the need's access level (with a justification) if it really needs it.",
  },
  {
    id: "TW003",
    severity: "deny",
    title: "Grant reaches an undeclared path",
    description:
      "A policy reaches a path that its need (or, for a policy no need generated, any declared need) does not cover.",
    help: "Remove the rule from the policy, or declare the path on the need that uses it.",
  },
  {
    id: "TW004",
    severity: "deny",
    title: "TTL missing or too long",
    description:
      "A need, token or auth role has no TTL or max TTL, or one above limits.maxTtl or the provider's own ceiling.",
    help: "Set ttl and maxTtl within limits.maxTtl and the provider's max TTL.",
  },
  {
    id: "TW005",
    severity: "deny",
    title: "Rotation missing or too slow",
    description:
      "A need has no rotation period, one above limits.maxRotation, or a TTL longer than its rotation period.",
    help: "Set rotation within limits.maxRotation and at least as long as the need's ttl.",
  },
  {
    id: "TW006",
    severity: "deny",
    title: "No owner",
    description: "A need or consumer has no owner answerable for its tokens.",
    help: "Set owner to the team or person responsible (an address people can reach).",
  },
  {
    id: "TW007",
    severity: "warn→deny",
    title: "Justification or review date",
    description:
      "A need has no justification, or its review date (expires) is missing, not a calendar date, or beyond limits.maxNeedLifetime (warn); a review date in the past is a deny.",
    help: "Write what the token is for, and set expires to a review date within limits.maxNeedLifetime; renew or remove needs past their review date.",
  },
  {
    id: "TW008",
    severity: "deny",
    title: "root or unrequested default policy",
    description:
      "A token or auth role carries Vault's root policy, or a token carries the default policy although its need did not ask for it (defaultPolicy).",
    help: "Grant only the need's own policy; create tokens with no_default_policy unless the need sets defaultPolicy: true.",
  },
  {
    id: "TW009",
    severity: "warn",
    title: "Orphan or non-renewable long-lived token",
    description:
      "A token is an orphan (no_parent), or is not renewable and lives longer than the long-lived threshold (24h by default).",
    help: "Create tokens with a parent, renewable with a short TTL.",
  },
  {
    id: "TW010",
    severity: "deny",
    title: "Scope not offered or too strong",
    description:
      "A need asks for a scope its provider does not offer (or names an undeclared provider), or a read need asks for a write/admin scope.",
    help: "Use only scopes the provider offers, and only read scopes on read needs.",
  },
  {
    id: "TW011",
    severity: "deny",
    title: "Token value in plain config",
    description:
      "A token value appears in plain (non-secret) configuration or resource inputs, where state files and plan output show it in clear text.",
    help: "Pass the value as a secret (pulumi.secret, `pulumi config set --secret`, a sensitive Terraform variable), or let tokenwarden procure it.",
  },
  {
    id: "TW012",
    severity: "deny",
    title: "Value unknown at preview",
    description:
      "A value the rules judge (TTL, policies, paths, metadata) was unknown at preview, so the rules could not check it.",
    help: "Compute the value from the manifest as a plain value rather than from another resource's output.",
  },
  {
    id: "TW013",
    severity: "deny",
    title: "Policy HCL does not parse",
    description: "A Vault policy's HCL did not parse; none of its rules could be checked.",
    help: "Fix the policy's HCL at the location the parser reports.",
  },
];
