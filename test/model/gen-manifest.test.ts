/** bench/gen-manifest.ts: deterministic, ~240 bytes a need, schema-valid, all kinds covered. */
import { describe, expect, it } from "vitest";
import { generateManifest, main } from "../../bench/gen-manifest";
import { parseManifestText, planGrants } from "../../model";

describe("generateManifest", () => {
  it("is deterministic per seed and differs across seeds", () => {
    expect(generateManifest({ needs: 50, seed: 3 })).toBe(generateManifest({ needs: 50, seed: 3 }));
    expect(generateManifest({ needs: 50, seed: 3 })).not.toBe(
      generateManifest({ needs: 50, seed: 4 }),
    );
    expect(generateManifest({ needs: 50, seed: 3, violations: true })).toBe(
      generateManifest({ needs: 50, seed: 3, violations: true }),
    );
  });

  it("is about 240 bytes a need (10,000 needs ≈ 2.4 MB)", () => {
    const bytes = Buffer.byteLength(generateManifest({ needs: 1000, seed: 1 }));
    expect(bytes / 1000).toBeGreaterThan(200);
    expect(bytes / 1000).toBeLessThan(280);
  });

  it("covers every auth kind and provider kind, even when small", () => {
    const m = parseManifestText(generateManifest({ needs: 4, seed: 9 }), "g.yaml");
    const plan = planGrants(m);
    expect(new Set(plan.consumers.map((c) => c.auth))).toEqual(
      new Set(["approle", "kubernetes", "jwt", "token"]),
    );
    expect(
      new Set(m.needs.map((n) => m.providers.find((p) => p.name === n.provider)?.kind)),
    ).toEqual(new Set(["vault-token", "static", "oauth2-client-credentials", "jwt-bearer"]));
  });

  it("clean manifests stay within limits and least privilege; violations trip rules but stay loadable", () => {
    const clean = parseManifestText(generateManifest({ needs: 300, seed: 5 }), "c.yaml");
    for (const n of clean.needs) {
      expect(
        n.owner && n.justification && n.expires && n.ttl && n.maxTtl && n.rotation,
      ).toBeTruthy();
      expect(n.ttl!).toBeLessThanOrEqual(n.maxTtl!);
      expect(n.maxTtl!).toBeLessThanOrEqual(clean.limits.maxTtl);
      expect(n.ttl!).toBeLessThanOrEqual(n.rotation!);
      expect(n.paths.every((p) => !p.path.includes("*") && !p.capabilities.includes("sudo"))).toBe(
        true,
      );
    }
    const dirty = parseManifestText(
      generateManifest({ needs: 300, seed: 5, violations: true }),
      "d.yaml",
    );
    const tripped = dirty.needs.filter(
      (n) =>
        n.owner === undefined ||
        n.ttl === undefined ||
        (n.ttl ?? 0) > dirty.limits.maxTtl ||
        n.paths.some(
          (p) => p.path.includes("*") || p.path.startsWith("+") || p.capabilities.includes("sudo"),
        ) ||
        n.scopes.includes("admin:everything") ||
        n.expires === undefined ||
        n.expires < "2026" ||
        n.justification === undefined ||
        n.rotation === undefined ||
        (n.rotation ?? 0) < (n.ttl ?? 0) ||
        (n.rotation ?? 0) > dirty.limits.maxRotation ||
        (n.access === "read" && n.scopes.some((s) => s.includes("write"))),
    );
    expect(tripped.length).toBeGreaterThan(30);
  });

  it("CLI: <needs> [--seed] [--violations] writes YAML; bad arguments exit 2", () => {
    let out = "";
    expect(main(["5", "--seed", "2"], (s) => (out += s))).toBe(0);
    expect(out).toBe(generateManifest({ needs: 5, seed: 2 }));
    expect(main(["many"], () => undefined)).toBe(2);
  });
});
