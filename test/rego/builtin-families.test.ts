/**
 * The built-in registry reads a family's file on the first lookup of one of its names. Two things
 * a user relies on: every built-in is still there (the name index in rego/builtins/names.ts is
 * exactly what the family files define), and a program pays start-up time only for the families
 * it calls. The second is checked on the built JavaScript (dist/, `npm run build`; npm test runs
 * it first), since under vitest the families are handed over up front (test/support).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { BUILTINS, FAMILIES, FAMILY_NAMES, type FamilyName } from "../../rego/builtins";

const REPO = path.resolve(__dirname, "../..");
const built = fs.existsSync(path.join(REPO, "dist/rego/builtins/names.js"));
if (!built && process.env.CI === "true") throw new Error("dist/ missing: run npm run build first");
if (!built) console.warn("skipping the lazy-family tests: dist/ is not built (npm run build)");

describe("the name index", () => {
  it("lists exactly the names each family file defines, each under its own name", () => {
    for (const fam of Object.keys(FAMILY_NAMES) as FamilyName[]) {
      const defs = FAMILIES[fam];
      expect(Object.keys(defs).sort(), fam).toEqual([...FAMILY_NAMES[fam]].sort());
      for (const [name, def] of Object.entries(defs)) expect(def.name, fam).toBe(name);
    }
  });

  it("gives every name one family, and the registry every name", () => {
    const all = Object.values(FAMILY_NAMES).flat();
    expect(new Set(all).size).toBe(all.length);
    expect(Object.keys(BUILTINS).sort()).toEqual([...all].sort());
    for (const n of all) expect(BUILTINS[n]?.name).toBe(n);
  });
});

/** Runs `script` in a fresh Node on the built engine; it prints JSON on its last line. */
function inFreshNode(script: string): unknown {
  const r = spawnSync(process.execPath, ["-e", script], { cwd: REPO, encoding: "utf8" });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

const LOADED_FAMILIES = `
  const loaded = () => Object.keys(require.cache)
    .filter((f) => f.includes("/dist/rego/builtins/"))
    .map((f) => path.basename(f, ".js"))
    .filter((f) => f in FAMILY_NAMES)
    .sort();`;

describe.skipIf(!built)("families load on first use (built JavaScript)", () => {
  it("reads no family to load the engine, only the called ones to compile, and more on demand", () => {
    const out = inFreshNode(`
      const path = require("node:path");
      const { compile } = require("./dist/rego");
      const { FAMILY_NAMES } = require("./dist/rego/builtins/names");
      ${LOADED_FAMILIES}
      const atLoad = loaded();
      const p = compile([{ file: "p.rego", source: 'package p\\nok if startswith(input.x, "a")\\nn := count(input.xs)' }]);
      const afterCompile = loaded();
      const v = p.prepare("data.p").eval({ input: { x: "ab", xs: [1, 2] } })[0].expressions[0].value;
      const q = compile([{ file: "q.rego", source: 'package q\\ne := base64.encode(input.x)' }]);
      const e = q.prepare("data.q.e").eval({ input: { x: "hi" } })[0].expressions[0].value;
      console.log(JSON.stringify({ atLoad, afterCompile, v, e, afterMore: loaded() }));
    `) as Record<string, unknown>;
    expect(out.atLoad).toEqual([]);
    // startswith (strings) and count (aggregates), and what those files import themselves
    expect(out.afterCompile).toContain("strings");
    expect(out.afterCompile).toContain("aggregates");
    for (const unused of ["crypto", "x509", "graphql", "encoding", "jsonschema", "uri", "time"])
      expect(out.afterCompile).not.toContain(unused);
    expect(out.v).toEqual({ ok: true, n: 2 });
    expect(out.e).toBe("aGk=");
    expect(out.afterMore).toContain("encoding");
  });

  it("answers a built-in missing from the registry as undefined, reading nothing", () => {
    const out = inFreshNode(`
      const path = require("node:path");
      const { BUILTINS } = require("./dist/rego/builtins");
      const { FAMILY_NAMES } = require("./dist/rego/builtins/names");
      ${LOADED_FAMILIES}
      console.log(JSON.stringify({ missing: BUILTINS["no.such"] === undefined, has: "sprintf" in BUILTINS, loaded: loaded() }));
    `);
    expect(out).toEqual({ missing: true, has: true, loaded: [] });
  });
});
