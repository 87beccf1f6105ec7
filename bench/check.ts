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
 */
import * as fs from "node:fs";
import { performance } from "node:perf_hooks";
import { load as loadYaml } from "js-yaml";
import { run } from "../cli/commands/check";
import type { CliIO } from "../cli/io";
import { parseArgs } from "../cli/args";
import { evaluate, loadPolicySet } from "../policies/evaluate";
import { loadInput } from "../policies/input/load";

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

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), { runs: { value: true } });
  const runs = Number(args.get("runs", "3"));
  if (args.positionals.length === 0) {
    process.stderr.write("usage: node dist/bench/check.js <manifest>… [--runs N]\n");
    process.exit(2);
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
