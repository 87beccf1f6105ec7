/**
 * Regular expressions with Go's RE2 semantics through `re2js` (linear-time; never JS RegExp on a
 * pattern from a policy or input). Compiled patterns are cached per query in ctx.cache.
 */
import type { RE2JS as RE2JSClass } from "re2js";
import type { Value } from "../value";
import { BuiltinError, type BuiltinContext } from "./types";
import { intOperand, defineSafe } from "./numbers";
import { str } from "./operands";

/**
 * re2js, loaded on the first pattern compiled, so loading the engine does not pay for it (about
 * 15 ms, a sixth of starting node) when a policy matches no pattern. A synchronous `require`,
 * since built-ins are called synchronously.
 */
let re2js: typeof RE2JSClass | undefined;
export function RE2(): typeof RE2JSClass {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (re2js ??= (require("re2js") as { RE2JS: typeof RE2JSClass }).RE2JS);
}

/** The parts of re2js's Go-style RE2 engine used here (indices are UTF-16 offsets). */
interface GoRegexp {
  findAll(s: string, n: number): string[] | null;
  findAllIndex(s: string, n: number): number[][] | null;
  findAllSubmatch(s: string, n: number): (string | null)[][] | null;
  findAllSubmatchIndex(s: string, n: number): number[][] | null;
  match(s: string): boolean;
}

interface Compiled {
  re: GoRegexp;
  names: Record<string, number>;
}

function compile(name: string, pattern: string): Compiled {
  try {
    const p = RE2().compile(pattern);
    return { re: p.re2() as unknown as GoRegexp, names: { ...p.namedGroups() } };
  } catch (e) {
    throw new BuiltinError(`${name}: ${(e as Error).message}`);
  }
}

function getRegexp(ctx: BuiltinContext, name: string, pattern: string): Compiled {
  const key = "regex\0" + pattern;
  const hit = ctx.cache.get(key) as Compiled | string | undefined;
  if (typeof hit === "string") throw new BuiltinError(`${name}: ${hit}`);
  if (hit !== undefined) return hit;
  try {
    const c = compile(name, pattern);
    ctx.cache.set(key, c);
    return c;
  } catch (e) {
    ctx.cache.set(key, (e as Error).message.slice(name.length + 2));
    throw e;
  }
}

/** Go's regexp.QuoteMeta. */
function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&");
}

function isValid(args: Value[]): Value {
  const p = args[0];
  if (typeof p !== "string") return false;
  try {
    RE2().compile(p);
    return true;
  } catch {
    return false;
  }
}

function match(args: Value[], ctx: BuiltinContext): Value {
  const pattern = str("regex.match", args[0], 1);
  const value = str("regex.match", args[1], 2);
  return getRegexp(ctx, "regex.match", pattern).re.match(value);
}

/**
 * A pattern that is one bracketed class of printable ASCII members, repeated: `[^a-z0-9*]+`, as a
 * policy splits a scope into words. Its leftmost-first matches are the maximal runs of members, so
 * one scan of the text finds them: no re2js to load (about 20 ms) and no matcher to run (a cold
 * 10,000-need check spent more CPU optimising re2js's backtracker than running it). Every other
 * pattern, anything this parser is unsure of included, goes to re2js.
 */
export interface ClassRun {
  /** For each ASCII code: 1 if it is a member (negation applied). */
  readonly member: Uint8Array;
  /** Whether a code unit beyond ASCII is a member: the class is negated (its listed members are all ASCII). */
  readonly beyondAscii: boolean;
}

const CLASS_RUN = /^\[(\^?)([^\\[\]]+)\]\+$/;

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** The class of a `[…]+` / `[^…]+` pattern of plain ASCII members and alphanumeric ranges; else undefined. */
export function classRunOf(pattern: string): ClassRun | undefined {
  const m = CLASS_RUN.exec(pattern);
  if (m === null) return undefined;
  const negated = m[1] === "^";
  const body = m[2];
  // `[^]+`: the pattern matched with `^` as a member, but Go reads `[^]` as an unclosed class
  if (!negated && body.charCodeAt(0) === 94) return undefined;
  const inClass = new Uint8Array(128);
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return undefined;
    if (i + 2 < body.length && body.charCodeAt(i + 1) === 45) {
      const hi = body.charCodeAt(i + 2);
      if (!isAlnum(c) || !isAlnum(hi) || hi < c) return undefined;
      for (let x = c; x <= hi; x++) inClass[x] = 1;
      i += 2;
      continue;
    }
    // a `-` elsewhere than first or last (`[a-z-0]`): leave Go's rules for it to re2js
    if (c === 45 && i !== 0 && i !== body.length - 1) return undefined;
    inClass[c] = 1;
  }
  const member = new Uint8Array(128);
  for (let c = 0; c < 128; c++) member[c] = inClass[c] ^ (negated ? 1 : 0);
  return { member, beyondAscii: negated };
}

/** Start and end (UTF-16 offsets) of each maximal run of the class's members, as findAllIndex gives them. */
export function classRunMatches(run: ClassRun, s: string): number[][] {
  const { member, beyondAscii } = run;
  const out: number[][] = [];
  const n = s.length;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c < 128 ? member[c] === 0 : !beyondAscii) {
      i++;
      continue;
    }
    let j = i + 1;
    for (; j < n; j++) {
      const d = s.charCodeAt(j);
      if (d < 128 ? member[d] === 0 : !beyondAscii) break;
    }
    out.push([i, j]);
    i = j;
  }
  return out;
}

/** The pattern's ClassRun, or null when re2js must match it (cached per query, as getRegexp caches). */
function classRun(ctx: BuiltinContext, pattern: string): ClassRun | null {
  const key = "regex-run\0" + pattern;
  let run = ctx.cache.get(key) as ClassRun | null | undefined;
  if (run === undefined) {
    run = classRunOf(pattern) ?? null;
    ctx.cache.set(key, run);
  }
  return run;
}

/** Go's Regexp.Split(s, -1). */
function split(args: Value[], ctx: BuiltinContext): Value {
  const pattern = str("regex.split", args[0], 1);
  const s = str("regex.split", args[1], 2);
  if (pattern.length > 0 && s.length === 0) return [""];
  const run = classRun(ctx, pattern);
  const matches =
    run !== null
      ? classRunMatches(run, s)
      : (getRegexp(ctx, "regex.split", pattern).re.findAllIndex(s, -1) ?? []);
  const out: string[] = [];
  let beg = 0;
  let end = 0;
  for (const m of matches) {
    end = m[0];
    if (m[1] !== 0) out.push(s.slice(beg, end));
    beg = m[1];
  }
  if (end !== s.length) out.push(s.slice(beg));
  return out;
}

function findN(args: Value[], ctx: BuiltinContext): Value {
  const pattern = str("regex.find_n", args[0], 1);
  const s = str("regex.find_n", args[1], 2);
  const n = intOperand("regex.find_n", args[2], 3);
  const re = getRegexp(ctx, "regex.find_n", pattern).re;
  if (n === 0) return [];
  return re.findAll(s, n < 0 ? -1 : n) ?? [];
}

function findAllStringSubmatchN(args: Value[], ctx: BuiltinContext): Value {
  const name = "regex.find_all_string_submatch_n";
  const pattern = str(name, args[0], 1);
  const s = str(name, args[1], 2);
  const n = intOperand(name, args[2], 3);
  const re = getRegexp(ctx, name, pattern).re;
  if (n === 0) return [];
  const ms = re.findAllSubmatch(s, n < 0 ? -1 : n) ?? [];
  return ms.map((m) => m.map((g) => g ?? ""));
}

const NAME_CHAR = /[\p{L}\p{Nd}_]/u;

/** Go's Regexp.Expand template: $1, ${1}, $name, ${name}, $$; the longest name wins. */
function expand(template: string, src: string, m: number[], names: Record<string, number>): string {
  let out = "";
  let t = template;
  for (;;) {
    const i = t.indexOf("$");
    if (i < 0) break;
    out += t.slice(0, i);
    t = t.slice(i + 1);
    if (t.startsWith("$")) {
      out += "$";
      t = t.slice(1);
      continue;
    }
    let brace = false;
    let rest = t;
    if (rest.startsWith("{")) {
      brace = true;
      rest = rest.slice(1);
    }
    let j = 0;
    const cps = Array.from(rest);
    let name = "";
    while (j < cps.length && NAME_CHAR.test(cps[j])) {
      name += cps[j];
      j++;
    }
    let after = cps.slice(j).join("");
    let ok = name !== "";
    if (ok && brace) {
      if (after.startsWith("}")) after = after.slice(1);
      else ok = false;
    }
    if (!ok) {
      out += "$";
      continue;
    }
    t = after;
    let num = -1;
    if (/^\d+$/.test(name) && !(name[0] === "0" && name.length > 1) && name.length <= 8) {
      num = Number(name);
    }
    const group = num >= 0 ? num : names[name];
    if (group !== undefined && 2 * group + 1 < m.length && m[2 * group] >= 0) {
      out += src.slice(m[2 * group], m[2 * group + 1]);
    }
  }
  return out + t;
}

/** Go's ReplaceAllString: every non-overlapping match replaced by the expanded template. */
function replace(args: Value[], ctx: BuiltinContext): Value {
  const s = str("regex.replace", args[0], 1);
  const pattern = str("regex.replace", args[1], 2);
  const value = str("regex.replace", args[2], 3);
  const c = getRegexp(ctx, "regex.replace", pattern);
  const ms = c.re.findAllSubmatchIndex(s, -1) ?? [];
  let out = "";
  let last = 0;
  for (const m of ms) {
    out += s.slice(last, m[0]) + expand(value, s, m, c.names);
    last = m[1];
  }
  return out + s.slice(last);
}

function templateMatch(args: Value[], ctx: BuiltinContext): Value {
  const name = "regex.template_match";
  const tpl = str(name, args[0], 1);
  const value = str(name, args[1], 2);
  const start = str(name, args[2], 3);
  const end = str(name, args[3], 4);
  const startLen = Buffer.byteLength(start);
  if (startLen !== 1) {
    throw new BuiltinError(
      `${name}: start delimiter has to be exactly one character long but is ${startLen} long`,
    );
  }
  if (Buffer.byteLength(end) !== 1) {
    // OPA reports the start delimiter's length here.
    throw new BuiltinError(
      `${name}: end delimiter has to be exactly one character long but is ${startLen} long`,
    );
  }
  const key = `regex.template\0${start}${end}\0${tpl}`;
  let re = ctx.cache.get(key) as GoRegexp | undefined;
  if (re === undefined) {
    const idxs: number[] = [];
    let level = 0;
    let idx = 0;
    for (let i = 0; i < tpl.length; i++) {
      if (tpl[i] === start) {
        if (++level === 1) idx = i;
      } else if (tpl[i] === end) {
        if (--level === 0) idxs.push(idx, i + 1);
        else if (level < 0)
          throw new BuiltinError(`${name}: unbalanced braces in ${JSON.stringify(tpl)}`);
      }
    }
    if (level !== 0) throw new BuiltinError(`${name}: unbalanced braces in ${JSON.stringify(tpl)}`);
    let pattern = "^";
    let last = 0;
    for (let i = 0; i < idxs.length; i += 2) {
      const raw = tpl.slice(last, idxs[i]);
      last = idxs[i + 1];
      const patt = tpl.slice(idxs[i] + 1, last - 1);
      compile(name, `^${patt}$`);
      pattern += `${quoteMeta(raw)}(${patt})`;
    }
    pattern += quoteMeta(tpl.slice(last)) + "$";
    re = compile(name, pattern).re;
    ctx.cache.set(key, re);
  }
  return re.match(value);
}

// ---------------------------------------------------------------------------------------------
// regex.globs_match: do two "glob-style" regular expressions (only . * + [ - ] \ are special)
// share a non-empty string? Answered exactly by a search over pairs of pattern positions, so it
// costs O(len(a) × len(b)).

type GlobTok = { kind: "dot" } | { kind: "char"; c: number } | { kind: "set"; cs: Set<number> };
interface GlobItem {
  tok: GlobTok;
  star: boolean;
}

function globsSyntax(pos: number, msg: string): BuiltinError {
  return new BuiltinError(`regex.globs_match: the input provided is invalid: pos:${pos}:${msg}`);
}

function tokenizeGlob(input: string): GlobItem[] {
  const rs = Array.from(input, (c) => c.codePointAt(0) as number);
  const out: GlobItem[] = [];
  let i = 0;
  const next = (): { r: number; escaped: boolean } => {
    if (rs[i] === 0x5c) {
      if (i === rs.length - 1) throw globsSyntax(i, "input ends with a \\ (escape) character");
      i += 2;
      return { r: rs[i - 1], escaped: true };
    }
    return { r: rs[i++], escaped: false };
  };
  while (i < rs.length) {
    const { r, escaped } = next();
    let tok: GlobTok;
    if (!escaped && r === 0x2e) tok = { kind: "dot" };
    else if (!escaped && r === 0x5d) throw globsSyntax(i, "set-close ']' with no preceding '['");
    else if (!escaped && (r === 0x2a || r === 0x2b)) {
      throw globsSyntax(i, `flag '${String.fromCodePoint(r)}' must be preceded by a non-flag`);
    } else if (!escaped && r === 0x5b) {
      const cs = new Set<number>();
      let prev = -1;
      let complete = false;
      while (i < rs.length) {
        const x = next();
        if (!x.escaped && x.r === 0x5d) {
          complete = true;
          break;
        }
        if (!x.escaped && x.r === 0x2d) {
          if (prev < 0)
            throw globsSyntax(i, "range character '-' must be preceded by a Unicode character");
          if (i >= rs.length)
            throw globsSyntax(i, "range character '-' must be followed by a Unicode character");
          const hi = next();
          if (!hi.escaped && (hi.r === 0x5d || hi.r === 0x2d)) {
            throw globsSyntax(i, "range character '-' cannot be followed by a special symbol");
          }
          if (hi.r < prev) throw globsSyntax(i, "range is out of order");
          for (let c = prev; c <= hi.r; c++) cs.add(c);
          prev = -1;
          continue;
        }
        cs.add(x.r);
        prev = x.r;
      }
      if (!complete) throw globsSyntax(i, "found [ without matching ]");
      tok = { kind: "set", cs };
    } else tok = { kind: "char", c: r };
    // A following * or + applies to this token; + is expanded to "token token*".
    if (i < rs.length && (rs[i] === 0x2a || rs[i] === 0x2b)) {
      const flag = rs[i++];
      if (i < rs.length && (rs[i] === 0x2a || rs[i] === 0x2b)) {
        throw globsSyntax(
          i,
          `flag '${String.fromCodePoint(rs[i])}' must be preceded by a non-flag`,
        );
      }
      if (flag === 0x2b) out.push({ tok, star: false });
      out.push({ tok, star: true });
    } else out.push({ tok, star: false });
  }
  return out;
}

/** Is there one character both tokens accept? */
function overlap(a: GlobTok, b: GlobTok): boolean {
  if (a.kind === "dot") return b.kind !== "set" || b.cs.size > 0;
  if (b.kind === "dot") return overlap(b, a);
  if (a.kind === "char") return b.kind === "char" ? a.c === b.c : b.cs.has(a.c);
  if (b.kind === "char") return a.cs.has(b.c);
  for (const c of a.cs) if (b.cs.has(c)) return true;
  return false;
}

function globsIntersect(g1: GlobItem[], g2: GlobItem[]): boolean {
  // Search states (i, j, consumed): positions in both patterns, and whether a character was read.
  const seen = new Set<number>();
  const work: number[] = [];
  const w = g2.length + 1;
  const push = (i: number, j: number, consumed: number): void => {
    const key = (i * w + j) * 2 + consumed;
    if (!seen.has(key)) {
      seen.add(key);
      work.push(key);
    }
  };
  push(0, 0, 0);
  while (work.length > 0) {
    const key = work.pop() as number;
    const consumed = key % 2;
    const i = Math.floor(Math.floor(key / 2) / w);
    const j = Math.floor(key / 2) % w;
    if (i === g1.length && j === g2.length && consumed) return true;
    // Skip a starred token on either side without reading.
    if (i < g1.length && g1[i].star) push(i + 1, j, consumed);
    if (j < g2.length && g2[j].star) push(i, j + 1, consumed);
    if (i < g1.length && j < g2.length && overlap(g1[i].tok, g2[j].tok)) {
      push(g1[i].star ? i : i + 1, g2[j].star ? j : j + 1, 1);
    }
  }
  return false;
}

function globsMatch(args: Value[]): Value {
  const a = str("regex.globs_match", args[0], 1);
  const b = str("regex.globs_match", args[1], 2);
  return globsIntersect(tokenizeGlob(a), tokenizeGlob(b));
}

const S: readonly ["string"] = ["string"];

export const builtins = defineSafe([
  { name: "regex.is_valid", arity: 1, impl: isValid, args: [["any"]] },
  { name: "regex.match", arity: 2, impl: match, args: [S, S] },
  { name: "regex.split", arity: 2, impl: split, args: [S, S] },
  { name: "regex.find_n", arity: 3, impl: findN, args: [S, S, ["number"]] },
  {
    name: "regex.find_all_string_submatch_n",
    arity: 3,
    impl: findAllStringSubmatchN,
    args: [S, S, ["number"]],
  },
  { name: "regex.replace", arity: 3, impl: replace, args: [S, S, S] },
  { name: "regex.template_match", arity: 4, impl: templateMatch, args: [S, S, S, S] },
  { name: "regex.globs_match", arity: 2, impl: globsMatch, args: [S, S] },
]);
