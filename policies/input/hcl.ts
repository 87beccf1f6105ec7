/**
 * Vault policy HCL → path rules, through HashiCorp's own HCL parser (@cdktf/hcl2json, Go compiled
 * to WASM). The WASM module is loaded on first use and kept: loading costs ~150 ms, each parse
 * after that about a millisecond. Text that does not parse becomes a `parse_error` carrying the
 * parser's location — a finding for the policies, never a crash.
 */
import type { InputPathRule } from "./types";

type Hcl2Json = { parse(file: string, text: string): Promise<Record<string, unknown>> };
let parser: Hcl2Json | undefined;

function hcl(): Hcl2Json {
  // Loaded lazily: manifests never need it, and the module starts its WASM on require.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  parser ??= require("@cdktf/hcl2json") as Hcl2Json;
  return parser;
}

export type ParsedPolicy =
  | { readonly ok: true; readonly rules: InputPathRule[] }
  | { readonly ok: false; readonly error: string };

/** Legacy `policy = "read"` shorthand, as Vault expands it. */
const LEGACY: Readonly<Record<string, string[]>> = {
  deny: ["deny"],
  read: ["read", "list"],
  write: ["create", "read", "update", "delete", "list"],
  sudo: ["create", "read", "update", "delete", "list", "sudo"],
};

/** Parses one policy document. `label` names it in error messages (a policy name, URN, address). */
export async function parsePolicyHcl(label: string, text: string): Promise<ParsedPolicy> {
  let doc: Record<string, unknown>;
  try {
    doc = await hcl().parse(label, text);
  } catch (err) {
    return { ok: false, error: describeParseError(label, err) };
  }
  return rulesOf(doc);
}

function rulesOf(doc: Record<string, unknown>): ParsedPolicy {
  const rules: InputPathRule[] = [];
  const paths = doc.path;
  if (paths === undefined) return { ok: true, rules };
  if (typeof paths !== "object" || paths === null || Array.isArray(paths)) {
    return { ok: false, error: '`path` must be a block with a label: path "<path>" { … }' };
  }
  for (const [path, blocks] of Object.entries(paths as Record<string, unknown>)) {
    const list = Array.isArray(blocks) ? blocks : [blocks];
    const caps = new Set<string>();
    for (const block of list) {
      if (typeof block !== "object" || block === null) continue;
      const b = block as Record<string, unknown>;
      if (Array.isArray(b.capabilities)) {
        for (const c of b.capabilities) if (typeof c === "string") caps.add(c);
      } else if (b.capabilities !== undefined) {
        return { ok: false, error: `path "${path}": capabilities must be a list of strings` };
      }
      if (typeof b.policy === "string") for (const c of LEGACY[b.policy] ?? [b.policy]) caps.add(c);
    }
    rules.push({ path, capabilities: [...caps] });
  }
  return { ok: true, rules };
}

/**
 * "parse config: [label:2,18-19: Summary; Detail.]" → "line 2, column 18: Summary; Detail."
 * The label is dropped: the finding already names its source.
 */
function describeParseError(label: string, err: unknown): string {
  const raw = err instanceof Error ? err.message : String(err);
  const inner = /^parse config: \[(.*)\]$/s.exec(raw)?.[1] ?? raw;
  const esc = label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const m = new RegExp(`^${esc}:(\\d+),(\\d+)(?:-\\d+)?: (.*)$`, "s").exec(inner);
  if (m) return `line ${m[1]}, column ${m[2]}: ${m[3].trim()}`;
  return inner.trim();
}
