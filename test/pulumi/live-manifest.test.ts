/** The live tier's manifest (test/live/manifest.ts) is valid and covers what the live test checks. */
import { describe, expect, it } from "vitest";
import { parseManifestText, planGrants } from "../../model";
import { liveManifestYaml, livePrefix } from "../live/manifest";

describe("live tier manifest", () => {
  it("loads, plans every auth kind, a KV entry and two tokens, one rotating in minutes", () => {
    const P = livePrefix("abc123");
    const plan = planGrants(parseManifestText(liveManifestYaml(P), "live.yaml"));
    expect(plan.consumers.map((c) => c.auth).sort()).toEqual([
      "approle",
      "jwt",
      "kubernetes",
      "token",
    ]);
    const grants = plan.consumers.flatMap((c) => c.needs);
    expect(grants.filter((g) => g.kvEntry)).toHaveLength(1);
    expect(grants.filter((g) => g.token).map((g) => g.need)).toEqual([
      `${P}-cron-report`,
      `${P}-cron-archive`,
    ]);
    expect(grants.find((g) => g.need === `${P}-cron-report`)?.rotation?.rotationMinutes).toBe(3);
    for (const g of grants) expect(g.policy.name.startsWith("tw-twliveabc123")).toBe(true);
  });
});
