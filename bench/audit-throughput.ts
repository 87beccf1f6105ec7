/**
 * Throughput and peak memory of `tokenwarden audit` on one audit log, against the same
 * per-accessor count done by jq and by a bare JSON.parse line loop in Node:
 *
 *   node dist/bench/gen-audit-log.js --manifest examples/access-needs.yaml --out /tmp/twa-1g --size 1G
 *   node dist/bench/audit-throughput.js /tmp/twa-1g/file/audit.log [--manifest examples/access-needs.yaml] [--runs 3]
 *
 * Each contender runs as its own process (so its peak RSS is its own), `--runs` times; the
 * median is reported. On a shared machine wall time is noisy, so CPU time (user + sys, from
 * GNU time) is reported too and the ratios use it. Every contender reads the whole file.
 *
 *   jq:   jq -r 'select(.type=="response") | .auth.accessor' <log> | sort | uniq -c
 *   bare: readline over fs.createReadStream, JSON.parse every line, count responses per accessor
 *   tokenwarden: tokenwarden audit <log> --manifest … --format json --no-vault (the full review)
 */
import { spawnSync } from "node:child_process";
import { createReadStream, existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { benchUsageError, readBenchArgs, type BenchCommand } from "./args";

interface Sample {
  readonly wall: number;
  readonly cpu: number;
  readonly rssMb: number;
}

const TIME = "/usr/bin/time";

function measure(cmd: string, args: string[]): Sample {
  const useTime = existsSync(TIME);
  const t0 = process.hrtime.bigint();
  const r = useTime
    ? spawnSync(TIME, ["-f", "@@ %e %U %S %M", cmd, ...args], {
        stdio: ["ignore", "ignore", "pipe"],
        maxBuffer: 1 << 26,
      })
    : spawnSync(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const err = r.stderr?.toString() ?? "";
  const m = /@@ ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(err);
  if (r.status !== 0 && r.status !== 1)
    throw new Error(`${cmd} failed (${r.status}): ${err.slice(-500)}`);
  if (!m) return { wall, cpu: NaN, rssMb: NaN };
  return { wall: Number(m[1]), cpu: Number(m[2]) + Number(m[3]), rssMb: Number(m[4]) / 1024 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** The bare loop, run in a child: `node audit-throughput.js --bare <log>`. */
async function bare(file: string): Promise<void> {
  const counts = new Map<string, number>();
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of rl) {
    try {
      const v = JSON.parse(line) as { type?: string; auth?: { accessor?: string } };
      if (v.type === "response") {
        const a = String(v.auth?.accessor);
        counts.set(a, (counts.get(a) ?? 0) + 1);
      }
    } catch {
      // a malformed line: skipped, as jq would fail on it
    }
  }
  process.stdout.write(`${counts.size}\n`);
}

const COMMAND: BenchCommand = {
  name: "audit-throughput.js",
  usage: "usage: node dist/bench/audit-throughput.js <audit.log> [--manifest m.yaml] [--runs N]",
  flags: { manifest: { value: true }, runs: { value: true } },
};

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === "--bare") return bare(argv[1]);
  const args = readBenchArgs(COMMAND, argv);
  if (args.positionals.length !== 1) {
    benchUsageError(COMMAND, args.positionals.length ? "give one audit log" : "no audit log given");
  }
  const file = args.positionals[0];
  if (!existsSync(file)) benchUsageError(COMMAND, `${file}: no such file`);
  const manifest = args.get("manifest", "examples/access-needs.yaml") as string;
  const runs = Number(args.get("runs", "3"));
  if (!Number.isSafeInteger(runs) || runs < 1)
    benchUsageError(COMMAND, "--runs takes a positive integer");
  const bytes = statSync(file).size;
  const mb = bytes / (1 << 20);
  const root = resolve(__dirname, "../..");
  const contenders: [string, string, string[]][] = [
    [
      "jq | sort | uniq -c",
      "bash",
      [
        "-c",
        `jq -r 'select(.type=="response") | .auth.accessor' "$0" | sort | uniq -c >/dev/null`,
        file,
      ],
    ],
    ["bare JSON.parse loop", process.execPath, [__filename, "--bare", file]],
    [
      "tokenwarden audit",
      process.execPath,
      [
        resolve(root, "bin/tokenwarden.js"),
        "audit",
        file,
        "--manifest",
        manifest,
        "--format",
        "json",
        "--no-vault",
        "--now",
        "2026-12-01T00:00:00Z",
      ],
    ],
  ];
  process.stdout.write(`${file}: ${mb.toFixed(0)} MB, ${runs} run(s) each, medians\n`);
  const results = new Map<string, Sample>();
  for (const [name, cmd, args] of contenders) {
    const samples: Sample[] = [];
    for (let i = 0; i < runs; i++) samples.push(measure(cmd, args));
    const s = {
      wall: median(samples.map((x) => x.wall)),
      cpu: median(samples.map((x) => x.cpu)),
      rssMb: Math.max(...samples.map((x) => x.rssMb)),
    };
    results.set(name, s);
    process.stdout.write(
      `  ${name.padEnd(22)} wall ${s.wall.toFixed(2)} s (${(mb / s.wall).toFixed(0)} MB/s)  cpu ${s.cpu.toFixed(2)} s (${(mb / s.cpu).toFixed(0)} MB/s)  peak RSS ${s.rssMb.toFixed(0)} MB\n`,
    );
  }
  const tw = results.get("tokenwarden audit") as Sample;
  const jq = results.get("jq | sort | uniq -c") as Sample;
  const b = results.get("bare JSON.parse loop") as Sample;
  process.stdout.write(
    `ratios (cpu): tokenwarden/jq ${(tw.cpu / jq.cpu).toFixed(2)}  tokenwarden/bare ${(tw.cpu / b.cpu).toFixed(2)}` +
      `   (wall): tokenwarden/jq ${(tw.wall / jq.wall).toFixed(2)}  tokenwarden/bare ${(tw.wall / b.wall).toFixed(2)}\n` +
      `goal: tokenwarden/jq <= 1 — ${tw.cpu <= jq.cpu ? "met" : "NOT met"}\n`,
  );
}

void main();
