/**
 * `tokenwarden policy eval` and `tokenwarden policy test`: the project's Rego engine with the
 * command shapes of `opa eval` and `opa test`, so policy authors keep their habits.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { createRequire } from "node:module";
import type { CliIO } from "../io";
import { parseArgs, formatFlag } from "../args";
import { InputError, UsageError } from "../../errors";
import { loadRegoPaths, formatRegoError, parseDataFile } from "../rego-files";
import { RE2JS } from "re2js";
import {
  capabilitiesProblem,
  compile,
  RegoError,
  type Capabilities,
  type CompiledPolicy,
  type CustomBuiltin,
  type TestResult,
} from "../../rego";
import type { ResultSet } from "../../rego/api-types";
// numbers print as OPA prints them: big integers and long decimals exactly
import { jsonText } from "../../rego/value";

export async function run(argv: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === "eval") return evalCommand(rest, io);
  if (sub === "test") return testCommand(rest, io);
  if (sub === "capabilities")
    return import("./policy-capabilities").then((m) => m.capabilitiesCommand(rest, io));
  throw new UsageError(
    sub === undefined
      ? "missing subcommand (eval, test or capabilities)"
      : `unknown subcommand "${sub}" (eval, test or capabilities)`,
  );
}

function compileOrReport(
  modules: { file: string; source: string; regoVersion?: 0 | 1 }[],
  io: CliIO,
  capabilities?: Capabilities,
  builtins?: Record<string, CustomBuiltin>,
): CompiledPolicy | undefined {
  try {
    return compile(modules, { capabilities, builtins });
  } catch (err) {
    if (err instanceof RegoError) {
      reportRegoError(err, modules, io);
      return undefined;
    }
    throw err;
  }
}

function reportRegoError(
  err: RegoError,
  modules: { file: string; source: string }[],
  io: CliIO,
): void {
  const sources = new Map(modules.map((m) => [m.file, m.source]));
  const n = err.errors.length;
  io.err(`${n} error${n === 1 ? "" : "s"} occurred:\n`);
  for (const d of err.errors) io.err(formatRegoError(d, sources) + "\n");
}

async function evalCommand(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, {
    data: { value: true, repeat: true, short: "d" },
    input: { value: true, short: "i" },
    format: { value: true, short: "f" },
    "strict-builtin-errors": {},
    "max-steps": { value: true },
    timeout: { value: true },
    bundle: { value: true, repeat: true, short: "b" },
    ignore: { value: true, repeat: true },
    "v0-compatible": {},
    capabilities: { value: true },
    builtins: { value: true, repeat: true },
  });
  const format = formatFlag(args, ["json", "pretty"] as const, "json");
  if (args.positionals.length !== 1) throw new UsageError("expected exactly one query");
  const query = args.positionals[0];
  const files = loadRegoPaths([...args.all("data"), ...args.all("bundle")], io.cwd, {
    ignore: args.all("ignore"),
    v0Compatible: args.has("v0-compatible"),
  });
  let input: unknown;
  const inputPath = args.get("input");
  if (inputPath !== undefined) {
    const abs = path.resolve(io.cwd, inputPath);
    let text: string;
    try {
      text = fs.readFileSync(abs, "utf8");
    } catch {
      throw new UsageError(`${inputPath}: cannot read input file`);
    }
    input = parseDataFile(text, inputPath.endsWith(".json") ? inputPath : inputPath + ".yaml");
  }
  const compiled = compileOrReport(
    files.modules,
    io,
    readCapabilities(args.get("capabilities"), io),
    loadBuiltins(args.all("builtins"), io),
  );
  if (!compiled) return 2;
  const maxSteps = numberFlag(args.get("max-steps"), "--max-steps");
  const timeoutMs = numberFlag(args.get("timeout"), "--timeout");
  let rs: ResultSet;
  try {
    const prepared = compiled.prepare(query);
    rs = prepared.eval({
      input,
      data: files.data,
      strictBuiltinErrors: args.has("strict-builtin-errors"),
      maxSteps,
      timeoutMs,
      print: (line) => io.err(line + "\n"),
    });
  } catch (err) {
    if (err instanceof RegoError) {
      reportRegoError(err, [...files.modules, { file: "query", source: query }], io);
      return 2;
    }
    throw err;
  }
  if (format === "json") {
    io.out(jsonText(rs.length === 0 ? {} : { result: rs.map(withoutEmptyBindings) }, 2) + "\n");
  } else {
    io.out(pretty(rs) + "\n");
  }
  return 0;
}

function withoutEmptyBindings(r: ResultSet[number]): object {
  return Object.keys(r.bindings).length === 0 ? { expressions: r.expressions } : r;
}

function numberFlag(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${name} must be a positive number`);
  return n;
}

/** Like `opa eval --format pretty`: a lone value as JSON, otherwise one row per solution. */
function pretty(rs: ResultSet): string {
  if (rs.length === 0) return "undefined";
  const first = rs[0];
  if (
    rs.length === 1 &&
    Object.keys(first.bindings).length === 0 &&
    first.expressions.length === 1
  ) {
    return jsonText(first.expressions[0].value, 2);
  }
  const vars = Object.keys(first.bindings);
  if (vars.length === 0)
    return rs.map((r) => r.expressions.map((e) => jsonText(e.value)).join(" ")).join("\n");
  const rows = rs.map((r) => vars.map((v) => jsonText(r.bindings[v])));
  const widths = vars.map((v, i) => Math.max(v.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    "| " + cells.map((c, i) => c.padEnd(widths[i])).join(" | ") + " |";
  const sep = "+" + widths.map((w) => "-".repeat(w + 2)).join("+") + "+";
  return [sep, line(vars), sep, ...rows.map(line), sep].join("\n");
}

async function testCommand(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, {
    verbose: { short: "v" },
    format: { value: true },
    run: { value: true, short: "r" },
    timeout: { value: true },
    ignore: { value: true, repeat: true },
    "v0-compatible": {},
    capabilities: { value: true },
    builtins: { value: true, repeat: true },
    bundle: { short: "b" },
    coverage: { short: "c" },
    threshold: { value: true },
  });
  const format = formatFlag(args, ["pretty", "json"] as const, "pretty");
  if (args.positionals.length === 0)
    throw new UsageError("expected at least one file or directory");
  const files = loadRegoPaths(args.positionals, io.cwd, {
    ignore: args.all("ignore"),
    v0Compatible: args.has("v0-compatible"),
  });
  if (files.modules.length === 0)
    throw new InputError(`no .rego files in ${args.positionals.join(", ")}`);
  // --run is an RE2 pattern (as `opa test -r`), matched anywhere in the test's full name; RE2
  // runs in linear time, so a user's pattern cannot hang the run
  const pattern = args.get("run");
  let filter: ((name: string) => boolean) | undefined;
  if (pattern !== undefined) {
    let re: ReturnType<typeof RE2JS.compile>;
    try {
      re = RE2JS.compile(pattern);
    } catch (err) {
      throw new UsageError(`--run: invalid regular expression: ${(err as Error).message}`);
    }
    filter = (name) => re.matcher(name).find();
  }
  const compiled = compileOrReport(
    files.modules,
    io,
    readCapabilities(args.get("capabilities"), io),
    loadBuiltins(args.all("builtins"), io),
  );
  if (!compiled) return 2;
  const timeoutMs = numberFlag(args.get("timeout"), "--timeout") ?? 10_000;
  if (args.has("coverage")) {
    // like `opa test --coverage`: the coverage report (OPA's JSON shape) is the output
    const threshold = args.get("threshold");
    const min = threshold === undefined ? 0 : Number(threshold);
    if (!Number.isFinite(min) || min < 0 || min > 100)
      throw new UsageError("--threshold must be a percentage between 0 and 100");
    const { results, coverage } = compiled.runTestsWithCoverage({
      data: files.data,
      timeoutMs,
      filter,
    });
    io.out(JSON.stringify(coverage, null, 2) + "\n");
    const bad = results.some((r) => r.outcome === "FAIL" || r.outcome === "ERROR");
    if (coverage.coverage < min)
      io.err(`code coverage threshold not met: got ${coverage.coverage} instead of ${min}\n`);
    return bad || coverage.coverage < min ? 1 : 0;
  }
  const results = compiled.runTests({ data: files.data, timeoutMs, filter });
  const passed = results.filter((r) => r.outcome === "PASS").length;
  const skipped = results.filter((r) => r.outcome === "SKIPPED").length;
  const failed = results.length - passed - skipped;
  if (format === "json") {
    io.out(JSON.stringify(results.map(opaTestJSON), null, 2) + "\n");
    return failed > 0 ? 1 : 0;
  }
  const verbose = args.has("verbose");
  let lastFile = "";
  for (const r of results) {
    if (!verbose && r.outcome === "PASS") continue;
    if (r.file !== lastFile) {
      io.out(`${r.file}:\n`);
      lastFile = r.file;
    }
    const time = r.outcome === "SKIPPED" ? "" : ` (${r.durationMs.toFixed(1)}ms)`;
    io.out(`${r.package}.${r.name}: ${r.outcome}${time}\n`);
    for (const c of r.cases ?? []) {
      if (verbose || c.outcome !== "PASS") io.out(`  ${c.name}: ${c.outcome}\n`);
    }
    if (r.error) io.out(`  ${r.error}\n`);
    if (r.output.length && (verbose || r.outcome !== "PASS")) {
      for (const l of r.output) io.out(`  ${l}\n`);
    }
  }
  if (results.length > 0 && (verbose || failed > 0)) io.out("-".repeat(80) + "\n");
  if (results.length === 0) io.out("no test_* rules found\n");
  io.out(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}\n`);
  return failed > 0 ? 1 : 0;
}

/** One result in the shape of `opa test --format json` (duration in ns, output base64). */
function opaTestJSON(r: TestResult): object {
  const out: Record<string, unknown> = {
    location: { file: r.file, row: r.row, col: 1 },
    package: r.package,
    name: r.name,
  };
  if (r.outcome === "FAIL") out.fail = true;
  if (r.outcome === "ERROR") out.error = { code: "eval_error", message: r.error };
  if (r.outcome === "SKIPPED") out.skip = true;
  out.duration = Math.round(r.durationMs * 1e6);
  if (r.output.length)
    out.output = Buffer.from(r.output.map((l) => l + "\n").join("")).toString("base64");
  if (r.cases) {
    const sub: Record<string, unknown> = {};
    for (const c of r.cases) sub[c.name] = c.outcome === "FAIL" ? { fail: true } : {};
    out.sub_results = sub;
  }
  return out;
}

/** `--capabilities <file>`: OPA's capabilities JSON (which built-ins exist). */
function readCapabilities(file: string | undefined, io: CliIO): Capabilities | undefined {
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = fs.readFileSync(path.resolve(io.cwd, file), "utf8");
  } catch {
    throw new UsageError(`--capabilities ${file}: cannot read the file`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${file}: not valid JSON: ${(err as Error).message.split("\n")[0]}`);
  }
  const problem = capabilitiesProblem(doc);
  if (problem) throw new InputError(`${file}: ${problem}`);
  return doc as Capabilities;
}

/**
 * `--builtins <module.js>`: built-ins written in JavaScript/TypeScript for a policy that relies on
 * its host's own functions (as a Go program adds them with `rego.Function`). The module exports
 * `builtins` (or a default export) mapping each name to `{ arity, impl(args, ctx) }` — the
 * `CustomBuiltin` shape of `compile(…, { builtins })`. Later files override earlier ones.
 */
function loadBuiltins(files: string[], io: CliIO): Record<string, CustomBuiltin> | undefined {
  if (files.length === 0) return undefined;
  const load = createRequire(path.join(io.cwd, "noop.js"));
  const out: Record<string, CustomBuiltin> = {};
  for (const file of files) {
    const abs = path.resolve(io.cwd, file);
    if (!fs.existsSync(abs)) throw new UsageError(`--builtins ${file}: cannot read the file`);
    let mod: Record<string, unknown>;
    try {
      mod = load(abs) as Record<string, unknown>;
    } catch (err) {
      throw new InputError(`${file}: cannot load: ${(err as Error).message.split("\n")[0]}`);
    }
    const table = (mod.builtins ?? mod.default) as Record<string, unknown> | undefined;
    if (typeof table !== "object" || table === null)
      throw new InputError(`${file}: must export \`builtins\`: { name: { arity, impl } }`);
    for (const [name, def] of Object.entries(table)) {
      const d = def as Partial<CustomBuiltin> | null;
      if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(name))
        throw new InputError(`${file}: builtins.${name}: not a Rego function name`);
      if (typeof d !== "object" || d === null || !Number.isInteger(d.arity) || d.arity! < 0)
        throw new InputError(`${file}: builtins.${name}.arity: must be a non-negative integer`);
      if (typeof d.impl !== "function" && typeof d.raw !== "function")
        throw new InputError(`${file}: builtins.${name}.impl: must be a function`);
      out[name] = d as CustomBuiltin;
    }
  }
  return out;
}
