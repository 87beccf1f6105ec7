/**
 * Differential test: the Rego rules on the project's engine and the hand-written TypeScript oracle
 * must report exactly the same findings — on generated manifests (with violations) normalised the
 * way `tokenwarden check` does it, and on random policy documents that reach what a manifest
 * cannot (hand-written policies, root/default/orphan tokens, unknowns, parse errors, plain values).
 */
import { describe, expect, it } from "vitest";
import { generateManifest } from "../../bench/gen-manifest";
import { parseManifestText } from "../../model";
import { manifestToInput } from "../../policies/input/manifest";
import { oracleFindings } from "../../policies/oracle";
import { randomInput } from "./random-input";
import { findingLines, regoFindings } from "./rego-findings";

const rego = regoFindings();
const NOWS = ["2026-11-30T12:00:00Z", "2027-03-15T08:30:00Z", "2031-06-01T00:00:00Z"];

describe("Rego rules vs TypeScript oracle", () => {
  it("agree on 200 generated manifests with violations", () => {
    let total = 0;
    const ids = new Set<string>();
    for (let seed = 1; seed <= 200; seed++) {
      const text = generateManifest({ needs: 5 + (seed % 40), seed, violations: true });
      const manifest = parseManifestText(text, `gen-${seed}.yaml`);
      const input = manifestToInput(manifest, { now: NOWS[seed % NOWS.length] });
      const expected = findingLines(oracleFindings(input));
      expect(findingLines(rego(input)), `seed ${seed}`).toEqual(expected);
      total += expected.length;
      for (const f of oracleFindings(input)) ids.add(f.id);
    }
    // The comparison means something only if the manifests tripped the rules.
    expect(total).toBeGreaterThan(500);
    expect([...ids].sort()).toEqual(
      expect.arrayContaining(["TW001", "TW002", "TW004", "TW005", "TW006", "TW007", "TW010"]),
    );
  });

  it("agree on 400 random policy documents", () => {
    const ids = new Set<string>();
    for (let seed = 1; seed <= 400; seed++) {
      const input = randomInput(seed);
      const expected = findingLines(oracleFindings(input));
      expect(findingLines(rego(input)), `seed ${seed}: ${JSON.stringify(input)}`).toEqual(expected);
      for (const f of oracleFindings(input)) ids.add(f.id);
    }
    // Every rule of the catalogue, TW001–TW028, fired somewhere among the 400.
    expect([...ids].sort()).toEqual(
      Array.from({ length: 28 }, (_, i) => `TW${String(i + 1).padStart(3, "0")}`),
    );
  });
});
