/**
 * What a `check` start loads: with the build's artefact, the policies and their query come
 * compiled, so the Rego parser (and lexer) and compiler, `opa test`, coverage, the formats not asked for
 * and the Terraform/Pulumi readers (with HCL) are never compiled; each still loads the moment a
 * run needs it, and the run's output does not change. Checked on the built JavaScript (dist/,
 * `npm run build`; npm test runs it first), as a real process: under vitest the lazy parts are
 * handed over up front (test/support).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTEFACT_FILE, readPrebuilt } from "../../policies/ast-artefact";
import { builtinSources } from "../../policies/evaluate";

const REPO = path.resolve(__dirname, "../..");
const BIN = path.join(REPO, "bin", "tokenwarden.js");
const NOW = "2026-11-30T12:00:00Z";
const built = fs.existsSync(path.join(REPO, "dist/policies/policies.ast.json"));
if (!built && process.env.CI === "true") throw new Error("dist/ missing: run npm run build first");
if (!built) console.warn("skipping the start-module tests: dist/ is not built (npm run build)");

/** Modules a `check` of a manifest, in text, has no use for once the artefact matches. */
const NOT_AT_START = [
  "rego/parser.js",
  "rego/compiler.js",
  "rego/lexer.js",
  "rego/testing.js",
  "rego/coverage.js",
  "report/sarif.js",
  "report/junit.js",
  "report/github.js",
  "report/json.js",
  "report/index.js",
  "policies/input/terraform.js",
  "policies/input/pulumi.js",
  "policies/input/resources.js",
  "policies/input/hcl.js",
];

let tmp: string;
let preload: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tw-start-"));
  preload = path.join(tmp, "loaded.js");
  // on exit, the dist/ modules the process loaded, as one JSON line on stderr: those Node's
  // loader loaded, then those the CLI's own loader did (cli/own-modules.ts)
  fs.writeFileSync(
    preload,
    `const dist = ${JSON.stringify(path.join(REPO, "dist") + path.sep)};
     const own = dist + "cli/own-modules.js";
     const rel = (files) => files.filter((f) => f.startsWith(dist)).map((f) => f.slice(dist.length)).sort();
     process.on("exit", () => process.stderr.write("\\nLOADED " + JSON.stringify({
       node: rel(Object.keys(require.cache)),
       own: rel(require.cache[own] ? require(own).loadedOwnModules() : []),
     }) + "\\n"));`,
  );
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function check(args: string[]): { code: number | null; out: string; loaded: string[] } {
  const r = spawnSync(process.execPath, ["-r", preload, BIN, "check", ...args, "--now", NOW], {
    cwd: REPO,
    encoding: "utf8",
  });
  const line = r.stderr.split("\n").find((l) => l.startsWith("LOADED "));
  expect(line, r.stderr).toBeDefined();
  const { node, own } = JSON.parse(line!.slice(7)) as { node: string[]; own: string[] };
  // every module of ours is loaded once, by one loader: Node's loads only the CLI's own loader,
  // which loads the rest (a module loaded by both would exist twice, its classes too)
  expect(node).toEqual(["cli/own-modules.js"]);
  expect(new Set(own).size).toBe(own.length);
  return { code: r.status, out: r.stdout, loaded: own };
}

describe.skipIf(!built)("the build's artefact (built JavaScript)", () => {
  it("depends on the code that made it, byte for byte, and on no other file", () => {
    const header = JSON.parse(
      fs.readFileSync(path.join(REPO, "dist/policies", ARTEFACT_FILE), "latin1").split("\n")[0],
    ) as { engine: { file: string }[] };
    const code = header.engine.map((e) => e.file);
    for (const f of [
      "rego/parser.js",
      "rego/compiler.js",
      "rego/builtins/strings.js",
      "policies/rule-descriptors.js",
      "policies/ast-artefact.js",
    ]) {
      expect(code).toContain(f);
    }
    for (const f of ["rego/builtins/x509.js", "rego/testing.js", "rego/conformance/runner.js"]) {
      expect(code).not.toContain(f);
    }
    // on a copy of dist/: a change to a module outside that code leaves the artefact in use, a
    // change to one of them (even a comment) does not
    const dist = path.join(tmp, "dist");
    fs.cpSync(path.join(REPO, "dist"), dist, { recursive: true });
    const { modules } = builtinSources(REPO);
    const read = () => readPrebuilt(path.join(dist, "policies"), path.join(dist, "rego"), modules);
    expect(read()?.program).toBeDefined();
    fs.appendFileSync(path.join(dist, "rego/builtins/x509.js"), "\n// changed\n");
    expect(read()?.program).toBeDefined();
    fs.appendFileSync(path.join(dist, "rego/compiler.js"), "\n// changed\n");
    expect(read()).toBeUndefined();
  });
});

describe.skipIf(!built)("what a check start loads (built JavaScript)", () => {
  it("checks a manifest without parser, compiler, test runner, other formats or resource readers", () => {
    const r = check(["examples/access-needs.yaml"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/0 findings/);
    // the modules doing the work are there (so the list is the real one)
    for (const m of [
      "policies/ast-artefact.js",
      "rego/program.js",
      "rego/eval.js",
      "report/text.js",
    ]) {
      expect(r.loaded).toContain(m);
    }
    for (const m of NOT_AT_START) expect(r.loaded, m).not.toContain(m);
  });

  it("loads a format and a reader when the run asks for them, with the same findings", () => {
    const plan = "examples/violations/terraform-plan.json";
    const sarif = check([plan, "--format", "sarif"]);
    expect(sarif.code).toBe(1);
    expect(sarif.loaded).toEqual(
      expect.arrayContaining(["report/sarif.js", "policies/input/terraform.js"]),
    );
    expect(sarif.loaded).not.toContain("rego/parser.js");
    const results = (JSON.parse(sarif.out) as { runs: { results: { ruleId: string }[] }[] }).runs[0]
      .results;
    const json = check([plan, "--format", "json"]);
    expect(json.loaded).toContain("report/json.js");
    const ids = (JSON.parse(json.out) as { findings: { id: string }[] }).findings.map((f) => f.id);
    expect(ids.length).toBeGreaterThan(0);
    expect(results.map((x) => x.ruleId).sort()).toEqual([...ids].sort());
  });

  it("parses when it must: an organisation's policies load the parser and are enforced", () => {
    const org = path.join(tmp, "org");
    fs.mkdirSync(org, { recursive: true });
    fs.writeFileSync(
      path.join(org, "org.rego"),
      'package org\n\ndeny contains "no needs allowed" if count(input.needs) > 0\n',
    );
    const r = check(["examples/access-needs.yaml", "--policies", org]);
    expect(r.loaded).toEqual(expect.arrayContaining(["rego/parser.js", "rego/compiler.js"]));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/no needs allowed/);
  });
});
