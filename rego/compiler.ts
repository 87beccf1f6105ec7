/**
 * Compiler: groups rules by path, resolves names (package rules, imports, built-ins), checks
 * arity/undefined functions/recursion, and schedules every body so variables are bound before use
 * (raising rego_unsafe_var_error when no order exists).
 */
import type { RegoErrorDetail } from "./api-types";
import {
  exprVars,
  isWildcard,
  termPathName,
  termVars,
  type Expr,
  type Loc,
  type Module,
  type Rule,
  type RuleKind,
  type Term,
} from "./ast";
import { BUILTINS } from "./builtins";
import type { BuiltinDef } from "./builtins/types";
import type { TypeName } from "./builtins/types";
import { RegoError } from "./errors";
import { RObject, RSet, typeName, type Value } from "./value";
import { planJoins } from "./joins";
import { ruleMetadata, type RuleMetadata } from "./annotations";
import { DNode, names as nameCount } from "./program";

/** Built-ins handled by the evaluator itself (not in the registry). */
const EVAL_BUILTINS: Record<string, number> = { eq: 2, assign: 2 };

/** The built-ins of the program being compiled (compilation is synchronous). */
let builtinsInUse: Readonly<Record<string, BuiltinDef>> = BUILTINS;

export interface CRule {
  /** Head ref terms after the static path (ground keys and vars). */
  dynKeys: Term[];
  key?: Term;
  value: Term;
  args?: Term[];
  body: Expr[];
  elseRule?: CRule;
  /** The head value is a constant: stop at the first solution. */
  constValue: boolean;
  loc: Loc;
  isDefault: boolean;
  /** rego.metadata.rule() / chain() for this definition (only when the program has annotations). */
  metadata?: RuleMetadata;
}

export interface RuleGroup {
  path: string[];
  name: string; // "data.a.b"
  kind: RuleKind;
  rules: CRule[];
  defaultRule?: CRule;
  arity: number;
}

// the data tree's node, the restore of a stored program and the name counters live in
// ./program.ts, so running a stored program does not load this compiler
export { DNode, restoreProgram } from "./program";

export interface CompiledProgram {
  root: DNode;
  groups: Map<string, RuleGroup>;
  modules: Module[];
  /** The built-ins this program may call (the registry, narrowed or extended per compile). */
  builtins: Readonly<Record<string, BuiltinDef>>;
}

export class CompileContext {
  readonly errors: RegoErrorDetail[] = [];
  err(code: string, message: string, loc?: Loc): void {
    if (this.errors.some((e) => e.message === message && sameLoc(e.location, loc))) return;
    this.errors.push({ code, message, location: loc });
  }
}

function sameLoc(a?: Loc, b?: Loc): boolean {
  return a?.file === b?.file && a?.row === b?.row && a?.col === b?.col;
}

function str(v: string, loc: Loc): Term {
  return { kind: "scalar", value: v, loc };
}

function refTerm(path: string[], loc: Loc, rest: Term[] = []): Term {
  return {
    kind: "ref",
    terms: [{ kind: "var", name: path[0], loc }, ...path.slice(1).map((p) => str(p, loc)), ...rest],
    loc,
  };
}

/** Static path of a head ref: leading string terms. */
function splitHead(rule: Rule): { statics: string[]; dyn: Term[] } {
  const ref = rule.head.ref;
  const statics = [(ref[0] as { name: string }).name];
  let i = 1;
  for (; i < ref.length; i++) {
    const t = ref[i];
    if (t.kind === "scalar" && typeof t.value === "string") statics.push(t.value);
    else break;
  }
  return { statics, dyn: ref.slice(i) };
}

function isConst(t: Term): boolean {
  switch (t.kind) {
    case "scalar":
      return true;
    case "array":
    case "set":
      return t.items.every(isConst);
    case "object":
      return t.items.every(([k, v]) => isConst(k) && isConst(v));
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Name resolution

interface Scope {
  pkg: string[];
  ruleNames: Set<string>;
  imports: Map<string, string[]>;
  locals: Set<string>;
  /** OPA's legacy negation (no `future.keywords.not` import): operands are bound before `not`. */
  legacyNot: boolean;
}

function declaredIn(body: Expr[], out: Set<string>): void {
  for (const e of body) {
    const b = e.body;
    if (b.kind === "some") for (const v of b.vars) out.add(v);
    else if (b.kind === "somein") {
      if (b.key) termVars(b.key, out);
      termVars(b.value, out);
    } else if (b.kind === "term" && b.term.kind === "call" && b.term.fn === "assign") {
      patternVars(b.term.args[0], out);
    }
  }
}

function patternVars(t: Term, out: Set<string>): void {
  if (t.kind === "var") out.add(t.name);
  else if (t.kind === "array") for (const x of t.items) patternVars(x, out);
  else if (t.kind === "object") for (const [, v] of t.items) patternVars(v, out);
}

function resolveVarName(name: string, sc: Scope, loc: Loc): Term | undefined {
  if (sc.locals.has(name)) return undefined;
  if (name === "data" || name === "input") return undefined;
  const imp = sc.imports.get(name);
  if (imp) return refTerm(imp, loc);
  if (sc.ruleNames.has(name)) return refTerm(["data", ...sc.pkg, name], loc);
  return undefined;
}

function resolveTerm(t: Term, sc: Scope): Term {
  switch (t.kind) {
    case "scalar":
      return t;
    case "var":
      return resolveVarName(t.name, sc, t.loc) ?? t;
    case "ref": {
      const head = resolveTerm(t.terms[0], sc);
      const rest = t.terms.slice(1).map((x) => resolveTerm(x, sc));
      if (head.kind === "ref") return { kind: "ref", terms: [...head.terms, ...rest], loc: t.loc };
      return { kind: "ref", terms: [head, ...rest], loc: t.loc };
    }
    case "array":
      return foldConst({ ...t, items: t.items.map((x) => resolveTerm(x, sc)) });
    case "set":
      return foldConst({ ...t, items: t.items.map((x) => resolveTerm(x, sc)) });
    case "object":
      return foldConst({
        ...t,
        items: t.items.map(([k, v]) => [resolveTerm(k, sc), resolveTerm(v, sc)] as [Term, Term]),
      });
    case "call":
      return { ...t, fn: resolveFn(t.fn, sc), args: t.args.map((x) => resolveTerm(x, sc)) };
    case "arraycomp":
    case "setcomp": {
      t = freshenClosure(t);
      const inner = nested(sc, t.body);
      return { ...t, head: resolveTerm(t.head, inner), body: resolveBody(t.body, inner) };
    }
    case "objcomp": {
      t = freshenClosure(t);
      const inner = nested(sc, t.body);
      return {
        ...t,
        key: resolveTerm(t.key, inner),
        value: resolveTerm(t.value, inner),
        body: resolveBody(t.body, inner),
      };
    }
  }
}

// Variables declared inside a closure (`:=`, `some`, `every` vars) are new variables that
// shadow any outer one of the same name: give them fresh names before resolution.
const FRESHENED = new WeakSet<object>();

function renameTerm(t: Term, m: Map<string, string>): Term {
  const r = (x: Term): Term => renameTerm(x, m);
  switch (t.kind) {
    case "var": {
      const n = m.get(t.name);
      return n ? { ...t, name: n } : t;
    }
    case "scalar":
      return t;
    case "ref":
      return { ...t, terms: t.terms.map(r) };
    case "array":
    case "set":
      return { ...t, items: t.items.map(r) };
    case "object":
      return { ...t, items: t.items.map(([k, v]) => [r(k), r(v)] as [Term, Term]) };
    case "call":
      return { ...t, args: t.args.map(r) };
    case "arraycomp":
    case "setcomp":
      return { ...t, head: r(t.head), body: t.body.map((e) => renameExpr(e, m)) };
    case "objcomp":
      return { ...t, key: r(t.key), value: r(t.value), body: t.body.map((e) => renameExpr(e, m)) };
  }
}

function renameExpr(e: Expr, m: Map<string, string>): Expr {
  const r = (x: Term): Term => renameTerm(x, m);
  const b = e.body;
  let nb: Expr["body"];
  switch (b.kind) {
    case "term":
      nb = { kind: "term", term: r(b.term) };
      break;
    case "some":
      nb = { kind: "some", vars: b.vars.map((v) => m.get(v) ?? v) };
      break;
    case "somein":
      nb = { kind: "somein", key: b.key ? r(b.key) : null, value: r(b.value), coll: r(b.coll) };
      break;
    case "every":
      nb = {
        ...b,
        key: b.key ? r(b.key) : null,
        value: r(b.value),
        domain: r(b.domain),
        body: b.body.map((x) => renameExpr(x, m)),
      };
      break;
    case "join":
      nb = b;
      break;
  }
  return { ...e, body: nb, withs: e.withs.map((w) => ({ ...w, value: r(w.value) })) };
}

function freshMap(names: Iterable<string>): Map<string, string> {
  const m = new Map<string, string>();
  for (const n of names) if (!isWildcard(n)) m.set(n, `${n}$${++nameCount.fresh}`);
  return m;
}

function freshenClosure<T extends Term>(t: T): T {
  if (FRESHENED.has(t)) return t;
  if (t.kind !== "arraycomp" && t.kind !== "setcomp" && t.kind !== "objcomp") return t;
  const declared = new Set<string>();
  declaredIn(t.body, declared);
  if (declared.size === 0) return t;
  const out = renameTerm(t, freshMap(declared)) as T;
  FRESHENED.add(out);
  return out;
}

function freshenEvery(b: Extract<Expr["body"], { kind: "every" }>): Expr["body"] {
  if (FRESHENED.has(b)) return b;
  const declared = new Set<string>();
  if (b.key) termVars(b.key, declared);
  termVars(b.value, declared);
  declaredIn(b.body, declared);
  const m = freshMap(declared);
  const out = {
    ...b,
    key: b.key ? renameTerm(b.key, m) : null,
    value: renameTerm(b.value, m),
    body: b.body.map((x) => renameExpr(x, m)),
  };
  FRESHENED.add(out);
  return out;
}

/**
 * OPA declares a `:=` or `some` variable at its statement (rewriteLocalVars), so a comprehension or
 * `every` body that comes *before* the declaration (or sits in its own right-hand side) and uses
 * the same name has a variable of its own, not the one declared later. Give those closure
 * variables fresh names so scheduling does not tie them to the later declaration.
 */
function scopeClosuresBeforeDeclarations(body: Expr[], args: Iterable<string>): Expr[] {
  const declaredAt = body.map((e) => {
    const s = new Set<string>();
    declaredIn([e], s);
    return s;
  });
  const before = new Set(args);
  return body.map((e, i) => {
    const later = new Set<string>();
    for (let j = i; j < body.length; j++)
      for (const v of declaredAt[j]) if (!before.has(v) && !isWildcard(v)) later.add(v);
    for (const v of declaredAt[i]) before.add(v);
    return later.size === 0 ? e : renameInClosures(e, later);
  });
}

function renameInClosures(e: Expr, names: Set<string>): Expr {
  const walk = (t: Term): Term => {
    switch (t.kind) {
      case "arraycomp":
      case "setcomp":
      case "objcomp":
        return renameTerm(t, freshMap(names));
      case "ref":
        return { ...t, terms: t.terms.map(walk) };
      case "array":
      case "set":
        return { ...t, items: t.items.map(walk) };
      case "object":
        return { ...t, items: t.items.map(([k, v]) => [walk(k), walk(v)] as [Term, Term]) };
      case "call":
        return { ...t, args: t.args.map(walk) };
      default:
        return t;
    }
  };
  const b = e.body;
  let nb: Expr["body"] = b;
  if (b.kind === "term") nb = { kind: "term", term: walk(b.term) };
  else if (b.kind === "somein")
    nb = { ...b, key: b.key ? walk(b.key) : null, value: walk(b.value), coll: walk(b.coll) };
  else if (b.kind === "every") {
    const m = freshMap(names);
    nb = {
      ...b,
      key: b.key ? renameTerm(b.key, m) : null,
      value: renameTerm(b.value, m),
      domain: walk(b.domain),
      body: b.body.map((x) => renameExpr(x, m)),
    };
  }
  return { ...e, body: nb, withs: e.withs.map((w) => ({ ...w, value: walk(w.value) })) };
}

/** A literal whose items are all constants becomes one constant (no per-eval construction). */
function foldConst(t: Term): Term {
  if (t.kind === "array" && t.items.every((x) => x.kind === "scalar")) {
    return { kind: "scalar", value: t.items.map((x) => (x as { value: Value }).value), loc: t.loc };
  }
  if (t.kind === "set" && t.items.every((x) => x.kind === "scalar")) {
    return {
      kind: "scalar",
      value: new RSet(t.items.map((x) => (x as { value: Value }).value)),
      loc: t.loc,
    };
  }
  if (
    t.kind === "object" &&
    t.items.every(([k, v]) => k.kind === "scalar" && v.kind === "scalar")
  ) {
    const o = new RObject();
    for (const [k, v] of t.items)
      o.set((k as { value: Value }).value, (v as { value: Value }).value);
    if (o.size !== t.items.length) return t; // duplicate keys: let evaluation decide
    return { kind: "scalar", value: o, loc: t.loc };
  }
  return t;
}

function nested(sc: Scope, body: Expr[], extra?: Iterable<string>): Scope {
  const locals = new Set(sc.locals);
  declaredIn(body, locals);
  if (extra) for (const v of extra) locals.add(v);
  return { ...sc, locals };
}

function resolveFn(fn: string, sc: Scope): string {
  const parts = fn.split(".");
  if (parts[0] === "data") return fn;
  if (sc.locals.has(parts[0])) return fn;
  const imp = sc.imports.get(parts[0]);
  if (imp) return [...imp, ...parts.slice(1)].join(".");
  if (sc.ruleNames.has(parts[0])) return ["data", ...sc.pkg, ...parts].join(".");
  return fn;
}

function resolveBody(body: Expr[], sc: Scope): Expr[] {
  const resolved = resolveBodyExprs(body, sc);
  return sc.legacyNot ? hoistNegatedOperands(resolved) : resolved;
}

// ---------------------------------------------------------------------------------------------
// Legacy negation (OPA's RewriteDynamicTerms and RewriteExprTerms stages): the refs, nested calls
// and their containers in the operands of a negated call (and the ref keys of a negated ref or
// unification) are bound to generated vars *before* the `not`, so `not f(input.missing)` is
// undefined rather than true. A module importing `future.keywords.not` keeps them inside.

function hoistNegatedOperands(body: Expr[]): Expr[] {
  let out: Expr[] | undefined;
  for (let i = 0; i < body.length; i++) {
    const e = body[i];
    if (!e.negated || e.body.kind !== "term") {
      out?.push(e);
      continue;
    }
    const extras: Expr[] = [];
    const t = e.body.term;
    let nt: Term;
    if (t.kind === "call" && t.fn === "eq")
      nt = { ...t, args: t.args.map((a) => hoistInTerm(a, e, extras)) };
    else if (t.kind === "call" && t.fn !== "print")
      nt = { ...t, args: t.args.map((a) => hoistOne(a, e, extras)) };
    else nt = hoistInTerm(t, e, extras);
    if (extras.length === 0) {
      out?.push(e);
      continue;
    }
    out ??= body.slice(0, i);
    out.push(...extras, { ...e, body: { kind: "term", term: nt } });
  }
  return out ?? body;
}

/** A side of a negated unification or a negated ref: only the ref's keys are bound first. */
function hoistInTerm(t: Term, e: Expr, extras: Expr[]): Term {
  if (t.kind === "ref")
    return { ...t, terms: [t.terms[0], ...t.terms.slice(1).map((x) => hoistOne(x, e, extras))] };
  if (t.kind === "arraycomp" || t.kind === "setcomp" || t.kind === "objcomp") return t;
  return hoistOne(t, e, extras);
}

function hoistOne(t: Term, e: Expr, extras: Expr[]): Term {
  switch (t.kind) {
    case "var":
      if (t.name !== "input" && t.name !== "data") return t;
      return bindGenerated(t, e, extras);
    case "ref":
      return bindGenerated(t, e, extras);
    case "call":
      if (t.fn === "print") return t;
      return bindGenerated({ ...t, args: t.args.map((a) => hoistOne(a, e, extras)) }, e, extras);
    case "array":
    case "set":
      return { ...t, items: t.items.map((x) => hoistOne(x, e, extras)) };
    case "object":
      return {
        ...t,
        items: t.items.map(
          ([k, v]) => [hoistOne(k, e, extras), hoistOne(v, e, extras)] as [Term, Term],
        ),
      };
    default:
      return t;
  }
}

function bindGenerated(t: Term, e: Expr, extras: Expr[]): Term {
  const v: Term = { kind: "var", name: `__local${++nameCount.hoist}__`, loc: t.loc };
  extras.push({
    body: { kind: "term", term: { kind: "call", fn: "eq", args: [v, t], loc: t.loc } },
    negated: false,
    withs: e.withs,
    loc: e.loc,
    text: e.text,
  });
  return v;
}

function resolveBodyExprs(body: Expr[], sc: Scope): Expr[] {
  return body.map((e) => {
    const b = e.body;
    let nb: Expr["body"];
    switch (b.kind) {
      case "term":
        nb = { kind: "term", term: resolveTerm(b.term, sc) };
        break;
      case "some":
        nb = b;
        break;
      case "somein":
        nb = {
          kind: "somein",
          key: b.key ? resolveTerm(b.key, sc) : null,
          value: resolveTerm(b.value, sc),
          coll: resolveTerm(b.coll, sc),
        };
        break;
      case "every": {
        const fresh = freshenEvery(b);
        if (fresh !== b) return resolveBody([{ ...e, body: fresh }], sc)[0];
        const vs = new Set<string>();
        if (b.key) termVars(b.key, vs);
        termVars(b.value, vs);
        const inner = nested(sc, b.body, vs);
        nb = {
          kind: "every",
          key: b.key,
          value: b.value,
          domain: resolveTerm(b.domain, sc),
          body: resolveBody(b.body, inner),
        };
        break;
      }
      case "join":
        nb = b;
        break;
    }
    const withs = e.withs.map((w) => ({
      target: resolveWithTarget(w.target, sc),
      value: resolveTerm(w.value, sc),
      loc: w.loc,
    }));
    return { ...e, body: nb, withs };
  });
}

function resolveWithTarget(t: Term, sc: Scope): Term {
  const name = termPathName(t);
  if (name === undefined) return t;
  const first = name.split(".")[0];
  if (first === "input" || first === "data") return t;
  const fn = resolveFn(name, sc);
  return refTerm(fn.split("."), t.loc);
}

// ---------------------------------------------------------------------------------------------
// Safety analysis and scheduling

type Bound = Set<string>;

function isRootVar(name: string): boolean {
  return name === "data" || name === "input";
}

function unbound(name: string, b: Bound): boolean {
  return !b.has(name) && !isRootVar(name);
}

/** Vars a term needs bound when evaluated as a value, and vars it binds (ref iteration). */
function valueNeeds(
  t: Term,
  b: Bound,
  need: Set<string>,
  out: Set<string>,
  outer: Set<string>,
): void {
  switch (t.kind) {
    case "var":
      if (unbound(t.name, b)) need.add(t.name);
      return;
    case "scalar":
      return;
    case "ref": {
      const h = t.terms[0];
      if (h.kind === "var") {
        if (unbound(h.name, b)) need.add(h.name);
      } else valueNeeds(h, b, need, out, outer);
      for (let i = 1; i < t.terms.length; i++) {
        const x = t.terms[i];
        if (x.kind === "var" || x.kind === "array" || x.kind === "object") {
          patternNeeds(x, b, need, out, outer);
        } else valueNeeds(x, b, need, out, outer);
      }
      return;
    }
    case "array":
    case "set":
      for (const x of t.items) valueNeeds(x, b, need, out, outer);
      return;
    case "object":
      for (const [k, v] of t.items) {
        valueNeeds(k, b, need, out, outer);
        valueNeeds(v, b, need, out, outer);
      }
      return;
    case "call":
      for (const x of t.args) valueNeeds(x, b, need, out, outer);
      return;
    default: {
      // comprehension: closure vars (also used by the enclosing body) must be bound first
      const vs = termVars(t, new Set(), true);
      for (const v of vs) if (outer.has(v) && unbound(v, b) && !isWildcard(v)) need.add(v);
    }
  }
}

/** Pattern position (unification side): unbound vars are outputs. */
function patternNeeds(
  t: Term,
  b: Bound,
  need: Set<string>,
  out: Set<string>,
  outer: Set<string>,
): void {
  switch (t.kind) {
    case "var":
      if (unbound(t.name, b)) out.add(t.name);
      return;
    case "array":
      for (const x of t.items) patternNeeds(x, b, need, out, outer);
      return;
    case "object":
      for (const [k, v] of t.items) {
        valueNeeds(k, b, need, out, outer);
        patternNeeds(v, b, need, out, outer);
      }
      return;
    default:
      valueNeeds(t, b, need, out, outer);
  }
}

function hasUnboundPatternVar(t: Term, b: Bound): boolean {
  switch (t.kind) {
    case "var":
      return unbound(t.name, b);
    case "array":
      return t.items.some((x) => hasUnboundPatternVar(x, b));
    case "object":
      return t.items.some(([, v]) => hasUnboundPatternVar(v, b));
    default:
      return false;
  }
}

interface Analysis {
  ok: boolean;
  need: Set<string>;
  out: Set<string>;
}

function analyzeUnify(a: Term, b: Term, bound: Bound, outer: Set<string>): Analysis {
  const need = new Set<string>();
  const out = new Set<string>();
  const b2 = new Set(bound);
  const ok = unifyWalk(a, b, b2, need, out, outer);
  return { ok: ok && need.size === 0, need, out };
}

function unifyWalk(
  a: Term,
  b: Term,
  bound: Bound,
  need: Set<string>,
  out: Set<string>,
  outer: Set<string>,
): boolean {
  if (a.kind === "array" && b.kind === "array" && a.items.length === b.items.length) {
    for (let i = 0; i < a.items.length; i++)
      if (!unifyWalk(a.items[i], b.items[i], bound, need, out, outer)) return false;
    return true;
  }
  if (a.kind === "object" && b.kind === "object" && a.items.length === b.items.length) {
    const bk = new Map<string, Term>();
    for (const [k, v] of b.items) if (k.kind === "scalar") bk.set(JSON.stringify(k.value), v);
    if (a.items.every(([k]) => k.kind === "scalar" && bk.has(JSON.stringify(k.value)))) {
      for (const [k, v] of a.items)
        if (
          !unifyWalk(
            v,
            bk.get(JSON.stringify((k as { value: unknown }).value))!,
            bound,
            need,
            out,
            outer,
          )
        )
          return false;
      return true;
    }
  }
  const ua = hasUnboundPatternVar(a, bound);
  const ub = hasUnboundPatternVar(b, bound);
  if (ua && ub) {
    // both sides still open: report their vars as needed
    const o = new Set<string>();
    patternNeeds(a, bound, need, o, outer);
    patternNeeds(b, bound, need, o, outer);
    for (const v of o) need.add(v);
    return false;
  }
  const o = new Set<string>();
  if (ua) {
    valueNeeds(b, bound, need, o, outer);
    patternNeeds(a, bound, need, o, outer);
  } else {
    valueNeeds(a, bound, need, o, outer);
    patternNeeds(b, bound, need, o, outer);
  }
  for (const v of o) {
    out.add(v);
    bound.add(v);
  }
  return true;
}

function fnArity(fn: string, groups: Map<string, RuleGroup>): number | undefined {
  if (fn === "print") return undefined;
  if (EVAL_BUILTINS[fn] !== undefined) return EVAL_BUILTINS[fn];
  const g = groups.get(fn);
  if (g) return g.kind === "function" ? g.arity : undefined;
  const bi = builtinsInUse[fn];
  return bi ? bi.arity : undefined;
}

function analyzeExpr(
  e: Expr,
  bound: Bound,
  outer: Set<string>,
  groups: Map<string, RuleGroup>,
): Analysis {
  const need = new Set<string>();
  const out = new Set<string>();
  const b = e.body;
  let res: Analysis;
  switch (b.kind) {
    case "term": {
      const t = b.term;
      if (t.kind === "call" && (t.fn === "eq" || t.fn === "assign")) {
        res = analyzeUnify(t.args[0], t.args[1], bound, outer);
      } else if (t.kind === "call" && fnArity(t.fn, groups) === t.args.length - 1) {
        for (let i = 0; i < t.args.length - 1; i++) valueNeeds(t.args[i], bound, need, out, outer);
        patternNeeds(t.args[t.args.length - 1], bound, need, out, outer);
        res = { ok: need.size === 0, need, out };
      } else {
        valueNeeds(t, bound, need, out, outer);
        res = { ok: need.size === 0, need, out };
      }
      break;
    }
    case "some":
      res = { ok: true, need, out };
      break;
    case "somein":
      valueNeeds(b.coll, bound, need, out, outer);
      if (b.key) patternNeeds(b.key, bound, need, out, outer);
      patternNeeds(b.value, bound, need, out, outer);
      res = { ok: need.size === 0, need, out };
      break;
    case "every": {
      valueNeeds(b.domain, bound, need, out, outer);
      const local = new Set<string>();
      if (b.key) termVars(b.key, local);
      termVars(b.value, local);
      for (const x of b.body) {
        for (const v of exprVars(x, new Set(), true))
          if (outer.has(v) && !local.has(v) && unbound(v, bound) && !isWildcard(v)) need.add(v);
      }
      res = { ok: need.size === 0, need, out: new Set() };
      break;
    }
    case "join":
      valueNeeds(b.coll, bound, need, out, outer);
      valueNeeds(b.probe, bound, need, out, outer);
      patternNeeds(b.value, bound, need, out, outer);
      res = { ok: need.size === 0, need, out };
      break;
  }
  for (const w of e.withs) {
    const fn = termPathName(w.value);
    if (fn !== undefined && (builtinsInUse[fn] || groups.get(fn)?.kind === "function")) continue;
    valueNeeds(w.value, bound, res.need, res.out, outer);
  }
  if (res.need.size > 0) res.ok = false;
  if (e.negated) {
    // everything a negated expression mentions (but wildcards) must already be bound
    for (const v of res.out) if (!isWildcard(v)) res.need.add(v);
    res.ok = res.need.size === 0;
    res.out = new Set();
  }
  return res;
}

/** Order body literals so each runs once its inputs are bound (OPA keeps source order otherwise). */
export function scheduleBody(
  body: Expr[],
  bound: Bound,
  outerVars: Set<string>,
  groups: Map<string, RuleGroup>,
  ctx: CompileContext,
): { body: Expr[]; bound: Bound } {
  const outer = new Set(outerVars);
  for (const e of body) exprVars(e, outer);
  const remaining = [...body];
  const out: Expr[] = [];
  const b = new Set(bound);
  while (remaining.length > 0) {
    let picked = -1;
    let an: Analysis | undefined;
    for (let i = 0; i < remaining.length; i++) {
      const a = analyzeExpr(remaining[i], b, outer, groups);
      if (a.ok) {
        picked = i;
        an = a;
        break;
      }
    }
    if (picked < 0) {
      const split = hoistIteratingRefs(remaining, b, outer, groups);
      if (split) {
        remaining.splice(split.index, 1, ...split.exprs);
        continue;
      }
      for (const e of remaining) {
        const a = analyzeExpr(e, b, outer, groups);
        for (const v of [...a.need].sort()) {
          if (!isWildcard(v)) ctx.err("rego_unsafe_var_error", `var ${v} is unsafe`, e.loc);
          else ctx.err("rego_unsafe_var_error", `var _ is unsafe`, e.loc);
        }
      }
      return { body: [...out, ...remaining], bound: b };
    }
    const e = remaining.splice(picked, 1)[0];
    out.push(scheduleNested(e, b, outer, groups, ctx));
    for (const v of an!.out) b.add(v);
  }
  return { body: out, bound: b };
}

/**
 * `foo == input.xs[foo]`: OPA counts the vars a ref argument iterates over as outputs of the call
 * (outputVarsForExprRefs), so the other arguments may use them. Our calls read their arguments in
 * order, so when nothing else can run, bind such a ref to a generated var in a literal of its own
 * first. Only done when the rewritten call is then safe.
 */
function hoistIteratingRefs(
  remaining: Expr[],
  bound: Bound,
  outer: Set<string>,
  groups: Map<string, RuleGroup>,
): { index: number; exprs: Expr[] } | undefined {
  for (let i = 0; i < remaining.length; i++) {
    const e = remaining[i];
    if (e.negated || e.body.kind !== "term") continue;
    const t = e.body.term;
    if (t.kind !== "call" || t.fn === "eq" || t.fn === "assign") continue;
    const inputs = fnArity(t.fn, groups) === t.args.length - 1 ? t.args.length - 1 : t.args.length;
    const extras: Expr[] = [];
    const after = new Set(bound);
    const hoist = (a: Term): Term => {
      if (a.kind === "call") return { ...a, args: a.args.map(hoist) };
      if (a.kind === "array" || a.kind === "set") return { ...a, items: a.items.map(hoist) };
      if (a.kind !== "ref") return a;
      const need = new Set<string>();
      const out = new Set<string>();
      valueNeeds(a, bound, need, out, outer);
      if (need.size > 0 || out.size === 0) return a;
      for (const v of out) after.add(v);
      const g = bindGenerated(a, e, extras);
      if (g.kind === "var") after.add(g.name);
      return g;
    };
    const args = t.args.map((a, k) => (k < inputs ? hoist(a) : a));
    if (extras.length === 0) continue;
    const rewritten: Expr = { ...e, body: { kind: "term", term: { ...t, args } } };
    if (!analyzeExpr(rewritten, after, outer, groups).ok) continue;
    return { index: i, exprs: [...extras, rewritten] };
  }
  return undefined;
}

/** Schedule comprehension / every bodies nested in an expression, given what is bound there. */
function scheduleNested(
  e: Expr,
  bound: Bound,
  outer: Set<string>,
  groups: Map<string, RuleGroup>,
  ctx: CompileContext,
): Expr {
  const st = (t: Term): Term => scheduleTerm(t, bound, outer, groups, ctx);
  const b = e.body;
  let nb: Expr["body"] = b;
  switch (b.kind) {
    case "term":
      nb = { kind: "term", term: st(b.term) };
      break;
    case "somein":
      nb = { ...b, coll: st(b.coll), value: st(b.value), key: b.key ? st(b.key) : null };
      break;
    case "every": {
      const local = new Set(bound);
      if (b.key) termVars(b.key, local);
      termVars(b.value, local);
      const r = scheduleBody(b.body, local, outer, groups, ctx);
      nb = { ...b, domain: st(b.domain), body: r.body };
      break;
    }
    default:
      break;
  }
  const withs = e.withs.map((w) => ({ ...w, value: st(w.value) }));
  return { ...e, body: nb, withs };
}

function scheduleTerm(
  t: Term,
  bound: Bound,
  outer: Set<string>,
  groups: Map<string, RuleGroup>,
  ctx: CompileContext,
): Term {
  const st = (x: Term): Term => scheduleTerm(x, bound, outer, groups, ctx);
  switch (t.kind) {
    case "ref":
      return { ...t, terms: t.terms.map(st) };
    case "array":
      return { ...t, items: t.items.map(st) };
    case "set":
      return { ...t, items: t.items.map(st) };
    case "object":
      return { ...t, items: t.items.map(([k, v]) => [st(k), st(v)] as [Term, Term]) };
    case "call":
      return { ...t, args: t.args.map(st) };
    case "arraycomp":
    case "setcomp": {
      const r = scheduleBody(t.body, bound, outer, groups, ctx);
      checkTermSafe(t.head, r.bound, ctx);
      return { ...t, body: r.body, head: t.head };
    }
    case "objcomp": {
      const r = scheduleBody(t.body, bound, outer, groups, ctx);
      checkTermSafe(t.key, r.bound, ctx);
      checkTermSafe(t.value, r.bound, ctx);
      return { ...t, body: r.body };
    }
    default:
      return t;
  }
}

function checkTermSafe(t: Term, bound: Bound, ctx: CompileContext): void {
  const need = new Set<string>();
  valueNeeds(t, bound, need, new Set(), new Set());
  for (const v of [...need].sort())
    ctx.err("rego_unsafe_var_error", `var ${isWildcard(v) ? "_" : v} is unsafe`, t.loc);
}

// ---------------------------------------------------------------------------------------------
// Function existence / arity

function checkCalls(
  t: Term,
  groups: Map<string, RuleGroup>,
  ctx: CompileContext,
  inExprTop: boolean,
): void {
  const walk = (x: Term): void => checkCalls(x, groups, ctx, false);
  switch (t.kind) {
    case "call": {
      const ar = fnArity(t.fn, groups);
      if (t.fn === "print") {
        t.args.forEach(walk);
        return;
      }
      if (ar === undefined) {
        const g = groups.get(t.fn);
        if (g)
          ctx.err(
            "rego_type_error",
            `undefined function ${t.fn} (${t.fn} is not a function)`,
            t.loc,
          );
        else if (!isFunctionPrefix(t.fn, groups))
          ctx.err("rego_type_error", `undefined function ${t.fn}`, t.loc);
      } else if (t.args.length !== ar && !(inExprTop && t.args.length === ar + 1)) {
        ctx.err(
          "rego_type_error",
          `${t.fn}: arity mismatch\n\thave: ${t.args.length} argument(s)\n\twant: ${ar} argument(s)`,
          t.loc,
        );
      }
      checkLiteralArgTypes(t, ctx);
      t.args.forEach(walk);
      return;
    }
    case "ref":
      t.terms.forEach(walk);
      return;
    case "array":
    case "set":
      t.items.forEach(walk);
      return;
    case "object":
      for (const [k, v] of t.items) {
        walk(k);
        walk(v);
      }
      return;
    case "arraycomp":
    case "setcomp":
      walk(t.head);
      checkBodyCalls(t.body, groups, ctx);
      return;
    case "objcomp":
      walk(t.key);
      walk(t.value);
      checkBodyCalls(t.body, groups, ctx);
      return;
    default:
      return;
  }
}

/** The type of a term known without evaluating it (literals and comprehensions). */
function staticType(t: Term): TypeName | undefined {
  switch (t.kind) {
    case "scalar":
      return typeName(t.value) as TypeName;
    case "array":
    case "arraycomp":
      return "array";
    case "set":
    case "setcomp":
      return "set";
    case "object":
    case "objcomp":
      return "object";
    default:
      return undefined;
  }
}

/** OPA's type checker rejects a literal argument of the wrong type at compile time. */
function checkLiteralArgTypes(t: Extract<Term, { kind: "call" }>, ctx: CompileContext): void {
  const def = builtinsInUse[t.fn];
  if (!def?.args) return;
  const n = Math.min(def.arity, t.args.length);
  for (let i = 0; i < n; i++) {
    const want = def.args[i];
    const have = staticType(t.args[i]);
    if (!want || have === undefined || want.includes("any") || want.includes(have)) continue;
    const haves = t.args.slice(0, n).map((a) => staticType(a) ?? "any");
    ctx.err(
      "rego_type_error",
      `${t.fn}: invalid argument(s)\n\thave: (${haves.join(", ")})\n\twant: (${def.args
        .map((w) => (w.length === 1 ? w[0] : `any<${w.join(", ")}>`))
        .join(", ")})`,
      t.loc,
    );
    return;
  }
}

function isFunctionPrefix(fn: string, groups: Map<string, RuleGroup>): boolean {
  // a call on a rule that is not a function (e.g. `p(1)` where p is complete) is a type error;
  // but data.* calls into a package that only exists via `with` are checked at run time
  return fn.startsWith("data.") && [...groups.keys()].some((k) => k.startsWith(fn + "."));
}

function checkBodyCalls(body: Expr[], groups: Map<string, RuleGroup>, ctx: CompileContext): void {
  for (const e of body) {
    const b = e.body;
    switch (b.kind) {
      case "term":
        checkCalls(b.term, groups, ctx, true);
        break;
      case "somein":
        checkCalls(b.coll, groups, ctx, false);
        break;
      case "every":
        checkCalls(b.domain, groups, ctx, false);
        checkBodyCalls(b.body, groups, ctx);
        break;
      default:
        break;
    }
    for (const w of e.withs) {
      checkCalls(w.value, groups, ctx, false);
      const target = termPathName(w.target);
      const root = target?.split(".")[0];
      if (
        target === undefined ||
        (root !== "input" && root !== "data" && !builtinsInUse[target] && target !== "print")
      ) {
        ctx.err(
          "rego_type_error",
          "with keyword target must reference existing input, data, or a function",
          w.loc,
        );
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Recursion

function collectRefs(t: Term, out: Set<string>): void {
  switch (t.kind) {
    case "ref": {
      const name = refStaticPrefix(t);
      if (name) out.add(name + refDynamicTail(t, name.split(".").length));
      t.terms.forEach((x) => collectRefs(x, out));
      return;
    }
    case "call":
      if (t.fn.startsWith("data.")) out.add(t.fn);
      t.args.forEach((x) => collectRefs(x, out));
      return;
    case "array":
    case "set":
      t.items.forEach((x) => collectRefs(x, out));
      return;
    case "object":
      for (const [k, v] of t.items) {
        collectRefs(k, out);
        collectRefs(v, out);
      }
      return;
    case "arraycomp":
    case "setcomp":
      collectRefs(t.head, out);
      collectBodyRefs(t.body, out);
      return;
    case "objcomp":
      collectRefs(t.key, out);
      collectRefs(t.value, out);
      collectBodyRefs(t.body, out);
      return;
    default:
      return;
  }
}

function collectBodyRefs(body: Expr[], out: Set<string>): void {
  for (const e of body) {
    const b = e.body;
    if (b.kind === "term") collectRefs(b.term, out);
    else if (b.kind === "somein") {
      collectRefs(b.coll, out);
      collectRefs(b.value, out);
      if (b.key) collectRefs(b.key, out);
    } else if (b.kind === "every") {
      collectRefs(b.domain, out);
      collectBodyRefs(b.body, out);
    }
    for (const w of e.withs) collectRefs(w.value, out);
  }
}

function refStaticPrefix(t: Term): string | undefined {
  if (t.kind !== "ref") return undefined;
  const h = t.terms[0];
  if (h.kind !== "var" || h.name !== "data") return undefined;
  const parts = ["data"];
  for (let i = 1; i < t.terms.length; i++) {
    const x = t.terms[i];
    if (x.kind === "scalar" && (typeof x.value === "string" || typeof x.value === "number"))
      parts.push(String(x.value));
    else break;
  }
  return parts.join(".");
}

/**
 * The segments after a ref's static prefix, as OPA matches them against rule paths
 * (GetRulesDynamic): a var or other non-constant key matches any segment, a constant only itself.
 * `data[x].allow` reaches `data.a.allow` but not `data.a.p`. Encoded after a NUL so the string
 * still starts with the static prefix; empty when nothing after the first dynamic key is constant.
 */
function refDynamicTail(t: Extract<Term, { kind: "ref" }>, from: number): string {
  const rest: (string | null)[] = [];
  for (let i = from; i < t.terms.length; i++) {
    const x = t.terms[i];
    rest.push(
      x.kind === "scalar" && (typeof x.value === "string" || typeof x.value === "number")
        ? String(x.value)
        : null,
    );
  }
  return rest.some((x) => x !== null) ? "\0" + JSON.stringify(rest) : "";
}

function checkRecursion(groups: Map<string, RuleGroup>, ctx: CompileContext): void {
  const names = [...groups.keys()];
  // A reference reaches every rule at or below its static prefix, and the rule it lands in. Rather
  // than compare each reference with every rule name, index the names: by position (to keep the
  // order the old all-pairs scan produced, which decides the order of recursion errors) and by each
  // of their proper dotted prefixes (`a.b.c` is filed under `a` and `a.b`).
  const position = new Map<string, number>();
  const below = new Map<string, number[]>();
  names.forEach((n, i) => {
    position.set(n, i);
    for (let dot = n.indexOf("."); dot !== -1; dot = n.indexOf(".", dot + 1)) {
      const prefix = n.slice(0, dot);
      const list = below.get(prefix);
      if (list) list.push(i);
      else below.set(prefix, [i]);
    }
  });
  const reachedBy = (key: string): number[] => {
    const nul = key.indexOf("\0");
    const ref = nul < 0 ? key : key.slice(0, nul);
    const tail = nul < 0 ? undefined : (JSON.parse(key.slice(nul + 1)) as (string | null)[]);
    const depth = ref.split(".").length;
    // a rule below the prefix is reached only if its path agrees with the ref's constant keys
    const agrees = (i: number): boolean => {
      if (!tail) return true;
      const path = groups.get(names[i]!)!.path;
      for (let k = 0; k < tail.length && depth + k < path.length; k++)
        if (tail[k] !== null && tail[k] !== path[depth + k]) return false;
      return true;
    };
    // n === ref, n.startsWith(ref + "."), ref.startsWith(n + "."): disjoint cases, merged by position
    const hits: number[] = (below.get(ref) ?? []).filter(agrees);
    const exact = position.get(ref);
    if (exact !== undefined) hits.push(exact);
    for (let dot = ref.indexOf("."); dot !== -1; dot = ref.indexOf(".", dot + 1)) {
      const above = position.get(ref.slice(0, dot));
      if (above !== undefined) hits.push(above);
    }
    return hits.sort((a, b) => a - b);
  };
  const deps = new Map<string, Set<string>>();
  for (const [name, g] of groups) {
    const refs = new Set<string>();
    const addRule = (r: CRule): void => {
      collectBodyRefs(r.body, refs);
      collectRefs(r.value, refs);
      if (r.key) collectRefs(r.key, refs);
      r.dynKeys.forEach((k) => collectRefs(k, refs));
      if (r.elseRule) addRule(r.elseRule);
    };
    g.rules.forEach(addRule);
    const ds = new Set<string>();
    for (const ref of refs) for (const i of reachedBy(ref)) ds.add(names[i]!);
    deps.set(name, ds);
  }
  const state = new Map<string, number>();
  const stack: string[] = [];
  const visit = (n: string): void => {
    state.set(n, 1);
    stack.push(n);
    for (const d of deps.get(n) ?? []) {
      const s = state.get(d) ?? 0;
      if (s === 1) {
        const cyc = stack.slice(stack.indexOf(d));
        const g = groups.get(d)!;
        ctx.err(
          "rego_recursion_error",
          `rule ${d} is recursive: ${[...cyc, d].join(" -> ")}`,
          g.rules[0]?.loc ?? g.defaultRule?.loc,
        );
      } else if (s === 0) visit(d);
    }
    stack.pop();
    state.set(n, 2);
  };
  for (const n of names) if (!state.has(n)) visit(n);
}

// ---------------------------------------------------------------------------------------------

export function compileModules(
  modules: Module[],
  builtins: Readonly<Record<string, BuiltinDef>> = BUILTINS,
): CompiledProgram {
  const prev = builtinsInUse;
  builtinsInUse = builtins;
  try {
    return compileModulesWith(modules, builtins);
  } finally {
    builtinsInUse = prev;
  }
}

/** The counters fresh variable names are drawn from, as the compiles so far left them. */
export function nameCounters(): [fresh: number, hoist: number] {
  return [nameCount.fresh, nameCount.hoist];
}

function compileModulesWith(
  modules: Module[],
  builtins: Readonly<Record<string, BuiltinDef>>,
): CompiledProgram {
  const ctx = new CompileContext();
  const groups = new Map<string, RuleGroup>();
  const root = new DNode();
  const pkgRuleNames = new Map<string, Set<string>>();

  for (const m of modules) {
    const key = m.packagePath.join(".");
    const s = pkgRuleNames.get(key) ?? new Set<string>();
    for (const r of m.rules) s.add((r.head.ref[0] as { name: string }).name);
    pkgRuleNames.set(key, s);
  }

  interface Pending {
    rule: Rule;
    group: RuleGroup;
    mod: Module;
    dyn: Term[];
  }
  const pending: Pending[] = [];
  for (const m of modules) {
    let node = root;
    for (const p of m.packagePath) {
      let c = node.children.get(p);
      if (!c) {
        c = new DNode();
        node.children.set(p, c);
      }
      node = c;
    }
  }

  for (const m of modules) {
    for (const r of m.rules) {
      const head0 = r.head.ref[0];
      if (head0.kind === "var" && (head0.name === "input" || head0.name === "data")) {
        ctx.err(
          "rego_compile_error",
          `rules must not shadow ${head0.name} (use a different rule name)`,
          r.loc,
        );
        continue;
      }
      const { statics, dyn } = splitHead(r);
      let kind: RuleKind;
      if (r.head.args) {
        kind = "function";
        if (dyn.length > 0) {
          ctx.err("rego_parse_error", "function name must be a static path", r.loc);
          continue;
        }
      } else if (r.head.key) kind = "set";
      else kind = dyn.length > 0 ? "object" : "complete";
      if (r.isDefault && kind === "object") {
        ctx.err("rego_type_error", "default rules must not have a variable key", r.loc);
        continue;
      }
      const path = ["data", ...m.packagePath, ...statics];
      const name = path.join(".");
      let g = groups.get(name);
      if (!g) {
        g = { path, name, kind, rules: [], arity: r.head.args?.length ?? 0 };
        groups.set(name, g);
        let node = root;
        for (const p of path.slice(1)) {
          let c = node.children.get(p);
          if (!c) {
            c = new DNode();
            node.children.set(p, c);
          }
          node = c;
        }
        node.group = g;
      } else if (g.kind !== kind) {
        ctx.err("rego_type_error", `conflicting rules ${name} found`, r.loc);
        continue;
      } else if (kind === "function" && g.arity !== (r.head.args?.length ?? 0)) {
        ctx.err("rego_type_error", `conflicting rules ${name} found`, r.loc);
        continue;
      }
      if (r.isDefault && g.defaultRule) {
        ctx.err("rego_type_error", `multiple default rules ${name} found`, r.loc);
        continue;
      }
      pending.push({ rule: r, group: g, mod: m, dyn });
    }
  }

  const annotated = modules.some((m) => (m.annotations?.length ?? 0) > 0);
  for (const p of pending) {
    const m = p.mod;
    const imports = new Map<string, string[]>();
    for (const imp of m.imports) {
      const path = termPathName(imp.path)!.split(".");
      if (path[0] === "future" || path[0] === "rego") continue;
      const alias = imp.alias ?? path[path.length - 1];
      if (path.length === 1 && !imp.alias) continue;
      imports.set(alias, path);
    }
    const sc: Scope = {
      pkg: m.packagePath,
      ruleNames: pkgRuleNames.get(m.packagePath.join("."))!,
      imports,
      locals: new Set(),
      legacyNot: !importsFutureNot(m),
    };
    const cr = compileRule(p.rule, p.dyn, sc, groups, ctx);
    if (annotated) {
      const md = ruleMetadata(modules, m, p.rule);
      for (let c: CRule | undefined = cr; c; c = c.elseRule) c.metadata = md;
    }
    if (p.rule.isDefault) p.group.defaultRule = cr;
    else p.group.rules.push(cr);
  }

  // scheduling runs after every group is known (arity decides output args)
  for (const g of groups.values()) {
    const sched = (r: CRule): void => {
      const bound = new Set<string>();
      if (r.args) for (const a of r.args) termVars(a, bound);
      const outer = new Set<string>(bound);
      termVars(r.value, outer, false);
      if (r.key) termVars(r.key, outer);
      for (const k of r.dynKeys) termVars(k, outer);
      checkBodyCalls(r.body, groups, ctx);
      for (const t of [r.value, r.key, ...r.dynKeys]) if (t) checkCalls(t, groups, ctx, false);
      const res = scheduleBody(r.body, bound, outer, groups, ctx);
      r.body = planJoins(res.body, bound);
      for (const t of [r.value, r.key, ...r.dynKeys]) if (t) checkTermSafe(t, res.bound, ctx);
      if (r.elseRule) sched(r.elseRule);
    };
    for (const r of g.rules) sched(r);
    if (g.defaultRule) {
      const need = new Set<string>();
      valueNeeds(g.defaultRule.value, new Set(), need, new Set(), new Set());
      if (need.size > 0)
        ctx.err("rego_type_error", "default rule value cannot contain vars", g.defaultRule.loc);
    }
  }
  checkRecursion(groups, ctx);

  if (ctx.errors.length > 0) throw new RegoError(ctx.errors);
  return { root, groups, modules, builtins };
}

/** `import future.keywords.not` (or all future keywords): OPA's newer, whole-expression `not`. */
export function importsFutureNot(m: Module): boolean {
  return m.imports.some((imp) => {
    const p = termPathName(imp.path);
    return p === "future.keywords.not" || p === "future.keywords" || p === "rego.v2";
  });
}

function compileRule(
  r: Rule,
  dyn: Term[],
  sc0: Scope,
  groups: Map<string, RuleGroup>,
  ctx: CompileContext,
): CRule {
  const locals = new Set<string>();
  if (r.head.args) for (const a of r.head.args) termVars(a, locals);
  declaredIn(r.body, locals);
  checkRedeclared(r.body, ctx, new Set(r.head.args ? [...locals].filter(() => false) : []));
  for (const t of [r.head.value, r.head.key, ...r.head.ref.slice(1)])
    if (t) nestedRedeclared(t, ctx);
  const sc: Scope = { ...sc0, locals };
  const argVars = new Set<string>();
  if (r.head.args) for (const a of r.head.args) termVars(a, argVars);
  const body = resolveBody(scopeClosuresBeforeDeclarations(r.body, argVars), sc);
  const valueTerm: Term = r.head.value
    ? resolveTerm(r.head.value, sc)
    : { kind: "scalar", value: true, loc: r.loc };
  const cr: CRule = {
    dynKeys: dyn.map((t) => resolveTerm(t, sc)),
    key: r.head.key ? resolveTerm(r.head.key, sc) : undefined,
    value: valueTerm,
    args: r.head.args?.map((t) => resolveTerm(t, sc)),
    body,
    constValue: isConst(valueTerm) && dyn.length === 0 && !r.head.key,
    loc: r.loc,
    isDefault: r.isDefault,
  };
  if (r.elseRule) cr.elseRule = compileRule(r.elseRule, dyn, sc0, groups, ctx);
  return cr;
}

/** `x := …` twice in one body is an error; each comprehension and `every` body is its own scope. */
function checkRedeclared(body: Expr[], ctx: CompileContext, seen: Set<string>): void {
  for (const e of body) {
    const b = e.body;
    if (b.kind === "term") nestedRedeclared(b.term, ctx);
    else if (b.kind === "somein") nestedRedeclared(b.coll, ctx);
    else if (b.kind === "every") {
      nestedRedeclared(b.domain, ctx);
      checkRedeclared(b.body, ctx, new Set());
    }
    if (b.kind === "term" && b.term.kind === "call" && b.term.fn === "assign") {
      // OPA's checkRootDocumentOverrides: `input := …` / `data := …` would hide the root document
      const lhs = b.term.args[0];
      const lhsName =
        lhs.kind === "var"
          ? lhs.name
          : lhs.kind === "ref" && lhs.terms.length === 1 && lhs.terms[0].kind === "var"
            ? lhs.terms[0].name
            : undefined;
      if (lhsName === "input" || lhsName === "data")
        ctx.err(
          "rego_compile_error",
          `variables must not shadow ${lhsName} (use a different variable name)`,
          e.loc,
        );
      const vs = new Set<string>();
      patternVars(b.term.args[0], vs);
      for (const v of vs) {
        if (isWildcard(v)) continue;
        if (seen.has(v)) ctx.err("rego_compile_error", `var ${v} assigned above`, e.loc);
        seen.add(v);
      }
    }
  }
}

function nestedRedeclared(t: Term, ctx: CompileContext): void {
  switch (t.kind) {
    case "arraycomp":
    case "setcomp":
    case "objcomp":
      checkRedeclared(t.body, ctx, new Set());
      return;
    case "ref":
      t.terms.forEach((x) => nestedRedeclared(x, ctx));
      return;
    case "call":
      t.args.forEach((x) => nestedRedeclared(x, ctx));
      return;
    case "array":
    case "set":
      t.items.forEach((x) => nestedRedeclared(x, ctx));
      return;
    case "object":
      for (const [k, v] of t.items) {
        nestedRedeclared(k, ctx);
        nestedRedeclared(v, ctx);
      }
      return;
    default:
      return;
  }
}

/** Compile a query against the program: resolve (no package), check calls, schedule. */
export function compileQuery(exprs: Expr[], prog: CompiledProgram): Expr[] {
  const prev = builtinsInUse;
  builtinsInUse = prog.builtins;
  try {
    return compileQueryWith(exprs, prog);
  } finally {
    builtinsInUse = prev;
  }
}

function compileQueryWith(exprs: Expr[], prog: CompiledProgram): Expr[] {
  const ctx = new CompileContext();
  checkRedeclared(exprs, ctx, new Set());
  const locals = new Set<string>();
  declaredIn(exprs, locals);
  const sc: Scope = {
    pkg: [],
    ruleNames: new Set(),
    imports: new Map(),
    locals,
    legacyNot: true,
  };
  const body = resolveBody(scopeClosuresBeforeDeclarations(exprs, []), sc);
  checkBodyCalls(body, prog.groups, ctx);
  const res = scheduleBody(body, new Set(), new Set(), prog.groups, ctx);
  if (ctx.errors.length > 0) throw new RegoError(ctx.errors);
  // queries keep their literal order (result order is observable)
  return res.body;
}
