/**
 * TTLs and rotation as rendered: tokens carry the need's TTLs as Vault duration strings and are
 * never renewed by a refresh; each need's rotation clock feeds `next_rotation` into what the need
 * issued, so the `pulumi up` after it falls due re-issues it (create before delete).
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { PlannedResource } from "../../components/mock-run";
import { NOW, T, collectFixture, ofType, only } from "./fixtures";

const DAY = 86_400_000;
let resources: PlannedResource[];
beforeAll(async () => {
  ({ resources } = await collectFixture());
});

describe("TTLs", () => {
  it("Vault tokens carry their own ttl; their token role caps them at the strictest max TTL", () => {
    expect(only(resources, T.token, "cron-warehouse-token").inputs).toMatchObject({
      ttl: "3600s", // 1h
      renewable: true,
    });
    // Vault warns when a token created against a role with an explicit max TTL sets its own.
    expect(only(resources, T.token, "cron-warehouse-token").inputs).not.toHaveProperty(
      "explicitMaxTtl",
    );
    expect(only(resources, T.tokenRole, "cron-role").inputs).toMatchObject({
      tokenExplicitMaxTtl: 28800, // 8h: the stricter of the consumer's needs (8h, 12h)
    });
  });

  it("no token is set up to be renewed by `pulumi refresh` (renewMinLease/renewIncrement unset)", () => {
    for (const t of ofType(resources, T.token)) {
      expect(t.inputs).not.toHaveProperty("renewMinLease");
      expect(t.inputs).not.toHaveProperty("renewIncrement");
      expect(t.inputs).not.toHaveProperty("period");
    }
  });

  it("roles carry the strictest TTLs of their consumer's needs, in seconds", () => {
    expect(only(resources, T.k8s, "web-role").inputs).toMatchObject({
      tokenTtl: 1800,
      tokenMaxTtl: 3600,
    });
  });
});

describe("rotation", () => {
  it("a clock only for a credential that rotates: each token, each AppRole SecretID", () => {
    const minutes = (name: string) =>
      only(resources, T.rotating, `${name}-rotation-clock`).inputs.rotationMinutes;
    expect(minutes("cron-warehouse")).toBe(24 * 60);
    expect(minutes("cron-reports-write")).toBe(30 * 24 * 60); // from defaults.rotation
    expect(minutes("billing-api-secret-id")).toBe(7 * 24 * 60); // the consumer's shortest
    const clocks = ofType(resources, T.rotating).map((r) => r.name);
    for (const none of [
      "billing-config",
      "web-session",
      "billing-stripe",
      "deploy-github",
      "web",
      "deploy",
    ])
      expect(clocks).not.toContain(`${none}-rotation-clock`);
  });

  it("the clock's due date reaches the token's metadata and the SecretID's; never KV metadata", () => {
    const token = only(resources, T.token, "cron-warehouse-token");
    expect((token.inputs.metadata as Record<string, string>).next_rotation).toBe(
      new Date(NOW.getTime() + DAY).toISOString().replace(".000", ""),
    );
    const secretId = only(resources, T.secretId, "billing-api-secret-id");
    expect(JSON.parse(String(secretId.inputs.metadata)).next_rotation).toBe("2026-01-08T00:00:00Z");
    const kv = only(resources, T.kv, "deploy-github-kv");
    const data = (kv.inputs.customMetadata as { data: Record<string, string> }).data;
    expect(data).not.toHaveProperty("next_rotation");
  });

  it("once the SecretID's clock is due, only its metadata moves: a new SecretID, created first", async () => {
    const after = await collectFixture(new Date(NOW.getTime() + 8 * DAY));
    const before = only(resources, T.secretId, "billing-api-secret-id").inputs;
    const now = only(after.resources, T.secretId, "billing-api-secret-id").inputs;
    expect({ ...now, metadata: "" }).toEqual({ ...before, metadata: "" });
    expect(JSON.parse(String(now.metadata)).next_rotation).toBe("2026-01-16T00:00:00Z");
    expect(only(after.resources, T.secretId, "billing-api-secret-id").deleteBeforeReplace).toBe(
      false,
    );
  });

  it("nothing asks to be deleted before it is replaced (consumers never see a gap)", () => {
    expect(resources.filter((r) => r.deleteBeforeReplace)).toEqual([]);
  });

  it("same clock, same inputs: an up between rotations changes nothing", async () => {
    const again = await collectFixture(NOW);
    expect(again.resources.map((r) => r.inputs)).toEqual(resources.map((r) => r.inputs));
  });

  it("once the clock is replaced, only next_rotation moves — token metadata forces a new token", async () => {
    const later = new Date(NOW.getTime() + 2 * DAY);
    const after = await collectFixture(later);
    const before = only(resources, T.token, "cron-warehouse-token").inputs;
    const now = only(after.resources, T.token, "cron-warehouse-token").inputs;
    const { metadata: m1, ...rest1 } = before as { metadata: Record<string, string> };
    const { metadata: m2, ...rest2 } = now as { metadata: Record<string, string> };
    expect(rest2).toEqual(rest1);
    expect(m2.next_rotation).toBe("2026-01-04T00:00:00Z");
    expect({ ...m2, next_rotation: "" }).toEqual({ ...m1, next_rotation: "" });
    // Policies and roles do not rotate.
    expect(only(after.resources, T.tokenRole, "cron-role").inputs).toEqual(
      only(resources, T.tokenRole, "cron-role").inputs,
    );
  });
});
