/**
 * JUnit XML for CI dashboards: one test suite per input, one test case per rule that ran on it
 * (the catalogue, plus any organisation rule that reported). A deny is a failure of that rule's
 * case; warnings and waivers are written to the case's system-out so they stay visible.
 */
import { catalogue } from "./rules";
import { problemText, sorted, where, type Report, type ReportResult } from "./types";

function xml(s: string): string {
  return (
    s
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;")
      // XML 1.0 cannot carry these control characters at all, not even escaped.
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "")
  );
}

function line(r: ReportResult): string {
  return `${where(r)}: ${r.ruleId} [${r.severity}] ${r.message}${r.logical ? ` (${r.logical})` : ""}`;
}

export function renderJunit(report: Report): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const suites: string[] = [];
  let totalTests = 0;
  let totalFailures = 0;
  for (const input of report.inputs) {
    const results = sorted(report.results.filter((r) => r.location.file === input.file));
    const waived = sorted(report.waived.filter((r) => r.location.file === input.file));
    const described = report.rules ?? catalogue();
    const ids = described.map((r) => r.id);
    for (const r of [...results, ...waived]) if (!ids.includes(r.ruleId)) ids.push(r.ruleId);
    const cases: string[] = [];
    let failures = 0;
    for (const id of ids) {
      const title = described.find((c) => c.id === id)?.title ?? "organisation rule";
      const denies = results.filter((r) => r.ruleId === id && r.severity === "deny");
      const others = [
        ...results.filter((r) => r.ruleId === id && r.severity === "warn").map(line),
        ...waived
          .filter((r) => r.ruleId === id)
          .map(
            (r) =>
              `${line(r)} — waived until ${r.waiver?.expires ?? "?"}: ${r.waiver?.reason ?? ""}`,
          ),
      ];
      const attrs = `name="${xml(`${id} ${title}`)}" classname="${xml(`tokenwarden.${input.file}`)}"`;
      const body: string[] = [];
      if (denies.length) {
        failures++;
        body.push(
          `      <failure message="${xml(denies[0].message)}" type="deny">${xml(denies.map(line).join("\n"))}</failure>`,
        );
      }
      if (others.length) body.push(`      <system-out>${xml(others.join("\n"))}</system-out>`);
      cases.push(
        body.length
          ? `    <testcase ${attrs}>\n${body.join("\n")}\n    </testcase>`
          : `    <testcase ${attrs}/>`,
      );
    }
    totalTests += ids.length;
    totalFailures += failures;
    suites.push(
      `  <testsuite name="${xml(input.file)}" tests="${ids.length}" failures="${failures}" errors="0" skipped="0">\n${cases.join("\n")}\n  </testsuite>`,
    );
  }
  let totalErrors = 0;
  const problemFiles = [...new Set((report.errors ?? []).map((p) => p.file))];
  for (const file of problemFiles) {
    const problems = (report.errors ?? []).filter((p) => p.file === file);
    const text = problems
      .map(
        (p) =>
          `${p.file}${p.line !== undefined ? `:${p.line}:${p.column ?? 1}` : ""}: ${problemText(p)}`,
      )
      .join("\n");
    totalTests++;
    totalErrors++;
    suites.push(
      `  <testsuite name="${xml(file)}" tests="1" failures="0" errors="1" skipped="0">\n    <testcase name="input is valid" classname="${xml(`tokenwarden.${file}`)}">\n      <error message="${xml(problemText(problems[0]))}" type="invalid input">${xml(text)}</error>\n    </testcase>\n  </testsuite>`,
    );
  }
  out.push(
    `<testsuites name="tokenwarden check" tests="${totalTests}" failures="${totalFailures}"${totalErrors ? ` errors="${totalErrors}"` : ""}>`,
  );
  out.push(...suites);
  out.push("</testsuites>");
  return out.join("\n") + "\n";
}
