/** tokenwarden's Rego rules compiled once on the project's engine, as a findings function. */
import { compile } from "../../rego";
import type { Finding, PolicyInput } from "../../policies/input/types";
import { policyData, policyModules } from "./load-policies";

export function regoFindings(): (input: PolicyInput) => Finding[] {
  const prepared = compile(policyModules({ tests: false })).prepare("data.tokenwarden.findings");
  const data = policyData();
  return (input) => {
    const rs = prepared.eval({ input, data });
    if (rs.length !== 1) throw new Error(`expected one result, got ${rs.length}`);
    return rs[0].expressions[0].value as Finding[];
  };
}

/** One line per finding, sorted: what the two engines must agree on. */
export function findingLines(findings: readonly Finding[]): string[] {
  return findings
    .map((f) =>
      [f.id, f.source, f.severity, f.need ?? "-", f.field ?? "-", f.message, f.remediation].join(
        " | ",
      ),
    )
    .sort();
}
