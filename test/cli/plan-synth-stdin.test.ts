/**
 * `plan -` and `synth -`: the manifest read from standard input gives what the same manifest
 * given as a file gives, and a broken one is reported against "<stdin>" with its line (exit 2,
 * nothing half-written), as `check -` and `validate -` do.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CliIO } from "../../cli/io";
import { run as plan } from "../../cli/commands/plan";
import { run as synth } from "../../cli/commands/synth";
import { captureIO } from "../support/capture-io";
import { runCommand } from "../support/run-cli";

const ROOT = path.resolve(__dirname, "../..");
const EXAMPLE = path.join(ROOT, "examples/access-needs.yaml");
const VIOLATIONS = path.join(ROOT, "examples/violations/access-needs.yaml");
const NOW = "2026-11-30T12:00:00Z";

/** A CI-like io whose standard input holds `stdin`. */
function withStdin(stdin: string) {
  const c = captureIO(ROOT);
  const io: CliIO = { ...c.io, readStdin: async () => stdin };
  return { io, out: c.out, err: c.err };
}

const BROKEN = "version: 1\nconsumers:\n  - name: a\n    owner: [not, text]\n";

let work: string;
beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "tw-stdin-test-"));
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

describe("plan -", () => {
  it("plans the manifest on standard input exactly as the same file (json)", async () => {
    const fromFile = withStdin("");
    const a = await plan([VIOLATIONS, "--format", "json", "--now", NOW], fromFile.io);
    const fromStdin = withStdin(fs.readFileSync(VIOLATIONS, "utf8"));
    const b = await plan(["-", "--format", "json", "--now", NOW], fromStdin.io);
    expect(b).toBe(a);
    expect(a).toBe(1); // the violations example has denies
    expect(fromStdin.out()).toBe(fromFile.out());
    expect(JSON.parse(fromStdin.out()).findings.length).toBeGreaterThan(0);
  });

  it("names standard input <stdin> in the text tree's finding lines", async () => {
    const c = withStdin(fs.readFileSync(VIOLATIONS, "utf8"));
    expect(await plan(["-", "--now", NOW], c.io)).toBe(1);
    expect(c.out()).toMatch(/✗ deny TW\d{3} .*\(<stdin>:\d+\)/);
    expect(c.out()).not.toContain(VIOLATIONS);
  });

  it("reports a broken manifest on standard input at <stdin>:line, exit 2, nothing on stdout", async () => {
    const c = withStdin(BROKEN);
    expect(await plan(["-", "--format", "json"], c.io)).toBe(2);
    expect(c.out()).toBe("");
    expect(c.err()).toMatch(/^<stdin>:4:\d+: consumers\[0\]\.owner: /m);
  });
});

describe("synth -", () => {
  it("writes the same cdk.tf.json from standard input as from the file", async () => {
    const a = path.join(work, "a");
    const b = path.join(work, "b");
    expect(await synth([EXAMPLE, "--out", a, "--format", "json"], withStdin("").io)).toBe(0);
    const c = withStdin(fs.readFileSync(EXAMPLE, "utf8"));
    expect(await synth(["-", "--out", b, "--format", "json"], c.io)).toBe(0);
    const read = (dir: string) => fs.readFileSync(path.join(dir, "cdk.tf.json"), "utf8");
    expect(read(b)).toBe(read(a));
    expect(JSON.parse(c.out()).file).toBe(path.join(b, "cdk.tf.json"));
  });

  it("refuses a broken manifest on standard input naming <stdin> and its line; writes nothing", async () => {
    const out = path.join(work, "tf");
    const c = withStdin(BROKEN);
    const code = await runCommand("synth", synth, ["-", "--out", out], c.io, "tokenwarden synth …");
    expect(code).toBe(2);
    expect(c.err()).toMatch(/<stdin>:4:\d+: consumers\[0\]\.owner: /);
    expect(fs.existsSync(out)).toBe(false);
  });
});
