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
import { GENERATED, MODULE_COMMENTS, OPERATOR_SPANS, SPANS, parseModuleSource } from "../parser";
import { RegoError } from "../errors";
import { BuiltinError, defineAll } from "./types";
import { str } from "./operands";
import { Decimal, fromJS, toJS, type Value } from "../value";

type Json = Record<string, unknown>;

/**
 * What to add to the AST JSON, as OPA's `ast.JSONOptions` marshalling toggles do: `location`
 * objects `{file, row, col, text}` (text base64, as Go marshals the source bytes) on the package,
 * imports, rules, heads, expressions and terms; the module's `comments` ({text, location}, text
 * base64 without the `#`); and its METADATA `annotations` (also under each rule they belong to).
 */
export interface AstJSONOptions {
  readonly locations?: boolean;
  readonly comments?: boolean;
  readonly annotations?: boolean;
  /** Parse as Rego v0 (default v1). */
  readonly regoVersion?: 0 | 1;
}

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
  /** Offsets where each line of the source starts (to check a span belongs to this text). */
  private readonly lineStarts: number[] = [0];

  constructor(
    private readonly src = "",
    private readonly opts: AstJSONOptions = {},
  ) {
    for (let i = 0; i < src.length; i++) if (src.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  /** OPA's location object for a node starting at row:col whose source is span (if known). */
  private location(
    at: { file?: string; row: number; col: number },
    span?: { start: number; end: number },
  ): Json {
    const out: Json = { file: at.file ?? "", row: at.row, col: at.col };
    // spans of nodes parsed out of place (template-string holes) do not index this text
    const start = (this.lineStarts[at.row - 1] ?? -1) + at.col - 1;
    if (span && span.start === start && span.end >= span.start)
      out.text = Buffer.from(this.src.slice(span.start, span.end)).toString("base64");
    return out;
  }

  /** Adds `location` first (as OPA's JSON lists it) when locations are asked for. */
  private located(node: object, at: Term["loc"] | undefined, body: Json): Json {
    if (!this.opts.locations || !at) return body;
    return { location: this.location(at, SPANS.get(node)), ...body };
  }

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
  private nameRef(dotted: string, call?: Term): Json {
    const [head, ...rest] = dotted.split(".");
    const ref: Json = {
      type: "ref",
      value: [{ type: "var", value: head }, ...rest.map((p) => ({ type: "string", value: p }))],
    };
    const span = call && OPERATOR_SPANS.get(call);
    if (!this.opts.locations || !call || !span) return ref;
    // the operator (`==`) or function name (`count`) where it is written
    const before = this.src.slice(0, span.start);
    const row = before.split("\n").length;
    const col = span.start - before.lastIndexOf("\n");
    const location = this.location({ file: call.loc.file, row, col }, span);
    const parts = ref.value as Json[];
    parts[0] = { location, ...parts[0] };
    return { location, ...ref };
  }

  term(t: Term): Json {
    return this.located(t, t.loc, this.termBody(t));
  }

  private termBody(t: Term): Json {
    switch (t.kind) {
      case "scalar": {
        const v = t.value;
        const type =
          v === null
            ? "null"
            : typeof v === "bigint" || v instanceof Decimal
              ? "number"
              : (typeof v as string);
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
        if (t.fn === "internal.template_string") {
          const tpl = this.templateString(t);
          if (tpl) return tpl;
        }
        return {
          type: "call",
          value: [this.nameRef(t.fn, t), ...t.args.map((x) => this.term(x))],
        };
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

  /**
   * OPA 1.x's template-string term, `{type: templatestring, value: {multi_line?, parts}}`: string
   * parts as string terms, each `{expr}` hole as an expression. Read back from the
   * `internal.template_string([…, {v | v := expr}, …])` call the parser rewrites it to.
   */
  private templateString(t: Extract<Term, { kind: "call" }>): Json | undefined {
    const arr = t.args[0];
    if (t.args.length !== 1 || arr?.kind !== "array") return undefined;
    const parts: Json[] = [];
    for (const p of arr.items) {
      if (p.kind === "scalar" && typeof p.value === "string") {
        parts.push({ type: "string", value: p.value });
        continue;
      }
      const bind = p.kind === "setcomp" && p.body.length === 1 ? p.body[0].body : undefined;
      if (bind?.kind !== "term" || bind.term.kind !== "call" || bind.term.fn !== "assign")
        return undefined;
      const hole = bind.term.args[1];
      const e = (p as Extract<Term, { kind: "setcomp" }>).body[0];
      const holeExpr: Expr = { ...e, body: { kind: "term", term: hole } };
      parts.push(this.expr(holeExpr, 0));
    }
    const value: Json = {};
    const span = SPANS.get(t);
    if (span && this.src.startsWith("$`", span.start)) value.multi_line = true;
    value.parts = parts;
    return { type: "templatestring", value };
  }

  private exprTerms(e: Expr): unknown {
    const b = e.body;
    switch (b.kind) {
      case "term":
        // a call at the top of an expression is the expression's operator and operands
        return b.term.kind === "call"
          ? [this.nameRef(b.term.fn, b.term), ...b.term.args.map((x) => this.term(x))]
          : this.term(b.term);
      case "some":
        return this.declaration(e, { symbols: this.someSymbols(e, b.vars) });
      case "somein": {
        const args = [...(b.key ? [b.key] : []), b.value, b.coll].map((x) => this.term(x));
        const member = b.key ? "internal.member_3" : "internal.member_2";
        const body = { type: "call", value: [this.nameRef(member), ...args] };
        // OPA locates the membership call from its first operand to the collection's end
        const first = b.key ?? b.value;
        const from = SPANS.get(first);
        const to = SPANS.get(b.coll);
        const call =
          this.opts.locations && from && to
            ? { location: this.location(first.loc, { start: from.start, end: to.end }), ...body }
            : this.declaration(e, body);
        return this.declaration(e, { symbols: [call] });
      }
      case "every":
        return this.declaration(e, {
          key: b.key ? this.term(b.key) : null,
          value: this.term(b.value),
          domain: this.term(b.domain),
          body: this.body(b.body),
        });
      case "join":
        // compiler-generated; never produced by the parser
        throw new Error("join expressions have no OPA AST form");
    }
  }

  /** `some x, y`: the declared vars, located by finding each name in the declaration's text. */
  private someSymbols(e: Expr, vars: string[]): Json[] {
    let from = "some".length;
    return vars.map((v) => {
      const out: Json = { type: "var", value: this.varName(v) };
      if (!this.opts.locations || v.startsWith("$")) return out;
      const m = new RegExp(`\\b${v}\\b`).exec(e.text.slice(from));
      if (!m || e.text.slice(0, from + m.index).includes("\n")) return out;
      const col = e.loc.col + from + m.index;
      const start = (this.lineStarts[e.loc.row - 1] ?? 0) + col - 1;
      from += m.index + v.length;
      return {
        location: this.location({ ...e.loc, col }, { start, end: start + v.length }),
        ...out,
      };
    });
  }

  /** `some`/`every` declarations are located where the expression is (the keyword). */
  private declaration(e: Expr, body: Json): Json {
    if (!this.opts.locations) return body;
    return { location: this.exprLocation(e), ...body };
  }

  private exprLocation(e: Expr): Json {
    const start = (this.lineStarts[e.loc.row - 1] ?? 0) + e.loc.col - 1;
    return this.location(e.loc, { start, end: start + e.text.length });
  }

  private expr(e: Expr, index: number): Json {
    const out: Json = this.opts.locations ? { location: this.exprLocation(e) } : {};
    out.index = index;
    out.terms = this.exprTerms(e);
    if (e.negated) out.negated = true;
    if (e.withs.length)
      out.with = e.withs.map((w) =>
        this.located(w, w.loc, {
          target: this.withTarget(w.target),
          value: this.term(w.value),
        }),
      );
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
    // `f()` has no args in OPA's JSON (omitempty), like a rule
    if (h.args?.length) head.args = h.args.map((x) => this.term(x));
    if (h.key) head.key = this.term(h.key);
    // `p if …` and `f(x) if …` have OPA's implicit value true; `contains` rules have none
    if (h.value) head.value = this.term(h.value);
    else if (!h.key) head.value = { type: "boolean", value: true };
    if (h.assign) head.assign = true;
    const out: Json = {};
    const annotations = this.opts.annotations ? this.ruleAnnotations.get(r) : undefined;
    if (annotations) out.annotations = annotations;
    if (r.isDefault) out.default = true;
    // a default rule's head starts at its name, after `default`
    out.head = this.located(h, r.isDefault ? h.ref[0].loc : r.loc, head);
    out.body = this.body(r.body);
    // a rule written without a body (`p := 1`) has the generated `true` OPA gives it
    // (marked only with locations, where a reader needs to tell it from a written `true`)
    if (this.opts.locations && r.body.length === 1 && GENERATED.has(r.body[0]))
      (out.body as Json[])[0].generated = true;
    if (r.elseRule) out.else = this.rule(r.elseRule);
    return this.located(r, r.loc, out);
  }

  private readonly ruleAnnotations = new Map<Rule, Json[]>();

  /** A METADATA block's location: its comment lines, from `# METADATA` on. */
  private blockLocation(m: Module, row: number): Json {
    const comments = MODULE_COMMENTS.get(m) ?? [];
    let i = comments.findIndex((c) => c.row === row && c.col === 1);
    if (i < 0) return this.location({ file: m.file, row, col: 1 });
    let end = row;
    while (comments[i + 1]?.row === end + 1 && comments[i + 1].col === 1) {
      i++;
      end++;
    }
    const start = this.lineStarts[row - 1] ?? 0;
    const last = comments[i];
    const stop = (this.lineStarts[end - 1] ?? 0) + last.col + last.text.length;
    return this.location({ file: m.file, row, col: 1 }, { start, end: stop });
  }

  private annotations(m: Module): Json[] {
    const out: Json[] = [];
    for (const a of m.annotations ?? []) {
      const json = { ...(toPlain(a.value) as Json) };
      if (this.opts.locations) json.location = this.blockLocation(m, a.loc.row);
      out.push(json);
      if (a.rule) {
        const list = this.ruleAnnotations.get(a.rule) ?? [];
        list.push(json);
        this.ruleAnnotations.set(a.rule, list);
      }
    }
    return out;
  }

  module(m: Module): Json {
    const annotations = this.opts.annotations ? this.annotations(m) : [];
    const path = this.opts.locations ? this.packagePath(m) : undefined;
    const out: Json = {
      package: this.located(m, m.packageLoc, {
        path: path ?? [
          { type: "var", value: "data" },
          ...m.packagePath.map((p) => ({ type: "string", value: p })),
        ],
      }),
    };
    if (m.imports.length)
      out.imports = m.imports.map((i) =>
        this.located(i, i.loc, {
          path: this.withTarget(i.path),
          ...(i.alias ? { alias: i.alias } : {}),
        }),
      );
    if (m.rules.length) out.rules = m.rules.map((r) => this.rule(r));
    if (annotations.length) out.annotations = annotations;
    if (this.opts.comments) {
      const comments = MODULE_COMMENTS.get(m) ?? [];
      if (comments.length)
        out.comments = comments.map((c) => {
          const text = "#" + c.text;
          const start = (this.lineStarts[c.row - 1] ?? 0) + c.col - 1;
          // OPA's `# METADATA` comment shares its location with the annotation block it opens
          const opens = c.col === 1 && m.annotations?.some((a) => a.loc.row === c.row);
          const location = opens
            ? this.blockLocation(m, c.row)
            : this.location(
                { file: m.file, row: c.row, col: c.col },
                { start, end: start + text.length },
              );
          return { text: Buffer.from(c.text).toString("base64"), location };
        });
    }
    return out;
  }

  /**
   * The package path as OPA builds it: `data` (no location) then the written parts. The parts'
   * locations come from re-reading the clause (the package ref is not kept as a term).
   */
  private packagePath(m: Module): Json[] {
    const span = SPANS.get(m);
    const out: Json[] = [{ type: "var", value: "data" }];
    let at = span ? this.src.indexOf(m.packagePath[0] ?? "", span.start + "package".length) : -1;
    for (const p of m.packagePath) {
      const part: Json = { type: "string", value: p };
      if (at >= 0) {
        const row = this.src.slice(0, at).split("\n").length;
        const col = at - (this.lineStarts[row - 1] ?? 0) + 1;
        out.push({
          location: this.location({ file: m.file, row, col }, { start: at, end: at + p.length }),
          ...part,
        });
        at = this.src.indexOf(".", at + p.length);
        if (at >= 0) at = this.src.slice(at + 1).search(/\S/) + at + 1;
      } else out.push(part);
    }
    return out;
  }
}

/** The module's AST as OPA's JSON shape (plain JS). Parse errors are thrown as RegoError. */
export function moduleAstJSON(filename: string, text: string, opts: AstJSONOptions = {}): Json {
  const mod = parseModuleSource(filename, text, { regoVersion: opts.regoVersion });
  return new Converter(text, opts).module(mod);
}

function toPlain(v: Value): unknown {
  return JSON.parse(JSON.stringify(toJS(v)));
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
