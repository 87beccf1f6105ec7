/**
 * The CLI's own module loader (cli/own-modules.ts), which starts `check`: modules see what Node's
 * loader gives them, a check through it reports exactly what one through Node's loader does, and
 * a checkout that is not built still says so.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import { createRequire } from "node:module";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ownModuleLoader } from "../../cli/own-modules";

const REPO = path.resolve(__dirname, "../..");
const BIN = path.join(REPO, "bin", "tokenwarden.js");
const built = fs.existsSync(path.join(REPO, "dist/cli/own-modules.js"));
/** Node's own require, for what the loader hands over to it. */
const nodeRequire = createRequire(__filename);
if (!built && process.env.CI === "true") throw new Error("dist/ missing: run npm run build first");

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tw-own-"));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

function write(files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(tmp, name)), { recursive: true });
    fs.writeFileSync(path.join(tmp, name), text);
  }
}

describe("own module loader", () => {
  it("gives modules what Node's loader does: one instance, cycles, this, file names, index.js", () => {
    write({
      "a.js": `"use strict";
        exports.early = 1;
        const b = require("./b");
        exports.sawFromB = b.sawEarly;
        exports.self = this === exports;
        exports.names = [__filename, __dirname];
        exports.lib = require("./lib").name;
        exports.libAgain = require("./lib/index.js") === require("../${path.basename(tmp)}/lib");
        exports.data = require("./data.json");
        exports.path = require("node:path") === require("path");
        exports.strict = (function () { return this; })() === undefined;`,
      "b.js": `exports.sawEarly = require("./a").early; module.exports.b = true;`,
      "lib/index.js": `module.exports = { name: "lib" };`,
      "data.json": `{"k": [1, 2]}`,
    });
    const outside: string[] = [];
    const load = ownModuleLoader(tmp, (id) => {
      outside.push(id);
      return nodeRequire(id) as unknown;
    });
    const a = load(path.join(tmp, "a.js")) as Record<string, unknown>;
    expect(a.sawFromB).toBe(1); // the cycle saw what a.js had exported so far
    expect(a.self).toBe(true);
    expect(a.names).toEqual([path.join(tmp, "a.js"), tmp]);
    expect(a.lib).toBe("lib");
    expect(a.libAgain).toBe(true);
    expect(a.data).toEqual({ k: [1, 2] });
    expect(a.path).toBe(true);
    expect(a.strict).toBe(true);
    expect(load(path.join(tmp, "a.js"))).toBe(a);
    // bare ids and data files went to Node's require; our modules did not
    expect(outside).toEqual([path.join(tmp, "data.json"), "node:path", "path"]);
  });

  it("runs a module that threw again on the next require, and names a missing one", () => {
    write({
      "flaky.js": `globalThis.__twRuns = (globalThis.__twRuns ?? 0) + 1; throw new Error("boom");`,
    });
    const load = ownModuleLoader(tmp, (id) => nodeRequire(id) as unknown);
    const g = globalThis as { __twRuns?: number };
    try {
      expect(() => load(path.join(tmp, "flaky.js"))).toThrow("boom");
      expect(() => load(path.join(tmp, "flaky.js"))).toThrow("boom");
      expect(g.__twRuns).toBe(2);
    } finally {
      delete g.__twRuns;
    }
    let err: unknown;
    try {
      load(path.join(tmp, "missing.js"));
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: "MODULE_NOT_FOUND" });
    expect(String((err as Error).message)).toContain("missing.js");
  });

  it("reports a module's error at its own file and line", () => {
    write({ "x.js": `"use strict";\n\nfunction f() {\n  throw new Error("here");\n}\nf();\n` });
    const load = ownModuleLoader(tmp, (id) => nodeRequire(id) as unknown);
    let stack = "";
    try {
      load(path.join(tmp, "x.js"));
    } catch (e) {
      stack = String((e as Error).stack);
    }
    expect(stack).toContain(`${path.join(tmp, "x.js")}:4:`);
  });
});

describe.skipIf(!built)("check through the own loader (built JavaScript)", () => {
  const NOW = "2026-11-30T12:00:00Z";
  const inputs = ["examples/access-needs.yaml", "examples/violations"];

  it("reports exactly what a check through Node's loader reports", () => {
    for (const input of inputs) {
      for (const format of ["json", "sarif", "text"]) {
        const args = ["check", input, "--format", format, "--now", NOW];
        const own = spawnSync(process.execPath, [BIN, ...args], { cwd: REPO, encoding: "utf8" });
        // Node's loader all the way: main.js required as any other command's modules are
        const viaNode = spawnSync(
          process.execPath,
          [
            "-e",
            `require("./dist/cli/one-shot.js").tuneForOneShot();
             require("./dist/cli/main.js").main(${JSON.stringify(args)}).then((c) => { process.exitCode = c; });`,
          ],
          { cwd: REPO, encoding: "utf8" },
        );
        expect(own.stdout.length).toBeGreaterThan(50);
        expect([own.status, own.stdout, own.stderr]).toEqual([
          viaNode.status,
          viaNode.stdout,
          viaNode.stderr,
        ]);
      }
    }
  });

  it("loads no module that asks the module system for what only Node's loader has", () => {
    const preload = path.join(tmp, "list.js");
    fs.writeFileSync(
      preload,
      `process.on("exit", () => process.stderr.write("\\nOWN " + JSON.stringify(
         require(${JSON.stringify(path.join(REPO, "dist/cli/own-modules.js"))}).loadedOwnModules()) + "\\n"));`,
    );
    const r = spawnSync(
      process.execPath,
      ["-r", preload, BIN, "check", "examples/violations", "--format", "sarif", "--now", NOW],
      { cwd: REPO, encoding: "utf8" },
    );
    const line = r.stderr.split("\n").find((l) => l.startsWith("OWN "));
    const files = JSON.parse(line!.slice(4)) as string[];
    expect(files.length).toBeGreaterThan(40);
    for (const f of files) {
      const text = fs.readFileSync(f, "utf8");
      expect(text, f).not.toMatch(
        /\brequire\.(resolve|cache|main|extensions)\b|\bmodule\.(parent|children|paths)\b|\bimport\(/,
      );
    }
  });

  it("says a checkout is not built yet, whichever module is missing", () => {
    for (const present of [[], ["cli/own-modules.js"], ["cli/own-modules.js", "cli/one-shot.js"]]) {
      const root = fs.mkdtempSync(path.join(tmp, "co-"));
      fs.mkdirSync(path.join(root, "bin"));
      fs.copyFileSync(BIN, path.join(root, "bin", "tokenwarden.js"));
      for (const f of present) {
        fs.mkdirSync(path.dirname(path.join(root, "dist", f)), { recursive: true });
        fs.copyFileSync(path.join(REPO, "dist", f), path.join(root, "dist", f));
      }
      for (const command of ["check", "validate"]) {
        const r = spawnSync(
          process.execPath,
          [path.join(root, "bin", "tokenwarden.js"), command, "x.yaml"],
          {
            encoding: "utf8",
          },
        );
        expect([r.status, r.stderr], `${command} with ${present.join(", ")}`).toEqual([
          2,
          "tokenwarden: not built yet; run `npm run build` in the tokenwarden checkout\n",
        ]);
      }
    }
  });
});
