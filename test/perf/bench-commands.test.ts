/**
 * The README's benchmark commands, run as it shows them but at small sizes (the documented sizes
 * take minutes of CPU): each must finish, agree with its baseline where it checks one, and print
 * the ratio against the baseline it measured in the same run. Needs `npm run build` (npm test
 * runs it first); whole-process.js also needs /usr/bin/time (Debian: apt-get install time).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const REPO = path.resolve(__dirname, "../..");
const built = fs.existsSync(path.join(REPO, "dist/bench/whole-process.js"));
if (!built && process.env.CI === "true") throw new Error("dist/ missing: run npm run build first");
if (!built) console.warn("skipping the benchmark commands: dist/ is not built (npm run build)");
const hasTime = fs.existsSync("/usr/bin/time");
if (!hasTime) console.warn("skipping whole-process.js: /usr/bin/time is not installed");

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tw-bench-test-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function bench(script: string, ...args: string[]): string {
  const r = spawnSync(process.execPath, [path.join(REPO, "dist/bench", script), ...args], {
    cwd: REPO,
    encoding: "utf8",
    timeout: 120_000,
  });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return r.stdout;
}

const RATIO = /(\d+\.\d+)x/;

describe.skipIf(!built)("benchmark commands (README, small sizes)", () => {
  const manifest = path.join(dir, "m200.yaml");

  it("gen-manifest.js writes a manifest check reads", () => {
    fs.writeFileSync(manifest, bench("gen-manifest.js", "200"));
    expect(fs.readFileSync(manifest, "utf8")).toMatch(/^needs:/m);
  });

  it("rego-speed.js: engine and hand-written agree, with a ratio per size and the growth", () => {
    const out = bench("rego-speed.js", "100", "400");
    expect(out).toMatch(
      /^n=100\tdecisions=\d+\tengine=[\d.]+ms\thand-written=[\d.]+ms\tratio=[\d.]+x$/m,
    );
    expect(out).toMatch(/^n=400\t/m);
    expect(out).toMatch(/^growth 100→400 \(4x objects\): engine [\d.]+x, hand-written [\d.]+x$/m);
  });

  it("check.js: check beside a bare parse of the same file, and --phases", () => {
    const out = bench("check.js", manifest, "--runs", "1");
    expect(out).toMatch(/200 needs/);
    expect(out).toMatch(/ratio check\/parse = \d+\.\d+/);
    const phases = bench("check.js", "--phases", manifest);
    for (const phase of ["YAML parse with positions", "Rego evaluation", "total"])
      expect(phases).toContain(phase);
  });

  it("policy-eval.js: the policies in Rego agree with the TypeScript oracle", () => {
    const out = bench("policy-eval.js", "--needs", "100", "--runs", "1");
    const row = out.split("\n").find((l) => /^100\s/.test(l));
    expect(row).toBeDefined();
    expect(row).toMatch(RATIO);
    expect(row).toMatch(/\byes$/);
  });

  it.skipIf(!hasTime)(
    "whole-process.js: start and check as processes, beside their baselines",
    () => {
      const out = bench(
        "whole-process.js",
        "--needs",
        "100",
        "--only",
        "start,check",
        "--runs",
        "1",
      );
      expect(out).not.toMatch(/stale/);
      expect(out).toMatch(/tokenwarden --help .* ×\d+\.\d+/);
      expect(out).toMatch(/check examples \(small\) .* ×\d+\.\d+/);
      expect(out).toMatch(/check --format json .*×\d+\.\d+ the parse's CPU/);
    },
  );
});

describe.skipIf(!built)("benchmark scripts' command lines", () => {
  const scripts = [
    "audit-throughput.js",
    "check.js",
    "gen-audit-log.js",
    "gen-manifest.js",
    "lifecycle-scan.js",
    "policy-eval.js",
    "rego-speed.js",
    "whole-process.js",
  ];
  const runScript = (script: string, ...args: string[]) =>
    spawnSync(process.execPath, [path.join(REPO, "dist/bench", script), ...args], {
      cwd: REPO,
      encoding: "utf8",
      timeout: 60_000,
    });

  it.each(scripts)("%s --help prints its usage and exits 0", (script) => {
    const r = runScript(script, "--help");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^usage: node dist/bench/${script.replace(".", "\\.")}`));
    expect(r.stderr).toBe("");
  });

  it.each(scripts)("%s with an unknown flag names it, exits 2, no stack trace", (script) => {
    const r = runScript(script, "--no-such-flag");
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/usage: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    if (script !== "lifecycle-scan.js") expect(r.stderr).toContain("--no-such-flag");
  });

  it("gen-audit-log.js names a missing manifest and a bad --size", () => {
    const missing = runScript("gen-audit-log.js", "--out", dir, "--manifest", "/no/such.yaml");
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^gen-audit-log\.js: \/no\/such\.yaml: no such file/);
    const size = runScript("gen-audit-log.js", "--out", dir, "--size", "12Q");
    expect(size.status).toBe(2);
    expect(size.stderr).toMatch(/^gen-audit-log\.js: --size: expected e\.g\. 100M or 1G, got 12Q/);
  });
});
