/**
 * The review against what the generator put into the logs: uses per need, last use, unused grants,
 * each injected anomaly, tokens matched across devices, narrower policies.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reviewAuditLogs } from "../../../ops/audit/review";
import type { AuditReport } from "../../../ops/audit/report-types";
import { END_MS, fixtureManifest, generate, type Generated } from "./helpers";

const DAY = 86_400_000;

describe("audit review of two devices with rotated, gzipped logs", () => {
  let g: Generated;
  let r: AuditReport;
  beforeAll(async () => {
    g = generate({ rotate: 3, gzip: true, problems: true });
    r = await reviewAuditLogs({
      files: g.files,
      manifest: fixtureManifest(),
      sinceMs: END_MS - 30 * DAY,
      untilMs: END_MS,
    });
  });
  afterAll(() => g.cleanup());

  it("counts every request once although both devices logged it", () => {
    expect(r.stats.requests).toBe(g.truth.requests);
    expect(r.stats.responses).toBe(g.truth.requests - g.truth.denied);
    expect(r.stats.duplicates).toBeGreaterThan(g.truth.requests); // most entries twice
    expect(r.stats.requestsWithoutResponse).toBe(0);
  });

  it("attributes each use to its need, through token meta or the tw- policies a role token carries", () => {
    for (const n of r.needs)
      expect([n.need, n.uses]).toEqual([n.need, g.truth.usesByNeed[n.need] ?? 0]);
    for (const n of r.needs) {
      const last = g.truth.lastUseByNeed[n.need];
      expect([n.need, n.lastUse]).toEqual([
        n.need,
        last === undefined ? undefined : new Date(last).toISOString(),
      ]);
    }
  });

  it("lists the grant nobody used as a revocation candidate", () => {
    expect(r.unused).toEqual(g.truth.unused);
    expect(r.unused).toEqual(["legacy-export"]);
  });

  it("reports each injected anomaly, counted", () => {
    const by = (rule: string) => r.anomalies.filter((a) => a.rule === rule);
    expect(by("TW070").reduce((n, a) => n + a.count, 0)).toBe(g.truth.denied);
    expect(by("TW074").reduce((n, a) => n + a.count, 0)).toBe(g.truth.rootUses);
    const addr = by("TW071");
    expect(addr).toHaveLength(1);
    expect(addr[0]).toMatchObject({
      need: g.truth.newAddress?.need,
      remoteAddress: g.truth.newAddress?.address,
      first: new Date(g.truth.newAddress?.timeMs ?? 0).toISOString(),
    });
    expect(g.truth.afterRotation).toBeDefined();
    const rot = by("TW072");
    expect(rot.map((a) => a.need)).toEqual([g.truth.afterRotation?.need]);
    expect(rot[0].count).toBe(g.truth.afterRotation?.uses);
    const lapsed = by("TW073");
    expect(Object.keys(g.truth.afterLapse)).toEqual(["reports-db"]);
    expect(lapsed.map((a) => [a.need, a.count])).toEqual([
      ["reports-db", g.truth.afterLapse["reports-db"]],
    ]);
    expect(r.anomalies.every((a) => /^TW07[0-4]$/.test(a.rule))).toBe(true);
  });

  it("knows the accessors: one device logged them raw, so the HMAC'd twin is the same token", () => {
    const tokens = r.needs.flatMap((n) => n.tokens);
    expect(tokens.length).toBeGreaterThan(0);
    const known = new Set(g.truth.accessors);
    for (const t of tokens) {
      expect(t.identifiedBy).toBe("raw");
      expect(known.has(t.token)).toBe(true);
    }
    // A token's uses are not split between its two device identities.
    const reports = r.needs.find((n) => n.need === "reports-db");
    expect(reports?.tokens.reduce((n, t) => n + t.uses, 0)).toBe(g.truth.usesByNeed["reports-db"]);
    expect(r.accessorMatching.join("\n")).toMatch(
      /file-raw\/audit\.log: accessors logged raw \(hmac_accessor=false\)/,
    );
  });

  it("reports every malformed and truncated line with file:line, and skips it", () => {
    expect(r.problems.count).toBe(g.truth.malformed);
    expect(r.problems.kinds["file ends mid-line (truncated)"]).toBe(1);
    const cut = r.problems.examples.find((p) => p.problem.includes("truncated"));
    expect(cut?.file).toBe(g.truth.files.file.at(-1));
    for (const p of r.problems.examples) expect(p.line).toBeGreaterThan(0);
  });

  it("proposes narrower policies from what was used", () => {
    const web = r.proposals.find((p) => p.need === "web-session-keys");
    expect(web?.changes).toEqual([
      "secret/data/web/*: capabilities [read, update] → [read]",
      "secret/data/web/* → secret/data/web/alpha, secret/data/web/beta (the paths used)",
      "drop secret/metadata/web/* [list]: never used",
    ]);
    expect(web?.proposedHcl).toBe(
      'path "secret/data/web/alpha" {\n  capabilities = ["read"]\n}\n\npath "secret/data/web/beta" {\n  capabilities = ["read"]\n}\n',
    );
    expect(web?.manifestDiff).toContain(
      '-    - path: "secret/data/web/*"\n-      capabilities: [read, update]',
    );
    expect(web?.location).toMatch(/needs\.yaml:\d+$/);
    const billing = r.proposals.find((p) => p.need === "billing-vault-config");
    expect(billing?.changes).toEqual(["drop secret/metadata/billing/+ [list]: never used"]);
    // Fully used, or third-party: nothing to narrow. Unused: a revocation candidate instead.
    expect(r.proposals.map((p) => p.need).sort()).toEqual([
      "billing-vault-config",
      "web-session-keys",
    ]);
  });

  it("draws daily use over the window", () => {
    for (const n of r.needs) {
      expect(n.daily).toHaveLength(30);
      expect(n.daily.reduce((a, b) => a + b, 0)).toBe(n.uses);
    }
  });
});

describe("audit review window", () => {
  it("counts only the uses inside the window, and judges lapses as of its end", async () => {
    const g = generate({ devices: [{ name: "file", hmacAccessor: true }], requests: 1500 });
    try {
      const full = await reviewAuditLogs({
        files: g.files,
        manifest: fixtureManifest(),
        sinceMs: END_MS - 30 * DAY,
        untilMs: END_MS,
      });
      // Look at the first 10 days only: nothing was used after them, as seen from then.
      const early = await reviewAuditLogs({
        files: g.files,
        manifest: fixtureManifest(),
        sinceMs: END_MS - 30 * DAY,
        untilMs: END_MS - 20 * DAY,
      });
      const total = (x: AuditReport) => x.needs.reduce((n, u) => n + u.uses, 0);
      expect(total(early)).toBeGreaterThan(0);
      expect(total(early)).toBeLessThan(total(full));
      expect(early.window.days).toBe(10);
      // The lapse (review date 2026-11-20) lies after this window: no TW073 seen from then.
      expect(early.anomalies.some((a) => a.rule === "TW073")).toBe(false);
      expect(full.anomalies.some((a) => a.rule === "TW073")).toBe(true);
      // One device with HMAC'd accessors and no Vault: tokens stay HMAC'd and the report says so.
      expect(full.needs.flatMap((n) => n.tokens).every((t) => t.identifiedBy === "hmac")).toBe(
        true,
      );
      expect(full.accessorMatching.join("\n")).toMatch(/stay HMAC'd/);
    } finally {
      g.cleanup();
    }
  });
});
