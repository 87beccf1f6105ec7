import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { loadCases, runCase } from "../../rego/conformance/runner";

// Our own cases, in the conformance runner's YAML format: every one must pass.
const cases = loadCases(path.resolve(__dirname, "cases"));

describe("own Rego cases (test/rego/cases)", () => {
  it("has cases", () => expect(cases.length).toBeGreaterThan(10));
  for (const lc of cases) {
    it(`${path.basename(lc.file)}: ${lc.c.note}`, () => {
      const o = runCase(lc);
      expect(o.status === "fail" ? o.reason : o.status).toBe("pass");
    });
  }
});
