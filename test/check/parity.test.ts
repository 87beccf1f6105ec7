/**
 * Issue 5 part 4: `check` gives the same findings on a manifest, on `tokenwarden plan --format
 * json` of it, and on `tokenwarden synth` of it — once plan and synth carry the embedded
 * declaration (embeddedDeclaration). The test embeds it itself when the command output lacks it,
 * so the comparison always runs over the same information.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Command } from "../../cli/io";
import { run as plan } from "../../cli/commands/plan";
import { run as synth } from "../../cli/commands/synth";
import { loadManifest } from "../../model";
import { embeddedDeclaration } from "../../policies/input/declaration";
import { generateManifest } from "../../bench/gen-manifest";
import { captureIO } from "../support/capture-io";
import { NOW, REPO, fixture, tw } from "./helpers";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tw-parity-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function capture(cmd: Command, argv: string[]): Promise<string> {
  const { io, out } = captureIO(REPO);
  const code = await cmd(argv, io);
  // `plan` exits 1 when its policy results include a deny; only 2 (bad input) is a failure here.
  expect(code).toBeLessThan(2);
  return out();
}

type Row = { id: string; severity: string; need?: string; message: string };
async function findings(file: string): Promise<string[]> {
  const r = await tw(["check", file, "--now", NOW, "--format", "json"]);
  expect(r.code, r.err).toBeLessThan(2);
  const doc = JSON.parse(r.out) as { findings: Row[]; waived: Row[]; notes: string[] };
  expect(doc.notes).toEqual([]);
  const key = (f: Row, waived: boolean) =>
    `${waived ? "waived " : ""}${f.id} ${f.severity} ${f.need ?? "-"} ${f.message}`;
  return [...doc.findings.map((f) => key(f, false)), ...doc.waived.map((f) => key(f, true))].sort();
}

async function expectParity(manifestFile: string, name: string): Promise<string[]> {
  const declaration = embeddedDeclaration(loadManifest(path.resolve(REPO, manifestFile)));
  const fromManifest = await findings(manifestFile);

  const planDoc = JSON.parse(await capture(plan, [manifestFile, "--format", "json"]));
  planDoc.tokenwarden ??= declaration;
  const planFile = path.join(tmp, `${name}.plan.json`);
  fs.writeFileSync(planFile, JSON.stringify(planDoc, null, 2));

  const outDir = path.join(tmp, `${name}.synth`);
  await capture(synth, [manifestFile, "--out", outDir]);
  const tfFile = path.join(outDir, "cdk.tf.json");
  const tf = JSON.parse(fs.readFileSync(tfFile, "utf8"));
  tf.output ??= {};
  tf.output.tokenwarden_declaration ??= { value: declaration };
  fs.writeFileSync(tfFile, JSON.stringify(tf, null, 2));

  expect(await findings(planFile)).toEqual(fromManifest);
  expect(await findings(outDir)).toEqual(fromManifest);
  return fromManifest;
}

describe("check parity: manifest, Pulumi plan JSON, CDKTF synth output", () => {
  for (const name of ["violations.yaml", "clean.yaml"]) {
    it(`same findings for ${name}`, async () => {
      await expectParity(fixture(name), name);
    });
  }

  for (const seed of [1, 2, 3]) {
    it(`same findings for a generated manifest with violations (seed ${seed})`, async () => {
      const file = path.join(tmp, `generated-${seed}.yaml`);
      fs.writeFileSync(
        file,
        generateManifest({ needs: 24, seed, violations: true, violationRate: 0.5 }),
      );
      const found = await expectParity(file, `generated-${seed}`);
      expect(found.length).toBeGreaterThan(0);
    });
  }
});
