/**
 * String built-ins, including `sprintf` with Go's fmt semantics as OPA exposes them.
 *
 * Go works on UTF-8 and runes; JS strings are UTF-16. Everything here that counts or indexes
 * (count, indexof, substring, split on "", trim cutsets, reverse) works on code points, which is
 * what Go's rune-based code observes.
 */
import { RObject, RSet, compare, isNumber, type Value } from "../value";
import { BuiltinError, BuiltinTypeError, operandError } from "./types";
import { BuiltinTypeErrorText, intOperand, toBigFloat, bfTrunc, defineSafe } from "./numbers";

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

/** Strings of an array or set operand (sets in sorted order), OPA's StringSliceOperand. */
export function stringSlice(name: string, v: Value, pos: number): string[] {
  let items: Value[];
  if (Array.isArray(v)) items = v;
  else if (v instanceof RSet) items = v.sortedValues();
  else throw operandError(name, pos, "one of {array, set}", v);
  const out: string[] = [];
  for (const x of items) {
    if (typeof x !== "string") throw elementError(name, pos, v, x, "string");
    out.push(x);
  }
  return out;
}

function codePoints(s: string): string[] {
  return Array.from(s);
}

// ---------------------------------------------------------------------------------------------
// Go's strings.NewReplacer semantics: at each position the earliest pair (in argument order)
// whose old string is a prefix wins; an empty old string matches everywhere, but not twice in a
// row at the same position; replaced output is never rescanned.

function replaceAll(s: string, pairs: [string, string][]): string {
  if (pairs.length === 0) return s;
  const nonEmpty = pairs.filter(([o]) => o !== "");
  const emptyIdx = pairs.findIndex(([o]) => o === "");
  const firstChars = new Set(nonEmpty.map(([o]) => o.charCodeAt(0)));
  let out = "";
  let last = 0;
  let prevEmpty = false;
  let i = 0;
  while (i <= s.length) {
    let bestIdx = -1;
    if (i < s.length && firstChars.has(s.charCodeAt(i))) {
      for (let p = 0; p < pairs.length; p++) {
        const o = pairs[p][0];
        if (o !== "" && s.startsWith(o, i)) {
          bestIdx = p;
          break;
        }
      }
    }
    if (emptyIdx >= 0 && !prevEmpty && (bestIdx === -1 || emptyIdx < bestIdx)) bestIdx = emptyIdx;
    if (bestIdx >= 0) {
      const [o, n] = pairs[bestIdx];
      out += s.slice(last, i) + n;
      i += o.length;
      last = i;
      prevEmpty = o === "";
      continue;
    }
    prevEmpty = false;
    if (i >= s.length) break;
    const cp = s.codePointAt(i) as number;
    i += cp > 0xffff ? 2 : 1;
  }
  return out + s.slice(last);
}

// ---------------------------------------------------------------------------------------------
// Trimming with Go's rune semantics

function trimLeftSet(s: string, cut: Set<string>): string {
  const cps = codePoints(s);
  let i = 0;
  while (i < cps.length && cut.has(cps[i])) i++;
  return cps.slice(i).join("");
}

function trimRightSet(s: string, cut: Set<string>): string {
  const cps = codePoints(s);
  let j = cps.length;
  while (j > 0 && cut.has(cps[j - 1])) j--;
  return cps.slice(0, j).join("");
}

/** unicode.IsSpace: Latin-1 spaces plus the Unicode White_Space property (not U+FEFF). */
function isGoSpace(cp: number): boolean {
  if (cp <= 0xff) {
    return cp === 0x20 || (cp >= 0x09 && cp <= 0x0d) || cp === 0x85 || cp === 0xa0;
  }
  return (
    cp === 0x1680 ||
    (cp >= 0x2000 && cp <= 0x200a) ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    cp === 0x202f ||
    cp === 0x205f ||
    cp === 0x3000
  );
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

function trimSpace(s: string): string {
  // For ASCII text JS and Go agree on what a space is.
  if (isAscii(s)) return s.trim();
  const cps = codePoints(s);
  let i = 0;
  let j = cps.length;
  while (i < j && isGoSpace(cps[i].codePointAt(0) as number)) i++;
  while (j > i && isGoSpace(cps[j - 1].codePointAt(0) as number)) j--;
  return cps.slice(i, j).join("");
}

/** Go's simple per-rune case mapping: full mappings that expand (ß → SS) leave the rune as is. */
function mapCase(s: string, upper: boolean): string {
  if (isAscii(s)) return upper ? s.toUpperCase() : s.toLowerCase();
  let out = "";
  for (const c of s) {
    if (c === "\u0130" && !upper) {
      out += "i";
      continue;
    }
    const m = upper ? c.toUpperCase() : c.toLowerCase();
    out += Array.from(m).length === 1 ? m : c;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Rego term text (ast.Term.String()), used by sprintf for composite arguments

/** strconv.Quote: printable runes kept, the rest escaped. */
export function goQuote(s: string): string {
  let out = '"';
  for (const c of s) {
    const cp = c.codePointAt(0) as number;
    switch (c) {
      case '"':
        out += '\\"';
        continue;
      case "\\":
        out += "\\\\";
        continue;
      case "\x07":
        out += "\\a";
        continue;
      case "\b":
        out += "\\b";
        continue;
      case "\f":
        out += "\\f";
        continue;
      case "\n":
        out += "\\n";
        continue;
      case "\r":
        out += "\\r";
        continue;
      case "\t":
        out += "\\t";
        continue;
      case "\v":
        out += "\\v";
        continue;
    }
    if (cp < 0x20 || cp === 0x7f) out += "\\x" + cp.toString(16).padStart(2, "0");
    else if ((cp >= 0x80 && cp < 0xa0) || cp === 0xad || (cp >= 0xd800 && cp <= 0xdfff)) {
      out += "\\u" + cp.toString(16).padStart(4, "0");
    } else if (cp === 0xfeff || (cp >= 0x2028 && cp <= 0x2029)) {
      out += "\\u" + cp.toString(16).padStart(4, "0");
    } else out += c;
  }
  return out + '"';
}

function numberText(n: number | bigint): string {
  if (typeof n === "bigint") return n.toString();
  if (Object.is(n, -0)) return "0";
  return String(n);
}

/** Rego's own printing of a value, as OPA's Term.String() gives it. */
export function termString(v: Value): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (isNumber(v)) return numberText(v);
  if (typeof v === "string") return goQuote(v);
  if (Array.isArray(v)) return "[" + v.map(termString).join(", ") + "]";
  if (v instanceof RSet) {
    if (v.size === 0) return "set()";
    return "{" + v.sortedValues().map(termString).join(", ") + "}";
  }
  const parts: string[] = [];
  for (const [k, val] of v.sortedEntries()) parts.push(termString(k) + ": " + termString(val));
  return "{" + parts.join(", ") + "}";
}

// ---------------------------------------------------------------------------------------------
// Go fmt (the subset sprintf reaches): arguments are int, *big.Int, float64 or string, as OPA
// converts them; booleans, null and composites arrive as their Rego text (strings).

type GoArg =
  | { kind: "int"; v: bigint }
  | { kind: "bigint"; v: bigint }
  | { kind: "float"; v: number }
  | { kind: "string"; v: string };

interface Spec {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  zero: boolean;
  space: boolean;
  width?: number;
  prec?: number;
}

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

function toGoArg(v: Value): GoArg {
  if (typeof v === "number") {
    if (Number.isInteger(v)) return { kind: "int", v: BigInt(v) };
    return { kind: "float", v };
  }
  if (typeof v === "bigint") {
    return v <= INT64_MAX && v >= INT64_MIN ? { kind: "int", v } : { kind: "bigint", v };
  }
  if (typeof v === "string") return { kind: "string", v };
  return { kind: "string", v: termString(v) };
}

function goTypeName(a: GoArg): string {
  switch (a.kind) {
    case "int":
      return "int";
    case "bigint":
      return "*big.Int";
    case "float":
      return "float64";
    default:
      return "string";
  }
}

function pad(s: string, spec: Spec, zeroOk: boolean): string {
  const w = spec.width;
  const len = Array.from(s).length;
  if (w === undefined || len >= w) return s;
  if (spec.minus) return s + " ".repeat(w - len);
  if (spec.zero && zeroOk) {
    const sign = s[0] === "-" || s[0] === "+" || s[0] === " " ? s[0] : "";
    return sign + "0".repeat(w - len) + s.slice(sign.length);
  }
  return " ".repeat(w - len) + s;
}

function fmtInteger(x: bigint, verb: string, spec: Spec, big: boolean): string | undefined {
  const neg = x < 0n;
  const abs = neg ? -x : x;
  let base: number;
  switch (verb) {
    case "v":
    case "d":
      base = 10;
      break;
    case "s":
      if (!big) return undefined;
      base = 10;
      break;
    case "b":
      base = 2;
      break;
    case "o":
    case "O":
      base = 8;
      break;
    case "x":
    case "X":
      base = 16;
      break;
    case "c":
      if (big) return undefined;
      return pad(
        abs <= 0x10ffffn && !neg ? String.fromCodePoint(Number(abs)) : "\ufffd",
        spec,
        false,
      );
    case "q":
      if (big) return undefined;
      return pad(
        abs <= 0x10ffffn && !neg
          ? "'" +
              goQuote(String.fromCodePoint(Number(abs)))
                .slice(1, -1)
                .replace(/\\"/g, '"') +
              "'"
          : "'\ufffd'",
        spec,
        false,
      );
    case "U": {
      if (big) return undefined;
      const h = abs.toString(16).toUpperCase().padStart(4, "0");
      return pad((neg ? "-" : "") + "U+" + h, spec, false);
    }
    default:
      return undefined;
  }
  let digits = abs.toString(base);
  if (verb === "X") digits = digits.toUpperCase();
  let prefix = "";
  if (spec.sharp || verb === "O") {
    if (base === 2) prefix = "0b";
    else if (base === 16) prefix = verb === "X" ? "0X" : "0x";
    else if (verb === "O") prefix = "0o";
    else if (base === 8) prefix = "0";
  }
  const sign = neg ? "-" : spec.plus ? "+" : spec.space ? " " : "";
  if (spec.prec !== undefined) {
    if (spec.prec === 0 && abs === 0n) digits = "";
    else if (digits.length < spec.prec) digits = "0".repeat(spec.prec - digits.length) + digits;
    if (base === 8 && prefix === "0" && digits.startsWith("0")) prefix = "";
    return pad(sign + prefix + digits, { ...spec, zero: false }, false);
  }
  if (base === 8 && prefix === "0" && digits.startsWith("0")) prefix = "";
  if (spec.zero && !spec.minus && spec.width !== undefined) {
    if (big) {
      const n = spec.width - sign.length - prefix.length;
      if (digits.length < n) digits = "0".repeat(n - digits.length) + digits;
    } else {
      const n = spec.width - (sign ? 1 : 0);
      if (digits.length < n) digits = "0".repeat(n - digits.length) + digits;
    }
    return pad(sign + prefix + digits, { ...spec, zero: false }, false);
  }
  return pad(sign + prefix + digits, spec, false);
}

/** Exact binary value of a finite float64 as num/den. */
function exactRational(x: number): [bigint, bigint] {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, Math.abs(x));
  const hi = dv.getUint32(0);
  const lo = dv.getUint32(4);
  const bexp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (bexp === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = bexp - 1075;
  }
  return e >= 0 ? [mant << BigInt(e), 1n] : [mant, 1n << BigInt(-e)];
}

function divRoundHalfEven(num: bigint, den: bigint): bigint {
  const q = num / den;
  const r2 = (num - q * den) * 2n;
  if (r2 > den || (r2 === den && (q & 1n) === 1n)) return q + 1n;
  return q;
}

/** Decimal digits (no trailing zeros unless keepZeros) and point position: value = 0.d1d2… × 10^dp. */
interface Digits {
  d: string;
  dp: number;
}

function shortestDigits(x: number): Digits {
  if (x === 0) return { d: "0", dp: 1 };
  const [m, e] = Math.abs(x).toExponential().split("e");
  return { d: m.replace(".", ""), dp: Number(e) + 1 };
}

/** Correctly rounded (half-even) to `sig` significant digits; trailing zeros kept. */
function sigDigits(x: number, sig: number): Digits {
  if (x === 0) return { d: "0".repeat(sig), dp: 1 };
  const [num, den] = exactRational(x);
  let k = Math.floor(Math.log10(Math.abs(x)));
  // Make 10^k <= x < 10^(k+1) exactly.
  const ge = (kk: number): boolean =>
    kk >= 0 ? num >= den * 10n ** BigInt(kk) : num * 10n ** BigInt(-kk) >= den;
  while (!ge(k)) k--;
  while (ge(k + 1)) k++;
  const shift = sig - 1 - k;
  let n =
    shift >= 0
      ? divRoundHalfEven(num * 10n ** BigInt(shift), den)
      : divRoundHalfEven(num, den * 10n ** BigInt(-shift));
  if (n >= 10n ** BigInt(sig)) {
    n /= 10n;
    k += 1;
  }
  return { d: n.toString(), dp: k + 1 };
}

function fixedDigits(x: number, prec: number): string {
  const [num, den] = exactRational(x);
  const n = divRoundHalfEven(num * 10n ** BigInt(prec), den);
  let s = n.toString();
  if (prec === 0) return s;
  if (s.length <= prec) s = "0".repeat(prec - s.length + 1) + s;
  return s.slice(0, s.length - prec) + "." + s.slice(s.length - prec);
}

function fmtE(dg: Digits, prec: number, upper: boolean): string {
  const d = dg.d.padEnd(prec + 1, "0");
  let s = d[0];
  if (prec > 0) s += "." + d.slice(1, prec + 1);
  const exp = dg.d === "0" || /^0+$/.test(dg.d) ? 0 : dg.dp - 1;
  const ae = Math.abs(exp);
  s += (upper ? "E" : "e") + (exp < 0 ? "-" : "+") + (ae < 10 ? "0" : "") + String(ae);
  return s;
}

function fmtF(dg: Digits, prec: number): string {
  let s = dg.dp > 0 ? dg.d.slice(0, dg.dp).padEnd(dg.dp, "0") : "0";
  if (prec > 0) {
    s += ".";
    for (let i = 1; i <= prec; i++) {
      const j = dg.dp + i - 1;
      s += j >= 0 && j < dg.d.length ? dg.d[j] : "0";
    }
  }
  return s;
}

function trimZeros(dg: Digits): Digits {
  const d = dg.d.replace(/0+$/, "");
  return { d: d === "" ? "0" : d, dp: dg.dp };
}

function fmtG(x: number, prec: number | undefined, upper: boolean): string {
  const ax = Math.abs(x);
  let dg: Digits;
  let eprec: number;
  let p: number;
  if (prec === undefined) {
    dg = shortestDigits(ax);
    p = dg.d.length;
    eprec = 6;
  } else {
    p = prec === 0 ? 1 : prec;
    dg = ax === 0 ? { d: "0", dp: 1 } : trimZeros(sigDigits(ax, p));
    eprec = p;
    if (eprec > dg.d.length && dg.d.length >= dg.dp) eprec = dg.d.length;
  }
  const exp = ax === 0 ? 0 : dg.dp - 1;
  if (exp < -4 || exp >= eprec) {
    const pp = Math.min(p, dg.d.length);
    return fmtE(dg, pp - 1, upper);
  }
  const pf = p > dg.dp ? dg.d.length : p;
  return fmtF(dg, Math.max(pf - dg.dp, 0));
}

function fmtFloat(x: number, verb: string, spec: Spec): string | undefined {
  let body: string;
  const ax = Math.abs(x);
  switch (verb) {
    case "v":
    case "g":
    case "G":
      body = fmtG(x, spec.prec, verb === "G");
      break;
    case "e":
    case "E": {
      const p = spec.prec ?? 6;
      body = fmtE(ax === 0 ? { d: "0", dp: 1 } : sigDigits(ax, p + 1), p, verb === "E");
      break;
    }
    case "f":
    case "F":
      body = fixedDigits(ax, spec.prec ?? 6);
      break;
    default:
      return undefined;
  }
  const neg = x < 0 || Object.is(x, -0);
  const sign = neg ? "-" : spec.plus ? "+" : spec.space ? " " : "";
  return pad(sign + body, spec, true);
}

function fmtString(s: string, verb: string, spec: Spec): string | undefined {
  switch (verb) {
    case "v":
    case "s": {
      const t = spec.prec !== undefined ? Array.from(s).slice(0, spec.prec).join("") : s;
      return pad(t, spec, true);
    }
    case "q":
      return pad(goQuote(s), spec, true);
    case "x":
    case "X": {
      let h = Buffer.from(s, "utf8").toString("hex");
      if (verb === "X") h = h.toUpperCase();
      return pad(h, spec, true);
    }
    default:
      return undefined;
  }
}

function fmtArg(a: GoArg, verb: string, spec: Spec): string | undefined {
  switch (a.kind) {
    case "int":
      return fmtInteger(a.v, verb, spec, false);
    case "bigint":
      return fmtInteger(a.v, verb, spec, true);
    case "float":
      return fmtFloat(a.v, verb, spec);
    default:
      return fmtString(a.v, verb, spec);
  }
}

function plainV(a: GoArg): string {
  const noFlags: Spec = { plus: false, minus: false, sharp: false, zero: false, space: false };
  return fmtArg(a, "v", noFlags) as string;
}

function badVerb(verb: string, a: GoArg): string {
  if (a.kind === "bigint") return `%!${verb}(big.Int=${a.v.toString()})`;
  return `%!${verb}(${goTypeName(a)}=${plainV(a)})`;
}

/** Go's fmt.Sprintf over OPA-converted arguments. */
export function goSprintf(format: string, args: GoArg[]): string {
  let out = "";
  let argNum = 0;
  let reordered = false;
  const n = format.length;
  let i = 0;
  while (i < n) {
    const pct = format.indexOf("%", i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const spec: Spec = { plus: false, minus: false, sharp: false, zero: false, space: false };
    flags: while (i < n) {
      switch (format[i]) {
        case "#":
          spec.sharp = true;
          break;
        case "0":
          spec.zero = !spec.minus;
          break;
        case "+":
          spec.plus = true;
          break;
        case "-":
          spec.minus = true;
          spec.zero = false;
          break;
        case " ":
          spec.space = true;
          break;
        default:
          break flags;
      }
      i++;
    }
    // Argument index [n]
    const readIndex = (): boolean => {
      if (format[i] !== "[") return true;
      reordered = true;
      const close = format.indexOf("]", i);
      const idx = close < 0 ? NaN : Number(format.slice(i + 1, close));
      if (close < 0 || !Number.isInteger(idx) || idx < 1 || idx > args.length) {
        i = close < 0 ? n : close + 1;
        return false;
      }
      argNum = idx - 1;
      i = close + 1;
      return true;
    };
    let goodIndex = readIndex();
    // Width
    if (format[i] === "*") {
      i++;
      const a = args[argNum];
      if (a && a.kind === "int") {
        let w = Number(a.v);
        if (w < 0) {
          spec.minus = true;
          spec.zero = false;
          w = -w;
        }
        spec.width = w;
        argNum++;
      } else {
        out += "%!(BADWIDTH)";
        if (a) argNum++;
      }
    } else {
      const m = /^\d+/.exec(format.slice(i));
      if (m) {
        spec.width = Number(m[0]);
        i += m[0].length;
      }
    }
    // Precision
    if (format[i] === ".") {
      i++;
      if (!readIndex()) goodIndex = false;
      if (format[i] === "*") {
        i++;
        const a = args[argNum];
        if (a && a.kind === "int" && a.v >= 0n) {
          spec.prec = Number(a.v);
          argNum++;
        } else {
          out += "%!(BADPREC)";
          if (a) argNum++;
        }
      } else {
        const m = /^\d+/.exec(format.slice(i));
        spec.prec = m ? Number(m[0]) : 0;
        if (m) i += m[0].length;
      }
    }
    if (!goodIndex || !readIndex()) goodIndex = false;
    if (i >= n) {
      out += "%!(NOVERB)";
      break;
    }
    const cp = format.codePointAt(i) as number;
    const verb = String.fromCodePoint(cp);
    i += verb.length;
    if (verb === "%") {
      out += "%";
      continue;
    }
    if (!goodIndex) {
      out += `%!${verb}(BADINDEX)`;
      continue;
    }
    if (argNum >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const a = args[argNum++];
    const s = fmtArg(a, verb, spec);
    out += s === undefined ? badVerb(verb, a) : s;
  }
  if (!reordered && argNum < args.length) {
    out +=
      "%!(EXTRA " +
      args
        .slice(argNum)
        .map((a) => `${goTypeName(a)}=${plainV(a)}`)
        .join(", ") +
      ")";
  }
  return out;
}

function sprintf(args: Value[]): Value {
  const format = str("sprintf", args[0], 1);
  const list = args[1];
  if (!Array.isArray(list)) throw operandError("sprintf", 2, "array", list);
  return goSprintf(format, list.map(toGoArg));
}

// ---------------------------------------------------------------------------------------------
// strings.render_template: the commonly used part of Go's text/template, with OPA's options
// (variables converted through JSON, so numbers are float64; missingkey=error).
// Supported: {{.a.b}}, {{.}}, {{$}}, {{$x := …}}, pipelines with |, parenthesised pipelines,
// literals, if/else if/else, range (slices and maps, with $i, $v :=), with, comments, trim markers
// {{- -}}, and the functions and, or, not, len, index, eq, ne, lt, le, gt, ge, print, printf,
// println, html, urlquery. define/template/block are rejected as unsupported.

type GoVal = null | boolean | number | string | GoVal[] | Map<string, GoVal>;

class TemplateError extends Error {}

function toGoVal(v: Value): GoVal {
  if (v === null || typeof v === "boolean" || typeof v === "string") return v;
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (Array.isArray(v)) return v.map(toGoVal);
  if (v instanceof RSet) return v.sortedValues().map(toGoVal);
  const m = new Map<string, GoVal>();
  for (const [k, x] of v.sortedEntries())
    m.set(typeof k === "string" ? k : toJSONTextKey(k), toGoVal(x));
  return m;
}

function toJSONTextKey(k: Value): string {
  return typeof k === "string" ? k : termString(k);
}

/** fmt's %v of a JSON-decoded Go value. */
function goValueString(v: GoVal): string {
  if (v === null) return "<nil>";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number")
    return (v < 0 || Object.is(v, -0) ? "-" : "") + fmtG(v, undefined, false);
  if (typeof v === "string") return v;
  if (Array.isArray(v)) return "[" + v.map(goValueString).join(" ") + "]";
  return (
    "map[" +
    [...v.keys()]
      .sort()
      .map((k) => `${k}:${goValueString(v.get(k) as GoVal)}`)
      .join(" ") +
    "]"
  );
}

function truthy(v: GoVal): boolean {
  if (v === null) return false;
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v !== 0;
  if (typeof v === "string") return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  return v.size > 0;
}

type TArg =
  | { k: "field"; base: "dot" | string; path: string[]; pos: number; text: string }
  | { k: "lit"; v: GoVal }
  | { k: "ident"; name: string; pos: number }
  | { k: "pipe"; pipe: TPipe };
interface TPipe {
  decl: string[];
  cmds: TArg[][];
}
type TNode =
  | { k: "text"; s: string }
  | { k: "action"; pipe: TPipe }
  | { k: "if" | "with" | "range"; pipe: TPipe; list: TNode[]; elseList: TNode[] };

const TEMPLATE_FUNCS = new Set([
  "and",
  "or",
  "not",
  "len",
  "index",
  "eq",
  "ne",
  "lt",
  "le",
  "gt",
  "ge",
  "print",
  "printf",
  "println",
  "html",
  "urlquery",
]);

function lineCol(src: string, pos: number): string {
  const before = src.slice(0, pos);
  const line = before.split("\n").length;
  const col = pos - (before.lastIndexOf("\n") + 1);
  return `${line}:${col}`;
}

/** Splits the source into text and action items, applying trim markers. */
function lexTemplate(src: string): ({ text: string } | { action: string; pos: number })[] {
  const items: ({ text: string } | { action: string; pos: number })[] = [];
  let i = 0;
  let trimNext = false;
  while (i <= src.length) {
    const open = src.indexOf("{{", i);
    let text = open < 0 ? src.slice(i) : src.slice(i, open);
    if (trimNext) text = text.replace(/^[ \t\r\n]+/, "");
    if (open < 0) {
      if (text) items.push({ text });
      break;
    }
    let start = open + 2;
    // "{{- " trims the whitespace before the action (the dash must be followed by a space).
    if (src[start] === "-" && /[ \t\r\n]/.test(src[start + 1] ?? "")) {
      text = text.replace(/[ \t\r\n]+$/, "");
      start += 1;
    }
    if (text) items.push({ text });
    const close = src.indexOf("}}", start);
    if (close < 0)
      throw new TemplateError(`template: template:${lineCol(src, open)}: unclosed action`);
    let end = close;
    trimNext = false;
    if (/[ \t\r\n]-$/.test(src.slice(start, close))) {
      end = close - 1;
      trimNext = true;
    }
    items.push({ action: src.slice(start, end), pos: start });
    i = close + 2;
  }
  return items;
}

function tokenizeAction(s: string, base: number, src: string): { t: string; pos: number }[] {
  const out: { t: string; pos: number }[] = [];
  let i = 0;
  const fail = (msg: string): TemplateError =>
    new TemplateError(`template: template:${lineCol(src, base + i)}: ${msg}`);
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === '"') {
      i++;
      while (i < s.length && s[i] !== '"') i += s[i] === "\\" ? 2 : 1;
      if (i >= s.length) throw fail("unterminated quoted string");
      i++;
    } else if (c === "`") {
      const e = s.indexOf("`", i + 1);
      if (e < 0) throw fail("unterminated raw quoted string");
      i = e + 1;
    } else if (c === ":" && s[i + 1] === "=") i += 2;
    else if ("|()=,".includes(c)) i++;
    else {
      while (i < s.length && !/[\s|()=,]/.test(s[i]) && !(s[i] === ":" && s[i + 1] === "=")) i++;
    }
    out.push({ t: s.slice(start, i), pos: base + start });
  }
  return out;
}

/** A Go interpreted string literal; escapes outside JSON's set are rejected. */
function goStringLiteral(t: string, pos: number): string {
  try {
    return JSON.parse(t) as string;
  } catch {
    throw new TemplateError(`template: template:${pos}: unsupported escape in string literal ${t}`);
  }
}

function parseTemplate(src: string): TNode[] {
  const items = lexTemplate(src);
  let idx = 0;
  const fail = (pos: number, msg: string): TemplateError =>
    new TemplateError(`template: template:${lineCol(src, pos)}: ${msg}`);

  const parsePipe = (toks: { t: string; pos: number }[], at: number): TPipe => {
    let k = 0;
    const decl: string[] = [];
    // Variable declarations: $x := …  or  $i, $v := …
    const assignAt = toks.findIndex((t) => t.t === ":=" || t.t === "=");
    if (assignAt > 0 && toks.slice(0, assignAt).every((t) => t.t.startsWith("$") || t.t === ",")) {
      for (const t of toks.slice(0, assignAt)) if (t.t !== ",") decl.push(t.t);
      k = assignAt + 1;
    }
    const parseCmds = (stopAtParen: boolean): TArg[][] => {
      const cmds: TArg[][] = [[]];
      while (k < toks.length) {
        const { t, pos } = toks[k];
        if (t === ")") {
          if (stopAtParen) return cmds;
          throw fail(pos, "unexpected right paren");
        }
        k++;
        if (t === "|") {
          if (cmds[cmds.length - 1].length === 0) throw fail(pos, "missing command");
          cmds.push([]);
          continue;
        }
        const cur = cmds[cmds.length - 1];
        if (t === "(") {
          const inner = parseCmds(true);
          if (toks[k]?.t !== ")") throw fail(pos, "unclosed left paren");
          if (inner[inner.length - 1].length === 0) throw fail(pos, "missing value for command");
          k++;
          cur.push({ k: "pipe", pipe: { decl: [], cmds: inner } });
        } else if (t.startsWith('"')) cur.push({ k: "lit", v: goStringLiteral(t, pos) });
        else if (t.startsWith("`")) cur.push({ k: "lit", v: t.slice(1, -1) });
        else if (t === "true" || t === "false") cur.push({ k: "lit", v: t === "true" });
        else if (t === "nil") cur.push({ k: "lit", v: null });
        else if (/^[+-]?(\d|\.\d)/.test(t) && Number.isFinite(Number(t)))
          cur.push({ k: "lit", v: Number(t) });
        else if (t.startsWith(".")) {
          cur.push({
            k: "field",
            base: "dot",
            path: t === "." ? [] : t.slice(1).split("."),
            pos,
            text: t,
          });
        } else if (t.startsWith("$")) {
          const [name, ...path] = t.split(".");
          cur.push({ k: "field", base: name, path, pos, text: t });
        } else if (TEMPLATE_FUNCS.has(t)) cur.push({ k: "ident", name: t, pos });
        else throw fail(pos, `function ${JSON.stringify(t)} not defined`);
      }
      if (stopAtParen) throw fail(at, "unclosed left paren");
      return cmds;
    };
    const cmds = parseCmds(false);
    if (cmds[cmds.length - 1].length === 0) throw fail(at, "missing value for command");
    return { decl, cmds };
  };

  const parseList = (
    ends: string[],
  ): { list: TNode[]; end: string; endToks: { t: string; pos: number }[] } => {
    const list: TNode[] = [];
    while (idx < items.length) {
      const it = items[idx++];
      if ("text" in it) {
        list.push({ k: "text", s: it.text });
        continue;
      }
      const body = it.action.trim();
      if (body.startsWith("/*")) {
        if (!body.endsWith("*/")) throw fail(it.pos, "unclosed comment");
        continue;
      }
      const toks = tokenizeAction(it.action, it.pos, src);
      if (toks.length === 0) throw fail(it.pos, "missing value for command");
      const head = toks[0].t;
      if (head === "end" || head === "else") {
        if (!ends.includes(head)) throw fail(it.pos, `unexpected {{${head}}}`);
        return { list, end: head, endToks: toks.slice(1) };
      }
      if (head === "if" || head === "with" || head === "range") {
        list.push(parseControl(head, toks.slice(1), it.pos));
        continue;
      }
      if (["define", "template", "block", "break", "continue"].includes(head)) {
        throw fail(it.pos, `{{${head}}} is not supported by this engine`);
      }
      list.push({ k: "action", pipe: parsePipe(toks, it.pos) });
    }
    if (ends.length > 0) throw fail(src.length, "unexpected EOF");
    return { list, end: "", endToks: [] };
  };

  const parseControl = (
    kind: "if" | "with" | "range",
    toks: { t: string; pos: number }[],
    pos: number,
  ): TNode => {
    if (toks.length === 0) throw fail(pos, `missing value for ${kind}`);
    const pipe = parsePipe(toks, pos);
    const body = parseList(["end", "else"]);
    let elseList: TNode[] = [];
    if (body.end === "else") {
      if (body.endToks.length > 0 && body.endToks[0].t === kind && kind !== "range") {
        // {{else if …}} / {{else with …}}: a nested control that shares our {{end}}.
        elseList = [parseControl(kind, body.endToks.slice(1), pos)];
      } else {
        elseList = parseList(["end"]).list;
      }
    }
    return { k: kind, pipe, list: body.list, elseList };
  };

  return parseList([]).list;
}

interface TState {
  src: string;
  out: string[];
  vars: { name: string; v: GoVal }[];
}

function execFail(st: TState, pos: number, at: string, msg: string): TemplateError {
  return new TemplateError(
    `template: template:${lineCol(st.src, pos)}: executing "template" at <${at}>: ${msg}`,
  );
}

function lookupVar(st: TState, name: string, pos: number): GoVal {
  for (let i = st.vars.length - 1; i >= 0; i--) if (st.vars[i].name === name) return st.vars[i].v;
  throw new TemplateError(
    `template: template:${lineCol(st.src, pos)}: undefined variable "${name}"`,
  );
}

function evalArg(st: TState, a: TArg, dot: GoVal, final?: GoVal): GoVal {
  switch (a.k) {
    case "lit":
      return a.v;
    case "pipe":
      return evalPipe(st, a.pipe, dot);
    case "ident":
      return callFunc(st, a.name, [], a.pos, final);
    case "field": {
      let v = a.base === "dot" ? dot : lookupVar(st, a.base, a.pos);
      for (const name of a.path) {
        if (v instanceof Map) {
          if (!v.has(name)) throw execFail(st, a.pos, a.text, `map has no entry for key "${name}"`);
          v = v.get(name) as GoVal;
        } else if (v === null) {
          throw execFail(st, a.pos, a.text, `nil pointer evaluating interface {}.${name}`);
        } else {
          const t = Array.isArray(v)
            ? "[]interface {}"
            : typeof v === "number"
              ? "float64"
              : typeof v;
          throw execFail(st, a.pos, a.text, `can't evaluate field ${name} in type ${t}`);
        }
      }
      return v;
    }
  }
}

function basicKey(v: GoVal): string | undefined {
  if (v === null || typeof v === "object") return undefined;
  return typeof v + ":" + String(v);
}

function callFunc(st: TState, name: string, args: GoVal[], pos: number, final?: GoVal): GoVal {
  if (final !== undefined) args = [...args, final];
  const fail = (msg: string): TemplateError =>
    execFail(st, pos, name, `error calling ${name}: ${msg}`);
  const need = (n: number): void => {
    if (args.length !== n) {
      throw execFail(
        st,
        pos,
        name,
        `wrong number of args for ${name}: want ${n} got ${args.length}`,
      );
    }
  };
  switch (name) {
    case "and":
    case "or": {
      if (args.length === 0)
        throw execFail(st, pos, name, `wrong number of args for ${name}: want at least 1 got 0`);
      for (const a of args) if (truthy(a) !== (name === "and")) return a;
      return args[args.length - 1];
    }
    case "not":
      need(1);
      return !truthy(args[0]);
    case "len": {
      need(1);
      const v = args[0];
      if (typeof v === "string") return Buffer.byteLength(v);
      if (Array.isArray(v)) return v.length;
      if (v instanceof Map) return v.size;
      throw fail(
        `len of type ${v === null ? "<nil>" : typeof v === "number" ? "float64" : typeof v}`,
      );
    }
    case "index": {
      if (args.length === 0)
        throw execFail(st, pos, name, "wrong number of args for index: want at least 1 got 0");
      let v = args[0];
      for (const k of args.slice(1)) {
        if (Array.isArray(v)) {
          if (typeof k !== "number" || !Number.isInteger(k))
            throw fail("cannot index slice/array with type float64");
          if (k < 0 || k >= v.length) throw fail(`index out of range: ${k}`);
          v = v[k];
        } else if (v instanceof Map) {
          if (typeof k !== "string") throw fail("value has type float64; should be string");
          v = v.has(k) ? (v.get(k) as GoVal) : null;
        } else if (v === null) throw fail("index of untyped nil");
        else throw fail(`can't index item of type ${typeof v}`);
      }
      return v;
    }
    case "eq": {
      if (args.length < 2) throw fail("missing argument for comparison");
      const a = basicKey(args[0]);
      if (a === undefined) throw fail("invalid type for comparison");
      return args.slice(1).some((b) => basicKey(b) === a);
    }
    case "ne":
    case "lt":
    case "le":
    case "gt":
    case "ge": {
      need(2);
      const [a, b] = args;
      if (basicKey(a) === undefined || basicKey(b) === undefined)
        throw fail("invalid type for comparison");
      if (typeof a !== typeof b) throw fail("incompatible types for comparison");
      if (name === "ne") return a !== b;
      if (typeof a === "boolean") throw fail("invalid type for comparison");
      const c = (a as number | string) < (b as number | string) ? -1 : a === b ? 0 : 1;
      return name === "lt" ? c < 0 : name === "le" ? c <= 0 : name === "gt" ? c > 0 : c >= 0;
    }
    case "print":
    case "println": {
      let s = "";
      args.forEach((a, i) => {
        // Sprint puts spaces between operands when neither is a string; Sprintln always does.
        if (
          i > 0 &&
          (name === "println" || (typeof a !== "string" && typeof args[i - 1] !== "string"))
        )
          s += " ";
        s += goValueString(a);
      });
      return name === "println" ? s + "\n" : s;
    }
    case "printf": {
      if (args.length === 0 || typeof args[0] !== "string")
        throw fail("printf needs a format string");
      return goSprintf(
        args[0],
        args
          .slice(1)
          .map((a): GoArg =>
            typeof a === "number"
              ? { kind: "float", v: a }
              : { kind: "string", v: goValueString(a) },
          ),
      );
    }
    case "html":
      return args
        .map(goValueString)
        .join("")
        .replace(/[&'<>"\0]/g, (c) =>
          c === "&"
            ? "&amp;"
            : c === "'"
              ? "&#39;"
              : c === "<"
                ? "&lt;"
                : c === ">"
                  ? "&gt;"
                  : c === '"'
                    ? "&#34;"
                    : "\uFFFD",
        );
    default:
      // urlquery: Go's url.QueryEscape of the printed arguments.
      return encodeURIComponent(args.map(goValueString).join(""))
        .replace(/%20/g, "+")
        .replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
  }
}

function evalCmd(st: TState, cmd: TArg[], dot: GoVal, final?: GoVal): GoVal {
  const [first, ...rest] = cmd;
  if (first.k === "ident") {
    return callFunc(
      st,
      first.name,
      rest.map((a) => evalArg(st, a, dot)),
      first.pos,
      final,
    );
  }
  if (rest.length > 0 || final !== undefined) {
    const pos = first.k === "field" ? first.pos : 0;
    throw new TemplateError(
      `template: template:${lineCol(st.src, pos)}: can't give argument to non-function`,
    );
  }
  return evalArg(st, first, dot);
}

function evalPipe(st: TState, pipe: TPipe, dot: GoVal): GoVal {
  let v: GoVal | undefined;
  for (const cmd of pipe.cmds) v = evalCmd(st, cmd, dot, v);
  const value = v as GoVal;
  if (pipe.decl.length === 1) st.vars.push({ name: pipe.decl[0], v: value });
  return value;
}

function execList(st: TState, list: TNode[], dot: GoVal): void {
  const mark = st.vars.length;
  for (const n of list) {
    switch (n.k) {
      case "text":
        st.out.push(n.s);
        break;
      case "action": {
        const v = evalPipe(st, n.pipe, dot);
        if (n.pipe.decl.length === 0) st.out.push(v === null ? "<no value>" : goValueString(v));
        break;
      }
      case "if":
      case "with": {
        const inner = st.vars.length;
        const v = evalPipe(st, n.pipe, dot);
        if (truthy(v)) execList(st, n.list, n.k === "with" ? v : dot);
        else execList(st, n.elseList, dot);
        st.vars.length = inner;
        break;
      }
      case "range": {
        const inner = st.vars.length;
        const decl = n.pipe.decl;
        const v = evalPipe(st, { decl: [], cmds: n.pipe.cmds }, dot);
        const entries: [GoVal, GoVal][] = Array.isArray(v)
          ? v.map((x, i) => [i, x])
          : v instanceof Map
            ? [...v.keys()].sort().map((k) => [k, v.get(k) as GoVal])
            : v === null
              ? []
              : (() => {
                  throw new TemplateError(
                    `template: template: range can't iterate over ${goValueString(v)}`,
                  );
                })();
        if (entries.length === 0) execList(st, n.elseList, dot);
        for (const [k, x] of entries) {
          st.vars.length = inner;
          if (decl.length === 1) st.vars.push({ name: decl[0], v: x });
          if (decl.length === 2) st.vars.push({ name: decl[0], v: k }, { name: decl[1], v: x });
          execList(st, n.list, x);
        }
        st.vars.length = inner;
        break;
      }
    }
  }
  st.vars.length = mark;
}

function renderTemplate(args: Value[]): Value {
  const src = str("strings.render_template", args[0], 1);
  const vars = args[1];
  if (!(vars instanceof RObject)) throw operandError("strings.render_template", 2, "object", vars);
  try {
    const root = toGoVal(vars);
    const st: TState = { src, out: [], vars: [{ name: "$", v: root }] };
    execList(st, parseTemplate(src), root);
    return st.out.join("");
  } catch (e) {
    if (e instanceof TemplateError) throw new BuiltinError(`strings.render_template: ${e.message}`);
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// The built-ins

function formatInt(args: Value[]): Value {
  const n = args[0];
  if (!isNumber(n)) throw operandError("format_int", 1, "number", n);
  const base = args[1];
  if (!isNumber(base)) throw operandError("format_int", 2, "number", base);
  const b = Number(base);
  if (typeof base !== "number" || ![2, 8, 10, 16].includes(b)) {
    throw new BuiltinTypeErrorText("format_int", 2, "must be one of {2, 8, 10, 16}");
  }
  const i = typeof n === "bigint" ? n : Number.isInteger(n) ? BigInt(n) : bfTrunc(toBigFloat(n));
  return (i < 0n ? "-" : "") + (i < 0n ? -i : i).toString(b);
}

function concat(args: Value[]): Value {
  const sep = str("concat", args[0], 1);
  const c = args[1];
  if (!Array.isArray(c) && !(c instanceof RSet))
    throw operandError("concat", 2, "one of {set, array}", c);
  return stringSlice("concat", c, 2).join(sep);
}

function indexOfRunes(base: string, search: string, all: boolean): number[] {
  const out: number[] = [];
  let runeIdx = 0;
  let unit = 0;
  while (unit <= base.length - search.length) {
    if (base.startsWith(search, unit)) {
      out.push(runeIdx);
      if (!all) return out;
    }
    const cp = base.codePointAt(unit) as number;
    unit += cp > 0xffff ? 2 : 1;
    runeIdx++;
  }
  return out;
}

function indexof(args: Value[]): Value {
  const base = str("indexof", args[0], 1);
  const search = str("indexof", args[1], 2);
  if (search === "") throw new BuiltinError("indexof: empty search character");
  const r = indexOfRunes(base, search, false);
  return r.length ? r[0] : -1;
}

function indexofN(args: Value[]): Value {
  const base = str("indexof_n", args[0], 1);
  const search = str("indexof_n", args[1], 2);
  if (search === "") throw new BuiltinError("indexof_n: empty search character");
  return indexOfRunes(base, search, true);
}

function substring(args: Value[]): Value {
  const base = str("substring", args[0], 1);
  const start = intOperand("substring", args[1], 2);
  const length = intOperand("substring", args[2], 3);
  if (start < 0) throw new BuiltinError("substring: negative offset");
  const cps = codePoints(base);
  if (start >= cps.length) return "";
  if (length < 0) return cps.slice(start).join("");
  return cps.slice(start, Math.min(cps.length, start + length)).join("");
}

function stringsCount(args: Value[]): Value {
  const s = str("strings.count", args[0], 1);
  const sub = str("strings.count", args[1], 2);
  if (sub === "") return codePoints(s).length + 1;
  let n = 0;
  let i = s.indexOf(sub);
  while (i >= 0) {
    n++;
    i = s.indexOf(sub, i + sub.length);
  }
  return n;
}

function split(args: Value[]): Value {
  const s = str("split", args[0], 1);
  const d = str("split", args[1], 2);
  if (d === "") return codePoints(s);
  return s.split(d);
}

function replace(args: Value[]): Value {
  const s = str("replace", args[0], 1);
  const old = str("replace", args[1], 2);
  const n = str("replace", args[2], 3);
  return replaceAll(s, [[old, n]]);
}

function replaceN(args: Value[]): Value {
  const patterns = args[0];
  if (!(patterns instanceof RObject))
    throw operandError("strings.replace_n", 1, "object", patterns);
  const keys = patterns.keys().sort(compare);
  const s = str("strings.replace_n", args[1], 2);
  const pairs: [string, string][] = [];
  for (const k of keys) {
    if (typeof k !== "string") {
      throw new BuiltinTypeErrorText(
        "strings.replace_n",
        1,
        "non-string key found in pattern object",
      );
    }
    const v = patterns.get(k);
    if (typeof v !== "string") {
      throw new BuiltinTypeErrorText(
        "strings.replace_n",
        1,
        "non-string value found in pattern object",
      );
    }
    pairs.push([k, v]);
  }
  return replaceAll(s, pairs);
}

function trimFn(name: string, f: (s: string, c: string) => string) {
  return (args: Value[]): Value => f(str(name, args[0], 1), str(name, args[1], 2));
}

function anyMatch(name: string, suffix: boolean) {
  return (args: Value[]): Value => {
    const list = (v: Value, pos: number): string[] => {
      if (typeof v === "string") return [v];
      if (Array.isArray(v) || v instanceof RSet) return stringSlice(name, v, pos);
      throw operandError(name, pos, "one of {string, set, array}", v);
    };
    const strs = list(args[0], 1);
    const fixes = list(args[1], 2);
    for (const s of strs) {
      for (const f of fixes) if (suffix ? s.endsWith(f) : s.startsWith(f)) return true;
    }
    return false;
  };
}

const S: readonly ["string"] = ["string"];

export const builtins = defineSafe([
  { name: "format_int", arity: 2, impl: formatInt, args: [["number"], ["number"]] },
  { name: "concat", arity: 2, impl: concat, args: [S, ["array", "set"]] },
  { name: "indexof", arity: 2, impl: indexof, args: [S, S] },
  { name: "indexof_n", arity: 2, impl: indexofN, args: [S, S] },
  { name: "substring", arity: 3, impl: substring, args: [S, ["number"], ["number"]] },
  {
    name: "contains",
    arity: 2,
    impl: (a) => str("contains", a[0], 1).includes(str("contains", a[1], 2)),
    args: [S, S],
  },
  { name: "strings.count", arity: 2, impl: stringsCount, args: [S, S] },
  {
    name: "startswith",
    arity: 2,
    impl: (a) => str("startswith", a[0], 1).startsWith(str("startswith", a[1], 2)),
    args: [S, S],
  },
  {
    name: "endswith",
    arity: 2,
    impl: (a) => str("endswith", a[0], 1).endsWith(str("endswith", a[1], 2)),
    args: [S, S],
  },
  { name: "lower", arity: 1, impl: (a) => mapCase(str("lower", a[0], 1), false), args: [S] },
  { name: "upper", arity: 1, impl: (a) => mapCase(str("upper", a[0], 1), true), args: [S] },
  { name: "split", arity: 2, impl: split, args: [S, S] },
  { name: "replace", arity: 3, impl: replace, args: [S, S, S] },
  { name: "strings.replace_n", arity: 2, impl: replaceN, args: [["object"], S] },
  {
    name: "trim",
    arity: 2,
    impl: trimFn("trim", (s, c) => {
      const set = new Set(codePoints(c));
      return trimRightSet(trimLeftSet(s, set), set);
    }),
    args: [S, S],
  },
  {
    name: "trim_left",
    arity: 2,
    impl: trimFn("trim_left", (s, c) => trimLeftSet(s, new Set(codePoints(c)))),
    args: [S, S],
  },
  {
    name: "trim_right",
    arity: 2,
    impl: trimFn("trim_right", (s, c) => trimRightSet(s, new Set(codePoints(c)))),
    args: [S, S],
  },
  {
    name: "trim_prefix",
    arity: 2,
    impl: trimFn("trim_prefix", (s, p) => (s.startsWith(p) ? s.slice(p.length) : s)),
    args: [S, S],
  },
  {
    name: "trim_suffix",
    arity: 2,
    impl: trimFn("trim_suffix", (s, p) =>
      p !== "" && s.endsWith(p) ? s.slice(0, s.length - p.length) : s,
    ),
    args: [S, S],
  },
  { name: "trim_space", arity: 1, impl: (a) => trimSpace(str("trim_space", a[0], 1)), args: [S] },
  { name: "sprintf", arity: 2, impl: sprintf, args: [S, ["array"]] },
  {
    name: "strings.any_prefix_match",
    arity: 2,
    impl: anyMatch("strings.any_prefix_match", false),
    args: [
      ["string", "set", "array"],
      ["string", "set", "array"],
    ],
  },
  {
    name: "strings.any_suffix_match",
    arity: 2,
    impl: anyMatch("strings.any_suffix_match", true),
    args: [
      ["string", "set", "array"],
      ["string", "set", "array"],
    ],
  },
  {
    name: "strings.render_template",
    arity: 2,
    impl: renderTemplate,
    args: [S, ["object"]],
  },
  {
    name: "strings.reverse",
    arity: 1,
    impl: (a) =>
      codePoints(str("strings.reverse", a[0], 1))
        .reverse()
        .join(""),
    args: [S],
  },
]);

export type { GoArg };
