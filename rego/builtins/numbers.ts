/**
 * Arithmetic, ranges, random integers and bit operations, with OPA's number semantics.
 *
 * OPA keeps numbers as decimal text: integers are exact at any size, and non-integer arithmetic
 * runs on Go `big.Float` values with a 64-bit mantissa (more than float64's 53), read from the
 * operands' text and written back as the shortest text that reads back as the same 64-bit float
 * (topdown/builtins FloatToNumber: `Text('g', -1)`). `BigFloat` below models those floats exactly
 * with BigInt mantissas; `bigFloatToValue` writes a result back as OPA does, so `1 / 3` is
 * 0.33333333333333333334 (a Decimal), not float64's 0.3333333333333333.
 */
import { Decimal, RSet, isNumber, normNum, numberFromParts, type Num, type Value } from "../value";
import {
  BuiltinError,
  BuiltinTypeError,
  defineAll,
  operandError,
  type BuiltinContext,
  type BuiltinDef,
} from "./types";

/**
 * `defineAll` whose impls turn JS RangeErrors (a BigInt or string too large to allocate, from
 * e.g. `bits.lsh(1, 1e10)` or `sprintf("%999999999d", …)`) into built-in errors, so no JS exception
 * escapes the engine.
 */
export function defineSafe(defs: BuiltinDef[]): Record<string, BuiltinDef> {
  return defineAll(
    defs.map((d) => ({
      ...d,
      impl: (args: Value[], ctx: BuiltinContext): Value | undefined => {
        try {
          return d.impl(args, ctx);
        } catch (e) {
          if (e instanceof RangeError) throw new BuiltinError(`${d.name}: ${e.message}`);
          throw e;
        }
      },
    })),
  );
}

// ---------------------------------------------------------------------------------------------
// Integer helpers

export function isIntegral(n: Num): boolean {
  if (typeof n === "number") return Number.isInteger(n);
  return typeof n === "bigint" || n.isInteger;
}

/** Exact BigInt of an integral number (callers check `isIntegral` first). */
export function toBigInt(n: Num): bigint {
  if (typeof n === "bigint") return n;
  if (typeof n === "number") return BigInt(n);
  const b = n.digits * 10n ** BigInt(n.exp10);
  return n.neg ? -b : b;
}

/** OPA's `Number.Float64()`: the nearest float64 of any number (for built-ins that use floats). */
export function toFloat(n: Num): number {
  if (typeof n === "number") return n;
  return typeof n === "bigint" ? Number(n) : n.toNumber();
}

function bitLength(b: bigint): number {
  if (b === 0n) return 0;
  if (b < 0n) b = -b;
  if (b <= 0xffffffffn) return 32 - Math.clz32(Number(b));
  // hex is a quarter the length of binary text: whole nibbles plus the leading one's bits
  const h = b.toString(16);
  return (h.length - 1) * 4 + (32 - Math.clz32(parseInt(h[0], 16)));
}

// ---------------------------------------------------------------------------------------------
// Binary floating point with a 64-bit mantissa (Go big.Float default precision), exact emulation.

const PREC = 64;

/** value = (neg ? -1 : 1) * m * 2^e; m === 0n is zero. */
export interface BigFloat {
  readonly neg: boolean;
  readonly m: bigint;
  readonly e: number;
}

/** Rounds num/den (both > 0) to `prec` significant bits, ties to even. */
function roundRational(neg: boolean, num: bigint, den: bigint, prec: number): BigFloat {
  if (num === 0n) return { neg, m: 0n, e: 0 };
  let s = prec - (bitLength(num) - bitLength(den));
  let q: bigint;
  let r: bigint;
  let d: bigint;
  for (;;) {
    const n = s >= 0 ? num << BigInt(s) : num;
    d = s >= 0 ? den : den << BigInt(-s);
    q = n / d;
    r = n - q * d;
    if (q >= 1n << BigInt(prec)) {
      s -= 1;
      continue;
    }
    if (q < 1n << BigInt(prec - 1)) {
      s += 1;
      continue;
    }
    break;
  }
  const twice = r * 2n;
  if (twice > d || (twice === d && (q & 1n) === 1n)) {
    q += 1n;
    if (q === 1n << BigInt(prec)) {
      q >>= 1n;
      s -= 1;
    }
  }
  return { neg, m: q, e: -s };
}

function roundExact(neg: boolean, m: bigint, e: number, prec = PREC): BigFloat {
  if (m === 0n) return { neg, m: 0n, e: 0 };
  if (bitLength(m) <= prec) return { neg, m, e };
  const r = roundRational(neg, m, 1n, prec);
  return { neg, m: r.m, e: r.e + e };
}

/** Parses decimal text ("-1.5e-7", "42", ".5") into sign, digits and power of ten; undefined if not decimal. */
export function parseDecimal(
  text: string,
): { neg: boolean; digits: bigint; exp10: number } | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return undefined;
  const intPart = m[2];
  const frac = m[3] ?? "";
  if (intPart === "" && frac === "") return undefined;
  const exp = m[4] === undefined ? 0 : Number(m[4]);
  if (!Number.isFinite(exp)) return undefined;
  return { neg: m[1] === "-", digits: BigInt((intPart || "0") + frac), exp10: exp - frac.length };
}

const POW10: bigint[] = [1n];

function pow10(k: number): bigint {
  if (k < 400) {
    // numbers in policies stay far inside this; built on first use
    while (POW10.length <= k) POW10.push(POW10[POW10.length - 1] * 10n);
    return POW10[k];
  }
  return 10n ** BigInt(k);
}

/** Decimal text → BigFloat rounded to 64 bits, as big.Float.SetString does. */
export function bigFloatFromDecimal(neg: boolean, digits: bigint, exp10: number): BigFloat {
  if (digits === 0n) return { neg, m: 0n, e: 0 };
  if (exp10 >= 0) return roundExact(neg, digits * pow10(exp10), 0);
  return roundRational(neg, digits, pow10(-exp10), PREC);
}

/** A Rego number as OPA's big.Float sees it: its decimal text parsed at 64-bit precision. */
export function toBigFloat(n: Num): BigFloat {
  if (typeof n === "bigint") return roundExact(n < 0n, n < 0n ? -n : n, 0);
  if (n instanceof Decimal) return bigFloatFromDecimal(n.neg, n.digits, n.exp10);
  if (Number.isInteger(n)) {
    const b = BigInt(n);
    return roundExact(n < 0 || Object.is(n, -0), b < 0n ? -b : b, 0);
  }
  const scaled = n * 256;
  if (Number.isInteger(scaled) && scaled < SHORT_DYADIC && scaled > -SHORT_DYADIC) {
    // a float below 2^20 with at most 8 binary places (1.5, 7.25, 0.00390625): its exact value
    // has at most 15 significant digits, so it is its own shortest text and its bits are exact
    return { neg: n < 0, m: BigInt(n < 0 ? -scaled : scaled), e: -8 };
  }
  const hit = floatCache.get(n);
  if (hit !== undefined) return hit;
  const d = parseDecimal(String(n));
  if (!d) throw new BuiltinError(`illegal number ${String(n)}`);
  const bf = bigFloatFromDecimal(d.neg, d.digits, d.exp10);
  // Policies reuse a few constants (0.5, 1.1, …); parsing them is the costly part.
  if (floatCache.size >= 4096) floatCache.clear();
  floatCache.set(n, bf);
  return bf;
}

const floatCache = new Map<number, BigFloat>();
const SHORT_DYADIC = 2 ** 28;

function align(a: BigFloat, b: BigFloat): [bigint, bigint, number] {
  const e = Math.min(a.e, b.e);
  const am = a.m << BigInt(a.e - e);
  const bm = b.m << BigInt(b.e - e);
  return [a.neg ? -am : am, b.neg ? -bm : bm, e];
}

function fromSigned(v: bigint, e: number): BigFloat {
  return roundExact(v < 0n, v < 0n ? -v : v, e);
}

export function bfAdd(a: BigFloat, b: BigFloat): BigFloat {
  if (a.m === 0n) return b;
  if (b.m === 0n) return a;
  const [x, y, e] = align(a, b);
  return fromSigned(x + y, e);
}

export function bfNeg(a: BigFloat): BigFloat {
  return { neg: !a.neg, m: a.m, e: a.e };
}

export function bfSub(a: BigFloat, b: BigFloat): BigFloat {
  return bfAdd(a, bfNeg(b));
}

/** Product rounded to `prec` bits (64 unless the receiving big.Float already had another precision). */
export function bfMul(a: BigFloat, b: BigFloat, prec = PREC): BigFloat {
  return roundExact(a.neg !== b.neg, a.m * b.m, a.e + b.e, prec);
}

export function bfQuo(a: BigFloat, b: BigFloat): BigFloat {
  if (a.m === 0n) return { neg: a.neg !== b.neg, m: 0n, e: 0 };
  let num = a.m;
  let den = b.m;
  const d = a.e - b.e;
  if (d >= 0) num <<= BigInt(d);
  else den <<= BigInt(-d);
  return roundRational(a.neg !== b.neg, num, den, PREC);
}

export function bfIsInt(a: BigFloat): boolean {
  if (a.m === 0n || a.e >= 0) return true;
  return (a.m & ((1n << BigInt(-a.e)) - 1n)) === 0n;
}

/** Truncation toward zero (big.Float.Int). */
export function bfTrunc(a: BigFloat): bigint {
  const v = a.e >= 0 ? a.m << BigInt(a.e) : a.m >> BigInt(-a.e);
  return a.neg ? -v : v;
}

function bfFromBigInt(b: bigint): BigFloat {
  return fromSigned(b, 0);
}

/**
 * A big.Float result as OPA hands it back (FloatToNumber): the shortest decimal that reads back as
 * the same float at its precision (`prec`: 64, or 53 for values that started as a float64), as a
 * canonical Rego number — usually a JS float, a Decimal where no float spells that decimal.
 */
export function bigFloatToValue(a: BigFloat, prec = PREC): Num {
  if (a.m === 0n) return 0;
  // an integer of at most 64 bits is its own shortest text
  if (bfIsInt(a) && bitLength(a.m) + a.e <= PREC) return normNum(bfTrunc(a));
  // a short binary fraction (see toBigFloat) is a float whose text is its exact value
  if (a.e >= -8 && bitLength(a.m) + a.e <= 20) return nearestFloat(a);
  // Fast path: the nearest float64's text, when it reads back as this very float, is the
  // shortest such text (a float64's interval holds the 64-bit float's).
  const v = nearestFloat(a);
  if (Number.isFinite(v) && v !== 0 && !(Number.isInteger(v) && !Number.isSafeInteger(v))) {
    const back = toBigFloat(v);
    if (prec === PREC ? sameFloat(back, a) : sameFloat(roundTo(back, prec), a)) return v;
  }
  const d = shortestDecimal(a, prec);
  return numberFromParts(a.neg, d.digits, d.exp10);
}

function roundTo(a: BigFloat, prec: number): BigFloat {
  return roundExact(a.neg, a.m, a.e, prec);
}

function sameFloat(x: BigFloat, y: BigFloat): boolean {
  if (x.neg !== y.neg) return false;
  if (x.m === 0n || y.m === 0n) return x.m === y.m;
  if (bitLength(x.m) + x.e !== bitLength(y.m) + y.e) return false;
  // same magnitude: shift the one with the larger exponent onto the other's
  return x.e >= y.e ? x.m << BigInt(x.e - y.e) === y.m : x.m === y.m << BigInt(y.e - x.e);
}

/** Nearest float64 (±0 or ±Infinity beyond its range). */
function nearestFloat(a: BigFloat): number {
  let v: number;
  if (a.e >= -1000 && a.e <= 900) {
    // Number(bigint) rounds to nearest-even and scaling by a power of two is exact in this range.
    v = Number(a.m) * 2 ** a.e;
  } else {
    const r = roundExact(a.neg, a.m, a.e, 53);
    v = Number(r.m) * 2 ** r.e;
    if (!Number.isFinite(v) || v === 0) v = Math.abs(Number(bigFloatToDecimalString(a, 25)));
  }
  return a.neg ? -v : v;
}

/** Decimal text with `sig` significant digits (for values that cannot be scaled directly). */
function bigFloatToDecimalString(a: BigFloat, sig: number): string {
  // value = m * 2^e; scale by 10^k so the integer part carries `sig` digits.
  const approxLog10 = (bitLength(a.m) + a.e) * Math.LOG10E * Math.LN2;
  const k = Math.max(0, Math.ceil(sig - approxLog10));
  let num = a.m * pow10(k);
  let den = 1n;
  if (a.e >= 0) num <<= BigInt(a.e);
  else den <<= BigInt(-a.e);
  const q = num / den;
  return `${q.toString()}e-${k}`;
}

/**
 * Go's big.Float shortest formatting (ftoa.go roundShortest): the fewest significant digits that
 * fall within half a unit in the last place (at `prec` bits) of the value, rounded to nearest;
 * the bounds themselves count only when the mantissa is even (they would round back to it).
 */
function shortestDecimal(a: BigFloat, prec: number): { digits: bigint; exp10: number } {
  // value = M * 2^E with M of prec+1 bits, so the bounds are (M ± 1) * 2^E
  const s = prec + 1 - bitLength(a.m);
  const M = s >= 0 ? a.m << BigInt(s) : a.m >> BigInt(-s);
  const E = a.e - s;
  const inclusive = (M & 2n) === 0n;
  // as fractions over a common denominator: value N/D, half-ulp H/D
  const N = E >= 0 ? M << BigInt(E) : M;
  const H = E >= 0 ? 1n << BigInt(E) : 1n;
  const D = E >= 0 ? 1n : 1n << BigInt(-E);
  // decimal position of the leading digit: 10^(p-1) <= value < 10^p
  let p = Math.floor((bitLength(M) + E - 1) * Math.LOG10E * Math.LN2) + 1;
  const ge = (k: number): boolean => (k >= 0 ? N >= pow10(k) * D : N * pow10(-k) >= D);
  while (ge(p)) p++;
  while (!ge(p - 1)) p--;
  // the nearest k-digit decimal is within the bounds for every k from the shortest one on, so
  // search for the least k (prec bits never need more than prec * log10(2) + 2 digits)
  const attempt = (k: number): { digits: bigint; exp10: number } | undefined => {
    const t = p - k; // candidate = q * 10^t
    let num = N;
    let den = D;
    if (t >= 0) den = D * pow10(t);
    else num = N * pow10(-t);
    let q = num / den;
    const r2 = (num - q * den) * 2n;
    if (r2 > den || (r2 === den && (q & 1n) === 1n)) q += 1n;
    // |q * 10^t - N/D| against H/D, scaled by den
    const diff = q * den - num;
    const dist = diff < 0n ? -diff : diff;
    const half = t >= 0 ? H : H * pow10(-t);
    return dist < half || (inclusive && dist === half) ? { digits: q, exp10: t } : undefined;
  };
  let lo = 1;
  let hi = Math.ceil(prec * Math.log10(2)) + 2;
  let best = attempt(hi);
  while (best === undefined) best = attempt(++hi); // (not reached: the bound always holds)
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const r = attempt(mid);
    if (r !== undefined) {
      best = r;
      hi = mid;
    } else lo = mid + 1;
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Operand checks

export function numberOperand(name: string, v: Value, pos: number): Num {
  if (!isNumber(v)) throw operandError(name, pos, "number", v);
  return v;
}

/** OPA's IntOperand: a number that must be an integer fitting a machine int. */
export function intOperand(name: string, v: Value, pos: number): number {
  if (!isNumber(v)) throw operandError(name, pos, "number", v);
  if (typeof v === "bigint") {
    // OPA's Int() fails on ints beyond int64; report like a non-integer.
    if (v > 9223372036854775807n || v < -9223372036854775808n) {
      throw new BuiltinTypeErrorText(
        name,
        pos,
        "must be integer number but got floating-point number",
      );
    }
    return Number(v);
  }
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new BuiltinTypeErrorText(
      name,
      pos,
      "must be integer number but got floating-point number",
    );
  }
  return v;
}

/** OPA's BigIntOperand: any integer; the type error names "integer". */
export function bigIntOperand(name: string, v: Value, pos: number): bigint {
  if (!isNumber(v)) throw operandError(name, pos, "integer", v);
  if (!isIntegral(v)) {
    throw new BuiltinTypeErrorText(
      name,
      pos,
      "must be integer number but got floating-point number",
    );
  }
  return toBigInt(v);
}

/** A type error with a free-form operand message, e.g. "operand 2 must be integer number …". */
export class BuiltinTypeErrorText extends BuiltinTypeError {
  constructor(name: string, pos: number, text: string) {
    super(`${name}: operand ${pos} ${text}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Arithmetic

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function smallInt(n: Num): n is number {
  return typeof n === "number" && Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX;
}

type BinOp = "plus" | "minus" | "mul" | "div" | "rem";

/** OPA's binary arithmetic on two numbers; `op` also names the built-in in error messages. */
export function arith(op: BinOp, a: Num, b: Num): Num {
  if (smallInt(a) && smallInt(b)) {
    switch (op) {
      case "plus":
        return a + b;
      case "minus":
        return a - b;
      case "mul": {
        const p = a * b;
        return Number.isSafeInteger(p) ? p : normNum(BigInt(a) * BigInt(b));
      }
      case "div":
        if (b === 0) throw new BuiltinError("div: divide by zero");
        if (a !== 0 && a % b === 0) return a / b;
        break;
      case "rem":
        if (b === 0) throw new BuiltinError("rem: modulo by zero");
        return a % b === 0 ? 0 : a % b;
    }
  }
  if (op !== "div" && isIntegral(a) && isIntegral(b)) {
    const x = toBigInt(a);
    const y = toBigInt(b);
    switch (op) {
      case "plus":
        return normNum(x + y);
      case "minus":
        return normNum(x - y);
      case "mul":
        return normNum(x * y);
      case "rem":
        if (y === 0n) throw new BuiltinError("rem: modulo by zero");
        return normNum(x % y);
    }
  }
  if (op === "rem") throw new BuiltinError("rem: modulo on floating-point number");
  const x = toBigFloat(a);
  const y = toBigFloat(b);
  switch (op) {
    case "plus":
      return bigFloatToValue(bfAdd(x, y));
    case "minus":
      return bigFloatToValue(bfSub(x, y));
    case "mul":
      return bigFloatToValue(bfMul(x, y));
    default:
      if (y.m === 0n) throw new BuiltinError("div: divide by zero");
      return bigFloatToValue(bfQuo(x, y));
  }
}

function arithBuiltin(name: BinOp) {
  return (args: Value[]): Value => {
    const a = numberOperand(name, args[0], 1);
    const b = numberOperand(name, args[1], 2);
    return arith(name, a, b);
  };
}

function minus(args: Value[]): Value {
  const [a, b] = args;
  if (isNumber(a) && isNumber(b)) return arith("minus", a, b);
  if (a instanceof RSet && b instanceof RSet) {
    const out = new RSet();
    for (const v of a) if (!b.has(v)) out.add(v);
    return out;
  }
  if (!isNumber(a) && !(a instanceof RSet))
    throw operandError("minus", 1, "one of {number, set}", a);
  if (isNumber(a)) throw operandError("minus", 2, "number", b);
  throw operandError("minus", 2, "set", b);
}

const HALF = toBigFloat(0.5);

function unary(name: string, f: (x: BigFloat) => BigFloat) {
  return (args: Value[]): Value => {
    const n = numberOperand(name, args[0], 1);
    // OPA: ints run as ints, anything else (bigints too) as a 64-bit big.Float, so an integer of
    // more than 64 significant bits comes back rounded to 64 bits
    if (typeof n === "number" && Number.isInteger(n)) return name === "abs" ? Math.abs(n) : n;
    return bigFloatToValue(f(toBigFloat(n)));
  };
}

function roundHalfAway(x: BigFloat): BigFloat {
  return bfFromBigInt(bfTrunc(x.neg ? bfSub(x, HALF) : bfAdd(x, HALF)));
}

function ceilBF(x: BigFloat): BigFloat {
  const t = bfTrunc(x);
  if (bfIsInt(x) || x.neg) return bfFromBigInt(t);
  return bfFromBigInt(t + 1n);
}

function floorBF(x: BigFloat): BigFloat {
  const t = bfTrunc(x);
  if (bfIsInt(x) || !x.neg) return bfFromBigInt(t);
  return bfFromBigInt(t - 1n);
}

// ---------------------------------------------------------------------------------------------
// Ranges

/** Guard against ranges that would exhaust memory before the evaluator's budget can stop them. */
const MAX_RANGE = 50_000_000n;

function range(name: string, x: bigint, y: bigint, step: bigint): Value {
  const len = (x <= y ? y - x : x - y) / step + 1n;
  if (len > MAX_RANGE) {
    throw new BuiltinError(`${name}: range of ${len.toString()} numbers is too large`);
  }
  const out: Value[] = [];
  if (x <= y) for (let i = x; i <= y; i += step) out.push(normNum(i));
  else for (let i = x; i >= y; i -= step) out.push(normNum(i));
  return out;
}

function numbersRange(args: Value[]): Value {
  const x = bigIntOperand("numbers.range", args[0], 1);
  const y = bigIntOperand("numbers.range", args[1], 2);
  return range("numbers.range", x, y, 1n);
}

function numbersRangeStep(args: Value[]): Value {
  const x = bigIntOperand("numbers.range_step", args[0], 1);
  const y = bigIntOperand("numbers.range_step", args[1], 2);
  const step = bigIntOperand("numbers.range_step", args[2], 3);
  if (step <= 0n) {
    // OPA's message already carries the name, and its error wrapper prefixes it once more.
    throw new BuiltinError(
      "numbers.range_step: numbers.range_step: step must be a positive integer",
    );
  }
  return range("numbers.range_step", x, y, step);
}

function randIntn(args: Value[], ctx: BuiltinContext): Value {
  const s = args[0];
  if (typeof s !== "string") throw operandError("rand.intn", 1, "string", s);
  let n = intOperand("rand.intn", args[1], 2);
  if (n === 0) return 0;
  if (n < 0) n = -n;
  const key = `rand.intn\0${s}-${n}`;
  const hit = ctx.cache.get(key);
  if (hit !== undefined) return hit as number;
  const r = Math.floor(Math.random() * n);
  ctx.cache.set(key, r);
  return r;
}

// ---------------------------------------------------------------------------------------------
// Bits

function bits2(name: string, f: (x: bigint, y: bigint) => bigint) {
  return (args: Value[]): Value => {
    const x = bigIntOperand(name, args[0], 1);
    const y = bigIntOperand(name, args[1], 2);
    return normNum(f(x, y));
  };
}

function shift(name: string, left: boolean) {
  return (args: Value[]): Value => {
    const x = bigIntOperand(name, args[0], 1);
    const n = intOperand(name, args[1], 2);
    if (n < 0) {
      throw new BuiltinTypeErrorText(
        name,
        2,
        "must be an unsigned integer number but got a negative integer",
      );
    }
    return normNum(left ? x << BigInt(n) : x >> BigInt(n));
  };
}

const NUM: readonly ["number"] = ["number"];

export const builtins = defineSafe([
  { name: "plus", arity: 2, impl: arithBuiltin("plus"), args: [NUM, NUM] },
  {
    name: "minus",
    arity: 2,
    impl: minus,
    args: [
      ["number", "set"],
      ["number", "set"],
    ],
  },
  { name: "mul", arity: 2, impl: arithBuiltin("mul"), args: [NUM, NUM] },
  { name: "div", arity: 2, impl: arithBuiltin("div"), args: [NUM, NUM] },
  { name: "rem", arity: 2, impl: arithBuiltin("rem"), args: [NUM, NUM] },
  { name: "abs", arity: 1, impl: unary("abs", (x) => ({ ...x, neg: false })), args: [NUM] },
  { name: "round", arity: 1, impl: unary("round", roundHalfAway), args: [NUM] },
  { name: "ceil", arity: 1, impl: unary("ceil", ceilBF), args: [NUM] },
  { name: "floor", arity: 1, impl: unary("floor", floorBF), args: [NUM] },
  { name: "numbers.range", arity: 2, impl: numbersRange, args: [NUM, NUM] },
  { name: "numbers.range_step", arity: 3, impl: numbersRangeStep, args: [NUM, NUM, NUM] },
  {
    name: "rand.intn",
    arity: 2,
    impl: randIntn,
    args: [["string"], NUM],
    nondeterministic: true,
  },
  { name: "bits.or", arity: 2, impl: bits2("bits.or", (x, y) => x | y), args: [NUM, NUM] },
  { name: "bits.and", arity: 2, impl: bits2("bits.and", (x, y) => x & y), args: [NUM, NUM] },
  { name: "bits.xor", arity: 2, impl: bits2("bits.xor", (x, y) => x ^ y), args: [NUM, NUM] },
  {
    name: "bits.negate",
    arity: 1,
    impl: (args) => normNum(~bigIntOperand("bits.negate", args[0], 1)),
    args: [NUM],
  },
  { name: "bits.lsh", arity: 2, impl: shift("bits.lsh", true), args: [NUM, NUM] },
  { name: "bits.rsh", arity: 2, impl: shift("bits.rsh", false), args: [NUM, NUM] },
]);
