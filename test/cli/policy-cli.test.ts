/**
 * `tokenwarden policy eval` / `policy test`, run in-process through the real dispatcher, as a
 * policy author would run them.
 */
import { describe, expect, it } from "vitest";
import * as path from "node:path";
import { main } from "../../cli/main";
import type { CliIO } from "../../cli/io";

const ROOT = path.resolve(__dirname, "../..");

function capture(): { io: CliIO; out: () => string; err: () => string } {
  let out = "";
  let err = "";
  return {
    io: {
      out: (t) => (out += t),
      err: (t) => (err += t),
      interactive: false,
      env: {},
      cwd: ROOT,
      readStdin: async () => "",
    },
    out: () => out,
    err: () => err,
  };
}

describe("tokenwarden policy eval", () => {
  it("prints OPA's result shape with bindings", async () => {
    const c = capture();
    const code = await main(
      [
        "policy",
        "eval",
        "-d",
        "test/fixtures/rego",
        "-i",
        "test/fixtures/rego-input.json",
        "x := data.authz.allow",
      ],
      c.io,
    );
    expect(c.err()).toBe("");
    expect(code).toBe(0);
    const parsed = JSON.parse(c.out());
    expect(parsed.result).toHaveLength(1);
    expect(parsed.result[0].bindings).toEqual({ x: true });
    expect(parsed.result[0].expressions[0].text).toBe("x := data.authz.allow");
    expect(parsed.result[0].expressions[0].location).toEqual({ row: 1, col: 1 });
  });

  it("prints {} for an undefined query", async () => {
    const c = capture();
    const code = await main(
      ["policy", "eval", "-d", "test/fixtures/rego", "data.authz.nope"],
      c.io,
    );
    expect(code).toBe(0);
    expect(JSON.parse(c.out())).toEqual({});
  });

  it("pretty format prints the lone value", async () => {
    const c = capture();
    const code = await main(
      ["policy", "eval", "--format", "pretty", "-d", "test/fixtures/rego", "data.authz.admins"],
      c.io,
    );
    expect(code).toBe(0);
    expect(JSON.parse(c.out())).toEqual(["alice"]);
  });

  it("reports parse errors with file:line:col, the source line and a caret; exit 2", async () => {
    const c = capture();
    const code = await main(
      ["policy", "eval", "-d", "test/fixtures/rego-broken", "data.broken.allow"],
      c.io,
    );
    expect(code).toBe(2);
    expect(c.err()).toMatch(
      /test\/fixtures\/rego-broken\/broken\.rego:\d+:\d+: rego_parse_error: /,
    );
    expect(c.err()).toMatch(/\n\t.*\n\t *\^/);
    expect(c.out()).toBe("");
  });

  it("rejects unknown flags as usage errors", async () => {
    const c = capture();
    const code = await main(["policy", "eval", "--bogus", "x"], c.io);
    expect(code).toBe(2);
    expect(c.err()).toContain("unknown flag --bogus");
  });
});

describe("tokenwarden policy test", () => {
  it("runs test_* rules with `with` mocking; summary line; exit 0", async () => {
    const c = capture();
    const code = await main(["policy", "test", "-v", "test/fixtures/rego"], c.io);
    expect(c.err()).toBe("");
    expect(code).toBe(0);
    expect(c.out()).toContain("data.authz_test.test_admins_mocked: PASS");
    expect(c.out()).toMatch(/^5 passed, 0 failed$/m);
  });

  it("exits 1 and names the failing test", async () => {
    const c = capture();
    const code = await main(["policy", "test", "test/fixtures/rego-failing"], c.io);
    expect(code).toBe(1);
    expect(c.out()).toContain("data.failing_test.test_fails: FAIL");
    expect(c.out()).not.toContain("test_passes: PASS"); // passing tests only with -v
    expect(c.out()).toMatch(/^1 passed, 1 failed$/m);
  });

  it("passes the project's own policy unit tests (policies/*_test.rego)", async () => {
    const c = capture();
    const code = await main(["policy", "test", "policies"], c.io);
    expect(c.err()).toBe("");
    const summary = /^(\d+) passed, (\d+) failed$/m.exec(c.out());
    expect(summary).not.toBeNull();
    expect(Number(summary![1])).toBeGreaterThanOrEqual(40);
    expect(summary![2]).toBe("0");
    expect(code).toBe(0);
  });
});
