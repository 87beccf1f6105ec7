/**
 * Docs that are true: every command in a ```sh block of README.md and docs/*.md that runs
 * tokenwarden (`npx tokenwarden …`, `tokenwarden …`, `node bin/tokenwarden.js …`) is run as typed.
 * The docs speak to a team in its own repository, so `npx tokenwarden` lines run in a scratch
 * project laid out like one — tokenwarden in node_modules (linked to this checkout, so npx runs the
 * installed copy and never fetches), the bundled example as access-needs.yaml, the violations plan
 * as tfplan.json, an organisation's Rego in org-policies/ — in document order, so a `synth`
 * line feeds the `check` after it. `node bin/…` lines run from the repository root. A command must
 * exit 0 or 1 (findings), never 2 (a usage or input error: the doc is wrong).
 * The lifecycle commands (inventory, drift, expiry, revoke) read a live Vault: they run with
 * VAULT_ADDR/VAULT_TOKEN pointing at the Vault API double, after the bundled example has been
 * applied to it through the provider's own calls (test/vault-apply) and one token has been made by
 * hand with a `tw-` policy (a shadow token, so `drift` and `revoke` have something to find).
 * Fences indented inside list items count too.
 * Commands that cannot run here are listed below, each with the reason; a doc command in neither
 * list fails the test, so a new one must be classified. Relative links must resolve.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { load as loadYaml } from "js-yaml";
import { planManifest } from "../../components/access-needs";
import { startVaultDouble, type VaultDouble, vaultDoubleSkipReason } from "../vault-double";
import { Applier, render, send } from "../vault-apply/apply";

const REPO = path.resolve(__dirname, "../..");
const built = fs.existsSync(path.join(REPO, "dist/cli/main.js"));
if (!built) console.warn("skipping the docs command test: dist/ is not built (npm run build)");

/** Doc commands not run, by pattern, with why. */
const NOT_RUN: readonly [RegExp, string][] = [
  [
    /^pulumi /,
    "no Pulumi CLI or engine can be installed here; test/pulumi runs the programs under mocks and test/live runs `pulumi up` where the CLI exists",
  ],
  [/\| pulumi config set/, "no Pulumi CLI here (see above)"],
  [
    /^npm ci\b/,
    "installs the repository's dependencies; .ci/run does it on a clean clone, and tests never reinstall",
  ],
  [
    /^npm install --save-dev /,
    "installs into a team's project; test/package installs the packed tarball the same way (npm install --save-dev <tgz>)",
  ],
  [/^npm test$/, "is this test suite itself"],
  [/^npm run build$/, "builds dist/, which this test runs (npm test builds first)"],
  [/^npm run conformance/, "OPA's conformance suite; test/rego/conformance.test.ts runs it"],
  [
    /^node dist\/bench\//,
    "benchmarks (minutes of CPU at the sizes shown); test/perf/bench-commands.test.ts runs each at small sizes",
  ],
  [/^npx vitest bench /, "a benchmark (minutes of CPU)"],
  [
    /^opa eval /,
    "no opa binary here; test/check/interop.test.ts evaluates the same query on exactly what `tokenwarden input` prints",
  ],
  [/^conftest test /, "no conftest binary here; same as opa eval above"],
  [
    /^read -rs TOKEN/,
    "interactive (a person types the token); test/ops covers `put` with the token on stdin",
  ],
  [
    /^npx tokenwarden procure /,
    "needs each provider's OAuth 2.0 / JWT-bearer endpoint and its client credentials stored in Vault; test/ops/procure runs procure against a real authorization server library and the Vault double",
  ],
  [
    /^VAULT_ADDR=\S+ VAULT_TOKEN=\S+ npm run test:live$/,
    "needs a real Vault and the pulumi and terraform CLIs, none of which is here; the Vault contract tests it runs also run against the Vault API double in `npm test` (test/vault-contract)",
  ],
  [
    /^export VAULT_(ADDR|TOKEN)=/,
    "sets a real Vault's address and token in the reader's shell; the lifecycle commands here get VAULT_ADDR/VAULT_TOKEN of the Vault API double in their environment instead",
  ],
  [
    /^read -rs TF_VAR_\w+ && export TF_VAR_\w+$/,
    "interactive (a person types the token); test/vault-apply sends the same initial value through the provider's KV call",
  ],
  [
    /^terraform /,
    "no terraform CLI here; test/vault-apply applies the same resources through the provider's own calls to the Vault API double, and test/live/terraform-apply.test.ts runs terraform where the CLI exists",
  ],
];

/** Doc commands that read a live Vault: run against the Vault API double. */
const needsVault = (c: string) => /\btokenwarden (inventory|drift|expiry|revoke)\b/.test(c);

interface DocCommand {
  readonly doc: string;
  readonly line: number;
  readonly command: string;
}

function docCommands(): DocCommand[] {
  const docs = [
    "README.md",
    ...fs
      .readdirSync(path.join(REPO, "docs"))
      .filter((f) => f.endsWith(".md"))
      .map((f) => `docs/${f}`),
  ];
  const out: DocCommand[] = [];
  for (const doc of docs) {
    const lines = fs.readFileSync(path.join(REPO, doc), "utf8").split("\n");
    let inSh = false;
    let indent = "";
    let pending = "";
    let start = 0;
    lines.forEach((line, i) => {
      const fence = /^(\s*)```/.exec(line);
      if (fence) {
        inSh = !inSh && /^\s*```(sh|bash|shell)\s*$/.test(line);
        indent = fence[1];
        return;
      }
      if (!inSh) return;
      // a fence inside a list item: its lines carry the item's indentation
      const raw = line.startsWith(indent) ? line.slice(indent.length) : line;
      if (!pending) start = i + 1;
      pending += raw.replace(/\\$/, " ");
      if (raw.endsWith("\\")) return;
      // drop a trailing comment (` # …` outside quotes: the docs put none inside quotes)
      const command = pending
        .replace(/\s+#.*$/, "")
        .replace(/^#.*$/, "")
        .trim();
      pending = "";
      if (command) out.push({ doc, line: start, command });
    });
  }
  return out;
}

const runsTokenwarden = (c: string) =>
  /(^|[|;&]\s*)(npx (--no-install )?tokenwarden|tokenwarden|node bin\/tokenwarden\.js) /.test(c);

/** Why the Vault commands cannot run here (no OpenAPI description outside CI), else undefined. */
const vaultSkip = vaultDoubleSkipReason();
if (vaultSkip) console.warn(`not running the doc commands that need Vault: ${vaultSkip}`);

/**
 * A team's Vault after `pulumi up` of the example, plus one token made by hand with a `tw-`
 * policy and no declared need. The audit device logs to a temp file (the example's /var/log path
 * is not writable here); nothing the lifecycle commands compare depends on it.
 */
async function seedVault(dir: string): Promise<{ vault: VaultDouble; shadowToken: string }> {
  const vault = await startVaultDouble();
  const call = (method: "POST", p: string, body: object) =>
    send(vault.address, vault.rootToken, { method, path: p, body: body as never });
  const manifest = loadYaml(
    fs.readFileSync(path.join(REPO, "examples/access-needs.yaml"), "utf8"),
  ) as { vault: { audit: { filePath: string } } };
  manifest.vault.audit.filePath = path.join(dir, "vault-audit.log");
  const { plan } = planManifest(manifest);
  // the auth mounts the stack expects the platform team to have enabled
  for (const m of plan.store.authMounts) {
    if (m.setup) continue;
    const r = await call("POST", `sys/auth/${m.path}`, { type: m.kind });
    if (r.status !== 204) throw new Error(`enable auth ${m.path}: ${r.status}`);
  }
  const kv = plan.store.kvMount;
  if (kv && !kv.create && kv.path !== "secret")
    await call("POST", `sys/mounts/${kv.path}`, { type: "kv", options: { version: "2" } });
  const initial: Record<string, string> = {};
  for (const c of plan.consumers)
    for (const n of c.needs) if (n.kvEntry) initial[n.need] = `docs-initial-${n.need}`;
  const rendered = await render(manifest, initial, new Date(vault.clock.now()));
  await new Applier(vault.address, vault.rootToken).create(rendered);
  const twPolicy = rendered.find((r) => r.type === "vault_policy")?.attrs.name;
  if (typeof twPolicy !== "string") throw new Error("the example renders no vault_policy");
  const shadow = await call("POST", "auth/token/create", {
    policies: [twPolicy],
    display_name: "by-hand",
    ttl: "720h",
  });
  if (shadow.status !== 200) throw new Error(`shadow token: ${shadow.status}`);
  return { vault, shadowToken: (shadow.body?.auth as { client_token: string }).client_token };
}

/** Runs one command line in bash (async: the double answers from this process's event loop). */
function runLine(
  command: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-o", "pipefail", "-c", command], {
      cwd,
      env,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 300_000);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stderr });
    });
  });
}

let work: string;
let vault: VaultDouble | undefined;
let shadowToken = "";
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "tw-docs-"));
  fs.mkdirSync(path.join(work, "node_modules/.bin"), { recursive: true });
  fs.symlinkSync(REPO, path.join(work, "node_modules/tokenwarden"));
  fs.symlinkSync(
    "../tokenwarden/bin/tokenwarden.js",
    path.join(work, "node_modules/.bin/tokenwarden"),
  );
  fs.writeFileSync(
    path.join(work, "package.json"),
    JSON.stringify({ name: "team", private: true, devDependencies: { tokenwarden: "*" } }),
  );
  fs.copyFileSync(
    path.join(REPO, "examples/access-needs.yaml"),
    path.join(work, "access-needs.yaml"),
  );
  fs.copyFileSync(
    path.join(REPO, "examples/violations/terraform-plan.json"),
    path.join(work, "tfplan.json"),
  );
  fs.cpSync(path.join(REPO, "test/check/fixtures/org"), path.join(work, "org-policies"), {
    recursive: true,
  });
});
afterAll(async () => {
  await vault?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

describe("doc commands", () => {
  const commands = docCommands();

  it("every command is either run below or listed with the reason it cannot run here", () => {
    const unclassified = commands.filter(
      (c) => !runsTokenwarden(c.command) && !NOT_RUN.some(([re]) => re.test(c.command)),
    );
    expect(unclassified).toEqual([]);
  });

  it("no doc has a user run npx for a package that is not installed (npx could fetch anything)", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as {
      devDependencies: Record<string, string>;
    };
    for (const c of commands) {
      for (const m of c.command.matchAll(/\bnpx\s+(?:--no-install\s+)?([^\s-][^\s]*)/g)) {
        const name = m[1];
        expect(
          name === "tokenwarden" || name in pkg.devDependencies,
          `${c.doc}:${c.line}: npx ${name}`,
        ).toBe(true);
      }
    }
    // and the README says npx tokenwarden runs only the installed dev dependency
    const readme = fs.readFileSync(path.join(REPO, "README.md"), "utf8");
    expect(readme).toMatch(
      /Run `npx tokenwarden` only where tokenwarden is installed as a dev dependency/,
    );
  });

  const runnable = commands.filter(
    (c) =>
      runsTokenwarden(c.command) &&
      !NOT_RUN.some(([re]) => re.test(c.command)) &&
      !(vaultSkip && needsVault(c.command)),
  );
  it.skipIf(!built)(
    "runs every tokenwarden command as typed (exit 0 or 1, no usage or input error)",
    async () => {
      expect(runnable.length).toBeGreaterThan(5);
      if (!vaultSkip) {
        // the lifecycle doc shows them; without them the Vault half of this test is vacuous
        expect(runnable.filter((c) => needsVault(c.command)).length).toBeGreaterThanOrEqual(4);
        const seeded = await seedVault(work);
        vault = seeded.vault;
        shadowToken = seeded.shadowToken;
      }
      const ran: string[] = [];
      for (const c of runnable) {
        const cwd = /^node bin\//.test(c.command) ? REPO : work;
        const env: NodeJS.ProcessEnv = {
          PATH: `${path.join(work, "node_modules/.bin")}:${process.env.PATH ?? ""}`,
          HOME: process.env.HOME ?? "",
          CI: "true",
        };
        if (needsVault(c.command) && vault) {
          env.VAULT_ADDR = vault.address;
          env.VAULT_TOKEN = vault.rootToken;
        }
        const r = await runLine(c.command, cwd, env);
        const where = `${c.doc}:${c.line}: ${c.command}\n${r.stderr}`;
        expect([0, 1], where).toContain(r.status);
        expect(r.stderr, where).not.toMatch(/Usage:|internal error|no such file|not found/i);
        const against = env.VAULT_ADDR ? " (Vault double)" : "";
        ran.push(`${c.doc}:${c.line}: ${c.command}  → exit ${r.status}${against}`);
      }
      // the applied example is in step with its manifest: drift finds the hand-made token only
      const sarif = path.join(work, "drift.sarif");
      if (vault && fs.existsSync(sarif)) {
        const doc = JSON.parse(fs.readFileSync(sarif, "utf8")) as {
          runs: { results: { ruleId: string }[] }[];
        };
        expect(doc.runs.flatMap((r) => r.results.map((x) => x.ruleId))).toEqual(["TW050"]);
      }
      // a documented `revoke --shadow --yes` really revokes the hand-made token
      if (vault && runnable.some((c) => /tokenwarden revoke .*--shadow.* --yes/.test(c.command))) {
        const lookup = await send(vault.address, vault.rootToken, {
          method: "POST",
          path: "auth/token/lookup",
          body: { token: shadowToken } as never,
        });
        expect(lookup.status, "the shadow token is still live after revoke --yes").not.toBe(200);
      }
      console.log(`doc commands run (${ran.length}):\n  ${ran.join("\n  ")}`);
    },
    600_000,
  );

  it("relative links in README.md and docs/*.md resolve", () => {
    const docs = [
      "README.md",
      ...fs
        .readdirSync(path.join(REPO, "docs"))
        .filter((f) => f.endsWith(".md"))
        .map((f) => `docs/${f}`),
    ];
    for (const doc of docs) {
      const text = fs.readFileSync(path.join(REPO, doc), "utf8");
      for (const m of text.matchAll(/\]\(([^)\s#]+)(#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(m[1])) continue;
        expect(fs.existsSync(path.resolve(REPO, path.dirname(doc), m[1])), `${doc}: ${m[1]}`).toBe(
          true,
        );
      }
    }
  });
});
