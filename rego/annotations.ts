/**
 * METADATA annotations as OPA reads them: a comment block whose first line is `# METADATA`
 * (every line starting in column 1) holds YAML describing the statement that follows it, a
 * package or a rule. Scopes: `rule` (default before a rule), `document` (every definition of the
 * rule), `package` (default before the package), `subpackages` (the package and those below).
 */
import type { Annotation, AnnotationScope, Loc, Module, Rule } from "./ast";
import { regoError } from "./errors";
import type { Comment } from "./lexer";
import { RObject, fromJS, type Value } from "./value";

const SCOPES = new Set<AnnotationScope>(["rule", "document", "package", "subpackages"]);

/** Attach each METADATA block of the module's comments to the statement after it. */
export function attachAnnotations(mod: Module, comments: readonly Comment[]): void {
  const blocks = metadataBlocks(comments);
  if (blocks.length === 0) return;
  const out: Annotation[] = [];
  for (const b of blocks) {
    const loc: Loc = { file: mod.file, row: b.row, col: 1 };
    const doc = parseYAML(b.yaml, loc);
    // the statement that follows the block: the package, or the first rule after it
    const rule: Rule | undefined =
      b.endRow < mod.packageLoc.row ? undefined : mod.rules.find((r) => r.loc.row > b.endRow);
    const declared = doc.scope;
    if (declared !== undefined && !SCOPES.has(declared as AnnotationScope))
      throw regoError("rego_parse_error", `invalid annotation scope '${String(declared)}'`, loc);
    const scope = (declared as AnnotationScope | undefined) ?? (rule ? "rule" : "package");
    if (!rule && (scope === "rule" || scope === "document"))
      throw regoError(
        "rego_parse_error",
        `annotation scope '${scope}' must be applied to rule (have package)`,
        loc,
      );
    if (rule && (scope === "package" || scope === "subpackages"))
      throw regoError(
        "rego_parse_error",
        `annotation scope '${scope}' must be applied to package`,
        loc,
      );
    out.push({ scope, rule, value: toOPAShape(scope, doc, loc), loc });
  }
  mod.annotations = out;
}

interface Block {
  row: number;
  endRow: number;
  yaml: string;
}

function metadataBlocks(comments: readonly Comment[]): Block[] {
  const blocks: Block[] = [];
  for (let i = 0; i < comments.length; i++) {
    const c = comments[i];
    if (c.col !== 1 || c.text.trim() !== "METADATA") continue;
    const lines: string[] = [];
    let end = c.row;
    let j = i + 1;
    while (j < comments.length && comments[j].row === end + 1 && comments[j].col === 1) {
      const t = comments[j].text;
      lines.push(t.startsWith(" ") ? t.slice(1) : t);
      end = comments[j].row;
      j++;
    }
    blocks.push({ row: c.row, endRow: end, yaml: lines.join("\n") });
    i = j - 1;
  }
  return blocks;
}

function parseYAML(text: string, loc: Loc): Record<string, unknown> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const yaml = require("js-yaml") as typeof import("js-yaml");
  let doc: unknown;
  try {
    doc = yaml.load(text);
  } catch (err) {
    const msg = String(err instanceof Error ? err.message : err).split("\n")[0];
    throw regoError("rego_parse_error", `yaml: ${msg}`, loc);
  }
  if (doc === undefined || doc === null) return {};
  if (typeof doc !== "object" || Array.isArray(doc))
    throw regoError("rego_parse_error", "yaml: METADATA must be a mapping", loc);
  return doc as Record<string, unknown>;
}

/** OPA's JSON of an annotation: authors and related resources as objects, schema paths as refs. */
function toOPAShape(scope: AnnotationScope, doc: Record<string, unknown>, loc: Loc): Value {
  const o: Record<string, unknown> = { scope };
  for (const [k, v] of Object.entries(doc)) {
    switch (k) {
      case "scope":
        break;
      case "title":
      case "description":
        if (typeof v !== "string")
          throw regoError("rego_parse_error", `invalid ${k}: must be a string`, loc);
        o[k] = v;
        break;
      case "entrypoint":
        if (typeof v !== "boolean")
          throw regoError("rego_parse_error", "invalid entrypoint: must be a boolean", loc);
        o[k] = v;
        break;
      case "organizations":
        o[k] = list(v, k, loc).map((x) => String(x));
        break;
      case "authors":
        o[k] = list(v, k, loc).map((a) => author(a, loc));
        break;
      case "related_resources":
        o[k] = list(v, k, loc).map((r) =>
          typeof r === "string" ? { ref: r } : (r as Record<string, unknown>),
        );
        break;
      case "schemas":
        o[k] = list(v, k, loc).map((s) => schemaEntry(s, loc));
        break;
      case "custom":
        if (typeof v !== "object" || v === null || Array.isArray(v))
          throw regoError("rego_parse_error", "invalid custom: must be a mapping", loc);
        o[k] = v;
        break;
      default:
        // OPA keeps unknown top-level keys out of the annotation; they are not errors
        break;
    }
  }
  return fromJS(o);
}

function list(v: unknown, field: string, loc: Loc): unknown[] {
  if (!Array.isArray(v))
    throw regoError("rego_parse_error", `invalid ${field}: must be a list`, loc);
  return v;
}

function author(a: unknown, loc: Loc): Record<string, string> {
  if (typeof a === "object" && a !== null && !Array.isArray(a)) {
    const r = a as Record<string, unknown>;
    const out: Record<string, string> = {};
    if (typeof r.name === "string") out.name = r.name;
    if (typeof r.email === "string") out.email = r.email;
    if (!out.name && !out.email)
      throw regoError("rego_parse_error", "invalid authors: an author needs a name or email", loc);
    return out;
  }
  if (typeof a !== "string")
    throw regoError("rego_parse_error", "invalid authors: must be strings or mappings", loc);
  // "Jane Doe <jane@example.com>": the last word in angle brackets is the email
  const m = /^(.*?)\s*<([^<>\s]+)>\s*$/.exec(a.trim());
  if (m) return m[1] ? { name: m[1], email: m[2] } : { email: m[2] };
  return { name: a.trim() };
}

function refParts(path: string): { type: string; value: string }[] {
  const parts = path.split(".");
  return parts.map((p, i) => ({ type: i === 0 ? "var" : "string", value: p }));
}

function schemaEntry(s: unknown, loc: Loc): Record<string, unknown> {
  if (typeof s !== "object" || s === null || Array.isArray(s))
    throw regoError("rego_parse_error", "invalid schemas: each entry must be a mapping", loc);
  const entries = Object.entries(s as Record<string, unknown>);
  if (entries.length !== 1)
    throw regoError("rego_parse_error", "invalid schemas: one path per entry", loc);
  const [path, target] = entries[0];
  const out: Record<string, unknown> = { path: refParts(path) };
  if (typeof target === "string") out.schema = refParts(target);
  else out.definition = target;
  return out;
}

// ---------------------------------------------------------------------------------------------
// rego.metadata.rule() / rego.metadata.chain() values, computed once per rule at compile time

export interface RuleMetadata {
  readonly rule: Value;
  readonly chain: Value;
}

export const NO_METADATA: RuleMetadata = { rule: new RObject(), chain: [] };

export function ruleMetadata(modules: readonly Module[], mod: Module, rule: Rule): RuleMetadata {
  const ruleName = (rule.head.ref[0] as { name: string }).name;
  const rulePath = [...mod.packagePath, ...staticHead(rule)];
  const own = mod.annotations?.find((a) => a.scope === "rule" && a.rule === rule);
  const docs: Annotation[] = [];
  const pkgs = new Map<string, Annotation[]>();
  for (const m of modules) {
    for (const a of m.annotations ?? []) {
      if (a.scope === "document" && a.rule) {
        const p = [...m.packagePath, ...staticHead(a.rule)];
        if (
          p.join(".") === rulePath.join(".") &&
          (a.rule.head.ref[0] as { name: string }).name === ruleName
        )
          docs.push(a);
      } else if (a.scope === "package" || a.scope === "subpackages") {
        const key = m.packagePath.join(".");
        const list = pkgs.get(key) ?? [];
        list.push(a);
        pkgs.set(key, list);
      }
    }
  }
  const chain: Value[] = [];
  const entry = (path: string[], ann?: Annotation): RObject => {
    const o = new RObject();
    if (ann) o.set("annotations", ann.value);
    o.set("path", path);
    return o;
  };
  chain.push(entry(rulePath, own ?? docs[0]));
  if (own && docs[0]) chain.push(entry(rulePath, docs[0]));
  for (let n = mod.packagePath.length; n >= 1; n--) {
    const p = mod.packagePath.slice(0, n);
    for (const a of pkgs.get(p.join(".")) ?? []) {
      // package scope applies to its own package only; subpackages to it and below
      if (a.scope === "package" && n !== mod.packagePath.length) continue;
      chain.push(entry(p, a));
    }
  }
  return { rule: own?.value ?? new RObject(), chain };
}

function staticHead(rule: Rule): string[] {
  const out = [(rule.head.ref[0] as { name: string }).name];
  for (let i = 1; i < rule.head.ref.length; i++) {
    const t = rule.head.ref[i];
    if (t.kind === "scalar" && typeof t.value === "string") out.push(t.value);
    else break;
  }
  return out;
}
