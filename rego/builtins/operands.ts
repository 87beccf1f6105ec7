/**
 * Operand helpers shared by the built-in families: OPA's operand type errors and conversions.
 */
import { RObject, RSet, isNumber, type Value } from "../value";
import { BuiltinError, BuiltinTypeError, operandError } from "./types";
import { BuiltinTypeErrorText } from "./numbers";

// ---------------------------------------------------------------------------------------------
// Operand helpers shared with other families in this file set

export function str(name: string, v: Value, pos: number): string {
  if (typeof v !== "string") throw operandError(name, pos, "string", v);
  return v;
}

function typeName(v: Value): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return "boolean";
  if (isNumber(v)) return "number";
  if (typeof v === "string") return "string";
  if (Array.isArray(v)) return "array";
  return v instanceof RObject ? "object" : "set";
}

/**
 * Runs a built-in's body so that every failure names the built-in, as OPA's messages do: a type
 * error gets the `name: ` prefix unless it has it, any other error becomes a BuiltinError.
 */
export function namedErrors<T>(name: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof BuiltinTypeError) {
      throw e.message.startsWith(name + ":") ? e : new BuiltinTypeError(`${name}: ${e.message}`);
    }
    if (e instanceof BuiltinError) throw e;
    throw new BuiltinError(`${name}: ${(e as Error).message}`);
  }
}

/** OPA's NewOperandElementErr: "operand 1 must be array of strings but got array containing number". */
export function elementError(
  name: string,
  pos: number,
  composite: Value,
  got: Value,
  expected: string,
): BuiltinTypeError {
  const t = typeName(composite);
  return new BuiltinTypeErrorText(
    name,
    pos,
    `must be ${t} of ${expected}s but got ${t} containing ${typeName(got)}`,
  );
}

/**
 * Strings of an array or set operand (sets in sorted order), OPA's StringSliceOperand. Read-only:
 * an array operand is checked and returned as it is, not copied.
 */
export function stringSlice(name: string, v: Value, pos: number): string[] {
  let items: Value[];
  if (Array.isArray(v)) items = v;
  else if (v instanceof RSet) items = v.sortedValues();
  else throw operandError(name, pos, "one of {array, set}", v);
  for (let i = 0; i < items.length; i++) {
    const x = items[i];
    if (typeof x !== "string") throw elementError(name, pos, v, x, "string");
  }
  return items as string[];
}

export function codePoints(s: string): string[] {
  return Array.from(s);
}

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * Whether every code point of `s` is one UTF-16 unit, so code point and unit indexes agree and
 * Rego's code-point built-ins may use the string methods directly (no array of code points).
 */
export function unitIndexed(s: string): boolean {
  return !SURROGATE.test(s);
}
