/**
 * The CLI process's V8 settings (cli/one-shot.ts): applied unless node's own command line sets an
 * inlining budget, and a command runs the same either way.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { CHEAP_COMPILE_V8, oneShotFlags, tuneForOneShot } from "../../cli/one-shot";

const REPO = path.resolve(__dirname, "../..");
const built = fs.existsSync(path.join(REPO, "dist/cli/one-shot.js"));
if (!built && process.env.CI === "true") throw new Error("dist/ missing: run npm run build first");

describe("one-shot V8 settings", () => {
  it("leave an inlining budget given on node's command line alone", () => {
    expect(tuneForOneShot(["--max-inlined-bytecode-size-cumulative=500"])).toBe(false);
    expect(tuneForOneShot(["--no-turbo-inlining"])).toBe(false);
  });

  it("leave any TurboFan setting given on node's command line alone", () => {
    expect(tuneForOneShot(["--no-turbo-escape"])).toBe(false);
  });

  it("apply otherwise", () => {
    expect(tuneForOneShot(["--stack-size=2000"])).toBe(true);
  });

  it("turn TurboFan's costlier passes off only on the V8 versions they were checked on", () => {
    expect(oneShotFlags("11.3.244.8-node.38")).toContain("--no-turbo-escape");
    expect(oneShotFlags("11.3.244.8-node.38")).toContain("--max-inlined-bytecode-size-cumulative");
    // a V8 not on the list gets only the inlining budget: an unknown flag would print an error
    expect(oneShotFlags("12.4.254.21-node.33")).not.toContain("turbo");
    expect(oneShotFlags("11.30.1")).not.toContain("turbo");
    expect(oneShotFlags("11.3.244.8-node.38").endsWith(CHEAP_COMPILE_V8.flags)).toBe(true);
  });

  it.skipIf(!built)(
    "check gives the same report with node's defaults and with the CLI's budget",
    () => {
      const example = path.join(REPO, "examples/violations/access-needs.yaml");
      const run = (...nodeArgs: string[]) =>
        spawnSync(
          process.execPath,
          [
            ...nodeArgs,
            "bin/tokenwarden.js",
            "check",
            example,
            "--format",
            "json",
            "--now",
            "2026-11-30T12:00:00Z",
          ],
          { cwd: REPO, encoding: "utf8" },
        );
      const tuned = run();
      const defaults = run("--max-inlined-bytecode-size-cumulative=920");
      expect(tuned.status).toBe(1);
      expect(defaults.status).toBe(1);
      expect(tuned.stdout).toBe(defaults.stdout);
      // every flag the CLI sets is one this V8 knows: an unknown one prints "unrecognized flag"
      expect(tuned.stderr).toBe("");
      expect(JSON.parse(tuned.stdout).findings.length).toBeGreaterThan(0);
    },
  );
});
