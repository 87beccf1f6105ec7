/**
 * A manifest's value and its locating index, for the plain shape most manifests have, read
 * without js-yaml's general scanner — or `undefined`, and then js-yaml reads the text as before.
 *
 * Why: on a 10,000-need manifest js-yaml's event scanner and the 300,000 event objects it makes
 * are a quarter of `check`'s CPU. The shape a manifest is written in — block mappings and
 * sequences, one-line plain or quoted scalars, one-line flow collections `[a, b]` / `{ k: v }`,
 * comments — can be read line by line in a fraction of that. The result is what js-yaml gives:
 * the same value (plain scalars resolved by YAML 1.2's core schema, as model/source.ts's manifest
 * schema does), and the same index of node positions js-yaml's events would give
 * (model/source.ts `EventIndex`). Anything outside that shape — anchors, aliases, tags, merge
 * keys, block scalars, multi-line scalars or flow collections, empty values, quoted or non-string
 * keys, duplicate keys, escapes, tabs, CR, astral characters, document markers, directives, a key inside
 * a flow sequence, anything malformed — gives up at once, so every error and every unusual
 * construct is js-yaml's to read and to report. test/model/yaml-fast-events.test.ts holds every
 * accepted text to js-yaml's own value and events.
 */

/** What locating needs of each node, in js-yaml's event order (see model/source.ts). */
export interface NodeIndexArrays {
  readonly kind: Uint8Array;
  readonly start: Int32Array;
  readonly end: Int32Array;
  /**
   * Where a plain scalar's text starts, the only nodes it is read for: here that is where the
   * node starts (no anchors or tags precede it), so this is `start` itself — 1.2 MB a
   * 10,000-need manifest does not write, in a machine where every fresh page costs a fault.
   */
  readonly valueStart: Int32Array;
}

export interface FastParse {
  readonly value: unknown;
  readonly index: NodeIndexArrays;
  /**
   * Offset where each line starts, as model/source.ts `LineTable` counts them (0 first; after
   * every line feed, the end of the text too when it ends with one): the scanner passes every
   * line start anyway, and counting them again afterwards was a second pass over the text.
   */
  readonly lineStarts: Int32Array;
}

/** model/source.ts marks a plain scalar's kind with this bit. */
export const PLAIN_SCALAR = 8;

/**
 * Line feeds and printable characters of the Basic Multilingual Plane: what YAML allows, less tab,
 * CR, NEL, the line and paragraph separators, the byte-order mark and surrogates (astral
 * characters), which js-yaml reads.
 */
const PLAIN_TEXT = /^[\n\x20-\x7e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]*$/;

const LF = 10;
const SPACE = 32;
const DQUOTE = 34;
const HASH = 35;
const SQUOTE = 39;
const COMMA = 44;
const DASH = 45;
const COLON = 58;
const LBRACKET = 91;
const BACKSLASH = 92;
const RBRACKET = 93;
const LBRACE = 123;
const RBRACE = 125;

/** js-yaml's own limit is 100 nested collections; a manifest is far shallower. */
const MAX_DEPTH = 64;
/** YAML limits an implicit key to 1024 characters; longer ones are js-yaml's to refuse. */
const MAX_KEY = 1000;

/** Characters that cannot start a plain scalar (YAML 1.2 c-indicator, less `-`, `?`, `:`). */
function isIndicator(c: number): boolean {
  switch (c) {
    case COMMA:
    case LBRACKET:
    case RBRACKET:
    case LBRACE:
    case RBRACE:
    case HASH:
    case 38: // &
    case 42: // *
    case 33: // !
    case 124: // |
    case 62: // >
    case SQUOTE:
    case DQUOTE:
    case 37: // %
    case 64: // @
    case 96: // `
    case 63: // ?
    case COLON:
      return true;
    default:
      return false;
  }
}

function isFlowIndicator(c: number): boolean {
  return c === COMMA || c === LBRACKET || c === RBRACKET || c === LBRACE || c === RBRACE;
}

/** Thrown inside the scanner to give the text back to js-yaml; never leaves this module. */
const GIVE_UP = Symbol("give up");

function giveUp(): never {
  throw GIVE_UP;
}

/**
 * Node kinds as js-yaml's events number them (its EVENT_ID), so model/source.ts reads one index
 * whichever parser built it; the test holds them to js-yaml's. Kept here so the fast path loads
 * no js-yaml at all.
 */
export const NODE = { DOCUMENT: 1, SEQUENCE: 2, MAPPING: 3, SCALAR: 4, ALIAS: 5, POP: 6 } as const;
const { DOCUMENT, SEQUENCE, MAPPING, SCALAR, POP } = NODE;

const INTEGER = /^(?:0o[0-7]+|0x[0-9a-fA-F]+|[-+]?[0-9]+)$/;
const FLOAT =
  /^(?:[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

/**
 * The value of a plain scalar under the manifest's schema: YAML 1.2's core schema (null, bool,
 * int, float by its spec's patterns, else text), tried in that order as js-yaml's schema does;
 * a number too large to be finite is not that type. `<<`, a merge key, is js-yaml's to read.
 * Keys must be text.
 */
export function plainScalarValue(s: string, isKey: boolean): unknown {
  if (s === "<<") giveUp();
  const value = coreValue(s);
  if (isKey && typeof value !== "string") giveUp();
  return value;
}

function coreValue(s: string): unknown {
  switch (s.charCodeAt(0)) {
    case 126: // ~
    case 110: // n
    case 78: // N
      return s === "~" || s === "null" || s === "Null" || s === "NULL" ? null : s;
    case 116: // t
    case 84: // T
      return s === "true" || s === "True" || s === "TRUE" ? true : s;
    case 102: // f
    case 70: // F
      return s === "false" || s === "False" || s === "FALSE" ? false : s;
    case 43: // +
    case 45: // -
    case 46: // .
    case 48:
    case 49:
    case 50:
    case 51:
    case 52: // 0-4
    case 53:
    case 54:
    case 55:
    case 56:
    case 57: // 5-9
      return numberValue(s);
    default:
      return s;
  }
}

function numberValue(s: string): unknown {
  if (!mayBeNumber(s)) return s;
  if (INTEGER.test(s)) {
    const sign = s.charCodeAt(0) === DASH ? -1 : 1;
    const digits = s.charCodeAt(0) === DASH || s.charCodeAt(0) === 43 ? s.slice(1) : s;
    const n = digits.startsWith("0o")
      ? parseInt(digits.slice(2), 8)
      : digits.startsWith("0x")
        ? parseInt(digits.slice(2), 16)
        : parseInt(digits, 10);
    const v = sign * n;
    if (Number.isFinite(v)) return v;
  }
  if (FLOAT.test(s)) {
    const lower = s.toLowerCase();
    const sign = lower.charCodeAt(0) === DASH ? -1 : 1;
    const body =
      lower.charCodeAt(0) === DASH || lower.charCodeAt(0) === 43 ? lower.slice(1) : lower;
    if (body === ".inf") return sign * Infinity;
    if (body === ".nan") return NaN;
    const v = sign * parseFloat(body);
    if (Number.isFinite(v)) return v;
  }
  return s;
}

/**
 * False for text that neither number pattern can match, told by its last character: every integer
 * and float ends in a digit or `.`, save hexadecimal (`0x…`) and `.inf`/`.nan` in any case. Durations
 * (`30d`, `4h`) start with a digit and are this file's most common plain scalars: this spares them
 * both regular expressions.
 */
function mayBeNumber(s: string): boolean {
  const last = s.charCodeAt(s.length - 1);
  if ((last >= 48 && last <= 57) || last === 46) return true; // 0-9 .
  const lower = last | 0x20;
  return lower === 102 || lower === 110 || s.startsWith("0x"); // f (inf), n (nan)
}

/** The value and node index js-yaml gives for `text`, when the text has the plain shape. */
export function fastParseYaml(text: string): FastParse | undefined {
  if (!PLAIN_TEXT.test(text)) return undefined;
  try {
    return new Scanner(text).document();
  } catch (err) {
    if (err === GIVE_UP) return undefined;
    throw err;
  }
}

class Scanner {
  private pos = 0;
  /** Offset where the line holding `pos` starts (columns are counted from it). */
  private lineStart = 0;
  /** Indentation of the content line at `pos` once a node is done; -1 at the end of the text. */
  private indent = -1;
  private depth = 0;
  private readonly n: number;
  // the index, one entry per event js-yaml would give, grown by doubling
  private count = 0;
  private kind: Uint8Array;
  private start: Int32Array;
  private end: Int32Array;
  // line starts, one per line passed (see FastParse.lineStarts), grown by doubling
  private lineCount = 0;
  private lineStarts: Int32Array;

  constructor(private readonly text: string) {
    this.n = text.length;
    // a manifest has about one node per 8 characters: sized for twice that, so it never grows
    // in practice (the arrays are handed out as views: the spare room is not copied away)
    const size = Math.max(1024, text.length >> 2);
    this.kind = new Uint8Array(size);
    this.start = new Int32Array(size);
    this.end = new Int32Array(size);
    // manifest lines average some 20 characters: room for lines of 16 on average
    this.lineStarts = new Int32Array(Math.max(256, text.length >> 4));
  }

  document(): FastParse {
    const doc = this.push(DOCUMENT, -1, 0);
    if (this.nextContentLine() !== 0) giveUp(); // empty, or an indented root
    const value = this.blockNode(0);
    if (this.indent !== -1) giveUp(); // something after the root node
    const pop = this.push(POP, 0, 0); // (push may replace the arrays: read them after it)
    this.end[doc] = pop;
    const k = this.count;
    // the line after a final line feed (empty) is a line too; nextContentLine stops before it
    if (this.n > 0 && this.text.charCodeAt(this.n - 1) === LF) this.markLine(this.n);
    return {
      value,
      index: {
        kind: this.kind.subarray(0, k),
        start: this.start.subarray(0, k),
        end: this.end.subarray(0, k),
        valueStart: this.start.subarray(0, k),
      },
      lineStarts: this.lineStarts.subarray(0, this.lineCount),
    };
  }

  /** Records that a line starts at `offset` (called once per line, in text order). */
  private markLine(offset: number): void {
    if (this.lineCount === this.lineStarts.length) {
      const grown = new Int32Array(this.lineStarts.length * 2);
      grown.set(this.lineStarts);
      this.lineStarts = grown;
    }
    this.lineStarts[this.lineCount++] = offset;
  }

  private push(kind: number, start: number, end: number): number {
    const k = this.count++;
    // (growing is its own method: push is inlined everywhere a node is read, so what it holds is
    // compiled over and over)
    if (k === this.kind.length) this.grow();
    this.kind[k] = kind;
    this.start[k] = start;
    this.end[k] = end;
    return k;
  }

  private grow(): void {
    const grow = <T extends Uint8Array | Int32Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(a.length * 2);
      b.set(a);
      return b;
    };
    this.kind = grow(this.kind);
    this.start = grow(this.start);
    this.end = grow(this.end);
  }

  private open(type: number, start: number): number {
    if (++this.depth > MAX_DEPTH) giveUp();
    return this.push(type, start, 0);
  }

  private close(opened: number): void {
    this.depth--;
    const pop = this.push(POP, 0, 0);
    this.end[opened] = pop;
  }

  private plain(from: number, to: number, isKey: boolean): unknown {
    this.push(SCALAR | PLAIN_SCALAR, from, to);
    return plainScalarValue(this.text.slice(from, to), isKey);
  }

  private at(i: number): number {
    return i < this.n ? this.text.charCodeAt(i) : LF;
  }

  /**
   * From the start of a line (or the end of the text), past blank and comment-only lines to the
   * first content character of the next line: its indentation, or -1 at the end of the text.
   */
  private nextContentLine(): number {
    const t = this.text;
    for (;;) {
      if (this.pos >= this.n) return (this.indent = -1);
      const start = this.pos;
      this.markLine(start);
      let p = start;
      while (p < this.n && t.charCodeAt(p) === SPACE) p++;
      const c = this.at(p);
      if (c === LF) {
        this.pos = p + 1;
        continue;
      }
      if (c === HASH) {
        const end = t.indexOf("\n", p);
        this.pos = end < 0 ? this.n : end + 1;
        continue;
      }
      // `---`, `...` and `%` at the start of a line are document markers and directives
      if (p === start && (c === 37 || t.startsWith("---", p) || t.startsWith("...", p))) giveUp();
      this.pos = p;
      this.lineStart = start;
      return (this.indent = p - start);
    }
  }

  /** `- ` or a `-` ending its line: a block sequence entry. */
  private isEntry(p: number): boolean {
    if (this.text.charCodeAt(p) !== DASH) return false;
    const next = this.at(p + 1);
    return next === SPACE || next === LF;
  }

  /** The `:` ending a plain implicit key starting at `p` on this line, or -1. */
  private keyColon(p: number): number {
    const t = this.text;
    const c0 = t.charCodeAt(p);
    if (isIndicator(c0)) return -1;
    if (c0 === DASH && (this.at(p + 1) === SPACE || this.at(p + 1) === LF)) return -1;
    for (let i = p; i < this.n; i++) {
      const c = t.charCodeAt(i);
      if (c === LF) return -1;
      if (c === COLON) {
        const d = this.at(i + 1);
        if (d === SPACE || d === LF) return i;
      } else if (c === HASH && t.charCodeAt(i - 1) === SPACE) {
        return -1;
      }
    }
    return -1;
  }

  /** The block collection whose first line is at `pos`, indented by `indent`. */
  private blockNode(indent: number): unknown {
    if (this.isEntry(this.pos)) return this.blockSequence(indent);
    const colon = this.keyColon(this.pos);
    if (colon >= 0) return this.blockMapping(indent, colon);
    return giveUp(); // a scalar on a line of its own
  }

  /**
   * A block mapping whose keys stand at column `indent`; `pos` is at its first key, whose `:` is at
   * `firstColon` (the caller found it to know this is a mapping).
   */
  private blockMapping(indent: number, firstColon: number): Record<string, unknown> {
    const t = this.text;
    const opened = this.open(MAPPING, this.pos);
    const map: Record<string, unknown> = {};
    for (let colon = firstColon; ; colon = this.keyColon(this.pos)) {
      const from = this.pos;
      if (colon < 0) giveUp();
      let to = colon;
      while (t.charCodeAt(to - 1) === SPACE) to--;
      if (to - from > MAX_KEY) giveUp();
      const key = this.plain(from, to, true) as string;
      this.pos = colon + 1;
      this.member(map, key, this.value(indent, true));
      if (this.indent < indent) break; // the mapping ends (or the text does)
      if (this.indent > indent || this.isEntry(this.pos)) giveUp();
    }
    this.close(opened);
    return map;
  }

  /** Adds a member as js-yaml's mapping tag does; what it treats specially is its to read. */
  private member(map: Record<string, unknown>, key: string, value: unknown): void {
    // a repeated key, and keys the object inherits (`toString`, `__proto__`), are js-yaml's to
    // read: one lookup answers both, as no member's value is undefined
    if ((map[key] as unknown) !== undefined || key === "__proto__") giveUp();
    map[key] = value;
  }

  /** A block sequence whose `-` stand at column `indent`; `pos` is at the first. */
  private blockSequence(indent: number): unknown[] {
    const opened = this.open(SEQUENCE, this.pos);
    const list: unknown[] = [];
    for (;;) {
      this.pos++; // past the `-`
      list.push(this.value(indent, false));
      if (this.indent < indent) break;
      if (this.indent > indent) giveUp();
      // a key at the sequence's own indentation: the parent mapping's next member
      if (!this.isEntry(this.pos)) break;
    }
    this.close(opened);
    return list;
  }

  /**
   * The node after a mapping's `:` or a sequence's `-` (`pos` just past it), in a collection at
   * column `indent`. Leaves `pos` at the next content line, its indentation in `this.indent`.
   */
  private value(indent: number, ofMapping: boolean): unknown {
    const t = this.text;
    let p = this.pos;
    while (t.charCodeAt(p) === SPACE) p++;
    const c = this.at(p);
    if (c === LF || c === HASH) {
      const end = t.indexOf("\n", p);
      this.pos = end < 0 ? this.n : end + 1;
      const next = this.nextContentLine();
      if (next > indent) return this.blockNode(next);
      // a mapping's value may be a sequence at the mapping's own indentation
      if (next === indent && ofMapping && this.isEntry(this.pos)) return this.blockSequence(indent);
      return giveUp(); // an empty value (null)
    }
    this.pos = p;
    let value: unknown;
    if (c === LBRACKET || c === LBRACE) value = this.flowCollection();
    else if (c === DQUOTE || c === SQUOTE) value = this.quoted();
    else {
      const colon = ofMapping ? -1 : this.keyColon(p);
      // `- key: value`: a mapping inside the entry, its keys at this column
      if (colon >= 0) return this.blockMapping(p - this.lineStart, colon);
      value = this.plainValue();
    }
    this.endOfLine();
    return value;
  }

  /** After an inline node: only spaces and a comment may follow on its line. */
  private endOfLine(): void {
    const t = this.text;
    let p = this.pos;
    while (t.charCodeAt(p) === SPACE) p++;
    const c = this.at(p);
    if (c === HASH) {
      if (p === this.pos) giveUp(); // a comment must be separated from the node
      const end = t.indexOf("\n", p);
      p = end < 0 ? this.n : end;
    } else if (c !== LF) {
      giveUp();
    }
    this.pos = p + 1;
    this.nextContentLine();
  }

  /** A plain scalar running to the end of its line or a comment (block context). */
  private plainValue(): unknown {
    const t = this.text;
    const start = this.pos;
    const c0 = t.charCodeAt(start);
    if (isIndicator(c0)) giveUp();
    if (c0 === DASH && (this.at(start + 1) === SPACE || this.at(start + 1) === LF)) giveUp();
    let i = start;
    for (; i < this.n; i++) {
      const c = t.charCodeAt(i);
      if (c === LF) break;
      if (c === HASH && t.charCodeAt(i - 1) === SPACE) break;
      if (c === COLON) {
        const d = this.at(i + 1);
        if (d === SPACE || d === LF) giveUp(); // `a: b: c`
      }
    }
    let end = i;
    while (t.charCodeAt(end - 1) === SPACE) end--;
    this.pos = end;
    return this.plain(start, end, false);
  }

  /** A one-line single- or double-quoted scalar (no backslash escapes): always a string. */
  private quoted(): string {
    const t = this.text;
    const q = t.charCodeAt(this.pos);
    let escaped = false;
    let i = this.pos + 1;
    for (;;) {
      const c = this.at(i);
      if (c === LF || c === BACKSLASH) giveUp();
      if (c === q) {
        if (q === SQUOTE && this.at(i + 1) === SQUOTE) {
          escaped = true; // '' is an escaped quote
          i += 2;
          continue;
        }
        break;
      }
      i++;
    }
    this.push(SCALAR, this.pos, 0);
    const s = t.slice(this.pos + 1, i);
    this.pos = i + 1;
    return escaped ? s.replaceAll("''", "'") : s;
  }

  /** Spaces inside a flow collection; a line break there is js-yaml's to read. */
  private flowSpaces(): number {
    const t = this.text;
    while (t.charCodeAt(this.pos) === SPACE) this.pos++;
    const c = this.at(this.pos);
    if (c === LF || c === HASH) giveUp();
    return c;
  }

  /** `[…]` or `{…}` on one line; `pos` at the bracket. */
  private flowCollection(): unknown {
    const isSeq = this.text.charCodeAt(this.pos) === LBRACKET;
    const closer = isSeq ? RBRACKET : RBRACE;
    const opened = this.open(isSeq ? SEQUENCE : MAPPING, this.pos);
    const list: unknown[] | undefined = isSeq ? [] : undefined;
    const map: Record<string, unknown> | undefined = isSeq ? undefined : {};
    this.pos++;
    if (this.flowSpaces() !== closer) {
      for (;;) {
        if (list) list.push(this.flowNode());
        else {
          const key = this.flowKey();
          this.member(map as Record<string, unknown>, key, this.flowNode());
        }
        const c = this.flowSpaces();
        this.pos++;
        if (c === closer) break;
        if (c !== COMMA || this.flowSpaces() === closer) giveUp(); // `[a,]`: js-yaml's to read
      }
    } else this.pos++;
    this.close(opened);
    return list ?? map;
  }

  /** A flow mapping's plain key and its `: `. */
  private flowKey(): string {
    const t = this.text;
    const start = this.pos;
    if (isIndicator(t.charCodeAt(start)) || t.charCodeAt(start) === DASH) giveUp();
    let i = start;
    for (;;) {
      const c = this.at(i);
      if (c === COLON) break;
      if (c === LF || c === HASH || isFlowIndicator(c)) giveUp();
      i++;
    }
    if (this.at(i + 1) !== SPACE) giveUp();
    let end = i;
    while (t.charCodeAt(end - 1) === SPACE) end--;
    const key = this.plain(start, end, true) as string;
    this.pos = i + 1;
    this.flowSpaces();
    return key;
  }

  private flowNode(): unknown {
    const t = this.text;
    const c0 = t.charCodeAt(this.pos);
    if (c0 === LBRACKET || c0 === LBRACE) return this.flowCollection();
    if (c0 === DQUOTE || c0 === SQUOTE) return this.quoted();
    const start = this.pos;
    if (isIndicator(c0)) giveUp();
    if (c0 === DASH) {
      const next = this.at(start + 1);
      if (next === SPACE || isFlowIndicator(next)) giveUp();
    }
    let i = start;
    for (;;) {
      const c = this.at(i);
      if (isFlowIndicator(c) || c === LF) break;
      if (c === HASH && t.charCodeAt(i - 1) === SPACE) giveUp();
      if (c === COLON) {
        // `charges:read` is one scalar; `a: b` or `a:,` would be a mapping inside the sequence
        const d = this.at(i + 1);
        if (d === SPACE || d === LF || isFlowIndicator(d)) giveUp();
      }
      i++;
    }
    if (this.at(i) === LF) giveUp(); // a flow collection open at the end of its line
    let end = i;
    while (t.charCodeAt(end - 1) === SPACE) end--;
    this.pos = i;
    return this.plain(start, end, false);
  }
}
