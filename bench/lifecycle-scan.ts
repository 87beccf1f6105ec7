/**
 * The measuring half of the lifecycle-scan benchmark: one run of `tokenwarden inventory` or
 * `drift` — or of a bare loop issuing the same requests with the same concurrency — in its own
 * process, so its wall time and peak memory (max RSS) are its own and not the Vault double's.
 *
 *   node dist/bench/lifecycle-scan.js cli <tokenwarden args…>        (VAULT_ADDR/VAULT_TOKEN set)
 *   node dist/bench/lifecycle-scan.js bare <requests.json> <concurrency>
 *
 * prints one JSON line: {"ms", "cpuMs", "maxRssMb", "exit", "outBytes"} — cpuMs is this process's
 * own user+system CPU time, which the load of a shared machine disturbs far less than wall time. requests.json is
 * [{"method","path","body"?}], issued with plain fetch (no retries, no model), each answer's JSON
 * parsed — the floor any client could reach. The driver that seeds the Vault double with 1,000 →
 * 10,000 tokens, records each command's requests and prints the table is
 * test/ops/lifecycle/lifecycle-scan.bench.ts (it needs the double, which lives under test/):
 *
 *   npx tsc -p tsconfig.build.json && npx vitest bench --run test/ops/lifecycle/lifecycle-scan.bench.ts
 */
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { main } from "../cli/main";
import type { CliIO } from "../cli/io";
import { mapConcurrent } from "../vault";

interface Req {
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
}

async function bare(file: string, concurrency: number): Promise<number> {
  const reqs = JSON.parse(readFileSync(file, "utf8")) as Req[];
  const address = process.env.VAULT_ADDR ?? "";
  const token = process.env.VAULT_TOKEN ?? "";
  let failures = 0;
  await mapConcurrent(reqs, concurrency, async (r) => {
    const res = await fetch(`${address}/v1/${r.path}`, {
      method: r.method,
      headers: {
        "x-vault-token": token,
        ...(r.body ? { "content-type": "application/json" } : {}),
      },
      body: r.body === undefined ? undefined : JSON.stringify(r.body),
    });
    const text = await res.text();
    if (text) JSON.parse(text);
    if (res.status >= 400 && res.status !== 404) failures++;
  });
  return failures === 0 ? 0 : 2;
}

async function cli(argv: string[]): Promise<{ exit: number; outBytes: number }> {
  let outBytes = 0;
  const io: CliIO = {
    out: (t) => void (outBytes += Buffer.byteLength(t)),
    err: (t) => void process.stderr.write(t),
    interactive: false,
    env: process.env,
    cwd: process.cwd(),
    readStdin: async () => "",
  };
  return { exit: await main(argv, io), outBytes };
}

async function run(): Promise<void> {
  const [mode, ...rest] = process.argv.slice(2);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let exit: number;
  let outBytes = 0;
  if (mode === "bare") {
    exit = await bare(rest[0], Number(rest[1] ?? 16));
  } else if (mode === "cli") {
    ({ exit, outBytes } = await cli(rest));
  } else {
    const usage =
      "usage: node dist/bench/lifecycle-scan.js cli <args…> | bare <requests.json> <concurrency>\n";
    const help = mode === "--help" || mode === "-h";
    (help ? process.stdout : process.stderr).write(usage);
    process.exitCode = help ? 0 : 2;
    return;
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(
    JSON.stringify({
      ms: Math.round(ms),
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      maxRssMb: Math.round(maxRssMb),
      exit,
      outBytes,
    }) + "\n",
  );
}

if (require.main === module) void run();
