/**
 * TW014–TW028 in SARIF: every rule has its own descriptor (title, description, help with the reason
 * and the fix) and carries the OWASP Non-Human Identities Top 10 (2025) risk it addresses as a
 * `properties.tags` entry, which code scanning shows and filters on.
 */
import { describe, expect, it } from "vitest";
import { loadPolicySet } from "../../policies/evaluate";
import { renderSarif } from "../../report/sarif";
import type { Report, ReportResult } from "../../report/types";

const IDS = Array.from({ length: 15 }, (_, i) => `TW${String(i + 14).padStart(3, "0")}`);
const NHI = /^OWASP-NHI(10|[1-9]):2025$/;

const result = (ruleId: string, severity: "deny" | "warn"): ReportResult => ({
  ruleId,
  severity,
  message: `${ruleId} message; fix`,
  remediation: "fix",
  source: "vault_policy.x",
  location: { file: "plan.json", line: 3 },
  logical: "vault_policy.x",
});

// What `check` hands the report: the descriptors the bundled policies' METADATA annotations give.
const described = loadPolicySet().rules.map((r) => ({ ...r, help: r.remediation }));
const info = (id: string) => described.find((r) => r.id === id);

describe("SARIF for the least-privilege rules", () => {
  it("describes each rule with help giving the reason and the fix, and an OWASP NHI tag", () => {
    for (const id of IDS) {
      const rule = info(id);
      expect(rule, id).toBeDefined();
      expect(rule?.help).toMatch(/^Why: .+ Fix: /);
      expect(rule?.tags.length, id).toBeGreaterThan(0);
      for (const tag of rule?.tags ?? []) expect(tag).toMatch(NHI);
    }
    expect(info("TW015")?.severity).toBe("warn");
    expect(info("TW016")?.tags).toEqual(["OWASP-NHI5:2025"]);
  });

  it("emits the tags in the rule descriptors of the log", () => {
    const report: Report = {
      tool: { name: "tokenwarden", version: "0.0.0" },
      inputs: [{ file: "plan.json", kind: "terraform-plan" }],
      results: [result("TW014", "deny"), result("TW022", "warn")],
      waived: [],
      notes: [],
      rules: described,
    };
    const log = JSON.parse(renderSarif(report)) as {
      runs: {
        tool: {
          driver: {
            rules: { id: string; help: { text: string }; properties?: { tags: string[] } }[];
          };
        };
      }[];
    };
    const rules = log.runs[0].tool.driver.rules;
    expect(rules.map((r) => [r.id, r.properties?.tags])).toEqual([
      ["TW014", ["security", "OWASP-NHI5:2025"]],
      ["TW022", ["security", "OWASP-NHI2:2025"]],
    ]);
    expect(rules[0].help.text).toContain("Fix: remove the grant");
  });
});
