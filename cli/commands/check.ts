/**
 * `tokenwarden check <input>… [--format text|json|sarif|github|junit] [--policies <dir>]…
 * [--now <RFC3339>]`: the policy set over manifests, `plan --format json` output, CDKTF synth
 * output and Terraform plans, reported in the format CI shows best. A directory stands for each
 * file of a known kind under it, each checked and reported on its own; `-` is standard input.
 * Exit 0 without denies, 1 with any deny, 2 when an input could not be checked: then the problem
 * is reported in the chosen format too (an annotation, a SARIF result), and on stderr.
 */
import * as path from "node:path";
import type { Command } from "../io";
import { formatFlag, parseArgs } from "../args";
import { InputError, UsageError, UserError } from "../../errors";
import { readInputText } from "../io";
import { ManifestError, type ManifestIssue } from "../../model";
import {
  evaluate,
  loadPolicySet,
  needOf,
  writeSummary,
  PolicyLoadError,
  type Evaluation,
  type PolicySet,
} from "../../policies/evaluate";
import {
  expandInputs,
  formatInputIssue,
  InputIssuesError,
  loadInput,
  type LoadedInput,
} from "../../policies/input/load";
import type { Finding } from "../../policies/input/types";
// the report's parts one by one, not ../../report: only the format asked for is loaded
import { FORMATS, renderAs } from "../../report/formats";
import { catalogue } from "../../report/rules";
import type { InputProblem, Report, ReportResult } from "../../report/types";
import { TOOL_VERSION } from "../version";

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export const run: Command = async (argv, io) => {
  const args = parseArgs(argv, {
    format: { value: true },
    policies: { value: true, repeat: true },
    now: { value: true },
    "v0-compatible": {},
  });
  const format = formatFlag(args, FORMATS, "text");
  if (args.positionals.length === 0) throw new UsageError("give at least one input to check");
  if (args.positionals.filter((p) => p === "-").length > 1)
    throw new UsageError("standard input (-) can be given once");
  const now = checkNow(args.get("now"));
  const progress = (msg: string) => {
    if (io.interactive) io.err(`\r\x1b[K${msg}`);
  };

  const policyDirs = args.all("policies").map((d) => path.resolve(io.cwd, d));
  let set: PolicySet;
  try {
    set = loadPolicySet({ extraDirs: policyDirs, v0Compatible: args.has("v0-compatible") });
  } catch (err) {
    if (err instanceof PolicyLoadError) throw new InputError(err.message);
    throw err;
  }
  const knownRules = knownRuleIds(set);

  const { files, skipped } = expandInputs(args.positionals, io.cwd);
  const results: ReportResult[] = [];
  const waived: ReportResult[] = [];
  const notes = new Set<string>();
  const inputs: Report["inputs"][number][] = [];
  const errors: InputProblem[] = [];
  for (const file of files) {
    progress(`checking ${file}…`);
    let loaded: LoadedInput;
    try {
      const text = file === "-" ? await readInputText(io) : undefined;
      loaded = await loadInput(file, { now, cwd: io.cwd, text });
    } catch (err) {
      errors.push(...problemsOf(err, file));
      continue;
    }
    const unknownWaivers = waiverProblems(loaded, knownRules);
    if (unknownWaivers.length) {
      errors.push(...unknownWaivers);
      continue;
    }
    let evaluation;
    try {
      evaluation = await evaluate(set, loaded.input);
    } catch (err) {
      if (err instanceof PolicyLoadError) throw new InputError(`${file}: ${err.message}`, file);
      throw err;
    }
    inputs.push({ file: loaded.reportFile, kind: loaded.kind });
    for (const n of evaluation.notes) notes.add(`${loaded.reportFile}: ${n}`);
    const one = reportResults(loaded, evaluation);
    for (const r of one.results) results.push(r);
    for (const r of one.waived) waived.push(r);
  }
  if (io.interactive) io.err("\r\x1b[K");

  const report: Report = {
    tool: { name: "tokenwarden", version: TOOL_VERSION },
    inputs,
    results,
    waived,
    notes: [...notes],
    skipped,
    errors,
    rules: set.rules.map((r) => ({
      ...r,
      help: r.remediation || "See the documentation of the policy that defines this rule.",
    })),
  };
  if (errors.length) {
    // Every problem on stderr, one line each; machine formats carry them on stdout as well, so
    // a pull request shows the broken line. Plain text prints no half report.
    for (const p of errors) io.err(formatInputIssue({ ...p }) + "\n");
    if (format !== "text") io.out(await renderAs(report, format));
    throw new InputError(
      `${errors.length === 1 ? "1 input problem" : `${errors.length} input problems`}; nothing was judged in ${[...new Set(errors.map((e) => e.file))].join(", ")}`,
    );
  }
  if (inputs.length === 0)
    throw new InputError(
      `no input of a known kind among ${args.positionals.join(", ")} (${skipped.length} skipped: ${skipped.map((s) => s.file).join(", ")})`,
    );
  io.out(await renderAs(report, format));
  return results.some((r) => r.severity === "deny") ? 1 : 0;
};

/** What went wrong with one input, as positioned problems. */
function problemsOf(err: unknown, file: string): InputProblem[] {
  if (err instanceof ManifestError || err instanceof InputIssuesError) {
    return err.issues.map((i: ManifestIssue) => ({
      file: i.file,
      ...(i.line !== undefined ? { line: i.line } : {}),
      ...(i.column !== undefined ? { column: i.column } : {}),
      field: i.field,
      message: i.message,
    }));
  }
  if (err instanceof InputError) {
    const prefix = `${err.file ?? file}: `;
    const message = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
    return [
      {
        file: err.file ?? file,
        ...(err.line !== undefined ? { line: err.line } : {}),
        ...(err.column !== undefined ? { column: err.column } : {}),
        field: "",
        message,
      },
    ];
  }
  if (err instanceof UserError) return [{ file, field: "", message: err.message }];
  throw err;
}

/**
 * Rule ids a waiver may name: the catalogue, and every `TWnnn` id the loaded Rego can produce
 * (the bundled rules and an organisation's), so a rule added in Rego is waivable at once.
 */
function knownRuleIds(set: PolicySet): Set<string> {
  const ids = new Set(catalogue().map((r) => r.id));
  for (const id of set.ruleIds) ids.add(id);
  return ids;
}

/** A waiver naming a rule that does not exist never matches: an error, not a silent no-op. */
function waiverProblems(loaded: LoadedInput, known: ReadonlySet<string>): InputProblem[] {
  const out: InputProblem[] = [];
  // indexed loops: most of 10,000 needs have no waiver, and a closure per need was the cost
  const needs = loaded.input.needs;
  for (let i = 0; i < needs.length; i++) {
    const need = needs[i];
    for (let j = 0; j < need.waivers.length; j++) {
      const w = need.waivers[j];
      if (known.has(w.rule)) continue;
      const field = `needs[${i}].waivers[${j}].rule`;
      const pos = loaded.locate(["needs", i, "waivers", j, "rule"]);
      out.push({
        file: loaded.reportFile,
        ...(pos ? { line: pos.line, column: pos.column } : {}),
        field,
        message: `waiver of need "${need.name}" names rule "${w.rule}", which no loaded policy has (see docs/rules.md for the rule ids)`,
      });
    }
  }
  return out;
}

/** One input's findings and waived findings as report results, each placed in its file. */
export function reportResults(
  loaded: LoadedInput,
  evaluation: Evaluation,
): { results: ReportResult[]; waived: ReportResult[] } {
  const bySource = evaluation.bySource;
  const results = evaluation.findings.map((f) => toResult(loaded, f, bySource));
  const waived = evaluation.waived.map((f) => ({
    ...toResult(loaded, f, bySource),
    waiver: f.waiver,
  }));
  return { results, waived };
}

function toResult(
  loaded: LoadedInput,
  f: Finding,
  bySource: () => Map<string, string>,
): ReportResult {
  const at = loaded.place(f);
  const need = needOf(f, loaded.input, bySource);
  const location: { file: string; line?: number; column?: number } = { file: loaded.reportFile };
  if (at.line !== undefined) location.line = at.line;
  if (at.column !== undefined) location.column = at.column;
  const result: { -readonly [K in keyof ReportResult]?: ReportResult[K] } = writeSummary(
    { ruleId: f.id },
    f,
    need,
  );
  result.location = location;
  if (at.logical !== undefined) result.logical = at.logical;
  return result as ReportResult;
}

export function checkNow(value: string | undefined): string {
  if (value === undefined) return new Date().toISOString();
  if (!RFC3339.test(value) || Number.isNaN(Date.parse(value))) {
    throw new UsageError(
      `--now must be an RFC 3339 time such as 2026-01-31T12:00:00Z; got "${value}"`,
    );
  }
  return value;
}
