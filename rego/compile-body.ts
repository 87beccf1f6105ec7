/**
 * Compiles rule bodies, queries and comprehension bodies into closures, once per program.
 *
 * Every variable of a unit (rule group, query, test rule) is resolved to a slot of its frame at
 * compile time, and every literal, term, reference and unification is turned into a closure that
 * knows its operands' shapes, slots and callees: evaluation dispatches on no syntax node and hashes
 * no variable name. Literals are chained at compile time (each calls its successor directly), so
 * the deterministic literals that bind a fresh variable or filter allocate no continuation.
 *
 * The evaluation order is exactly the one the compiler's scheduler chose (rego/compiler.ts), and a
 * literal's choice between binding and testing still follows which of its variables are bound at
 * that moment (a slot read), so results, errors and the step budget are what the rule says.
 */
import { termPathName, type Expr, type Loc, type Term, type With } from "./ast";
import { BUILTINS } from "./builtins";
import { plainFormat } from "./builtins/format-plan";
import type { BuiltinDef } from "./builtins/types";
import type { CompiledProgram, CRule, RuleGroup } from "./compiler";
import { regoError } from "./errors";
import { NOT_SIMPLE, Scope, isDocName, lookup, type Frame, type Simple } from "./frame";
import type { Evaluator } from "./eval";
import { memberPathSet, planClosureJoins } from "./joins";
import { RObject, RSet, compare, equal, isNumber, keyOf, type Value } from "./value";

/** A continuation: returns true to stop the search (negation, `every`, first solution). */
export type K = () => boolean;
export type VK = (v: Value) => boolean;
/** A body from one literal on: runs it and, for each solution, the rest and then `k`. */
export type BodyFn = (ev: Evaluator, f: Frame, k: K) => boolean;
/** Deterministic fast path of a term (no iteration), or NOT_SIMPLE. */
export type SimpleFn = (ev: Evaluator, f: Frame) => Simple;
/** Every value of a term in turn. */
export type GenFn = (ev: Evaluator, f: Frame, vk: VK) => boolean;
/** Unify a term (a pattern) with a value. */
export type MatchFn = (ev: Evaluator, f: Frame, v: Value, k: K) => boolean;
/** A term still has an unbound variable in a pattern position. */
export type OpenFn = (f: Frame) => boolean;
type ArgsFn = (ev: Evaluator, f: Frame, k: (vals: Value[]) => boolean) => boolean;
/** Walk a value along a reference from one position on. */
type WalkFn = (ev: Evaluator, f: Frame, v: Value, vk: VK, json: boolean) => boolean;

const TRUE_K: K = () => true;
const notSimple: SimpleFn = () => NOT_SIMPLE;
const never: OpenFn = () => false;
const END: BodyFn = (_ev, _f, k) => k();

/** A `data.…` reference as the evaluator's rule-tree walk reads it. */
export interface DataRef {
  terms: Term[];
  /** Slot of each position's variable key (-1: not a variable). */
  keySlots: number[];
  /** Small number of the ref within its program (the evaluator's per-ref cache). */
  slot: number;
}

/** A reference's compiled positions, for walking the data tree. */
export interface RefCode {
  n: number;
  walks: WalkFn[];
  /** Each position's key values (position 0 unused). */
  keys: GenFn[];
  open: OpenFn[];
}

export interface JoinCode {
  id: number;
  /** Small number of the join literal within its program (the evaluator's per-join cache). */
  slot: number;
  path: Value[];
  pathKey: string;
  coll: TermCode;
  probe: TermCode;
  value: MatchFn;
  /** Slot of the joined variable when the value is a plain variable (else -1). */
  valueSlot: number;
  /** The collection is a reference into the input by constant keys (Evaluator.inputJoinIndex). */
  inputColl: boolean;
  /** The probe is a local variable's field (`g.policy`): its slot and key (see fieldOf). */
  probeField: [slot: number, key: string] | undefined;
}

/**
 * Members of a join index that share a key, when there is more than one (a key with one member
 * maps to the member itself: no array per member). Never a Rego value, so `instanceof` tells.
 */
export class JoinBucket {
  constructor(readonly items: Value[]) {}
}

/** A hash-join index: key of the joined path's value → member, or the members sharing it. */
export type JoinIndex = Map<string, Value | JoinBucket>;

export interface TermCode {
  s: SimpleFn;
  /** The general path only (after the fast path returned NOT_SIMPLE). */
  slow: GenFn;
  g: GenFn;
}

/** One definition of a rule (or an else branch), compiled in its group's scope. */
export interface RuleCode {
  rule: CRule;
  body: BodyFn;
  value: TermCode;
  key: TermCode | undefined;
  dynKeys: ArgsFn;
  /** Slot of each parameter that is a plain variable (-1: a pattern or a document name). */
  paramSlots: number[];
  /** paramSlots when every parameter is a plain variable (else null). */
  argSlots: number[] | null;
  args: MatchFn[];
  elseCode: RuleCode | undefined;
  /** The rule is a set of one path of each member of a collection (joins.ts memberPathSet). */
  memberSet: MemberSetCode | undefined;
}

/** `s contains x.a.b if some x in coll`: the set is the keys of coll's join index on a.b. */
export interface MemberSetCode {
  coll: TermCode;
  path: Value[];
  pathKey: string;
  /** Steps the body as written counts per member (after one for the literal). */
  perMember: number;
}

export interface GroupCode {
  readonly size: number;
  rules: RuleCode[];
  defaultValue: GenFn | undefined;
}

/** Bodies and terms evaluated in one frame (a query, a test rule). */
export interface FrameUnit {
  readonly size: number;
  scope: Scope;
  bodies: BodyFn[];
  terms: GenFn[];
}

const groupCodes = new WeakMap<RuleGroup, GroupCode>();
/** Join literals compiled so far for each program (the next JoinCode.slot). */
const joinSlots = new WeakMap<CompiledProgram, number>();
/** Data refs compiled so far for each program (the next DataRef.slot). */
const dataSlots = new WeakMap<CompiledProgram, number>();
/** Each program's user functions called from compiled call sites, numbered (Evaluator.callGroup). */
const fnSlots = new WeakMap<CompiledProgram, Map<RuleGroup, number>>();

function fnSlotOf(prog: CompiledProgram, g: RuleGroup): number {
  let m = fnSlots.get(prog);
  if (m === undefined) {
    m = new Map();
    fnSlots.set(prog, m);
  }
  let n = m.get(g);
  if (n === undefined) {
    n = m.size;
    m.set(g, n);
  }
  return n;
}

/** The compiled code of a rule group, built on its first evaluation and kept for the program. */
export function groupCode(prog: CompiledProgram, g: RuleGroup): GroupCode {
  let c = groupCodes.get(g);
  if (c === undefined) {
    const scope = new Scope();
    const bc = new BodyCompiler(prog, scope);
    const rules = g.rules.map((r) => bc.rule(r));
    if (g.kind === "set" && rules.length === 1 && g.rules[0].dynKeys.length === 0)
      rules[0].memberSet = bc.memberSet(g.rules[0]);
    const defaultValue = g.defaultRule ? bc.term(g.defaultRule.value).g : undefined;
    c = {
      // read when a frame is made: rule bodies allocate slots as their literals are compiled
      get size() {
        return scope.size;
      },
      rules,
      defaultValue,
    };
    groupCodes.set(g, c);
  }
  return c;
}

export function compileUnit(
  prog: CompiledProgram,
  bodies: Expr[][],
  terms: Term[] = [],
): FrameUnit {
  const scope = new Scope();
  const bc = new BodyCompiler(prog, scope);
  const bs = bodies.map((b) => bc.body(b));
  const ts = terms.map((t) => bc.term(t).g);
  return {
    get size() {
      return scope.size;
    },
    scope,
    bodies: bs,
    terms: ts,
  };
}

const pureFns = new WeakMap<RuleGroup, boolean>();

/**
 * A function whose value depends only on its arguments and the evaluation's scope, so a call may
 * reuse the value of an earlier call with the same arguments: no `print` (its output is per call)
 * and no `with` (which re-evaluates rules under it) in its definitions or the functions they call.
 */
export function memoizable(prog: CompiledProgram, g: RuleGroup): boolean {
  let r = pureFns.get(g);
  if (r !== undefined) return r;
  pureFns.set(g, false); // (recursion is a compile error; this only ends the walk)
  const termOk = (t: Term): boolean => {
    switch (t.kind) {
      case "scalar":
      case "var":
        return true;
      case "ref":
        return t.terms.every(termOk);
      case "array":
      case "set":
        return t.items.every(termOk);
      case "object":
        return t.items.every(([k, v]) => termOk(k) && termOk(v));
      case "call": {
        if (t.fn === "print") return false;
        const callee = prog.groups.get(t.fn);
        if (callee?.kind === "function" && !memoizable(prog, callee)) return false;
        return t.args.every(termOk);
      }
      case "arraycomp":
      case "setcomp":
        return termOk(t.head) && bodyOk(t.body);
      case "objcomp":
        return termOk(t.key) && termOk(t.value) && bodyOk(t.body);
    }
  };
  const bodyOk = (body: Expr[]): boolean =>
    body.every((e) => {
      if (e.withs.length > 0) return false;
      const b = e.body;
      switch (b.kind) {
        case "term":
          return termOk(b.term);
        case "some":
          return true;
        case "somein":
          return (b.key === null || termOk(b.key)) && termOk(b.value) && termOk(b.coll);
        case "every":
          return termOk(b.domain) && bodyOk(b.body);
        case "join":
          return termOk(b.coll) && termOk(b.probe);
      }
    });
  const ruleOk = (c: CRule): boolean =>
    bodyOk(c.body) &&
    termOk(c.value) &&
    (c.args ?? []).every(termOk) &&
    (c.elseRule === undefined || ruleOk(c.elseRule));
  r = g.rules.every(ruleOk) && (g.defaultRule === undefined || termOk(g.defaultRule.value));
  pureFns.set(g, r);
  return r;
}

function bind(ev: Evaluator, f: Frame, s: number, v: Value, k: K): boolean {
  // no try/finally: an error aborts the whole query, whose frame is then dropped
  ev.step();
  f[s] = v;
  const r = k();
  f[s] = undefined;
  return r;
}

/** Key lookup; base documents are JSON, where an integer key names the member of its digits. */
function lookupIn(v: Value, key: Value, json: boolean): Value | undefined {
  if (json && v instanceof RObject && typeof key === "number" && Number.isInteger(key))
    return v.get(String(key));
  return lookup(v, key);
}

class BodyCompiler {
  private readonly codes = new Map<Term, TermCode>();
  private readonly outArgs = new Map<string, boolean>();

  constructor(
    private readonly prog: CompiledProgram,
    private readonly scope: Scope,
  ) {}

  /** Slot of a variable, or -1 for `input`/`data` (documents, never bound). */
  private slotOf(name: string): number {
    return isDocName(name) ? -1 : this.scope.slot(name);
  }

  // ---- rules -----------------------------------------------------------------------------------
  rule(r: CRule): RuleCode {
    const paramSlots: number[] = [];
    const args: MatchFn[] = [];
    for (const a of r.args ?? []) {
      paramSlots.push(a.kind === "var" && !isDocName(a.name) ? this.scope.slot(a.name) : -1);
      args.push(this.match(a));
    }
    const argSlots = paramSlots.every((s) => s >= 0) ? paramSlots : null;
    const dyn = r.dynKeys.map((t) => this.term(t));
    const code: RuleCode = {
      rule: r,
      paramSlots,
      argSlots,
      args,
      body: END,
      value: this.lazyTerm(r.value),
      key: r.key ? this.lazyTerm(r.key) : undefined,
      dynKeys: argsRunner(dyn),
      elseCode: r.elseRule ? this.rule(r.elseRule) : undefined,
      memberSet: undefined,
    };
    code.body = this.lazyBody(r.body, () => {
      code.body = this.body(r.body);
      code.value = this.term(r.value);
      if (r.key) code.key = this.term(r.key);
    });
    return code;
  }

  /** A set rule's member-path plan (see MemberSetCode), if its definition has that shape. */
  memberSet(r: CRule): MemberSetCode | undefined {
    const plan = memberPathSet(r.body, r.key);
    if (plan === undefined) return undefined;
    const path: Value[] = [];
    for (const p of plan.path) path.push((p as { value: Value }).value);
    return {
      coll: this.lazyTerm(plan.coll),
      path,
      pathKey: pathKeyOf(path),
      perMember: plan.perMember,
    };
  }

  /** A rule head's term, compiled when a solution of its body first needs it (see lazyBody). */
  private lazyTerm(t: Term): TermCode {
    let c: TermCode | undefined;
    const code = (): TermCode => (c ??= this.term(t));
    return {
      s: (ev, f) => code().s(ev, f),
      slow: (ev, f, k) => code().slow(ev, f, k),
      g: (ev, f, k) => code().g(ev, f, k),
    };
  }

  // ---- bodies and literals ---------------------------------------------------------------------
  body(body: Expr[]): BodyFn {
    let next = END;
    for (let i = body.length - 1; i >= 0; i--) next = this.literal(body[i], next);
    return next;
  }

  /**
   * A rule's body, compiled a literal at a time: each literal's successor is compiled when a
   * solution of the literal first reaches it. Most bodies fail early on most inputs (a small
   * manifest leaves most of every rule unreached), and compiling them whole was most of a first
   * evaluation's cost. When a solution first reaches the last literal, `whole` is called, for the
   * rule to swap in the body compiled whole (mostly from terms already compiled), which has no
   * lazy links left to pay for on every solution.
   */
  private lazyBody(body: Expr[], whole: () => void): BodyFn {
    if (body.length <= 1) return this.body(body);
    const from = (i: number): BodyFn => {
      if (i === body.length - 1) {
        whole();
        return this.literal(body[i], END);
      }
      let rest: BodyFn | undefined;
      const tail: BodyFn = (ev, f, k) => (rest ??= from(i + 1))(ev, f, k);
      return this.literal(body[i], tail);
    };
    return from(0);
  }

  /**
   * A set/object comprehension's body, with hash joins on what its outer variables bind (e.g. a
   * function's parameter): the planned body runs when those are bound on entry, else the body as
   * written. (Array comprehensions keep their loops: the order of their members is observable.)
   */
  private closureBody(body: Expr[]): BodyFn {
    const plain = this.body(body);
    const plan = planClosureJoins(body);
    if (plan === undefined) return plain;
    const joined = this.body(plan.body);
    const bound = plan.bound.map((n) => this.scope.slot(n));
    const free = plan.free.map((n) => this.scope.slot(n));
    return (ev, f, k) => {
      // coverage reports the literals as written
      if (ev.coverage !== undefined) return plain(ev, f, k);
      for (let i = 0; i < bound.length; i++) if (f[bound[i]] === undefined) return plain(ev, f, k);
      for (let i = 0; i < free.length; i++) if (f[free[i]] !== undefined) return plain(ev, f, k);
      return joined(ev, f, k);
    };
  }

  /** A literal followed by `next`: the inline fast path where the literal is deterministic. */
  private literal(e: Expr, next: BodyFn): BodyFn {
    const loc = e.loc;
    // A negation without `with` runs its literal to a constant continuation and then calls its
    // successor once (`negation`): no continuation closure per evaluation, and `not p(x)` per
    // member of a collection is common. Same steps, coverage and order as `expr` / `exprPlain`.
    const plainNot = e.negated && e.withs.length === 0 && e.qIndex === undefined;
    const general = plainNot ? undefined : this.expr(e);
    const slow: BodyFn =
      general === undefined
        ? this.negation(e, next)
        : (ev, f, k) => general(ev, f, () => next(ev, f, k));
    if (general !== undefined && e.withs.length === 0 && e.qIndex === undefined && !e.negated) {
      // iterations that bind a fresh variable call their successor directly, per member
      const b = e.body;
      if (b.kind === "join") return this.joinChained(b, next, loc);
      if (b.kind === "somein" && b.key === null && b.value.kind === "var") {
        const chained = this.someInChained(b.value.name, b.coll, general, next, loc);
        if (chained !== undefined) return chained;
      }
      if (
        b.kind === "somein" &&
        b.key !== null &&
        b.key.kind === "var" &&
        b.value.kind === "var" &&
        b.key.name !== b.value.name &&
        !isDocName(b.key.name) &&
        !isDocName(b.value.name)
      )
        return this.somePairChained(b.key.name, b.value.name, b.coll, general, next, loc);
    }
    if (e.withs.length > 0 || e.qIndex !== undefined || e.body.kind !== "term") return slow;
    const t = e.body.term;
    if (t.kind === "call" && (t.fn === "eq" || t.fn === "assign")) {
      if (e.negated) return slow;
      // `x := <deterministic>` / `x = …` binding a fresh variable (either side)
      const [l, r] = t.args;
      const ls = l.kind === "var" ? this.slotOf(l.name) : -1;
      const rs = r.kind === "var" ? this.slotOf(r.name) : -1;
      const { s: lfn, slow: lslow } = this.term(l);
      const { s: rfn, slow: rslow } = this.term(r);
      return (ev, f, k) => {
        if (ev.coverage !== undefined) ev.cover(loc);
        let s = -1;
        let fn: SimpleFn | undefined;
        if (ls >= 0 && f[ls] === undefined) {
          s = ls;
          fn = rfn;
        } else if (rs >= 0 && f[rs] === undefined) {
          s = rs;
          fn = lfn;
        }
        if (fn !== undefined) {
          const v = fn(ev, f);
          if (v !== NOT_SIMPLE) {
            ev.step();
            if (v === undefined) return false;
            f[s] = v;
            const res = next(ev, f, k);
            f[s] = undefined;
            return res;
          }
          // an iterating or comprehension side binds the fresh variable to each of its values
          // and runs `next` directly (as the literal's unification would, without continuations
          // through it): the step and coverage of the literal, then a step per value bound
          ev.step();
          if (ev.coverage !== undefined) ev.cover(loc);
          return bindEach(ev, f, s, s === ls ? rslow : lslow, next, k);
        }
        return slow(ev, f, k);
      };
    }
    if (t.kind === "call" && this.hasOutputArg(t)) return slow;
    const fn = this.term(t).s;
    const negated = e.negated;
    return (ev, f, k) => {
      if (ev.coverage !== undefined) ev.cover(loc);
      const v = fn(ev, f);
      if (v === NOT_SIMPLE) return slow(ev, f, k);
      ev.step();
      const truthy = v !== undefined && v !== false;
      if (truthy === negated) return false;
      return next(ev, f, k);
    };
  }

  /** `not <literal>` (no `with`, not a query expression) followed by `next`. */
  private negation(e: Expr, next: BodyFn): BodyFn {
    const inner = this.exprInner(e);
    const loc = e.loc;
    return (ev, f, k) => {
      ev.step();
      if (ev.coverage !== undefined) ev.cover(loc);
      if (inner(ev, f, TRUE_K)) return false;
      return next(ev, f, k);
    };
  }

  /** One literal, general path: step, coverage, `with`, negation. */
  private expr(e: Expr): BodyFn {
    const plain = this.exprPlain(e);
    const run = e.withs.length > 0 ? this.withs(e.withs, plain) : plain;
    const loc = e.loc;
    return (ev, f, k) => {
      ev.step();
      if (ev.coverage !== undefined) ev.cover(loc);
      return run(ev, f, k);
    };
  }

  private exprPlain(e: Expr): BodyFn {
    const inner = this.exprInner(e);
    if (!e.negated) return inner;
    const qi = e.qIndex;
    return (ev, f, k) => {
      if (inner(ev, f, TRUE_K)) return false;
      if (qi !== undefined) ev.qvals[qi] = true;
      return k();
    };
  }

  private exprInner(e: Expr): BodyFn {
    const qi = e.qIndex;
    /** Records a query expression's value (true) before continuing. */
    const mark =
      qi === undefined
        ? (_ev: Evaluator, k: K): K => k
        : (ev: Evaluator, k: K): K =>
            () => {
              ev.qvals[qi] = true;
              return k();
            };
    const b = e.body;
    switch (b.kind) {
      case "term": {
        const t = b.term;
        if (t.kind === "call") {
          if (t.fn === "eq" || t.fn === "assign") {
            const u = this.unify(t.args[0], t.args[1]);
            if (qi === undefined) return u;
            return (ev, f, k) => u(ev, f, mark(ev, k));
          }
          if (this.hasOutputArg(t)) return this.outputCall(t, mark);
        }
        const g = this.term(t).g;
        const capture = e.capture === true;
        return (ev, f, k) =>
          g(ev, f, (v) => {
            if (v === false && !capture) return false;
            if (qi !== undefined) ev.qvals[qi] = v;
            return k();
          });
      }
      case "some":
        return END;
      case "somein":
        return this.someIn(b.key, b.value, b.coll);
      case "every": {
        const dom = this.term(b.domain).g;
        const val = this.match(b.value);
        const key = b.key ? this.match(b.key) : undefined;
        const body = this.body(b.body);
        return (ev, f, k) =>
          dom(ev, f, (d) => {
            if (!(Array.isArray(d) || d instanceof RObject || d instanceof RSet)) return false;
            const holds = (): boolean => body(ev, f, TRUE_K);
            const allOk = !ev.iterate(
              d,
              (kv, vv) => !val(ev, f, vv, key ? () => key(ev, f, kv, holds) : holds),
            );
            if (!allOk) return false;
            if (qi !== undefined) ev.qvals[qi] = true;
            return k();
          });
      }
      case "join":
        return this.join(b);
    }
  }

  /** `f(a, b, out)`: a call written with its output as a last argument. */
  private outputCall(
    t: { fn: string; args: Term[]; loc: Loc },
    mark: (ev: Evaluator, k: K) => K,
  ): BodyFn {
    const ins = argsRunner(t.args.slice(0, -1).map((x) => this.term(x)));
    const out = this.match(t.args[t.args.length - 1]);
    const fn = t.fn;
    const loc = t.loc;
    return (ev, f, k) =>
      ins(ev, f, (args) => {
        const r = ev.callFunction(fn, args, loc);
        if (r === undefined) return false;
        const k2 = mark(ev, k);
        if (fn === "walk" && Array.isArray(r) && !ev.st.fnOverrides.has("walk"))
          return r.some((pair) => out(ev, f, pair, k2));
        return out(ev, f, r, k2);
      });
  }

  private someIn(key: Term | null, value: Term, coll: Term): BodyFn {
    const cc = this.term(coll);
    if (key === null && value.kind === "var" && !isDocName(value.name)) {
      // `some x in coll` binding a fresh variable to each member (else: a pattern match)
      const vs = this.scope.slot(value.name);
      const m = this.match(value);
      const general: BodyFn = (ev, f, k) =>
        cc.g(ev, f, (c) => ev.iterate(c, (_key, val) => m(ev, f, val, k)));
      return (ev, f, k) => {
        if (f[vs] !== undefined) return general(ev, f, k);
        const sc = cc.s(ev, f);
        if (sc === undefined) return false;
        if (sc !== NOT_SIMPLE) return someInFresh(ev, f, vs, sc, END, k);
        return cc.slow(ev, f, (c) => someInFresh(ev, f, vs, c, END, k));
      };
    }
    const mv = this.match(value);
    const mk = key ? this.match(key) : undefined;
    const general: BodyFn = (ev, f, k) =>
      cc.g(ev, f, (c) => ev.iterate(c, (kv, vv) => mv(ev, f, vv, mk ? () => mk(ev, f, kv, k) : k)));
    if (
      key !== null &&
      key.kind === "var" &&
      value.kind === "var" &&
      key.name !== value.name &&
      !isDocName(key.name) &&
      !isDocName(value.name)
    ) {
      // `some k, v in coll` binding two fresh variables to each entry
      const ks = this.scope.slot(key.name);
      const vs = this.scope.slot(value.name);
      return (ev, f, k) => {
        if (f[ks] !== undefined || f[vs] !== undefined) return general(ev, f, k);
        return cc.g(ev, f, (c) => {
          if (Array.isArray(c)) {
            for (let i = 0; i < c.length; i++) if (bindPair(ev, f, ks, i, vs, c[i], k)) return true;
            return false;
          }
          if (c instanceof RObject) {
            const es = c.sortedView();
            for (let i = 0; i < es.length; i++)
              if (bindPair(ev, f, ks, es[i][0], vs, es[i][1], k)) return true;
            return false;
          }
          return ev.iterate(c, (kv, vv) => bindPair(ev, f, ks, kv, vs, vv, k));
        });
      };
    }
    return general;
  }

  /**
   * `some x in coll` (x a plain variable) followed by `next`, as one closure: with x unbound, each
   * member binds it and runs `next` directly (no continuation per call); `general` is the literal
   * as compiled alone (step and coverage included), for x already bound.
   */
  private someInChained(
    name: string,
    coll: Term,
    general: BodyFn,
    next: BodyFn,
    loc: Loc,
  ): BodyFn | undefined {
    if (isDocName(name)) return undefined;
    const cc = this.term(coll);
    const vs = this.scope.slot(name);
    const fld = this.fieldOf(coll);
    if (fld !== undefined) {
      // e.g. some path in p.paths: the field read here (see fieldOf)
      const [hs, key] = fld;
      return (ev, f, k) => {
        if (f[vs] !== undefined) return general(ev, f, thenK(ev, f, next, k));
        ev.step();
        if (ev.coverage !== undefined) ev.cover(loc);
        const cur = f[hs];
        if (cur === undefined) return someInEach(ev, f, vs, cc.slow, next, k);
        const c = lookup(cur, key);
        return c === undefined ? false : someInFresh(ev, f, vs, c, next, k);
      };
    }
    // (closures are made by module functions, never inside these hot ones: a closure here would
    // make every call allocate the variables it captures, whether or not it is created)
    return (ev, f, k) => {
      if (f[vs] !== undefined) return general(ev, f, thenK(ev, f, next, k));
      ev.step();
      if (ev.coverage !== undefined) ev.cover(loc);
      const sc = cc.s(ev, f);
      if (sc === undefined) return false;
      if (sc !== NOT_SIMPLE) return someInFresh(ev, f, vs, sc, next, k);
      return someInEach(ev, f, vs, cc.slow, next, k);
    };
  }

  /**
   * `some k, v in coll` (two distinct plain variables) followed by `next`, as one closure: with
   * both unbound, each entry binds them and runs `next` directly (see someInChained); `general`
   * is the literal as compiled alone, for either already bound.
   */
  private somePairChained(
    key: string,
    value: string,
    coll: Term,
    general: BodyFn,
    next: BodyFn,
    loc: Loc,
  ): BodyFn {
    const cc = this.term(coll);
    const ks = this.scope.slot(key);
    const vs = this.scope.slot(value);
    return (ev, f, k) => {
      if (f[ks] !== undefined || f[vs] !== undefined) return general(ev, f, thenK(ev, f, next, k));
      ev.step();
      if (ev.coverage !== undefined) ev.cover(loc);
      const sc = cc.s(ev, f);
      if (sc === undefined) return false;
      if (sc !== NOT_SIMPLE) return pairsFresh(ev, f, ks, vs, sc, next, k);
      return pairsEach(ev, f, ks, vs, cc.slow, next, k);
    };
  }

  private joinCode(b: {
    value: Term;
    coll: Term;
    path: Term[];
    probe: Term;
    id: number;
  }): JoinCode {
    const path: Value[] = [];
    for (const p of b.path) {
      if (p.kind !== "scalar") throw new Error("join path must be constant");
      path.push(p.value);
    }
    const v = b.value;
    const slot = joinSlots.get(this.prog) ?? 0;
    joinSlots.set(this.prog, slot + 1);
    return {
      id: b.id,
      slot,
      path,
      pathKey: pathKeyOf(path),
      coll: this.term(b.coll),
      probe: this.term(b.probe),
      value: this.match(v),
      valueSlot: v.kind === "var" && !isDocName(v.name) ? this.scope.slot(v.name) : -1,
      probeField: this.fieldOf(b.probe),
      inputColl:
        b.coll.kind === "ref" &&
        b.coll.terms[0].kind === "var" &&
        b.coll.terms[0].name === "input" &&
        b.coll.terms.every((t, i) => i === 0 || t.kind === "scalar"),
    };
  }

  private join(b: { value: Term; coll: Term; path: Term[]; probe: Term; id: number }): BodyFn {
    const code = this.joinCode(b);
    return (ev, f, k) => {
      const sc = code.coll.s(ev, f);
      if (sc !== NOT_SIMPLE) return sc === undefined ? false : joinOn(ev, f, code, sc, END, k);
      return joinEach(ev, f, code, END, k);
    };
  }

  /** A join literal followed by `next`, as one closure (see someInChained). */
  private joinChained(
    b: { value: Term; coll: Term; path: Term[]; probe: Term; id: number },
    next: BodyFn,
    loc: Loc,
  ): BodyFn {
    const code = this.joinCode(b);
    return (ev, f, k) => {
      ev.step();
      if (ev.coverage !== undefined) ev.cover(loc);
      if (code.inputColl) {
        const ix = ev.inputJoinIndex(code);
        if (ix !== undefined) return joinWith(ev, f, code, ix, next, k);
      }
      const sc = code.coll.s(ev, f);
      if (sc !== NOT_SIMPLE) return sc === undefined ? false : joinOn(ev, f, code, sc, next, k);
      return joinEach(ev, f, code, next, k);
    };
  }

  // ---- with ------------------------------------------------------------------------------------
  private withs(withs: With[], plain: BodyFn): BodyFn {
    const apply = this.applyWiths(withs, 0);
    return (ev, f, k) => {
      const outer = ev.st;
      return apply(ev, f, () =>
        plain(ev, f, () => {
          const inner = ev.st;
          ev.st = outer;
          try {
            return k();
          } finally {
            ev.st = inner;
          }
        }),
      );
    };
  }

  private applyWiths(withs: With[], i: number): BodyFn {
    if (i === withs.length) return END;
    const w = withs[i];
    const rest = this.applyWiths(withs, i + 1);
    const name = termPathName(w.target);
    if (name === undefined)
      return () => {
        throw regoError("rego_compile_error", "invalid with target", w.loc);
      };
    // the path is the ref's terms, not the dotted name split again: a key may contain "."
    const parts =
      w.target.kind === "ref"
        ? w.target.terms.map((t) =>
            t.kind === "var" ? t.name : String((t as { value: Value }).value),
          )
        : [name];
    const fnTarget =
      (parts[0] !== "input" && parts[0] !== "data") ||
      this.prog.groups.get(name)?.kind === "function";
    const value = this.withValue(w);
    return (ev, f, k) =>
      value(ev, f, (val, fnName) => {
        const prev = ev.st;
        const next = { ...prev, cache: new Map(), calls: new Map() };
        if (fnTarget) {
          next.fnOverrides = new Map(prev.fnOverrides);
          next.fnOverrides.set(
            name,
            fnName !== undefined ? { kind: "fn", name: fnName } : { kind: "value", value: val },
          );
        } else if (parts[0] === "input") {
          next.input = parts.length === 1 ? val : upsert(prev.input, parts.slice(1), val);
        } else {
          next.dataOverrides = [...prev.dataOverrides, { path: parts.slice(1), value: val }];
        }
        ev.st = next;
        try {
          return rest(ev, f, k);
        } finally {
          ev.st = prev;
        }
      });
  }

  /** A `with` value: a function name (replacement) or any term's value. */
  private withValue(
    w: With,
  ): (ev: Evaluator, f: Frame, k: (v: Value, fn?: string) => boolean) => boolean {
    const g = this.term(w.value).g;
    const vn = termPathName(w.value);
    let fnName: string | undefined;
    if (vn !== undefined) {
      const grp = this.prog.groups.get(vn);
      if (grp?.kind === "function") fnName = vn;
      else if (!grp && this.prog.builtins[vn]) fnName = vn;
    }
    if (fnName === undefined) return (ev, f, k) => g(ev, f, (v) => k(v));
    const name = fnName;
    // a local variable of that name shadows the function
    const vs =
      w.value.kind === "var" && !isDocName(w.value.name) ? this.scope.slot(w.value.name) : -1;
    return (ev, f, k) => {
      if (vs >= 0 && f[vs] !== undefined) return g(ev, f, (v) => k(v));
      return k(null, name);
    };
  }

  // ---- unification -----------------------------------------------------------------------------
  /** `a = b`: binds whichever side is an unbound variable or pattern. */
  private unify(a: Term, b: Term): BodyFn {
    const as = a.kind === "var" ? this.slotOf(a.name) : -1;
    const bs = b.kind === "var" ? this.slotOf(b.name) : -1;
    const ga = this.term(a).g;
    const gb = this.term(b).g;
    const openA = this.open(a);
    const openB = this.open(b);
    const ma = this.match(a);
    const mb = this.match(b);
    let items: BodyFn | undefined;
    if (a.kind === "array" && b.kind === "array") {
      items = a.items.length !== b.items.length ? () => false : this.unifyItems(a.items, b.items);
    }
    let objects: BodyFn | undefined;
    if (a.kind === "object" && b.kind === "object") {
      objects = () => false;
      if (a.items.length === b.items.length) {
        const bk = new Map<string, Term>();
        for (const [kt, vt] of b.items) if (kt.kind === "scalar") bk.set(keyOf(kt.value), vt);
        const xs: Term[] = [];
        const ys: Term[] = [];
        let ok = true;
        for (const [kt, vt] of a.items) {
          const other = kt.kind === "scalar" ? bk.get(keyOf(kt.value)) : undefined;
          if (!other) {
            ok = false;
            break;
          }
          xs.push(vt);
          ys.push(other);
        }
        if (ok) objects = this.unifyItems(xs, ys);
      }
    }
    return (ev, f, k) => {
      if (as >= 0 && f[as] === undefined) {
        if (bs >= 0 && f[bs] === undefined) return false;
        return gb(ev, f, (v) => bind(ev, f, as, v, k));
      }
      if (bs >= 0 && f[bs] === undefined) return ga(ev, f, (v) => bind(ev, f, bs, v, k));
      if (items !== undefined) return items(ev, f, k);
      if (objects !== undefined && openA(f) && openB(f)) return objects(ev, f, k);
      if (openA(f)) return gb(ev, f, (v) => ma(ev, f, v, k));
      return ga(ev, f, (v) => mb(ev, f, v, k));
    };
  }

  private unifyItems(a: Term[], b: Term[]): BodyFn {
    let next = END;
    for (let i = a.length - 1; i >= 0; i--) {
      const u = this.unify(a[i], b[i]);
      const rest = next;
      next = (ev, f, k) => u(ev, f, () => rest(ev, f, k));
    }
    return next;
  }

  /** Whether a pattern term has an unbound variable in a pattern position. */
  open(t: Term): OpenFn {
    switch (t.kind) {
      case "var": {
        if (isDocName(t.name)) return never;
        const s = this.scope.slot(t.name);
        return (f) => f[s] === undefined;
      }
      case "array":
      case "object": {
        const parts = (t.kind === "array" ? t.items : t.items.map(([, v]) => v))
          .map((x) => this.open(x))
          .filter((x) => x !== never);
        if (parts.length === 0) return never;
        if (parts.length === 1) return parts[0];
        return (f) => {
          for (let i = 0; i < parts.length; i++) if (parts[i](f)) return true;
          return false;
        };
      }
      default:
        return never;
    }
  }

  /** Unify a term with a value: binds its unbound variables, compares the rest. */
  match(t: Term): MatchFn {
    const g = this.term(t).g;
    const compare: MatchFn = (ev, f, v, k) => g(ev, f, (tv) => (equal(tv, v) ? k() : false));
    switch (t.kind) {
      case "var": {
        if (isDocName(t.name)) return compare;
        const s = this.scope.slot(t.name);
        return (ev, f, v, k) => {
          const cur = f[s];
          if (cur === undefined) return bind(ev, f, s, v, k);
          return equal(cur, v) ? k() : false;
        };
      }
      case "scalar": {
        const c = t.value;
        return (_ev, _f, v, k) => (equal(c, v) ? k() : false);
      }
      case "array": {
        const n = t.items.length;
        const open = this.open(t);
        const ms = t.items.map((x) => this.match(x));
        const go = (ev: Evaluator, f: Frame, v: Value[], i: number, k: K): boolean =>
          i === n ? k() : ms[i](ev, f, v[i], () => go(ev, f, v, i + 1, k));
        return (ev, f, v, k) => {
          if (!Array.isArray(v) || v.length !== n) return false;
          if (!open(f)) return compare(ev, f, v, k);
          return go(ev, f, v, 0, k);
        };
      }
      case "object": {
        const n = t.items.length;
        const open = this.open(t);
        const ks = t.items.map(([kt]) => this.term(kt).g);
        const ms = t.items.map(([, vt]) => this.match(vt));
        const go = (ev: Evaluator, f: Frame, v: RObject, i: number, k: K): boolean => {
          if (i === n) return k();
          return ks[i](ev, f, (key) => {
            const got = v.get(key);
            if (got === undefined) return false;
            return ms[i](ev, f, got, () => go(ev, f, v, i + 1, k));
          });
        };
        return (ev, f, v, k) => {
          if (!(v instanceof RObject) || v.size !== n) return false;
          if (!open(f)) return compare(ev, f, v, k);
          return go(ev, f, v, 0, k);
        };
      }
      default:
        return compare;
    }
  }

  // ---- terms -----------------------------------------------------------------------------------
  term(t: Term): TermCode {
    let c = this.codes.get(t);
    if (c === undefined) {
      const s = this.simple(t);
      const slow = this.slowTerm(t);
      const g: GenFn =
        s === notSimple
          ? slow
          : (ev, f, vk) => {
              const v = s(ev, f);
              if (v !== NOT_SIMPLE) return v === undefined ? false : vk(v);
              return slow(ev, f, vk);
            };
      c = { s, slow, g };
      this.codes.set(t, c);
    }
    return c;
  }

  /**
   * Deterministic fast path: scalars, bound vars, refs without iteration below input/locals/data
   * rules, and calls on such arguments.
   */
  private simple(t: Term): SimpleFn {
    switch (t.kind) {
      case "scalar": {
        const c = t.value;
        return () => c;
      }
      case "var": {
        if (t.name === "input") return (ev) => ev.st.input;
        if (t.name === "data") return notSimple;
        const s = this.scope.slot(t.name);
        return (_ev, f) => {
          const v = f[s];
          return v !== undefined ? v : NOT_SIMPLE;
        };
      }
      case "ref":
        return this.simpleRef(t.terms);
      case "array": {
        const fs = t.items.map((x) => this.simple(x));
        if (fs.includes(notSimple)) return notSimple;
        return (ev, f) => simpleValues(fs, ev, f);
      }
      case "object": {
        // e.g. {"need": need.name}: built at once, without a continuation per member
        const fs: SimpleFn[] = [];
        for (const [kt, vt] of t.items) fs.push(this.simple(kt), this.simple(vt));
        if (fs.includes(notSimple)) return notSimple;
        const n = fs.length;
        return (ev, f) => {
          const vals = simpleValues(fs, ev, f);
          if (vals === undefined || vals === NOT_SIMPLE) return vals;
          const o = new RObject();
          for (let i = 0; i < n; i += 2) o.set(vals[i], vals[i + 1]);
          return o;
        };
      }
      case "call": {
        if (t.fn === "print" || t.fn === "walk") return notSimple;
        const fs = t.args.map((x) => this.simple(x));
        if (fs.includes(notSimple)) return notSimple;
        const n = fs.length;
        const fn = t.fn;
        const loc = t.loc;
        // resolved once per program: a built-in is called directly unless a `with` mocks it
        const bi: BuiltinDef | null = this.prog.groups.has(fn)
          ? null
          : (this.prog.builtins[fn] ?? null);
        // (only the engine's own definitions: a custom built-in may take the name)
        const own = bi !== null && bi === BUILTINS[fn];
        const unary = own && n === 1 ? UNARY_FNS.get(fn) : undefined;
        if (unary !== undefined && bi !== null) {
          // e.g. is_string(x), count(xs): answered in place (no argument array, no built-in
          // call); operands the in-place answer does not cover go to the built-in (its errors)
          const [fa] = fs;
          const def: BuiltinDef = bi;
          return (ev, f) => {
            const a = fa(ev, f);
            if (a === NOT_SIMPLE) return NOT_SIMPLE;
            if (a === undefined) return undefined;
            if (ev.st.fnOverrides.size === 0) {
              const r = unary(a);
              return r !== NOT_SIMPLE ? r : ev.invokeBuiltin(def, fn, [a], loc);
            }
            return ev.callFunction(fn, [a], loc);
          };
        }
        const pair = own && n === 2 ? PAIR_FNS.get(fn) : undefined;
        if (pair !== undefined && bi !== null) {
          // e.g. startswith(a, b) on two strings, a > b: answered in place; other operands go to
          // the built-in (its type errors)
          const [fa, fb] = fs;
          const def: BuiltinDef = bi;
          const fld = this.fieldOf(t.args[0]);
          const tb = t.args[1];
          if (fld !== undefined && tb.kind === "scalar") {
            // e.g. startswith(g.owner, "team-"): the field read here (see fieldOf)
            const [hs, key] = fld;
            const b = tb.value;
            return (ev, f) => {
              const cur = f[hs];
              if (cur === undefined) return NOT_SIMPLE;
              const a = lookup(cur, key);
              if (a === undefined) return undefined;
              if (ev.st.fnOverrides.size === 0) {
                const r = pair(a, b);
                return r !== NOT_SIMPLE ? r : ev.invokeBuiltin(def, fn, [a, b], loc);
              }
              return ev.callFunction(fn, [a, b], loc);
            };
          }
          return (ev, f) => {
            const a = fa(ev, f);
            if (a === NOT_SIMPLE) return NOT_SIMPLE;
            if (a === undefined) return undefined;
            const b = fb(ev, f);
            if (b === NOT_SIMPLE) return NOT_SIMPLE;
            if (b === undefined) return undefined;
            if (ev.st.fnOverrides.size === 0) {
              const r = pair(a, b);
              return r !== NOT_SIMPLE ? r : ev.invokeBuiltin(def, fn, [a, b], loc);
            }
            return ev.callFunction(fn, [a, b], loc);
          };
        }
        if (own && n === 2 && (fn === "equal" || fn === "neq")) {
          // `a == b` / `a != b`: compared in place (no argument array, no built-in call) unless
          // a `with` mocks functions
          const [fa, fb] = fs;
          const want = fn === "equal";
          const [ta, tb] = t.args;
          if (tb.kind === "scalar" || ta.kind === "scalar") {
            // one side a constant (e.g. g.access == "read"): the other side's value against it
            const constFirst = tb.kind !== "scalar";
            const c = constFirst ? (ta as { value: Value }).value : (tb as { value: Value }).value;
            const fv = constFirst ? fb : fa;
            const fld = this.fieldOf(constFirst ? tb : ta);
            if (fld !== undefined) {
              // `x.k == "c"`: the field read here, not by a closure of its own
              const [hs, key] = fld;
              return (ev, f) => {
                const cur = f[hs];
                if (cur === undefined) return NOT_SIMPLE;
                const v = lookup(cur, key);
                if (v === undefined) return undefined;
                if (ev.st.fnOverrides.size === 0) return (v === c || equal(v, c)) === want;
                return ev.callFunction(fn, constFirst ? [c, v] : [v, c], loc);
              };
            }
            return (ev, f) => {
              const v = fv(ev, f);
              if (v === NOT_SIMPLE) return NOT_SIMPLE;
              if (v === undefined) return undefined;
              if (ev.st.fnOverrides.size === 0) return (v === c || equal(v, c)) === want;
              return ev.callFunction(fn, constFirst ? [c, v] : [v, c], loc);
            };
          }
          return (ev, f) => {
            const a = fa(ev, f);
            if (a === NOT_SIMPLE) return NOT_SIMPLE;
            if (a === undefined) return undefined;
            const b = fb(ev, f);
            if (b === NOT_SIMPLE) return NOT_SIMPLE;
            if (b === undefined) return undefined;
            if (ev.st.fnOverrides.size === 0) return equal(a, b) === want;
            return ev.callFunction(fn, [a, b], loc);
          };
        }
        if (own && n === 2 && fn === "internal.member_2" && bi !== null) {
          // `x in coll`: the membership test in place (no argument array, no built-in call)
          const [fa, fb] = fs;
          const ta = t.args[0];
          const fld = this.fieldOf(t.args[1]);
          if (ta.kind === "scalar" && fld !== undefined) {
            // e.g. "sudo" in p.capabilities: the field read here (see fieldOf)
            const a = ta.value;
            const [hs, key] = fld;
            return (ev, f) => {
              const cur = f[hs];
              if (cur === undefined) return NOT_SIMPLE;
              const b = lookup(cur, key);
              if (b === undefined) return undefined;
              if (ev.st.fnOverrides.size === 0) return memberOf(a, b);
              return ev.callFunction(fn, [a, b], loc);
            };
          }
          return (ev, f) => {
            const a = fa(ev, f);
            if (a === NOT_SIMPLE) return NOT_SIMPLE;
            if (a === undefined) return undefined;
            const b = fb(ev, f);
            if (b === NOT_SIMPLE) return NOT_SIMPLE;
            if (b === undefined) return undefined;
            if (ev.st.fnOverrides.size === 0) return memberOf(a, b);
            return ev.callFunction(fn, [a, b], loc);
          };
        }
        const sp = own && n === 2 && bi !== null ? this.sprintfStrings(t.args) : undefined;
        if (sp !== undefined && bi !== null) {
          // sprintf("…%s…", [a, b]) on strings: the pieces joined in place; anything else goes
          // to the built-in (Go's formatter, its errors)
          const { format, pieces, items } = sp;
          const def: BuiltinDef = bi;
          const m = items.length;
          return (ev, f) => {
            const vals: Value[] = new Array<Value>(m);
            let allStrings = true;
            for (let i = 0; i < m; i++) {
              const x = items[i](ev, f);
              if (x === NOT_SIMPLE || x === undefined) return x;
              if (typeof x !== "string") allStrings = false;
              vals[i] = x;
            }
            if (ev.st.fnOverrides.size !== 0) return ev.callFunction(fn, [format, vals], loc);
            if (!allStrings) return ev.invokeBuiltin(def, fn, [format, vals], loc);
            let out = pieces[0];
            for (let i = 0; i < m; i++) out += (vals[i] as string) + pieces[i + 1];
            return out;
          };
        }
        if (own && bi !== null && n >= 1 && n <= 3 && SCRATCH_ARGS.has(fn)) {
          // e.g. split(p, "/"), object.get(o, k, d): the values handed to the built-in in one
          // array kept by this call site (filled once every argument is known, emptied after)
          const def: BuiltinDef = bi;
          const scratch: Value[] = n === 1 ? [null] : n === 2 ? [null, null] : [null, null, null];
          const [f0, f1, f2] = fs;
          return (ev, f) => {
            const a = f0(ev, f);
            if (a === NOT_SIMPLE || a === undefined) return a;
            let b: Value = null;
            let c: Value = null;
            if (n > 1) {
              const x = f1(ev, f);
              if (x === NOT_SIMPLE || x === undefined) return x;
              b = x;
            }
            if (n > 2) {
              const x = f2(ev, f);
              if (x === NOT_SIMPLE || x === undefined) return x;
              c = x;
            }
            // (a mock may be a user function, whose memo keeps its arguments)
            if (ev.st.fnOverrides.size !== 0)
              return ev.callFunction(fn, n === 1 ? [a] : n === 2 ? [a, b] : [a, b, c], loc);
            scratch[0] = a;
            if (n > 1) scratch[1] = b;
            if (n > 2) scratch[2] = c;
            const r = ev.invokeBuiltin(def, fn, scratch, loc);
            scratch[0] = null;
            if (n > 1) scratch[1] = null;
            if (n > 2) scratch[2] = null;
            return r;
          };
        }
        const grp = this.prog.groups.get(fn);
        if (grp !== undefined && grp.kind === "function") {
          // a user function: called directly unless a `with` mocks functions
          const slot = fnSlotOf(this.prog, grp);
          return (ev, f) => {
            const args = simpleValues(fs, ev, f);
            if (args === undefined || args === NOT_SIMPLE) return args;
            if (ev.st.fnOverrides.size === 0) return ev.callGroup(grp, slot, args);
            return ev.callFunction(fn, args, loc);
          };
        }
        return (ev, f) => {
          const args = simpleValues(fs, ev, f);
          if (args === undefined || args === NOT_SIMPLE) return args;
          if (bi !== null && ev.st.fnOverrides.size === 0)
            return ev.invokeBuiltin(bi, fn, args, loc);
          return ev.callFunction(fn, args, loc);
        };
      }
      default:
        return notSimple;
    }
  }

  /**
   * `sprintf(<constant format>, [<n items>])` whose directives are n plain `%s`/`%v`: the
   * format's literal pieces (`%%` read as "%") and the items' fast paths. Go prints a string
   * under %s or %v as itself, so on string items the pieces joined are the built-in's value.
   */
  private sprintfStrings(
    args: Term[],
  ): { format: string; pieces: string[]; items: SimpleFn[] } | undefined {
    const [ft, lt] = args;
    if (ft.kind !== "scalar" || typeof ft.value !== "string" || lt.kind !== "array") return;
    const format = ft.value;
    const plan = plainFormat(format);
    if (plan === null || plan.verbs.some((v) => v !== "s" && v !== "v")) return undefined;
    const { pieces } = plan;
    if (pieces.length - 1 !== lt.items.length) return undefined;
    const items = lt.items.map((x) => this.simple(x));
    if (items.includes(notSimple)) return undefined;
    return { format, pieces, items };
  }

  /**
   * A local variable's field by a constant string key (`x.k`): its slot and key, which a closure
   * may read in place instead of calling the reference's own closure. Else undefined.
   */
  private fieldOf(t: Term): [slot: number, key: string] | undefined {
    if (t.kind !== "ref" || t.terms.length !== 2) return undefined;
    const [h, k] = t.terms;
    if (h.kind !== "var" || isDocName(h.name) || k.kind !== "scalar") return undefined;
    if (typeof k.value !== "string") return undefined;
    return [this.scope.slot(h.name), k.value];
  }

  private simpleRef(ts: Term[]): SimpleFn {
    const h = ts[0];
    if (h.kind !== "var") return notSimple;
    const n = ts.length;
    // key getters for positions 1…n-1 (a data ref may resume anywhere)
    const keys: SimpleFn[] = new Array<SimpleFn>(n);
    let allConst = true;
    const consts: Value[] = new Array<Value>(n);
    for (let i = 1; i < n; i++) {
      const x = ts[i];
      if (x.kind === "scalar") {
        const c = x.value;
        consts[i] = c;
        keys[i] = () => c;
      } else {
        allConst = false;
        if (x.kind === "var" || x.kind === "ref" || x.kind === "call") keys[i] = this.simple(x);
        else keys[i] = notSimple;
      }
    }
    const walk = (ev: Evaluator, f: Frame, cur: Value, i: number): Simple => {
      for (; i < n; i++) {
        const key = keys[i](ev, f);
        if (key === NOT_SIMPLE || key === undefined) return key;
        const next: Value | undefined = lookup(cur, key);
        // the rest may still iterate (e.g. x.missing[y]); undefined either way
        if (next === undefined) return undefined;
        cur = next;
      }
      return cur;
    };
    if (h.name === "data") {
      const slot = dataSlots.get(this.prog) ?? 0;
      dataSlots.set(this.prog, slot + 1);
      const d: DataRef = {
        slot,
        terms: ts,
        keySlots: ts.map((x) =>
          x.kind === "var" && !isDocName(x.name) ? this.scope.slot(x.name) : -1,
        ),
      };
      return (ev, f) => {
        const r = ev.simpleData(d, f);
        if (r === NOT_SIMPLE || r === undefined) return r;
        return walk(ev, f, r, ev.dataStop);
      };
    }
    const isInput = h.name === "input";
    const hs = isInput ? -1 : this.scope.slot(h.name);
    if (allConst && n === 2) {
      const k1 = consts[1];
      if (isInput)
        return (ev) => {
          const cur = ev.st.input;
          return cur === undefined ? undefined : lookup(cur, k1);
        };
      return (_ev, f) => {
        const cur = f[hs];
        return cur === undefined ? NOT_SIMPLE : lookup(cur, k1);
      };
    }
    if (allConst) {
      return (ev, f) => {
        let cur: Value | undefined = isInput ? ev.st.input : f[hs];
        if (cur === undefined) return isInput ? undefined : NOT_SIMPLE;
        for (let i = 1; i < n; i++) {
          const next: Value | undefined = lookup(cur, consts[i]);
          if (next === undefined) return undefined;
          cur = next;
        }
        return cur;
      };
    }
    return (ev, f) => {
      const cur: Value | undefined = isInput ? ev.st.input : f[hs];
      if (cur === undefined) return isInput ? undefined : NOT_SIMPLE;
      return walk(ev, f, cur, 1);
    };
  }

  /** The general path of a term: iteration, comprehensions, calls with iterating arguments. */
  private slowTerm(t: Term): GenFn {
    switch (t.kind) {
      case "scalar": {
        const c = t.value;
        return (_ev, _f, vk) => vk(c);
      }
      case "var": {
        if (t.name === "input")
          return (ev, _f, vk) => (ev.st.input === undefined ? false : vk(ev.st.input));
        if (t.name === "data")
          return (ev, _f, vk) => {
            const d = ev.materialize(ev.prog.root, [], ev.baseData);
            return d === undefined ? false : vk(d);
          };
        const s = this.scope.slot(t.name);
        return (_ev, f, vk) => {
          const v = f[s];
          return v !== undefined ? vk(v) : false;
        };
      }
      case "ref":
        return this.ref(t.terms);
      case "array": {
        const args = argsRunner(t.items.map((x) => this.term(x)));
        return (ev, f, vk) => args(ev, f, vk);
      }
      case "set": {
        const args = argsRunner(t.items.map((x) => this.term(x)));
        return (ev, f, vk) => args(ev, f, (vals) => vk(new RSet(vals)));
      }
      case "object": {
        const flat: Term[] = [];
        for (const [kk, vv] of t.items) flat.push(kk, vv);
        const args = argsRunner(flat.map((x) => this.term(x)));
        return (ev, f, vk) =>
          args(ev, f, (vals) => {
            const o = new RObject();
            for (let i = 0; i < vals.length; i += 2) o.set(vals[i], vals[i + 1]);
            return vk(o);
          });
      }
      case "call": {
        if (t.fn === "print") return this.print(t.args);
        const args = argsRunner(t.args.map((x) => this.term(x)));
        const fn = t.fn;
        const loc = t.loc;
        return (ev, f, vk) =>
          args(ev, f, (vals) => {
            const r = ev.callFunction(fn, vals, loc);
            if (r === undefined) return false;
            if (fn === "walk" && Array.isArray(r) && !ev.st.fnOverrides.has("walk"))
              return r.some(vk);
            return vk(r);
          });
      }
      case "arraycomp": {
        const body = this.body(t.body);
        const head = this.term(t.head).g;
        return (ev, f, vk) => {
          const out: Value[] = [];
          const add: VK = (v) => {
            out.push(v);
            return false;
          };
          body(ev, f, () => head(ev, f, add));
          return vk(out);
        };
      }
      case "setcomp": {
        const body = this.closureBody(t.body);
        const head = this.term(t.head).g;
        return (ev, f, vk) => {
          const out = new RSet();
          const add: VK = (v) => {
            out.add(v);
            return false;
          };
          body(ev, f, () => head(ev, f, add));
          return vk(out);
        };
      }
      case "objcomp": {
        const body = this.closureBody(t.body);
        const key = this.term(t.key).g;
        const value = this.term(t.value).g;
        const loc = t.loc;
        return (ev, f, vk) => {
          const out = new RObject();
          body(ev, f, () =>
            key(ev, f, (kv) =>
              value(ev, f, (vv) => {
                const prev = out.get(kv);
                if (prev !== undefined && !equal(prev, vv))
                  throw regoError("eval_conflict_error", "object keys must be unique", loc);
                out.set(kv, vv);
                return false;
              }),
            ),
          );
          return vk(out);
        };
      }
    }
  }

  private print(args: Term[]): GenFn {
    const gs = args.map((a) => this.term(a).g);
    return (ev, f, vk) => {
      const parts: Value[][] = [];
      for (const g of gs) {
        const vals: Value[] = [];
        g(ev, f, (v) => {
          vals.push(v);
          return false;
        });
        parts.push(vals);
      }
      ev.print(parts);
      return vk(true);
    };
  }

  // ---- references ------------------------------------------------------------------------------
  private ref(terms: Term[]): GenFn {
    const code = this.refCode(terms);
    const walk1 = code.walks[1];
    const head = terms[0];
    if (head.kind === "var") {
      if (head.name === "data")
        return (ev, f, vk) => ev.walkData(ev.prog.root, [], ev.baseData, code, 1, f, vk);
      if (head.name === "input")
        return (ev, f, vk) =>
          ev.st.input === undefined ? false : walk1(ev, f, ev.st.input, vk, false);
      const s = this.scope.slot(head.name);
      return (ev, f, vk) => {
        const bound = f[s];
        return bound === undefined ? false : walk1(ev, f, bound, vk, false);
      };
    }
    const hg = this.term(head).g;
    return (ev, f, vk) => hg(ev, f, (v) => walk1(ev, f, v, vk, false));
  }

  private refCode(terms: Term[]): RefCode {
    const n = terms.length;
    const walks: WalkFn[] = new Array<WalkFn>(n + 1);
    const keys: GenFn[] = new Array<GenFn>(n);
    const open: OpenFn[] = new Array<OpenFn>(n);
    walks[n] = (_ev, _f, v, vk) => vk(v);
    for (let i = n - 1; i >= 1; i--) {
      const t = terms[i];
      const next = walks[i + 1];
      keys[i] = this.term(t).g;
      open[i] = this.open(t);
      walks[i] = this.walkAt(t, next);
    }
    return { n, walks, keys, open };
  }

  /** Resolve one ref position: an unbound var/pattern iterates, anything else is evaluated. */
  private walkAt(t: Term, next: WalkFn): WalkFn {
    if (t.kind === "scalar") {
      const c = t.value;
      return (ev, f, v, vk, json) => {
        const got = lookupIn(v, c, json);
        return got === undefined ? false : next(ev, f, got, vk, json);
      };
    }
    const g = this.term(t).g;
    const evaluated: WalkFn = (ev, f, v, vk, json) =>
      g(ev, f, (key) => {
        const got = lookupIn(v, key, json);
        return got === undefined ? false : next(ev, f, got, vk, json);
      });
    if (t.kind === "var" && !isDocName(t.name)) {
      const s = this.scope.slot(t.name);
      return (ev, f, v, vk, json) => {
        const b = f[s];
        if (b !== undefined) {
          const got = lookupIn(v, b, json);
          return got === undefined ? false : next(ev, f, got, vk, json);
        }
        return ev.iterate(v, (key, val) => bind(ev, f, s, key, () => next(ev, f, val, vk, json)));
      };
    }
    const open = this.open(t);
    if (open === never) return evaluated;
    const m = this.match(t);
    return (ev, f, v, vk, json) => {
      if (open(f))
        return ev.iterate(v, (key, val) => m(ev, f, key, () => next(ev, f, val, vk, json)));
      return evaluated(ev, f, v, vk, json);
    };
  }

  // ---- functions -------------------------------------------------------------------------------
  /** A call written with one argument more than the function takes: the last one is its output. */
  private hasOutputArg(t: { fn: string; args: Term[] }): boolean {
    const key = t.fn + "/" + t.args.length;
    let r = this.outArgs.get(key);
    if (r === undefined) {
      const g = this.prog.groups.get(t.fn);
      let n: number | undefined;
      if (g) n = g.kind === "function" ? g.arity : undefined;
      else if (t.fn === "internal.member_3") n = 3;
      else n = this.prog.builtins[t.fn]?.arity;
      r = n !== undefined && n >= 0 && t.args.length === n + 1;
      this.outArgs.set(key, r);
    }
    return r;
  }
}

/** Identity of a join path: indexes on equal paths are shared (JoinCode, MemberSetCode). */
function pathKeyOf(path: Value[]): string {
  return JSON.stringify(path.map(keyOf));
}

/**
 * Built-ins of two operands answered in place, as their definitions answer (rego/builtins/core.ts,
 * strings.ts); NOT_SIMPLE for operands left to the built-in (its type errors).
 */
const PAIR_FNS = new Map<string, (a: Value, b: Value) => Value | typeof NOT_SIMPLE>([
  [
    "startswith",
    (a, b) => (typeof a === "string" && typeof b === "string" ? a.startsWith(b) : NOT_SIMPLE),
  ],
  [
    "endswith",
    (a, b) => (typeof a === "string" && typeof b === "string" ? a.endsWith(b) : NOT_SIMPLE),
  ],
  [
    "contains",
    (a, b) => (typeof a === "string" && typeof b === "string" ? a.includes(b) : NOT_SIMPLE),
  ],
  // Rego's total order (numbers of one JS type: `<` is that order)
  ["lt", (a, b) => (typeof a === "number" && typeof b === "number" ? a < b : compare(a, b) < 0)],
  ["gt", (a, b) => (typeof a === "number" && typeof b === "number" ? a > b : compare(a, b) > 0)],
  ["lte", (a, b) => (typeof a === "number" && typeof b === "number" ? a <= b : compare(a, b) <= 0)],
  ["gte", (a, b) => (typeof a === "number" && typeof b === "number" ? a >= b : compare(a, b) >= 0)],
]);

/** Built-ins of one operand answered in place (rego/builtins/typecheck.ts, aggregates.ts). */
const UNARY_FNS = new Map<string, (a: Value) => Value | typeof NOT_SIMPLE>([
  ["is_number", (a) => isNumber(a)],
  ["is_string", (a) => typeof a === "string"],
  ["is_boolean", (a) => typeof a === "boolean"],
  ["is_array", (a) => Array.isArray(a)],
  ["is_set", (a) => a instanceof RSet],
  ["is_object", (a) => a instanceof RObject],
  ["is_null", (a) => a === null],
  // (a string's count is its code points: the built-in counts them)
  [
    "count",
    (a) =>
      Array.isArray(a) ? a.length : a instanceof RObject || a instanceof RSet ? a.size : NOT_SIMPLE,
  ],
]);

/**
 * Terms' values by their fast paths, in order (an array literal's items, an object literal's keys
 * and values, a call's arguments): a new array, or the first undefined or NOT_SIMPLE.
 */
function simpleValues(
  fs: SimpleFn[],
  ev: Evaluator,
  f: Frame,
): Value[] | undefined | typeof NOT_SIMPLE {
  const n = fs.length;
  const args: Value[] = new Array<Value>(n);
  for (let i = 0; i < n; i++) {
    const a = fs[i](ev, f);
    if (a === NOT_SIMPLE || a === undefined) return a;
    args[i] = a;
  }
  return args;
}

/**
 * Built-ins whose definitions (rego/builtins/*.ts) read their argument array during the call
 * and neither keep it, return it nor evaluate Rego: a call site may hand them one array of its
 * own, call after call. Chosen by calls per evaluation of our policies.
 */
const SCRATCH_ARGS = new Set([
  "object.get",
  "object.union",
  "split",
  "concat",
  "replace",
  "trim_space",
  "trim_prefix",
  "trim_suffix",
  "lower",
  "upper",
  "time.parse_ns",
  "array.slice",
  "array.concat",
  "sort",
  "sprintf",
  "indexof",
  "substring",
]);

/** `x in coll`, as the built-in internal.member_2 (rego/builtins/core.ts) answers it. */
function memberOf(x: Value, coll: Value): boolean {
  if (Array.isArray(coll)) {
    for (let i = 0; i < coll.length; i++) {
      const v = coll[i];
      if (v === x || equal(v, x)) return true;
    }
    return false;
  }
  if (coll instanceof RSet) return coll.has(x);
  if (coll instanceof RObject) {
    for (const [, v] of coll.entries()) if (equal(v, x)) return true;
    return false;
  }
  return false;
}

/** Evaluates each argument in turn (iterating ones by continuation) and passes their values. */
function argsRunner(codes: TermCode[]): ArgsFn {
  const n = codes.length;
  const go = (
    ev: Evaluator,
    f: Frame,
    acc: Value[],
    i: number,
    k: (vals: Value[]) => boolean,
  ): boolean => {
    const mark = acc.length;
    // deterministic values need no continuation frame (keeps deep literals off the stack)
    for (; i < n; i++) {
      const v = codes[i].s(ev, f);
      if (v === NOT_SIMPLE) break;
      if (v === undefined) {
        acc.length = mark;
        return false;
      }
      acc.push(v);
    }
    let r: boolean;
    if (i === n) r = k(acc.slice());
    else {
      const j = i;
      r = codes[j].slow(ev, f, (v) => {
        acc.push(v);
        const res = go(ev, f, acc, j + 1, k);
        acc.pop();
        return res;
      });
    }
    acc.length = mark;
    return r;
  };
  return (ev, f, k) => go(ev, f, [], 0, k);
}

/** `some name in coll` for a fresh var: each member in turn, then `next` and `k`. */
function someInFresh(ev: Evaluator, f: Frame, s: number, coll: Value, next: BodyFn, k: K): boolean {
  if (Array.isArray(coll)) {
    for (let i = 0; i < coll.length; i++) {
      ev.step();
      f[s] = coll[i];
      const stop = next(ev, f, k);
      f[s] = undefined;
      if (stop) return true;
    }
    return false;
  }
  return someInIterate(ev, f, s, coll, next === END ? k : thenK(ev, f, next, k));
}

/** someInFresh on an object or set (its own function: see someInChained). */
function someInIterate(ev: Evaluator, f: Frame, s: number, coll: Value, k: K): boolean {
  return ev.iterate(coll, (_key, val) => bind(ev, f, s, val, k));
}

/** `next` and then `k`, as one continuation. */
function thenK(ev: Evaluator, f: Frame, next: BodyFn, k: K): K {
  return () => next(ev, f, k);
}

/** someInFresh on each value of an iterating collection term. */
function someInEach(ev: Evaluator, f: Frame, s: number, coll: GenFn, next: BodyFn, k: K): boolean {
  return coll(ev, f, (c) => someInFresh(ev, f, s, c, next, k));
}

/** joinOn on each value of an iterating collection term. */
function joinEach(ev: Evaluator, f: Frame, code: JoinCode, next: BodyFn, k: K): boolean {
  return code.coll.slow(ev, f, (c) => joinOn(ev, f, code, c, next, k));
}

/** `some k, v in coll` for two fresh vars: each entry in turn, then `next` and `k`. */
function pairsFresh(
  ev: Evaluator,
  f: Frame,
  ks: number,
  vs: number,
  coll: Value,
  next: BodyFn,
  k: K,
): boolean {
  if (Array.isArray(coll)) {
    for (let i = 0; i < coll.length; i++) {
      ev.step();
      f[vs] = coll[i];
      ev.step();
      f[ks] = i;
      const stop = next(ev, f, k);
      f[ks] = undefined;
      f[vs] = undefined;
      if (stop) return true;
    }
    return false;
  }
  if (coll instanceof RObject) {
    const es = coll.sortedView();
    for (let i = 0; i < es.length; i++) {
      ev.step();
      f[vs] = es[i][1];
      ev.step();
      f[ks] = es[i][0];
      const stop = next(ev, f, k);
      f[ks] = undefined;
      f[vs] = undefined;
      if (stop) return true;
    }
    return false;
  }
  return pairsIterate(ev, f, ks, vs, coll, thenK(ev, f, next, k));
}

/** pairsFresh on a set or scalar (its own function: see someInChained). */
function pairsIterate(ev: Evaluator, f: Frame, ks: number, vs: number, coll: Value, k: K): boolean {
  return ev.iterate(coll, (kv, vv) => bindPair(ev, f, ks, kv, vs, vv, k));
}

/** pairsFresh on each value of an iterating collection term. */
function pairsEach(
  ev: Evaluator,
  f: Frame,
  ks: number,
  vs: number,
  coll: GenFn,
  next: BodyFn,
  k: K,
): boolean {
  return coll(ev, f, (c) => pairsFresh(ev, f, ks, vs, c, next, k));
}

/** A fresh variable bound to each value of a term in turn, then `next` and `k`. */
function bindEach(ev: Evaluator, f: Frame, s: number, gen: GenFn, next: BodyFn, k: K): boolean {
  return gen(ev, f, (v) => {
    ev.step();
    f[s] = v;
    const r = next(ev, f, k);
    f[s] = undefined;
    return r;
  });
}

/** Two fresh variables bound at once (value first, as unification orders them). */
function bindPair(
  ev: Evaluator,
  f: Frame,
  ks: number,
  kv: Value,
  vs: number,
  vv: Value,
  k: K,
): boolean {
  ev.step();
  f[vs] = vv;
  ev.step();
  f[ks] = kv;
  const r = k();
  f[ks] = undefined;
  f[vs] = undefined;
  return r;
}

/** Hash join: the members of `coll` whose key path equals the probe (index built once per collection). */
function joinOn(ev: Evaluator, f: Frame, code: JoinCode, coll: Value, next: BodyFn, k: K): boolean {
  if (!(Array.isArray(coll) || coll instanceof RObject || coll instanceof RSet)) return false;
  return joinWith(ev, f, code, ev.joinIndex(code, coll), next, k);
}

/** The join's probe looked up in the collection's index. */
function joinWith(
  ev: Evaluator,
  f: Frame,
  code: JoinCode,
  ix: JoinIndex,
  next: BodyFn,
  k: K,
): boolean {
  const pf = code.probeField;
  if (pf !== undefined) {
    // `… == g.policy`: the probe's field read here (see fieldOf)
    const cur = f[pf[0]];
    if (cur !== undefined) {
      const v = lookup(cur, pf[1]);
      return v === undefined ? false : joinMatches(ev, f, code, ix, v, next, k);
    }
  }
  const sp = code.probe.s(ev, f);
  if (sp === undefined) return false;
  if (sp !== NOT_SIMPLE) return joinMatches(ev, f, code, ix, sp, next, k);
  return joinProbes(ev, f, code, ix, next, k);
}

/** joinMatches for each value of an iterating probe. */
function joinProbes(
  ev: Evaluator,
  f: Frame,
  code: JoinCode,
  ix: JoinIndex,
  next: BodyFn,
  k: K,
): boolean {
  return code.probe.slow(ev, f, (probe) => joinMatches(ev, f, code, ix, probe, next, k));
}

/** Each member whose key equals the probe's binds the join's value, then `next` and `k` run. */
function joinMatches(
  ev: Evaluator,
  f: Frame,
  code: JoinCode,
  ix: JoinIndex,
  probe: Value,
  next: BodyFn,
  k: K,
): boolean {
  const hit = ix.get(keyOf(probe));
  if (hit === undefined) return false;
  const s = code.valueSlot;
  if (s >= 0 && f[s] === undefined) {
    // a fresh variable: bind each member directly (as match → bind would)
    if (!(hit instanceof JoinBucket)) {
      ev.step();
      f[s] = hit;
      const r = next(ev, f, k);
      f[s] = undefined;
      return r;
    }
    const items = hit.items;
    for (let i = 0; i < items.length; i++) {
      ev.step();
      f[s] = items[i];
      const r = next(ev, f, k);
      f[s] = undefined;
      if (r) return true;
    }
    return false;
  }
  const k2: K = next === END ? k : thenK(ev, f, next, k);
  if (!(hit instanceof JoinBucket)) return code.value(ev, f, hit, k2);
  const items = hit.items;
  for (let i = 0; i < items.length; i++) if (code.value(ev, f, items[i], k2)) return true;
  return false;
}

/** Copy-on-write set of a path inside an object value (creating objects as needed). */
export function upsert(v: Value | undefined, path: string[], val: Value): Value {
  if (path.length === 0) return val;
  const o = new RObject();
  if (v instanceof RObject) for (const [kk, vv] of v.entries()) o.set(kk, vv);
  const child = v instanceof RObject ? v.get(path[0]) : undefined;
  o.set(path[0], upsert(child, path.slice(1), val));
  return o;
}
