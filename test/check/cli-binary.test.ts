/**
 * `tokenwarden check` through the installed launcher (bin/tokenwarden.js → dist/), as CI runs it:
 * exit codes, stdout/stderr separation, one-line errors without a stack. Needs `npm run build`
 * (npm test runs it first).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { NOW, REPO, fixture } from "./helpers";

const BIN = path.join(REPO, "bin/tokenwarden.js");
const built = fs.existsSync(path.join(REPO, "dist/cli/commands/check.js"));
if (!built && process.env.CI === "true") throw new Error("dist/ missing: run npm run build first");
if (!built) console.warn("skipping the launcher tests: dist/ is not built (npm run build)");

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: REPO,
    encoding: "utf8",
    env: { ...process.env, CI: "true" },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe.skipIf(!built)("tokenwarden check (installed launcher)", () => {
  it("exits 0 on a clean manifest and 1 on denies, writing the report to stdout only", () => {
    const clean = cli(["check", fixture("clean.yaml"), "--now", NOW]);
    expect([clean.code, clean.err]).toEqual([0, ""]);
    const bad = cli(["check", fixture("violations.yaml"), "--now", NOW, "--format", "github"]);
    expect(bad.code).toBe(1);
    expect(bad.err).toBe("");
    expect(bad.out).toMatch(
      /^::error file=test\/check\/fixtures\/violations\.yaml,line=\d+,col=\d+,title=TW001::/m,
    );
  });

  it("exits 2 with a one-line message and no stack for unreadable input", () => {
    const r = cli(["check", "missing.yaml"]);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toBe("tokenwarden check: missing.yaml: no such file or directory\n");
  });
});
