/**
 * `rego.parse_module(filename, text)`: a Rego v1 module as OPA's AST JSON (the shape of
 * `opa parse --format json` without locations, which the built-in leaves out too):
 *
 *   {package: {path: [var data, string …]},
 *    imports: [{path: ref, alias?}],
 *    rules: [{default?, head: {name?, ref, args?, key?, value?, assign?}, body: [expr…], else?}]}
 *   expr  {index, terms, negated?, with?: [{target, value}]}; terms is an array [operator ref,
 *         operands…] for a call, one term otherwise, {symbols} for `some`, {key, value, domain,
 *         body} for `every`
 *   term  {type, value}: null/boolean/number/string, var, ref [head, …], array, set,
 *         object [[k, v]…], call [ref, args…], arraycomprehension/setcomprehension {term, body},
 *         objectcomprehension {key, value, body}
 *
 * Where this differs from OPA: terms carry no `location`, and `comments` and `annotations` are not
 * produced; `name` is given only for single-part heads (`a.b.c := 1` has just its ref); template
 * strings appear as the `internal.template_string` call this engine's parser rewrites them to
 * (OPA 1.x has its own template-string term); `not { … }` blocks appear as this parser desugars
 * them. Wildcards `_` are numbered `$0`, `$1`, … per module as OPA numbers them.
 */
import type { Expr, Module, Rule, Term } from "../ast";
import { parseModuleSource } from "../parser";
import { RegoError } from "../errors";
import { BuiltinError, defineAll } from "./types";
import { str } from "./operands";
import { fromJS, type Value } from "../value";

type Json = Record<string, unknown>;

function renumber(seen: Map<string, string>, name: string, fmt: (i: number) => string): string {
  let n = seen.get(name);
  if (n === undefined) {
    n = fmt(seen.size);
    seen.set(name, n);
  }
  return n;
}

class Converter {
  private readonly wildcards = new Map<string, string>();

  private readonly templateVars = new Map<string, string>();

  /**
   * The parser numbers generated vars (`$_N` wildcards, `__tplN__` template holes) with a
   * process-wide counter; renumber them per module so one text always gives one AST.
   */
  private varName(name: string): string {
    if (name.startsWith("$_")) return renumber(this.wildcards, name, (i) => `$${i}`);
    if (/^__tpl\d+__$/.test(name)) return renumber(this.templateVars, name, (i) => `__tpl${i}__`);
    return name;
  }

  /** A dotted operator or function name as OPA's ref: `strings.split_n` → [var strings, "split_n"]. */
  private nameRef(dotted: string): Json {
    const [head, ...rest] = dotted.split(".");
    return {
      type: "ref",
      value: [{ type: "var", value: head }, ...rest.map((p) => ({ type: "string", value: p }))],
    };
  }

  term(t: Term): Json {
    switch (t.kind) {
      case "scalar": {
        const v = t.value;
        const type = v === null ? "null" : typeof v === "bigint" ? "number" : (typeof v as string);
        return { type, value: v };
      }
      case "var":
        return { type: "var", value: this.varName(t.name) };
      case "ref":
        return { type: "ref", value: t.terms.map((x) => this.term(x)) };
      case "array":
        return { type: "array", value: t.items.map((x) => this.term(x)) };
      case "set":
        return { type: "set", value: t.items.map((x) => this.term(x)) };
      case "object":
        return { type: "object", value: t.items.map(([k, v]) => [this.term(k), this.term(v)]) };
      case "call":
        return { type: "call", value: [this.nameRef(t.fn), ...t.args.map((x) => this.term(x))] };
      case "arraycomp":
        return {
          type: "arraycomprehension",
          value: { term: this.term(t.head), body: this.body(t.body) },
        };
      case "setcomp":
        return {
          type: "setcomprehension",
          value: { term: this.term(t.head), body: this.body(t.body) },
        };
      case "objcomp":
        return {
          type: "objectcomprehension",
          value: { key: this.term(t.key), value: this.term(t.value), body: this.body(t.body) },
        };
    }
  }

  private exprTerms(e: Expr): unknown {
    const b = e.body;
    switch (b.kind) {
      case "term":
        // a call at the top of an expression is the expression's operator and operands
        return b.term.kind === "call"
          ? [this.nameRef(b.term.fn), ...b.term.args.map((x) => this.term(x))]
          : this.term(b.term);
      case "some":
        return { symbols: b.vars.map((v) => ({ type: "var", value: this.varName(v) })) };
      case "somein": {
        const args = [...(b.key ? [b.key] : []), b.value, b.coll].map((x) => this.term(x));
        const member = b.key ? "internal.member_3" : "internal.member_2";
        return { symbols: [{ type: "call", value: [this.nameRef(member), ...args] }] };
      }
      case "every":
        return {
          key: b.key ? this.term(b.key) : null,
          value: this.term(b.value),
          domain: this.term(b.domain),
          body: this.body(b.body),
        };
      case "join":
        // compiler-generated; never produced by the parser
        throw new Error("join expressions have no OPA AST form");
    }
  }

  private expr(e: Expr, index: number): Json {
    const out: Json = { index, terms: this.exprTerms(e) };
    if (e.negated) out.negated = true;
    if (e.withs.length)
      out.with = e.withs.map((w) => ({
        target: this.withTarget(w.target),
        value: this.term(w.value),
      }));
    return out;
  }

  /** OPA's `with` target is always a ref (`with input as …` → ref [var input]). */
  private withTarget(t: Term): Json {
    return t.kind === "var" ? { type: "ref", value: [this.term(t)] } : this.term(t);
  }

  body(exprs: Expr[]): Json[] {
    return exprs.map((e, i) => this.expr(e, i));
  }

  rule(r: Rule): Json {
    const h = r.head;
    const head: Json = {};
    const first = h.ref[0];
    if (h.ref.length === 1 && first.kind === "var") head.name = first.name;
    head.ref = h.ref.map((x) => this.term(x));
    if (h.args) head.args = h.args.map((x) => this.term(x));
    if (h.key) head.key = this.term(h.key);
    // `p if …` and `f(x) if …` have OPA's implicit value true; `contains` rules have none
    if (h.value) head.value = this.term(h.value);
    else if (!h.key) head.value = { type: "boolean", value: true };
    if (h.assign) head.assign = true;
    const out: Json = {};
    if (r.isDefault) out.default = true;
    out.head = head;
    out.body = this.body(r.body);
    if (r.elseRule) out.else = this.rule(r.elseRule);
    return out;
  }

  module(m: Module): Json {
    const out: Json = {
      package: {
        path: [
          { type: "var", value: "data" },
          ...m.packagePath.map((p) => ({ type: "string", value: p })),
        ],
      },
    };
    if (m.imports.length)
      out.imports = m.imports.map((i) => ({
        path: this.term(i.path),
        ...(i.alias ? { alias: i.alias } : {}),
      }));
    if (m.rules.length) out.rules = m.rules.map((r) => this.rule(r));
    return out;
  }
}

/** The module's AST as OPA's JSON shape (plain JS). Parse errors are thrown as RegoError. */
export function moduleAstJSON(filename: string, text: string): Json {
  return new Converter().module(parseModuleSource(filename, text));
}

function parseModule(args: Value[]): Value {
  const name = "rego.parse_module";
  const filename = str(name, args[0], 1);
  const text = str(name, args[1], 2);
  try {
    return fromJS(moduleAstJSON(filename, text));
  } catch (err) {
    if (err instanceof RegoError) throw new BuiltinError(err.message);
    throw err;
  }
}

export const builtins = defineAll([{ name: "rego.parse_module", arity: 2, impl: parseModule }]);
