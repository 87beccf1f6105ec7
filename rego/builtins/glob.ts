/**
 * glob.match and glob.quote_meta with gobwas/glob syntax (as OPA uses it):
 *   *  any run of characters except delimiters     ** any run of characters
 *   ?  one character except a delimiter            [abc] [!abc] [a-z] [!a-z] one character
 *   {a,b,…} alternatives (each a pattern)          \x a literal x
 * Patterns compile to a small NFA that is simulated over the input's code points, so a match
 * costs O(len(input) × len(pattern)) whatever the pattern: no backtracking, no JS RegExp.
 */
import type { Value } from "../value";
import { BuiltinError, operandError, type BuiltinContext } from "./types";
import { BuiltinTypeErrorText, defineSafe } from "./numbers";
import { elementError, str } from "./operands";

type Node =
  | { kind: "text"; chars: string[] }
  | { kind: "any" }
  | { kind: "super" }
  | { kind: "single" }
  | { kind: "list"; chars: Set<string>; not: boolean }
  | { kind: "range"; lo: number; hi: number; not: boolean }
  | { kind: "anyof"; alts: Node[][] };

class GlobSyntaxError extends Error {}

/** Lexer and parser in one pass, following gobwas' token rules (see module comment). */
function parse(pattern: string): Node[] {
  const cs = Array.from(pattern);
  let i = 0;
  const root: Node[] = [];
  // Stack of open alternatives: the anyof node and the sequence currently being filled.
  const stack: { node: Extract<Node, { kind: "anyof" }>; seq: Node[] }[] = [];
  let seq = root;
  const inTerms = (): boolean => stack.length > 0;

  const readText = (breakers: string): string[] => {
    const data: string[] = [];
    let escaped = false;
    while (i < cs.length) {
      const c = cs[i];
      if (!escaped) {
        if (c === "\\") {
          escaped = true;
          i++;
          continue;
        }
        if (breakers.includes(c)) break;
      }
      escaped = false;
      data.push(c);
      i++;
    }
    return data;
  };

  const readRange = (): Node => {
    let not = false;
    let lo = 0;
    let hi = 0;
    let chars: string[] = [];
    let wantHi = false;
    for (;;) {
      if (i >= cs.length) throw new GlobSyntaxError("unexpected end of input");
      const c = cs[i++];
      if (wantHi) {
        hi = c.codePointAt(0) as number;
        if (hi < lo) {
          throw new GlobSyntaxError(
            `hi character '${c}' should be greater than lo '${String.fromCodePoint(lo)}'`,
          );
        }
        if (i >= cs.length) throw new GlobSyntaxError("unexpected end of input");
        if (cs[i++] !== "]") throw new GlobSyntaxError("expected close range character");
        break;
      }
      if (!not && c === "!" && chars.length === 0 && lo === 0) {
        not = true;
        continue;
      }
      if (cs[i] === "-") {
        i++;
        lo = c.codePointAt(0) as number;
        wantHi = true;
        continue;
      }
      i--;
      chars = readText("]");
      if (i >= cs.length) throw new GlobSyntaxError("unexpected end of input");
      if (cs[i++] !== "]") throw new GlobSyntaxError("expected close range character");
      break;
    }
    const isRange = lo !== 0 && hi !== 0;
    const isChars = chars.length > 0;
    if (isRange === isChars) throw new GlobSyntaxError("could not parse range");
    return isRange ? { kind: "range", lo, hi, not } : { kind: "list", chars: new Set(chars), not };
  };

  while (i < cs.length) {
    const c = cs[i];
    if (c === "{") {
      i++;
      const node: Extract<Node, { kind: "anyof" }> = { kind: "anyof", alts: [[]] };
      seq.push(node);
      stack.push({ node, seq });
      seq = node.alts[0];
    } else if (c === "," && inTerms()) {
      i++;
      const top = stack[stack.length - 1];
      const alt: Node[] = [];
      top.node.alts.push(alt);
      seq = alt;
    } else if (c === "}" && inTerms()) {
      i++;
      seq = (stack.pop() as { seq: Node[] }).seq;
    } else if (c === "[") {
      i++;
      seq.push(readRange());
    } else if (c === "?") {
      i++;
      seq.push({ kind: "single" });
    } else if (c === "*") {
      i++;
      if (cs[i] === "*") {
        i++;
        seq.push({ kind: "super" });
      } else seq.push({ kind: "any" });
    } else {
      const text = readText(inTerms() ? "?*[{}," : "?*[{");
      if (text.length > 0) seq.push({ kind: "text", chars: text });
    }
  }
  return root;
}

type Test = (c: string) => boolean;
type State = { t: Test; next: number } | { split: number[] } | { match: true };

/** Thompson NFA; states are built back to front so every node knows its successor. */
function compileNFA(nodes: Node[], delims: Set<string>): { states: State[]; start: number } {
  const states: State[] = [{ match: true }];
  const add = (s: State): number => states.push(s) - 1;
  const notDelim: Test = (c) => !delims.has(c);
  const anyChar: Test = () => true;
  const seqTo = (ns: Node[], next: number): number => {
    for (let k = ns.length - 1; k >= 0; k--) next = nodeTo(ns[k], next);
    return next;
  };
  const loop = (t: Test, next: number): number => {
    const l = add({ split: [] });
    const c = add({ t, next: l });
    (states[l] as { split: number[] }).split.push(c, next);
    return l;
  };
  const nodeTo = (n: Node, next: number): number => {
    switch (n.kind) {
      case "text":
        for (let k = n.chars.length - 1; k >= 0; k--) {
          const ch = n.chars[k];
          next = add({ t: (c) => c === ch, next });
        }
        return next;
      case "single":
        return add({ t: notDelim, next });
      case "any":
        return loop(notDelim, next);
      case "super":
        return loop(anyChar, next);
      case "list": {
        const { chars, not } = n;
        return add({ t: (c) => chars.has(c) !== not, next });
      }
      case "range": {
        const { lo, hi, not } = n;
        return add({
          t: (c) => {
            const cp = c.codePointAt(0) as number;
            return (cp >= lo && cp <= hi) !== not;
          },
          next,
        });
      }
      case "anyof":
        return add({ split: n.alts.map((alt) => seqTo(alt, next)) });
    }
  };
  return { states, start: seqTo(nodes, 0) };
}

/**
 * The NFA with every state's epsilon closure precomputed: the character-testing states it
 * reaches, and whether it reaches the final state.
 */
interface CompiledGlob {
  states: State[];
  start: number;
  reach: number[][];
  accepts: boolean[];
}

function withClosures(nfa: { states: State[]; start: number }): CompiledGlob {
  const { states } = nfa;
  const reach: number[][] = [];
  const accepts: boolean[] = [];
  for (let s0 = 0; s0 < states.length; s0++) {
    const seen = new Set<number>();
    const chars: number[] = [];
    let accept = false;
    const work = [s0];
    while (work.length > 0) {
      const s = work.pop() as number;
      if (seen.has(s)) continue;
      seen.add(s);
      const st = states[s];
      if ("split" in st) work.push(...st.split);
      else if ("t" in st) chars.push(s);
      else accept = true;
    }
    reach.push(chars);
    accepts.push(accept);
  }
  return { ...nfa, reach, accepts };
}

function run(g: CompiledGlob, input: string): boolean {
  const stamp = new Int32Array(g.states.length);
  let gen = 0;
  let cur = g.reach[g.start];
  let accept = g.accepts[g.start];
  for (const c of input) {
    if (cur.length === 0) return false;
    gen++;
    const next: number[] = [];
    accept = false;
    for (const s of cur) {
      const st = g.states[s] as { t: Test; next: number };
      if (!st.t(c)) continue;
      if (g.accepts[st.next]) accept = true;
      for (const r of g.reach[st.next]) {
        if (stamp[r] !== gen) {
          stamp[r] = gen;
          next.push(r);
        }
      }
    }
    cur = next;
  }
  return accept;
}

function delimiters(v: Value): string[] {
  if (v === null) return [];
  if (!Array.isArray(v)) throw operandError("glob.match", 2, "one of {array, null}", v);
  const out: string[] = [];
  for (const x of v) {
    if (typeof x !== "string") throw elementError("glob.match", 2, v, x, "string");
    if (x.length !== 1 && !(x.length === 2 && (x.codePointAt(0) as number) > 0xffff)) {
      throw new BuiltinTypeErrorText(
        "glob.match",
        2,
        "must be array of runes but got array containing string",
      );
    }
    out.push(x);
  }
  return out.length === 0 ? ["."] : out;
}

function globMatch(args: Value[], ctx: BuiltinContext): Value {
  const pattern = str("glob.match", args[0], 1);
  const delims = delimiters(args[1]);
  const input = str("glob.match", args[2], 3);
  const key = `glob\0${pattern}\0${delims.join("")}`;
  let g = ctx.cache.get(key) as CompiledGlob | undefined;
  if (g === undefined) {
    try {
      g = withClosures(compileNFA(parse(pattern), new Set(delims)));
    } catch (e) {
      if (e instanceof GlobSyntaxError) throw new BuiltinError(`glob.match: ${e.message}`);
      throw e;
    }
    ctx.cache.set(key, g);
  }
  return run(g, input);
}

/** gobwas' QuoteMeta: backslash before each of * ? \ [ ] { }. */
function quoteMeta(args: Value[]): Value {
  return str("glob.quote_meta", args[0], 1).replace(/[*?\\[\]{}]/g, "\\$&");
}

export const builtins = defineSafe([
  {
    name: "glob.match",
    arity: 3,
    impl: globMatch,
    args: [["string"], ["array", "null"], ["string"]],
  },
  { name: "glob.quote_meta", arity: 1, impl: quoteMeta, args: [["string"]] },
]);
