/**
 * `tokenwarden check <input>… [--format text|json|sarif|github|junit] [--policies <dir>]…
 * [--now <RFC3339>]`: the policy set over manifests, `plan --format json` output, CDKTF synth
 * output and Terraform plans, reported in the format CI shows best. Exit 0 without denies, 1 with
 * any deny, 2 for unreadable or invalid input (nothing is printed to stdout then).
 */
import * as path from "node:path";
import type { Command } from "../io";
import { formatFlag, parseArgs } from "../args";
import { InputError, UsageError } from "../errors";
import { ManifestError, formatIssue } from "../../components/model";
import {
  evaluate,
  loadPolicySet,
  needOf,
  PolicyLoadError,
  sourceToNeed,
  summarizeFinding,
} from "../../policies/evaluate";
import { loadInput, type LoadedInput } from "../../policies/input/load";
import type { Finding } from "../../policies/input/types";
import { FORMATS, render, type Report, type ReportResult } from "../../report";

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export const run: Command = async (argv, io) => {
  const args = parseArgs(argv, {
    format: { value: true },
    policies: { value: true, repeat: true },
    now: { value: true },
  });
  const format = formatFlag(args, FORMATS, "text");
  if (args.positionals.length === 0) throw new UsageError("give at least one input to check");
  const now = checkNow(args.get("now"));
  const progress = (msg: string) => {
    if (io.interactive) io.err(`\r\x1b[K${msg}`);
  };

  let set;
  try {
    set = loadPolicySet({ extraDirs: args.all("policies").map((d) => resolveFrom(io.cwd, d)) });
  } catch (err) {
    if (err instanceof PolicyLoadError) throw new InputError(err.message);
    throw err;
  }

  const results: ReportResult[] = [];
  const waived: ReportResult[] = [];
  const notes = new Set<string>();
  const inputs: Report["inputs"][number][] = [];
  for (const file of args.positionals) {
    progress(`checking ${file}…`);
    let loaded: LoadedInput;
    try {
      loaded = await loadInput(file, { now, cwd: io.cwd });
    } catch (err) {
      if (io.interactive) io.err("\r\x1b[K");
      if (err instanceof ManifestError && err.issues.length > 1) {
        for (const issue of err.issues) io.err(formatIssue(issue) + "\n");
        throw new InputError(`${file}: ${err.issues.length} issues`, file);
      }
      throw err;
    }
    let evaluation;
    try {
      evaluation = await evaluate(set, loaded.input);
    } catch (err) {
      if (err instanceof PolicyLoadError) throw new InputError(`${file}: ${err.message}`, file);
      throw err;
    }
    inputs.push({ file: loaded.reportFile, kind: loaded.kind });
    for (const n of evaluation.notes) notes.add(`${file}: ${n}`);
    const bySource = sourceToNeed(loaded.input);
    for (const f of evaluation.findings) results.push(toResult(loaded, f, bySource));
    for (const f of evaluation.waived) {
      waived.push({ ...toResult(loaded, f, bySource), waiver: f.waiver });
    }
  }
  if (io.interactive) io.err("\r\x1b[K");

  const report: Report = {
    tool: { name: "tokenwarden", version: "0.1.0" },
    inputs,
    results,
    waived,
    notes: [...notes],
  };
  io.out(render(report, format));
  return results.some((r) => r.severity === "deny") ? 1 : 0;
};

function toResult(loaded: LoadedInput, f: Finding, bySource: Map<string, string>): ReportResult {
  const at = loaded.place(f);
  const need = needOf(f, loaded.input, bySource);
  return {
    ruleId: f.id,
    ...summarizeFinding(f, need),
    location: {
      file: loaded.reportFile,
      ...(at.line !== undefined ? { line: at.line } : {}),
      ...(at.column !== undefined ? { column: at.column } : {}),
    },
    ...(at.logical !== undefined ? { logical: at.logical } : {}),
  };
}

function checkNow(value: string | undefined): string {
  if (value === undefined) return new Date().toISOString();
  if (!RFC3339.test(value) || Number.isNaN(Date.parse(value))) {
    throw new UsageError(
      `--now must be an RFC 3339 time such as 2026-01-31T12:00:00Z; got "${value}"`,
    );
  }
  return value;
}

function resolveFrom(cwd: string, p: string): string {
  return path.resolve(cwd, p);
}
