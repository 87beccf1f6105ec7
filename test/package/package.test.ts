/**
 * The package as a team gets it: `npm pack` (prepack builds dist/), the tarball installed as a
 * devDependency into a scratch project outside this repository, then, from that project:
 * `npx tokenwarden` runs the CLI on the team's own files (never fetching anything: --no-install),
 * the team's own Pulumi program does `new AccessNeeds("tokens", { manifest: "access-needs.yaml" })`
 * relative to its own directory (under Pulumi's mocks), the policy pack is found in
 * node_modules/tokenwarden/policies and reads its `manifest` config relative to the project, and
 * the GitHub Action's install step installs the same tarball. Prints the packed size and the
 * install time.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadManifest, planGrants } from "../../model";
import { loadAction, runAction } from "../check/action-steps";

const REPO = path.resolve(__dirname, "../..");
const NOW = "2026-11-30T12:00:00Z";
let tmp: string;
let tgz: string;
let project: string;
const measured: Record<string, string> = {};

function sh(cmd: string, args: string[], cwd: string) {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, CI: "true" },
    timeout: 600_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tw-package-"));
  // npm pack runs prepack (npm run build), so the tarball holds a fresh dist/. It packs a copy of
  // this checkout (sharing its node_modules), so the build never rewrites the dist/ that other
  // test files are running at the same time.
  const src = path.join(tmp, "tokenwarden-src");
  const skip = new Set(["node_modules", "dist", ".git"].map((d) => path.join(REPO, d)));
  fs.cpSync(REPO, src, { recursive: true, filter: (p) => !skip.has(p) });
  fs.symlinkSync(path.join(REPO, "node_modules"), path.join(src, "node_modules"));
  const t0 = Date.now();
  const packed = JSON.parse(
    execFileSync("npm", ["pack", "--json", "--pack-destination", tmp], {
      cwd: src,
      encoding: "utf8",
      maxBuffer: 64 << 20,
      timeout: 600_000,
    }),
  ) as { filename: string; size: number; unpackedSize: number; entryCount: number }[];
  tgz = path.join(tmp, packed[0].filename);
  measured.pack = `${((Date.now() - t0) / 1000).toFixed(1)} s (including the build)`;
  measured.size = `${(packed[0].size / 1024).toFixed(0)} KiB packed, ${(packed[0].unpackedSize / 1024).toFixed(0)} KiB unpacked, ${packed[0].entryCount} files`;

  project = path.join(tmp, "team-tokens");
  fs.mkdirSync(project);
  fs.writeFileSync(
    path.join(project, "package.json"),
    JSON.stringify({ name: "team-tokens", version: "1.0.0", private: true }, null, 2),
  );
  fs.copyFileSync(
    path.join(REPO, "examples/access-needs.yaml"),
    path.join(project, "access-needs.yaml"),
  );
  fs.copyFileSync(
    path.join(REPO, "examples/violations/access-needs.yaml"),
    path.join(project, "bad-needs.yaml"),
  );
  const t1 = Date.now();
  // The registry is reachable; the local cache serves what it already holds.
  const inst = sh(
    "npm",
    ["install", "--save-dev", "--prefer-offline", "--no-audit", "--no-fund", tgz],
    project,
  );
  if (inst.code !== 0) throw new Error(`npm install failed:\n${inst.err}`);
  measured.install = `${((Date.now() - t1) / 1000).toFixed(1)} s`;
  console.log(
    `tokenwarden package: ${measured.size}; npm pack ${measured.pack}; npm install into a scratch project ${measured.install}`,
  );
}, 1_200_000);

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }), 300_000);

describe("the packed package", () => {
  it("holds the CLI, the compiled code with types, the policies and the schema — and no tests, benches or oracle", () => {
    const list = execFileSync("tar", ["-tzf", tgz], { encoding: "utf8" }).split("\n");
    for (const f of [
      "package/bin/tokenwarden.js",
      "package/dist/cli/main.js",
      "package/dist/components/index.js",
      "package/dist/components/index.d.ts",
      "package/dist/policies/pack/index.js",
      "package/policies/PulumiPolicy.yaml",
      "package/policies/tokenwarden.rego",
      "package/policies/conftest.rego",
      "package/policies/data.json",
      "package/schema/access-needs.schema.json",
    ])
      expect(list, f).toContain(f);
    expect(
      list.filter((f) =>
        /^package\/(test|bench|examples|dist\/test|dist\/bench|dist\/policies\/oracle)\//.test(f),
      ),
    ).toEqual([]);
    expect(list.filter((f) => /_test\.rego$/.test(f))).toEqual([]);
    const pkg = JSON.parse(
      execFileSync("tar", ["-xzOf", tgz, "package/package.json"], { encoding: "utf8" }),
    ) as Record<string, unknown>;
    expect(pkg.private).toBeUndefined();
    expect(pkg.devDependencies).toBeDefined(); // kept in the manifest; npm does not install them for consumers
  });

  it("is a devDependency of the project", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(project, "package.json"), "utf8")) as {
      devDependencies: Record<string, string>;
    };
    expect(pkg.devDependencies.tokenwarden).toMatch(/^file:.*tokenwarden-\d+\.\d+\.\d+\.tgz$/);
  });
});

describe("from the team's own repository", () => {
  it("npx --no-install tokenwarden runs the installed CLI on the team's files", () => {
    const v = sh("npx", ["--no-install", "tokenwarden", "--version"], project);
    const version = (
      JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as { version: string }
    ).version;
    expect(v.out).toBe(`tokenwarden ${version}\n`);
    const ok = sh(
      "npx",
      ["--no-install", "tokenwarden", "check", "access-needs.yaml", "--now", NOW],
      project,
    );
    expect(ok.code, ok.err).toBe(0);
    const bad = sh(
      "npx",
      ["--no-install", "tokenwarden", "check", ".", "--now", NOW, "--format", "json"],
      project,
    );
    expect(bad.code, bad.err).toBe(1);
    const doc = JSON.parse(bad.out) as { inputs: { file: string }[]; skipped: { file: string }[] };
    expect(doc.inputs.map((i) => i.file).sort()).toEqual(["access-needs.yaml", "bad-needs.yaml"]);
    expect(doc.skipped.map((s) => s.file)).toEqual(["package-lock.json", "package.json"]);
    const plan = sh(
      "npx",
      ["--no-install", "tokenwarden", "plan", "access-needs.yaml", "--now", NOW, "--no-policy"],
      project,
    );
    expect(plan.code, plan.err).toBe(0);
  }, 180_000);

  it("the team's Pulumi program reads its manifest relative to its own project (under mocks)", () => {
    const thirdParty = planGrants(loadManifest(path.join(REPO, "examples/access-needs.yaml")))
      .consumers.flatMap((c) => c.needs)
      .filter((g) => g.kvEntry)
      .map((g) => g.need);
    fs.writeFileSync(
      path.join(project, "index.js"),
      `"use strict";
const pulumi = require("@pulumi/pulumi");
const { AccessNeeds } = require("tokenwarden");
const config = new pulumi.Config();
const tokens = Object.fromEntries(${JSON.stringify(thirdParty)}.map((n) => [n, pulumi.secret("handed-over-" + n)]));
const needs = new AccessNeeds("tokens", { manifest: "access-needs.yaml", thirdPartyTokens: tokens });
exports.inventory = needs.inventory;
`,
    );
    fs.writeFileSync(
      path.join(project, "run-under-mocks.js"),
      `"use strict";
const pulumi = require("@pulumi/pulumi");
const registered = [];
pulumi.runtime.setMocks(
  {
    newResource: (args) => { registered.push(args.type + "::" + args.name); return { id: args.name + "-id", state: args.inputs }; },
    // The data sources the components read, answered as the team's Vault would: its auth mounts
    // and its secrets engines.
    call: (args) => {
      if (args.token === "vault:index/getAuthBackends:getAuthBackends")
        return { paths: ["approle/", "jwt/", "kubernetes/", "token/"], accessors: ["a", "b", "c", "d"], id: "x" };
      if (args.token === "vault:generic/getSecret:getSecret")
        return { ...args.inputs, dataJson: JSON.stringify({ "tokens/": { type: "kv", options: { version: "2" } } }), data: {}, id: "x" };
      return args.inputs;
    },
  },
  "team-tokens", "dev", false,
);
require("./index.js");
process.on("beforeExit", () => {
  if (registered.done) return;
  registered.done = true;
  process.stdout.write(JSON.stringify(registered));
});
`,
    );
    const r = sh(process.execPath, ["run-under-mocks.js"], project);
    expect(r.code, r.err).toBe(0);
    const types = JSON.parse(r.out) as string[];
    expect(types).toContain("tokenwarden:index:AccessNeeds::tokens");
    expect(types.filter((t) => t.startsWith("vault:index/policy:Policy::")).length).toBeGreaterThan(
      3,
    );
    // one tokenwarden and one @pulumi/pulumi: the component registered through the team's SDK
    expect(
      fs.existsSync(path.join(project, "node_modules/tokenwarden/node_modules/@pulumi/pulumi")),
    ).toBe(false);
  }, 180_000);

  it("the policy pack is in node_modules/tokenwarden/policies and reads `manifest` relative to the project", () => {
    const packDir = path.join(project, "node_modules/tokenwarden/policies");
    const packYaml = fs.readFileSync(path.join(packDir, "PulumiPolicy.yaml"), "utf8");
    const main = /^main:\s*(\S+)/m.exec(packYaml)?.[1] as string;
    expect(fs.existsSync(path.join(packDir, main, "index.js"))).toBe(true);
    const script = `
const { stackInput, projectRoot } = require("./node_modules/tokenwarden/dist/policies/pack/policies.js");
stackInput([], { manifest: "access-needs.yaml" }, "${NOW}").then((input) => {
  process.stdout.write(JSON.stringify({ root: projectRoot(), needs: input.needs.length }));
});`;
    const r = sh(process.execPath, ["-e", script], project);
    expect(r.code, r.err).toBe(0);
    const out = JSON.parse(r.out) as { root: string; needs: number };
    expect(fs.realpathSync(out.root)).toBe(fs.realpathSync(project));
    expect(out.needs).toBe(
      loadManifest(path.join(REPO, "examples/access-needs.yaml")).needs.length,
    );
  }, 60_000);

  it("the GitHub Action's install step installs the tarball and its check step runs it", () => {
    const runnerTemp = fs.mkdtempSync(path.join(tmp, "runner-"));
    const steps = runAction(loadAction(path.join(REPO, "action.yml")), {
      inputs: { package: tgz, inputs: "bad-needs.yaml", now: NOW, "upload-sarif": "false" },
      cwd: project,
      actionPath: REPO,
      runnerTemp,
    });
    const step = (n: string) => steps.find((s) => s.name === n);
    expect(step("Install tokenwarden")?.code, step("Install tokenwarden")?.stderr).toBe(0);
    expect(fs.existsSync(path.join(runnerTemp, "tokenwarden/node_modules/.bin/tokenwarden"))).toBe(
      true,
    );
    expect(step("Annotate the diff")?.stdout).toMatch(/^::error file=bad-needs\.yaml,line=\d+/m);
    expect(step("Fail on deny")?.code).toBe(1);
  }, 600_000);
});
