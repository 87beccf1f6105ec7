/**
 * Rego v1 parser: tokens → Module / query. Operators become calls of their built-ins
 * (`+` → plus, `==` → equal, `=` → eq (unification), `:=` → assign, `in` → internal.member_2).
 */
import { termPathName } from "./ast";
import type { Expr, ExprBody, Import, Loc, Module, Rule, RuleHead, Term, With } from "./ast";
import { regoError } from "./errors";
import { attachAnnotations } from "./annotations";
import { DEPRECATED_BUILTINS } from "./builtins/names";
import { tokenize, type Comment, type Token } from "./lexer";
import { negateNumber, numberFromText, type Num, type Value } from "./value";

const KEYWORDS = new Set([
  "if",
  "contains",
  "in",
  "every",
  "some",
  "not",
  "with",
  "as",
  "else",
  "default",
  "package",
  "import",
]);

const RELATION: Record<string, string> = {
  "==": "equal",
  "!=": "neq",
  "<": "lt",
  ">": "gt",
  "<=": "lte",
  ">=": "gte",
};

/** Keywords a Rego v0 module only has after importing them (`future.keywords…` or `rego.v1`). */
const FUTURE_KEYWORDS = new Set(["if", "contains", "in", "every"]);
/**
 * Future keywords that stay opt-in in v1 too (`import future.keywords.or`): `not` (newer negation
 * semantics), `and`/`or` (conjunction and disjunction inside one body, OPA 1.x).
 */
const OPT_IN_KEYWORDS = new Set(["not", "and", "or"]);

export interface ParseOptions {
  /** Rego v0 syntax (OPA's `--v0-compatible`, a bundle's `rego_version: 0`). Default: v1. */
  readonly regoVersion?: 0 | 1;
}

let wildcardCounter = 0;

/** A number literal's value, exact as OPA keeps it (value.ts `numberFromText`). */
export function parseNumber(text: string): Value {
  return numberFromText(text) ?? Number(text);
}

export class Parser {
  private readonly toks: Token[];
  private pos = 0;
  private readonly nlStack: boolean[] = [true];
  /** Rego v0 rules (`p { … }`, `deny[msg] { … }`) until `import rego.v1`. */
  private v0: boolean;
  /** Future keywords a v0 module imported. */
  private readonly imported = new Set<string>();
  /** The last head ref part was written in brackets (`p[x]`, not `p.x`). */
  private lastHeadBracket = false;
  private readonly comments: Comment[] = [];

  constructor(
    private readonly file: string,
    private readonly src: string,
    opts: ParseOptions = {},
  ) {
    this.toks = tokenize(file, src, this.comments);
    this.v0 = opts.regoVersion === 0;
  }

  /** A future keyword is a keyword in v1, and in v0 once imported. */
  private kwOn(k: string): boolean {
    return !this.v0 || !FUTURE_KEYWORDS.has(k) || this.imported.has(k);
  }
  private isKeyword(name: string): boolean {
    return KEYWORDS.has(name) && this.kwOn(name);
  }

  // ---- token helpers -------------------------------------------------------------------------
  private peek(o = 0): Token {
    return this.toks[Math.min(this.pos + o, this.toks.length - 1)];
  }
  private next(): Token {
    const t = this.toks[this.pos];
    if (this.pos < this.toks.length - 1) this.pos++;
    return t;
  }
  private last(): Token {
    return this.toks[Math.max(0, this.pos - 1)];
  }
  private loc(t: Token): Loc {
    return { file: this.file, row: t.row, col: t.col };
  }
  private isP(t: Token, p: string): boolean {
    return t.kind === "punct" && t.text === p;
  }
  private isKw(t: Token, k: string): boolean {
    return t.kind === "ident" && t.text === k && this.kwOn(k);
  }
  private sameLine(t: Token): boolean {
    return !t.nl || !this.nlStack[this.nlStack.length - 1];
  }
  private fail(msg: string, t: Token = this.peek()): never {
    throw regoError("rego_parse_error", msg, this.loc(t));
  }
  private expectP(p: string): Token {
    const t = this.peek();
    if (!this.isP(t, p)) this.fail(`unexpected ${describe(t)} token: expected ${p}`);
    return this.next();
  }
  private acceptP(p: string, sameLine = false): boolean {
    const t = this.peek();
    if (this.isP(t, p) && (!sameLine || this.sameLine(t))) {
      this.next();
      return true;
    }
    return false;
  }
  private acceptKw(k: string): boolean {
    if (this.isKw(this.peek(), k)) {
      this.next();
      return true;
    }
    return false;
  }
  private withNl<T>(sensitive: boolean, f: () => T): T {
    this.nlStack.push(sensitive);
    try {
      return f();
    } finally {
      this.nlStack.pop();
    }
  }

  // ---- module --------------------------------------------------------------------------------
  parseModule(): Module {
    const pt = this.peek();
    if (!this.isKw(pt, "package")) this.fail("package expected");
    this.next();
    const pref = this.parseRefTerm();
    const packagePath = this.refToPath(pref, "package");
    const mod: Module = {
      file: this.file,
      packagePath,
      packageLoc: this.loc(pt),
      imports: [],
      rules: [],
    };
    while (this.peek().kind !== "eof") {
      const t = this.peek();
      // like OPA's parser, an import may follow rules: it applies to the whole module
      if (this.isKw(t, "import")) {
        mod.imports.push(this.parseImport());
        continue;
      }
      if (this.isKw(t, "package")) this.fail("unexpected package keyword");
      const r = this.parseRule();
      r.module = mod;
      mod.rules.push(r);
      // v0: `p { a } { b }` chains bodies, each another definition with the same head (OPA's
      // parser copies the head for every further `{`; regula's libraries write functions so)
      while (this.v0 && !r.isDefault && this.isP(this.peek(), "{")) {
        const bt = this.next();
        const body = this.parseBody("}");
        mod.rules.push({
          head: { ...r.head },
          body,
          isDefault: false,
          loc: this.loc(bt),
          module: mod,
        });
      }
    }
    attachAnnotations(mod, this.comments);
    // OPA locates the package clause at its keyword (the location's text is `package`)
    SPANS.set(mod, { start: pt.start, end: pt.end });
    MODULE_COMMENTS.set(mod, this.comments);
    return mod;
  }

  private refToPath(t: Term, what: string): string[] {
    const parts: string[] = [];
    if (t.kind === "var") return [t.name];
    if (t.kind !== "ref") this.fail(`invalid ${what} path`);
    for (let i = 0; i < t.terms.length; i++) {
      const x = t.terms[i];
      if (i === 0 && x.kind === "var") parts.push(x.name);
      else if (x.kind === "scalar" && typeof x.value === "string") parts.push(x.value);
      else throw regoError("rego_parse_error", `invalid ${what} path`, x.loc);
    }
    return parts;
  }

  private parseImport(): Import {
    const it = this.next();
    const path = this.parseRefTerm();
    const p = path.kind === "var" ? [path.name] : this.refToPath(path, "import");
    if (!["data", "input", "future", "rego"].includes(p[0]))
      throw regoError(
        "rego_parse_error",
        "invalid import path: must begin with input or data",
        path.loc,
      );
    let alias: string | undefined;
    if (this.acceptKw("as")) {
      const a = this.next();
      if (a.kind !== "ident") this.fail("import alias must be an identifier", a);
      alias = a.text;
    }
    if (p[0] === "future" && p[1] === "keywords") {
      if (p.length === 2) for (const k of FUTURE_KEYWORDS) this.imported.add(k);
      else if (p.length === 3 && (FUTURE_KEYWORDS.has(p[2]) || OPT_IN_KEYWORDS.has(p[2])))
        this.imported.add(p[2]);
      else
        throw regoError(
          "rego_parse_error",
          `unexpected future keyword: ${p.slice(2).join(".")}`,
          path.loc,
        );
    } else if (p[0] === "rego" && (p.length !== 2 || (p[1] !== "v1" && p[1] !== "v2"))) {
      throw regoError("rego_parse_error", "invalid import, must be `rego.v1`", path.loc);
    } else if (p[0] === "rego") {
      // `import rego.v1` in a v0 module: the rest of it is written in v1. `import rego.v2` (OPA's
      // preview, on main after v1.21) is v1 plus whole-expression `not` (see importsFutureNot);
      // its `and` / `or` keywords are not switched on by it here: they stay opt-in
      // (`import future.keywords.and` / `.or`).
      for (const k of FUTURE_KEYWORDS) this.imported.add(k);
      this.v0 = false;
    } else if (p[0] === "future") {
      throw regoError("rego_parse_error", "invalid import, must be `future.keywords`", path.loc);
    }
    return this.span({ path, alias, loc: this.loc(it) }, it.start);
  }

  // ---- rules ---------------------------------------------------------------------------------
  private parseRule(): Rule {
    const start = this.peek();
    const isDefault = this.acceptKw("default");
    const nameTok = this.peek();
    if (nameTok.kind !== "ident" || this.isKeyword(nameTok.text))
      this.fail(`unexpected ${describe(nameTok)} token: expected rule head`);
    const ref = this.parseHeadRef();
    const head: RuleHead = { ref, assign: false };
    if (this.isP(this.peek(), "(") && !this.peek().nl) {
      this.next();
      head.args = this.withNl(false, () => this.parseList(")"));
    }
    if (isDefault) {
      if (this.acceptP(":=")) head.assign = true;
      else if (!this.acceptP("=")) this.fail("default rules must use := or =");
      head.value = this.parseTermExpr();
      this.span(head, nameTok.start);
      const dr = { head, body: [trueExpr(this.loc(start))], isDefault, loc: this.loc(start) };
      // OPA locates a default rule at its `default` keyword
      return this.span(dr, start.start, start.end);
    }
    if (this.isKw(this.peek(), "contains")) {
      this.next();
      head.key = this.parseTermExpr();
    } else if (this.isP(this.peek(), ":=") || this.isP(this.peek(), "=")) {
      head.assign = this.next().text === ":=";
      head.value = this.parseTermExpr();
    } else if (this.v0 && !head.args && ref.length === 2 && this.lastHeadBracket) {
      // v0: `deny[msg] { … }` is a partial set rule with member msg
      head.key = ref[1];
      head.ref = [ref[0]];
    }
    this.span(head, nameTok.start);
    const rule: Rule = { head, body: [], isDefault, loc: this.loc(start) };
    rule.body = this.parseRuleBody(start);
    let cur = rule;
    while (this.isKw(this.peek(), "else")) {
      const et = this.next();
      const eh: RuleHead = { ref: head.ref, args: head.args, assign: false };
      if (this.isP(this.peek(), ":=") || this.isP(this.peek(), "=")) {
        eh.assign = this.next().text === ":=";
        eh.value = this.parseTermExpr();
      }
      this.span(eh, et.start);
      const er: Rule = { head: eh, body: [], isDefault: false, loc: this.loc(et) };
      er.body = this.parseRuleBody(et);
      cur.elseRule = this.span(er, et.start);
      cur = er;
    }
    return this.span(rule, start.start);
  }

  private parseRuleBody(start: Token): Expr[] {
    if (this.acceptKw("if")) {
      if (this.isP(this.peek(), "{")) {
        // `if {` starts a body, unless it only parses as a literal (e.g. `if {x: 1 | …}[k]`)
        const save = this.pos;
        try {
          this.next();
          const body = this.parseBody("}");
          // `if { … } or { … }`: the block is the first operand of a disjunction
          if (!this.isLogical(this.peek(), "or") && !this.isLogical(this.peek(), "and"))
            return body;
          this.pos = save;
          return [this.parseLiteral()];
        } catch (err) {
          this.pos = save;
          try {
            return [this.parseLiteral()];
          } catch {
            throw err;
          }
        }
      }
      return [this.parseLiteral()];
    }
    // v0: OPA's scanner skips the line break, so the body's `{` may open on the next line
    // (gatekeeper-library writes `f(x)\n{ … }`)
    if (this.isP(this.peek(), "{") && (this.v0 || this.sameLine(this.peek()))) {
      if (!this.v0) this.fail("`if` keyword is required before rule body");
      this.next();
      return this.parseBody("}");
    }
    return [trueExpr(this.loc(start))];
  }

  private parseHeadRef(): Term[] {
    const first = this.next();
    const headVar: Term = { kind: "var", name: first.text, loc: this.loc(first) };
    const terms: Term[] = [this.span(headVar, first.start, first.end)];
    this.lastHeadBracket = false;
    for (;;) {
      const t = this.peek();
      this.lastHeadBracket = this.isP(t, "[");
      if (this.isP(t, ".") && !t.nl) {
        this.next();
        const id = this.next();
        if (id.kind !== "ident") this.fail("expected identifier after '.'", id);
        terms.push(
          this.span({ kind: "scalar", value: id.text, loc: this.loc(id) }, id.start, id.end),
        );
      } else if (this.isP(t, "[") && !t.nl) {
        this.next();
        const x = this.withNl(false, () => this.parseTermExpr());
        this.expectP("]");
        terms.push(x);
      } else {
        this.lastHeadBracket = terms.length > 1 && this.toks[this.pos - 1].text === "]";
        break;
      }
    }
    return terms;
  }

  /** Literals until `close` (consumed), separated by `;` or line breaks. */
  private parseBody(close: string): Expr[] {
    return this.withNl(true, () => {
      const out: Expr[] = [];
      for (;;) {
        if (this.acceptP(close)) break;
        if (this.peek().kind === "eof") this.fail(`unexpected eof token: expected ${close}`);
        out.push(this.parseLiteral());
        const t = this.peek();
        if (this.isP(t, ";")) {
          this.next();
          continue;
        }
        if (this.isP(t, close)) continue;
        if (!t.nl) this.fail(`unexpected ${describe(t)} token: expected \\n or ; or ${close}`);
      }
      if (out.length === 0) this.fail("found empty body", this.last());
      return out;
    });
  }

  /** A query: literals separated by `;` or newlines until eof. */
  parseQuery(): Expr[] {
    const out: Expr[] = [];
    while (this.peek().kind !== "eof") {
      out.push(this.parseLiteral());
      const t = this.peek();
      if (this.isP(t, ";")) {
        this.next();
        continue;
      }
      if (t.kind === "eof") break;
      if (!t.nl) this.fail(`unexpected ${describe(t)} token: expected \\n or ; or eof`);
    }
    if (out.length === 0) this.fail("empty query");
    return out;
  }

  private parseLiteral(): Expr {
    const st = this.peek();
    const loc = this.loc(st);
    let body: ExprBody;
    let negated = false;
    if (this.isKw(st, "some")) {
      this.next();
      body = this.parseSome();
    } else if (this.isKw(st, "every")) {
      this.next();
      body = this.parseEvery();
    } else {
      negated = this.acceptKw("not");
      const bt = this.peek();
      if (negated && this.isP(bt, "{")) {
        // `not { … }` (OPA 1.x): true when the block has no solution. Desugared to a lookup that
        // is defined iff the block has one, `[true | …][0]`; the block's own `:=`/`some` vars
        // stay local as a comprehension's do.
        this.next();
        const inner = this.parseBody("}");
        const bloc = this.loc(bt);
        const comp: Term = {
          kind: "arraycomp",
          head: scalarTerm(true, bloc),
          body: inner,
          loc: bloc,
        };
        body = {
          kind: "term",
          term: { kind: "ref", terms: [comp, scalarTerm(0, bloc)], loc: bloc },
        };
      } else if (this.imported.has("or") || this.imported.has("and")) {
        body = this.parseDisjunction();
      } else body = { kind: "term", term: this.parseExprTerm() };
    }
    const withs: With[] = [];
    while (this.isKw(this.peek(), "with")) {
      const wt = this.next();
      const target = this.parseRefTerm();
      if (!this.acceptKw("as")) this.fail("expected as");
      const value = this.parseRelation();
      withs.push({ target, value, loc: this.loc(wt) });
    }
    const text = this.src.slice(st.start, this.last().end);
    return { body, negated, withs, loc, text };
  }

  /** `and`/`or` are keywords only where imported (`import future.keywords.or`), in v0 and v1. */
  private isLogical(t: Token, k: "and" | "or"): boolean {
    return t.kind === "ident" && t.text === k && this.imported.has(k) && this.sameLine(t);
  }

  /**
   * `A or B`, `A and B` (OPA 1.x opt-in keywords; `and` binds tighter): operands are expressions
   * or `{ … }` query blocks, and the whole succeeds once (no value, no bindings out). Desugared
   * to lookups defined iff some alternative has a solution: `[true | A][0]` for one conjunction,
   * `array.concat([true | A], [true | B])[0]` for several — each block's own vars stay local, as
   * a comprehension's do. A lone expression without either keyword is returned unchanged.
   */
  private parseDisjunction(): ExprBody {
    const alts: { exprs: Expr[]; plain: boolean }[] = [this.parseConjunction(true)];
    while (this.isLogical(this.peek(), "or")) {
      this.next();
      alts.push(this.parseConjunction(false));
    }
    if (alts.length === 1 && alts[0].plain) return alts[0].exprs[0].body;
    const comps: Term[] = alts.map(({ exprs }) => {
      const l = exprs[0].loc;
      return { kind: "arraycomp", head: scalarTerm(true, l), body: exprs, loc: l };
    });
    const l = comps[0].loc;
    let all = comps[0];
    for (const c of comps.slice(1))
      all = { kind: "call", fn: "array.concat", args: [all, c], loc: l };
    return { kind: "term", term: { kind: "ref", terms: [all, scalarTerm(0, l)], loc: l } };
  }

  private parseConjunction(first: boolean): { exprs: Expr[]; plain: boolean } {
    const op = this.parseLogicalOperand(first);
    let plain = op.plain;
    const exprs = [...op.exprs];
    while (this.isLogical(this.peek(), "and")) {
      this.next();
      exprs.push(...this.parseLogicalOperand(false).exprs);
      plain = false;
    }
    return { exprs, plain };
  }

  /** One operand: a `{ … }` block (the first only when `and`/`or` follows) or an expression. */
  private parseLogicalOperand(first: boolean): { exprs: Expr[]; plain: boolean } {
    const st = this.peek();
    if (this.isP(st, "{")) {
      const save = this.pos;
      try {
        this.next();
        const body = this.parseBody("}");
        const t = this.peek();
        if (!first || this.isLogical(t, "or") || this.isLogical(t, "and"))
          return { exprs: body, plain: false };
      } catch (err) {
        if (!first) throw err;
      }
      this.pos = save;
    }
    const term = this.parseExprTerm();
    const expr: Expr = {
      body: { kind: "term", term },
      negated: false,
      withs: [],
      loc: this.loc(st),
      text: this.src.slice(st.start, this.last().end),
    };
    return { exprs: [expr], plain: true };
  }

  private parseSome(): ExprBody {
    const terms: Term[] = [this.parseRelation()];
    while (this.acceptP(",", true)) terms.push(this.parseRelation());
    if (this.isKw(this.peek(), "in")) {
      this.next();
      const coll = this.parseRelation();
      if (terms.length > 2) this.fail("unexpected , in some declaration");
      return terms.length === 2
        ? { kind: "somein", key: terms[0], value: terms[1], coll }
        : { kind: "somein", key: null, value: terms[0], coll };
    }
    const vars: string[] = [];
    for (const t of terms) {
      if (t.kind !== "var") throw regoError("rego_parse_error", "expected var in some", t.loc);
      vars.push(t.name);
    }
    return { kind: "some", vars };
  }

  private parseEvery(): ExprBody {
    const first = this.parseRelation();
    let key: Term | null = null;
    let value = first;
    if (this.acceptP(",", true)) {
      key = first;
      value = this.parseRelation();
    }
    if (!this.acceptKw("in")) this.fail("expected in after every variables");
    const domain = this.parseRelation();
    this.expectP("{");
    const body = this.parseBody("}");
    return { kind: "every", key, value, domain, body };
  }

  /** Expression level: `a = b`, `a := b`, or a term. */
  private parseExprTerm(): Term {
    const lhs = this.parseIn();
    const t = this.peek();
    if ((this.isP(t, "=") || this.isP(t, ":=")) && this.sameLine(t)) {
      this.next();
      const rhs = this.parseIn();
      const fn = t.text === "=" ? "eq" : "assign";
      return this.infix({ kind: "call", fn, args: [lhs, rhs], loc: lhs.loc }, lhs, t);
    }
    return lhs;
  }

  /** A term as used in rule heads and collection items (no unification). */
  private parseTermExpr(): Term {
    return this.parseIn();
  }

  private parseIn(): Term {
    let lhs = this.parseRelation();
    for (;;) {
      const t = this.peek();
      if (this.isKw(t, "in") && this.sameLine(t)) {
        this.next();
        const rhs = this.parseRelation();
        lhs = this.infix(
          { kind: "call", fn: "internal.member_2", args: [lhs, rhs], loc: lhs.loc },
          lhs,
          t,
        );
      } else return lhs;
    }
  }

  private noBar = 0;

  private parseRelation(): Term {
    let lhs = this.parseOr();
    for (;;) {
      const t = this.peek();
      if (t.kind === "punct" && RELATION[t.text] && this.sameLine(t)) {
        this.next();
        const rhs = this.parseOr();
        lhs = this.infix(
          { kind: "call", fn: RELATION[t.text], args: [lhs, rhs], loc: lhs.loc },
          lhs,
          t,
        );
      } else return lhs;
    }
  }
  private parseOr(): Term {
    let lhs = this.parseAnd();
    for (;;) {
      const t = this.peek();
      if (this.noBar === 0 && this.isP(t, "|") && this.sameLine(t)) {
        this.next();
        const rhs = this.parseAnd();
        lhs = this.infix({ kind: "call", fn: "or", args: [lhs, rhs], loc: lhs.loc }, lhs, t);
      } else return lhs;
    }
  }
  private parseAnd(): Term {
    let lhs = this.parseArith();
    for (;;) {
      const t = this.peek();
      if (this.isP(t, "&") && this.sameLine(t)) {
        this.next();
        const rhs = this.parseArith();
        lhs = this.infix({ kind: "call", fn: "and", args: [lhs, rhs], loc: lhs.loc }, lhs, t);
      } else return lhs;
    }
  }
  private parseArith(): Term {
    let lhs = this.parseFactor();
    for (;;) {
      const t = this.peek();
      if ((this.isP(t, "+") || this.isP(t, "-")) && this.sameLine(t)) {
        this.next();
        const rhs = this.parseFactor();
        const fn = t.text === "+" ? "plus" : "minus";
        lhs = this.infix({ kind: "call", fn, args: [lhs, rhs], loc: lhs.loc }, lhs, t);
      } else return lhs;
    }
  }
  private parseFactor(): Term {
    let lhs = this.parseUnary();
    for (;;) {
      const t = this.peek();
      if ((this.isP(t, "*") || this.isP(t, "/") || this.isP(t, "%")) && this.sameLine(t)) {
        this.next();
        const rhs = this.parseUnary();
        const fn = t.text === "*" ? "mul" : t.text === "/" ? "div" : "rem";
        lhs = this.infix({ kind: "call", fn, args: [lhs, rhs], loc: lhs.loc }, lhs, t);
      } else return lhs;
    }
  }
  private parseUnary(): Term {
    const t = this.peek();
    if (this.isP(t, "-")) {
      const n = this.peek(1);
      if (n.kind === "number" && n.start === t.end) {
        this.next();
        this.next();
        const neg = negateNumber(parseNumber(n.text) as Num);
        return this.parsePostfix({ kind: "scalar", value: neg, loc: this.loc(t) });
      }
      this.next();
      const operand = this.parseUnary();
      return {
        kind: "call",
        fn: "minus",
        args: [{ kind: "scalar", value: 0, loc: this.loc(t) }, operand],
        loc: this.loc(t),
      };
    }
    const st = this.peek();
    return this.span(this.parsePostfix(this.span(this.parsePrimary(), st.start)), st.start);
  }

  /** Remembers where a node's source text ends (for rego.parse_module's locations). */
  private span<T extends object>(x: T, start: number, end = this.last().end): T {
    if (!SPANS.has(x)) SPANS.set(x, { start, end });
    return x;
  }

  /** An infix call: its span from the left operand, and where its operator token is. */
  private infix(call: Term, lhs: Term, op: Token): Term {
    OPERATOR_SPANS.set(call, { start: op.start, end: op.end });
    return this.span(call, SPANS.get(lhs)?.start ?? op.start);
  }

  /** A ref or var (for package/import paths and `with` targets). */
  private parseRefTerm(): Term {
    const t = this.peek();
    if (t.kind !== "ident") this.fail(`unexpected ${describe(t)} token: expected ref`);
    this.next();
    const v = this.span({ kind: "var", name: t.text, loc: this.loc(t) } as Term, t.start, t.end);
    return this.span(this.parsePostfix(v, true), t.start);
  }

  private parsePrimary(): Term {
    const t = this.next();
    const loc = this.loc(t);
    switch (t.kind) {
      case "number":
        return { kind: "scalar", value: parseNumber(t.text), loc };
      case "string":
        return { kind: "scalar", value: t.text, loc };
      case "template":
        return this.templateTerm(t, loc);
      case "ident":
        if (t.text === "true") return { kind: "scalar", value: true, loc };
        if (t.text === "false") return { kind: "scalar", value: false, loc };
        if (t.text === "null") return { kind: "scalar", value: null, loc };
        if (this.isKeyword(t.text) && !(t.text === "contains" && this.isP(this.peek(), "(")))
          this.fail(`unexpected ${t.text} keyword`, t);
        if (t.text === "_") return { kind: "var", name: `$_${++wildcardCounter}`, loc };
        return { kind: "var", name: t.text, loc };
      case "punct":
        if (t.text === "(") {
          const inner = this.withNl(false, () => {
            const saved = this.noBar;
            this.noBar = 0;
            try {
              const first = this.parseIn();
              if (!this.isP(this.peek(), ",")) return first;
              // `(k, v in coll)`: membership with key
              this.next();
              const v = this.parseRelation();
              if (!this.acceptKw("in")) this.fail("expected in");
              const coll = this.parseRelation();
              return { kind: "call", fn: "internal.member_3", args: [first, v, coll], loc } as Term;
            } finally {
              this.noBar = saved;
            }
          });
          this.expectP(")");
          return inner;
        }
        if (t.text === "[") return this.parseArrayish(loc);
        if (t.text === "{") return this.parseBraceish(loc);
        break;
      default:
        break;
    }
    return this.fail(`unexpected ${describe(t)} token`, t);
  }

  /**
   * `$"a {x} b"` → `internal.template_string(["a ", {v | v := x}, " b"])`, as OPA's
   * RewriteTemplateStrings stage does: each expression contributes the set of its values, so an
   * undefined one renders as `<undefined>` instead of making the whole string undefined.
   */
  private templateTerm(t: Token, loc: Loc): Term {
    const items: Term[] = [];
    for (const p of t.parts ?? []) {
      if (p.kind === "text") {
        items.push({ kind: "scalar", value: p.text, loc });
        continue;
      }
      // parse the expression where it sits, so its locations are the file's
      // (blanked, not dropped: the expression's source offsets stay the file's too)
      let lineStart = 0;
      for (let r = 1; r < p.row; r++) lineStart = this.src.indexOf("\n", lineStart) + 1;
      const before = this.src.slice(0, lineStart + p.col - 1);
      const padded = before.replace(/[^\n]/g, " ") + p.src;
      const sub = new Parser(this.file, padded, { regoVersion: this.v0 ? 0 : 1 });
      for (const k of this.imported) sub.imported.add(k);
      const exprs = sub.parseQuery();
      const e = exprs[0];
      if (exprs.length !== 1 || e.body.kind !== "term" || e.negated || e.withs.length > 0)
        throw regoError("rego_parse_error", "template expression must be a single term", e.loc);
      const v: Term = { kind: "var", name: `__tpl${++wildcardCounter}__`, loc: e.loc };
      const bind: Expr = {
        body: {
          kind: "term",
          term: { kind: "call", fn: "assign", args: [v, e.body.term], loc: e.loc },
        },
        negated: false,
        withs: [],
        loc: e.loc,
        text: e.text,
      };
      items.push({ kind: "setcomp", head: v, body: [bind], loc: e.loc });
    }
    return {
      kind: "call",
      fn: "internal.template_string",
      args: [{ kind: "array", items, loc }],
      loc,
    };
  }

  private parseHeadTerm(): Term {
    this.noBar++;
    try {
      return this.parseIn();
    } finally {
      this.noBar--;
    }
  }

  private parseArrayish(loc: Loc): Term {
    return this.withNl(false, () => {
      if (this.acceptP("]")) return { kind: "array", items: [], loc } as Term;
      const first = this.parseHeadTerm();
      if (this.acceptP("|")) {
        const body = this.parseBody("]");
        return { kind: "arraycomp", head: first, body, loc } as Term;
      }
      const items = [first];
      while (this.acceptP(",")) {
        if (this.isP(this.peek(), "]")) break;
        items.push(this.parseTermExpr());
      }
      this.expectP("]");
      return { kind: "array", items, loc } as Term;
    });
  }

  private parseBraceish(loc: Loc): Term {
    return this.withNl(false, () => {
      if (this.acceptP("}")) return { kind: "object", items: [], loc } as Term;
      const first = this.parseHeadTerm();
      if (this.acceptP(":")) {
        const v = this.parseHeadTerm();
        if (this.acceptP("|")) {
          const body = this.parseBody("}");
          return { kind: "objcomp", key: first, value: v, body, loc } as Term;
        }
        const items: [Term, Term][] = [[first, v]];
        while (this.acceptP(",")) {
          if (this.isP(this.peek(), "}")) break;
          const k = this.parseTermExpr();
          this.expectP(":");
          items.push([k, this.parseTermExpr()]);
        }
        this.expectP("}");
        return { kind: "object", items, loc } as Term;
      }
      if (this.acceptP("|")) {
        const body = this.parseBody("}");
        return { kind: "setcomp", head: first, body, loc } as Term;
      }
      const items = [first];
      while (this.acceptP(",")) {
        if (this.isP(this.peek(), "}")) break;
        items.push(this.parseTermExpr());
      }
      this.expectP("}");
      return { kind: "set", items, loc } as Term;
    });
  }

  private parseList(close: string): Term[] {
    const items: Term[] = [];
    if (this.acceptP(close)) return items;
    for (;;) {
      items.push(this.parseTermExpr());
      if (this.acceptP(",")) {
        if (this.acceptP(close)) break;
        continue;
      }
      this.expectP(close);
      break;
    }
    return items;
  }

  /** `.name`, `[term]` and `(args)` suffixes. refOnly: package/import/with paths (no calls). */
  private parsePostfix(head: Term, refOnly = false): Term {
    let cur = head;
    for (;;) {
      const t = this.peek();
      if (this.isP(t, ".") && t.start === this.last().end) {
        this.next();
        const id = this.next();
        if (id.kind !== "ident") this.fail(`unexpected ${describe(id)} token: expected ident`, id);
        const part: Term = { kind: "scalar", value: id.text, loc: this.loc(id) };
        cur = appendRef(cur, this.span(part, id.start, id.end));
      } else if (this.isP(t, "[") && t.start === this.last().end) {
        this.next();
        const k = this.withNl(false, () => {
          const saved = this.noBar;
          this.noBar = 0;
          try {
            return this.parseTermExpr();
          } finally {
            this.noBar = saved;
          }
        });
        this.expectP("]");
        cur = appendRef(cur, k);
      } else if (!refOnly && this.isP(t, "(") && t.start === this.last().end) {
        const name = termPathName(cur);
        if (name === undefined) this.fail("invalid function name", t);
        const nameSpan = { start: SPANS.get(head)?.start ?? t.start, end: t.start };
        this.next();
        const args = this.withNl(false, () => {
          const saved = this.noBar;
          this.noBar = 0;
          try {
            return this.parseList(")");
          } finally {
            this.noBar = saved;
          }
        });
        if (!this.v0 && DEPRECATED_BUILTINS.has(name!))
          throw regoError(
            "rego_type_error",
            `deprecated built-in function calls in expression: ${name}`,
            cur.loc,
          );
        if (name === "set" && args.length === 0) cur = { kind: "set", items: [], loc: cur.loc };
        else {
          cur = { kind: "call", fn: name!, args, loc: cur.loc };
          OPERATOR_SPANS.set(cur, nameSpan);
        }
      } else return cur;
    }
  }
}

function appendRef(cur: Term, part: Term): Term {
  if (cur.kind === "ref") return { kind: "ref", terms: [...cur.terms, part], loc: cur.loc };
  return { kind: "ref", terms: [cur, part], loc: cur.loc };
}

function describe(t: Token): string {
  if (t.kind === "eof") return "eof";
  if (t.kind === "string") return "string";
  if (t.kind === "number") return "number";
  if (t.kind === "ident") return KEYWORDS.has(t.text) ? t.text : "ident";
  return t.text;
}

function scalarTerm(value: Value, loc: Loc): Term {
  return { kind: "scalar", value, loc };
}

function trueExpr(loc: Loc): Expr {
  return generated({
    body: { kind: "term", term: { kind: "scalar", value: true, loc } },
    negated: false,
    withs: [],
    loc,
    text: "true",
  });
}

/**
 * Source spans [start, end) of parsed nodes (terms, rules, heads, imports; a module's is its
 * package clause), kept beside the tree so rego.parse_module can give OPA's locations without
 * every node carrying them. OPERATOR_SPANS: where a call's operator or function name is written.
 */
export const SPANS = new WeakMap<object, { start: number; end: number }>();
export const OPERATOR_SPANS = new WeakMap<object, { start: number; end: number }>();
/** The comments of a parsed module, in order. */
export const MODULE_COMMENTS = new WeakMap<Module, readonly Comment[]>();
/** Expressions the parser made up (the `true` body of a rule written without one). */
export const GENERATED = new WeakSet<Expr>();

function generated(e: Expr): Expr {
  GENERATED.add(e);
  return e;
}

export function parseModuleSource(file: string, source: string, opts?: ParseOptions): Module {
  return new Parser(file, source, opts).parseModule();
}

export function parseQuerySource(source: string, file = "query"): Expr[] {
  return new Parser(file, source).parseQuery();
}
