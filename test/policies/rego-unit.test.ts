/**
 * Runs policies/*_test.rego on the project's Rego engine: every `test_*` rule of the test package
 * must evaluate to true. (The same files run under `opa test policies/`.)
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../rego";
import { policyData, policyModules } from "./load-policies";

const modules = policyModules({ tests: true });
const compiled = compile(modules);
const data = policyData();

const testNames = modules
  .filter((m) => m.file.endsWith("_test.rego"))
  .flatMap((m) => {
    const pkg = /^package\s+([\w.]+)/m.exec(m.source)?.[1] ?? "";
    return [...m.source.matchAll(/^(test_\w+)\b/gm)].map((x) => ({ pkg, name: x[1] }));
  });

describe("policies/*_test.rego", () => {
  it("has a test for every rule in the catalogue", () => {
    for (let n = 1; n <= 28; n++) {
      const id = `tw${String(n).padStart(3, "0")}`;
      expect(testNames.some((t) => t.name.startsWith(`test_${id}_`))).toBe(true);
    }
  });

  for (const t of testNames) {
    it(t.name, () => {
      const rs = compiled.prepare(`data.${t.pkg}.${t.name}`).eval({ data });
      expect(rs.map((r) => r.expressions[0].value)).toEqual([true]);
    });
  }
});
