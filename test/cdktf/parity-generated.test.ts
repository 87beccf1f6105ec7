/**
 * Parity on randomly generated manifests (bench/gen-manifest.ts): for any seed and size, with or
 * without rule-tripping values, the Pulumi program and the synthesized Terraform JSON declare the
 * same Vault objects with the same settings.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { generateManifest } from "../../bench/gen-manifest";
import { collectResources } from "../../components/mock-run";
import { loadManifest, planGrants } from "../../model";
import { synthesizeToString } from "../../components/cdktf";
import { fromPulumi, fromTerraform } from "./vault-objects";

const NOW = new Date("2026-06-01T12:00:00Z");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tw-parity-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("parity on generated manifests", () => {
  it("Pulumi and Terraform declare the same Vault objects", async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.integer({ min: 1, max: 40 }),
        fc.boolean(),
        async (seed, needs, violations) => {
          const file = path.join(dir, `m-${seed}-${needs}-${violations}.yaml`);
          fs.writeFileSync(file, generateManifest({ needs, seed, violations }));
          const plan = planGrants(loadManifest(file));
          const terraform = await fromTerraform(synthesizeToString(plan));
          const pulumi = await fromPulumi(
            (await collectResources(file, { now: NOW })).resources,
            NOW,
          );
          expect(terraform).toEqual(pulumi);
          // Not vacuous: every need shows up as a policy on both sides.
          const policies = terraform.filter((o) => o.kind === "policy");
          expect(policies).toHaveLength(plan.consumers.reduce((n, c) => n + c.needs.length, 0));
          runs++;
        },
      ),
      { numRuns: 12, seed: 20261130 },
    );
    expect(runs).toBe(12);
  }, 240_000); // a dozen Pulumi mock runs; generous for a loaded CI machine

  it("holds for a larger manifest with rule-tripping values", async () => {
    const file = path.join(dir, "large.yaml");
    fs.writeFileSync(file, generateManifest({ needs: 150, seed: 7, violations: true }));
    const terraform = await fromTerraform(synthesizeToString(planGrants(loadManifest(file))));
    const pulumi = await fromPulumi((await collectResources(file, { now: NOW })).resources, NOW);
    expect(terraform).toEqual(pulumi);
    expect(terraform.filter((o) => o.kind === "policy")).toHaveLength(150);
  }, 240_000);
});
