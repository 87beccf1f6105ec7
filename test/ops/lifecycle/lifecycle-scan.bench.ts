/**
 * Lifecycle scan benchmark driver (the measuring child is bench/lifecycle-scan.ts):
 *
 *   npx tsc -p tsconfig.build.json
 *   npx vitest bench --run test/ops/lifecycle/lifecycle-scan.bench.ts
 *   (TW_BENCH_SIZES=1000,10000 TW_BENCH_CONCURRENCY=16 to choose)
 *
 * For each size it seeds a fresh Vault double with N tokens and N/5 needs (all token-auth
 * consumers, 1 in 5 needs third-party, so every need has a policy and a token, a fifth a KV
 * entry; of the other tokens a quarter are shadows carrying tw- policies, the rest operators'
 * tokens), then runs `inventory --manifest` and `drift` each in a child process, counts the HTTP
 * requests the double answered, and replays exactly those requests from a bare fetch loop with
 * the same concurrency (also in a child). Printed: wall ms, requests, max RSS of the child, and
 * the ratio to the bare loop. The double runs in this process, shared by both sides alike.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { bench, describe } from "vitest";
import { parseManifestText } from "../../../model";
import { declare } from "../../../ops/lifecycle/declared";
import { mapConcurrent } from "../../../vault";
import { startVaultDouble } from "../../vault-double";
import { applyPlan, createToken, rootClient } from "./seed";

const SIZES = (process.env.TW_BENCH_SIZES ?? "1000,2500,5000,10000").split(",").map(Number);
const CONCURRENCY = Number(process.env.TW_BENCH_CONCURRENCY ?? 16);
/** Runs of each side, alternated (cmd, bare, cmd, bare…); the fastest of each is reported. */
const REPS = Number(process.env.TW_BENCH_REPS ?? 2);
const CHILD = resolve("dist/bench/lifecycle-scan.js");
const NOW = "2026-12-01T12:00:00Z";

function manifestFor(needs: number): string {
  const lines = [
    "version: 1",
    "defaults: { ttl: 1h, maxTtl: 8h, rotation: 30d }",
    "vault: { kvMount: tokens }",
    "consumers:",
  ];
  const consumers = Math.max(1, Math.ceil(needs / 10));
  for (let c = 0; c < consumers; c++)
    lines.push(`  - { name: svc-${c}, owner: team-${c % 50}@example.com, auth: token }`);
  lines.push(
    "providers:",
    "  - { name: vault, kind: vault-token }",
    "  - { name: stripe, kind: static, scopes: [charges:read] }",
    "needs:",
  );
  for (let i = 0; i < needs; i++) {
    const third = i % 5 === 4;
    lines.push(
      `  - name: need-${i}`,
      `    consumer: svc-${i % consumers}`,
      `    provider: ${third ? "stripe" : "vault"}`,
      third
        ? "    scopes: [charges:read]"
        : `    paths: [{ path: secret/data/app-${i}/config, capabilities: [read] }]`,
      "    access: read",
      `    owner: team-${i % 50}@example.com`,
      "    justification: benchmark",
      "    expires: 2027-06-30",
    );
  }
  return lines.join("\n") + "\n";
}

interface Figures {
  ms: number;
  cpuMs: number;
  maxRssMb: number;
  exit: number;
  outBytes: number;
}

/** Runs the measuring child asynchronously: the double in this process must keep answering. */
function child(args: string[], env: Record<string, string>): Promise<Figures> {
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      [CHILD, ...args],
      { env: { ...process.env, ...env, CI: "true" }, maxBuffer: 1 << 26 },
      (err, stdout, stderr) => {
        if (err && !stdout) return fail(new Error(`${err.message}\n${stderr}`));
        done(JSON.parse(stdout.trim().split("\n").pop()!) as Figures);
      },
    );
  });
}

const rows: string[] = [];

function best(a: Figures | undefined, b: Figures): Figures {
  if (!a) return b;
  return {
    ...b,
    ms: Math.min(a.ms, b.ms),
    cpuMs: Math.min(a.cpuMs, b.cpuMs),
    maxRssMb: Math.max(a.maxRssMb, b.maxRssMb),
  };
}

describe("lifecycle scan", () => {
  for (const tokens of SIZES) {
    bench(
      `inventory + drift, ${tokens} tokens / ${tokens / 5} needs`,
      async () => {
        const needs = tokens / 5;
        const vault = await startVaultDouble({ startMs: Date.parse(NOW) });
        try {
          const dir = mkdtempSync(join(tmpdir(), "tw-bench-"));
          const file = join(dir, "m.yaml");
          const text = manifestFor(needs);
          writeFileSync(file, text);
          const root = rootClient(vault.address, vault.rootToken);
          const d = declare(parseManifestText(text, file));
          await applyPlan(root, d, { nextRotation: "2026-12-20T00:00:00Z" });
          const others = tokens - needs;
          await mapConcurrent(
            Array.from({ length: others }, (_, i) => i),
            16,
            (i) =>
              createToken(root, "auth/token/create", {
                policies: i % 4 === 0 ? [`tw-need-${i % needs}`] : ["default"],
                display_name: `op-${i}`,
                ttl: "24h",
              }),
          );
          const env = { VAULT_ADDR: vault.address, VAULT_TOKEN: vault.rootToken };
          for (const cmd of [
            ["inventory", "--manifest", file, "--format", "json"],
            ["drift", file, "--format", "json"],
          ]) {
            let run: Figures | undefined;
            let bare: Figures | undefined;
            let recorded: typeof vault.requests = [];
            let reqFile = "";
            for (let rep = 0; rep < REPS; rep++) {
              const before = vault.requests.length;
              const r = await child(
                ["cli", ...cmd, "--concurrency", String(CONCURRENCY), "--now", NOW],
                env,
              );
              if (rep === 0) {
                recorded = vault.requests.slice(before);
                // The same requests for the bare loop: each lookup gets an accessor from the list.
                const accessors = await root.list("auth/token/accessors");
                let next = 0;
                const reqs = recorded.map((x) =>
                  x.method === "LIST"
                    ? { method: "GET", path: `${x.path.replace(/\/$/, "")}/?list=true` }
                    : x.path === "auth/token/lookup-accessor"
                      ? {
                          method: "POST",
                          path: x.path,
                          body: { accessor: accessors[next++ % accessors.length] },
                        }
                      : { method: x.method, path: x.path },
                );
                reqFile = join(dir, `${cmd[0]}-requests.json`);
                writeFileSync(reqFile, JSON.stringify(reqs));
              }
              const b = await child(["bare", reqFile, String(CONCURRENCY)], env);
              run = best(run, r);
              bare = best(bare, b);
            }
            if (!run || !bare) throw new Error("no runs");
            const row = [
              cmd[0].padEnd(9),
              String(tokens).padStart(6),
              String(needs).padStart(5),
              String(recorded.length).padStart(8),
              `${run.ms}`.padStart(8),
              `${bare.ms}`.padStart(8),
              (run.ms / bare.ms).toFixed(2).padStart(6),
              `${run.cpuMs}`.padStart(7),
              `${bare.cpuMs}`.padStart(8),
              (run.cpuMs / bare.cpuMs).toFixed(2).padStart(6),
              `${run.maxRssMb}`.padStart(7),
              `${bare.maxRssMb}`.padStart(7),
              `${(run.outBytes / 1024).toFixed(0)}`.padStart(7),
              String(run.exit).padStart(4),
            ].join(" ");
            rows.push(row);
            console.log(row); // as each run ends: a 10,000-token size takes minutes
          }
        } finally {
          await vault.close();
        }
      },
      { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
    );
  }
  bench(
    "print table",
    () => {
      console.log(
        [
          `concurrency ${CONCURRENCY}; best of ${REPS} alternated runs; ms = wall time of the child's work, cpu = its own CPU ms; rss = its max RSS (MB)`,
          "command   tokens needs requests  cmd ms  bare ms  ratio cmd cpu bare cpu  ratio cmd rss bare rss out KB exit",
          ...rows,
        ].join("\n"),
      );
    },
    { iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 },
  );
});
