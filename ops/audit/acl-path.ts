/**
 * Vault ACL path patterns, as the policy language defines them: a path is exact unless it ends in
 * `*` (a prefix match), and `+` stands for exactly one path segment. When several rules match,
 * Vault applies the most specific one; the review asks the same question — which granted rule did
 * this request use — so it uses the same order.
 */

export interface CompiledPattern {
  readonly pattern: string;
  readonly test: (path: string) => boolean;
  /** Larger is more specific. */
  readonly specificity: number;
}

export function compilePattern(pattern: string): CompiledPattern {
  const glob = pattern.endsWith("*");
  const body = glob ? pattern.slice(0, -1) : pattern;
  const plus = body.includes("+");
  let test: (path: string) => boolean;
  if (!plus) test = glob ? (p) => p.startsWith(body) : (p) => p === body;
  else {
    const re = new RegExp(
      "^" +
        body
          .split("+")
          .map((s) => s.replace(/[.*?^${}()|[\]\\]/g, "\\$&"))
          .join("[^/]+") +
        (glob ? "" : "$"),
    );
    test = (p) => re.test(p);
  }
  // Exact beats `+`, which beats a prefix glob; longer literal text beats shorter.
  const literal = body.replace(/\+/g, "").length;
  const specificity = (glob ? 0 : plus ? 1 : 2) * 100_000 + literal;
  return { pattern, test, specificity };
}

/** Index of the most specific pattern matching `path`, or -1. */
export function bestMatch(patterns: readonly CompiledPattern[], path: string): number {
  let best = -1;
  for (let i = 0; i < patterns.length; i++) {
    if (!patterns[i].test(path)) continue;
    if (best === -1 || patterns[i].specificity > patterns[best].specificity) best = i;
  }
  return best;
}

/** Whether the pattern has a wildcard, i.e. stands for more than one path. */
export function isWildcard(pattern: string): boolean {
  return pattern.endsWith("*") || pattern.includes("+");
}

/**
 * The capability a request needs, from the operation Vault logs. Operations that are not
 * capabilities (help, renew, revoke, rollback, …) return undefined.
 */
export function capabilityOf(operation: string): string | undefined {
  switch (operation) {
    case "create":
    case "read":
    case "update":
    case "delete":
    case "list":
    case "patch":
      return operation;
    default:
      return undefined;
  }
}
