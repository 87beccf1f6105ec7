/**
 * Running Rego unit tests the way `opa test` does: every rule named `test_*` is a test, each
 * definition on its own (a second `test_x` reports as `test_x#01`), `todo_*` rules are skipped,
 * and a parameterized test (`test_x[name] if { some name, tc in cases; … }`) reports one
 * sub-result per value of its head variables.
 */
import type { Expr, Term } from "./ast";
import { exprVars, termVars } from "./ast";
import type { CompiledProgram, CRule, RuleGroup } from "./compiler";
import { RegoError } from "./errors";
import { Evaluator, compileUnit } from "./eval";
import { newFrame } from "./frame";
import { RObject, toJS, toJSONText, type Value } from "./value";

export type TestOutcome = "PASS" | "FAIL" | "ERROR" | "SKIPPED";

export interface TestCaseResult {
  /** The case's head values: a string key as written, other keys as JSON. */
  readonly name: string;
  readonly outcome: "PASS" | "FAIL";
}

export interface TestResult {
  readonly package: string;
  /** Rule name, with `#NN` for the second and later definitions of the same name. */
  readonly name: string;
  readonly file: string;
  readonly row: number;
  readonly outcome: TestOutcome;
  readonly durationMs: number;
  readonly error?: string;
  readonly output: string[];
  /** Parameterized tests only. */
  readonly cases?: TestCaseResult[];
}

export interface TestRunOptions {
  /** Selects tests by full name (`data.pkg.test_x`, `data.pkg.test_x#01`). */
  readonly filter?: (fullName: string) => boolean;
  readonly data?: Value;
  /** Per-test wall-clock budget. */
  readonly timeoutMs?: number;
  readonly maxSteps?: number;
  readonly nowNs?: bigint;
  /** Collects covered "file:row" keys across all tests (`opa test --coverage`). */
  readonly coverage?: Set<string>;
}

interface Discovered {
  pkg: string[];
  name: string;
  file: string;
  row: number;
  rule: CRule;
  skip: boolean;
}

export function discoverTests(prog: CompiledProgram): Discovered[] {
  const out: Discovered[] = [];
  const seen = new Map<string, number>();
  for (const m of prog.modules) {
    for (const r of m.rules) {
      const head = r.head.ref[0];
      if (head.kind !== "var" || r.isDefault) continue;
      const test = head.name.startsWith("test_");
      if (!test && !head.name.startsWith("todo_")) continue;
      if (r.head.args) continue;
      const static_ = staticLength(r.head.ref);
      const g = prog.groups.get(["data", ...m.packagePath, ...staticNames(r.head.ref)].join("."));
      if (!g || static_ !== 1) continue;
      const key = g.name;
      const n = seen.get(key) ?? 0;
      seen.set(key, n + 1);
      const rule = g.rules[n];
      if (!rule) continue;
      out.push({
        pkg: m.packagePath,
        name: n === 0 ? head.name : `${head.name}#${String(n).padStart(2, "0")}`,
        file: m.file,
        row: r.loc.row,
        rule,
        skip: !test,
      });
    }
  }
  return out;
}

function staticNames(ref: Term[]): string[] {
  const out = [(ref[0] as { name: string }).name];
  for (let i = 1; i < ref.length; i++) {
    const t = ref[i];
    if (t.kind === "scalar" && typeof t.value === "string") out.push(t.value);
    else break;
  }
  return out;
}

function staticLength(ref: Term[]): number {
  return staticNames(ref).length;
}

export function runTests(prog: CompiledProgram, opts: TestRunOptions = {}): TestResult[] {
  const results: TestResult[] = [];
  for (const t of discoverTests(prog)) {
    const full = `data.${t.pkg.join(".")}.${t.name}`;
    if (opts.filter && !opts.filter(full)) continue;
    const base = { package: `data.${t.pkg.join(".")}`, name: t.name, file: t.file, row: t.row };
    if (t.skip) {
      results.push({ ...base, outcome: "SKIPPED", durationMs: 0, output: [] });
      continue;
    }
    const output: string[] = [];
    const started = process.hrtime.bigint();
    let outcome: TestOutcome;
    let error: string | undefined;
    let cases: TestCaseResult[] | undefined;
    try {
      const ev = new Evaluator(prog, {
        data: opts.data ?? new RObject(),
        strict: false,
        timeoutMs: opts.timeoutMs,
        maxSteps: opts.maxSteps,
        print: (l) => output.push(l),
        coverage: opts.coverage,
        nowNs: opts.nowNs ?? BigInt(Date.now()) * 1000000n,
      });
      const headVars = headVarsOf(t.rule);
      if (headVars.size > 0) {
        cases = runCases(ev, t.rule, headVars);
        outcome = cases.length > 0 && cases.every((c) => c.outcome === "PASS") ? "PASS" : "FAIL";
      } else outcome = rulePasses(ev, t.rule) ? "PASS" : "FAIL";
    } catch (err) {
      if (!(err instanceof RegoError)) throw err;
      outcome = "ERROR";
      error = err.message;
    }
    // the test rule's head is covered when it produced a value (as a rule evaluated normally)
    if (outcome === "PASS" || cases?.some((c) => c.outcome === "PASS"))
      opts.coverage?.add(`${t.file}:${t.row}`);
    const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
    results.push({ ...base, outcome, durationMs, error, output, cases });
  }
  return results;
}

function headVarsOf(r: CRule): Set<string> {
  const vs = new Set<string>();
  for (const k of r.dynKeys) termVars(k, vs);
  if (r.key) termVars(r.key, vs);
  return vs;
}

/** The rule (or its else chain) yields `true`. */
function rulePasses(ev: Evaluator, r: CRule): boolean {
  const chain: CRule[] = [];
  for (let cur: CRule | undefined = r; cur; cur = cur.elseRule) chain.push(cur);
  const unit = compileUnit(
    ev.prog,
    chain.map((c) => c.body),
    chain.map((c) => c.value),
  );
  const f = newFrame(unit.size);
  for (let i = 0; i < chain.length; i++) {
    let found = false;
    let pass = false;
    unit.bodies[i](ev, f, () => {
      found = true;
      return unit.terms[i](ev, f, (v) => {
        pass = v === true;
        return true;
      });
    });
    if (found) return pass;
  }
  return false;
}

/**
 * A parameterized test: the shortest prefix of the (scheduled) body that binds every head
 * variable enumerates the cases; the rest of the body decides each one.
 */
function runCases(ev: Evaluator, r: CRule, headVars: Set<string>): TestCaseResult[] {
  const body = r.body;
  let cut = body.length;
  const seen = new Set<string>();
  for (let i = 0; i < body.length; i++) {
    if (!body[i].negated) exprVars(body[i], seen);
    if ([...headVars].every((v) => seen.has(v))) {
      cut = i + 1;
      break;
    }
  }
  const prefix: Expr[] = body.slice(0, cut);
  const rest: Expr[] = body.slice(cut);
  const keyTerms = [...r.dynKeys, ...(r.key ? [r.key] : [])];
  const byName = new Map<string, "PASS" | "FAIL">();
  const unit = compileUnit(ev.prog, [prefix, rest], [...keyTerms, r.value]);
  const value = unit.terms[keyTerms.length];
  const f = newFrame(unit.size);
  unit.bodies[0](ev, f, () => {
    // the case's name: its head key values
    const keys: Value[] = [];
    for (let i = 0; i < keyTerms.length; i++) {
      unit.terms[i](ev, f, (v) => {
        keys.push(v);
        return true;
      });
    }
    const name =
      keys.length === 1 && typeof keys[0] === "string"
        ? keys[0]
        : keys.length === 1
          ? toJSONText(keys[0])
          : JSON.stringify(keys.map((k) => toJS(k)));
    let pass = false;
    unit.bodies[1](ev, f, () =>
      value(ev, f, (v) => {
        pass = v === true;
        return pass;
      }),
    );
    if (byName.get(name) !== "PASS") byName.set(name, pass ? "PASS" : "FAIL");
    return false;
  });
  return [...byName].map(([name, outcome]) => ({ name, outcome }));
}

export type { RuleGroup };
