/**
 * GitHub Actions workflow commands: `::error file=…,line=…,title=TW004::message` show up as
 * annotations on the pull request's diff at that line. Escaping follows the runner's rules
 * (data: %, CR, LF; properties additionally `:` and `,`).
 */
import { sorted, type Report, type ReportResult } from "./types";

function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

function annotation(kind: "error" | "warning" | "notice", r: ReportResult, text: string): string {
  const props = [`file=${escapeProperty(r.location.file)}`];
  if (r.location.line !== undefined) props.push(`line=${r.location.line}`);
  if (r.location.column !== undefined) props.push(`col=${r.location.column}`);
  props.push(`title=${escapeProperty(r.ruleId)}`);
  return `::${kind} ${props.join(",")}::${escapeData(text)}`;
}

export function renderGithub(report: Report): string {
  const lines: string[] = [];
  for (const r of sorted(report.results)) {
    const at = r.logical ? ` [${r.logical}]` : "";
    lines.push(annotation(r.severity === "deny" ? "error" : "warning", r, `${r.message}${at}`));
  }
  for (const r of sorted(report.waived)) {
    lines.push(
      annotation(
        "notice",
        r,
        `waived until ${r.waiver?.expires ?? "?"}: ${r.message} — ${r.waiver?.reason ?? ""}`,
      ),
    );
  }
  for (const n of report.notes) lines.push(`::notice title=tokenwarden::${escapeData(n)}`);
  return lines.length ? lines.join("\n") + "\n" : "";
}
