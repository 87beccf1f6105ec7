/** Machine-readable JSON: the report as is, with a summary. Stable key order for diffs. */
import { counts, sorted, type Report, type ReportResult } from "./types";

export function renderJson(report: Report): string {
  // Built field by field (a spread of a conditional object per optional field costs an object
  // each, thousands of times); assignment order is the key order of the output.
  const item = (r: ReportResult) => {
    const o: Record<string, unknown> = {
      id: r.ruleId,
      severity: r.severity,
      message: r.message,
      remediation: r.remediation,
      source: r.source,
    };
    if (r.need !== undefined) o.need = r.need;
    if (r.field !== undefined) o.field = r.field;
    o.file = r.location.file;
    if (r.location.line !== undefined) o.line = r.location.line;
    if (r.location.column !== undefined) o.column = r.location.column;
    if (r.logical !== undefined) o.resource = r.logical;
    if (r.waiver) o.waiver = r.waiver;
    return o;
  };
  const doc = {
    tool: report.tool,
    inputs: report.inputs,
    summary: counts(report),
    findings: sorted(report.results).map(item),
    waived: sorted(report.waived).map(item),
    notes: report.notes,
    skipped: report.skipped ?? [],
    errors: report.errors ?? [],
  };
  return JSON.stringify(doc, null, 2) + "\n";
}
