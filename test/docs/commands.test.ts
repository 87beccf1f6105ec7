/**
 * Docs that are true: every command in a ```sh block of README.md and docs/*.md that runs
 * tokenwarden (`npx tokenwarden …`, `tokenwarden …`, `node bin/tokenwarden.js …`) is run as typed.
 * The docs speak to a team in its own repository, so `npx tokenwarden` lines run in a scratch
 * project laid out like one — tokenwarden in node_modules (linked to this checkout, so npx runs the
 * installed copy and never fetches), the bundled example as access-needs.yaml, the violations plan
 * as tfplan.json, an organisation's Rego in org-policies/ — in document order, so a `synth`
 * line feeds the `check` after it. `node bin/…` lines run from the repository root. A command must
 * exit 0 or 1 (findings), never 2 (a usage or input error: the doc is wrong).
 * Commands that cannot run here are listed below, each with the reason; a doc command in neither
 * list fails the test, so a new one must be classified. Relative links must resolve.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

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
  [/^node dist\/bench\//, "benchmarks (minutes of CPU); not documentation checks"],
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
];

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
    let pending = "";
    let start = 0;
    lines.forEach((raw, i) => {
      if (/^```/.test(raw)) {
        inSh = !inSh && /^```(sh|bash|shell)\s*$/.test(raw);
        return;
      }
      if (!inSh) return;
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

let work: string;
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
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

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
    (c) => runsTokenwarden(c.command) && !NOT_RUN.some(([re]) => re.test(c.command)),
  );
  it.skipIf(!built)(
    "runs every tokenwarden command as typed (exit 0 or 1, no usage or input error)",
    () => {
      expect(runnable.length).toBeGreaterThan(5);
      const ran: string[] = [];
      for (const c of runnable) {
        const cwd = /^node bin\//.test(c.command) ? REPO : work;
        const r = spawnSync("bash", ["-o", "pipefail", "-c", c.command], {
          cwd,
          encoding: "utf8",
          timeout: 300_000,
          env: {
            PATH: `${path.join(work, "node_modules/.bin")}:${process.env.PATH ?? ""}`,
            HOME: process.env.HOME ?? "",
            CI: "true",
          },
        });
        const where = `${c.doc}:${c.line}: ${c.command}\n${r.stderr}`;
        expect([0, 1], where).toContain(r.status);
        expect(r.stderr, where).not.toMatch(/Usage:|internal error|no such file|not found/i);
        ran.push(`${c.doc}:${c.line}: ${c.command}  → exit ${r.status}`);
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
