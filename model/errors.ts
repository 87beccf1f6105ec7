/**
 * Manifest errors: every issue names the file, the field path and (when the text is known) the
 * line and column, so `validate`, `plan`, `check` and the Pulumi component all print the same
 * one-line answers.
 */
import { InputError } from "../errors";

export interface ManifestIssue {
  readonly file: string;
  /** 1-based; absent when the manifest came as an object or the field has no position. */
  readonly line?: number;
  readonly column?: number;
  /** Field path as a user reads it, e.g. `needs[1].ttl`; "" for the whole file. */
  readonly field: string;
  readonly message: string;
}

/** `file:line:col: field: message` — the one format every issue is printed in. */
export function formatIssue(issue: ManifestIssue): string {
  const where =
    issue.line !== undefined ? `${issue.file}:${issue.line}:${issue.column ?? 1}` : issue.file;
  return issue.field ? `${where}: ${issue.field}: ${issue.message}` : `${where}: ${issue.message}`;
}

/** All issues of one manifest; the message holds them one per line, in file order. */
export class ManifestError extends InputError {
  readonly issues: readonly ManifestIssue[];

  constructor(issues: readonly ManifestIssue[]) {
    const first = issues[0];
    super(issues.map(formatIssue).join("\n"), first?.file, first?.line, first?.column);
    this.name = "ManifestError";
    this.issues = issues;
  }
}

/** `needs[1].paths[0].path` from ["needs", 1, "paths", 0, "path"]. */
export function fieldPath(path: readonly (string | number)[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}
