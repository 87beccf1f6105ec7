/**
 * String built-ins, including `sprintf` with Go's fmt semantics as OPA exposes them.
 *
 * Go works on UTF-8 and runes; JS strings are UTF-16. Everything here that counts or indexes
 * (count, indexof, substring, split on "", trim cutsets, reverse) works on code points, which is
 * what Go's rune-based code observes.
 */
import { RObject, RSet, compare, isNumber, type Value } from "../value";
import { BuiltinError, operandError } from "./types";
import { BuiltinTypeErrorText, intOperand, toBigFloat, bfTrunc, defineSafe } from "./numbers";
import { codePoints, str, stringSlice, unitIndexed } from "./operands";
import { goSprintf, sprintfPlain, toGoArg, type GoArg } from "./gofmt";

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

function sprintf(args: Value[]): Value {
  const format = str("sprintf", args[0], 1);
  const list = args[1];
  if (!Array.isArray(list)) throw operandError("sprintf", 2, "array", list);
  return sprintfPlain(format, list) ?? goSprintf(format, list.map(toGoArg));
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
  // OPA formats an integer's text exactly (big.Int); anything else is read as a 64-bit big.Float
  // and truncated toward zero
  const i =
    typeof n === "bigint"
      ? n
      : typeof n === "number" && Number.isInteger(n)
        ? BigInt(n)
        : bfTrunc(toBigFloat(n));
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
  if (unitIndexed(base)) return base.indexOf(search);
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
  if (unitIndexed(base)) {
    if (start >= base.length) return "";
    return length < 0 ? base.slice(start) : base.slice(start, start + length);
  }
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

/** strings.split_n: the first n parts (n > 0), the last -n parts (n < 0), none for 0. */
function splitN(args: Value[]): Value {
  const s = str("strings.split_n", args[0], 1);
  const d = str("strings.split_n", args[1], 2);
  const n = intOperand("strings.split_n", args[2], 3);
  const parts = d === "" ? codePoints(s) : s.split(d);
  if (n >= 0) return parts.slice(0, n);
  return parts.slice(Math.max(0, parts.length + n));
}

function replace(args: Value[]): Value {
  const s = str("replace", args[0], 1);
  const old = str("replace", args[1], 2);
  const n = str("replace", args[2], 3);
  // One non-empty old string (not starting inside a surrogate pair, where the replacer, stepping
  // by code point, never looks): every non-overlapping match from the left, as split/join finds
  // them; most calls find none and return the string itself.
  const c = old.charCodeAt(0);
  if (old !== "" && (c < 0xdc00 || c > 0xdfff)) {
    return s.indexOf(old) < 0 ? s : s.split(old).join(n);
  }
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
  { name: "strings.split_n", arity: 3, impl: splitN, args: [S, S, ["number"]] },
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
