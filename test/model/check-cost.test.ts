/**
 * What the cheaper paths of `check` (issue 13) must keep exactly: duplicate names reported at the
 * first declaration however many repeat, positions in long and short sequences and at quoted keys,
 * and the policy input of a manifest equal to the declaration normaliser's view of the same needs.
 */
import { describe, expect, it } from "vitest";
import {
  forEachConsumerPlan,
  forEachConsumerRules,
  parseManifestText,
  planGrants,
} from "../../model";
import { manifestToInput } from "../../policies/input/manifest";
import { needToInput } from "../../policies/input/declaration";
import { generateManifest } from "../../bench/gen-manifest";
import { BASE, issuesOf } from "./helpers";

const NEED = BASE.slice(BASE.indexOf("  - name: app-config"));
const renamed = (name: string) => NEED.replace("name: app-config", `name: ${name}`);

describe("duplicate names", () => {
  it("each repeat names the first declaration, also for names first declared after a repeat", () => {
    const text =
      BASE + renamed("b") + NEED + renamed("c") + renamed("b") + renamed("c") + renamed("b");
    const dups = issuesOf(text).filter((i) => i.includes("duplicate name"));
    expect(dups.map((i) => i.replace(/^m\.yaml:\d+:\d+: /, ""))).toEqual([
      'needs[2].name: duplicate name "app-config" (already used by needs[0])',
      'needs[4].name: duplicate name "b" (already used by needs[1])',
      'needs[5].name: duplicate name "c" (already used by needs[3])',
      'needs[6].name: duplicate name "b" (already used by needs[1])',
    ]);
  });
});

describe("positions", () => {
  const text = generateManifest({ needs: 60, seed: 3 });
  const m = parseManifestText(text, "gen.yaml");
  const lines = text.split("\n");

  it("finds every need of a long sequence and nothing past its end", () => {
    for (let i = 0; i < m.needs.length; i++) {
      const pos = m.source.locate(["needs", i, "name"]);
      expect(pos, `needs[${i}]`).toBeDefined();
      expect(lines[(pos?.line ?? 0) - 1].slice((pos?.column ?? 1) - 1)).toBe(
        `name: ${m.needs[i].name}`,
      );
    }
    expect(m.source.locate(["needs", m.needs.length])).toBeUndefined();
    expect(m.source.locate(["needs", -1])).toBeUndefined();
    expect(m.source.locate(["needs", 1.5])).toBeUndefined();
    expect(m.source.locate(["needs", "0"])).toBeUndefined();
  });

  it("finds items of short sequences, and not one past them", () => {
    const text2 = BASE.replace(
      "      - path: secret/data/app/config\n        capabilities: [read]",
      "      - path: secret/data/app/a\n        capabilities: [read]\n      - path: secret/data/app/b\n        capabilities: [read, list]",
    );
    const m2 = parseManifestText(text2, "m.yaml");
    const pos = m2.source.locate(["needs", 0, "paths", 1, "capabilities", 1]);
    expect(pos).toEqual({ line: 20, column: 30 });
    expect(text2.split("\n")[19].slice(29)).toBe("list]");
    expect(m2.source.locate(["needs", 0, "paths", 2])).toBeUndefined();
  });

  it("finds quoted keys at their quote, and a key repeating an earlier segment where it is", () => {
    const text3 = [
      "version: 1",
      "consumers:",
      "  - name: ci",
      "    'auth': jwt",
      "    jwt:",
      "      boundAudiences: [vault]",
      '      boundClaims: { repository: org/repo, "consumers": x }',
      "providers:",
      "  - { name: vault, kind: vault-token }",
      "needs:",
      "  - { name: n, consumer: ci, provider: vault, access: read, paths: [{ path: a/b }] }",
      "",
    ].join("\n");
    const m3 = parseManifestText(text3, "m.yaml");
    expect(m3.source.locate(["consumers", 0, "auth"])).toEqual({ line: 4, column: 5 });
    expect(m3.source.locate(["consumers", 0, "jwt", "boundClaims", "consumers"])).toEqual({
      line: 7,
      column: 44,
    });
    expect(m3.source.locate(["consumers"])).toEqual({ line: 2, column: 1 });
  });
});

describe("policy input of a manifest", () => {
  it("shows each need as the declaration normaliser does, with the plan's policy name", () => {
    const m = parseManifestText(generateManifest({ needs: 200, seed: 5, violations: true }), "g");
    const input = manifestToInput(m, { now: "2026-11-30T12:00:00Z" });
    const plan = planGrants(m);
    const policyOf = new Map(plan.consumers.flatMap((c) => c.needs.map((n) => [n.need, n.policy])));
    expect(input.needs).toEqual(
      m.needs.map((n) => needToInput(n, policyOf.get(n.name)?.name ?? "")),
    );
    expect(JSON.stringify(input.needs)).toBe(
      JSON.stringify(m.needs.map((n) => needToInput(n, policyOf.get(n.name)?.name ?? ""))),
    );
  });

  it("plans the same rules with and without the policies' HCL", () => {
    const m = parseManifestText(generateManifest({ needs: 120, seed: 7, violations: true }), "g");
    const whole: unknown[] = [];
    const rulesOnly: unknown[] = [];
    forEachConsumerPlan(m, (c) => whole.push(c));
    forEachConsumerRules(m, (c) => rulesOnly.push(c));
    const withoutHcl = JSON.parse(JSON.stringify(whole), (k: string, v: unknown) =>
      k === "hcl" ? undefined : v,
    ) as unknown;
    expect(JSON.parse(JSON.stringify(rulesOnly))).toEqual(withoutHcl);
    expect(JSON.stringify(whole)).toContain('"hcl":"path \\"');
    expect(JSON.stringify(rulesOnly)).not.toContain('"hcl"');
  });
});
