/** Machine-readable JSON: the report as is, with a summary. Stable key order for diffs. */
import { counts, sorted, type Report, type ReportResult } from "./types";

export function renderJson(report: Report): string {
  const item = (r: ReportResult) => ({
    id: r.ruleId,
    severity: r.severity,
    message: r.message,
    remediation: r.remediation,
    source: r.source,
    ...(r.need !== undefined ? { need: r.need } : {}),
    ...(r.field !== undefined ? { field: r.field } : {}),
    file: r.location.file,
    ...(r.location.line !== undefined ? { line: r.location.line } : {}),
    ...(r.location.column !== undefined ? { column: r.location.column } : {}),
    ...(r.logical !== undefined ? { resource: r.logical } : {}),
    ...(r.waiver ? { waiver: r.waiver } : {}),
  });
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
