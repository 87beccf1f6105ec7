/**
 * Drift as pure comparison: a live state that matches the plan is clean; each way Vault can
 * differ from the manifest yields exactly its rule, at the manifest line a person would fix.
 */
import { describe, expect, it } from "vitest";
import { parsePolicyHcl } from "../../../policies/input/hcl";
import { classifyToken } from "../../../ops/lifecycle/classify";
import { findDrift, policiesToParse, type ParsedLivePolicy } from "../../../ops/lifecycle/drift";
import type { LiveState } from "../../../ops/lifecycle/live-types";
import { policyDifferences } from "../../../ops/lifecycle/policy-compare";
import { cleanLive, declared, NOW, token } from "./fixtures";

const d = declared();

async function drift(live: LiveState, now = NOW) {
  const parsed = new Map<string, ParsedLivePolicy>();
  for (const p of policiesToParse(d, live)) parsed.set(p.name, await parsePolicyHcl(p.name, p.hcl));
  return findDrift({ declared: d, live, parsed, now });
}
const ids = (rs: { ruleId: string }[]) => rs.map((r) => r.ruleId).sort();

describe("drift", () => {
  it("finds nothing when Vault holds exactly the plan (root token and operator policy aside)", async () => {
    expect(await drift(cleanLive(d))).toEqual([]);
  });

  it("ignores policy formatting, comments and block order; reports changed capabilities and paths", async () => {
    const live = cleanLive(d);
    const reformatted = `# edited by hand\npath "secret/data/billing/config" {\n\tcapabilities = ["read"]\n}\n`;
    const widened = `path "database/creds/warehouse" { capabilities = ["read", "list"] }\npath "database/creds/*" { capabilities = ["read"] }`;
    const policies = live.policies!.map((p) =>
      p.name === "tw-billing-vault-config"
        ? { ...p, hcl: reformatted }
        : p.name === "tw-reporting-warehouse-read"
          ? { ...p, hcl: widened }
          : p,
    );
    const found = await drift({ ...live, policies });
    expect(ids(found)).toEqual(["TW055"]);
    expect(found[0].message).toContain(
      'path "database/creds/warehouse": Vault [list, read], declared [read]',
    );
    expect(found[0].message).toContain('path "database/creds/*" [read] in Vault is not declared');
    expect(found[0].need).toBe("reporting-warehouse-read");
    expect(found[0].location).toMatchObject({ file: "access-needs.yaml", line: 34 }); // its `paths:`;
  });

  it("reports a policy whose text does not parse as differing, and missing and undeclared tw- policies", async () => {
    const live = cleanLive(d);
    const policies = live
      .policies!.filter((p) => p.name !== "tw-web-session")
      .map((p) => (p.name === "tw-billing-vault-config" ? { ...p, hcl: "path {" } : p))
      .concat([{ name: "tw-old-need" }]);
    const found = await drift({ ...live, policies });
    expect(ids(found)).toEqual(["TW053", "TW054", "TW055"]);
    expect(found.find((f) => f.ruleId === "TW055")!.message).toContain("does not parse");
    expect(found.find((f) => f.ruleId === "TW053")!.logical).toBe("sys/policies/acl/tw-old-need");
  });

  it("reports roles missing, with other policies, with other TTLs, and undeclared roles carrying tw- policies", async () => {
    const live = cleanLive(d);
    const roles = live.roles
      .filter((r) => r.name !== "web")
      .map((r) =>
        r.name === "billing-api"
          ? { ...r, policies: [...r.policies, "tw-extra"].sort(), ttl: 86_400 }
          : r,
      )
      .concat([
        {
          kind: "approle",
          mount: "approle",
          name: "intruder",
          policies: ["tw-web-session"],
          ttl: 0,
          maxTtl: 0,
        },
      ]);
    const found = await drift({ ...live, roles });
    expect(ids(found)).toEqual(["TW056", "TW057", "TW058", "TW059"]);
    expect(found.find((f) => f.ruleId === "TW058")!.message).toContain(
      "token TTL 86400s in Vault, declared 3600s",
    );
  });

  it("reports shadow tokens, declared tokens gone or expired, and a declared token with other policies", async () => {
    const live = cleanLive(d);
    const tokens = live
      .tokens!.filter((t) => t.accessor !== "decl-reporting-warehouse-read")
      .concat([
        token({
          accessor: "shadow-1",
          policies: ["tw-billing-vault-config"],
          displayName: "token-by-hand",
        }),
        token({
          accessor: "shadow-2",
          policies: ["default"],
          role: "reporting-cron",
          path: "auth/token/create/reporting-cron",
        }),
        token({
          accessor: "shadow-3",
          meta: { need: "removed-need" },
          policies: ["tw-removed-need"],
        }),
        token({
          accessor: "login-ok",
          path: "auth/approle/login",
          meta: { role_name: "billing-api" },
          policies: ["default", "tw-billing-vault-config"],
        }),
        token({
          accessor: "login-wide",
          path: "auth/kubernetes/login",
          meta: { role: "web" },
          policies: ["tw-web-session", "tw-billing-vault-config"],
        }),
      ]);
    const found = await drift({ ...live, tokens });
    expect(
      found
        .filter((f) => f.ruleId === "TW050")
        .map((f) => f.source)
        .sort(),
    ).toEqual(["login-wide", "shadow-1", "shadow-2", "shadow-3"]);
    expect(found.filter((f) => f.ruleId === "TW051").map((f) => f.need)).toEqual([
      "reporting-warehouse-read",
    ]);
    // An expired one still listed:
    const expired = tokens
      .map((t) => (t.accessor === "shadow-1" ? t : t))
      .concat([
        token({
          accessor: "old-decl",
          meta: { need: "reporting-warehouse-read" },
          policies: ["tw-reporting-warehouse-read"],
          expireTime: new Date(NOW - 60_000).toISOString(),
        }),
        token({
          accessor: "decl-wide",
          meta: { need: "reporting-warehouse-read" },
          policies: ["tw-reporting-warehouse-read", "tw-web-session"],
        }),
      ]);
    const again = await drift({ ...live, tokens: expired });
    expect(again.filter((f) => f.ruleId === "TW052").map((f) => f.source)).toEqual([
      "reporting-warehouse-read",
    ]);
    expect(again.find((f) => f.ruleId === "TW064")!.logical).toBe("auth/token/accessors/decl-wide");
    expect(again.some((f) => f.ruleId === "TW051")).toBe(false); // decl-wide is live for the need
  });

  it("reports KV entries missing, overdue, with other metadata, and undeclared managed ones", async () => {
    const live = cleanLive(d);
    const entries = live.kvEntries!.map((e) => ({
      ...e,
      customMetadata: {
        ...e.customMetadata,
        owner: "someone-else@example.com",
        next_rotation: new Date(NOW - 1000).toISOString(),
      },
    }));
    const found = await drift({
      ...live,
      kvEntries: [
        ...entries,
        {
          mount: "tokens",
          path: "stripe/gone-need",
          customMetadata: { managed_by: "tokenwarden", need: "gone-need" },
          currentVersion: 3,
        },
      ],
    });
    expect(ids(found)).toEqual(["TW061", "TW063", "TW065"]);
    const missing = await drift({ ...live, kvEntries: [] });
    expect(ids(missing)).toEqual(["TW060"]);
  });

  it("takes procurement's rotate_after for the current version, not for a stale one", async () => {
    const live = cleanLive(d);
    const e = live.kvEntries![0];
    const md = {
      ...e.customMetadata,
      rotate_after: new Date(NOW - 1000).toISOString(),
      version: "1",
    };
    delete (md as Record<string, string>).next_rotation;
    expect(ids(await drift({ ...live, kvEntries: [{ ...e, customMetadata: md }] }))).toEqual([
      "TW061",
    ]);
    // Version 2 was written by hand after procurement described version 1: rotate_after is stale.
    const stale = { ...e, customMetadata: md, currentVersion: 2 };
    expect(ids(await drift({ ...live, kvEntries: [stale] }))).toEqual([]);
  });

  it("falls back to last write + rotation_period when an entry has no next_rotation", async () => {
    const live = cleanLive(d);
    const e = live.kvEntries![0];
    const md = { ...e.customMetadata };
    delete (md as Record<string, string>).next_rotation;
    const stale = {
      ...e,
      customMetadata: md,
      lastWritten: new Date(NOW - 31 * 86_400_000).toISOString(),
    };
    const found = await drift({ ...live, kvEntries: [stale] });
    expect(ids(found)).toEqual(["TW061"]);
    expect(found[0].message).toContain("+ 30d");
  });

  it("reports needs past their review date, and only those", async () => {
    const found = await drift(cleanLive(d), Date.parse("2027-02-01T00:00:00Z"));
    expect(found.filter((f) => f.ruleId === "TW062").map((f) => f.need)).toEqual([
      "reporting-warehouse-read",
    ]);
    expect(found.find((f) => f.ruleId === "TW062")!.field).toBe("expires");
  });

  it("says nothing about parts the scan could not read (the command reports them as unread)", async () => {
    const live = cleanLive(d);
    const found = await drift({
      ...live,
      tokens: undefined,
      policies: undefined,
      kvEntries: undefined,
    });
    expect(found).toEqual([]);
    // Lists read only in part: what is absent from them is not reported missing.
    const partial = await drift({
      ...live,
      tokens: [],
      kvEntries: [],
      roles: live.roles.filter((r) => r.name !== "web"),
      partial: { tokens: true, kv: true, roles: ["kubernetes/web"] },
    });
    expect(partial).toEqual([]);
    // The same absences with complete lists are findings: the test above can fail.
    const complete = await drift({
      ...live,
      tokens: [],
      kvEntries: [],
      roles: live.roles.filter((r) => r.name !== "web"),
    });
    expect(ids(complete)).toEqual(["TW051", "TW056", "TW060"]);
  });
});

describe("token classification", () => {
  it("tells declared tokens, login sessions, shadows and unmanaged tokens apart", () => {
    const live = cleanLive(d);
    const kinds = Object.fromEntries(
      live.tokens!.map((t) => [t.accessor, classifyToken(d, t).kind]),
    );
    expect(kinds).toEqual({ "root-acc": "unmanaged", "decl-reporting-warehouse-read": "declared" });
    expect(
      classifyToken(
        d,
        token({
          path: "auth/approle/login",
          meta: { role_name: "billing-api" },
          policies: ["tw-billing-stripe-charges"],
        }),
      ).kind,
    ).toBe("session");
    expect(
      classifyToken(
        d,
        token({
          path: "auth/approle/login",
          meta: { role_name: "nobody" },
          policies: ["tw-billing-stripe-charges"],
        }),
      ).kind,
    ).toBe("shadow");
    // A need whose consumer logs in (approle) issues no token: a token naming it is a shadow.
    expect(classifyToken(d, token({ meta: { need: "billing-vault-config" } })).kind).toBe("shadow");
  });
});

describe("policyDifferences", () => {
  it("compares path → capability sets, merging repeated blocks", () => {
    expect(
      policyDifferences(
        [{ path: "a", capabilities: ["read", "list"] }],
        [
          { path: "a", capabilities: ["list"] },
          { path: "a", capabilities: ["read"] },
        ],
      ),
    ).toEqual([]);
    expect(policyDifferences([{ path: "a", capabilities: ["read"] }], [])).toEqual([
      'path "a" missing in Vault (declared [read])',
    ]);
  });
});
