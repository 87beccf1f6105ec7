/**
 * Rego engine speed against hand-written TypeScript computing the same decisions, in one process
 * (median CPU time after warming both on every size until they settle, samples alternating).
 *
 * The rule set is typical of deny policies: joins of two collections of N objects by key, plus
 * string built-ins. Reported: engine ms, hand-written ms, their ratio, for each N, and the growth
 * from the smallest to the largest N (linear growth means growth ≈ N ratio).
 *
 *   node dist/bench/rego-speed.js [1000 10000]
 */
import { compile } from "../rego";

export const BENCH_POLICY = `package bench
import rego.v1

# A grant whose policy is not declared anywhere.
deny contains msg if {
  some g in input.grants
  not policy_names[g.policy]
  msg := sprintf("grant %s: unknown policy %s", [g.name, g.policy])
}

policy_names contains p.name if some p in input.policies

# Join grants to policies by name; flag wildcard paths reached by read-only grants.
deny contains msg if {
  some g in input.grants
  g.access == "read"
  some p in input.policies
  p.name == g.policy
  some path in p.paths
  endswith(path, "*")
  msg := sprintf("grant %s: wildcard path %s", [g.name, path])
}

# Owners must be team addresses.
deny contains msg if {
  some g in input.grants
  not startswith(g.owner, "team-")
  msg := sprintf("grant %s: owner %s is not a team", [g.name, g.owner])
}

# A policy carrying "sudo" for a non-admin grant.
deny contains msg if {
  some g in input.grants
  g.access != "admin"
  some p in input.policies
  p.name == g.policy
  "sudo" in p.capabilities
  msg := sprintf("grant %s: sudo on %s", [g.name, upper(p.name)])
}
`;

export interface BenchInput {
  grants: { name: string; policy: string; access: string; owner: string }[];
  policies: { name: string; paths: string[]; capabilities: string[] }[];
}

export function makeInput(n: number): BenchInput {
  const grants: BenchInput["grants"] = [];
  const policies: BenchInput["policies"] = [];
  for (let i = 0; i < n; i++) {
    policies.push({
      name: `pol-${i}`,
      paths:
        i % 7 === 0
          ? [`secret/data/app-${i}/*`, `secret/data/app-${i}/cfg`]
          : [`secret/data/app-${i}/cfg`],
      capabilities: i % 11 === 0 ? ["read", "sudo"] : ["read", "list"],
    });
    grants.push({
      name: `grant-${i}`,
      // every 13th grant points at a policy that does not exist
      policy: i % 13 === 0 ? `missing-${i}` : `pol-${(i * 7919) % n}`,
      access: i % 3 === 0 ? "admin" : "read",
      owner: i % 17 === 0 ? `someone-${i}@example.com` : `team-${i % 50}@example.com`,
    });
  }
  return { grants, policies };
}

/** The same decisions, hand-written. */
export function handWritten(input: BenchInput): Set<string> {
  const out = new Set<string>();
  const byName = new Map<string, BenchInput["policies"][number]>();
  for (const p of input.policies) byName.set(p.name, p);
  for (const g of input.grants) {
    const p = byName.get(g.policy);
    if (!p) out.add(`grant ${g.name}: unknown policy ${g.policy}`);
    if (p && g.access === "read") {
      for (const path of p.paths)
        if (path.endsWith("*")) out.add(`grant ${g.name}: wildcard path ${path}`);
    }
    if (!g.owner.startsWith("team-")) out.add(`grant ${g.name}: owner ${g.owner} is not a team`);
    if (p && g.access !== "admin" && p.capabilities.includes("sudo")) {
      out.add(`grant ${g.name}: sudo on ${p.name.toUpperCase()}`);
    }
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median CPU milliseconds of `reps` runs (CPU time: the machine may be shared). */
function cpuMs(fn: () => void, reps: number): number {
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = process.cpuUsage();
    fn();
    const d = process.cpuUsage(t);
    ms.push((d.user + d.system) / 1000);
  }
  return median(ms);
}

export interface SpeedRow {
  n: number;
  engineMs: number;
  handMs: number;
  ratio: number;
  decisions: number;
}

export function runSpeed(sizes: number[], reps = 9): SpeedRow[] {
  const prepared = compile([{ file: "bench.rego", source: BENCH_POLICY }]).prepare(
    "data.bench.deny",
  );
  const inputs = sizes.map(makeInput);
  // Check agreement, then warm both implementations on every size before timing any of them, so
  // the first size is not timed against a cold JIT.
  inputs.forEach((input, i) => {
    const expected = handWritten(input);
    const got = prepared.eval({ input })[0]?.expressions[0]?.value as string[];
    if (got.length !== expected.size || got.some((m) => !expected.has(m))) {
      throw new Error(
        `engine and hand-written disagree at n=${sizes[i]}: ${got.length} vs ${expected.size}`,
      );
    }
  });
  // Warm both on every size until they settle: the engine's closures reach V8's optimising tier
  // only after several evaluations (its compiler threads count in CPU time), and the young heap
  // grows to fit the largest size's garbage some evaluations after that. Ten rounds were not
  // enough: right after a 10k warm-up, 1k evaluations ran at twice their settled time for about
  // 120 of them.
  for (const input of inputs) {
    const started = process.cpuUsage();
    for (let w = 0; w < 10 || cpuSince(started) < WARM_MS; w++) {
      prepared.eval({ input });
      handWritten(input);
    }
  }
  return inputs.map((input, i) => {
    // Both sides are timed the same way: each sample repeats the computation enough times to take
    // ~10 ms, so that neither timer resolution nor where a garbage collection lands decides a
    // sample (a single 1k engine evaluation is under a millisecond; the hand-written side always
    // needed repeating). Engine and hand-written samples alternate, so whatever the process or
    // the machine does meanwhile falls on both alike.
    const engine = (): unknown => prepared.eval({ input });
    const hand = (): unknown => handWritten(input);
    const engineInner = repeatsFor(engine);
    const handInner = repeatsFor(hand);
    const engineSamples: number[] = [];
    const handSamples: number[] = [];
    for (let r = 0; r < reps; r++) {
      engineSamples.push(cpuMs(() => repeat(engine, engineInner), 1) / engineInner);
      handSamples.push(cpuMs(() => repeat(hand, handInner), 1) / handInner);
    }
    const engineMs = median(engineSamples);
    const handMs = median(handSamples);
    return {
      n: sizes[i],
      engineMs,
      handMs,
      ratio: engineMs / handMs,
      decisions: handWritten(input).size,
    };
  });
}

/** CPU time spent warming each size, at the least (ms). */
const WARM_MS = 500;

function cpuSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

function repeat(fn: () => unknown, times: number): void {
  for (let k = 0; k < times; k++) fn();
}

/** Repetitions of `fn` that take ~10 ms of CPU time (at least 1, at most 1000). */
function repeatsFor(fn: () => unknown): number {
  const one = cpuMs(() => repeat(fn, 3), 3) / 3;
  return Math.min(1000, Math.max(1, Math.ceil(10 / Math.max(one, 0.001))));
}

const USAGE = "usage: node dist/bench/rego-speed.js [<objects> …]   (default 1000 10000)\n";

if (require.main === module) {
  const argv = process.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const sizes = argv.map(Number);
  const bad = argv.find((a, i) => !Number.isSafeInteger(sizes[i]) || sizes[i] <= 0);
  if (bad !== undefined) {
    process.stderr.write(
      `rego-speed.js: ${bad} is not a positive whole number of objects\n${USAGE}`,
    );
    process.exit(2);
  }
  const rows = runSpeed(sizes.length ? sizes : [1000, 10000]);
  for (const r of rows) {
    console.log(
      `n=${r.n}\tdecisions=${r.decisions}\tengine=${r.engineMs.toFixed(1)}ms\thand-written=${r.handMs.toFixed(2)}ms\tratio=${r.ratio.toFixed(2)}x`,
    );
  }
  if (rows.length > 1) {
    const a = rows[0];
    const b = rows[rows.length - 1];
    console.log(
      `growth ${a.n}→${b.n} (${(b.n / a.n).toFixed(0)}x objects): engine ${(b.engineMs / a.engineMs).toFixed(1)}x, hand-written ${(b.handMs / a.handMs).toFixed(1)}x`,
    );
  }
}
