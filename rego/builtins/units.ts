/**
 * units.parse (SI and binary suffixes, exact rational arithmetic) and units.parse_bytes
 * (byte sizes, truncated to an integer after a 64-bit-mantissa float product, as OPA does).
 */
import { normNum, type Value } from "../value";
import { BuiltinError } from "./types";
import {
  bfMul,
  bfTrunc,
  bigFloatFromDecimal,
  parseDecimal,
  toBigFloat,
  defineSafe,
} from "./numbers";
import { str } from "./operands";

/** Maximum digits in a scientific-notation exponent before OPA refuses the amount. */
const MAX_EXPONENT_DIGITS = 6;

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";

/**
 * Splits "10.5e3Ki" into number text and unit. An `e`/`E` belongs to the number only when a digit
 * or sign follows it; otherwise it starts the unit (exa). `null` when the exponent is too long.
 */
function extractNumAndUnit(s: string): [string, string] | null {
  let firstNonNum = -1;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (!isDigit(c) && c !== "." && c !== "e" && c !== "E" && c !== "+" && c !== "-") {
      firstNonNum = i;
      break;
    }
    if (c === "e" || c === "E") {
      const next = s[i + 1];
      if (i === s.length - 1 || (!isDigit(next) && next !== "+" && next !== "-")) {
        firstNonNum = i;
        break;
      }
      if (next === "+" || next === "-") i++;
      let end = i + 1;
      while (end < s.length && isDigit(s[end])) end++;
      if (end - (i + 1) > MAX_EXPONENT_DIGITS) return null;
    }
  }
  if (firstNonNum === -1) return [s, ""];
  if (firstNonNum === 0) return ["", s];
  return [s.slice(0, firstNonNum), s.slice(firstNonNum)];
}

const KI = 1n << 10n;
const BINARY: Record<string, bigint> = {
  ki: KI,
  mi: KI ** 2n,
  gi: KI ** 3n,
  ti: KI ** 4n,
  pi: KI ** 5n,
  ei: KI ** 6n,
};
const DECIMAL: Record<string, bigint> = {
  k: 10n ** 3n,
  m: 10n ** 6n,
  g: 10n ** 9n,
  t: 10n ** 12n,
  p: 10n ** 15n,
  e: 10n ** 18n,
};

/** Exact value of float64 0.001 (Go's siMilli constant goes through SetFloat64). */
const MILLI: [bigint, bigint] = (() => {
  // 0.001 = m * 2^e exactly, with m a 53-bit integer.
  const e = -62;
  const m = BigInt(Math.round(0.001 * 2 ** 62));
  return [m, 1n << BigInt(-e)];
})();

function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** big.Rat.FloatString(10): ten decimals, halves rounded away from zero. */
function ratToValue(num: bigint, den: bigint): number | bigint {
  const g = gcd(num, den);
  num /= g;
  den /= g;
  if (den === 1n) return normNum(num);
  const neg = num < 0n;
  const a = neg ? -num : num;
  const scaled = a * 10n ** 10n;
  let q = scaled / den;
  if ((scaled - q * den) * 2n >= den) q += 1n;
  const digits = q.toString().padStart(11, "0");
  const text = `${neg ? "-" : ""}${digits.slice(0, -10)}.${digits.slice(-10)}`;
  return Number(text);
}

function unitsParse(args: Value[]): Value {
  const raw = str("units.parse", args[0], 1);
  const s = raw.replace(/"/g, "");
  const fail = (msg: string): BuiltinError => new BuiltinError(`units.parse: ${msg}`);
  if (s.includes(" ")) throw fail("spaces not allowed in resource strings");
  const split = extractNumAndUnit(s);
  if (split === null) throw fail("exponent too large");
  const [num] = split;
  let unit = split[1];
  if (num === "") throw fail("no amount provided");
  // Only the letters after the first are case-insensitive, so "m" (milli) and "M" (mega) differ.
  if (unit.length > 1) unit = unit[0] + unit.slice(1).toLowerCase();
  let mul: [bigint, bigint];
  if (unit === "m") mul = MILLI;
  else if (unit === "") mul = [1n, 1n];
  else if (unit === "M") mul = [DECIMAL.m, 1n];
  else if (unit.length === 1 && unit !== "m" && DECIMAL[unit.toLowerCase()] !== undefined) {
    mul = [DECIMAL[unit.toLowerCase()], 1n];
  } else if (unit.length === 2 && unit[1] === "i" && BINARY[unit.toLowerCase()] !== undefined) {
    mul = [BINARY[unit.toLowerCase()], 1n];
  } else throw fail(`unit ${unit} not recognized`);
  const d = parseDecimal(num);
  if (d === undefined) throw fail("could not parse amount to a number");
  let n = d.neg ? -d.digits : d.digits;
  let den = 1n;
  if (d.exp10 >= 0) n *= 10n ** BigInt(d.exp10);
  else den = 10n ** BigInt(-d.exp10);
  return ratToValue(n * mul[0], den * mul[1]);
}

/** parse_bytes suffixes (lower-cased): "", k/kb, ki/kib, … e/eb, ei/eib. */
const BYTE_UNITS = new Map<string, bigint>([["", 1n]]);
for (const p of ["k", "m", "g", "t", "p", "e"]) {
  BYTE_UNITS.set(p, DECIMAL[p]);
  BYTE_UNITS.set(p + "b", DECIMAL[p]);
  BYTE_UNITS.set(p + "i", BINARY[p + "i"]);
  BYTE_UNITS.set(p + "ib", BINARY[p + "i"]);
}

function unitsParseBytes(args: Value[]): Value {
  const raw = str("units.parse_bytes", args[0], 1);
  const s = raw.toLowerCase().replace(/"/g, "");
  const fail = (msg: string): BuiltinError => new BuiltinError(`units.parse_bytes: ${msg}`);
  if (s.includes(" ")) throw fail("spaces not allowed in resource strings");
  const split = extractNumAndUnit(s);
  if (split === null) throw fail("exponent too large");
  const [num, unit] = split;
  if (num === "") throw fail("no byte amount provided");
  const mul = BYTE_UNITS.get(unit);
  if (mul === undefined) throw fail(`byte unit ${unit} not recognized`);
  const d = parseDecimal(num);
  if (d === undefined) throw fail("could not parse byte amount to a number");
  const f = bigFloatFromDecimal(d.neg, d.digits, d.exp10);
  return normNum(bfTrunc(bfMul(f, toBigFloat(mul))));
}

export const builtins = defineSafe([
  { name: "units.parse", arity: 1, impl: unitsParse, args: [["string"]] },
  { name: "units.parse_bytes", arity: 1, impl: unitsParseBytes, args: [["string"]] },
]);
