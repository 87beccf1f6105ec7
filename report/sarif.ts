/**
 * SARIF 2.1.0 for code scanning: rule descriptors in tool.driver.rules, each result at the manifest
 * file and line (or at the input file with the resource as a logical location). Waived findings
 * stay in the log as suppressed results, so a reviewer sees the exception and its reason.
 */
import { createHash } from "node:crypto";
import { ruleInfo } from "./rules";
import {
  INPUT_ERROR_RULE,
  problemText,
  sorted,
  type InputProblem,
  type Report,
  type ReportResult,
} from "./types";

const SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

function uri(file: string): string {
  return file.split(/[\\/]/).map(encodeURIComponent).join("/");
}

/**
 * Code scanning tracks a result across commits by its fingerprint, and merges results that share
 * one. So it says what the result is — rule, file, resource or need, field, message — and not
 * where (lines move with unrelated edits); identical results get an occurrence number.
 */
function fingerprint(r: ReportResult, seen: Map<string, number>): string {
  const what = [r.ruleId, r.location.file, r.logical ?? "", r.source, r.need ?? "", r.field ?? ""];
  const hash = createHash("sha256")
    .update([...what, r.message].join("\u0000"))
    .digest("hex")
    .slice(0, 32);
  const n = (seen.get(hash) ?? 0) + 1;
  seen.set(hash, n);
  return `${hash}:${n}`;
}

/** An input that could not be checked, as a result: code scanning shows it at its line. */
const INPUT_ERROR_DESCRIPTOR = {
  id: INPUT_ERROR_RULE,
  name: "InvalidInput",
  shortDescription: { text: "Input could not be checked" },
  fullDescription: {
    text: "An input given to tokenwarden check is not valid (a manifest that does not load, a plan or Terraform JSON of the wrong shape), so no rule could judge it.",
  },
  help: {
    text: "Fix the field at the reported line; `tokenwarden validate` explains manifest errors.",
  },
  defaultConfiguration: { level: "error" },
};

export function renderSarif(report: Report): string {
  const all = [...sorted(report.results), ...sorted(report.waived)];
  const problems = report.errors ?? [];
  const ruleIds: string[] = [];
  for (const r of all) if (!ruleIds.includes(r.ruleId)) ruleIds.push(r.ruleId);
  ruleIds.sort();
  if (problems.length) ruleIds.unshift(INPUT_ERROR_RULE);
  const rules = ruleIds.map((id) => {
    if (id === INPUT_ERROR_RULE) return INPUT_ERROR_DESCRIPTOR;
    const sev = all.find((r) => r.ruleId === id)?.severity ?? "deny";
    const info = report.rules?.find((r) => r.id === id) ?? ruleInfo(id, sev);
    return {
      id,
      name: info.title
        .replace(/[^A-Za-z0-9]+/g, " ")
        .trim()
        .replace(/ (\w)/g, (_, c: string) => c.toUpperCase()),
      shortDescription: { text: info.title },
      fullDescription: { text: info.description },
      help: { text: info.help },
      defaultConfiguration: { level: info.severity === "deny" ? "error" : "warning" },
      // Code scanning filters and groups rules by tag: the OWASP NHI Top 10 risk each addresses.
      ...(info.tags?.length ? { properties: { tags: ["security", ...info.tags] } } : {}),
    };
  });
  const seen = new Map<string, number>();
  const result = (r: ReportResult) => {
    const physical: Record<string, unknown> = { artifactLocation: { uri: uri(r.location.file) } };
    if (r.location.line !== undefined) {
      physical.region = {
        startLine: r.location.line,
        ...(r.location.column !== undefined ? { startColumn: r.location.column } : {}),
      };
    }
    const location: Record<string, unknown> = { physicalLocation: physical };
    if (r.logical)
      location.logicalLocations = [{ fullyQualifiedName: r.logical, kind: "resource" }];
    else if (r.need) location.logicalLocations = [{ name: r.need, kind: "object" }];
    return {
      ruleId: r.ruleId,
      ruleIndex: ruleIds.indexOf(r.ruleId),
      level: r.severity === "deny" ? "error" : "warning",
      message: {
        text:
          r.remediation && !r.message.includes(r.remediation)
            ? `${r.message} Fix: ${r.remediation}`
            : r.message,
      },
      locations: [location],
      partialFingerprints: { "tokenwardenFinding/v2": fingerprint(r, seen) },
      ...(r.waiver
        ? {
            suppressions: [
              {
                kind: "external",
                status: "accepted",
                justification: `${r.waiver.reason} (waiver expires ${r.waiver.expires})`,
              },
            ],
          }
        : {}),
    };
  };
  const problem = (p: InputProblem) => {
    const physical: Record<string, unknown> = { artifactLocation: { uri: uri(p.file) } };
    if (p.line !== undefined) {
      physical.region = {
        startLine: p.line,
        ...(p.column !== undefined ? { startColumn: p.column } : {}),
      };
    }
    const hash = createHash("sha256")
      .update([INPUT_ERROR_RULE, p.file, p.field, p.message].join("\u0000"))
      .digest("hex")
      .slice(0, 32);
    const n = (seen.get(hash) ?? 0) + 1;
    seen.set(hash, n);
    return {
      ruleId: INPUT_ERROR_RULE,
      ruleIndex: 0,
      level: "error",
      message: { text: problemText(p) },
      locations: [{ physicalLocation: physical }],
      partialFingerprints: { "tokenwardenFinding/v2": `${hash}:${n}` },
    };
  };
  const artifacts = [...report.inputs.map((i) => i.file)];
  for (const p of problems) if (!artifacts.includes(p.file)) artifacts.push(p.file);
  const log = {
    $schema: SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            rules,
          },
        },
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: [
              ...report.notes.map((n) => ({ level: "note", message: { text: n } })),
              ...(report.skipped ?? []).map((k) => ({
                level: "note",
                message: { text: `skipped ${k.file}: ${k.reason}` },
              })),
            ],
          },
        ],
        artifacts: artifacts.map((f) => ({ location: { uri: uri(f) } })),
        results: [...problems.map(problem), ...all.map(result)],
      },
    ],
  };
  return JSON.stringify(log, null, 2) + "\n";
}
