/**
 * Whether a live ACL policy says what the declaration says. Compared as parsed rules (path →
 * capabilities), not text: Vault keeps a policy's text as written, so formatting, comments, block
 * order or a repeated path block are no difference; a changed capability or path is.
 */
import type { PolicyRule } from "../../model";

export interface RulesLike {
  readonly path: string;
  readonly capabilities: readonly string[];
}

function byPath(rules: readonly RulesLike[]): Map<string, Set<string>> {
  const m = new Map<string, Set<string>>();
  for (const r of rules) {
    const caps = m.get(r.path) ?? new Set<string>();
    for (const c of r.capabilities) caps.add(c);
    m.set(r.path, caps);
  }
  return m;
}

function fmt(caps: Set<string> | undefined): string {
  return `[${[...(caps ?? [])].sort().join(", ")}]`;
}

/** Differences in reading order ("path x: Vault [read, list], declared [read]"); [] when equal. */
export function policyDifferences(
  declared: readonly PolicyRule[],
  live: readonly RulesLike[],
): string[] {
  const want = byPath(declared);
  const have = byPath(live);
  const out: string[] = [];
  for (const [path, caps] of want) {
    const got = have.get(path);
    if (!got) out.push(`path "${path}" missing in Vault (declared ${fmt(caps)})`);
    else if (got.size !== caps.size || [...caps].some((c) => !got.has(c)))
      out.push(`path "${path}": Vault ${fmt(got)}, declared ${fmt(caps)}`);
  }
  for (const [path, caps] of have) {
    if (!want.has(path)) out.push(`path "${path}" ${fmt(caps)} in Vault is not declared`);
  }
  return out;
}

/** Cheap first test: the same text up to whitespace needs no parse. */
export function sameText(a: string, b: string): boolean {
  const norm = (s: string) => s.replace(/\s+/g, " ").trim();
  return norm(a) === norm(b);
}
