/**
 * Go's fmt as `sprintf` reaches it through OPA, and Rego's own term printing. OPA converts
 * arguments to int, *big.Int, float64 or string before calling fmt.Sprintf; this module formats
 * exactly those kinds.
 */
import { Decimal, RSet, isNumber, type Num, type Value } from "../value";
import { plainFormat } from "./format-plan";

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

function numberText(n: Num): string {
  // Term.String(): a number's own text, exact decimals included
  if (typeof n === "bigint" || n instanceof Decimal) return n.toString();
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

export type GoArg =
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

export function toGoArg(v: Value): GoArg {
  if (typeof v === "number") {
    if (Number.isInteger(v)) return { kind: "int", v: BigInt(v) };
    return { kind: "float", v };
  }
  if (typeof v === "bigint") {
    return v <= INT64_MAX && v >= INT64_MIN ? { kind: "int", v } : { kind: "bigint", v };
  }
  // OPA hands sprintf a number that is neither an int nor a big.Int as its float64
  if (v instanceof Decimal) return { kind: "float", v: v.toNumber() };
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
  if (w === undefined) return s;
  const len = Array.from(s).length;
  if (len >= w) return s;
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

export function fmtG(x: number, prec: number | undefined, upper: boolean): string {
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

/**
 * sprintf's common case without Go's general formatter (~10× cheaper): each directive a plain
 * `%s`/`%v` of a string or `%v`/`%d` of a safe integer, one argument per directive. Those print
 * as the string itself and the integer's decimal text, exactly as goSprintf would; anything else
 * returns undefined and takes the general path.
 */
export function sprintfPlain(format: string, args: readonly Value[]): string | undefined {
  const plan = plainFormat(format);
  if (plan === null || plan.verbs.length !== args.length) return undefined;
  const { pieces, verbs } = plan;
  let out = pieces[0];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const verb = verbs[i];
    if (typeof a === "string") {
      if (verb === "d") return undefined;
      out += a;
    } else if (typeof a === "number" && Number.isSafeInteger(a) && verb !== "s") {
      out += a === 0 ? "0" : String(a);
    } else return undefined;
    out += pieces[i + 1];
  }
  return out;
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
