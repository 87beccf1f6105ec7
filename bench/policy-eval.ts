/**
 * Policy evaluation speed: tokenwarden's Rego rules on the project's engine (compiled and prepared
 * once, as `check` does) against the hand-written TypeScript oracle, on the same PolicyInput in
 * the same process. Inputs are generated manifests (bench/gen-manifest.ts, with violations)
 * normalised exactly as `tokenwarden check` does.
 *
 *   node dist/bench/policy-eval.js [--needs 1000,10000] [--runs 5] [--format text|json]
 *
 * Reported per size: median Rego ms, median oracle ms, their ratio, findings (both engines must
 * agree, else exit 1), and the growth 1k→10k of each (linear growth ≈ the size ratio). Times are
 * process CPU time (user + system), which a busy machine disturbs far less than wall time; the
 * wall-clock ratio is reported beside it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseManifestText } from "../model";
import { manifestToInput } from "../policies/input/manifest";
import type { Finding, PolicyInput } from "../policies/input/types";
import { oracleFindings } from "../policies/oracle";
import { compile } from "../rego";
import { generateManifest } from "./gen-manifest";

const NOW = "2026-11-30T12:00:00Z";

export interface SizeResult {
  readonly needs: number;
  /** Median CPU milliseconds of one evaluation. */
  readonly regoMs: number;
  readonly oracleMs: number;
  readonly ratio: number;
  /** Fastest CPU milliseconds of the runs (the least disturbed by other load). */
  readonly regoMinMs: number;
  readonly oracleMinMs: number;
  /** Median wall-clock milliseconds, for comparison. */
  readonly regoWallMs: number;
  readonly oracleWallMs: number;
  readonly findings: number;
  readonly agree: boolean;
}

function policiesDir(): string {
  // From the sources (bench/) or the build (dist/bench/): the policies/ beside package.json.
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (
      fs.existsSync(path.join(dir, "package.json")) &&
      fs.existsSync(path.join(dir, "policies", "data.json"))
    ) {
      return path.join(dir, "policies");
    }
    if (path.dirname(dir) === dir) throw new Error("cannot find policies/ above " + __dirname);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function key(fs_: readonly Finding[]): string {
  return fs_
    .map((f) => [f.id, f.source, f.severity, f.need, f.field, f.message].join("|"))
    .sort()
    .join("\n");
}

export function measure(sizes: readonly number[], runs: number): SizeResult[] {
  const dir = policiesDir();
  const modules = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".rego") && !f.endsWith("_test.rego"))
    .sort()
    .map((f) => ({ file: `policies/${f}`, source: fs.readFileSync(path.join(dir, f), "utf8") }));
  const data = JSON.parse(fs.readFileSync(path.join(dir, "data.json"), "utf8")) as unknown;
  const prepared = compile(modules).prepare("data.tokenwarden.findings");
  const rego = (input: PolicyInput): Finding[] =>
    prepared.eval({ input, data })[0].expressions[0].value as Finding[];

  const results: SizeResult[] = [];
  for (const needs of sizes) {
    const text = generateManifest({ needs, seed: 42, violations: true });
    const input = manifestToInput(parseManifestText(text, `gen-${needs}.yaml`), { now: NOW });
    // Warm-up: JIT both paths once before timing.
    const regoOut = rego(input);
    const oracleOut = oracleFindings(input);
    const rt = { cpu: [] as number[], wall: [] as number[] };
    const ot = { cpu: [] as number[], wall: [] as number[] };
    const time = (fn: () => unknown, into: { cpu: number[]; wall: number[] }): void => {
      const wall = process.hrtime.bigint();
      const cpu = process.cpuUsage();
      fn();
      const used = process.cpuUsage(cpu);
      into.cpu.push((used.user + used.system) / 1000);
      into.wall.push(Number(process.hrtime.bigint() - wall) / 1e6);
    };
    for (let i = 0; i < runs; i++) {
      time(() => rego(input), rt);
      time(() => oracleFindings(input), ot);
    }
    const regoMs = median(rt.cpu);
    const oracleMs = median(ot.cpu);
    results.push({
      needs,
      regoMs,
      oracleMs,
      ratio: regoMs / oracleMs,
      regoMinMs: Math.min(...rt.cpu),
      oracleMinMs: Math.min(...ot.cpu),
      regoWallMs: median(rt.wall),
      oracleWallMs: median(ot.wall),
      findings: oracleOut.length,
      agree: key(regoOut) === key(oracleOut),
    });
  }
  return results;
}

const USAGE =
  "usage: node dist/bench/policy-eval.js [--needs 1000,10000] [--runs 5] [--format text|json]\n";

export function main(argv: readonly string[], write: (s: string) => void): number {
  if (argv.includes("--help") || argv.includes("-h")) {
    write(USAGE);
    return 0;
  }
  let sizes = [1000, 10000];
  let runs = 5;
  let format = "text";
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--needs") sizes = (argv[++i] ?? "").split(",").map(Number);
    else if (a === "--runs") runs = Number(argv[++i]);
    else if (a === "--format") format = argv[++i] ?? "text";
    else {
      process.stderr.write(`policy-eval.js: unknown argument ${a}\n${USAGE}`);
      return 2;
    }
  }
  if (
    sizes.some((n) => !Number.isInteger(n) || n <= 0) ||
    !Number.isInteger(runs) ||
    runs <= 0 ||
    (format !== "text" && format !== "json")
  ) {
    process.stderr.write(
      `policy-eval.js: --needs takes positive integers (e.g. 1000,10000), --runs a positive integer, --format text or json\n${USAGE}`,
    );
    return 2;
  }
  const results = measure(sizes, runs);
  const first = results[0];
  const last = results[results.length - 1];
  const growth = {
    sizes: last.needs / first.needs,
    rego: last.regoMs / first.regoMs,
    oracle: last.oracleMs / first.oracleMs,
  };
  if (format === "json") {
    write(JSON.stringify({ runs, results, growth }, null, 2) + "\n");
  } else {
    write(
      `policy evaluation, median of ${runs} runs, CPU ms (Rego prepared once; same PolicyInput)\n`,
    );
    write("needs    rego ms   oracle ms   ratio   min ratio   wall ratio   findings  agree\n");
    for (const r of results) {
      const wallRatio = r.regoWallMs / r.oracleWallMs;
      const minRatio = r.regoMinMs / r.oracleMinMs;
      write(
        `${String(r.needs).padEnd(8)} ${r.regoMs.toFixed(1).padStart(8)} ${r.oracleMs.toFixed(1).padStart(10)} ${r.ratio.toFixed(1).padStart(7)}x ${minRatio.toFixed(1).padStart(10)}x ${wallRatio.toFixed(1).padStart(11)}x ${String(r.findings).padStart(9)}  ${r.agree ? "yes" : "NO"}\n`,
      );
    }
    if (results.length > 1) {
      write(
        `growth ${first.needs}→${last.needs} (${growth.sizes}x needs): rego ${growth.rego.toFixed(1)}x, oracle ${growth.oracle.toFixed(1)}x\n`,
      );
    }
  }
  return results.every((r) => r.agree) ? 0 : 1;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), (s) => process.stdout.write(s));
}
