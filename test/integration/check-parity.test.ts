/**
 * Issue 5 part 4: `tokenwarden check` gives the same findings on a manifest, on `tokenwarden plan
 * --format json` of it and on `tokenwarden synth` of it — with the declaration each command embeds
 * itself (nothing added by the test). Findings are compared by rule, severity, need and message;
 * `source` legitimately differs (need name, Pulumi URN, Terraform address), and lines are those
 * of each file. `plan`'s own findings are the same ones again, and its exit code is check's.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateManifest } from "../../bench/gen-manifest";
import { loadManifest } from "../../model";
import { embeddedDeclaration } from "../../policies/input/declaration";
import { EXAMPLE, NOW, REPO, VIOLATIONS, WAIVERS, tokenwarden } from "./helpers";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tw-integration-parity-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Row {
  id: string;
  severity: string;
  need?: string;
  message: string;
  source: string;
}
interface CheckJson {
  findings: Row[];
  waived: Row[];
  notes: string[];
  inputs: { kind: string }[];
}

const key = (f: Row, waived: boolean) =>
  `${waived ? "waived " : ""}${f.id} ${f.severity} ${f.need ?? "-"} ${f.message}`;
const keys = (doc: { findings: Row[]; waived: Row[] }) =>
  [...doc.findings.map((f) => key(f, false)), ...doc.waived.map((f) => key(f, true))].sort();

async function check(input: string): Promise<{ code: number; doc: CheckJson }> {
  const r = await tokenwarden(["check", input, "--now", NOW, "--format", "json"]);
  expect(r.code, r.err).toBeLessThan(2);
  return { code: r.code, doc: JSON.parse(r.out) as CheckJson };
}

interface Sides {
  manifest: CheckJson;
  plan: CheckJson;
  synth: CheckJson;
}

async function expectParity(manifestFile: string, name: string): Promise<Sides> {
  const fromManifest = await check(manifestFile);

  const planned = await tokenwarden(["plan", manifestFile, "--now", NOW, "--format", "json"]);
  // A preview fails on a deny exactly when the check does.
  expect(planned.code, planned.err).toBe(fromManifest.code);
  const planDoc = JSON.parse(planned.out) as {
    tokenwarden: unknown;
    findings: Row[];
    waived: Row[];
  };
  expect(planDoc.tokenwarden).toEqual(
    embeddedDeclaration(loadManifest(path.resolve(REPO, manifestFile))),
  );
  expect(keys(planDoc)).toEqual(keys(fromManifest.doc));
  const planFile = path.join(tmp, `${name}.plan.json`);
  fs.writeFileSync(planFile, planned.out);

  const outDir = path.join(tmp, `${name}.synth`);
  const synthesized = await tokenwarden(["synth", manifestFile, "--out", outDir]);
  expect(synthesized.code, synthesized.err).toBe(0);

  const fromPlan = await check(planFile);
  const fromSynth = await check(outDir);
  expect(fromPlan.doc.inputs.map((i) => i.kind)).toEqual(["pulumi-plan"]);
  expect(fromSynth.doc.inputs.map((i) => i.kind)).toEqual(["terraform-config"]);
  // Every source carries the declaration: no rule was skipped for want of one.
  for (const side of [fromManifest, fromPlan, fromSynth]) expect(side.doc.notes).toEqual([]);
  expect(keys(fromPlan.doc)).toEqual(keys(fromManifest.doc));
  expect(keys(fromSynth.doc)).toEqual(keys(fromManifest.doc));
  expect(fromPlan.code).toBe(fromManifest.code);
  expect(fromSynth.code).toBe(fromManifest.code);
  return { manifest: fromManifest.doc, plan: fromPlan.doc, synth: fromSynth.doc };
}

describe("check parity: manifest, plan JSON, synth output", () => {
  it("the clean example: no findings anywhere", async () => {
    const sides = await expectParity(EXAMPLE, "example");
    expect(keys(sides.manifest)).toEqual([]);
  });

  it("the violations example: every finding on all three, sources as each input names them", async () => {
    const sides = await expectParity(VIOLATIONS, "violations");
    const ids = new Set(sides.manifest.findings.map((f) => f.id));
    for (const id of ["TW001", "TW002", "TW004", "TW005", "TW006", "TW007", "TW010"]) {
      expect(ids).toContain(id);
    }
    // Grant-level findings point at the resource in each form: need name, URN, Terraform address.
    const tw001 = (doc: CheckJson) => doc.findings.find((f) => f.id === "TW001")?.source;
    expect(tw001(sides.manifest)).toBe("billing-everything");
    expect(tw001(sides.plan)).toMatch(
      /^urn:pulumi:.*vault:index\/policy:Policy::billing-everything-policy$/,
    );
    expect(tw001(sides.synth)).toMatch(/^vault_policy\./);
  });

  it("waivers: the active one waived and the lapsed one denied, on all three", async () => {
    const sides = await expectParity(WAIVERS, "waivers");
    expect(sides.manifest.waived.map((f) => `${f.id} ${f.need}`)).toEqual([
      "TW001 migration-reader",
    ]);
    expect(
      sides.manifest.findings.some(
        (f) => f.id === "TW001" && f.need === "archive-reader" && /expired/.test(f.message),
      ),
    ).toBe(true);
  });

  for (const [seed, needs] of [
    [1, 40],
    [2, 40],
    [3, 40],
    [4, 40],
    [5, 150],
  ]) {
    it(`a generated manifest with violations (seed ${seed}, ${needs} needs)`, async () => {
      const file = path.join(tmp, `generated-${seed}.yaml`);
      fs.writeFileSync(file, generateManifest({ needs, seed, violations: true }));
      const sides = await expectParity(file, `generated-${seed}`);
      expect(sides.manifest.findings.length).toBeGreaterThan(0);
    });
  }
});
