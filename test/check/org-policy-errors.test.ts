/**
 * An organisation's own Rego that fails while evaluating is an input problem the user must fix:
 * exit 2 with the Rego error's file, line and code — not a crash, and no half-written report.
 */
import { describe, expect, it } from "vitest";
import { runMain } from "../support/run-cli";

describe("check with a failing organisation policy", () => {
  it("exits 2 naming the rule's file and the conflict", async () => {
    const r = await runMain([
      "check",
      "examples/access-needs.yaml",
      "--policies",
      "test/fixtures/org-conflict",
      "--format",
      "sarif",
    ]);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toMatch(
      /policy evaluation failed: .*conflict\.rego:\d+:\d+: eval_conflict_error/,
    );
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("plan reports the same failure with exit 2", async () => {
    const r = await runMain([
      "plan",
      "examples/access-needs.yaml",
      "--policies",
      "test/fixtures/org-conflict",
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/eval_conflict_error/);
  });
});
