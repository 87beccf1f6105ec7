/**
 * `tokenwarden policy eval` / `policy test`, run in-process through the real dispatcher, as a
 * policy author would run them.
 */
import { describe, expect, it } from "vitest";
import * as path from "node:path";
import { runMain } from "../support/run-cli";

const ROOT = path.resolve(__dirname, "../..");

describe("tokenwarden policy eval", () => {
  it("prints OPA's result shape with bindings", async () => {
    const r = await runMain(
      [
        "policy",
        "eval",
        "-d",
        "test/fixtures/rego",
        "-i",
        "test/fixtures/rego-input.json",
        "x := data.authz.allow",
      ],
      ROOT,
    );
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const parsed = JSON.parse(r.out);
    expect(parsed.result).toHaveLength(1);
    expect(parsed.result[0].bindings).toEqual({ x: true });
    expect(parsed.result[0].expressions[0].text).toBe("x := data.authz.allow");
    expect(parsed.result[0].expressions[0].location).toEqual({ row: 1, col: 1 });
  });

  it("prints {} for an undefined query", async () => {
    const r = await runMain(
      ["policy", "eval", "-d", "test/fixtures/rego", "data.authz.nope"],
      ROOT,
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({});
  });

  it("pretty format prints the lone value", async () => {
    const r = await runMain(
      ["policy", "eval", "--format", "pretty", "-d", "test/fixtures/rego", "data.authz.admins"],
      ROOT,
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual(["alice"]);
  });

  it("reports parse errors with file:line:col, the source line and a caret; exit 2", async () => {
    const r = await runMain(
      ["policy", "eval", "-d", "test/fixtures/rego-broken", "data.broken.allow"],
      ROOT,
    );
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/test\/fixtures\/rego-broken\/broken\.rego:\d+:\d+: rego_parse_error: /);
    expect(r.err).toMatch(/\n\t.*\n\t *\^/);
    expect(r.out).toBe("");
  });

  it("rejects unknown flags as usage errors", async () => {
    const r = await runMain(["policy", "eval", "--bogus", "x"], ROOT);
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown flag --bogus");
  });
});

describe("tokenwarden policy test", () => {
  it("runs test_* rules with `with` mocking; summary line; exit 0", async () => {
    const r = await runMain(["policy", "test", "-v", "test/fixtures/rego"], ROOT);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain("data.authz_test.test_admins_mocked: PASS");
    expect(r.out).toMatch(/^5 passed, 0 failed$/m);
  });

  it("exits 1 and names the failing test", async () => {
    const r = await runMain(["policy", "test", "test/fixtures/rego-failing"], ROOT);
    expect(r.code).toBe(1);
    expect(r.out).toContain("data.failing_test.test_fails: FAIL");
    expect(r.out).not.toContain("test_passes: PASS"); // passing tests only with -v
    expect(r.out).toMatch(/^1 passed, 1 failed$/m);
  });

  it("passes the project's own policy unit tests (policies/*_test.rego)", async () => {
    const r = await runMain(["policy", "test", "policies"], ROOT);
    expect(r.err).toBe("");
    const summary = /^(\d+) passed, (\d+) failed$/m.exec(r.out);
    expect(summary).not.toBeNull();
    expect(Number(summary![1])).toBeGreaterThanOrEqual(40);
    expect(summary![2]).toBe("0");
    expect(r.code).toBe(0);
  });
});
