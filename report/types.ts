/**
 * The neutral report every output format renders: what was checked, what was found where, what
 * was waived. Built once by `check` (or the pack); formats only lay it out. It never holds a
 * secret value: messages come from the rules, which only see names, paths and numbers.
 */

import type { RuleInfo } from "./rules";

export type Severity = "deny" | "warn";

export interface PhysicalLocation {
  /** File as given on the command line (relative paths stay relative). */
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
}

export interface ReportResult {
  readonly ruleId: string;
  readonly severity: Severity;
  readonly message: string;
  readonly remediation: string;
  /** Need name, Pulumi URN or Terraform address the rule named. */
  readonly source: string;
  readonly need?: string;
  readonly field?: string;
  /** The input file the finding came from, and the line when it is known. */
  readonly location: PhysicalLocation;
  /** For resources: the URN or Terraform address (SARIF logical location). */
  readonly logical?: string;
  /** Set on waived results. */
  readonly waiver?: { readonly reason: string; readonly expires: string };
}

export type InputKind = "manifest" | "pulumi-plan" | "terraform-config" | "terraform-plan";

export interface Report {
  readonly tool: { readonly name: string; readonly version: string };
  readonly inputs: readonly { readonly file: string; readonly kind: InputKind }[];
  readonly results: readonly ReportResult[];
  readonly waived: readonly ReportResult[];
  readonly notes: readonly string[];
  /** Files found under a directory given that are of no kind `check` reads, with why. */
  readonly skipped?: readonly { readonly file: string; readonly reason: string }[];
  /** Inputs that could not be checked (unreadable, invalid, wrong shape): the run exits 2. */
  readonly errors?: readonly InputProblem[];
  /**
   * Descriptors of the rules that judged the inputs (from their policies' METADATA annotations);
   * they take precedence over the built-in catalogue in SARIF and JUnit.
   */
  readonly rules?: readonly RuleInfo[];
}

/** An input that could not be checked, positioned like a finding. */
export interface InputProblem {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  /** The field at fault, e.g. `needs[1].ttl` or `resource_changes`; "" for the whole file. */
  readonly field: string;
  readonly message: string;
}

/** The rule id reports give an input that could not be checked (SARIF, GitHub, JUnit). */
export const INPUT_ERROR_RULE = "TW000";

/** `field: message`, as one line. */
export function problemText(p: InputProblem): string {
  return p.field ? `${p.field}: ${p.message}` : p.message;
}

export function counts(report: Report): { deny: number; warn: number; waived: number } {
  let deny = 0;
  let warn = 0;
  for (const r of report.results) {
    if (r.severity === "deny") deny++;
    else warn++;
  }
  return { deny, warn, waived: report.waived.length };
}

/** Results in a stable reading order: by file, line, rule, source. */
export function sorted(results: readonly ReportResult[]): ReportResult[] {
  return [...results].sort(
    (a, b) =>
      cmp(a.location.file, b.location.file) ||
      (a.location.line ?? 0) - (b.location.line ?? 0) ||
      cmp(a.ruleId, b.ruleId) ||
      cmp(a.source, b.source) ||
      cmp(a.message, b.message),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function where(r: ReportResult): string {
  const l = r.location;
  return l.line === undefined
    ? l.file
    : `${l.file}:${l.line}${l.column !== undefined ? `:${l.column}` : ""}`;
}
