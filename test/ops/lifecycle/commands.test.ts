/**
 * The lifecycle commands end to end against the Vault API double: a plan applied through Vault's
 * HTTP API, then `drift`, `inventory`, `expiry` and `revoke` run in-process as a CI job would,
 * with faults injected mid-scan. The operator token and the stored third-party token are canaries
 * that must never appear in any output.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../../../cli/main";
import { captureIO } from "../../support/capture-io";
import { startVaultDouble, type VaultDouble } from "../../vault-double";
import { declare } from "../../../ops/lifecycle/declared";
import { parseManifestText } from "../../../model";
import { applyPlan, createToken, rootClient, THIRD_PARTY_CANARY } from "./seed";
import { E2E_MANIFEST } from "./e2e-manifest";
import type { VaultClient } from "../../../vault";

const ROOT = "hvs.CANARY-root-operator-token-0001";
const START = Date.parse("2026-12-01T12:00:00Z");
const NOW_FLAG = ["--now", "2026-12-01T12:00:00Z"];

let vault: VaultDouble;
let dir: string;
let manifestFile: string;
let root: VaultClient;
let accessors: Map<string, string>;

beforeEach(async () => {
  vault = await startVaultDouble({ rootToken: ROOT, startMs: START });
  dir = mkdtempSync(join(tmpdir(), "tw-lifecycle-"));
  manifestFile = join(dir, "access-needs.yaml");
  writeFileSync(manifestFile, E2E_MANIFEST);
  root = rootClient(vault.address, ROOT);
  const d = declare(parseManifestText(E2E_MANIFEST, manifestFile));
  accessors = await applyPlan(root, d, { nextRotation: "2026-12-20T00:00:00Z" });
});
afterEach(async () => {
  await vault.close();
});

async function tw(argv: string[], env: Record<string, string> = {}) {
  const c = captureIO(dir, {
    VAULT_ADDR: vault.address,
    VAULT_TOKEN: ROOT,
    VAULT_MAX_RETRIES: "4",
    ...env,
  });
  const code = await main(argv, c.io);
  const out = c.out();
  const err = c.err();
  // Canaries: the operator token, the stored third-party token, and no token id of any kind.
  for (const text of [out, err]) {
    expect(text).not.toContain(ROOT);
    expect(text).not.toContain(THIRD_PARTY_CANARY);
    expect(text).not.toMatch(/hvs\.[A-Za-z0-9]/);
    expect(text).not.toMatch(/\bat\s+\S+\.(ts|js):\d+/); // no stack trace
  }
  return { code, out, err };
}

describe("drift", () => {
  it("is clean right after the plan is applied, in every format", async () => {
    const text = await tw(["drift", manifestFile, ...NOW_FLAG]);
    expect(text.err).toBe("");
    expect(text.out).toContain("0 findings");
    expect(text.code).toBe(0);
    const json = await tw(["drift", manifestFile, "--format", "json", ...NOW_FLAG]);
    expect(JSON.parse(json.out).findings).toEqual([]);
    // Every request the scan made was one Vault takes, and it never renewed or looked up by id.
    const scan = vault.requests.slice(-20);
    expect(scan.every((r) => r.warnings.length === 0 && r.ignored.length === 0)).toBe(true);
    expect(vault.requests.some((r) => /renew|auth\/token\/lookup$/.test(r.path))).toBe(false);
  });

  it("reports a hand-made token, an edited policy, a missing KV entry and a revoked declared token", async () => {
    const shadow = await createToken(root, "auth/token/create", {
      policies: ["tw-billing-config"],
      display_name: "by-hand",
      ttl: "2h",
    });
    await root.write(
      "sys/policies/acl/tw-reporting-warehouse-read",
      { policy: 'path "database/creds/*" { capabilities = ["read"] }' },
      { idempotent: true },
    );
    await root.delete("tokens/metadata/stripe/reporting-stripe");
    expect(await root.revokeAccessor(accessors.get("billing-config")!)).toBe("revoked");

    const r = await tw(["drift", manifestFile, "--format", "json", ...NOW_FLAG]);
    expect(r.code).toBe(1);
    const findings = JSON.parse(r.out).findings as {
      id: string;
      source: string;
      resource?: string;
    }[];
    expect(findings.map((f) => f.id).sort()).toEqual(["TW050", "TW051", "TW055", "TW060"]);
    expect(findings.find((f) => f.id === "TW050")!.resource).toBe(`auth/token/accessors/${shadow}`);

    const sarif = JSON.parse(
      (await tw(["drift", manifestFile, "--format", "sarif", ...NOW_FLAG])).out,
    );
    const rules = sarif.runs[0].tool.driver.rules.map(
      (x: { id: string; shortDescription: { text: string } }) => [x.id, x.shortDescription.text],
    );
    expect(rules).toContainEqual(["TW050", "Shadow token"]);
    const gh = await tw(["drift", manifestFile, "--format", "github", ...NOW_FLAG]);
    expect(gh.out).toMatch(
      /^::error file=.*title=TW055::policy tw-reporting-warehouse-read in Vault differs/m,
    );
  });

  it("exits 2 naming exactly what it could not read, after retrying what is temporary", async () => {
    // Temporary: a 429 and a sealed answer in the middle of the lookups are retried; same result.
    vault.fault({
      kind: "status",
      status: 429,
      times: 2,
      pathPrefix: "auth/token/lookup-accessor",
      retryAfterS: 0,
    });
    vault.fault({ kind: "sealed", times: 2, pathPrefix: "auth/token/lookup-accessor" });
    vault.fault({ kind: "standby", times: 1, pathPrefix: "sys/policies/acl" });
    const ok = await tw(["drift", manifestFile, ...NOW_FLAG]);
    expect(ok.code).toBe(0);
    expect(
      vault.requests.filter((r) => r.status === 429 || r.status === 503).length,
    ).toBeGreaterThanOrEqual(5);

    // Persistent: every lookup of one accessor fails; that token is named, not reported clean.
    const victim = accessors.get("reporting-warehouse-read")!;
    vault.fault({
      kind: "status",
      status: 500,
      times: Infinity,
      pathPrefix: "auth/token/lookup-accessor",
    });
    const bad = await tw(["drift", manifestFile, "--format", "json", ...NOW_FLAG], {
      VAULT_MAX_RETRIES: "1",
    });
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("INCOMPLETE");
    expect(bad.err).toContain(
      `token with accessor ${victim}: POST auth/token/lookup-accessor (accessor ${victim}) → 500`,
    );
    const doc = JSON.parse(bad.out);
    expect(doc.notes.some((n: string) => n.startsWith("NOT READ — token with accessor"))).toBe(
      true,
    );
    // Tokens it could not see are not called missing either.
    expect(doc.findings.filter((f: { id: string }) => f.id === "TW051")).toEqual([]);
  });
});

describe("progress", () => {
  it("shows progress on a terminal only, on stderr, and keeps stdout the document", async () => {
    const c = captureIO(dir, { VAULT_ADDR: vault.address, VAULT_TOKEN: ROOT });
    const io = { ...c.io, interactive: true };
    expect(await main(["inventory", "--format", "json", ...NOW_FLAG], io)).toBe(0);
    expect(c.err()).toContain("looked up 4/4 tokens…");
    expect(c.err()).not.toContain(ROOT);
    expect(JSON.parse(c.out()).complete).toBe(true);
    const quiet = await tw(["inventory", "--format", "json", ...NOW_FLAG]);
    expect(quiet.err).toBe("");
  });
});

describe("inventory", () => {
  it("lists tokens by accessor, policies, roles and KV entries, each joined to its need", async () => {
    const shadow = await createToken(root, "auth/token/create", {
      policies: ["tw-billing-config"],
      ttl: "2h",
    });
    const r = await tw(["inventory", "--manifest", manifestFile, "--format", "json", ...NOW_FLAG]);
    expect(r.code).toBe(0);
    const inv = JSON.parse(r.out);
    expect(inv.complete).toBe(true);
    const byAcc = new Map(inv.tokens.map((t: { accessor: string }) => [t.accessor, t]));
    expect(byAcc.get(accessors.get("billing-config"))).toMatchObject({
      status: "declared",
      need: "billing-config",
      consumer: "billing-batch",
      owner: "team-billing@example.com",
      policies: ["tw-billing-config"],
      meta: { need: "billing-config", consumer: "billing-batch" },
      parent: "child",
      role: "billing-batch",
    });
    expect(byAcc.get(shadow)).toMatchObject({ status: "shadow" });
    expect(
      inv.tokens.some(
        (t: { status: string; policies: string[] }) =>
          t.status === "unmanaged" && t.policies.includes("root"),
      ),
    ).toBe(true);
    expect(inv.policies).toContainEqual({ name: "tw-reporting-stripe", need: "reporting-stripe" });
    expect(inv.roles).toContainEqual(
      expect.objectContaining({
        kind: "token",
        name: "reporting-cron",
        consumer: "reporting-cron",
      }),
    );
    expect(inv.kv_entries).toEqual([
      expect.objectContaining({
        path: "stripe/reporting-stripe",
        need: "reporting-stripe",
        owner: "data@example.com",
      }),
    ]);
    const text = await tw(["inventory", "--manifest", manifestFile, ...NOW_FLAG]);
    expect(text.out).toContain(`[declared] ${accessors.get("billing-config")}`);
    expect(text.out).toContain(
      "(need billing-config, consumer billing-batch, owner team-billing@example.com)",
    );
  });

  it("without sudo on accessors: says exactly what it could not see, prints the rest, exits 2", async () => {
    await root.write(
      "sys/policies/acl/scanner",
      {
        policy: [
          'path "auth/token/accessors*" { capabilities = ["list"] }',
          'path "auth/token/lookup-accessor" { capabilities = ["update"] }',
          'path "auth/token/roles*" { capabilities = ["read", "list"] }',
          'path "sys/policies/acl*" { capabilities = ["read", "list"] }',
          'path "tokens/metadata*" { capabilities = ["read", "list"] }',
        ].join("\n"),
      },
      { idempotent: true },
    );
    const res = await root.request("POST", "auth/token/create", {
      policies: ["scanner"],
      ttl: "1h",
    });
    const scanner = (res.body as { auth: { client_token: string } }).auth.client_token;
    const r = await tw(["inventory", "--manifest", manifestFile, "--format", "json", ...NOW_FLAG], {
      VAULT_TOKEN: scanner,
    });
    expect(r.out).not.toContain(scanner);
    expect(r.err).not.toContain(scanner);
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      "the token list (listing accessors needs `sudo` on auth/token/accessors): LIST auth/token/accessors/ → 403 permission denied",
    );
    const inv = JSON.parse(r.out);
    expect(inv).toMatchObject({ complete: false, tokens: null });
    expect(inv.unread).toHaveLength(1);
    expect(inv.policies.length).toBeGreaterThan(3);
    expect(inv.kv_entries).toHaveLength(1);
    const text = await tw(["inventory", "--manifest", manifestFile, ...NOW_FLAG], {
      VAULT_TOKEN: scanner,
    });
    expect(text.out).toContain("Tokens: NOT READ");
    expect(text.out).toContain("INCOMPLETE — not read (1):");
  });

  it("refuses to start without VAULT_ADDR or VAULT_TOKEN, and on a bad manifest, with one line and exit 2", async () => {
    const noAddr = captureIO(dir, { VAULT_TOKEN: ROOT });
    expect(await main(["inventory"], noAddr.io)).toBe(2);
    expect(noAddr.err()).toMatch(/^tokenwarden inventory: VAULT_ADDR is not set\n/);
    const noToken = await tw(["inventory"], { VAULT_TOKEN: "" });
    expect(noToken.code).toBe(2);
    expect(noToken.err).toContain("VAULT_TOKEN is not set");
    writeFileSync(join(dir, "bad.yaml"), "version: 1\nneeds: 3\n");
    const bad = await tw(["drift", join(dir, "bad.yaml")]);
    expect(bad.code).toBe(2);
    expect(bad.out).toBe("");
    expect(bad.err).toContain("bad.yaml");
  });
});

describe("expiry", () => {
  it("groups what falls due within the window by owner, and exits 1", async () => {
    await root.write(
      "tokens/metadata/stripe/reporting-stripe",
      {
        custom_metadata: {
          ...declare(parseManifestText(E2E_MANIFEST, manifestFile)).kvEntries.get(
            "tokens/stripe/reporting-stripe",
          )!.grant.kvEntry!.customMetadata,
          next_rotation: "2026-12-20T00:00:00Z",
          expires: "2026-12-05T00:00:00Z",
        },
      },
      { idempotent: true },
    );
    const r = await tw([
      "expiry",
      "--within",
      "14d",
      "--manifest",
      manifestFile,
      "--format",
      "json",
      ...NOW_FLAG,
    ]);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out);
    expect(doc.owners.map((o: { owner: string }) => o.owner)).toEqual([
      "data@example.com",
      "team-billing@example.com",
    ]);
    const data = doc.owners[0].items.map(
      (i: { kind: string; subject: string }) => `${i.kind} ${i.subject}`,
    );
    expect(data).toEqual(
      expect.arrayContaining([
        "review-date reporting-warehouse-read",
        "provider-expiry tokens/stripe/reporting-stripe",
        `token-expiry ${accessors.get("reporting-warehouse-read")}`,
      ]),
    );
    expect(doc.owners[1].items.map((i: { kind: string }) => i.kind)).toEqual(["token-expiry"]);

    // Three weeks on: the rotation dates have passed too.
    const later = await tw([
      "expiry",
      "--manifest",
      manifestFile,
      "--format",
      "json",
      "--now",
      "2026-12-21T00:00:00Z",
    ]);
    const kinds = JSON.parse(later.out).owners.flatMap((o: { items: { kind: string }[] }) =>
      o.items.map((i) => i.kind),
    );
    expect(kinds).toContain("rotation-overdue");

    const text = await tw(["expiry", "--within", "14d", "--manifest", manifestFile, ...NOW_FLAG]);
    expect(text.out).toMatch(/^data@example\.com \(\d+\):\n/);
    expect(text.out).toContain(
      "need reporting-warehouse-read: review date 2026-12-10 lapses (in 9d)",
    );
  });

  it("exits 0 when nothing falls due, and rejects a bad --within", async () => {
    const r = await tw(["expiry", "--within", "1m", "--manifest", manifestFile, ...NOW_FLAG]);
    expect(r.out).toBe("Nothing expires or falls due within 1m.\n");
    expect(r.code).toBe(0);
    const bad = await tw(["expiry", "--within", "2 weeks"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--within: "2 weeks" is not a duration');
  });
});

describe("revoke", () => {
  it("is a dry run unless --yes; revokes by accessor, logs it, and never touches a declared, valid token", async () => {
    const shadow = await createToken(root, "auth/token/create", {
      policies: ["tw-reporting-stripe"],
      ttl: "2h",
    });
    const all = ["--shadow", "--expired", "--lapsed"];
    const dry = await tw(["revoke", "--manifest", manifestFile, ...all, ...NOW_FLAG]);
    expect(dry.code).toBe(1);
    expect(dry.out).toContain(`Would revoke 1 token (dry run; --yes to revoke):\n  ${shadow}`);
    expect(await root.lookupAccessor(shadow)).toBeDefined();

    const done = await tw([
      "revoke",
      "--manifest",
      manifestFile,
      ...all,
      "--yes",
      "--log",
      "revoke.log",
      ...NOW_FLAG,
    ]);
    expect(done.code).toBe(0);
    expect(await root.lookupAccessor(shadow)).toBeUndefined();
    for (const acc of accessors.values()) expect(await root.lookupAccessor(acc)).toBeDefined();
    const log = readFileSync(join(dir, "revoke.log"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(log).toEqual([
      expect.objectContaining({
        action: "revoke-accessor",
        result: "revoked",
        accessor: shadow,
        reason: "shadow",
        time: "2026-12-01T12:00:00.000Z",
      }),
    ]);
    expect(log[0].why).toContain("carries tw-reporting-stripe without a declared need");
  });

  it("revokes tokens of a need past its review date with --lapsed", async () => {
    const r = await tw([
      "revoke",
      "--manifest",
      manifestFile,
      "--lapsed",
      "--yes",
      "--log",
      "l.log",
      "--now",
      "2026-12-11T00:00:00Z",
    ]);
    expect(r.code).toBe(0);
    expect(await root.lookupAccessor(accessors.get("reporting-warehouse-read")!)).toBeUndefined();
    expect(await root.lookupAccessor(accessors.get("billing-config")!)).toBeDefined();
  });

  it("after a partial failure, a re-run finishes the job and says what was already done", async () => {
    const a = await createToken(root, "auth/token/create", {
      policies: ["tw-billing-config"],
      ttl: "2h",
    });
    const b = await createToken(root, "auth/token/create", {
      policies: ["tw-billing-config"],
      ttl: "2h",
    });
    vault.fault({
      kind: "status",
      status: 500,
      times: 2,
      pathPrefix: "auth/token/revoke-accessor",
    });
    const args = [
      "revoke",
      "--manifest",
      manifestFile,
      "--shadow",
      "--yes",
      "--concurrency",
      "1",
      ...NOW_FLAG,
    ];
    const first = await tw(args, { VAULT_MAX_RETRIES: "1" });
    expect(first.code).toBe(2);
    expect(first.err).toContain("1 revocation failed; run the same command again to finish:");
    const [failed, revoked] = first.err.includes(`  ${a}:`) ? [a, b] : [b, a];
    expect(first.err).toContain(`  ${failed}: POST /v1/auth/token/revoke-accessor: 500`);

    const second = await tw(args);
    expect(second.code).toBe(0);
    expect(second.out).toContain(
      `Already done by earlier runs (from ${join(dir, "tokenwarden-revoke.log")}): 1\n  revoked ${revoked}`,
    );
    expect(second.out).toContain(`revoked ${failed}`);
    for (const acc of [a, b]) expect(await root.lookupAccessor(acc)).toBeUndefined();
    const log = readFileSync(join(dir, "tokenwarden-revoke.log"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(log.map((e) => `${e.result} ${e.accessor}`)).toEqual([
      `failed ${failed}`,
      `revoked ${revoked}`,
      `revoked ${failed}`,
    ]);
  });

  it("needs a selection and a manifest, and refuses a log that is not its own", async () => {
    expect((await tw(["revoke", "--manifest", manifestFile])).err).toContain("say what to revoke");
    expect((await tw(["revoke", "--shadow"])).err).toContain("--manifest is required");
    writeFileSync(join(dir, "notes.txt"), "hello\n");
    const r = await tw(["revoke", "--manifest", manifestFile, "--shadow", "--log", "notes.txt"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("notes.txt:1: not a JSON line of a tokenwarden revocation log");
  });
});
