/** The Rego syntax tree produced by the parser and rewritten (resolved, reordered) by the compiler. */
import type { Value } from "./value";

export interface Loc {
  readonly file: string;
  readonly row: number;
  readonly col: number;
}

export type Term =
  | { kind: "scalar"; value: Value; loc: Loc }
  | { kind: "var"; name: string; loc: Loc }
  /** terms[0] is the head (a var such as data/input/x, or any term such as a call or literal). */
  | { kind: "ref"; terms: Term[]; loc: Loc }
  | { kind: "array"; items: Term[]; loc: Loc }
  | { kind: "set"; items: Term[]; loc: Loc }
  | { kind: "object"; items: [Term, Term][]; loc: Loc }
  /** fn is the dotted function name as written, resolved by the compiler (e.g. "data.p.f", "count"). */
  | { kind: "call"; fn: string; args: Term[]; loc: Loc }
  | { kind: "arraycomp"; head: Term; body: Expr[]; loc: Loc }
  | { kind: "setcomp"; head: Term; body: Expr[]; loc: Loc }
  | { kind: "objcomp"; key: Term; value: Term; body: Expr[]; loc: Loc };

export interface With {
  /** Target as a ref/var term: input…, data…, or a function/built-in name. */
  target: Term;
  value: Term;
  loc: Loc;
}

export type ExprBody =
  | { kind: "term"; term: Term }
  | { kind: "some"; vars: string[] }
  | { kind: "somein"; key: Term | null; value: Term; coll: Term }
  | { kind: "every"; key: Term | null; value: Term; domain: Term; body: Expr[] }
  /** Compiler-generated hash join: bind `value` to the members of `coll` whose `path` equals `probe`. */
  | { kind: "join"; value: Term; coll: Term; path: Term[]; probe: Term; id: number };

export interface Expr {
  body: ExprBody;
  negated: boolean;
  withs: With[];
  loc: Loc;
  text: string;
  /** Position in the original query (for result expressions). */
  qIndex?: number;
  /** Query-level capture (OPA's rego API): a lone, non-iterating expression returns its value even when false. */
  capture?: boolean;
}

export type RuleKind = "complete" | "set" | "object" | "function";

export interface RuleHead {
  /** The head reference as written: name then `.x` / `[t]` parts (ref-head rules). */
  ref: Term[];
  args?: Term[];
  /** `contains` term for multi-value rules. */
  key?: Term;
  /** Value term (`:=`/`=` or implicit `true`). */
  value?: Term;
  assign: boolean;
}

export interface Rule {
  head: RuleHead;
  body: Expr[];
  isDefault: boolean;
  elseRule?: Rule;
  loc: Loc;
  /** Filled by the compiler. */
  kind?: RuleKind;
  module?: Module;
}

export interface Import {
  path: Term; // ref
  alias?: string;
  loc: Loc;
}

export type AnnotationScope = "rule" | "document" | "package" | "subpackages";

/** A `# METADATA` block, parsed (rego/annotations.ts) into OPA's annotation object. */
export interface Annotation {
  scope: AnnotationScope;
  /** The rule it precedes (rule/document scope); package scopes have none. */
  rule?: Rule;
  /** OPA's JSON shape of the annotations (scope, title, description, custom, …). */
  value: Value;
  loc: Loc;
}

export interface Module {
  file: string;
  packagePath: string[];
  packageLoc: Loc;
  imports: Import[];
  rules: Rule[];
  annotations?: Annotation[];
}

/** Collect variable names occurring in a term (not descending into comprehension bodies unless asked). */
export function termVars(t: Term, out: Set<string>, intoClosures = false): Set<string> {
  switch (t.kind) {
    case "var":
      out.add(t.name);
      break;
    case "ref":
      for (const x of t.terms) termVars(x, out, intoClosures);
      break;
    case "array":
    case "set":
      for (const x of t.items) termVars(x, out, intoClosures);
      break;
    case "object":
      for (const [k, v] of t.items) {
        termVars(k, out, intoClosures);
        termVars(v, out, intoClosures);
      }
      break;
    case "call":
      for (const x of t.args) termVars(x, out, intoClosures);
      break;
    case "arraycomp":
    case "setcomp":
      if (intoClosures) {
        termVars(t.head, out, true);
        for (const e of t.body) exprVars(e, out, true);
      }
      break;
    case "objcomp":
      if (intoClosures) {
        termVars(t.key, out, true);
        termVars(t.value, out, true);
        for (const e of t.body) exprVars(e, out, true);
      }
      break;
    default:
      break;
  }
  return out;
}

export function exprVars(e: Expr, out: Set<string>, intoClosures = false): Set<string> {
  const b = e.body;
  switch (b.kind) {
    case "term":
      termVars(b.term, out, intoClosures);
      break;
    case "some":
      for (const v of b.vars) out.add(v);
      break;
    case "somein":
      if (b.key) termVars(b.key, out, intoClosures);
      termVars(b.value, out, intoClosures);
      termVars(b.coll, out, intoClosures);
      break;
    case "every":
      if (b.key) termVars(b.key, out, intoClosures);
      termVars(b.value, out, intoClosures);
      termVars(b.domain, out, intoClosures);
      if (intoClosures) for (const x of b.body) exprVars(x, out, true);
      break;
    case "join":
      termVars(b.value, out, intoClosures);
      termVars(b.coll, out, intoClosures);
      termVars(b.probe, out, intoClosures);
      break;
  }
  for (const w of e.withs) termVars(w.value, out, intoClosures);
  return out;
}

export function isWildcard(name: string): boolean {
  return name.startsWith("$");
}

/** "a.b.c" for a var or a ref of string parts; undefined otherwise. */
export function termPathName(t: Term): string | undefined {
  if (t.kind === "var") return t.name;
  if (t.kind !== "ref" || t.terms[0].kind !== "var") return undefined;
  const parts = [t.terms[0].name];
  for (let i = 1; i < t.terms.length; i++) {
    const x = t.terms[i];
    if (x.kind !== "scalar" || typeof x.value !== "string") return undefined;
    parts.push(x.value);
  }
  return parts.join(".");
}
