/**
 * `plan` at scale: the mock run renders consumers a slice at a time so memory stays flat per need,
 * the result is the very listing a whole run produces, a manifest too large for the heap is
 * refused up front (exit 2, one line) instead of V8 aborting, and output piped to another program
 * arrives whole. Child processes run the built CLI (dist/, `npx tsc -p tsconfig.build.json`).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateManifest } from "../../bench/gen-manifest";
import { collectResources, collectResourcesInSlices } from "../../components/mock-run";
import { assertHeapFits } from "../../cli/commands/plan";
import { InputError } from "../../errors";

const REPO = path.resolve(__dirname, "../..");
const BIN = path.join(REPO, "bin", "tokenwarden.js");
const NOW = "2026-11-30T12:00:00Z";
let tmp: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tw-plan-scale-"));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function manifestFile(needs: number, seed: number): string {
  const file = path.join(tmp, `m${needs}-${seed}.yaml`);
  fs.writeFileSync(file, generateManifest({ needs, seed, violations: true }));
  return file;
}

function node(args: string[]) {
  return spawnSync(process.execPath, args, { cwd: REPO, encoding: "utf8", timeout: 240_000 });
}

describe("the mock run in slices", () => {
  it("registers exactly the resources of a whole run, in the same order", async () => {
    const file = manifestFile(120, 5);
    const now = new Date(NOW);
    const whole = await collectResources(file, { now });
    // Slices of ~7 needs: many slice boundaries, some inside a consumer's run of needs.
    const sliced = await collectResourcesInSlices(file, { now, sliceNeeds: 7 });
    expect(sliced.resources.length).toBeGreaterThan(300);
    expect(sliced.resources).toEqual(whole.resources);
  });

  it("plans 1,000 needs inside a 160 MB heap (all consumers at once needs over 200 MB)", () => {
    const file = manifestFile(1000, 6);
    const script = [
      `require(${JSON.stringify(path.join(REPO, "dist/components/mock-run.js"))})`,
      `.collectResourcesInSlices(${JSON.stringify(file)}, { now: new Date(${JSON.stringify(NOW)}) })`,
      `.then((r) => console.log(r.resources.length))`,
    ].join("");
    const r = node(["--max-old-space-size=160", "-e", script]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(Number(r.stdout.trim())).toBeGreaterThan(3000);
  });
});

describe("a manifest too large for the heap", () => {
  it("is refused before any work: exit 2, one line naming the file, nothing on stdout", () => {
    const file = manifestFile(1000, 7);
    const r = node(["--max-old-space-size=64", BIN, "plan", file, "--now", NOW]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      new RegExp(
        `^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: 1000 needs take about \\d+ MB to plan, more than this Node\\.js heap allows \\(\\d+ MB\\); split the manifest, or raise the limit with NODE_OPTIONS=--max-old-space-size=\\d+\\n$`,
      ),
    );
  });

  it("20,000 needs fit Node's default heap on a 64-bit machine (4 GB and up)", () => {
    expect(() => assertHeapFits("m.yaml", 20_000, 4 * 2 ** 30)).not.toThrow();
    expect(() => assertHeapFits("m.yaml", 200_000, 4 * 2 ** 30)).toThrow(InputError);
  });
});

describe("output through a pipe", () => {
  it("arrives whole: a plan far over the 64 KB a pipe buffers parses as JSON", () => {
    const file = manifestFile(150, 8);
    const r = node([BIN, "plan", file, "--format", "json", "--now", NOW]);
    expect(r.stdout.length).toBeGreaterThan(256 * 1024);
    const doc = JSON.parse(r.stdout) as { resources: unknown[]; findings: unknown[] };
    expect(doc.resources.length).toBeGreaterThan(400);
    expect(r.status).toBe(doc.findings.length > 0 ? 1 : 0);
  });
});
