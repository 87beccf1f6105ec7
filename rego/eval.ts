/**
 * Evaluation runtime for compiled Rego (rego/compile-body.ts turns bodies into closures over
 * slot-indexed frames): the evaluation's state (input, `with` overrides, rule value cache, budget),
 * rule groups and functions, the data tree, iteration order, built-in calls and hash-join indexes.
 * A continuation returns true to stop the search (negation, `every`, early exit).
 */
import { type Loc } from "./ast";
import {
  BuiltinError,
  BuiltinTypeError,
  type BuiltinContext,
  type BuiltinDef,
} from "./builtins/types";
import { type CompiledProgram, type CRule, type DNode, type RuleGroup } from "./compiler";
import {
  groupCode,
  memoizable,
  JoinBucket,
  type JoinIndex,
  upsert,
  type DataRef,
  type GroupCode,
  type JoinCode,
  type K,
  type MemberSetCode,
  type RefCode,
  type RuleCode,
  type VK,
} from "./compile-body";
import { RegoError, regoError } from "./errors";
import { NO_METADATA } from "./annotations";
import { NOT_SIMPLE, lookup, newFrame, type Frame, type Simple } from "./frame";
import { Decimal, RObject, RSet, equal, keyOf, toJSONText, type Value } from "./value";

export { lookup, type Frame } from "./frame";
export { upsert, compileUnit, type FrameUnit } from "./compile-body";

/** A continuation that stops the search at the first solution. */
const STOP: K = () => true;

type FnOverride = { kind: "fn"; name: string } | { kind: "value"; value: Value };

interface DataOverride {
  path: string[]; // below data
  value: Value;
}

/** What a `with` changes: input, data documents, functions, and the rule values seen under it. */
export interface Scoped {
  input: Value | undefined;
  dataOverrides: DataOverride[];
  fnOverrides: Map<string, FnOverride>;
  cache: Map<RuleGroup, { v: Value | undefined }>;
  /** Values of calls of memoizable functions, by arguments (see callMemo). */
  calls: Map<RuleGroup, Map<unknown, unknown>>;
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

type DataHit =
  { g: RuleGroup; v?: undefined; i: number } | { g?: undefined; v: Value; i: number } | null;

/**
 * One evaluation (a query or a test run). Members without `private` are read by the compiled
 * closures of rego/compile-body.ts; nothing outside the engine uses them.
 */
export class Evaluator {
  st: Scoped;
  readonly prog: CompiledProgram;
  readonly baseData: Value;
  readonly coverage: Set<string> | undefined;
  /** Values of query expressions by original index (for the result set). */
  readonly qvals: Value[] = [];
  readonly ctx: BuiltinContext;
  /** Where the last successful simpleData stopped in its ref (the next term to look up). */
  dataStop = 0;
  private readonly inProgress = new Set<RuleGroup>();
  private steps = 0;
  private readonly maxSteps: number;
  private readonly deadline: number;
  private readonly ruleStack: string[] = [];
  /** The rule definition whose body runs (rego.metadata.rule / chain). */
  private activeRule: CRule | undefined;
  private readonly strict: boolean;
  /** Sorted members of sets already iterated (values are immutable once built). */
  private readonly sortedCache = new WeakMap<object, unknown[]>();
  /** Hash-join indexes: key path → collection → key → members. */
  private readonly joinIndexes = new Map<string, WeakMap<object, JoinIndex>>();
  /** By join literal (JoinCode.slot): the collection it last probed and that collection's index. */
  private readonly lastJoinCode: (JoinCode | undefined)[] = [];
  private readonly lastJoinColl: (object | undefined)[] = [];
  private readonly lastJoinIndex: (JoinIndex | undefined)[] = [];
  private readonly lastJoinInput: (Value | undefined)[] = [];
  /**
   * By constant data ref (DataRef.slot): its value under one scope (`st`) and where it stopped,
   * once known (the slot's ref is compared too: slots are numbered per program).
   */
  private readonly dataValRef: (DataRef | undefined)[] = [];
  private readonly dataValSt: (Scoped | undefined)[] = [];
  private readonly dataVal: (Value | undefined)[] = [];
  private readonly dataValStop: number[] = [];
  /** Where a constant `data.…` ref stops in the rule tree (per evaluation: base data varies). */
  private readonly dataRefCache = new Map<DataRef, DataHit>();
  /** Per function called: its code, memoization and frames (see FnState). */
  private readonly fnStates = new Map<RuleGroup, FnState>();
  /** The same by a call site's function number (compile-body.ts fnSlotOf): no map lookup. */
  private readonly fnStateAt: (FnState | undefined)[] = [];
  /** The definition whose body runs under chainK, its frame and group, its value so far. */
  private chainRc: RuleCode | undefined = undefined;
  private chainF: Frame | undefined = undefined;
  private chainG: RuleGroup | undefined = undefined;
  private chainResult: Value | undefined = undefined;

  constructor(prog: CompiledProgram, opts: EvaluatorOptions) {
    this.prog = prog;
    this.st = {
      input: opts.input,
      dataOverrides: [],
      fnOverrides: new Map(),
      cache: new Map(),
      calls: new Map(),
    };
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

  // ---- budget and coverage ----------------------------------------------------------------------
  step(): void {
    this.steps++;
    if (this.steps > this.maxSteps) this.budgetError("step budget of " + this.maxSteps);
    if ((this.steps & 1023) === 0 && this.deadline !== Infinity && Date.now() > this.deadline)
      this.budgetError("time budget");
  }
  private budgetError(what: string): never {
    const rule = this.ruleStack[this.ruleStack.length - 1] ?? "query";
    throw regoError("eval_budget_exceeded", `evaluation exceeded its ${what} in rule ${rule}`);
  }

  cover(loc: Loc): void {
    this.coverage!.add(`${loc.file}:${loc.row}`);
  }

  /** `print(…)`: each argument's values (none: `<undefined>`), strings bare, others as JSON. */
  print(args: Value[][]): void {
    const parts = args.map((vals) =>
      vals.length === 0
        ? "<undefined>"
        : vals.map((v) => (typeof v === "string" ? v : toJSONText(v))).join(" "),
    );
    this.ctx.print(parts.join(" "));
  }

  // ---- iteration -------------------------------------------------------------------------------
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

  // ---- hash joins ------------------------------------------------------------------------------
  /** The index of a collection by a join's key path, shared by every join on the same path. */
  joinIndex(code: JoinCode, coll: object): JoinIndex {
    // the common case: this join literal probes the collection it probed last time
    const slot = code.slot;
    // (the code is compared too: slots are numbered per program, a rule group's code may not be)
    if (this.lastJoinColl[slot] === coll && this.lastJoinCode[slot] === code)
      return this.lastJoinIndex[slot]!;
    const index = this.indexOn(code.pathKey, code.path, coll);
    this.lastJoinCode[slot] = code;
    this.lastJoinColl[slot] = coll;
    this.lastJoinIndex[slot] = index;
    // (coll is the value of a constant input ref under this input: see inputJoinIndex)
    this.lastJoinInput[slot] = code.inputColl ? this.st.input : undefined;
    return index;
  }

  /**
   * For a join over a constant reference into the input (e.g. `some p in input.policies`), the
   * index it probed last, if that was under the same input (the same input document gives the
   * same collection value: a wrapped record converts each member once), without evaluating the
   * reference again; else undefined.
   */
  inputJoinIndex(code: JoinCode): JoinIndex | undefined {
    const slot = code.slot;
    const input = this.st.input;
    if (
      input !== undefined &&
      this.lastJoinInput[slot] === input &&
      this.lastJoinCode[slot] === code
    )
      return this.lastJoinIndex[slot];
    return undefined;
  }

  /** The index of a collection by a key path, built once per evaluation and shared. */
  private indexOn(pathKey: string, path: Value[], coll: object): JoinIndex {
    let byColl = this.joinIndexes.get(pathKey);
    if (!byColl) {
      byColl = new WeakMap();
      this.joinIndexes.set(pathKey, byColl);
    }
    let index = byColl.get(coll);
    if (!index) {
      index = buildJoinIndex(path, coll, this);
      byColl.set(coll, index);
    }
    return index;
  }

  /**
   * The value of a set rule of one path of each member of a collection (MemberSetCode): the keys
   * of the collection's index on the path, with the steps its body counts. Undefined when the
   * collection is not one deterministic value (the body runs as written).
   */
  private memberSet(ms: MemberSetCode, f: Frame): RSet | undefined {
    const coll = ms.coll.s(this, f);
    if (coll === NOT_SIMPLE) return undefined;
    this.step();
    if (!(Array.isArray(coll) || coll instanceof RObject || coll instanceof RSet))
      return new RSet();
    const n = (Array.isArray(coll) ? coll.length : coll.size) * ms.perMember;
    for (let i = 0; i < n; i++) this.step();
    const path = ms.path;
    const index = this.indexOn(ms.pathKey, path, coll);
    return RSet.ofKeys(index, (e) => {
      const member = e instanceof JoinBucket ? e.items[0] : (e as Value);
      let cur: Value | undefined = member;
      for (let i = 0; i < path.length && cur !== undefined; i++) cur = lookup(cur, path[i]);
      return cur!;
    });
  }

  // ---- data ------------------------------------------------------------------------------------
  /** Walk `data.…` through the rule tree while keys are known; stops at the first rule value. */
  simpleData(d: DataRef, f: Frame): Simple {
    const st = this.st;
    if (st.dataOverrides.length > 0) return NOT_SIMPLE;
    const slot = d.slot;
    if (this.dataValRef[slot] === d && this.dataValSt[slot] === st) {
      this.dataStop = this.dataValStop[slot];
      return this.dataVal[slot];
    }
    const ts = d.terms;
    const hit = this.dataRefCache.get(d);
    if (hit !== undefined) {
      if (hit === null) return NOT_SIMPLE;
      // set after evalGroup, which may run other data refs
      const hv = hit.g === undefined ? hit.v : this.evalGroup(hit.g);
      this.dataStop = hit.i;
      // a rule's value is fixed within one scope (st): later reads need no lookup at all
      this.dataValRef[slot] = d;
      this.dataValSt[slot] = st;
      this.dataVal[slot] = hv;
      this.dataValStop[slot] = hit.i;
      return hv;
    }
    let node = this.prog.root;
    let base: Value | undefined = this.baseData;
    let constant = true;
    for (let i = 1; i < ts.length; i++) {
      if (node.group && node.children.size === 0) {
        if (node.group.kind === "function" || base !== undefined) {
          if (constant) this.dataRefCache.set(d, null);
          return NOT_SIMPLE;
        }
        if (constant) this.dataRefCache.set(d, { g: node.group, i });
        const gv = this.evalGroup(node.group);
        this.dataStop = i;
        return gv;
      }
      const x = ts[i];
      let key: Value | undefined;
      if (x.kind === "scalar") key = x.value;
      else if (x.kind === "var") {
        const s = d.keySlots[i];
        key = s >= 0 ? f[s] : undefined;
        constant = false;
      }
      if (typeof key !== "string") {
        if (constant) this.dataRefCache.set(d, null);
        return NOT_SIMPLE;
      }
      const child = node.children.get(key);
      const bchild: Value | undefined = base instanceof RObject ? base.get(key) : undefined;
      if (!child) {
        if (node.group || bchild === undefined) {
          if (constant) this.dataRefCache.set(d, null);
          return NOT_SIMPLE;
        }
        // plain base document from here on (JSON keys: integer lookups need the slow path)
        for (let j = i + 1; j < ts.length; j++)
          if (ts[j].kind !== "scalar" || typeof (ts[j] as { value: Value }).value !== "string") {
            if (constant) this.dataRefCache.set(d, null);
            return NOT_SIMPLE;
          }
        if (constant) this.dataRefCache.set(d, { v: bchild, i: i + 1 });
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
      if (constant) this.dataRefCache.set(d, { g: node.group, i: ts.length });
      const gv = this.evalGroup(node.group);
      this.dataStop = ts.length;
      return gv;
    }
    if (constant) this.dataRefCache.set(d, null);
    return NOT_SIMPLE;
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

  /** A `data.…` reference from position i on, at a node of the rule tree (with its base data). */
  walkData(
    node: DNode,
    path: string[],
    base: Value | undefined,
    code: RefCode,
    i: number,
    f: Frame,
    vk: VK,
  ): boolean {
    if (this.st.dataOverrides.length > 0) {
      const ov = this.overrideAt(path);
      if (ov !== undefined) return code.walks[i](this, f, ov, vk, false);
    }
    if (i === code.n) {
      const v = this.materialize(node, path, base);
      return v === undefined ? false : vk(v);
    }
    if (node.group && node.children.size === 0) {
      if (node.group.kind === "function") return false;
      let v = this.evalGroup(node.group);
      if (this.st.dataOverrides.length > 0) v = this.applyDeeper(path, v);
      return v === undefined ? false : code.walks[i](this, f, v, vk, false);
    }
    const step = (k0: Value): boolean => {
      // base documents are JSON: an integer key addresses the member named by its digits
      const key = typeof k0 === "number" && Number.isInteger(k0) ? String(k0) : k0;
      if (typeof key === "string") {
        if (this.st.dataOverrides.length > 0) {
          const ov = this.overrideAt([...path, key]);
          if (ov !== undefined) return code.walks[i + 1](this, f, ov, vk, false);
        }
        const child = node.children.get(key);
        const bchild = base instanceof RObject ? base.get(key) : undefined;
        if (child && !(bchild !== undefined && child.group && child.children.size === 0))
          return this.walkData(child, [...path, key], bchild, code, i + 1, f, vk);
        if (bchild !== undefined) {
          const v =
            this.st.dataOverrides.length > 0 ? this.applyDeeper([...path, key], bchild) : bchild;
          return code.walks[i + 1](this, f, v!, vk, true);
        }
        if (this.st.dataOverrides.length > 0) {
          const ov = this.applyDeeper([...path, key], undefined) ?? this.overrideAt([...path, key]);
          if (ov !== undefined) return code.walks[i + 1](this, f, ov, vk, false);
        }
      } else if (base instanceof RObject) {
        const bchild = base.get(key);
        if (bchild !== undefined) return code.walks[i + 1](this, f, bchild, vk, false);
      }
      if (node.group) {
        const gv = this.evalGroup(node.group);
        const got = gv === undefined ? undefined : lookup(gv, key);
        if (got !== undefined) return code.walks[i + 1](this, f, got, vk, false);
      }
      return false;
    };
    if (code.open[i](f)) {
      const v = this.materialize(node, path, base);
      if (v === undefined) return false;
      return code.walks[i](this, f, v, vk, false);
    }
    return code.keys[i](this, f, step);
  }

  /** The full value of a data node: base documents merged with the rules below it. */
  materialize(node: DNode, path: string[], base: Value | undefined): Value | undefined {
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
    const code = groupCode(this.prog, g);
    let result: Value | undefined;
    const firstWins = !this.strict && sameConstantValue(g);
    for (const rc of code.rules) {
      const v = this.evalRuleChain(rc, g, newFrame(code.size));
      if (v === undefined) continue;
      if (result !== undefined && !equal(result, v)) throw this.completeConflict(g, rc.rule.loc);
      result = v;
      if (firstWins) break;
    }
    if (result === undefined) result = this.defaultValue(g);
    return result;
  }

  private defaultValue(g: RuleGroup): Value | undefined {
    const code = groupCode(this.prog, g);
    if (!g.defaultRule || code.defaultValue === undefined) return undefined;
    if (this.coverage !== undefined) this.cover(g.defaultRule.loc);
    let result: Value | undefined;
    code.defaultValue(this, newFrame(code.size), (v) => {
      result = v;
      return true;
    });
    return result;
  }

  private completeConflict(g: RuleGroup, loc: Loc): RegoError {
    return conflict(
      `complete rules must not produce multiple outputs (rule ${g.name} produced conflicting values)`,
      loc,
    );
  }

  /** Value of a rule with its else-chain, in a fresh (or argument-bound) frame. */
  private evalRuleChain(rc: RuleCode, g: RuleGroup, f: Frame, args?: Value[]): Value | undefined {
    // (an error aborts the whole query: no finally needed to restore the active rule)
    const prevActive = this.activeRule;
    const v = this.evalRuleChainIn(rc, g, f, args);
    if (v !== undefined && this.coverage !== undefined) this.cover(this.activeRule!.loc);
    this.activeRule = prevActive;
    return v;
  }

  private evalRuleChainIn(
    first: RuleCode,
    g: RuleGroup,
    f: Frame,
    args?: Value[],
  ): Value | undefined {
    for (let cur: RuleCode | undefined = first; cur; cur = cur.elseCode) {
      const rc: RuleCode = cur;
      const rule = rc.rule;
      this.activeRule = rule;
      const withArgs = args !== undefined && rule.args !== undefined;
      if (rule.constValue && rule.value.kind === "scalar") {
        // a constant head (e.g. a boolean helper): whether the body has a solution is enough
        let found: boolean;
        if (withArgs) {
          const slots = rc.argSlots;
          if (slots !== null && this.bindFreshArgs(slots, args, f)) {
            found = rc.body(this, f, STOP);
            for (let x = slots.length - 1; x >= 0; x--) f[slots[x]] = undefined;
          } else found = this.unifyArgsThenBody(rc, args, f, STOP);
        } else found = rc.body(this, f, STOP);
        if (found) return rule.value.value;
        continue;
      }
      // the definition whose body runs, for chainK (saved and restored around it: bodies
      // evaluate rules and functions, each running its own definitions to the end)
      const prevRc = this.chainRc;
      const prevF = this.chainF;
      const prevG = this.chainG;
      const prevResult = this.chainResult;
      this.chainRc = rc;
      this.chainF = f;
      this.chainG = g;
      this.chainResult = undefined;
      if (withArgs) {
        const slots = rc.argSlots;
        if (slots !== null && this.bindFreshArgs(slots, args, f)) {
          rc.body(this, f, this.chainK);
          for (let x = slots.length - 1; x >= 0; x--) f[slots[x]] = undefined;
        } else this.unifyArgsThenBody(rc, args, f, this.chainK);
      } else rc.body(this, f, this.chainK);
      const result = this.chainResult;
      this.chainRc = prevRc;
      this.chainF = prevF;
      this.chainG = prevG;
      this.chainResult = prevResult;
      if (result !== undefined) return result;
    }
    return undefined;
  }

  /**
   * The continuation of a rule body's solutions (one closure per evaluation, not three per rule
   * evaluated): the head's value of the definition in chainRc, checked against the values of the
   * solutions before it.
   */
  private readonly chainK: K = () => {
    const rc = this.chainRc!;
    const v = rc.value.s(this, this.chainF!);
    if (v === NOT_SIMPLE) return rc.value.slow(this, this.chainF!, this.chainValue);
    return v === undefined ? false : this.chainValue(v);
  };

  private readonly chainValue: VK = (v) => {
    const result = this.chainResult;
    const rule = this.chainRc!.rule;
    if (result !== undefined && !equal(result, v)) {
      const g = this.chainG!;
      if (g.kind === "function") throw this.fnConflict(g, rule.loc);
      throw this.completeConflict(g, rule.loc);
    }
    this.chainResult = v;
    return rule.constValue;
  };

  /**
   * The arguments unified with the parameters, then the body. (Its own method: a closure in
   * evalRuleChainIn would make every call of it allocate the variables the closure captures.)
   */
  private unifyArgsThenBody(rc: RuleCode, args: Value[], f: Frame, k: K): boolean {
    return this.unifyArgs(rc, args, 0, f, () => rc.body(this, f, k));
  }

  /** Binds every parameter when all are distinct unbound vars (true), else binds none. */
  private bindFreshArgs(slots: number[], args: Value[], f: Frame): boolean {
    for (let j = 0; j < slots.length; j++) {
      if (f[slots[j]] !== undefined) {
        for (let x = j - 1; x >= 0; x--) f[slots[x]] = undefined;
        return false;
      }
      this.step();
      f[slots[j]] = args[j];
    }
    return true;
  }

  private unifyArgs(rc: RuleCode, args: Value[], i: number, f: Frame, k: K): boolean {
    // parameters that are fresh vars bind directly, without a continuation each
    const slots = rc.paramSlots;
    let j = i;
    while (j < slots.length) {
      const s = slots[j];
      if (s < 0 || f[s] !== undefined) break;
      this.step();
      f[s] = args[j];
      j++;
    }
    const r =
      j === slots.length
        ? k()
        : rc.args[j](this, f, args[j], () => this.unifyArgs(rc, args, j + 1, f, k));
    for (let x = j - 1; x >= i; x--) f[slots[x]] = undefined;
    return r;
  }

  private fnConflict(g: RuleGroup, loc: Loc): RegoError {
    return conflict(
      `functions must not produce multiple outputs for same inputs (function ${g.name} produced conflicting values for the same inputs)`,
      loc,
    );
  }

  private evalMulti(g: RuleGroup): Value {
    const code = groupCode(this.prog, g);
    const isSet = g.kind === "set";
    let root: Value =
      isSet && g.rules.every((r) => r.dynKeys.length === 0) ? new RSet() : new RObject();
    const prevActive = this.activeRule;
    for (const rc of code.rules) {
      const r = rc.rule;
      const f = newFrame(code.size);
      this.activeRule = r;
      if (rc.memberSet !== undefined && this.coverage === undefined) {
        // (a group of this one definition: see groupCode)
        const v = this.memberSet(rc.memberSet, f);
        if (v !== undefined) {
          root = v;
          continue;
        }
      }
      if (isSet && r.dynKeys.length === 0) {
        // plain partial set: add each head value, no key bookkeeping
        const set = root as RSet;
        const key = rc.key!;
        const add = (member: Value): boolean => {
          set.add(member);
          return false;
        };
        rc.body(this, f, () => {
          if (this.coverage !== undefined) this.cover(r.loc);
          const m = key.s(this, f);
          if (m === NOT_SIMPLE) return key.slow(this, f, add);
          if (m !== undefined) set.add(m);
          return false;
        });
        continue;
      }
      rc.body(this, f, () =>
        rc.dynKeys(this, f, (keys) => {
          if (this.coverage !== undefined) this.cover(r.loc);
          if (isSet) {
            return rc.key!.g(this, f, (member) => {
              if (keys.length === 0) (root as RSet).add(member);
              else {
                const leaf = insertPath(root as RObject, keys, g, r.loc, true);
                (leaf as RSet).add(member);
              }
              return false;
            });
          }
          return rc.value.g(this, f, (val) => {
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

  // ---- functions -------------------------------------------------------------------------------
  /** Name → user function (rule group) or built-in, resolved once per evaluation. */
  private readonly fnTargets = new Map<string, RuleGroup | BuiltinDef | null>();

  callFunction(name: string, args: Value[], loc: Loc, noOverride = false): Value | undefined {
    if (!noOverride && this.st.fnOverrides.size > 0) {
      const ov = this.st.fnOverrides.get(name);
      if (ov) {
        if (ov.kind === "value") return ov.value;
        // a mock runs without any function mocks: it may call the original, never another mock
        const prev = this.st;
        this.st = { ...prev, fnOverrides: new Map(), cache: new Map(), calls: new Map() };
        try {
          return this.callFunction(ov.name, args, loc, true);
        } finally {
          this.st = prev;
        }
      }
    }
    const target = this.resolveFunction(name);
    if (target !== null && "rules" in target) {
      if (target.kind !== "function") return undefined;
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

  invokeBuiltin(bi: BuiltinDef, name: string, args: Value[], loc: Loc): Value | undefined {
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

  /** What calls of a function need, looked up once per call (see FnState). */
  private fnState(g: RuleGroup): FnState {
    let s = this.fnStates.get(g);
    if (s === undefined) {
      s = {
        g,
        code: groupCode(this.prog, g),
        memo: memoizable(this.prog, g),
        hits: 0,
        misses: 0,
        firstWins: !this.strict && sameConstantValue(g),
        frames: [],
        callsSt: undefined,
        calls: undefined,
      };
      this.fnStates.set(g, s);
    }
    return s;
  }

  /**
   * A call of a user function whose call site resolved it when compiled (no `with` mocks
   * functions): as callFunction would call it, with its FnState found by the site's number.
   */
  callGroup(g: RuleGroup, slot: number, args: Value[]): Value | undefined {
    let s = this.fnStateAt[slot];
    if (s === undefined || s.g !== g) {
      s = this.fnState(g);
      this.fnStateAt[slot] = s;
    }
    return this.evalFunctionWith(g, s, args);
  }

  private evalFunction(g: RuleGroup, args: Value[]): Value | undefined {
    return this.evalFunctionWith(g, this.fnState(g), args);
  }

  private evalFunctionWith(g: RuleGroup, s: FnState, args: Value[]): Value | undefined {
    this.step();
    if (!s.memo) return this.evalFunctionBody(g, s, args);
    // a call with the arguments of an earlier call in this scope has that call's value:
    // scalars are keyed by value, composite arguments by identity (values are immutable)
    let top: Map<unknown, unknown>;
    if (s.callsSt === this.st) top = s.calls!;
    else {
      let t = this.st.calls.get(g);
      if (t === undefined) {
        t = new Map();
        this.st.calls.set(g, t);
      }
      // (the memo of the scope this function was last called in: calls mostly stay in one)
      s.callsSt = this.st;
      s.calls = t;
      top = t;
    }
    if (args.length <= 1) {
      const key = args.length === 1 ? memoKey(args[0]) : NO_ARGS;
      const hit = top.get(key);
      if (hit !== undefined) {
        s.hits++;
        return hit === UNDEFINED ? undefined : (hit as Value);
      }
      const v = this.evalFunctionBody(g, s, args);
      if (this.keepsMemo(s)) top.set(key, v === undefined ? UNDEFINED : v);
      return v;
    }
    const hit = memoFind(top, args);
    if (hit !== MISS) {
      s.hits++;
      return hit === UNDEFINED ? undefined : (hit as Value);
    }
    const v = this.evalFunctionBody(g, s, args);
    if (this.keepsMemo(s)) memoAdd(top, args, v === undefined ? UNDEFINED : v);
    return v;
  }

  /**
   * Counts a miss of `s`'s memo; whether the memo is still worth keeping. A function whose calls
   * rarely repeat (a finding's constructor, a per-need check) only fills its memo: each entry
   * lives to the end of the evaluation, and a large evaluation then spends more on copying them
   * in garbage collection than a hit would save. After MEMO_PROBE misses with fewer than one hit
   * per eight, the function stops memoizing (in this evaluation) and its memo is dropped.
   */
  private keepsMemo(s: FnState): boolean {
    if (++s.misses !== MEMO_PROBE || s.hits * 8 >= MEMO_PROBE) return true;
    s.memo = false;
    s.calls = undefined;
    s.callsSt = undefined;
    this.st.calls.delete(s.g);
    return false;
  }

  private evalFunctionBody(g: RuleGroup, s: FnState, args: Value[]): Value | undefined {
    this.ruleStack.push(g.name);
    try {
      const code = s.code;
      let result: Value | undefined;
      const firstWins = s.firstWins;
      // Binding is balanced (every bind is undone before its continuation returns), so a frame
      // comes back from a call with all its slots unbound and serves the next call of the same
      // function. A call that throws never returns its frame.
      const pool = s.frames;
      const f = pool.pop() ?? newFrame(code.size);
      const rules = code.rules;
      for (let i = 0; i < rules.length; i++) {
        const rc = rules[i];
        const v = this.evalRuleChain(rc, g, f, args);
        if (v === undefined) continue;
        if (result !== undefined && !equal(result, v)) throw this.fnConflict(g, rc.rule.loc);
        result = v;
        // every definition yields the same constant: the others cannot change the result
        if (firstWins) break;
      }
      pool.push(f);
      if (result === undefined) result = this.defaultValue(g);
      return result;
    } finally {
      this.ruleStack.pop();
    }
  }
}

/** The key of a member under a join's constant path, or undefined where the path is absent. */
function joinKeyOf(val: Value, path: Value[]): string | undefined {
  let cur: Value | undefined = val;
  for (let i = 0; i < path.length && cur !== undefined; i++) cur = lookup(cur, path[i]);
  return cur === undefined ? undefined : keyOf(cur);
}

/**
 * Index of a collection's members by their value at `path`, members in iteration order. Keys are
 * mostly unique: a first pass only sets (one hash operation per member); if any key repeated
 * (the map holds fewer entries than members were set), the index is rebuilt with buckets.
 */
function buildJoinIndex(path: Value[], coll: object, ev: Evaluator): JoinIndex {
  let members: Value[];
  if (Array.isArray(coll)) members = coll as Value[];
  else {
    const ms: Value[] = [];
    ev.iterate(coll as Value, (_key, val) => {
      ms.push(val);
      return false;
    });
    members = ms;
  }
  const idx: JoinIndex = new Map();
  let set = 0;
  const n = members.length;
  const k0 = path.length === 1 ? path[0] : undefined;
  if (typeof k0 === "string") {
    // the common path, one field name: read from records directly
    for (let i = 0; i < n; i++) {
      const m = members[i];
      const v = m instanceof RObject ? m.get(k0) : lookup(m, k0);
      if (v === undefined) continue;
      idx.set(typeof v === "string" && v.charCodeAt(0) !== 0 ? v : keyOf(v), m);
      set++;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const kk = joinKeyOf(members[i], path);
      if (kk !== undefined) {
        idx.set(kk, members[i]);
        set++;
      }
    }
  }
  if (idx.size === set) return idx;
  // (keys read again: rare, and no array of them kept for the common case)
  idx.clear();
  for (let i = 0; i < n; i++) {
    const kk = joinKeyOf(members[i], path);
    if (kk === undefined) continue;
    const val = members[i];
    const prev = idx.get(kk);
    if (prev === undefined) idx.set(kk, val);
    else if (prev instanceof JoinBucket) prev.items.push(val);
    else idx.set(kk, new JoinBucket([prev, val]));
  }
  return idx;
}

/** One evaluation's view of a function (one lookup per call instead of three). */
interface FnState {
  g: RuleGroup;
  code: GroupCode;
  /** Calls keep their values (see memoizable), until keepsMemo finds they rarely repeat. */
  memo: boolean;
  /** Calls answered from the memo, and calls that were not (see keepsMemo). */
  hits: number;
  misses: number;
  /** Frames reused call after call (binding is balanced: they come back unbound). */
  frames: Frame[];
  /** All definitions yield one constant (sameConstantValue) and evaluation is not strict. */
  firstWins: boolean;
  /** The scope (Scoped) of the last memoized call and its memo for this function. */
  callsSt: Scoped | undefined;
  calls: Map<unknown, unknown> | undefined;
}

/** Misses after which a function's memo is judged (see Evaluator.keepsMemo). */
const MEMO_PROBE = 64;

/** Memo entries for an undefined call value and for a call without arguments. */
const UNDEFINED = Symbol("undefined");
const NO_ARGS = Symbol("no-args");

function memoKey(v: Value): unknown {
  return v !== null && typeof v === "object" ? v : keyOf(v);
}

/**
 * The memo of a function of several arguments is a trie keyed by one argument per level, grown
 * only where calls share a prefix: a level holds a call's own entry (its arguments and value)
 * until a second call with the same argument there needs it to branch. A call per finding with
 * the finding's fields costs one entry, not a map per argument.
 */
class MemoCall {
  constructor(
    readonly args: Value[],
    readonly v: unknown,
  ) {}
}

const MISS = Symbol("miss");

/** Same memo key (memoKey): scalars by value, composites by identity. */
function sameArg(x: Value, y: Value): boolean {
  return x === y || (x instanceof Decimal && y instanceof Decimal && x.text === y.text);
}

function memoFind(top: Map<unknown, unknown>, args: Value[]): unknown {
  let level = top;
  for (let i = 0; i < args.length; i++) {
    const node = level.get(memoKey(args[i]));
    if (node === undefined) return MISS;
    if (node instanceof MemoCall) {
      const a = node.args;
      for (let j = i + 1; j < args.length; j++) if (!sameArg(a[j], args[j])) return MISS;
      return node.v;
    }
    level = node as Map<unknown, unknown>;
  }
  return MISS;
}

function memoAdd(top: Map<unknown, unknown>, args: Value[], v: unknown): void {
  const n = args.length;
  let level = top;
  for (let i = 0; i < n; i++) {
    const key = memoKey(args[i]);
    const node = level.get(key);
    if (node === undefined || i === n - 1) {
      level.set(key, new MemoCall(args, v));
      return;
    }
    if (node instanceof MemoCall) {
      // two calls share the arguments up to i: branch on the next one
      const next = new Map<unknown, unknown>();
      next.set(memoKey(node.args[i + 1]), node);
      level.set(key, next);
      level = next;
    } else level = node as Map<unknown, unknown>;
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
