/**
 * Plan values as Terraform literals. In Terraform JSON every string is a template: `${…}` is an
 * interpolation and `%{…}` a directive, and CDKTF writes strings through unchanged. A manifest
 * string such as an owner, a scope or a bound claim must reach Vault exactly as written — and must
 * never be able to reference another value of the configuration (say, a token variable) — so every
 * string taken from the plan is escaped (`$${`, `%%{`) before it is rendered.
 */

/** One string as a literal: Terraform reads `$${` as `${` and `%%{` as `%{`. */
export function terraformLiteral(text: string): string {
  // Replacement functions, not strings: in a replacement string `$$` would itself mean `$`.
  return text.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}

/** The same value with every string in it (keys of maps included) made a literal. */
export function terraformLiterals<T>(value: T): T {
  return escapeDeep(value) as T;
}

function escapeDeep(v: unknown): unknown {
  if (typeof v === "string") return terraformLiteral(v);
  if (Array.isArray(v)) return v.map(escapeDeep);
  if (typeof v === "object" && v !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[terraformLiteral(k)] = escapeDeep(x);
    return out;
  }
  return v;
}
