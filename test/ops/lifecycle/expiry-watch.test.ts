/**
 * The scheduled expiry watch (examples/workflows/expiry-watch.yml) as far as it runs here: the
 * workflow's own `tokenwarden expiry` command against the Vault double, then its issue script
 * (examples/workflows/expiry-issues.mjs) against a stand-in `gh` on PATH that keeps issues in a
 * file — so "one issue per owner, updated, not duplicated, closed when nothing is due" is checked
 * on the script's real calls. GitHub itself is not reachable here.
 */
import { execFile } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { main } from "../../../cli/main";
import { parseManifestText } from "../../../model";
import { declare } from "../../../ops/lifecycle/declared";
import { captureIO } from "../../support/capture-io";
import { startVaultDouble, type VaultDouble } from "../../vault-double";
import { E2E_MANIFEST } from "./e2e-manifest";
import { applyPlan, rootClient, THIRD_PARTY_CANARY } from "./seed";

const ROOT = "hvs.CANARY-expiry-watch-root";
const SCRIPT = resolve("examples/workflows/expiry-issues.mjs");
const WORKFLOW = resolve("examples/workflows/expiry-watch.yml");

let vault: VaultDouble;
let dir: string;
let expiryJson: string;

/** A `gh` that answers the calls the script makes, keeping issues in $FAKE_GH_STATE. */
const FAKE_GH = `#!/usr/bin/env node
const fs = require("fs");
const file = process.env.FAKE_GH_STATE;
const state = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : { next: 1, issues: [], calls: [] };
const a = process.argv.slice(2);
state.calls.push(a.filter((x) => !x.endsWith(".md")).join(" "));
const flag = (n) => a[a.indexOf(n) + 1];
if (a[0] === "label") {}
else if (a[0] === "issue" && a[1] === "list") {
  const open = state.issues.filter((i) => i.state === "open" && i.labels.includes(flag("--label")));
  process.stdout.write(JSON.stringify(open.map((i) => ({ number: i.number, title: i.title }))));
} else if (a[0] === "issue" && a[1] === "create") {
  const i = { number: state.next++, title: flag("--title"), body: fs.readFileSync(flag("--body-file"), "utf8"), labels: [flag("--label")], state: "open" };
  state.issues.push(i);
  process.stdout.write("https://github.com/example/repo/issues/" + i.number + "\\n");
} else if (a[0] === "issue" && a[1] === "edit") {
  state.issues.find((i) => i.number === Number(a[2])).body = fs.readFileSync(flag("--body-file"), "utf8");
} else if (a[0] === "issue" && a[1] === "close") {
  state.issues.find((i) => i.number === Number(a[2])).state = "closed";
} else { process.stderr.write("fake gh: unexpected " + a.join(" ")); process.exit(1); }
fs.writeFileSync(file, JSON.stringify(state));
`;

function node(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  return new Promise((done) => {
    execFile(process.execPath, args, { env: { ...process.env, ...env } }, (err, out, errText) =>
      done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out, err: errText }),
    );
  });
}

beforeAll(async () => {
  vault = await startVaultDouble({ rootToken: ROOT, startMs: Date.parse("2026-12-01T12:00:00Z") });
  dir = mkdtempSync(join(tmpdir(), "tw-expiry-watch-"));
  writeFileSync(join(dir, "access-needs.yaml"), E2E_MANIFEST);
  await applyPlan(
    rootClient(vault.address, ROOT),
    declare(parseManifestText(E2E_MANIFEST, "access-needs.yaml")),
  );
  // The workflow's command, as written in the workflow (plus --now: the double's clock).
  const c = captureIO(dir, { VAULT_ADDR: vault.address, VAULT_TOKEN: ROOT });
  const code = await main(
    [
      "expiry",
      "--within",
      "14d",
      "--manifest",
      join(dir, "access-needs.yaml"),
      "--format",
      "json",
      "--now",
      "2026-12-01T12:00:00Z",
    ],
    c.io,
  );
  expect(code).toBe(1);
  expiryJson = join(dir, "expiry.json");
  writeFileSync(expiryJson, c.out());
});
afterAll(async () => {
  await vault.close();
});

describe("expiry watch workflow", () => {
  it("runs the commands this test runs", () => {
    const wf = parseYaml(readFileSync(WORKFLOW, "utf8"));
    expect(wf.on.schedule[0].cron).toMatch(/^\S+ \S+ \S+ \S+ \S+$/);
    expect(wf.permissions.issues).toBe("write");
    const runs = wf.jobs.expiry.steps.map((s: { run?: string }) => s.run ?? "").join("\n");
    expect(runs).toContain(
      "npx tokenwarden expiry --within 14d --manifest access-needs.yaml --format json > expiry.json",
    );
    expect(runs).toContain("node examples/workflows/expiry-issues.mjs expiry.json");
  });

  it("builds one body per owner from --format json, with no secret in it", async () => {
    const r = await node([SCRIPT, expiryJson, "--dry-run"]);
    expect(r.code).toBe(0);
    const titles = r.out.split("\n").filter((l) => l.startsWith("=== "));
    expect(titles).toEqual([
      "=== tokenwarden expiry: data@example.com",
      "=== tokenwarden expiry: team-billing@example.com",
    ]);
    expect(r.out).toContain(
      "| review date | need reporting-warehouse-read: review date 2026-12-10 lapses (in 9d) |",
    );
    expect(r.out).not.toContain(ROOT);
    expect(r.out).not.toContain(THIRD_PARTY_CANARY);
  });

  it("creates each owner's issue once, updates it on the next run, closes it when nothing is due", async () => {
    const bin = mkdtempSync(join(tmpdir(), "tw-fake-gh-"));
    writeFileSync(join(bin, "gh"), FAKE_GH);
    chmodSync(join(bin, "gh"), 0o755);
    const env = { PATH: `${bin}:${process.env.PATH}`, FAKE_GH_STATE: join(bin, "state.json") };
    const state = () => JSON.parse(readFileSync(env.FAKE_GH_STATE, "utf8"));

    expect((await node([SCRIPT, expiryJson], env)).code).toBe(0);
    expect((await node([SCRIPT, expiryJson], env)).code).toBe(0);
    let s = state();
    expect(s.issues.map((i: { title: string; state: string }) => `${i.state} ${i.title}`)).toEqual([
      "open tokenwarden expiry: data@example.com",
      "open tokenwarden expiry: team-billing@example.com",
    ]);
    expect(s.calls.filter((c: string) => c.startsWith("issue edit"))).toHaveLength(2);

    // team-billing has nothing due any more: its issue is closed, data's is edited again.
    const doc = JSON.parse(readFileSync(expiryJson, "utf8"));
    doc.owners = doc.owners.filter((o: { owner: string }) => o.owner === "data@example.com");
    writeFileSync(join(dir, "expiry2.json"), JSON.stringify(doc));
    expect((await node([SCRIPT, join(dir, "expiry2.json")], env)).code).toBe(0);
    s = state();
    expect(s.issues.map((i: { state: string }) => i.state)).toEqual(["open", "closed"]);
    expect(s.issues[0].body).toContain("tokenwarden-expiry owner=data@example.com");
  });

  it("refuses a file that is not an expiry document, with one line and exit 2", async () => {
    writeFileSync(join(dir, "x.json"), "{}");
    const r = await node([SCRIPT, join(dir, "x.json")]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `expiry-issues: ${join(dir, "x.json")}: not a \`tokenwarden expiry --format json\` document (no owners)\n`,
    );
  });
});
