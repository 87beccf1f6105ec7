/**
 * `tokenwarden check` against a bare YAML parse of the same file, in one process:
 *
 *   node dist/bench/gen-manifest.js 10000 > /tmp/m10k.yaml
 *   node dist/bench/check.js /tmp/m10k.yaml [/tmp/m1k.yaml …] [--runs 3]
 *
 * For each file: js-yaml `load` of the text (the budget's yardstick), then the whole check command
 * in-process (read, parse, model, grant plan, policy input, Rego evaluation, report rendering as
 * JSON). The first check pays for compiling the rule set once per process; it is shown apart
 * ("cold"), and the ratio uses the median of the warm runs. Phases of one warm run are printed too.
 *
 *   node dist/bench/check.js --phases /tmp/m10k.yaml
 *
 * splits one cold check — what `tokenwarden check m.yaml --format json` does as a process — into
 * its phases, with the CPU and the garbage-collection pauses of each, and exits.
 */
import * as fs from "node:fs";
import { PerformanceObserver, performance } from "node:perf_hooks";
import { load as loadYaml } from "js-yaml";
import { reportResults, run } from "../cli/commands/check";
import type { CliIO } from "../cli/io";
import { benchUsageError, readBenchArgs, type BenchCommand } from "./args";
import { tuneForOneShot } from "../cli/one-shot";
import { TOOL_VERSION } from "../cli/version";
import { manifestFromParsed } from "../model/load";
import { parseText } from "../model/source";
import { evaluate, loadPolicySet } from "../policies/evaluate";
import { loadInput, manifestInput, readText } from "../policies/input/load";
import { render } from "../report";

const NOW = "2026-11-30T12:00:00Z";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const io: CliIO = {
  out: () => undefined,
  err: () => undefined,
  interactive: false,
  env: {},
  cwd: process.cwd(),
  readStdin: async () => "",
};

async function timeCheck(file: string): Promise<number> {
  const t = performance.now();
  await run([file, "--format", "json", "--now", NOW], io);
  return performance.now() - t;
}

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * CPU ms of this process's main thread, where Linux tells (/proc, in 10 ms clock ticks), else
 * undefined. The rest of the process's CPU is V8's helper threads: optimising compiles and the
 * collector's parallel and concurrent work, which a cold run pays and a warm one mostly does not.
 */
function mainThreadMs(): number | undefined {
  try {
    const stat = fs.readFileSync("/proc/thread-self/stat", "utf8");
    // fields after the command name's closing parenthesis; utime and stime are the 12th and 13th
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return undefined;
  }
}

/**
 * One cold check of a manifest, phase by phase, as `check` runs them: CPU ms (user+sys, all
 * threads, so the collector's helper threads count), how much of it ran on the main thread (on
 * Linux), and the collector's pauses within each phase.
 */
async function coldPhases(file: string): Promise<void> {
  const startCpu = cpuMs(); // node's own start and this script's modules
  tuneForOneShot(); // as bin/tokenwarden.js does
  const pauses: { at: number; ms: number }[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) pauses.push({ at: e.startTime, ms: e.duration });
  });
  observer.observe({ entryTypes: ["gc"] });
  const rows: { name: string; cpu: number; main?: number; from: number; to: number }[] = [];
  const startMain = mainThreadMs();
  let cpu = cpuMs();
  let main = startMain;
  let wall = performance.now();
  const phase = async <T>(name: string, f: () => T | Promise<T>): Promise<T> => {
    const value = await f();
    const [c, m, w] = [cpuMs(), mainThreadMs(), performance.now()];
    rows.push({
      name,
      cpu: c - cpu,
      main: m !== undefined && main !== undefined ? m - main : undefined,
      from: wall,
      to: w,
    });
    [cpu, main, wall] = [c, m, w];
    return value;
  };
  const set = await phase("policy set (prebuilt)", () => loadPolicySet());
  // as loadInput reads it (an ASCII file through the Latin-1 decoder)
  const text = await phase("read the file", () => readText(file));
  const parsed = await phase("YAML parse with positions", () => parseText(text, file));
  const manifest = await phase("model (validate, normalise)", () => manifestFromParsed(parsed));
  const loaded = await phase("grant plan + policy input", () => manifestInput(file, manifest, NOW));
  const evaluation = await phase("Rego evaluation + waivers", () => evaluate(set, loaded.input));
  const { results, waived } = await phase("results (placing findings)", () =>
    reportResults(loaded, evaluation),
  );
  const out = await phase("report (JSON)", () =>
    render(
      {
        tool: { name: "tokenwarden", version: TOOL_VERSION },
        inputs: [{ file, kind: loaded.kind }],
        results,
        waived,
        notes: evaluation.notes,
        skipped: [],
        errors: [],
        rules: set.rules.map((r) => ({ ...r, help: r.remediation || "See the policy." })),
      },
      "json",
    ),
  );
  await new Promise((r) => setTimeout(r, 20)); // the observer reports pauses a tick later
  observer.disconnect();
  const say = (name: string, c: number, m: number | undefined, g: string) =>
    process.stdout.write(
      `  ${name.padEnd(30)} ${c.toFixed(0).padStart(6)} ms CPU${m === undefined ? "" : ` (main thread ${m.toFixed(0).padStart(5)})`} ${g}\n`,
    );
  process.stdout.write(
    `${file}: ${loaded.input.needs.length} needs, ${results.length} findings, ${(out.length / 1e6).toFixed(1)} MB of JSON; one cold check in phases\n`,
  );
  say("node start + modules", startCpu, startMain, "");
  for (const r of rows) {
    const inPhase = pauses.filter((p) => p.at >= r.from && p.at < r.to);
    const gc = inPhase.reduce((a, p) => a + p.ms, 0);
    say(r.name, r.cpu, r.main, `  (GC pauses ${gc.toFixed(0)} ms in ${inPhase.length})`);
  }
  say("total", cpuMs(), mainThreadMs(), "");
}

const COMMAND: BenchCommand = {
  name: "check.js",
  usage:
    "usage: node dist/bench/check.js <manifest>… [--runs N]\n       node dist/bench/check.js --phases <manifest>",
  flags: { runs: { value: true }, phases: {} },
};

async function main(): Promise<void> {
  const args = readBenchArgs(COMMAND, process.argv.slice(2));
  const runs = Number(args.get("runs", "3"));
  if (args.positionals.length === 0) benchUsageError(COMMAND, "no manifest given");
  if (!Number.isSafeInteger(runs) || runs < 1)
    benchUsageError(COMMAND, "--runs takes a positive integer");
  for (const file of args.positionals) {
    if (!fs.existsSync(file)) benchUsageError(COMMAND, `${file}: no such file`);
  }
  if (args.has("phases")) {
    await coldPhases(args.positionals[0]);
    return;
  }
  let previous: { needs: number; check: number } | undefined;
  for (const file of args.positionals) {
    const text = fs.readFileSync(file, "utf8");
    const cold = await timeCheck(file);
    const parse: number[] = [];
    const check: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      loadYaml(text);
      parse.push(performance.now() - t);
      check.push(await timeCheck(file));
    }
    // One warm run split into its phases.
    let t = performance.now();
    const loaded = await loadInput(file, { now: NOW });
    const tLoad = performance.now() - t;
    t = performance.now();
    const evaluation = await evaluate(loadPolicySet(), loaded.input);
    const tEval = performance.now() - t;
    const needs = loaded.input.needs.length;
    const p = median(parse);
    const c = median(check);
    const lines = [
      `${file}: ${needs} needs, ${(text.length / 1e6).toFixed(2)} MB, ${evaluation.findings.length} findings`,
      `  js-yaml load (median of ${runs}):   ${p.toFixed(0)} ms`,
      `  check, cold (incl. rule compile): ${cold.toFixed(0)} ms`,
      `  check, warm (median of ${runs}):    ${c.toFixed(0)} ms   ratio check/parse = ${(c / p).toFixed(2)}`,
      `  phases: read+parse+model+plan+input ${tLoad.toFixed(0)} ms, Rego evaluation ${tEval.toFixed(0)} ms`,
    ];
    if (previous) {
      lines.push(
        `  growth vs ${previous.needs} needs: ×${(c / previous.check).toFixed(1)} time for ×${(needs / previous.needs).toFixed(1)} needs`,
      );
    }
    process.stdout.write(lines.join("\n") + "\n");
    previous = { needs, check: c };
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
