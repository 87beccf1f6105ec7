/**
 * The public shape of the Rego engine (implemented in rego/index.ts). Prepare a policy set once,
 * evaluate it many times. Results follow OPA's result-set shape so `policy eval` can print them
 * as `opa eval` does.
 */

export interface RegoModuleSource {
  /** File name used in error locations. */
  readonly file: string;
  readonly source: string;
  /** The Rego version the module is written in (OPA's `--v0-compatible`, bundle `rego_version`). Default 1. */
  readonly regoVersion?: 0 | 1;
}

export interface RegoLocation {
  readonly file: string;
  readonly row: number;
  readonly col: number;
}

/** One parse, compile or evaluation error, with OPA's error code (e.g. "rego_parse_error"). */
export interface RegoErrorDetail {
  readonly code: string;
  readonly message: string;
  readonly location?: RegoLocation;
}

export interface EvalOptions {
  /** Plain JSON-like input (converted once) or an already converted Rego value. */
  readonly input?: unknown;
  /** Extra base documents merged under `data`. */
  readonly data?: unknown;
  /** OPA's strict built-in errors: a failing built-in aborts the query instead of being undefined. */
  readonly strictBuiltinErrors?: boolean;
  /** Budget: evaluation steps and/or wall milliseconds; exceeding it raises `eval_budget_exceeded` naming the rule. */
  readonly maxSteps?: number;
  readonly timeoutMs?: number;
  /** Receives `print(...)` output lines. Default: discarded. */
  readonly print?: (line: string) => void;
  /** Fixed `time.now_ns()` for this evaluation. Default: the wall clock at the start. */
  readonly nowNs?: bigint;
}

export interface ExpressionResult {
  readonly value: unknown;
  readonly text: string;
  readonly location: { readonly row: number; readonly col: number };
}

export interface QueryResult {
  readonly expressions: ExpressionResult[];
  readonly bindings: Record<string, unknown>;
}

export type ResultSet = QueryResult[];
