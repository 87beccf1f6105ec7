/**
 * `tokenwarden policy eval` and `tokenwarden policy test`: the project's Rego engine with the
 * command shapes of `opa eval` and `opa test`, so policy authors keep their habits.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { CliIO } from "../io";
import { parseArgs, formatFlag } from "../args";
import { InputError, UsageError } from "../errors";
import { loadRegoPaths, formatRegoError, parseDataFile } from "../rego-files";
import { compile, RegoError, type CompiledPolicy } from "../../rego";
import type { ResultSet } from "../../rego/api-types";

export async function run(argv: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === "eval") return evalCommand(rest, io);
  if (sub === "test") return testCommand(rest, io);
  throw new UsageError(
    sub === undefined
      ? "missing subcommand (eval or test)"
      : `unknown subcommand "${sub}" (eval or test)`,
  );
}

function compileOrReport(
  modules: { file: string; source: string }[],
  io: CliIO,
): CompiledPolicy | undefined {
  try {
    return compile(modules);
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
  });
  const format = formatFlag(args, ["json", "pretty"] as const, "json");
  if (args.positionals.length !== 1) throw new UsageError("expected exactly one query");
  const query = args.positionals[0];
  const files = loadRegoPaths(args.all("data"), io.cwd);
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
  const compiled = compileOrReport(files.modules, io);
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
    io.out(
      JSON.stringify(rs.length === 0 ? {} : { result: rs.map(withoutEmptyBindings) }, null, 2) +
        "\n",
    );
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
    return JSON.stringify(first.expressions[0].value, null, 2);
  }
  const vars = Object.keys(first.bindings);
  if (vars.length === 0)
    return rs.map((r) => r.expressions.map((e) => JSON.stringify(e.value)).join(" ")).join("\n");
  const rows = rs.map((r) => vars.map((v) => JSON.stringify(r.bindings[v])));
  const widths = vars.map((v, i) => Math.max(v.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    "| " + cells.map((c, i) => c.padEnd(widths[i])).join(" | ") + " |";
  const sep = "+" + widths.map((w) => "-".repeat(w + 2)).join("+") + "+";
  return [sep, line(vars), sep, ...rows.map(line), sep].join("\n");
}

interface TestCase {
  readonly pkg: string[];
  readonly name: string;
  readonly file: string;
}

async function testCommand(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv, {
    verbose: { short: "v" },
    format: { value: true },
    run: { value: true, short: "r" },
    timeout: { value: true },
  });
  const format = formatFlag(args, ["pretty", "json"] as const, "pretty");
  if (args.positionals.length === 0)
    throw new UsageError("expected at least one file or directory");
  const files = loadRegoPaths(args.positionals, io.cwd);
  if (files.modules.length === 0)
    throw new InputError(`no .rego files in ${args.positionals.join(", ")}`);
  const compiled = compileOrReport(files.modules, io);
  if (!compiled) return 2;
  // --run is a plain substring filter: a user-supplied pattern is never compiled as a JS RegExp.
  const filter = args.get("run");
  const timeoutMs = numberFlag(args.get("timeout"), "--timeout") ?? 10_000;
  const cases = discoverTests(compiled, filter);
  const results: {
    test: TestCase;
    outcome: "PASS" | "FAIL" | "ERROR";
    ms: number;
    detail?: string;
    printed: string[];
  }[] = [];
  for (const t of cases) {
    const ref = ["data", ...t.pkg, t.name]
      .map((s, i) => (i === 0 || /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) ? s : `["${s}"]`))
      .join(".")
      .replace(/\.\[/g, "[");
    const printed: string[] = [];
    const started = process.hrtime.bigint();
    let outcome: "PASS" | "FAIL" | "ERROR";
    let detail: string | undefined;
    try {
      const rs = compiled
        .prepare(ref)
        .eval({ data: files.data, timeoutMs, print: (l) => printed.push(l) });
      const v = rs[0]?.expressions[0]?.value;
      outcome = rs.length > 0 && v === true ? "PASS" : "FAIL";
    } catch (err) {
      if (!(err instanceof RegoError)) throw err;
      outcome = "ERROR";
      detail = err.message;
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    results.push({ test: t, outcome, ms, detail, printed });
  }
  const passed = results.filter((r) => r.outcome === "PASS").length;
  const failed = results.length - passed;
  if (format === "json") {
    io.out(
      JSON.stringify(
        results.map((r) => ({
          location: { file: r.test.file },
          package: "data." + r.test.pkg.join("."),
          name: r.test.name,
          outcome: r.outcome.toLowerCase(),
          duration_ms: Number(r.ms.toFixed(3)),
          ...(r.detail ? { error: r.detail } : {}),
          ...(r.printed.length ? { output: r.printed.join("\n") } : {}),
        })),
        null,
        2,
      ) + "\n",
    );
    return failed > 0 ? 1 : 0;
  }
  const verbose = args.has("verbose");
  let lastFile = "";
  for (const r of results) {
    if (!verbose && r.outcome === "PASS") continue;
    if (r.test.file !== lastFile) {
      io.out(`${r.test.file}:\n`);
      lastFile = r.test.file;
    }
    io.out(`data.${r.test.pkg.join(".")}.${r.test.name}: ${r.outcome} (${r.ms.toFixed(1)}ms)\n`);
    if (r.detail) io.out(`  ${r.detail}\n`);
    if (r.printed.length && (verbose || r.outcome !== "PASS")) {
      for (const l of r.printed) io.out(`  ${l}\n`);
    }
  }
  if (results.length > 0 && (verbose || failed > 0)) io.out("-".repeat(80) + "\n");
  if (results.length === 0) io.out("no test_* rules found\n");
  io.out(`${passed} passed, ${failed} failed\n`);
  return failed > 0 ? 1 : 0;
}

/** Every `test_*` rule of every package, once, in file order (like `opa test`). */
function discoverTests(compiled: CompiledPolicy, filter: string | undefined): TestCase[] {
  const seen = new Set<string>();
  const out: TestCase[] = [];
  for (const m of compiled.modules) {
    for (const name of compiled.ruleNames(m.packagePath)) {
      if (!name.startsWith("test_")) continue;
      const key = m.packagePath.join(".") + "." + name;
      if (seen.has(key)) continue;
      if (!m.rules.some((r) => r.head.ref[0]?.kind === "var" && r.head.ref[0].name === name))
        continue;
      if (filter !== undefined && !key.includes(filter)) continue;
      seen.add(key);
      out.push({ pkg: m.packagePath, name, file: m.file });
    }
  }
  return out;
}
