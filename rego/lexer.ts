/**
 * Rego tokenizer. Newlines are not tokens: each token records whether a line break preceded it,
 * which is what the parser needs to split body literals and keep infix operators on one line.
 */
import { regoError } from "./errors";

export type TokKind = "ident" | "string" | "number" | "punct" | "template" | "eof";

/** A template string's pieces: literal text, or an expression's source and where it starts. */
export type TemplatePart =
  { kind: "text"; text: string } | { kind: "expr"; src: string; row: number; col: number };

export interface Token {
  readonly kind: TokKind;
  /** Identifier name, punctuation text, decoded string value, or number literal text. */
  readonly text: string;
  readonly row: number;
  readonly col: number;
  /** Source offsets [start, end) for expression texts. */
  readonly start: number;
  readonly end: number;
  /** A line break separates this token from the previous one. */
  readonly nl: boolean;
  /** Raw (backtick) string. */
  readonly raw?: boolean;
  /** `$"…{expr}…"` / `` $`…{expr}…` ``: its parts. */
  readonly parts?: TemplatePart[];
}

const PUNCT3 = new Set<string>();
const PUNCT2 = new Set([":=", "==", "!=", "<=", ">="]);
const PUNCT1 = new Set([..."{}[]().,;:=<>+-*/%&|"]);

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** A `#` comment: its position and its text after the `#` (METADATA annotations read these). */
export interface Comment {
  readonly row: number;
  readonly col: number;
  readonly text: string;
}

export function tokenize(file: string, src: string, comments?: Comment[]): Token[] {
  const toks: Token[] = [];
  let i = 0;
  let row = 1;
  let lineStart = 0;
  let nl = true;
  const n = src.length;
  const err = (msg: string, at: number): never => {
    throw regoError("rego_parse_error", msg, { file, row, col: at - lineStart + 1 });
  };
  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === 10) {
      i++;
      row++;
      lineStart = i;
      nl = true;
      continue;
    }
    if (c === 32 || c === 9 || c === 13) {
      i++;
      continue;
    }
    if (c === 35) {
      const from = i;
      while (i < n && src.charCodeAt(i) !== 10) i++;
      comments?.push({
        row,
        col: from - lineStart + 1,
        text: src.slice(from + 1, i).replace(/\r$/, ""),
      });
      continue;
    }
    const start = i;
    const col = i - lineStart + 1;
    const tokRow = row;
    if (isIdentStart(c)) {
      while (i < n && isIdentPart(src.charCodeAt(i))) i++;
      toks.push({ kind: "ident", text: src.slice(start, i), row: tokRow, col, start, end: i, nl });
      nl = false;
      continue;
    }
    if (isDigit(c) || (c === 46 && isDigit(src.charCodeAt(i + 1)))) {
      while (i < n && isDigit(src.charCodeAt(i))) i++;
      if (src[i] === "." && isDigit(src.charCodeAt(i + 1))) {
        i++;
        while (i < n && isDigit(src.charCodeAt(i))) i++;
      }
      if (src[i] === "e" || src[i] === "E") {
        let j = i + 1;
        if (src[j] === "+" || src[j] === "-") j++;
        if (isDigit(src.charCodeAt(j))) {
          i = j;
          while (i < n && isDigit(src.charCodeAt(i))) i++;
        }
      }
      if (i < n && isIdentStart(src.charCodeAt(i))) err("illegal number format", start);
      if (tooBig(src.slice(start, i))) err("number too big", start);
      toks.push({ kind: "number", text: src.slice(start, i), row: tokRow, col, start, end: i, nl });
      nl = false;
      continue;
    }
    if (c === 36 && (src[i + 1] === '"' || src[i + 1] === "`")) {
      // template string (OPA 1.x): text with `{expr}` holes; `\{` is a literal brace
      const raw = src[i + 1] === "`";
      const close = raw ? "`" : '"';
      i += 2;
      const parts: TemplatePart[] = [];
      let text = "";
      for (;;) {
        if (i >= n || (!raw && src.charCodeAt(i) === 10))
          err("non-terminated template string", start);
        const ch = src[i];
        if (ch === close) {
          i++;
          break;
        }
        if (ch === "\\" && src[i + 1] === "{") {
          text += "{";
          i += 2;
          continue;
        }
        if (ch === "\\" && !raw) {
          const r = decodeEscape(src, i, (m, at) => err(m, at));
          text += r.text;
          i = r.next;
          continue;
        }
        if (ch === "{") {
          if (text) parts.push({ kind: "text", text });
          text = "";
          const exprStart = i + 1;
          const exprRow = row;
          const exprCol = exprStart - lineStart + 1;
          i = skipTemplateExpr(src, exprStart, (m, at) => err(m, at));
          parts.push({ kind: "expr", src: src.slice(exprStart, i), row: exprRow, col: exprCol });
          i++; // the closing }
          continue;
        }
        if (ch === "\n") {
          row++;
          lineStart = i + 1;
        }
        text += ch;
        i++;
      }
      if (text) parts.push({ kind: "text", text });
      toks.push({ kind: "template", text: "", row: tokRow, col, start, end: i, nl, parts });
      nl = false;
      continue;
    }
    if (c === 34) {
      i++;
      let s = "";
      for (;;) {
        if (i >= n || src.charCodeAt(i) === 10) err("non-terminated string", start);
        const ch = src[i];
        if (ch === '"') {
          i++;
          break;
        }
        if (ch === "\\") {
          const e = src[i + 1];
          i += 2;
          switch (e) {
            case '"':
              s += '"';
              break;
            case "\\":
              s += "\\";
              break;
            case "/":
              s += "/";
              break;
            case "b":
              s += "\b";
              break;
            case "f":
              s += "\f";
              break;
            case "n":
              s += "\n";
              break;
            case "r":
              s += "\r";
              break;
            case "t":
              s += "\t";
              break;
            case "u": {
              const hex = src.slice(i, i + 4);
              if (!/^[0-9a-fA-F]{4}$/.test(hex)) err("illegal unicode escape in string", start);
              s += String.fromCharCode(parseInt(hex, 16));
              i += 4;
              break;
            }
            default:
              err("illegal escape sequence in string", i - 2);
          }
          continue;
        }
        s += ch;
        i++;
      }
      toks.push({ kind: "string", text: s, row: tokRow, col, start, end: i, nl });
      nl = false;
      continue;
    }
    if (c === 96) {
      i++;
      const from = i;
      while (i < n && src.charCodeAt(i) !== 96) {
        if (src.charCodeAt(i) === 10) {
          row++;
          lineStart = i + 1;
        }
        i++;
      }
      if (i >= n) err("non-terminated raw string", start);
      const s = src.slice(from, i);
      i++;
      toks.push({ kind: "string", text: s, row: tokRow, col, start, end: i, nl, raw: true });
      nl = false;
      continue;
    }
    const three = src.slice(i, i + 3);
    const two = src.slice(i, i + 2);
    let p: string | undefined;
    if (PUNCT3.has(three)) p = three;
    else if (PUNCT2.has(two)) p = two;
    else if (PUNCT1.has(src[i])) p = src[i];
    if (p === undefined) err(`illegal token '${src[i]}'`, i);
    i += p!.length;
    toks.push({ kind: "punct", text: p!, row: tokRow, col, start, end: i, nl });
    nl = false;
  }
  toks.push({
    kind: "eof",
    text: "<eof>",
    row,
    col: i - lineStart + 1,
    start: i,
    end: i,
    nl: true,
  });
  return toks;
}

/** The single-character escapes a JSON (and so a Rego) string takes, after the backslash. */
export const JSON_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

/** One escape sequence of a double-quoted string at src[i] (a backslash). */
function decodeEscape(
  src: string,
  i: number,
  err: (msg: string, at: number) => never,
): { text: string; next: number } {
  const e = src[i + 1];
  if (e in JSON_ESCAPES) return { text: JSON_ESCAPES[e], next: i + 2 };
  if (e === "u") {
    const hex = src.slice(i + 2, i + 6);
    if (!/^[0-9a-fA-F]{4}$/.test(hex)) err("illegal unicode escape in string", i);
    return { text: String.fromCharCode(parseInt(hex, 16)), next: i + 6 };
  }
  return err("illegal escape sequence in string", i);
}

/** The end (index of the closing `}`) of a template expression starting at i. */
function skipTemplateExpr(src: string, i: number, err: (msg: string, at: number) => never): number {
  let depth = 0;
  const from = i;
  while (i < src.length) {
    const ch = src[i];
    if (ch === '"' || ch === "`") {
      // a string inside the expression
      const q = ch;
      i++;
      while (i < src.length && src[i] !== q) {
        if (q === '"' && src[i] === "\\") i++;
        if (q === '"' && src[i] === "\n") break;
        i++;
      }
      if (src[i] !== q) err("non-terminated string in template expression", from);
      i++;
      continue;
    }
    if (ch === "{" || ch === "[" || ch === "(") depth++;
    else if (ch === "]" || ch === ")") depth--;
    else if (ch === "}") {
      if (depth === 0) return i;
      depth--;
    }
    i++;
  }
  return err("expected } to end template string expression", from);
}

/**
 * OPA's parser refuses a number whose binary exponent is beyond ±1e5 (about 10^±30103), which
 * keeps exact arithmetic on literals affordable.
 */
function tooBig(text: string): boolean {
  const e = /[eE]([+-]?[0-9]+)$/.exec(text);
  if (e === null) return text.length > 30103 && /[1-9]/.test(text);
  const mant = text.slice(0, e.index);
  const lead = /[1-9]/.exec(mant);
  if (lead === null) return false; // zero
  const point = mant.indexOf(".");
  // position of the leading digit relative to the decimal point
  const pos =
    (point < 0 ? mant.length : point) - lead.index + (point >= 0 && point < lead.index ? 1 : 0);
  return Math.abs(pos + Number(e[1])) > 30103;
}
