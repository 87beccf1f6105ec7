/**
 * GitHub Actions workflow commands: `::error file=…,line=…,title=TW004::message` show up as
 * annotations on the pull request's diff at that line. Escaping follows the runner's rules
 * (data: %, CR, LF; properties additionally `:` and `,`).
 */
import {
  INPUT_ERROR_RULE,
  problemText,
  sorted,
  type InputProblem,
  type Report,
  type ReportResult,
} from "./types";

function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

function annotation(
  kind: "error" | "warning" | "notice",
  r: Pick<ReportResult, "location" | "ruleId">,
  text: string,
): string {
  const props = [`file=${escapeProperty(r.location.file)}`];
  if (r.location.line !== undefined) props.push(`line=${r.location.line}`);
  if (r.location.column !== undefined) props.push(`col=${r.location.column}`);
  props.push(`title=${escapeProperty(r.ruleId)}`);
  return `::${kind} ${props.join(",")}::${escapeData(text)}`;
}

export function renderGithub(report: Report): string {
  const lines: string[] = [];
  for (const p of report.errors ?? []) lines.push(problemAnnotation(p));
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
  for (const k of report.skipped ?? [])
    lines.push(`::notice title=tokenwarden::${escapeData(`skipped ${k.file}: ${k.reason}`)}`);
  return lines.length ? lines.join("\n") + "\n" : "";
}

/** An input that could not be checked: an error annotation at its line. */
function problemAnnotation(p: InputProblem): string {
  const location = {
    file: p.file,
    ...(p.line !== undefined ? { line: p.line } : {}),
    ...(p.column !== undefined ? { column: p.column } : {}),
  };
  return annotation(
    "error",
    { location, ruleId: `${INPUT_ERROR_RULE} invalid input` },
    problemText(p),
  );
}
