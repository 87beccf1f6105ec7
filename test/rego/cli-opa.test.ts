/**
 * `policy eval` / `policy test` behaving like `opa eval` / `opa test`: data files of any name,
 * bundles with a `.manifest`, `--ignore`, `--v0-compatible`, parameterized and same-named tests,
 * `--run` as a regular expression, `--format json` in OPA's shape, per-test timeouts.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { runMain } from "../support/run-cli";

const ROOT = path.resolve(__dirname, "../..");
const FIX = "test/fixtures/rego-opa";

function tmpTree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tw-rego-"));
  for (const [rel, text] of Object.entries(files)) {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
  }
  return dir;
}

describe("policy test like opa test", () => {
  it("reports a parameterized test case by case, same-named tests apart, todo_ as skipped", async () => {
    const r = await runMain(["policy", "test", "-v", `${FIX}/lib`], ROOT);
    expect(r.code).toBe(1);
    expect(r.out).toContain("data.lib.strings_test.test_initials: FAIL");
    expect(r.out).toMatch(/^ {2}two words: PASS$/m);
    expect(r.out).toMatch(/^ {2}wrong on purpose: FAIL$/m);
    expect(r.out).toContain("data.lib.strings_test.test_same_name: PASS");
    expect(r.out).toContain("data.lib.strings_test.test_same_name#01: FAIL");
    expect(r.out).toContain("data.lib.strings_test.todo_test_later: SKIPPED");
    expect(r.out).toMatch(/^1 passed, 2 failed, 1 skipped$/m);
  });

  it("loads .json/.yaml files of any name at their directory's path", async () => {
    // data paths are relative to the path given: here data.roles.eng.alice
    const r = await runMain(["policy", "test", "--run", "roles_test", FIX], ROOT);
    expect(r.err).toBe("");
    expect(r.out).toMatch(/^3 passed, 0 failed$/m);
    expect(r.code).toBe(0);
  });

  it("reads a bundle .manifest: rego_version 0, file_rego_versions, data.json only", async () => {
    const r = await runMain(["policy", "test", "-v", `${FIX}/v0lib`], ROOT);
    expect(r.err).toBe("");
    expect(r.out).toContain("data.v0lib.test_bundle_data: PASS");
    expect(r.out).toMatch(/^3 passed, 0 failed$/m);
  });

  it("refuses data or packages outside the manifest's roots", async () => {
    const dir = tmpTree({
      ".manifest": JSON.stringify({ roots: ["a"] }),
      "a/p.rego": "package a\nx := 1\n",
      "b/data.json": "{}",
    });
    const r = await runMain(["policy", "test", dir], ROOT);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /b[/\\]data\.json: manifest roots \["a"\] do not permit data at path \/b/,
    );
  });

  it("filters with --run as a regular expression over the full name", async () => {
    const r = await runMain(
      ["policy", "test", "-v", "--run", "roles_test\\.test_(yaml|json)", FIX],
      ROOT,
    );
    expect(r.out).toMatch(/^2 passed, 0 failed$/m);
    expect(r.out).not.toContain("test_admins_within_limit");
    const bad = await runMain(["policy", "test", "--run", "(", FIX], ROOT);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("--run: invalid regular expression");
  });

  it("skips files and directories matching --ignore", async () => {
    const r = await runMain(["policy", "test", "--ignore", "lib", "--ignore", "v0*", FIX], ROOT);
    expect(r.out).toMatch(/^3 passed, 0 failed$/m);
    expect(r.code).toBe(0);
  });

  it("prints OPA's JSON result shape", async () => {
    const r = await runMain(["policy", "test", "--format", "json", `${FIX}/lib`], ROOT);
    const results = JSON.parse(r.out) as Record<string, unknown>[];
    const param = results.find((x) => x.name === "test_initials")!;
    expect(param).toMatchObject({
      package: "data.lib.strings_test",
      fail: true,
      location: { file: expect.stringContaining("strings_test.rego"), row: 6, col: 1 },
      sub_results: { "two words": {}, "wrong on purpose": { fail: true } },
    });
    expect(typeof param.duration).toBe("number");
    expect(results.find((x) => x.name === "todo_test_later")).toMatchObject({ skip: true });
    expect(results.find((x) => x.name === "test_same_name")).not.toHaveProperty("fail");
  });

  it("stops a test at its --timeout and reports it as an error", async () => {
    const dir = tmpTree({
      "slow_test.rego":
        "package slow_test\n\ntest_slow if count([i | some i in numbers.range(1, 100000); some j in numbers.range(1, 100000); i == j]) > 0\n\ntest_fast if true\n",
    });
    const r = await runMain(["policy", "test", "--timeout", "200", dir], ROOT);
    expect(r.code).toBe(1);
    expect(r.out).toContain("data.slow_test.test_slow: ERROR");
    expect(r.out).toContain("time budget");
    expect(r.out).toMatch(/^1 passed, 1 failed$/m);
  });

  it("runs v0 policies with --v0-compatible and refuses them without", async () => {
    const dir = tmpTree({
      "p.rego":
        'package p\n\ndeny[msg] {\n\tinput.x > 1\n\tmsg := "big"\n}\n\ntest_deny {\n\tdeny["big"] with input as {"x": 2}\n}\n',
    });
    const v1 = await runMain(["policy", "test", dir], ROOT);
    expect(v1.code).toBe(2);
    expect(v1.err).toContain("`if` keyword is required before rule body");
    const v0 = await runMain(["policy", "test", "--v0-compatible", dir], ROOT);
    expect(v0.out).toMatch(/^1 passed, 0 failed$/m);
    const ev = await runMain(
      ["policy", "eval", "--v0-compatible", "-d", dir, "--format", "pretty", "data.p.deny"],
      ROOT,
    );
    expect(ev.err).toBe("");
    expect(JSON.parse(ev.out)).toEqual([]);
  });
});

describe("policy eval/test --capabilities", () => {
  it("declares a tool's built-in so its tests can mock it, and refuses unlisted ones", async () => {
    const dir = tmpTree({
      "caps.json": JSON.stringify({
        builtins: ["eq", "equal", "assign", "count", "lower"]
          .map((name) => ({ name }))
          .concat([{ name: "tool.owner", decl: { args: [{ type: "string" }] } } as never]),
      }),
      "policy/p.rego":
        'package p\n\nowner := tool.owner("svc")\n\nmock(_) := "team-a"\n\ntest_owner if owner == "team-a" with tool.owner as mock\n',
    });
    const ok = await runMain(
      ["policy", "test", "--capabilities", path.join(dir, "caps.json"), path.join(dir, "policy")],
      ROOT,
    );
    expect(ok.err).toBe("");
    expect(ok.out).toMatch(/^1 passed, 0 failed$/m);
    const without = await runMain(["policy", "test", path.join(dir, "policy")], ROOT);
    expect(without.code).toBe(2);
    expect(without.err).toContain("undefined function tool.owner");
    const bad = await runMain(
      ["policy", "eval", "--capabilities", path.join(dir, "policy/p.rego"), "1"],
      ROOT,
    );
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/p\.rego: not valid JSON/);
  });
});

describe("policy test --coverage", () => {
  it("reports covered and not covered lines per file in OPA's shape, with a threshold", async () => {
    const dir = tmpTree({
      "p.rego":
        'package p\n\nallow if input.role == "admin"\n\ndeny if {\n\tinput.role == "guest"\n\tinput.path == "/secret"\n}\n',
      "p_test.rego": 'package p\n\ntest_admin if allow with input as {"role": "admin"}\n',
    });
    const r = await runMain(["policy", "test", "--coverage", dir], ROOT);
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.out) as {
      files: Record<string, { covered?: unknown[]; not_covered?: unknown[]; coverage: number }>;
      coverage: number;
    };
    const file = Object.keys(rep.files).find(
      (f) => f.endsWith(`${path.sep}p.rego`) || f.endsWith("/p.rego"),
    )!;
    expect(rep.files[file].covered).toEqual([{ start: { row: 3 }, end: { row: 3 } }]);
    expect(rep.files[file].not_covered).toEqual([{ start: { row: 5 }, end: { row: 7 } }]);
    expect(rep.files[file].coverage).toBe(25);
    const strict = await runMain(["policy", "test", "--coverage", "--threshold", "90", dir], ROOT);
    expect(strict.code).toBe(1);
    expect(strict.err).toContain("code coverage threshold not met");
  });
});
