/**
 * `check` places a finding on its need through the table of need names the loader built while it
 * made sure each name is used once (model/need-index.ts). That table must be the needs' own: each
 * name → the index of that need in the list loaded.
 */
import { describe, expect, it } from "vitest";
import { needIndexOf, parseManifestText, type Manifest } from "../../model";
import { generateManifest } from "../../bench/gen-manifest";
import { BASE } from "./helpers";

function expectOwnIndex(m: Manifest): void {
  const index = needIndexOf(m.needs);
  expect(index.size).toBe(m.needs.length);
  m.needs.forEach((n, i) => expect(index.get(n.name)).toBe(i));
}

describe("the need index", () => {
  it("maps each loaded need's name to its index", () => {
    const m = parseManifestText(BASE, "m.yaml");
    expect(m.needs.length).toBeGreaterThan(0);
    expectOwnIndex(m);
  });

  it("holds for a large generated manifest, whose needs are not in name order", () => {
    const m = parseManifestText(generateManifest({ needs: 300, seed: 5 }), "g.yaml");
    expectOwnIndex(m);
  });

  it("is built for a needs list the loader never saw (the last of a repeated name wins)", () => {
    const m = parseManifestText(BASE, "m.yaml");
    const reordered = [...m.needs].reverse();
    expectOwnIndex({ ...m, needs: reordered });
    const twice = [m.needs[0], m.needs[0]];
    expect(needIndexOf(twice).get(m.needs[0].name)).toBe(1);
  });
});
