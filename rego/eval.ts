/**
 * Top-down evaluator: continuation-passing search with backtracking over a mutable binding map.
 * A continuation returns true to stop the search (used for negation, `every`, early exit).
 */
import { termPathName, type Expr, type Loc, type Term, type With } from "./ast";
import {
  BuiltinError,
  BuiltinTypeError,
  type BuiltinContext,
  type BuiltinDef,
} from "./builtins/types";
import { type CompiledProgram, type CRule, type DNode, type RuleGroup } from "./compiler";
import { RegoError, regoError } from "./errors";
import { NO_METADATA } from "./annotations";
import { RObject, RSet, equal, keyOf, toJSONText, type Value } from "./value";

type K = () => boolean;
const NOT_SIMPLE = Symbol("not-simple");
/** A continuation that stops the search at the first solution. */
const STOP: K = () => true;
type VK = (v: Value) => boolean;
type SimpleFn = (ev: Evaluator, env: Env) => Value | undefined | typeof NOT_SIMPLE;
const notSimple: SimpleFn = () => NOT_SIMPLE;
/** Compiled fast paths by term (terms are immutable once compiled; shared by evaluations). */
const simpleFns = new WeakMap<Term, SimpleFn>();
const PLAN_NONE_KIND = 0;
const PLAN_BIND = 1;
const PLAN_FILTER = 2;
type ExprPlan =
  | { kind: typeof PLAN_NONE_KIND }
  | {
      kind: typeof PLAN_BIND;
      lname: string | undefined;
      rname: string | undefined;
      lfn: SimpleFn;
      rfn: SimpleFn;
    }
  | { kind: typeof PLAN_FILTER; fn: SimpleFn; negated: boolean };
const PLAN_NONE: ExprPlan = { kind: PLAN_NONE_KIND };
/** Body plans depend on the program (which calls carry an output argument). */
const bodyPlansByProg = new WeakMap<CompiledProgram, WeakMap<Expr[], ExprPlan[]>>();
export type Env = Map<string, Value>;

type FnOverride = { kind: "fn"; name: string } | { kind: "value"; value: Value };

interface DataOverride {
  path: string[]; // below data
  value: Value;
}

interface Scoped {
  input: Value | undefined;
  dataOverrides: DataOverride[];
  fnOverrides: Map<string, FnOverride>;
  cache: Map<RuleGroup, { v: Value | undefined }>;
}

export interface EvaluatorOptions {
  input?: Value;
  data: Value;
  strict: boolean;
  maxSteps?: number;
  /** `opa test --coverage`: receives "file:row" of each expression evaluated and rule produced. */
  coverage?: Set<string>;
  timeoutMs?: number;
  print?: (line: string) => void;
  nowNs: bigint;
}

function conflict(msg: string, loc?: Loc): RegoError {
  return regoError("eval_conflict_error", msg, loc);
}

export class Evaluator {
  private st: Scoped;
  private readonly inProgress = new Set<RuleGroup>();
  private steps = 0;
  private readonly maxSteps: number;
  private readonly deadline: number;
  private readonly ruleStack: string[] = [];
  private readonly coverage: Set<string> | undefined;
  /** The rule definition whose body runs (rego.metadata.rule / chain). */
  private activeRule: CRule | undefined;
  private readonly strict: boolean;
  private readonly baseData: Value;
  readonly ctx: BuiltinContext;
  /** Names bound inline by evalBody frames, innermost last (one shared stack, no arrays). */
  private readonly inlineBound: string[] = [];
  /** Values of query expressions by original index (for the result set). */
  readonly qvals: Value[] = [];
  /** Sorted entries of objects/sets already iterated (values are immutable once built). */
  private readonly sortedCache = new WeakMap<object, unknown[]>();
  /** Per-eval caches for hash joins: collection identity → index. */
  readonly joinIndexes = new Map<string, WeakMap<object, Map<string, Value[]>>>();
  /** Join literal id → the collection it last probed and that collection's index. */
  private readonly lastJoin = new Map<number, { coll: object; index: Map<string, Value[]> }>();
  /** Join literal id → the canonical key of its constant key path. */
  private readonly joinPathKeys = new Map<number, string>();

  constructor(
    private readonly prog: CompiledProgram,
    opts: EvaluatorOptions,
  ) {
    this.st = { input: opts.input, dataOverrides: [], fnOverrides: new Map(), cache: new Map() };
    this.baseData = opts.data;
    this.coverage = opts.coverage;
    this.strict = opts.strict;
    this.maxSteps = opts.maxSteps ?? Infinity;
    this.deadline = opts.timeoutMs !== undefined ? Date.now() + opts.timeoutMs : Infinity;
    const print = opts.print ?? (() => undefined);
    this.ctx = {
      nowNs: opts.nowNs,
      cache: new Map(),
      print,
      metadata: (what) => (this.activeRule?.metadata ?? NO_METADATA)[what],
    };
  }

  // ---- budget ---------------------------------------------------------------------------------
  private step(): void {
    this.steps++;
    if (this.steps > this.maxSteps) this.budgetError("step budget of " + this.maxSteps);
    if ((this.steps & 1023) === 0 && this.deadline !== Infinity && Date.now() > this.deadline)
      this.budgetError("time budget");
  }
  private budgetError(what: string): never {
    const rule = this.ruleStack[this.ruleStack.length - 1] ?? "query";
    throw regoError("eval_budget_exceeded", `evaluation exceeded its ${what} in rule ${rule}`);
  }

  // ---- bodies and expressions --------------------------------------------------------------
  evalBody(body: Expr[], i: number, env: Env, k: K): boolean {
    // Deterministic literals run inline, without a continuation closure each: filters whose
    // value is known at once, and `x := <deterministic term>` / `x = …` binding a fresh var.
    const bound = this.inlineBound;
    const mark = bound.length;
    let ok = true;
    let plans = this.bodyPlans.get(body);
    if (plans === undefined) {
      plans = body.map((e) => this.planExpr(e));
      this.bodyPlans.set(body, plans);
    }
    while (i < body.length) {
      const p = plans[i];
      if (this.coverage !== undefined) this.cover(body[i].loc);
      if (p.kind === PLAN_BIND) {
        let name: string | undefined;
        let f: SimpleFn | undefined;
        if (p.lname !== undefined && !isBoundVar(p.lname, env)) {
          name = p.lname;
          f = p.rfn;
        } else if (p.rname !== undefined && !isBoundVar(p.rname, env)) {
          name = p.rname;
          f = p.lfn;
        }
        if (name === undefined || f === undefined) break;
        const v = f(this, env);
        if (v === NOT_SIMPLE) break;
        this.step();
        if (v === undefined) {
          ok = false;
          break;
        }
        env.set(name, v);
        bound.push(name);
        i++;
        continue;
      }
      if (p.kind !== PLAN_FILTER) break;
      const v = p.fn(this, env);
      if (v === NOT_SIMPLE) break;
      this.step();
      const truthy = v !== undefined && v !== false;
      if (truthy === p.negated) {
        ok = false;
        break;
      }
      i++;
    }
    let result = false;
    if (ok) {
      result =
        i === body.length
          ? k()
          : this.evalExpr(body[i], env, () => this.evalBody(body, i + 1, env, k));
    }
    // an error unwinds the whole query, whose environment is dropped: no finally needed, but the
    // shared stack must not keep names from an aborted evaluation (truncate, never trust length)
    while (bound.length > mark) unbind(env, bound.pop()!);
    return result;
  }

  /** Per-program plans of bodies: which literals the inline loop of evalBody may run. */
  private get bodyPlans(): WeakMap<Expr[], ExprPlan[]> {
    let m = bodyPlansByProg.get(this.prog);
    if (m === undefined) {
      m = new WeakMap();
      bodyPlansByProg.set(this.prog, m);
    }
    return m;
  }

  private planExpr(e: Expr): ExprPlan {
    if (e.withs.length > 0 || e.qIndex !== undefined || e.body.kind !== "term") return PLAN_NONE;
    const t = e.body.term;
    if (t.kind === "call" && (t.fn === "eq" || t.fn === "assign")) {
      if (e.negated) return PLAN_NONE;
      const [l, r] = t.args;
      return {
        kind: PLAN_BIND,
        lname: l.kind === "var" ? l.name : undefined,
        rname: r.kind === "var" ? r.name : undefined,
        lfn: this.simpleFn(l),
        rfn: this.simpleFn(r),
      };
    }
    if (t.kind === "call" && this.hasOutputArg(t)) return PLAN_NONE;
    return { kind: PLAN_FILTER, fn: this.simpleFn(t), negated: e.negated };
  }

  private simpleFn(t: Term): SimpleFn {
    let f = simpleFns.get(t);
    if (f === undefined) {
      f = this.compileSimple(t);
      simpleFns.set(t, f);
    }
    return f;
  }

  private cover(loc: Loc): void {
    this.coverage!.add(`${loc.file}:${loc.row}`);
  }

  private evalExpr(e: Expr, env: Env, k: K): boolean {
    this.step();
    if (this.coverage !== undefined) this.cover(e.loc);
    if (e.withs.length > 0) return this.evalWith(e, e.withs, 0, env, k);
    return this.evalExprPlain(e, env, k);
  }

  private evalExprPlain(e: Expr, env: Env, k: K): boolean {
    if (e.negated) {
      const found = this.evalExprInner(e, env, () => true);
      if (found) return false;
      if (e.qIndex !== undefined) this.qvals[e.qIndex] = true;
      return k();
    }
    return this.evalExprInner(e, env, k);
  }

  private evalExprInner(e: Expr, env: Env, k: K): boolean {
    const b = e.body;
    switch (b.kind) {
      case "term": {
        const t = b.term;
        if (t.kind === "call") {
          if (t.fn === "eq" || t.fn === "assign") {
            if (e.qIndex === undefined) return this.unify(t.args[0], t.args[1], env, k);
            return this.unify(t.args[0], t.args[1], env, () => {
              if (e.qIndex !== undefined) this.qvals[e.qIndex] = true;
              return k();
            });
          }
          if (this.hasOutputArg(t)) {
            return this.evalArgs(t.args, 0, t.args.length - 1, [], env, (args) => {
              const r = this.callFunction(t.fn, args, t.loc);
              if (r === undefined) return false;
              const out = t.args[t.args.length - 1];
              if (t.fn === "walk" && Array.isArray(r) && !this.st.fnOverrides.has("walk")) {
                return r.some((pair) =>
                  this.unifyTermValue(out, pair, env, () => {
                    if (e.qIndex !== undefined) this.qvals[e.qIndex] = true;
                    return k();
                  }),
                );
              }
              if (e.qIndex === undefined) return this.unifyTermValue(out, r, env, k);
              return this.unifyTermValue(out, r, env, () => {
                if (e.qIndex !== undefined) this.qvals[e.qIndex] = true;
                return k();
              });
            });
          }
        }
        return this.evalTerm(t, env, (v) => {
          if (v === false && !e.capture) return false;
          if (e.qIndex !== undefined) this.qvals[e.qIndex] = v;
          return k();
        });
      }
      case "some":
        return k();
      case "somein":
        if (b.key === null && b.value.kind === "var" && !isBoundVar(b.value.name, env)) {
          // hot path: `some x in coll` binding a fresh variable to each member
          const name = b.value.name;
          const sc = this.simple(b.coll, env);
          if (sc === undefined) return false;
          if (sc !== NOT_SIMPLE) return this.someIn(name, sc, env, k);
          return this.evalTerm(b.coll, env, (coll) => this.someIn(name, coll, env, k));
        }
        if (
          b.key !== null &&
          b.key.kind === "var" &&
          b.value.kind === "var" &&
          b.key.name !== b.value.name &&
          !isBoundVar(b.key.name, env) &&
          !isBoundVar(b.value.name, env)
        ) {
          // hot path: `some k, v in coll` binding two fresh variables to each entry
          const kn = b.key.name;
          const vn = b.value.name;
          return this.evalTerm(b.coll, env, (coll) => {
            if (Array.isArray(coll)) {
              for (let i = 0; i < coll.length; i++) {
                if (this.bindPair(kn, i, vn, coll[i], env, k)) return true;
              }
              return false;
            }
            if (coll instanceof RObject) {
              const es = coll.sortedView();
              for (let i = 0; i < es.length; i++) {
                if (this.bindPair(kn, es[i][0], vn, es[i][1], env, k)) return true;
              }
              return false;
            }
            return this.iterate(coll, (key, val) => this.bindPair(kn, key, vn, val, env, k));
          });
        }
        return this.evalTerm(b.coll, env, (coll) =>
          this.iterate(coll, (key, val) =>
            this.unifyTermValue(b.value, val, env, () =>
              b.key ? this.unifyTermValue(b.key, key, env, k) : k(),
            ),
          ),
        );
      case "every":
        return this.evalTerm(b.domain, env, (dom) => {
          if (!(Array.isArray(dom) || dom instanceof RObject || dom instanceof RSet)) return false;
          const allOk = !this.iterate(
            dom,
            (key, val) =>
              !this.unifyTermValue(b.value, val, env, () =>
                b.key
                  ? this.unifyTermValue(b.key, key, env, () =>
                      this.evalBody(b.body, 0, env, () => true),
                    )
                  : this.evalBody(b.body, 0, env, () => true),
              ),
          );
          if (!allOk) return false;
          if (e.qIndex !== undefined) this.qvals[e.qIndex] = true;
          return k();
        });
      case "join":
        return this.evalJoin(b, env, k);
    }
  }

  private evalJoin(
    b: { value: Term; coll: Term; path: Term[]; probe: Term; id: number },
    env: Env,
    k: K,
  ): boolean {
    const sc = this.simple(b.coll, env);
    if (sc !== NOT_SIMPLE) return sc === undefined ? false : this.joinOn(b, sc, env, k);
    return this.evalTerm(b.coll, env, (coll) => this.joinOn(b, coll, env, k));
  }

  private joinOn(
    b: { value: Term; coll: Term; path: Term[]; probe: Term; id: number },
    coll: Value,
    env: Env,
    k: K,
  ): boolean {
    {
      if (!(Array.isArray(coll) || coll instanceof RObject || coll instanceof RSet)) return false;
      // the common case: this join literal probes the collection it probed last time
      const last = this.lastJoin.get(b.id);
      if (last !== undefined && last.coll === coll) return this.probeJoin(b, last.index, env, k);
      // indexes are shared by every join on the same collection and key path
      let pathKey = this.joinPathKeys.get(b.id);
      if (pathKey === undefined) {
        const keys: string[] = [];
        for (const p of b.path) {
          if (p.kind !== "scalar") throw new Error("join path must be constant");
          keys.push(keyOf(p.value));
        }
        pathKey = JSON.stringify(keys);
        this.joinPathKeys.set(b.id, pathKey);
      }
      let byColl = this.joinIndexes.get(pathKey);
      if (!byColl) {
        byColl = new WeakMap();
        this.joinIndexes.set(pathKey, byColl);
      }
      let index = byColl.get(coll);
      if (!index) {
        const idx = new Map<string, Value[]>();
        const pathVals: Value[] = [];
        let ok = true;
        for (const p of b.path) {
          if (p.kind !== "scalar") ok = false;
          else pathVals.push(p.value);
        }
        if (!ok) throw new Error("join path must be constant");
        this.iterate(coll, (_key, val) => {
          let cur: Value | undefined = val;
          for (const p of pathVals) {
            cur = cur === undefined ? undefined : lookup(cur, p);
          }
          if (cur !== undefined) {
            const kk = keyOf(cur);
            const list = idx.get(kk);
            if (list) list.push(val);
            else idx.set(kk, [val]);
          }
          return false;
        });
        index = idx;
        byColl.set(coll, index);
      }
      this.lastJoin.set(b.id, { coll, index });
      return this.probeJoin(b, index, env, k);
    }
  }

  private probeJoin(
    b: { value: Term; probe: Term },
    ix: Map<string, Value[]>,
    env: Env,
    k: K,
  ): boolean {
    const sp = this.simple(b.probe, env);
    if (sp === undefined) return false;
    if (sp !== NOT_SIMPLE) return this.joinMatches(b.value, ix, sp, env, k);
    return this.evalTerm(b.probe, env, (probe) => this.joinMatches(b.value, ix, probe, env, k));
  }

  private joinMatches(
    value: Term,
    ix: Map<string, Value[]>,
    probe: Value,
    env: Env,
    k: K,
  ): boolean {
    const list = ix.get(keyOf(probe));
    if (!list) return false;
    for (let i = 0; i < list.length; i++) {
      if (this.unifyTermValue(value, list[i], env, k)) return true;
    }
    return false;
  }

  // ---- with ------------------------------------------------------------------------------------
  private evalWith(e: Expr, withs: With[], i: number, env: Env, k: K): boolean {
    const outer = this.st;
    return this.applyWiths(withs, i, env, () =>
      this.evalExprPlain(e, env, () => {
        const inner = this.st;
        this.st = outer;
        try {
          return k();
        } finally {
          this.st = inner;
        }
      }),
    );
  }

  private applyWiths(withs: With[], i: number, env: Env, k: K): boolean {
    if (i === withs.length) return k();
    const w = withs[i];
    const name = termPathName(w.target);
    if (name === undefined) throw regoError("rego_compile_error", "invalid with target", w.loc);
    return this.evalWithValue(w, env, (val, fnName) => {
      const prev = this.st;
      const next: Scoped = { ...prev, cache: new Map() };
      const parts = name.split(".");
      const fnTarget =
        (parts[0] !== "input" && parts[0] !== "data") ||
        this.prog.groups.get(name)?.kind === "function";
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
      this.st = next;
      try {
        return this.applyWiths(withs, i + 1, env, k);
      } finally {
        this.st = prev;
      }
    });
  }

  /** A `with` value: a function name (replacement) or any term's value. */
  private evalWithValue(w: With, env: Env, k: (v: Value, fn?: string) => boolean): boolean {
    const vn = termPathName(w.value);
    if (vn !== undefined && !(w.value.kind === "var" && env.get(w.value.name) !== undefined)) {
      const g = this.prog.groups.get(vn);
      if (g?.kind === "function") return k(null, vn);
      if (!g && w.value.kind === "var" && this.prog.builtins[vn] && env.get(vn) === undefined)
        return k(null, vn);
      if (!g && w.value.kind === "ref" && this.prog.builtins[vn]) return k(null, vn);
    }
    return this.evalTerm(w.value, env, (v) => k(v));
  }

  // ---- unification -------------------------------------------------------------------------
  unify(a: Term, b: Term, env: Env, k: K): boolean {
    if (a.kind === "var" && !isBoundVar(a.name, env)) {
      if (b.kind === "var" && !isBoundVar(b.name, env)) return false;
      return this.evalTerm(b, env, (v) => this.bind(a.name, v, env, k));
    }
    if (b.kind === "var" && !isBoundVar(b.name, env)) {
      return this.evalTerm(a, env, (v) => this.bind(b.name, v, env, k));
    }
    if (a.kind === "array" && b.kind === "array") {
      if (a.items.length !== b.items.length) return false;
      return this.unifyItems(a.items, b.items, 0, env, k);
    }
    if (
      a.kind === "object" &&
      b.kind === "object" &&
      hasOpenPattern(a, env) &&
      hasOpenPattern(b, env)
    ) {
      if (a.items.length !== b.items.length) return false;
      const bk = new Map<string, Term>();
      for (const [kt, vt] of b.items) if (kt.kind === "scalar") bk.set(keyOf(kt.value), vt);
      const as: Term[] = [];
      const bs: Term[] = [];
      for (const [kt, vt] of a.items) {
        const other = kt.kind === "scalar" ? bk.get(keyOf(kt.value)) : undefined;
        if (!other) return false;
        as.push(vt);
        bs.push(other);
      }
      return this.unifyItems(as, bs, 0, env, k);
    }
    if (hasOpenPattern(a, env))
      return this.evalTerm(b, env, (v) => this.unifyTermValue(a, v, env, k));
    return this.evalTerm(a, env, (v) => this.unifyTermValue(b, v, env, k));
  }

  private unifyItems(a: Term[], b: Term[], i: number, env: Env, k: K): boolean {
    if (i === a.length) return k();
    return this.unify(a[i], b[i], env, () => this.unifyItems(a, b, i + 1, env, k));
  }

  /** `some name in coll` for a fresh var: each member in turn. */
  private someIn(name: string, coll: Value, env: Env, k: K): boolean {
    if (Array.isArray(coll)) {
      for (let i = 0; i < coll.length; i++) {
        this.step();
        env.set(name, coll[i]);
        const stop = k();
        unbind(env, name);
        if (stop) return true;
      }
      return false;
    }
    return this.iterate(coll, (_key, val) => this.bind(name, val, env, k));
  }

  /** Two fresh variables bound at once (value first, as unification orders them). */
  private bindPair(kn: string, kv: Value, vn: string, vv: Value, env: Env, k: K): boolean {
    this.step();
    env.set(vn, vv);
    this.step();
    env.set(kn, kv);
    const r = k();
    unbind(env, kn);
    unbind(env, vn);
    return r;
  }

  private bind(name: string, v: Value, env: Env, k: K): boolean {
    // no try/finally: an error aborts the whole query, whose environment is then dropped
    this.step();
    env.set(name, v);
    const r = k();
    unbind(env, name);
    return r;
  }

  unifyTermValue(t: Term, v: Value, env: Env, k: K): boolean {
    switch (t.kind) {
      case "var": {
        if (t.name === "input" || t.name === "data") break;
        const cur = env.get(t.name);
        if (cur === undefined) return this.bind(t.name, v, env, k);
        return equal(cur, v) ? k() : false;
      }
      case "scalar":
        return equal(t.value, v) ? k() : false;
      case "array": {
        if (!Array.isArray(v) || v.length !== t.items.length) return false;
        if (!hasOpenPattern(t, env)) break;
        const go = (i: number): boolean =>
          i === t.items.length ? k() : this.unifyTermValue(t.items[i], v[i], env, () => go(i + 1));
        return go(0);
      }
      case "object": {
        if (!(v instanceof RObject) || v.size !== t.items.length) return false;
        if (!hasOpenPattern(t, env)) break;
        const go = (i: number): boolean => {
          if (i === t.items.length) return k();
          const [kt, vt] = t.items[i];
          return this.evalTerm(kt, env, (key) => {
            const got = v.get(key);
            if (got === undefined) return false;
            return this.unifyTermValue(vt, got, env, () => go(i + 1));
          });
        };
        return go(0);
      }
      default:
        break;
    }
    return this.evalTerm(t, env, (tv) => (equal(tv, v) ? k() : false));
  }

  // ---- terms -----------------------------------------------------------------------------------
  /**
   * Deterministic fast path: scalars, bound vars, refs without iteration below input/locals,
   * and calls on such arguments. Returns NOT_SIMPLE when the general (iterating) path is needed.
   */
  private simple(t: Term, env: Env): Value | undefined | typeof NOT_SIMPLE {
    return this.simpleFn(t)(this, env);
  }

  /**
   * The deterministic fast path of a term compiled once into a closure (shared by every
   * evaluation of the program): no re-dispatch on node kinds at each visit.
   */
  private compileSimple(t: Term): SimpleFn {
    switch (t.kind) {
      case "scalar": {
        const c = t.value;
        return () => c;
      }
      case "var": {
        const name = t.name;
        if (name === "input")
          return (ev, env) => {
            const v = env.get(name);
            return v !== undefined ? v : ev.st.input;
          };
        return (_ev, env) => {
          const v = env.get(name);
          return v !== undefined ? v : NOT_SIMPLE;
        };
      }
      case "ref": {
        const h = t.terms[0];
        if (h.kind !== "var") return notSimple;
        const ts = t.terms;
        const hn = h.name;
        const n = ts.length;
        // key getters for positions 1…n-1 (a data ref may resume anywhere)
        const keys: SimpleFn[] = new Array(n);
        let allConst = true;
        const consts: Value[] = new Array(n);
        for (let i = 1; i < n; i++) {
          const x = ts[i];
          if (x.kind === "scalar") {
            const c = x.value;
            consts[i] = c;
            keys[i] = () => c;
          } else {
            allConst = false;
            if (x.kind === "var") {
              const kn = x.name;
              keys[i] = (_ev, env) => {
                const v = env.get(kn);
                return v !== undefined ? v : NOT_SIMPLE;
              };
            } else if (x.kind === "ref" || x.kind === "call") {
              // a nested deterministic key, e.g. granted[need.name]
              keys[i] = this.compileSimple(x);
            } else keys[i] = notSimple;
          }
        }
        const walk = (ev: Evaluator, env: Env, cur: Value, i: number) => {
          for (; i < n; i++) {
            const key = keys[i](ev, env);
            if (key === NOT_SIMPLE || key === undefined) return key;
            const next: Value | undefined = lookup(cur, key);
            // the rest may still iterate (e.g. x.missing[y]); undefined either way
            if (next === undefined) return undefined;
            cur = next;
          }
          return cur;
        };
        if (hn === "data") {
          return (ev, env) => {
            let cur = env.get(hn);
            let i = 1;
            if (cur === undefined) {
              const r = ev.simpleData(ts, env);
              if (r === NOT_SIMPLE || r === undefined) return r;
              cur = r;
              i = ev.dataStop;
            }
            return walk(ev, env, cur, i);
          };
        }
        const isInput = hn === "input";
        if (allConst && n === 2) {
          const k1 = consts[1];
          return (ev, env) => {
            let cur = env.get(hn);
            if (cur === undefined) {
              if (!isInput) return NOT_SIMPLE;
              cur = ev.st.input;
              if (cur === undefined) return undefined;
            }
            return lookup(cur, k1);
          };
        }
        if (allConst) {
          return (ev, env) => {
            let cur = env.get(hn);
            if (cur === undefined) {
              if (!isInput) return NOT_SIMPLE;
              cur = ev.st.input;
              if (cur === undefined) return undefined;
            }
            for (let i = 1; i < n; i++) {
              const next: Value | undefined = lookup(cur, consts[i]);
              if (next === undefined) return undefined;
              cur = next;
            }
            return cur;
          };
        }
        return (ev, env) => {
          let cur = env.get(hn);
          if (cur === undefined) {
            if (!isInput) return NOT_SIMPLE;
            cur = ev.st.input;
            if (cur === undefined) return undefined;
          }
          return walk(ev, env, cur, 1);
        };
      }
      case "array": {
        const fs = t.items.map((x) => this.compileSimple(x));
        const n = fs.length;
        return (ev, env) => {
          const out: Value[] = new Array(n);
          for (let i = 0; i < n; i++) {
            const x = fs[i](ev, env);
            if (x === NOT_SIMPLE || x === undefined) return x;
            out[i] = x;
          }
          return out;
        };
      }
      case "object": {
        // e.g. {"need": need.name}: built at once, without a continuation per member
        const fs: SimpleFn[] = [];
        for (const [kt, vt] of t.items) fs.push(this.compileSimple(kt), this.compileSimple(vt));
        const n = fs.length;
        return (ev, env) => {
          const vals: Value[] = new Array(n);
          for (let i = 0; i < n; i++) {
            const x = fs[i](ev, env);
            if (x === NOT_SIMPLE || x === undefined) return x;
            vals[i] = x;
          }
          const o = new RObject();
          for (let i = 0; i < n; i += 2) o.set(vals[i], vals[i + 1]);
          return o;
        };
      }
      case "call": {
        if (t.fn === "print" || t.fn === "walk") return notSimple;
        const fs = t.args.map((x) => this.compileSimple(x));
        const n = fs.length;
        const fn = t.fn;
        const loc = t.loc;
        // the built-in this call resolves to in the program last seen (null: a rule or none)
        let seenProg: CompiledProgram | undefined;
        let seenBi: BuiltinDef | null = null;
        return (ev, env) => {
          const args: Value[] = new Array(n);
          for (let i = 0; i < n; i++) {
            const a = fs[i](ev, env);
            if (a === NOT_SIMPLE) return NOT_SIMPLE;
            if (a === undefined) return undefined;
            args[i] = a;
          }
          if (ev.st.fnOverrides.size === 0) {
            if (seenProg !== ev.prog) {
              seenProg = ev.prog;
              const target = ev.resolveFunction(fn);
              seenBi = target !== null && !("rules" in target) ? target : null;
            }
            if (seenBi !== null) return ev.invokeBuiltin(seenBi, fn, args, loc);
          }
          return ev.callFunction(fn, args, loc);
        };
      }
      default:
        return notSimple;
    }
  }

  /**
   * Where a `data.…` ref with only constant keys stops in the rule tree: a rule group (whose value
   * is cached per scope) or a base document. Resolved once per evaluation, not per reference.
   */
  /** Where the last successful simpleData stopped in its ref (the next term to look up). */
  private dataStop = 0;

  private readonly dataRefCache = new Map<
    Term[],
    { g: RuleGroup; v?: undefined; i: number } | { g?: undefined; v: Value; i: number } | null
  >();

  /** Walk `data.…` through the rule tree while keys are known; stops at the first rule value. */
  private simpleData(ts: Term[], env: Env): Value | undefined | typeof NOT_SIMPLE {
    if (this.st.dataOverrides.length > 0) return NOT_SIMPLE;
    const hit = this.dataRefCache.get(ts);
    if (hit !== undefined) {
      if (hit === null) return NOT_SIMPLE;
      // set after evalGroup, which may run other data refs
      const hv = hit.g === undefined ? hit.v : this.evalGroup(hit.g);
      this.dataStop = hit.i;
      return hv;
    }
    let node = this.prog.root;
    let base: Value | undefined = this.baseData;
    let constant = true;
    for (let i = 1; i < ts.length; i++) {
      if (node.group && node.children.size === 0) {
        if (node.group.kind === "function" || base !== undefined) {
          if (constant) this.dataRefCache.set(ts, null);
          return NOT_SIMPLE;
        }
        if (constant) this.dataRefCache.set(ts, { g: node.group, i });
        const gv = this.evalGroup(node.group);
        this.dataStop = i;
        return gv;
      }
      const x = ts[i];
      let key: Value | undefined;
      if (x.kind === "scalar") key = x.value;
      else if (x.kind === "var") {
        key = env.get(x.name);
        constant = false;
      }
      if (typeof key !== "string") {
        if (constant) this.dataRefCache.set(ts, null);
        return NOT_SIMPLE;
      }
      const child = node.children.get(key);
      const bchild: Value | undefined = base instanceof RObject ? base.get(key) : undefined;
      if (!child) {
        if (node.group || bchild === undefined) {
          if (constant) this.dataRefCache.set(ts, null);
          return NOT_SIMPLE;
        }
        // plain base document from here on (JSON keys: integer lookups need the slow path)
        for (let j = i + 1; j < ts.length; j++)
          if (ts[j].kind !== "scalar" || typeof (ts[j] as { value: Value }).value !== "string") {
            if (constant) this.dataRefCache.set(ts, null);
            return NOT_SIMPLE;
          }
        if (constant) this.dataRefCache.set(ts, { v: bchild, i: i + 1 });
        this.dataStop = i + 1;
        return bchild;
      }
      node = child;
      base = bchild;
    }
    if (
      node.group &&
      node.children.size === 0 &&
      base === undefined &&
      node.group.kind !== "function"
    ) {
      if (constant) this.dataRefCache.set(ts, { g: node.group, i: ts.length });
      const gv = this.evalGroup(node.group);
      this.dataStop = ts.length;
      return gv;
    }
    if (constant) this.dataRefCache.set(ts, null);
    return NOT_SIMPLE;
  }

  evalTerm(t: Term, env: Env, k: VK): boolean {
    const sv = this.simple(t, env);
    if (sv !== NOT_SIMPLE) return sv === undefined ? false : k(sv);
    switch (t.kind) {
      case "scalar":
        return k(t.value);
      case "var": {
        const v = env.get(t.name);
        if (v !== undefined) return k(v);
        if (t.name === "input") return this.st.input === undefined ? false : k(this.st.input);
        if (t.name === "data") {
          const d = this.materialize(this.prog.root, [], this.baseData);
          return d === undefined ? false : k(d);
        }
        return false;
      }
      case "ref":
        return this.evalRef(t.terms, env, k);
      case "array":
        return this.evalArgs(t.items, 0, t.items.length, [], env, (vals) => k(vals));
      case "set":
        return this.evalArgs(t.items, 0, t.items.length, [], env, (vals) => k(new RSet(vals)));
      case "object": {
        const flat: Term[] = [];
        for (const [kk, vv] of t.items) flat.push(kk, vv);
        return this.evalArgs(flat, 0, flat.length, [], env, (vals) => {
          const o = new RObject();
          for (let i = 0; i < vals.length; i += 2) o.set(vals[i], vals[i + 1]);
          return k(o);
        });
      }
      case "call":
        if (t.fn === "print") return this.evalPrint(t.args, env, k);
        return this.evalArgs(t.args, 0, t.args.length, [], env, (args) => {
          const r = this.callFunction(t.fn, args, t.loc);
          if (r === undefined) return false;
          if (t.fn === "walk" && Array.isArray(r) && !this.st.fnOverrides.has("walk"))
            return r.some(k);
          return k(r);
        });
      case "arraycomp": {
        const out: Value[] = [];
        this.evalBody(t.body, 0, env, () =>
          this.evalTerm(t.head, env, (v) => {
            out.push(v);
            return false;
          }),
        );
        return k(out);
      }
      case "setcomp": {
        const out = new RSet();
        this.evalBody(t.body, 0, env, () =>
          this.evalTerm(t.head, env, (v) => {
            out.add(v);
            return false;
          }),
        );
        return k(out);
      }
      case "objcomp": {
        const out = new RObject();
        this.evalBody(t.body, 0, env, () =>
          this.evalTerm(t.key, env, (kv) =>
            this.evalTerm(t.value, env, (vv) => {
              const prev = out.get(kv);
              if (prev !== undefined && !equal(prev, vv))
                throw conflict("object keys must be unique", t.loc);
              out.set(kv, vv);
              return false;
            }),
          ),
        );
        return k(out);
      }
    }
  }

  private evalArgs(
    ts: Term[],
    i: number,
    n: number,
    acc: Value[],
    env: Env,
    k: (vals: Value[]) => boolean,
  ): boolean {
    // plain values need no continuation frame (keeps deep literals off the stack)
    let pushed = 0;
    while (i < n) {
      const t = ts[i];
      let v: Value | undefined;
      if (t.kind === "scalar") v = t.value;
      else if (t.kind === "var") v = env.get(t.name);
      if (v === undefined) break;
      acc.push(v);
      pushed++;
      i++;
    }
    try {
      if (i === n) return k(acc.slice());
      return this.evalArgsSlow(ts, i, n, acc, env, k);
    } finally {
      acc.length -= pushed;
    }
  }

  private evalArgsSlow(
    ts: Term[],
    i: number,
    n: number,
    acc: Value[],
    env: Env,
    k: (vals: Value[]) => boolean,
  ): boolean {
    return this.evalTerm(ts[i], env, (v) => {
      acc.push(v);
      const r = this.evalArgs(ts, i + 1, n, acc, env, k);
      acc.pop();
      return r;
    });
  }

  private evalPrint(args: Term[], env: Env, k: VK): boolean {
    const parts: string[] = [];
    for (const a of args) {
      const vals: Value[] = [];
      this.evalTerm(a, env, (v) => {
        vals.push(v);
        return false;
      });
      if (vals.length === 0) parts.push("<undefined>");
      else parts.push(vals.map((v) => (typeof v === "string" ? v : toJSONText(v))).join(" "));
    }
    this.ctx.print(parts.join(" "));
    return k(true);
  }

  // ---- references ------------------------------------------------------------------------------
  private evalRef(terms: Term[], env: Env, k: VK): boolean {
    const head = terms[0];
    if (head.kind === "var") {
      const bound = env.get(head.name);
      if (bound !== undefined) return this.walkValue(bound, terms, 1, env, k);
      if (head.name === "data")
        return this.walkData(this.prog.root, [], this.baseData, terms, 1, env, k);
      if (head.name === "input")
        return this.st.input === undefined
          ? false
          : this.walkValue(this.st.input, terms, 1, env, k);
      return false;
    }
    return this.evalTerm(head, env, (v) => this.walkValue(v, terms, 1, env, k));
  }

  /** Resolve a ref position: an unbound var/pattern iterates, anything else is evaluated. */
  private walkValue(v: Value, terms: Term[], i: number, env: Env, k: VK, json = false): boolean {
    if (i === terms.length) return k(v);
    const t = terms[i];
    const lk = (key: Value): Value | undefined =>
      json && v instanceof RObject && typeof key === "number" && Number.isInteger(key)
        ? v.get(String(key))
        : lookup(v, key);
    if (t.kind === "scalar") {
      const got = lk(t.value);
      return got === undefined ? false : this.walkValue(got, terms, i + 1, env, k, json);
    }
    if (t.kind === "var") {
      const b = env.get(t.name);
      if (b !== undefined) {
        const got = lk(b);
        return got === undefined ? false : this.walkValue(got, terms, i + 1, env, k, json);
      }
      if (t.name !== "input" && t.name !== "data") {
        return this.iterate(v, (key, val) =>
          this.bind(t.name, key, env, () => this.walkValue(val, terms, i + 1, env, k, json)),
        );
      }
    }
    if (hasOpenPattern(t, env)) {
      return this.iterate(v, (key, val) =>
        this.unifyTermValue(t, key, env, () => this.walkValue(val, terms, i + 1, env, k, json)),
      );
    }
    return this.evalTerm(t, env, (key) => {
      const got = lk(key);
      return got === undefined ? false : this.walkValue(got, terms, i + 1, env, k, json);
    });
  }

  iterate(v: Value, cb: (key: Value, val: Value) => boolean): boolean {
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (cb(i, v[i])) return true;
      return false;
    }
    // objects and sets iterate in Rego's order (sorted), as OPA does; sorted once per value
    if (v instanceof RObject) {
      if (v.size <= 1) {
        for (const [key, val] of v.entries()) if (cb(key, val)) return true;
        return false;
      }
      const es = v.sortedView();
      for (let i = 0; i < es.length; i++) if (cb(es[i][0], es[i][1])) return true;
      return false;
    }
    if (v instanceof RSet) {
      if (v.size <= 1) {
        for (const x of v.values()) if (cb(x, x)) return true;
        return false;
      }
      let xs = this.sortedCache.get(v) as Value[] | undefined;
      if (!xs) {
        xs = v.sortedValues();
        this.sortedCache.set(v, xs);
      }
      for (const x of xs) if (cb(x, x)) return true;
      return false;
    }
    return false;
  }

  private overrideAt(path: string[]): Value | undefined {
    const ovs = this.st.dataOverrides;
    for (let j = ovs.length - 1; j >= 0; j--) {
      const o = ovs[j];
      if (o.path.length === path.length && o.path.every((p, i) => p === path[i])) return o.value;
    }
    return undefined;
  }

  private applyDeeper(path: string[], v: Value | undefined): Value | undefined {
    const ovs = this.st.dataOverrides;
    let cur = v;
    for (const o of ovs) {
      if (o.path.length > path.length && path.every((p, i) => p === o.path[i])) {
        cur = upsert(cur, o.path.slice(path.length), o.value);
      }
    }
    return cur;
  }

  private walkData(
    node: DNode,
    path: string[],
    base: Value | undefined,
    terms: Term[],
    i: number,
    env: Env,
    k: VK,
  ): boolean {
    if (this.st.dataOverrides.length > 0) {
      const ov = this.overrideAt(path);
      if (ov !== undefined) return this.walkValue(ov, terms, i, env, k);
    }
    if (i === terms.length) {
      const v = this.materialize(node, path, base);
      return v === undefined ? false : k(v);
    }
    if (node.group && node.children.size === 0) {
      let v: Value | undefined;
      if (node.group.kind === "function") return false;
      v = this.evalGroup(node.group);
      if (this.st.dataOverrides.length > 0) v = this.applyDeeper(path, v);
      return v === undefined ? false : this.walkValue(v, terms, i, env, k);
    }
    const t = terms[i];
    const step = (k0: Value): boolean => {
      // base documents are JSON: an integer key addresses the member named by its digits
      const key = typeof k0 === "number" && Number.isInteger(k0) ? String(k0) : k0;
      if (typeof key === "string") {
        if (this.st.dataOverrides.length > 0) {
          const ov = this.overrideAt([...path, key]);
          if (ov !== undefined) return this.walkValue(ov, terms, i + 1, env, k);
        }
        const child = node.children.get(key);
        const bchild = base instanceof RObject ? base.get(key) : undefined;
        if (child && !(bchild !== undefined && child.group && child.children.size === 0))
          return this.walkData(child, [...path, key], bchild, terms, i + 1, env, k);
        if (bchild !== undefined) {
          const v =
            this.st.dataOverrides.length > 0 ? this.applyDeeper([...path, key], bchild) : bchild;
          return this.walkValue(v!, terms, i + 1, env, k, true);
        }
        if (this.st.dataOverrides.length > 0) {
          const ov = this.applyDeeper([...path, key], undefined) ?? this.overrideAt([...path, key]);
          if (ov !== undefined) return this.walkValue(ov, terms, i + 1, env, k);
        }
      } else if (base instanceof RObject) {
        const bchild = base.get(key);
        if (bchild !== undefined) return this.walkValue(bchild, terms, i + 1, env, k);
      }
      if (node.group) {
        const gv = this.evalGroup(node.group);
        const got = gv === undefined ? undefined : lookup(gv, key);
        if (got !== undefined) return this.walkValue(got, terms, i + 1, env, k);
      }
      return false;
    };
    const isOpen =
      (t.kind === "var" && !isBoundVar(t.name, env)) ||
      (t.kind !== "var" && hasOpenPattern(t, env));
    if (isOpen) {
      const v = this.materialize(node, path, base);
      if (v === undefined) return false;
      return this.walkValue(v, terms, i, env, k);
    }
    return this.evalTerm(t, env, step);
  }

  /** The full value of a data node: base documents merged with the rules below it. */
  private materialize(node: DNode, path: string[], base: Value | undefined): Value | undefined {
    if (this.st.dataOverrides.length > 0) {
      const ov = this.overrideAt(path);
      if (ov !== undefined) return ov;
    }
    let out: Value | undefined;
    if (node.group && node.children.size === 0) {
      if (node.group.kind === "function") return undefined;
      out = this.evalGroup(node.group);
    } else {
      const obj = new RObject();
      if (base instanceof RObject) for (const [kk, vv] of base.entries()) obj.set(kk, vv);
      if (node.group && node.group.kind !== "function") {
        const gv = this.evalGroup(node.group);
        if (gv instanceof RObject) for (const [kk, vv] of gv.entries()) obj.set(kk, vv);
      }
      for (const [name, child] of node.children) {
        const bchild = base instanceof RObject ? base.get(name) : undefined;
        // base documents win over a rule at the same path
        if (bchild !== undefined && child.group && child.children.size === 0) continue;
        const v = this.materialize(child, [...path, name], bchild);
        if (v !== undefined) obj.set(name, v);
      }
      out = obj;
    }
    if (this.st.dataOverrides.length > 0) out = this.applyDeeper(path, out);
    return out;
  }

  // ---- rules -----------------------------------------------------------------------------------
  evalGroup(g: RuleGroup): Value | undefined {
    const cached = this.st.cache.get(g);
    if (cached) return cached.v;
    if (this.inProgress.has(g))
      throw regoError("rego_recursion_error", `rule ${g.name} is recursive`);
    this.inProgress.add(g);
    this.ruleStack.push(g.name);
    let v: Value | undefined;
    try {
      switch (g.kind) {
        case "complete":
          v = this.evalComplete(g);
          break;
        case "set":
        case "object":
          v = this.evalMulti(g);
          break;
        default:
          v = undefined;
      }
    } finally {
      this.inProgress.delete(g);
      this.ruleStack.pop();
    }
    this.st.cache.set(g, { v });
    return v;
  }

  private evalComplete(g: RuleGroup): Value | undefined {
    let result: Value | undefined;
    const firstWins = !this.strict && sameConstantValue(g);
    for (const r of g.rules) {
      const v = this.evalRuleChain(r, g, new Map());
      if (v === undefined) continue;
      if (result !== undefined && !equal(result, v)) throw this.completeConflict(g, r.loc);
      result = v;
      if (firstWins) break;
    }
    if (result === undefined && g.defaultRule) {
      if (this.coverage !== undefined) this.cover(g.defaultRule.loc);
      this.evalTerm(g.defaultRule.value, new Map(), (v) => {
        result = v;
        return true;
      });
    }
    return result;
  }

  private completeConflict(g: RuleGroup, loc: Loc): RegoError {
    return conflict(
      `complete rules must not produce multiple outputs (rule ${g.name} produced conflicting values)`,
      loc,
    );
  }

  /** Value of a rule with its else-chain, in a fresh (or argument-bound) environment. */
  private evalRuleChain(r: CRule, g: RuleGroup, env: Env, args?: Value[]): Value | undefined {
    // (an error aborts the whole query: no finally needed to restore the active rule)
    const prevActive = this.activeRule;
    const v = this.evalRuleChainIn(r, g, env, args);
    if (v !== undefined && this.coverage !== undefined) this.cover(this.activeRule!.loc);
    this.activeRule = prevActive;
    return v;
  }

  private evalRuleChainIn(r: CRule, g: RuleGroup, env: Env, args?: Value[]): Value | undefined {
    for (let cur: CRule | undefined = r; cur; cur = cur.elseRule) {
      const rule: CRule = cur;
      this.activeRule = rule;
      if (rule.constValue && rule.value.kind === "scalar") {
        // a constant head (e.g. a boolean helper): whether the body has a solution is enough
        let found: boolean;
        if (args && rule.args) {
          const n = this.bindFreshArgs(rule.args, args, env);
          if (n >= 0) {
            found = this.evalBody(rule.body, 0, env, STOP);
            for (let x = n - 1; x >= 0; x--) unbind(env, (rule.args[x] as { name: string }).name);
          } else {
            found = this.unifyArgs(rule.args, args, 0, env, () =>
              this.evalBody(rule.body, 0, env, STOP),
            );
          }
        } else found = this.evalBody(rule.body, 0, env, STOP);
        if (found) return rule.value.value;
        continue;
      }
      let result: Value | undefined;
      const bodyK = (): boolean =>
        this.evalBody(rule.body, 0, env, () =>
          this.evalTerm(rule.value, env, (v) => {
            if (result !== undefined && !equal(result, v)) {
              if (g.kind === "function") throw this.fnConflict(g, rule.loc);
              throw this.completeConflict(g, rule.loc);
            }
            result = v;
            return rule.constValue;
          }),
        );
      if (args && rule.args) this.unifyArgs(rule.args, args, 0, env, bodyK);
      else bodyK();
      if (result !== undefined) return result;
    }
    return undefined;
  }

  /** Binds every parameter when all are distinct fresh vars (returns how many), else -1. */
  private bindFreshArgs(pats: Term[], args: Value[], env: Env): number {
    for (let j = 0; j < pats.length; j++) {
      const p = pats[j];
      if (
        p.kind !== "var" ||
        p.name === "input" ||
        p.name === "data" ||
        env.get(p.name) !== undefined
      ) {
        for (let x = j - 1; x >= 0; x--) unbind(env, (pats[x] as { name: string }).name);
        return -1;
      }
      this.step();
      env.set(p.name, args[j]);
    }
    return pats.length;
  }

  private unifyArgs(pats: Term[], args: Value[], i: number, env: Env, k: K): boolean {
    // parameters that are fresh vars bind directly, without a continuation each
    let j = i;
    while (j < pats.length) {
      const p = pats[j];
      if (p.kind !== "var" || p.name === "input" || p.name === "data") break;
      if (env.get(p.name) !== undefined) break;
      this.step();
      env.set(p.name, args[j]);
      j++;
    }
    const r =
      j === pats.length
        ? k()
        : this.unifyTermValue(pats[j], args[j], env, () =>
            this.unifyArgs(pats, args, j + 1, env, k),
          );
    for (let x = j - 1; x >= i; x--) unbind(env, (pats[x] as { name: string }).name);
    return r;
  }

  private fnConflict(g: RuleGroup, loc: Loc): RegoError {
    return conflict(
      `functions must not produce multiple outputs for same inputs (function ${g.name} produced conflicting values for the same inputs)`,
      loc,
    );
  }

  private evalMulti(g: RuleGroup): Value {
    const isSet = g.kind === "set";
    let root: Value =
      isSet && g.rules.every((r) => r.dynKeys.length === 0) ? new RSet() : new RObject();
    const prevActive = this.activeRule;
    for (const r of g.rules) {
      const env: Env = new Map();
      this.activeRule = r;
      if (isSet && r.dynKeys.length === 0) {
        // plain partial set: add each head value, no key bookkeeping
        const set = root as RSet;
        const key = r.key!;
        const add = (member: Value): boolean => {
          set.add(member);
          return false;
        };
        this.evalBody(r.body, 0, env, () => {
          if (this.coverage !== undefined) this.cover(r.loc);
          const m = this.simple(key, env);
          if (m === NOT_SIMPLE) return this.evalTerm(key, env, add);
          if (m !== undefined) set.add(m);
          return false;
        });
        continue;
      }
      this.evalBody(r.body, 0, env, () =>
        this.evalArgs(r.dynKeys, 0, r.dynKeys.length, [], env, (keys) => {
          if (this.coverage !== undefined) this.cover(r.loc);
          if (isSet) {
            return this.evalTerm(r.key!, env, (member) => {
              if (keys.length === 0) (root as RSet).add(member);
              else {
                const leaf = insertPath(root as RObject, keys, g, r.loc, true);
                (leaf as RSet).add(member);
              }
              return false;
            });
          }
          return this.evalTerm(r.value, env, (val) => {
            root = root as RObject;
            const parent =
              keys.length > 1 ? insertPath(root, keys.slice(0, -1), g, r.loc, false) : root;
            if (!(parent instanceof RObject)) throw conflict("object keys must be unique", r.loc);
            const last = keys[keys.length - 1];
            const prev = parent.get(last);
            if (prev !== undefined && !equal(prev, val)) {
              if (keys.length > 1 || r.dynKeys.length > 1)
                throw conflict(
                  `object keys must be unique (rule ${g.name} produced conflicting values)`,
                  r.loc,
                );
              throw conflict("object keys must be unique", r.loc);
            }
            parent.set(last, val);
            return false;
          });
        }),
      );
    }
    this.activeRule = prevActive;
    return root;
  }

  private readonly outArgCache = new Map<string, number>();
  /** A call written with one argument more than the function takes: the last one is its output. */
  private hasOutputArg(t: { fn: string; args: Term[] }): boolean {
    let n = this.outArgCache.get(t.fn);
    if (n === undefined) {
      n = this.fnArity(t.fn) ?? -1;
      this.outArgCache.set(t.fn, n);
    }
    return n >= 0 && t.args.length === n + 1;
  }

  // ---- functions -------------------------------------------------------------------------------
  private fnArity(name: string): number | undefined {
    const g = this.prog.groups.get(name);
    if (g) return g.kind === "function" ? g.arity : undefined;
    if (name === "internal.member_3") return 3;
    return this.prog.builtins[name]?.arity;
  }

  /** Name → user function (rule group) or built-in, resolved once per evaluation. */
  private readonly fnTargets = new Map<string, RuleGroup | BuiltinDef | null>();

  callFunction(name: string, args: Value[], loc: Loc, noOverride = false): Value | undefined {
    if (!noOverride && this.st.fnOverrides.size > 0) {
      const ov = this.st.fnOverrides.get(name);
      if (ov) {
        if (ov.kind === "value") return ov.value;
        // a mock runs without any function mocks: it may call the original, never another mock
        const prev = this.st;
        this.st = { ...prev, fnOverrides: new Map(), cache: new Map() };
        try {
          return this.callFunction(ov.name, args, loc, true);
        } finally {
          this.st = prev;
        }
      }
    }
    const target = this.resolveFunction(name);
    if (target !== null && "rules" in target) {
      if (target.kind !== "function") {
        return undefined;
      }
      return this.evalFunction(target, args);
    }
    const bi: BuiltinDef | undefined = target ?? undefined;
    if (!bi) throw regoError("eval_type_error", `undefined function ${name}`, loc);
    return this.invokeBuiltin(bi, name, args, loc);
  }

  private resolveFunction(name: string): RuleGroup | BuiltinDef | null {
    let target = this.fnTargets.get(name);
    if (target === undefined) {
      target = this.prog.groups.get(name) ?? this.prog.builtins[name] ?? null;
      this.fnTargets.set(name, target);
    }
    return target;
  }

  private invokeBuiltin(bi: BuiltinDef, name: string, args: Value[], loc: Loc): Value | undefined {
    // (the prepared-query API evaluates with Error.stackTraceLimit = 0: built-in errors are
    // mostly swallowed, and capturing a stack trace for each would dominate a failed call)
    try {
      return bi.impl(args, this.ctx);
    } catch (err) {
      if (err instanceof RegoError) throw err;
      if (err instanceof BuiltinError || err instanceof BuiltinTypeError) {
        if (this.strict) throw regoError(err.code, err.message, loc);
        return undefined;
      }
      if (this.strict)
        throw regoError(
          "eval_builtin_error",
          `${name}: ${(err as Error).message ?? String(err)}`,
          loc,
        );
      return undefined;
    }
  }

  private readonly fnEnvs = new Map<RuleGroup, Env[]>();

  private evalFunction(g: RuleGroup, args: Value[]): Value | undefined {
    this.step();
    this.ruleStack.push(g.name);
    try {
      let result: Value | undefined;
      const firstWins = !this.strict && sameConstantValue(g);
      // Binding is balanced (every bind is undone before its continuation returns), so an
      // environment comes back from a call with all its vars unbound and is reused by the next
      // call of the same function. A call that throws never returns its environment.
      let pool = this.fnEnvs.get(g);
      if (pool === undefined) {
        pool = [];
        this.fnEnvs.set(g, pool);
      }
      const env: Env = pool.pop() ?? new Map();
      for (const r of g.rules) {
        const v = this.evalRuleChain(r, g, env, args);
        if (v === undefined) continue;
        if (result !== undefined && !equal(result, v)) throw this.fnConflict(g, r.loc);
        result = v;
        // every definition yields the same constant: the others cannot change the result
        if (firstWins) break;
      }
      pool.push(env);
      if (result === undefined && g.defaultRule) {
        if (this.coverage !== undefined) this.cover(g.defaultRule.loc);
        this.evalTerm(g.defaultRule.value, new Map(), (v) => {
          result = v;
          return true;
        });
      }
      return result;
    } finally {
      this.ruleStack.pop();
    }
  }
}

const sameConstCache = new WeakMap<RuleGroup, boolean>();
/** All definitions of a function have one constant value and no else (e.g. boolean helpers). */
function sameConstantValue(g: RuleGroup): boolean {
  let r = sameConstCache.get(g);
  if (r === undefined) {
    const first = g.rules[0]?.value;
    r =
      first !== undefined &&
      first.kind === "scalar" &&
      g.rules.every(
        (x) =>
          x.elseRule === undefined &&
          x.constValue &&
          x.value.kind === "scalar" &&
          equal(x.value.value, first.value),
      );
    sameConstCache.set(g, r);
  }
  return r;
}

/**
 * Unbinding stores `undefined` instead of deleting: a Map shrinks (reallocates its table) on
 * delete, which made binding churn the largest source of garbage. A var is bound iff its value
 * is not undefined (no Rego value is).
 */
function unbind(env: Env, name: string): void {
  env.set(name, undefined as unknown as Value);
}

function isBoundVar(name: string, env: Env): boolean {
  return env.get(name) !== undefined || name === "input" || name === "data";
}

/** A pattern term with an unbound var in a pattern position. */
function hasOpenPattern(t: Term, env: Env): boolean {
  switch (t.kind) {
    case "var":
      return !isBoundVar(t.name, env);
    case "array":
      return t.items.some((x) => hasOpenPattern(x, env));
    case "object":
      return t.items.some(([, v]) => hasOpenPattern(v, env));
    default:
      return false;
  }
}

export function lookup(v: Value, key: Value): Value | undefined {
  if (Array.isArray(v)) {
    if (typeof key === "number" && Number.isInteger(key) && key >= 0 && key < v.length)
      return v[key];
    return undefined;
  }
  if (v instanceof RObject) return v.get(key);
  if (v instanceof RSet) return v.has(key) ? key : undefined;
  return undefined;
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

function insertPath(root: RObject, keys: Value[], g: RuleGroup, loc: Loc, leafSet: boolean): Value {
  let cur: RObject = root;
  for (let i = 0; i < keys.length; i++) {
    const last = i === keys.length - 1;
    let next = cur.get(keys[i]);
    if (next === undefined) {
      next = last && leafSet ? new RSet() : new RObject();
      cur.set(keys[i], next);
    }
    if (last) return next;
    if (!(next instanceof RObject))
      throw conflict(
        `object keys must be unique (rule ${g.name} produced conflicting values)`,
        loc,
      );
    cur = next;
  }
  return cur;
}
