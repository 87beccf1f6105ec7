/** Type predicates, type_name and to_number. */
import { RObject, RSet, isNumber, normNum, numberFromText, typeName, type Value } from "../value";
import { BuiltinError, operandError } from "./types";
import { BuiltinTypeErrorText, parseDecimal, defineSafe } from "./numbers";

const ANY: readonly ["any"] = ["any"];

/**
 * Go's strconv.ParseFloat acceptance for decimal text (OPA rejects inf/nan itself): optional sign,
 * digits with an optional point, optional exponent; hex floats need a p exponent.
 */
function parseGoFloat(s: string): number | bigint {
  const quoted = JSON.stringify(s);
  const syntax = new BuiltinError(
    `to_number: strconv.ParseFloat: parsing ${quoted}: invalid syntax`,
  );
  const d = parseDecimal(s);
  if (d !== undefined) {
    const f = Number(s);
    if (!Number.isFinite(f)) {
      throw new BuiltinError(
        `to_number: strconv.ParseFloat: parsing ${quoted}: value out of range`,
      );
    }
    // Integers keep full precision (OPA keeps the text as the number).
    if (d.exp10 >= 0 && d.exp10 < 400) {
      const b = d.digits * 10n ** BigInt(d.exp10);
      return normNum(d.neg ? -b : b);
    }
    if (d.exp10 < 0) {
      const den = 10n ** BigInt(-d.exp10);
      if (d.digits % den === 0n) {
        const b = d.digits / den;
        return normNum(d.neg ? -b : b);
      }
    }
    return f;
  }
  const hex = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(s);
  if (hex && (hex[2] !== "" || (hex[3] ?? "") !== "")) {
    const mant = parseInt((hex[2] || "0") + (hex[3] ?? ""), 16);
    const v = mant * 2 ** (Number(hex[4]) - 4 * (hex[3] ?? "").length);
    if (!Number.isFinite(v)) {
      throw new BuiltinError(
        `to_number: strconv.ParseFloat: parsing ${quoted}: value out of range`,
      );
    }
    return hex[1] === "-" ? -v : v;
  }
  throw syntax;
}

function toNumber(args: Value[]): Value {
  const v = args[0];
  if (v === null) return 0;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (isNumber(v)) return v;
  if (typeof v === "string") {
    const lower = v.replace(/^[+-]+/, "").toLowerCase();
    if (lower === "inf" || lower === "infinity" || lower === "nan") {
      throw new BuiltinTypeErrorText("to_number", 1, "must be valid number string but got string");
    }
    const f = parseGoFloat(v);
    // OPA validates with ParseFloat but keeps the string as the number's text (exact digits)
    return numberFromText(v) ?? f;
  }
  throw operandError("to_number", 1, "one of {null, boolean, number, string}", v);
}

export const builtins = defineSafe([
  { name: "is_number", arity: 1, impl: (a) => isNumber(a[0]), args: [ANY] },
  { name: "is_string", arity: 1, impl: (a) => typeof a[0] === "string", args: [ANY] },
  { name: "is_boolean", arity: 1, impl: (a) => typeof a[0] === "boolean", args: [ANY] },
  { name: "is_array", arity: 1, impl: (a) => Array.isArray(a[0]), args: [ANY] },
  { name: "is_set", arity: 1, impl: (a) => a[0] instanceof RSet, args: [ANY] },
  { name: "is_object", arity: 1, impl: (a) => a[0] instanceof RObject, args: [ANY] },
  { name: "is_null", arity: 1, impl: (a) => a[0] === null, args: [ANY] },
  { name: "type_name", arity: 1, impl: (a) => typeName(a[0]), args: [ANY] },
  {
    name: "to_number",
    arity: 1,
    impl: toNumber,
    args: [["null", "boolean", "number", "string"]],
  },
]);
