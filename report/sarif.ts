/**
 * SARIF 2.1.0 for code scanning: rule descriptors in tool.driver.rules, each result at the manifest
 * file and line (or at the input file with the resource as a logical location). Waived findings
 * stay in the log as suppressed results, so a reviewer sees the exception and its reason.
 */
import { ruleInfo } from "./rules";
import { sorted, type Report, type ReportResult } from "./types";

const SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

function uri(file: string): string {
  return file.split(/[\\/]/).map(encodeURIComponent).join("/");
}

export function renderSarif(report: Report): string {
  const all = [...sorted(report.results), ...sorted(report.waived)];
  const ruleIds: string[] = [];
  for (const r of all) if (!ruleIds.includes(r.ruleId)) ruleIds.push(r.ruleId);
  ruleIds.sort();
  const rules = ruleIds.map((id) => {
    const sev = all.find((r) => r.ruleId === id)?.severity ?? "deny";
    const info = ruleInfo(id, sev);
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
    };
  });
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
      partialFingerprints: { "tokenwardenFinding/v1": `${r.ruleId}:${r.source}:${r.field ?? ""}` },
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
            toolExecutionNotifications: report.notes.map((n) => ({
              level: "note",
              message: { text: n },
            })),
          },
        ],
        artifacts: report.inputs.map((i) => ({ location: { uri: uri(i.file) } })),
        results: all.map(result),
      },
    ],
  };
  return JSON.stringify(log, null, 2) + "\n";
}
