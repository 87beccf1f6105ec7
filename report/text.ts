/** Plain text for people: findings grouped by input file, `file:line: ID [severity] message`. */
import { counts, sorted, where, type Report } from "./types";

export function renderText(report: Report): string {
  const lines: string[] = [];
  const byFile = new Map<string, Report["results"][number][]>();
  for (const input of report.inputs) byFile.set(input.file, []);
  for (const r of sorted(report.results)) {
    const list = byFile.get(r.location.file) ?? [];
    list.push(r);
    byFile.set(r.location.file, list);
  }
  for (const [file, results] of byFile) {
    lines.push(`${file}: ${results.length === 0 ? "ok" : plural(results.length, "finding")}`);
    for (const r of results) {
      const at = r.logical ? ` (${r.logical})` : "";
      lines.push(`  ${where(r)}: ${r.ruleId} [${r.severity}] ${r.message}${at}`);
    }
  }
  if (report.waived.length) {
    lines.push("", "Waived (reviewed exceptions):");
    for (const r of sorted(report.waived)) {
      lines.push(
        `  ${where(r)}: ${r.ruleId} waived until ${r.waiver?.expires ?? "?"} — ${r.waiver?.reason ?? ""}`,
      );
    }
  }
  for (const n of report.notes) lines.push("", `note: ${n}`);
  if (report.skipped?.length) {
    lines.push("", "Skipped (not an input check reads):");
    for (const k of report.skipped) lines.push(`  ${k.file}: ${k.reason}`);
  }
  const c = counts(report);
  lines.push(
    "",
    `${plural(c.deny + c.warn, "finding")} (${c.deny} deny, ${c.warn} warn), ${c.waived} waived, in ${plural(report.inputs.length, "input")}`,
  );
  return lines.join("\n") + "\n";
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
