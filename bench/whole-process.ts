/**
 * Whole-process benchmarks with public tools: each command runs as its own `node` process under
 * `/usr/bin/time`, and its CPU time (user+sys, steadier than wall time on a shared machine) and peak
 * resident memory are printed beside a baseline measured in the same run, with the ratio:
 *
 *   npx tsc -p tsconfig.build.json
 *   node dist/bench/whole-process.js [--needs 1000,10000,20000] [--only start,check,plan,synth] [--runs 3] [--phases]
 *   (--help for the options; build with `npm run build`, which also writes the policies' AST artefact)
 *
 * - start: `tokenwarden --help` and `check` of the bundled example vs `node -e 0` (goal ≤ 3×);
 * - check: `tokenwarden check m.yaml --format json` vs a process that only reads and js-yaml
 *   parses the same file (goal ≤ 2×);
 * - plan, synth: CPU ms and KB of peak memory per need, and the ratio to the bare parse;
 * - beside each ratio of CPU times, the ratio of wall times (helper threads make them differ);
 * - with --phases, one more `check` process per size split into its phases (bench/check.ts
 *   --phases): where the CPU goes between the parse, the model, the policy input, the Rego
 *   evaluation and the report.
 * Manifests come from bench/gen-manifest (seed 1, with violations). Each figure is the best of
 * `--runs` alternated runs (least disturbed by other work). Any one line can be reproduced by hand:
 * `/usr/bin/time -v node bin/tokenwarden.js check /tmp/m10000.yaml --format json > /dev/null`.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { benchUsageError, readBenchArgs, type BenchCommand } from "./args";
import { readArtefact } from "../policies/ast-artefact";
import { builtinSources } from "../policies/evaluate";
import { generateManifest } from "./gen-manifest";

const REPO = path.resolve(__dirname, "..", "..");
const BIN = path.join(REPO, "bin", "tokenwarden.js");
const NOW = "2026-11-30T12:00:00Z";
const TIME = "/usr/bin/time";

interface Measure {
  /** user+sys CPU seconds */
  readonly cpu: number;
  readonly wall: number;
  /** peak resident set, KB */
  readonly rssKb: number;
  readonly status: number;
}

/**
 * One run of `node argv…` under GNU time; with `batch` > 1, that many runs back to back in one
 * shell loop, their mean. GNU time counts CPU in 10 ms steps: a 0.09 s `node -e 0` measured alone
 * moves a start ratio by 0.1 with every step, the mean of 10 by 0.01.
 */
function measure(argv: string[], batch = 1): Measure {
  const out = path.join(os.tmpdir(), `tw-bench-time-${process.pid}`);
  const command =
    batch === 1
      ? [process.execPath, ...argv]
      : [
          "/bin/sh",
          "-c",
          `i=0; while [ $i -lt ${batch} ]; do "$0" "$@" >/dev/null || exit $?; i=$((i+1)); done`,
          process.execPath,
          ...argv,
        ];
  const r = spawnSync(TIME, ["-o", out, "-f", "%U %S %e %M %x", ...command], {
    cwd: REPO,
    stdio: ["ignore", "ignore", "pipe"],
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const text = fs.readFileSync(out, "utf8").trim().split("\n").pop() ?? "";
  fs.rmSync(out, { force: true });
  const [user, sys, wall, rss, status] = text.split(" ").map(Number);
  if (![0, 1].includes(status)) {
    throw new Error(`${argv.join(" ")} exited ${status}: ${r.stderr.slice(0, 400)}`);
  }
  return { cpu: (user + sys) / batch, wall: wall / batch, rssKb: rss, status };
}

/** Best (lowest CPU) of `runs` runs of each command, alternated so load hits all alike. */
function best(commands: string[][], runs: number, batch = 1): Measure[] {
  const all: Measure[][] = commands.map(() => []);
  for (let i = 0; i < runs; i++) commands.forEach((c, j) => all[j].push(measure(c, batch)));
  return all.map((ms) => ms.reduce((a, b) => (b.cpu < a.cpu ? b : a)));
}

const parseScript = (file: string) => [
  "-e",
  `require(${JSON.stringify(require.resolve("js-yaml"))}).load(require("fs").readFileSync(${JSON.stringify(file)}, "utf8"))`,
];

/** Runs of each start command per sample (see measure). */
const START_BATCH = 10;

const fmt = (m: Measure) =>
  `cpu ${m.cpu.toFixed(m.cpu < 1 ? 3 : 2)} s (wall ${m.wall.toFixed(m.wall < 10 ? 2 : 1)} s), peak ${(m.rssKb / 1024).toFixed(0)} MB`;

const USAGE = `usage: node dist/bench/whole-process.js [--needs 1000,10000] [--only start,check,plan,synth] [--runs 3] [--phases]
  --needs N,…   manifest sizes for check, plan and synth (default 1000,10000)
  --only …      which measurements (default all four; plan and synth are minutes of CPU at 10,000+)
  --runs N      runs of each command, alternated; the lowest CPU time counts (default 3)
  --phases      also split one cold check per size into its phases (CPU and GC pauses each)
Prints CPU (user+sys) and peak RSS of each command as a whole process, beside its baseline
(node -e 0 for start; a bare js-yaml parse of the same file for the rest) and the ratio of CPU
times (of wall times too, for check, plan and synth).`;

const COMMAND: BenchCommand = {
  name: "whole-process.js",
  usage: USAGE,
  flags: { needs: { value: true }, only: { value: true }, runs: { value: true }, phases: {} },
};

function main(): void {
  const args = readBenchArgs(COMMAND, process.argv.slice(2));
  if (args.positionals.length)
    benchUsageError(COMMAND, `unexpected argument ${args.positionals[0]}`);
  if (!fs.existsSync(TIME)) {
    process.stderr.write(`${TIME} not found (Debian/Ubuntu: apt-get install time)\n`);
    process.exit(2);
  }
  const needsList = (args.get("needs") ?? "1000,10000").split(",").map(Number);
  const only = new Set((args.get("only") ?? "start,check,plan,synth").split(","));
  const runs = Number(args.get("runs") ?? "3");
  if (needsList.some((n) => !Number.isSafeInteger(n) || n <= 0)) {
    benchUsageError(COMMAND, "--needs takes positive whole numbers, e.g. 1000,10000");
  }
  const unknown = [...only].find((m) => !["start", "check", "plan", "synth"].includes(m));
  if (unknown !== undefined) benchUsageError(COMMAND, `--only: no measurement called ${unknown}`);
  if (!Number.isSafeInteger(runs) || runs < 1)
    benchUsageError(COMMAND, "--runs takes a positive integer");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tw-bench-"));
  const say = (s: string) => process.stdout.write(s + "\n");
  say(`node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)}`);
  // Without the build's prebuilt policy trees every start parses policies/*.rego: say so, since
  // that alone moves the start and check figures (`tsc` alone rebuilds the engine, not the trees).
  const distPolicies = path.join(REPO, "dist", "policies");
  if (!readArtefact(distPolicies, path.join(REPO, "dist", "rego"), builtinSources(REPO).modules)) {
    say(
      "note: dist/policies/policies.ast.json is missing or stale, so each run parses the policies; " +
        "run `node dist/policies/build-ast-artefact.js` (part of `npm run build`) first",
    );
  }
  try {
    if (only.has("start")) {
      const example = path.join(REPO, "examples", "access-needs.yaml");
      const [bare, help, check] = best(
        [
          ["-e", "0"],
          [BIN, "--help"],
          [BIN, "check", example, "--now", NOW],
        ],
        runs,
        START_BATCH,
      );
      say(`start (each the mean of ${START_BATCH} runs back to back, best of ${runs}):`);
      say(`       node -e 0                  ${fmt(bare)}`);
      say(`       tokenwarden --help         ${fmt(help)}  ×${(help.cpu / bare.cpu).toFixed(2)}`);
      say(`       check examples (small)     ${fmt(check)}  ×${(check.cpu / bare.cpu).toFixed(2)}`);
    }
    const perSize = ["check", "plan", "synth"].some((m) => only.has(m));
    for (const needs of perSize ? needsList : []) {
      const file = path.join(dir, `m${needs}.yaml`);
      fs.writeFileSync(file, generateManifest({ needs, seed: 1, violations: true }));
      const commands: [string, string[]][] = [["bare js-yaml parse", parseScript(file)]];
      if (only.has("check"))
        commands.push([
          "check --format json",
          [BIN, "check", file, "--format", "json", "--now", NOW],
        ]);
      if (only.has("plan"))
        commands.push([
          "plan --format json",
          [BIN, "plan", file, "--format", "json", "--now", NOW],
        ]);
      if (only.has("synth"))
        commands.push([
          "synth",
          [BIN, "synth", file, "--out", path.join(dir, `synth${needs}`), "--format", "json"],
        ]);
      const results = best(
        commands.map(([, c]) => c),
        commands.length > 2 && needs >= 10000 ? 1 : runs,
      );
      const base = results[0];
      say(`${needs} needs (${(fs.statSync(file).size / 1e6).toFixed(1)} MB of YAML):`);
      commands.forEach(([label], i) => {
        const m = results[i];
        const perNeed =
          i === 0
            ? ""
            : `  ${((m.cpu * 1000) / needs).toFixed(2)} ms and ${(m.rssKb / needs).toFixed(0)} KB peak per need, ×${(m.cpu / base.cpu).toFixed(2)} the parse's CPU (wall ×${(m.wall / base.wall).toFixed(2)})`;
        say(`  ${label.padEnd(22)} ${fmt(m)}${perNeed}`);
      });
      if (args.has("phases") && only.has("check")) {
        const r = spawnSync(
          process.execPath,
          [path.join(__dirname, "check.js"), "--phases", file],
          {
            cwd: REPO,
            encoding: "utf8",
          },
        );
        say(r.stdout.replace(/^[^\n]*\n/, "  phases of one cold check:\n").trimEnd());
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
