/**
 * Expiry and revocation selection as pure functions over a live state: what is due, for whom;
 * and which tokens a revoke may touch — never a declared, valid one, whatever the flags.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { byOwner, findExpiring, NO_OWNER } from "../../../ops/lifecycle/expiry";
import { selectTargets } from "../../../ops/lifecycle/revoke";
import { classifyToken, isExpired } from "../../../ops/lifecycle/classify";
import { cleanLive, declared, NOW, token } from "./fixtures";

const d = declared();
const DAY = 86_400_000;

describe("expiry", () => {
  it("finds review dates, token ends, overdue rotations and provider expiries, by owner", () => {
    const live = cleanLive(d);
    const kv = live.kvEntries![0];
    const items = findExpiring({
      declared: d,
      live: {
        ...live,
        tokens: [
          ...live.tokens!,
          // Renewable with an explicit max TTL: ends at creation + max, whatever its current TTL.
          token({
            accessor: "owned",
            meta: { owner: "ops@example.com" },
            explicitMaxTtl: 3 * 86_400,
          }),
          // A login session: short by design, never listed.
          token({
            accessor: "login",
            path: "auth/approle/login",
            meta: { role_name: "billing-api" },
            policies: ["tw-billing-vault-config"],
          }),
          token({ accessor: "nobody", expireTime: new Date(NOW + DAY).toISOString() }),
        ],
        kvEntries: [
          {
            ...kv,
            customMetadata: {
              ...kv.customMetadata,
              expires: new Date(NOW + 5 * DAY).toISOString(),
              next_rotation: new Date(NOW - DAY).toISOString(),
            },
          },
        ],
      },
      now: NOW,
      withinSeconds: 60 * 86_400,
    });
    const got = items
      .map((i) => `${i.kind} ${i.subject} ${i.owner}${i.overdue ? " overdue" : ""}`)
      .sort();
    expect(got).toEqual([
      "provider-expiry tokens/stripe/billing-stripe-charges team-billing@example.com",
      "review-date reporting-warehouse-read data@example.com",
      "rotation-overdue tokens/stripe/billing-stripe-charges team-billing@example.com overdue",
      "token-expiry decl-reporting-warehouse-read data@example.com",
      "token-expiry owned ops@example.com",
    ]);
    const groups = byOwner(items);
    expect(groups.map((g) => g.owner)).toEqual([
      "data@example.com",
      "ops@example.com",
      "team-billing@example.com",
    ]);
    // Soonest first within an owner.
    const tb = groups[2].items.map((i) => i.kind);
    expect(tb).toEqual(["rotation-overdue", "provider-expiry"]);
  });

  it("puts items without an owner last, and returns nothing outside the window", () => {
    expect(
      byOwner([
        {
          kind: "token-expiry",
          owner: NO_OWNER,
          subject: "a",
          at: "2026-12-02",
          overdue: false,
          message: "",
        },
        {
          kind: "token-expiry",
          owner: "z@x",
          subject: "b",
          at: "2026-12-03",
          overdue: false,
          message: "",
        },
      ]).map((g) => g.owner),
    ).toEqual(["z@x", NO_OWNER]);
    const none = findExpiring({
      declared: d,
      live: { ...cleanLive(d), tokens: [] },
      now: NOW,
      withinSeconds: 60,
    });
    expect(none).toEqual([]);
  });
});

describe("revoke selection", () => {
  it("selects shadows, expired leftovers, superseded tokens past rotation, and lapsed needs' tokens", () => {
    const live = cleanLive(d);
    const need = "reporting-warehouse-read";
    const policies = ["tw-reporting-warehouse-read"];
    const tokens = [
      ...live.tokens!,
      token({ accessor: "shadow", policies: ["tw-web-session"] }),
      token({
        accessor: "expired",
        meta: { need },
        policies,
        expireTime: new Date(NOW - 1000).toISOString(),
      }),
      token({
        accessor: "superseded",
        meta: { need, next_rotation: new Date(NOW - DAY).toISOString() },
        policies,
        creationTime: NOW / 1000 - 40 * 86_400,
      }),
    ];
    const sel = (s: Partial<{ shadow: boolean; expired: boolean; lapsed: boolean }>, now = NOW) =>
      selectTargets(d, tokens, now, { shadow: false, expired: false, lapsed: false, ...s }).map(
        (t) => `${t.reason} ${t.accessor}`,
      );
    expect(sel({ shadow: true })).toEqual(["shadow shadow"]);
    expect(sel({ expired: true })).toEqual(["expired expired", "expired superseded"]);
    expect(sel({ lapsed: true })).toEqual([]);
    // After the need's review date every token of it is lapsed — the newest one too.
    expect(sel({ lapsed: true }, Date.parse("2027-01-16T00:00:00Z"))).toEqual([
      "lapsed decl-reporting-warehouse-read",
      "lapsed expired",
      "lapsed superseded",
    ]);
  });

  it("never selects a declared, valid token (the newest for its need, unexpired, need not lapsed)", () => {
    const live = cleanLive(d);
    const need = "reporting-warehouse-read";
    const arb = fc.array(
      fc.record({
        ageDays: fc.integer({ min: 0, max: 60 }),
        expiredAgo: fc.option(fc.integer({ min: 1, max: 10 })),
        rotatedAgo: fc.option(fc.integer({ min: -10, max: 10 })),
        shape: fc.constantFrom("declared", "shadow", "login", "plain"),
      }),
      { maxLength: 12 },
    );
    fc.assert(
      fc.property(
        arb,
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        (specs, shadow, expired, lapsed) => {
          const tokens = [
            ...live.tokens!,
            ...specs.map((s, i) =>
              token({
                accessor: `t${i}`,
                creationTime: NOW / 1000 - s.ageDays * 86_400 - i,
                ...(s.expiredAgo !== null
                  ? { expireTime: new Date(NOW - s.expiredAgo * DAY).toISOString() }
                  : {}),
                ...(s.shape === "declared"
                  ? {
                      meta: {
                        need,
                        ...(s.rotatedAgo !== null
                          ? { next_rotation: new Date(NOW - s.rotatedAgo * DAY).toISOString() }
                          : {}),
                      },
                      policies: ["tw-reporting-warehouse-read"],
                    }
                  : s.shape === "shadow"
                    ? { policies: ["tw-web-session"] }
                    : s.shape === "login"
                      ? {
                          path: "auth/approle/login",
                          meta: { role_name: "billing-api" },
                          policies: ["tw-billing-vault-config"],
                        }
                      : {}),
              }),
            ),
          ];
          const targets = new Set(
            selectTargets(d, tokens, NOW, { shadow, expired, lapsed }).map((t) => t.accessor),
          );
          // The valid declared token: the newest unexpired one for the need (its review date is ahead).
          const valid = tokens
            .filter((t) => classifyToken(d, t).kind === "declared" && !isExpired(t, NOW))
            .sort((a, b) => b.creationTime - a.creationTime)[0];
          if (valid) expect(targets.has(valid.accessor)).toBe(false);
          for (const t of tokens) {
            const k = classifyToken(d, t).kind;
            if (k === "session" || k === "unmanaged") expect(targets.has(t.accessor)).toBe(false);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
