/** `check --policies <dir> --v0-compatible`: an organisation's Rego v0 rules run like OPA 1.x's flag. */
import { describe, expect, it } from "vitest";
import { runMain } from "../support/run-cli";

describe("check --v0-compatible", () => {
  it("refuses v0 organisation policies without the flag, naming the file", async () => {
    const r = await runMain([
      "check",
      "examples/access-needs.yaml",
      "--policies",
      "test/fixtures/rego-v0-org",
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/naming\.rego:4:\d+: rego_parse_error: `if` keyword is required/);
  });

  it("evaluates them as v0 with the flag: deny[msg] findings reach the report", async () => {
    const r = await runMain([
      "check",
      "examples/access-needs.yaml",
      "--policies",
      "test/fixtures/rego-v0-org",
      "--v0-compatible",
      "--format",
      "json",
    ]);
    expect(r.err).toBe("");
    expect(r.code).toBe(1);
    expect(r.out).toContain("name must start with acme-");
  });
});
