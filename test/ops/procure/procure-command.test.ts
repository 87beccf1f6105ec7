/**
 * `tokenwarden procure` end to end: the loopback authorization server issues real tokens, the
 * Vault API double stores them; what a user relies on is read back from both.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { run as procure } from "../../../cli/commands/procure";
import {
  CANARY_SECRET,
  entryData,
  entryMeta,
  runIn,
  stackMetadata,
  startWorld,
  type World,
} from "./fixture";

let w: World;
afterEach(async () => {
  await w?.close();
});

/** Every token value the server holds in the KV entry's versions, for leak checks. */
async function storedTokens(provider: string, need: string): Promise<string[]> {
  const md = await entryMeta(w, provider, need);
  const out: string[] = [];
  for (const v of Object.keys(md?.versions ?? {})) {
    const d = await entryData(w, provider, need, Number(v));
    if (d?.token) out.push(d.token);
  }
  return out;
}

function noSecrets(text: string, tokens: string[]): void {
  expect(text).not.toContain(CANARY_SECRET);
  for (const t of tokens) expect(text).not.toContain(t);
}

describe("procure", () => {
  beforeEach(async () => {
    w = await startWorld();
  });

  it("procures each need's token with exactly its scopes and stores it with its record", async () => {
    await stackMetadata(w, "stripe", "billing-charges");
    const r = await runIn(w, "procure", procure, [w.manifest, "--format", "json"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as {
      needs: { need: string; action: string; version: number; scopes_granted: string[] }[];
      summary: Record<string, number>;
    };
    const byNeed = Object.fromEntries(report.needs.map((n) => [n.need, n]));
    expect(byNeed["billing-charges"].action).toBe("procured");
    expect(byNeed["billing-payments"].action).toBe("procured"); // private_key_jwt
    expect(byNeed["billing-reports"].action).toBe("procured"); // JWT bearer
    expect(byNeed["billing-legacy"].action).toBe("hand-off-due"); // static: nothing to fetch
    expect(report.summary.procured).toBe(3);

    // Asked exactly the need's scopes, once per need.
    const asked = w.as.requests
      .filter((q) => q.path === "/token")
      .map((q) => q.scope)
      .sort();
    expect(asked).toEqual(["charges:read", "charges:read", "reports:read"]);

    const md = await entryMeta(w, "stripe", "billing-charges");
    const data = await entryData(w, "stripe", "billing-charges");
    expect(md?.current_version).toBe(1);
    expect(await w.as.isActive(data!.token)).toBe(true);
    expect(await w.as.scopesOf(data!.token)).toEqual(["charges:read"]);
    const cm = md!.custom_metadata!;
    // The stack's keys stay; procurement's are added.
    expect(cm.managed_by).toBe("tokenwarden");
    expect(cm.consumer).toBe("billing-api");
    expect(cm).toMatchObject({
      need: "billing-charges",
      owner: "team-billing@example.com",
      provider: "stripe",
      scopes_granted: "charges:read",
      version: "1",
      procured_by: "tokenwarden procure",
    });
    const issued = Date.parse(cm.issued);
    expect(Date.parse(cm.expires) - issued).toBe(3600_000);
    // 80% of a 1h lifetime comes before the 30d rotation period.
    expect(Date.parse(cm.rotate_after) - issued).toBe(2880_000);
    expect(data).toMatchObject({
      issued: cm.issued,
      expires: cm.expires,
      scopes_granted: "charges:read",
    });
    // Every request procure made is one Vault's OpenAPI description knows, with no ignored
    // field; the only non-2xx answers are the first reads of the three entries nothing created.
    const odd = w.vault.requests
      .filter((q) => q.path.startsWith("tokens/") || q.path.startsWith("tw-creds/"))
      .filter((q) => q.warnings.length > 0 || q.errors.length > 0 || q.status >= 400)
      .map((q) => `${q.method} ${q.path} ${q.status} ${q.warnings.join(";")}`)
      .sort();
    expect(odd).toEqual([
      "GET tokens/metadata/analytics/billing-reports 404 ",
      "GET tokens/metadata/legacy/billing-legacy 404 ",
      "GET tokens/metadata/payments/billing-payments 404 ",
    ]);
    noSecrets(r.out + r.err, [
      ...(await storedTokens("stripe", "billing-charges")),
      ...(await storedTokens("payments", "billing-payments")),
      ...(await storedTokens("analytics", "billing-reports")),
    ]);
  });

  it("--due-only requests nothing while the current token is not due, and rotates once it is", async () => {
    const first = await runIn(w, "procure", procure, [w.manifest, "--need", "billing-charges"]);
    expect(first.code).toBe(0);
    const again = await runIn(w, "procure", procure, [
      w.manifest,
      "--need",
      "billing-charges",
      "--due-only",
    ]);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/billing-charges .*: not due \(version 1\)/);
    expect(w.as.requests.filter((q) => q.path === "/token")).toHaveLength(1);

    const later = new Date(Date.now() + 50 * 60_000).toISOString().replace(/\.\d+Z$/, "Z");
    const due = await runIn(w, "procure", procure, [
      w.manifest,
      "--need",
      "billing-charges",
      "--due-only",
      "--now",
      later,
    ]);
    expect(due.code).toBe(0);
    expect(due.out).toMatch(/procured version 2/);
    expect(due.out).toMatch(/version 1 stays readable until/);
  });

  it("a provider granting more than asked: stored nowhere, revoked, TW040, exit 1", async () => {
    w.as.fault({ kind: "extra-scopes", scopes: ["refunds:write"], times: 1 });
    const r = await runIn(w, "procure", procure, [w.manifest, "--need", "billing-charges"]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /TW040 deny: billing-charges: stripe granted scopes beyond the need \(refunds:write; asked charges:read\); stored nowhere; the token was revoked at stripe/,
    );
    expect(await entryMeta(w, "stripe", "billing-charges")).toBeUndefined();
    // The excess token was revoked at the provider: the revocation request went out and succeeded.
    const revocations = w.as.requests.filter((q) => q.path === "/token/revocation");
    expect(revocations.map((q) => q.status)).toEqual([200]);
  });

  it("a failed request leaves the current token untouched and says why", async () => {
    await runIn(w, "procure", procure, [w.manifest, "--need", "billing-charges"]);
    const before = await entryData(w, "stripe", "billing-charges");
    w.as.fault({ kind: "invalid_client" });
    const r = await runIn(w, "procure", procure, [w.manifest, "--need", "billing-charges"]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /TW043 deny: billing-charges: token request failed: POST http:\/\/127\.0\.0\.1:\d+\/token: 401 invalid_client .*; the current token is untouched/,
    );
    const md = await entryMeta(w, "stripe", "billing-charges");
    expect(md?.current_version).toBe(1);
    expect(await entryData(w, "stripe", "billing-charges")).toEqual(before);
    expect(await w.as.isActive(before!.token)).toBe(true);
    noSecrets(r.out + r.err, [before!.token]);
  });

  it("a response without expires_in is stored with a TW042 warning and rotates by period", async () => {
    w.as.fault({ kind: "no-expires-in", times: 1 });
    const r = await runIn(w, "procure", procure, [w.manifest, "--need", "billing-charges"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/TW042 warn: billing-charges: stripe did not say when the token expires/);
    const cm = (await entryMeta(w, "stripe", "billing-charges"))!.custom_metadata!;
    expect(cm.expires).toBeUndefined();
    expect(Date.parse(cm.rotate_after) - Date.parse(cm.issued)).toBe(30 * 86400_000);
  });

  it("client credentials come from Vault: a missing entry is a clear failure", async () => {
    await w.admin.request("DELETE", "tw-creds/metadata/stripe");
    const r = await runIn(w, "procure", procure, [w.manifest, "--need", "billing-charges"]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/credentials entry tw-creds\/data\/stripe not found in Vault/);
    expect(w.as.requests).toHaveLength(0);
  });

  it("SIGTERM stops the run between needs: the need in flight is stored, the rest not started", async () => {
    const listeners = process.listenerCount("SIGTERM");
    const poll = setInterval(() => {
      if (w.as.requests.length > 0) {
        clearInterval(poll);
        (process.emit as (e: string, s: string) => boolean)("SIGTERM", "SIGTERM");
      }
    }, 1);
    const r = await runIn(w, "procure", procure, [w.manifest, "--concurrency", "1"]);
    clearInterval(poll);
    expect(r.code).toBe(1);
    expect(r.err).toBe("procure: SIGTERM: finishing the needs in flight, starting no more\n");
    expect(r.out).toMatch(/billing-charges .*: procured version 1/);
    expect(r.out).toMatch(
      /stopped: 3 not started \(billing-payments, billing-reports, billing-legacy\)/,
    );
    const token = (await entryData(w, "stripe", "billing-charges"))!.token;
    expect(await w.as.isActive(token)).toBe(true);
    expect(w.as.activeTokenCount()).toBe(1);
    expect(process.listenerCount("SIGTERM")).toBe(listeners);
  });

  it("usage errors exit 2 with one line", async () => {
    const r = await runIn(w, "procure", procure, [w.manifest, "--need", "nope"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /^tokenwarden procure: --need nope: no such need in .*access-needs\.yaml\n$/,
    );
  });
});

describe("overlapping rotation", () => {
  beforeEach(async () => {
    // Day-long tokens: only the grace period decides what happens within these few hours.
    w = await startWorld({ stripeExtra: "    grace: 1h", tokenTtlS: 86400 });
    await stackMetadata(w, "stripe", "billing-charges");
  });

  const at = (msFromNow: number) =>
    new Date(Date.now() + msFromNow).toISOString().replace(/\.\d+Z$/, "Z");

  it("keeps the old version readable for the grace period, then revokes and destroys it", async () => {
    await runIn(w, "procure", procure, [w.manifest, "--need", "billing-charges"]);
    const v1 = (await entryData(w, "stripe", "billing-charges", 1))!.token;
    await runIn(w, "procure", procure, [w.manifest, "--need", "billing-charges"]);
    const v2 = (await entryData(w, "stripe", "billing-charges", 2))!.token;
    // Within the grace period both tokens are readable and valid.
    expect((await entryData(w, "stripe", "billing-charges", 1))?.token).toBe(v1);
    expect(await w.as.isActive(v1)).toBe(true);
    const during = await runIn(w, "procure", procure, [
      w.manifest,
      "--need",
      "billing-charges",
      "--due-only",
      "--now",
      at(30 * 60_000),
    ]);
    expect(during.out).toMatch(/version 1 stays readable until/);
    expect(await w.as.isActive(v1)).toBe(true);

    const after = await runIn(w, "procure", procure, [
      w.manifest,
      "--need",
      "billing-charges",
      "--due-only",
      "--now",
      at(61 * 60_000),
    ]);
    expect(after.code).toBe(0);
    expect(after.out).toMatch(/version 1: revoked and destroyed/);
    expect(await w.as.isActive(v1)).toBe(false);
    expect(await w.as.isActive(v2)).toBe(true);
    const md = await entryMeta(w, "stripe", "billing-charges");
    expect(md?.versions["1"].destroyed).toBe(true);
    expect(await entryData(w, "stripe", "billing-charges")).toMatchObject({ token: v2 });
    noSecrets(after.out + during.out, [v1, v2]);
  });

  it("a third rotation inside the grace retires the oldest first (max_versions 2 would drop it unrevoked)", async () => {
    for (let i = 0; i < 3; i++)
      await runIn(w, "procure", procure, [w.manifest, "--need", "billing-charges"]);
    const md = await entryMeta(w, "stripe", "billing-charges");
    expect(md?.current_version).toBe(3);
    expect(md?.versions["1"]?.destroyed ?? true).toBe(true);
    const revoked = w.as.requests.filter((q) => q.path === "/token/revocation");
    expect(revoked).toHaveLength(1);
    expect(await entryData(w, "stripe", "billing-charges", 2)).toBeDefined();
  });

  it("a revocation that fails keeps the old version and blocks the next write until it succeeds", async () => {
    await runIn(w, "procure", procure, [w.manifest, "--need", "billing-charges"]);
    await runIn(w, "procure", procure, [w.manifest, "--need", "billing-charges"]);
    const v1 = (await entryData(w, "stripe", "billing-charges", 1))!.token;
    w.as.fault({ kind: "status", status: 503, path: "/token/revocation" });
    const failed = await runIn(w, "procure", procure, [
      w.manifest,
      "--need",
      "billing-charges",
      "--timeout",
      "1",
      "--now",
      at(2 * 3600_000),
    ]);
    expect(failed.code).toBe(1);
    expect(failed.out).toMatch(
      /version 1 could not be revoked at stripe .*; it stays stored and the next run retries/,
    );
    expect((await entryMeta(w, "stripe", "billing-charges"))?.current_version).toBe(2);
    expect((await entryData(w, "stripe", "billing-charges", 1))?.token).toBe(v1);
    w.as.clearFaults();
    const retried = await runIn(w, "procure", procure, [
      w.manifest,
      "--need",
      "billing-charges",
      "--due-only",
      "--now",
      at(2 * 3600_000),
    ]);
    expect(retried.code).toBe(0);
    expect(await w.as.isActive(v1)).toBe(false);
  }, 120_000);
});

describe("living with the stack", () => {
  beforeEach(async () => {
    w = await startWorld({ stripeExtra: "    grace: 1h", tokenTtlS: 86400 });
  });

  /** What `pulumi up` does to a third-party need's entry: metadata, and an empty version 1. */
  async function stackUp(): Promise<void> {
    await stackMetadata(w, "stripe", "billing-charges");
    const md = await entryMeta(w, "stripe", "billing-charges");
    if (!md?.current_version)
      await w.admin.write("tokens/data/stripe/billing-charges", { options: { cas: 0 }, data: {} });
  }

  it("procures over the stack's empty version 1; an `up` rewriting the metadata changes no token", async () => {
    await stackUp();
    const r = await runIn(w, "procure", procure, [w.manifest, "--need", "billing-charges"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/procured version 2/);
    const token = (await entryData(w, "stripe", "billing-charges"))!.token;

    // `up` again: the stack rewrites its metadata wholesale (procurement's keys go), no version.
    await stackUp();
    expect(
      (await entryMeta(w, "stripe", "billing-charges"))!.custom_metadata!.version,
    ).toBeUndefined();
    expect((await entryData(w, "stripe", "billing-charges"))!.token).toBe(token);

    // The next scheduled run restores procurement's keys from version 2's own record, requests
    // nothing, and once the grace has passed destroys the placeholder with no finding.
    const later = new Date(Date.now() + 2 * 3600_000).toISOString().replace(/\.\d+Z$/, "Z");
    const next = await runIn(w, "procure", procure, [
      w.manifest,
      "--need",
      "billing-charges",
      "--due-only",
      "--now",
      later,
    ]);
    expect(next.code).toBe(0);
    expect(next.out).toMatch(/not due \(version 2\)/);
    expect(next.out).toMatch(/repaired: custom metadata rewritten for version 2/);
    expect(next.out).toMatch(/version 1: destroyed \(held no token\)/);
    expect(next.out).not.toMatch(/TW04\d/);
    const md = (await entryMeta(w, "stripe", "billing-charges"))!;
    expect(md.custom_metadata).toMatchObject({ version: "2", managed_by: "tokenwarden" });
    expect(md.max_versions).toBe(2);
    expect(w.as.requests.filter((q) => q.path === "/token")).toHaveLength(1);
  });
});
