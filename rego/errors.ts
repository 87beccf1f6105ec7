/** The engine's one error type: every parse, compile and evaluation failure carries OPA's code(s). */
import type { RegoErrorDetail, RegoLocation } from "./api-types";

export class RegoError extends Error {
  readonly errors: RegoErrorDetail[];
  constructor(errors: RegoErrorDetail[]) {
    super(errors.length > 0 ? formatDetail(errors[0]) : "rego error");
    this.name = "RegoError";
    this.errors = errors;
  }
  /** The code of the first error (e.g. "rego_parse_error"). */
  get code(): string {
    return this.errors[0]?.code ?? "rego_error";
  }
}

export function formatDetail(d: RegoErrorDetail): string {
  const loc = d.location ? `${d.location.file}:${d.location.row}:${d.location.col}: ` : "";
  return `${loc}${d.code}: ${d.message}`;
}

export function regoError(code: string, message: string, location?: RegoLocation): RegoError {
  return new RegoError([{ code, message, location }]);
}
