/**
 * The contract between the evaluator and the built-in functions.
 *
 * A built-in receives fully evaluated (ground) argument values and returns a value, or
 * `undefined` when the call is undefined (e.g. `object.get` never is, `regex.find_n` may be).
 * Errors are thrown as `BuiltinError` (OPA's `eval_builtin_error`) or `BuiltinTypeError`
 * (`eval_type_error`). The evaluator decides, from strict mode, whether an error aborts the query
 * or only makes the expression undefined — built-ins never look at strict mode themselves.
 */
import type { Value } from "../value";

export interface BuiltinContext {
  /** Nanoseconds since the epoch, fixed for one query evaluation (`time.now_ns`). */
  readonly nowNs: bigint;
  /** Per-query cache, e.g. compiled regular expressions or `rand.intn` memo (OPA memoises it). */
  readonly cache: Map<string, unknown>;
  /** Called by `print`; the evaluator points it at stderr or a test runner's buffer. */
  readonly print: (line: string) => void;
  /** rego.metadata.rule() / chain() of the rule being evaluated ({} / [] in a query). */
  readonly metadata?: (what: "rule" | "chain") => Value;
}

export type BuiltinImpl = (args: Value[], ctx: BuiltinContext) => Value | undefined;

export interface BuiltinDef {
  /** Fully qualified name as written in Rego, e.g. "strings.replace_n", "plus". */
  readonly name: string;
  /** Number of arguments (the result is not counted). */
  readonly arity: number;
  readonly impl: BuiltinImpl;
  /**
   * Optional static argument types for the compile-time type checker (`rego_type_error`).
   * Each entry is a list of accepted OPA type names ("any" accepts everything).
   */
  readonly args?: readonly (readonly TypeName[])[];
  /** Nondeterministic built-ins (time.now_ns, rand.intn, uuid.rfc4122 …) are never constant-folded. */
  readonly nondeterministic?: boolean;
}

export type TypeName =
  "null" | "boolean" | "number" | "string" | "array" | "object" | "set" | "any";

/** OPA `eval_builtin_error`; message is the text after the code, e.g. "div: divide by zero". */
export class BuiltinError extends Error {
  readonly code = "eval_builtin_error";
}

/** OPA `eval_type_error`, e.g. "count: operand 1 must be one of {array, object, set, string} but got number". */
export class BuiltinTypeError extends Error {
  readonly code = "eval_type_error";
}

/** Builds OPA's operand type error text. `expected` as OPA prints it, e.g. "string" or "one of {set, array}". */
export function operandError(
  builtin: string,
  position: number,
  expected: string,
  got: Value,
): BuiltinTypeError {
  return new BuiltinTypeError(
    `${builtin}: operand ${position} must be ${expected} but got ${typeNameOf(got)}`,
  );
}

function typeNameOf(v: Value): string {
  if (v === null) return "null";
  const t = typeof v;
  if (t === "boolean" || t === "string") return t;
  if (t === "number" || t === "bigint") return "number";
  if (Array.isArray(v)) return "array";
  const c = (v as object).constructor.name;
  return c === "RSet" ? "set" : c === "Decimal" ? "number" : "object";
}

/** Helper for family files: `defineAll([{name, arity, impl}, …])` → record keyed by name. */
export function defineAll(defs: BuiltinDef[]): Record<string, BuiltinDef> {
  const out: Record<string, BuiltinDef> = {};
  for (const d of defs) out[d.name] = d;
  return out;
}
