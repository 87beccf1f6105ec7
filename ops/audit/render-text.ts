/** The audit report as text for a terminal or a CI log: the findings first, details after. */
import type { AuditReport } from "./report-types";

const MAX_PROBLEMS_SHOWN = 20;

export function renderAuditText(r: AuditReport): string {
  const out: string[] = [];
  const s = r.stats;
  out.push(
    `Audit review of ${r.devices.reduce((n, d) => n + d.files.length, 0)} file(s) from ${r.devices.length} device(s) against ${r.manifest}`,
    `window ${day(r.window.since)} .. ${day(r.window.until)} (${r.window.days} days)`,
    `read ${s.lines} lines: ${s.requests} requests, ${s.responses} responses` +
      (s.duplicates ? `; ${s.duplicates} entries seen in more than one device counted once` : "") +
      (s.requestsWithoutResponse
        ? `; ${s.requestsWithoutResponse} requests without a response`
        : "") +
      (s.responsesWithoutRequest
        ? `; ${s.responsesWithoutRequest} responses without their request`
        : ""),
  );
  for (const d of r.devices)
    out.push(
      `device ${d.name}: ${d.entries} entries, accessors ${ACCESSORS[d.accessors]} — ${d.files.join(", ")}`,
    );
  for (const n of r.accessorMatching) out.push(`accessors: ${n}`);
  if (r.problems.count > 0) {
    out.push("", `${r.problems.count} line(s) skipped:`);
    for (const [kind, n] of Object.entries(r.problems.kinds)) out.push(`  ${n} × ${kind}`);
    for (const p of r.problems.examples.slice(0, MAX_PROBLEMS_SHOWN))
      out.push(`  ${p.file}:${p.line}: ${p.problem}`);
    if (r.problems.count > MAX_PROBLEMS_SHOWN)
      out.push(
        `  … and ${r.problems.count - MAX_PROBLEMS_SHOWN} more (--format json lists up to 200)`,
      );
  }

  out.push("", `Anomalies (${r.anomalies.length}):`);
  if (r.anomalies.length === 0) out.push("  none");
  for (const a of r.anomalies) {
    const who =
      a.need ?? (a.consumer ? `consumer ${a.consumer}` : a.rule === "TW074" ? "root" : "-");
    out.push(
      `  ${a.rule} ${a.severity.padEnd(4)} ${who}: ${a.message}` +
        (a.count > 1 ? ` (${a.count}×, ${a.first} .. ${a.last})` : ` (${a.last})`) +
        (a.remoteAddress && !a.message.includes(a.remoteAddress)
          ? ` from ${a.remoteAddress}`
          : "") +
        (a.token ? ` token ${a.token}` : ""),
    );
  }

  out.push("", `Revocation candidates — grants not used in the window (${r.unused.length}):`);
  if (r.unused.length === 0) out.push("  none");
  for (const name of r.unused) {
    const n = r.needs.find((x) => x.need === name);
    out.push(
      `  TW075 ${name} (consumer ${n?.consumer}, owner ${n?.owner ?? "none"}): ` +
        (n?.lastUse ? `last used ${n.lastUse}, before the window` : "no use in the logs read"),
    );
  }

  out.push("", "Last use per need:");
  const width = Math.max(4, ...r.needs.map((n) => n.need.length));
  for (const n of r.needs) {
    out.push(
      `  ${n.need.padEnd(width)}  ${(n.lastUse ?? "never").padEnd(24)}  ${String(n.uses).padStart(7)} uses` +
        (n.denied ? `, ${n.denied} denied` : "") +
        (n.failed ? `, ${n.failed} failed` : "") +
        `  ${n.owner ?? ""}`,
    );
    for (const t of n.tokens.slice(0, 5))
      out.push(`      token ${t.token} (${t.identifiedBy})  last ${t.lastUse}  ${t.uses} uses`);
    if (n.tokens.length > 5) out.push(`      … ${n.tokens.length - 5} more tokens`);
    for (const rule of n.rules) {
      const unusedCaps = rule.granted.filter((c) => !rule.used.includes(c));
      out.push(
        `      ${rule.path}: used [${rule.used.join(", ")}]` +
          (unusedCaps.length ? `, granted but unused [${unusedCaps.join(", ")}]` : "") +
          (rule.paths.length ? ` on ${rule.paths.length}${rule.morePaths ? "+" : ""} path(s)` : ""),
      );
    }
  }

  out.push("", `Narrower policies proposed (${r.proposals.length}):`);
  if (r.proposals.length === 0) out.push("  none");
  for (const p of r.proposals) {
    out.push(`  TW076 ${p.need} — ${p.location}`);
    for (const c of p.changes) out.push(`    - ${c}`);
    out.push("    proposed policy " + p.policy + ":");
    out.push(indent(p.proposedHcl, 6));
    out.push("    manifest change:");
    out.push(indent(p.manifestDiff, 6));
  }
  if (r.otherTokens.length > 0) {
    out.push(
      "",
      `Requests by tokens no need accounts for (${r.stats.unattributed}), by display name:`,
    );
    for (const o of r.otherTokens) out.push(`  ${o.displayName}: ${o.requests}`);
  }
  const findings = r.anomalies.length + r.unused.length;
  out.push(
    "",
    `${r.anomalies.length} anomal${r.anomalies.length === 1 ? "y" : "ies"}, ${r.unused.length} unused grant(s), ${r.proposals.length} narrower polic${r.proposals.length === 1 ? "y" : "ies"} proposed` +
      (findings === 0 ? " — clean" : ""),
  );
  return out.join("\n") + "\n";
}

const ACCESSORS = {
  hmac: "HMAC'd",
  raw: "raw (hmac_accessor=false)",
  mixed: "HMAC'd and raw",
  none: "absent",
};

function day(isoTime: string): string {
  return isoTime.slice(0, 10);
}

function indent(text: string, n: number): string {
  const pad = " ".repeat(n);
  return text
    .replace(/\n$/, "")
    .split("\n")
    .map((l) => pad + l)
    .join("\n");
}
