/**
 * End to end against the Vault API double: its file audit device writes the log while tokens
 * issued for needs read secrets (and one is refused); `tokenwarden audit` then reads that log and
 * matches the HMAC'd accessors through `sys/audit-hash/<device>` — or says why it could not.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main } from "../../../cli/main";
import { parseManifestText, planGrants } from "../../../model";
import type { AuditReport } from "../../../ops/audit/report-types";
import { captureIO } from "../../support/capture-io";
import { startVaultDouble, vaultDoubleSkipReason, type VaultDouble } from "../../vault-double";
import { vaultHttp, type VaultCall } from "../../vault-double/http";

const MANIFEST = `version: 1
defaults: { ttl: 1h, maxTtl: 24h, rotation: 30d }
vault: { kvMount: tokens }
consumers:
  - { name: app, owner: app-team@example.com, auth: token }
providers:
  - { name: vault, kind: vault-token }
needs:
  - name: app-config
    consumer: app
    provider: vault
    paths: [{ path: "secret/data/app/*", capabilities: [read, update] }]
    access: write
    owner: app-team@example.com
    justification: Reads its config
    expires: 2027-06-30
  - name: app-reports
    consumer: app
    provider: vault
    paths: [{ path: "secret/data/reports/daily", capabilities: [read] }]
    access: read
    owner: app-team@example.com
    justification: Nightly report (never runs)
    expires: 2027-06-30
`;

const skipReason = vaultDoubleSkipReason();
if (skipReason) console.log(skipReason);
const START = Date.UTC(2026, 10, 20);

let vault: VaultDouble;
let root: VaultCall;
let dir: string;
let log: string;
let manifestFile: string;
let accessor: string;

beforeEach(async (ctx) => {
  if (skipReason) ctx.skip();
  vault = await startVaultDouble({ startMs: START });
  root = vaultHttp(vault.address, vault.rootToken);
  dir = mkdtempSync(join(tmpdir(), "tw-audit-double-"));
  log = join(dir, "vault-audit.log");
  manifestFile = join(dir, "needs.yaml");
  writeFileSync(manifestFile, MANIFEST);
  const ok = (r: { status: number }) => expect(r.status).toBeLessThan(300);
  ok(await root("POST", "sys/audit/file", { type: "file", options: { file_path: log } }));
  // What `pulumi up` would write: each need's policy, and a token per need with its meta.
  const plan = planGrants(parseManifestText(MANIFEST, manifestFile));
  const tokens: Record<string, string> = {};
  for (const np of plan.consumers[0].needs) {
    ok(await root("PUT", `sys/policies/acl/${np.policy.name}`, { policy: np.policy.hcl }));
    const t = await root("POST", "auth/token/create", {
      policies: [np.policy.name],
      meta: np.token?.meta,
      display_name: np.need,
      no_default_policy: true,
      ttl: "24h",
    });
    ok(t);
    tokens[np.need] = t.body?.auth.client_token;
    if (np.need === "app-config") accessor = t.body?.auth.accessor;
  }
  ok(await root("POST", "secret/data/app/db", { data: { password: "pw" } }));
  const app = vaultHttp(vault.address, tokens["app-config"]);
  for (let i = 0; i < 3; i++) {
    vault.clock.advance(3600);
    ok(await app("GET", "secret/data/app/db"));
  }
  expect((await app("GET", "secret/data/other/thing")).status).toBe(403);
});
afterEach(async () => {
  await vault?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function audit(env: Record<string, string>, ...extra: string[]) {
  const { io, out, err } = captureIO(dir, env);
  const now = new Date(vault.clock.now() + 60_000).toISOString();
  const code = await main(
    ["audit", log, "--manifest", manifestFile, "--now", now, "--format", "json", ...extra],
    io,
  );
  return { code, out: out(), err: err() };
}

describe("tokenwarden audit on the Vault double's file audit device", () => {
  it("matches HMAC'd accessors through sys/audit-hash, and reports use, denial, root and the unused need", async () => {
    vault.fault({ kind: "status", status: 503, times: 1, pathPrefix: "sys/audit-hash/" });
    const before = vault.requests.length;
    const r = await audit({ VAULT_ADDR: vault.address, VAULT_TOKEN: vault.rootToken });
    expect(r.err).toBe("");
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out) as AuditReport;
    const cfg = report.needs.find((n) => n.need === "app-config");
    expect(cfg?.uses).toBe(3);
    expect(cfg?.tokens).toEqual([
      expect.objectContaining({ token: accessor, identifiedBy: "audit-hash", uses: 3 }),
    ]);
    expect(report.accessorMatching).toContainEqual(
      expect.stringMatching(
        /^device vault-audit\.log: HMAC'd accessors matched through sys\/audit-hash\/file: \d+ of \d+ tokens seen/,
      ),
    );
    expect(report.unused).toEqual(["app-reports"]);
    expect(report.anomalies.find((a) => a.rule === "TW070")).toMatchObject({
      need: "app-config",
      path: "secret/data/other/thing",
      operation: "read",
      count: 1,
    });
    // The set-up was done with the root token: the review sees it.
    expect(report.anomalies.some((a) => a.rule === "TW074")).toBe(true);
    expect(report.proposals.map((p) => p.need)).toEqual(["app-config"]);
    // What it asked Vault: real API calls, nothing Vault would ignore, the 503 retried.
    const calls = vault.requests.slice(before);
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual(
      expect.arrayContaining([
        "GET sys/audit",
        "GET auth/token/accessors/",
        "POST sys/audit-hash/file",
      ]),
    );
    expect(calls.filter((c) => c.status === 503)).toHaveLength(1);
    // (the injected 503 is answered before the double matches an operation)
    for (const c of calls.filter((x) => x.status !== 503))
      expect([c.path, c.ignored, c.operationId !== ""]).toEqual([c.path, [], true]);
  });

  it("says why accessors stay HMAC'd when its token may not list audit devices or accessors", async () => {
    // A token that may hash (sys/audit-hash) but not list accessors (sudo) nor audit devices.
    const hashOnly = `path "sys/audit-hash/file" {\n  capabilities = ["update"]\n}\n`;
    expect((await root("PUT", "sys/policies/acl/hash-only", { policy: hashOnly })).status).toBe(
      204,
    );
    const t = await root("POST", "auth/token/create", { policies: ["hash-only"], ttl: "1h" });
    const env = { VAULT_ADDR: vault.address, VAULT_TOKEN: t.body?.auth.client_token as string };
    const guessed = JSON.parse((await audit(env)).out) as AuditReport;
    expect(guessed.accessorMatching.join("\n")).toMatch(
      /cannot list Vault's audit devices \(GET sys\/audit answered 403; it needs sudo\)/,
    );
    expect(guessed.accessorMatching.join("\n")).toMatch(
      /device vault-audit\.log: no Vault audit device writes vault-audit\.log/,
    );
    expect(guessed.needs.flatMap((n) => n.tokens).every((x) => x.identifiedBy === "hmac")).toBe(
      true,
    );
    // Told which device wrote the file, it gets as far as listing accessors.
    const told = JSON.parse((await audit(env, "--device", `file=${log}`)).out) as AuditReport;
    expect(told.accessorMatching).toContainEqual(
      "device file: accessors stay HMAC'd: cannot list token accessors (LIST auth/token/accessors needs sudo)",
    );
    // The client token never shows.
    expect(JSON.stringify(told)).not.toContain(env.VAULT_TOKEN);
  });
});
