/**
 * The Rego engine's public API: parse, compile once, prepare queries once, evaluate many times.
 */
import type {
  EvalOptions,
  ExpressionResult,
  QueryResult,
  RegoModuleSource,
  ResultSet,
} from "./api-types";
import { isWildcard, termVars, exprVars, type Expr, type Module } from "./ast";
import type { CompiledProgram } from "./compiler";
import { Evaluator, compileUnit, type FrameUnit } from "./eval";
import { newFrame } from "./frame";
import { RegoError } from "./errors";
import { builtinSet, type BuiltinSetOptions } from "./capabilities";
import type { TestResult, TestRunOptions } from "./testing";
import type { CoverageReport } from "./coverage";
import type { ParseOptions } from "./parser";
import { fromJS, toJS, RObject, RSet, type Value } from "./value";

export { RegoError } from "./errors";
export type * from "./api-types";
export type { Module } from "./ast";
export type { CoverageReport, FileCoverage } from "./coverage";
export type { Capabilities, CustomBuiltin } from "./capabilities";
export { capabilitiesProblem } from "./capabilities";
// Results carry big integers as bigint and exact decimals as Decimal: jsonText prints them as OPA
// does; numberFromText reads JSON number text exactly.
export { Decimal, jsonText, numberFromText } from "./value";
export type { TestResult, TestCaseResult, TestOutcome } from "./testing";
export type { ParseOptions } from "./parser";

/**
 * Parts of the engine that a `check` with the build's prebuilt policies never runs: the parser
 * (with its lexer) and the compiler (the program and its query come compiled from the artefact),
 * `opa test` and coverage. Each loads on first use, as built-in families do (builtins/index.ts),
 * so a CLI start does not compile them.
 */
interface LazyParts {
  parser: typeof import("./parser");
  compiler: typeof import("./compiler");
  testing: typeof import("./testing");
  coverage: typeof import("./coverage");
}
const lazyParts: Partial<LazyParts> = {};

/**
 * Supplies parts already imported, so they are never `require`d by path. The test runner uses it:
 * it runs the TypeScript sources, which Node's `require` cannot read.
 */
export function provideEngineParts(parts: Partial<LazyParts>): void {
  Object.assign(lazyParts, parts);
}

function part<K extends keyof LazyParts>(name: K): LazyParts[K] {
  // one module per part, next to this one
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (lazyParts[name] ??= require(`./${name}`) as LazyParts[K]);
}

export function parseModule(file: string, source: string, opts?: ParseOptions): Module {
  return guardDepth(file, () => part("parser").parseModuleSource(file, source, opts));
}

/** A query's parse, as {@link CompiledPolicy.prepare} parses it (e.g. to store it prebuilt). */
export function parseQuery(query: string): Expr[] {
  return guardDepth("query", () => part("parser").parseQuerySource(query));
}

/** Pathologically nested source must fail as a parse error, not as a JS stack overflow. */
function guardDepth<T>(file: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof RangeError) {
      throw new RegoError([
        {
          code: "rego_parse_error",
          message: "nesting too deep",
          location: { file, row: 1, col: 1 },
        },
      ]);
    }
    throw err;
  }
}

export interface PreparedQuery {
  eval(opts?: EvalOptions): ResultSet;
}

export interface CompiledPolicy {
  prepare(query: string): PreparedQuery;
  readonly modules: readonly Module[];
  ruleNames(packagePath: string[]): string[];
  /** `opa test`: every `test_*` rule definition (parameterized ones case by case). */
  runTests(opts?: TestOptions): TestResult[];
  /** Runs the tests collecting coverage: the results and OPA's coverage report. */
  runTestsWithCoverage(opts?: TestOptions): { results: TestResult[]; coverage: CoverageReport };
}

export interface TestOptions extends Omit<TestRunOptions, "data"> {
  /** Plain JSON-like data (converted once) or an already converted Rego value. */
  readonly data?: unknown;
}

function toValue(x: unknown): Value {
  if (x instanceof RObject || x instanceof RSet) return x;
  return fromJS(x);
}

class Prepared implements PreparedQuery {
  private readonly vars: string[];
  /** The query compiled on first use (closures over a slot frame), then run by every eval. */
  private compiled: FrameUnit | undefined;
  constructor(
    private readonly prog: CompiledProgram,
    private readonly body: Expr[],
    private readonly count: number,
    private readonly original: Expr[],
  ) {
    const vs = new Set<string>();
    for (const e of original) exprVars(e, vs, false);
    for (const e of original) {
      if (e.body.kind === "every") termVars(e.body.domain, vs);
    }
    this.vars = [...vs].filter((v) => !isWildcard(v) && v !== "data" && v !== "input");
  }

  private get unit(): FrameUnit {
    // compiled inside eval: a pathological query fails as an evaluation error, like evaluating it
    if (this.compiled === undefined) this.compiled = compileUnit(this.prog, [this.body]);
    return this.compiled;
  }

  eval(opts: EvalOptions = {}): ResultSet {
    // Errors raised inside evaluation become Rego errors or undefined results (non-strict
    // built-in errors): none needs a JS stack trace, and capturing one per failed built-in call
    // is most of its cost.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return this.evalInner(opts);
    } catch (err) {
      if (err instanceof RegoError) throw err;
      // JS engine limits (stack depth, collection size) and engine defects surface as Rego
      // errors: a caller (CLI, policy pack) never sees a raw JS exception from a policy
      const message =
        err instanceof RangeError
          ? `evaluation exceeded an engine limit: ${err.message}`
          : `internal error: ${err instanceof Error ? err.message : String(err)}`;
      throw new RegoError([{ code: "eval_internal_error", message }]);
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
  }

  private evalInner(opts: EvalOptions): ResultSet {
    const data = opts.data === undefined ? new RObject() : toValue(opts.data);
    const input = opts.input === undefined ? undefined : toValue(opts.input);
    const ev = new Evaluator(this.prog, {
      input,
      data,
      strict: opts.strictBuiltinErrors ?? false,
      maxSteps: opts.maxSteps,
      timeoutMs: opts.timeoutMs,
      print: opts.print,
      nowNs: opts.nowNs ?? BigInt(Date.now()) * 1000000n,
    });
    const results: QueryResult[] = [];
    const unit = this.unit;
    const f = newFrame(unit.size);
    const slots = this.vars.map((v) => unit.scope.find(v));
    unit.bodies[0](ev, f, () => {
      const expressions: ExpressionResult[] = [];
      for (let i = 0; i < this.count; i++) {
        const e = this.original[i];
        expressions.push({
          value: toJS(ev.qvals[i] ?? true),
          text: e.text,
          location: { row: e.loc.row, col: e.loc.col },
        });
      }
      const bindings: Record<string, unknown> = {};
      for (let i = 0; i < this.vars.length; i++) {
        const s = slots[i];
        const val = s === undefined ? undefined : f[s];
        if (val !== undefined) bindings[this.vars[i]] = toJS(val);
      }
      results.push({ expressions, bindings });
      return false;
    });
    return results;
  }
}

/** A query as {@link CompiledPolicy.prepare} readies it: its parse, then its compiled body. */
export interface CompiledQuery {
  readonly original: Expr[];
  readonly body: Expr[];
}

/**
 * Parses and compiles `query` against `prog` exactly as {@link CompiledPolicy.prepare} does (the
 * build's artefact stores the result for the query `check` prepares).
 */
export function compileQueryOf(prog: CompiledProgram, query: string): CompiledQuery {
  const original = parseQuery(query);
  original.forEach((e, i) => (e.qIndex = i));
  // like OPA's rego API: a single query expression without iteration reports its value, even
  // `false` (e.g. `data.authz.allow` → false, `1 > 2` → false) instead of being undefined
  if (original.length === 1 && !original[0].negated && original[0].body.kind === "term") {
    const vs = exprVars(original[0], new Set(), true);
    vs.delete("data");
    vs.delete("input");
    if (vs.size === 0) original[0].capture = true;
  }
  const body = guardDepth("query", () => part("compiler").compileQuery(original, prog));
  return { original, body };
}

class Policy implements CompiledPolicy {
  constructor(
    private readonly prog: CompiledProgram,
    /** Queries compiled earlier by this engine against this program, each used once. */
    private readonly compiledQueries = new Map<string, CompiledQuery>(),
  ) {}
  get modules(): readonly Module[] {
    return this.prog.modules;
  }
  prepare(query: string): PreparedQuery {
    // a stored query is taken once: evaluation compiles and marks its expressions in place
    const q = this.compiledQueries.get(query) ?? compileQueryOf(this.prog, query);
    this.compiledQueries.delete(query);
    return new Prepared(this.prog, q.body, q.original.length, q.original);
  }
  runTests(opts: TestOptions = {}): TestResult[] {
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return part("testing").runTests(this.prog, {
        ...opts,
        data: opts.data === undefined ? undefined : toValue(opts.data),
      });
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
  }
  runTestsWithCoverage(opts: TestOptions = {}): {
    results: TestResult[];
    coverage: CoverageReport;
  } {
    const covered = new Set<string>();
    const results = this.runTests({ ...opts, coverage: covered });
    return { results, coverage: part("coverage").coverageReport(this.prog.modules, covered) };
  }
  ruleNames(packagePath: string[]): string[] {
    const names = new Set<string>();
    for (const m of this.prog.modules) {
      if (m.packagePath.length !== packagePath.length) continue;
      if (!m.packagePath.every((p, i) => p === packagePath[i])) continue;
      for (const r of m.rules) names.add((r.head.ref[0] as { name: string }).name);
    }
    return [...names].sort();
  }
}

export type CompileOptions = BuiltinSetOptions;

export function compile(modules: RegoModuleSource[], opts: CompileOptions = {}): CompiledPolicy {
  const parsed: Module[] = [];
  const errors = [];
  for (const m of modules) {
    try {
      parsed.push(parseModule(m.file, m.source, { regoVersion: m.regoVersion }));
    } catch (err) {
      if (err instanceof RegoError) errors.push(...err.errors);
      else throw err;
    }
  }
  if (errors.length > 0) throw new RegoError(errors);
  const builtins = builtinSet(opts);
  return new Policy(
    guardDepth(modules[0]?.file ?? "module", () =>
      part("compiler").compileModules(parsed, builtins),
    ),
  );
}

/**
 * The policy of a program compiled earlier and restored (program.ts `restoreProgram`), with the
 * queries it will prepare when they were stored compiled too ({@link compileQueryOf} by this
 * engine, against this program).
 */
export function policyOfProgram(
  prog: CompiledProgram,
  compiledQueries: Readonly<Record<string, CompiledQuery>> = {},
): CompiledPolicy {
  return new Policy(prog, new Map(Object.entries(compiledQueries)));
}

/** Compile already parsed modules (e.g. `policy test` after collecting files). */
export function compileParsed(modules: Module[], opts: CompileOptions = {}): CompiledPolicy {
  return new Policy(part("compiler").compileModules(modules, builtinSet(opts)));
}
