/**
 * Encoding built-ins: base64/base64url/hex, URL query strings, JSON and YAML text.
 *
 * OPA works on Go byte strings; Rego strings here are JS strings, so bytes produced by a decoder
 * are read back as UTF-8 (invalid sequences become U+FFFD, as Go's JSON output would show them).
 * JSON text follows Go's encoding/json: sorted keys, sets as sorted arrays, HTML-safe escapes,
 * big integers printed exactly.
 */
import type { parseAllDocuments as ParseAllDocuments } from "yaml";
import { BuiltinError, BuiltinTypeError, defineAll, operandError } from "./types";
import { str } from "./operands";
import {
  Decimal,
  RObject,
  RSet,
  fromJS,
  normNum,
  numberFromText as exactNumber,
  type Num,
  type Value,
} from "../value";
import { JSON_ESCAPES } from "../lexer";

const utf8 = new TextDecoder("utf-8");
const bytesToString = (b: Uint8Array): string => utf8.decode(b);
const stringToBytes = (s: string): Uint8Array => new TextEncoder().encode(s);

// ---- base64 (Go's encoding/base64: padded decoders are strict about padding, \r and \n are skipped) ----

const STD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function b64encode(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const rem = bytes.length - i;
    out += alphabet[(n >> 18) & 63] + alphabet[(n >> 12) & 63];
    out += rem > 1 ? alphabet[(n >> 6) & 63] : pad ? "=" : "";
    out += rem > 2 ? alphabet[n & 63] : pad ? "=" : "";
  }
  return out;
}

/** Go's base64.StdEncoding.DecodeString: throws Go's "illegal base64 data at input byte N". */
export function goStdBase64Decode(input: string): Uint8Array {
  return b64decode(input, STD);
}

/**
 * Decodes padded base64 exactly as Go's StdEncoding/URLEncoding do (quantum by quantum over the
 * UTF-8 bytes, CR/LF skipped, trailing bits ignored), with Go's error offsets.
 */
function b64decode(input: string, alphabet: string): Uint8Array {
  const src = stringToBytes(input);
  const map = new Int16Array(256).fill(-1);
  for (let i = 0; i < alphabet.length; i++) map[alphabet.charCodeAt(i)] = i;
  const corrupt = (at: number): Error => new Error(`illegal base64 data at input byte ${at}`);
  const out: number[] = [];
  let si = 0;
  while (si < src.length) {
    const dbuf = [0, 0, 0, 0];
    let dlen = 4;
    let trailing: Error | undefined;
    for (let j = 0; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return Uint8Array.from(out);
        throw corrupt(si - j);
      }
      const b = src[si++];
      if (map[b] >= 0) {
        dbuf[j] = map[b];
        continue;
      }
      if (b === 0x0a || b === 0x0d) {
        j--;
        continue;
      }
      if (b !== 0x3d) throw corrupt(si - 1);
      // Padding: only after two or three sextets, "==" needs its second '='.
      if (j < 2) throw corrupt(si - 1);
      if (j === 2) {
        while (si < src.length && (src[si] === 0x0a || src[si] === 0x0d)) si++;
        if (si === src.length) throw corrupt(src.length);
        if (src[si] !== 0x3d) throw corrupt(si - 1);
        si++;
      }
      while (si < src.length && (src[si] === 0x0a || src[si] === 0x0d)) si++;
      if (si < src.length) trailing = corrupt(si);
      dlen = j;
      break;
    }
    const val = (dbuf[0] << 18) | (dbuf[1] << 12) | (dbuf[2] << 6) | dbuf[3];
    const bytes = [(val >> 16) & 255, (val >> 8) & 255, val & 255];
    out.push(...bytes.slice(0, dlen - 1));
    if (trailing) throw trailing;
    if (dlen < 4) break;
  }
  return Uint8Array.from(out);
}

// ---- hex ----

function hexDecode(s: string): Uint8Array {
  const bytes = stringToBytes(s);
  const val = (b: number): number =>
    b >= 48 && b <= 57 ? b - 48 : b >= 97 && b <= 102 ? b - 87 : b >= 65 && b <= 70 ? b - 55 : -1;
  const bad = (b: number): Error => {
    const cp = b < 128 ? b : 0xfffd;
    const hex = cp.toString(16).toUpperCase().padStart(4, "0");
    const printable = cp >= 0x20 && cp !== 0x7f && cp !== 0xfffd;
    return new Error(
      `encoding/hex: invalid byte: U+${hex}${printable ? ` '${String.fromCharCode(cp)}'` : ""}`,
    );
  };
  const out: number[] = [];
  let j = 1;
  for (; j < bytes.length; j += 2) {
    const a = val(bytes[j - 1]);
    if (a < 0) throw bad(bytes[j - 1]);
    const b = val(bytes[j]);
    if (b < 0) throw bad(bytes[j]);
    out.push((a << 4) | b);
  }
  if (bytes.length % 2 === 1) {
    if (val(bytes[j - 1]) < 0) throw bad(bytes[j - 1]);
    throw new Error("encoding/hex: odd length hex string");
  }
  return Uint8Array.from(out);
}

// ---- URL query (Go's net/url QueryEscape / QueryUnescape / ParseQuery) ----

function queryEscape(s: string): string {
  let out = "";
  for (const b of stringToBytes(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === " ") out += "+";
    else out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

function queryUnescape(s: string): string {
  const bytes: number[] = [];
  const src = stringToBytes(s);
  for (let i = 0; i < src.length; i++) {
    const b = src[i];
    if (b === 0x25) {
      const h = String.fromCharCode(src[i + 1] ?? 0, src[i + 2] ?? 0);
      if (i + 2 >= src.length || !/^[0-9a-fA-F]{2}$/.test(h)) {
        const bad = bytesToString(src.slice(i, Math.min(i + 3, src.length)));
        throw new Error(`invalid URL escape ${JSON.stringify(bad)}`);
      }
      bytes.push(parseInt(h, 16));
      i += 2;
    } else if (b === 0x2b) {
      bytes.push(0x20);
    } else {
      bytes.push(b);
    }
  }
  return bytesToString(Uint8Array.from(bytes));
}

function parseQuery(q: string): RObject {
  const out = new Map<string, string[]>();
  let firstErr: Error | undefined;
  for (const part of q.split("&")) {
    if (part === "") continue;
    if (part.includes(";")) {
      firstErr ??= new Error("invalid semicolon separator in query");
      continue;
    }
    const eq = part.indexOf("=");
    const rawK = eq < 0 ? part : part.slice(0, eq);
    const rawV = eq < 0 ? "" : part.slice(eq + 1);
    try {
      const k = queryUnescape(rawK);
      const v = queryUnescape(rawV);
      const list = out.get(k) ?? [];
      list.push(v);
      out.set(k, list);
    } catch (e) {
      firstErr ??= e as Error;
    }
  }
  if (firstErr) throw firstErr;
  return new RObject([...out].map(([k, vs]) => [k, vs] as [Value, Value]));
}

// ---- JSON text ----

/** Go's encoding/json string escaping (HTML-safe, U+2028/2029 escaped). */
export function goJSONString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += s[i] + s[i + 1];
        i++;
        continue;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      out += "\\ufffd";
      continue;
    }
    switch (c) {
      case 0x22:
        out += '\\"';
        continue;
      case 0x5c:
        out += "\\\\";
        continue;
      case 0x0a:
        out += "\\n";
        continue;
      case 0x0d:
        out += "\\r";
        continue;
      case 0x09:
        out += "\\t";
        continue;
      case 0x08:
        out += "\\b";
        continue;
      case 0x0c:
        out += "\\f";
        continue;
    }
    if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029) {
      out += "\\u" + c.toString(16).padStart(4, "0");
      continue;
    }
    out += s[i];
  }
  return out + '"';
}

function numberText(n: Num): string {
  // OPA prints a number's own text (json.Number); exact decimals included
  if (typeof n === "bigint" || n instanceof Decimal) return n.toString();
  if (!Number.isFinite(n)) throw new BuiltinError(`json: unsupported value: ${n}`);
  return String(n);
}

function keyText(k: Value): string {
  return typeof k === "string" ? k : marshalJSON(k);
}

/** Compact JSON text of a Rego value, as OPA's json.marshal prints it. */
export function marshalJSON(v: Value): string {
  return marshalIndent(v, null, "", "");
}

function marshalIndent(v: Value, indent: string | null, prefix: string, cur: string): string {
  if (v === null) return "null";
  switch (typeof v) {
    case "boolean":
      return v ? "true" : "false";
    case "number":
    case "bigint":
      return numberText(v);
    case "string":
      return goJSONString(v);
  }
  if (v instanceof Decimal) return numberText(v);
  const nl = indent === null ? "" : "\n" + prefix + cur + indent;
  const end = indent === null ? "" : "\n" + prefix + cur;
  const next = indent === null ? "" : cur + indent;
  const sep = indent === null ? ":" : ": ";
  if (Array.isArray(v) || v instanceof RSet) {
    const items = Array.isArray(v) ? v : v.sortedValues();
    if (items.length === 0) return "[]";
    return (
      "[" + items.map((e) => nl + marshalIndent(e, indent, prefix, next)).join(",") + end + "]"
    );
  }
  const entries = v
    .sortedEntries()
    .map(([k, val]) => [keyText(k), val] as [string, Value])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  if (entries.length === 0) return "{}";
  return (
    "{" +
    entries
      .map(([k, val]) => nl + goJSONString(k) + sep + marshalIndent(val, indent, prefix, next))
      .join(",") +
    end +
    "}"
  );
}

/**
 * A JSON number as Rego keeps it: exactly the number its text denotes, as OPA's json.Number
 * does (1e30 is 10^30, 0.1234567890123456789 keeps every digit).
 */
export function numberFromText(text: string): Num {
  return exactNumber(text) ?? Number(text);
}

class JSONSyntaxError extends Error {}

/** Go's quoteChar: how encoding/json names an offending character. */
function quoteChar(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '"') return "'\"'";
  const q = JSON.stringify(c);
  return "'" + q.slice(1, -1) + "'";
}

/**
 * Strict JSON (as Go's decoder accepts it) into Rego values; integers keep every digit.
 * Duplicate keys: the last one wins, as in Go. Errors carry Go's wording, as OPA reports them.
 */
export function parseJSON(text: string): Value {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  const fail = (context: string): never => {
    if (i >= text.length) throw new JSONSyntaxError(text.trim() === "" ? "EOF" : "unexpected EOF");
    throw new JSONSyntaxError(`invalid character ${quoteChar(text[i])} ${context}`);
  };
  const literal = (word: string): void => {
    for (let k = 0; k < word.length; k++, i++) {
      if (text[i] !== word[k]) fail(`in literal ${word} (expecting ${quoteChar(word[k])})`);
    }
  };
  const digits = (): void => {
    while (i < text.length && text[i] >= "0" && text[i] <= "9") i++;
  };
  const isDigit = (): boolean => i < text.length && text[i] >= "0" && text[i] <= "9";
  const number = (): Num => {
    const start = i;
    if (text[i] === "-") {
      i++;
      if (!isDigit()) fail("in numeric literal");
    }
    if (text[i] === "0") i++;
    else digits();
    if (text[i] === ".") {
      i++;
      if (!isDigit()) fail("after decimal point in numeric literal");
      digits();
    }
    if (text[i] === "e" || text[i] === "E") {
      i++;
      if (text[i] === "+" || text[i] === "-") i++;
      if (!isDigit()) fail("in exponent of numeric literal");
      digits();
    }
    return numberFromText(text.slice(start, i));
  };
  const string = (): string => {
    i++; // opening quote
    let out = "";
    for (;;) {
      if (i >= text.length) fail("in string literal");
      const c = text[i];
      if (c === '"') {
        i++;
        return out;
      }
      if (c === "\\") {
        i++;
        const e = text[i];
        if (e !== undefined && e in JSON_ESCAPES) {
          out += JSON_ESCAPES[e];
          i++;
          continue;
        }
        if (e !== "u") fail("in string escape code");
        i++;
        for (let k = 0; k < 4; k++) {
          if (!/[0-9a-fA-F]/.test(text[i + k] ?? "")) {
            i += k;
            fail("in \\u hexadecimal character escape");
          }
        }
        out += String.fromCharCode(parseInt(text.slice(i, i + 4), 16));
        i += 4;
        continue;
      }
      if (c.charCodeAt(0) < 0x20) fail("in string literal");
      out += c;
      i++;
    }
  };
  const value = (context: string): Value => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const o = new RObject();
      ws();
      if (text[i] === "}") {
        i++;
        return o;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail("looking for beginning of object key string");
        const k = string();
        ws();
        if (text[i] !== ":") fail("after object key");
        i++;
        o.set(k, value("looking for beginning of value"));
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return o;
        }
        fail("after object key:value pair");
      }
    }
    if (c === "[") {
      i++;
      const a: Value[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        return a;
      }
      for (;;) {
        a.push(value("looking for beginning of value"));
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return a;
        }
        fail("after array element");
      }
    }
    if (c === '"') return string();
    if (c === "t") {
      literal("true");
      return true;
    }
    if (c === "f") {
      literal("false");
      return false;
    }
    if (c === "n") {
      literal("null");
      return null;
    }
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return number();
    return fail(context);
  };
  const v = value("looking for beginning of value");
  ws();
  if (i < text.length) {
    // OPA reads one more token after the document and names it in the error.
    const rest = text.slice(i);
    const tok = /^(?:-?[0-9][0-9.eE+-]*|"(?:[^"\\]|\\.)*"|[{[])/.exec(rest);
    if (tok) {
      const shown = tok[0].startsWith('"') ? tok[0].slice(1, -1) : tok[0];
      throw new JSONSyntaxError(`error: invalid character '${shown}' after top-level value`);
    }
    fail("looking for beginning of value");
  }
  return v;
}

// ---- YAML (OPA goes through sigs.k8s.io/yaml: YAML 1.1 scalars, JSON-shaped results) ----

const YAML_OPTIONS = {
  schema: "yaml-1.1" as const,
  intAsBigInt: true,
  uniqueKeys: false,
  // go-yaml keeps timestamps and sexagesimal numbers as strings when decoding into interface{}.
  customTags: (tags: unknown[]) =>
    (tags as { tag: string; format?: string }[]).filter(
      (t) => t.tag !== "tag:yaml.org,2002:timestamp" && t.format !== "TIME",
    ) as never,
};

function parseYAMLDocs(text: string): ReturnType<typeof ParseAllDocuments> {
  // Loaded on first use: YAML built-ins are rare and the parser costs every CLI start.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parseAllDocuments } = require("yaml") as { parseAllDocuments: typeof ParseAllDocuments };
  return parseAllDocuments(text, YAML_OPTIONS);
}

function yamlToValue(text: string): Value {
  const docs = parseYAMLDocs(text);
  if (!Array.isArray(docs)) throw new Error("yaml: invalid document");
  for (const d of docs) {
    if (d.errors.length > 0) throw new Error(`yaml: ${d.errors[0].message.split("\n")[0]}`);
  }
  if (docs.length === 0) return null;
  return jsToValue(docs[0].toJS({ maxAliasCount: 1000 }));
}

function jsToValue(x: unknown): Value {
  if (x instanceof Date) return x.toISOString();
  if (typeof x === "number" && !Number.isFinite(x)) {
    throw new Error(`json: unsupported value: ${x}`);
  }
  if (typeof x === "number" && Number.isInteger(x) && !Number.isSafeInteger(x)) {
    return normNum(BigInt(x));
  }
  if (Array.isArray(x)) return x.map(jsToValue);
  if (x !== null && typeof x === "object" && !(x instanceof Set) && !(x instanceof Map)) {
    const o = new RObject();
    for (const [k, v] of Object.entries(x as Record<string, unknown>)) o.set(k, jsToValue(v));
    return o;
  }
  if (x instanceof Set) return [...x].map(jsToValue);
  return fromJS(x);
}

/** go-yaml's key order: letters after other runes, digit runs compared as numbers. */
function goYamlKeyLess(a: string, b: string): boolean {
  const ar = [...a];
  const br = [...b];
  const isLetter = (c: string): boolean => /\p{L}/u.test(c);
  const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) continue;
    const al = isLetter(ar[i]);
    const bl = isLetter(br[i]);
    if (al && bl) return ar[i] < br[i];
    if (al || bl) return bl;
    let an = 0n;
    let bn = 0n;
    if (ar[i] === "0" || br[i] === "0") {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]); j--) {
        if (ar[j] !== "0") {
          an = 1n;
          bn = 1n;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && isDigit(ar[ai]); ai++) an = an * 10n + BigInt(ar[ai]);
    let bi = i;
    for (; bi < br.length && isDigit(br[bi]); bi++) bn = bn * 10n + BigInt(br[bi]);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ar[i] < br[i];
  }
  return ar.length < br.length;
}

const YAML_NON_STRING =
  /^(?:~|null|Null|NULL|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0b[01_]+|[-+]?0[0-7_]+|[-+]?0x[0-9a-fA-F_]+|[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*(?:[eE][-+]?[0-9]+)|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?|<<|=)$/;

/** Control characters other than tab and newline (which YAML can only write escaped). */
function hasControl(s: string, withDel: boolean): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a) || (withDel && c === 0x7f)) return true;
  }
  return false;
}

/** True when `doc` parses (as OPA would read it) to a one-entry map `{k: v}` with the given strings. */
function yamlReadsBack(doc: string, k: string, v: string): boolean {
  try {
    const docs = parseYAMLDocs(doc);
    if (docs.length !== 1 || docs[0].errors.length > 0) return false;
    const got = docs[0].toJS() as unknown;
    if (got === null || typeof got !== "object" || Array.isArray(got)) return false;
    const entries = Object.entries(got as Record<string, unknown>);
    return entries.length === 1 && entries[0][0] === k && entries[0][1] === v;
  } catch {
    return false;
  }
}

/**
 * A string scalar in go-yaml's preferred style: plain when that reads back as the same string,
 * double quotes when plain would read as another type (true, 1.5, null…), single quotes for
 * indicator characters, and escaped double quotes for control characters and line breaks.
 */
function yamlScalar(s: string): string {
  if (s === "") return '""';
  if (YAML_NON_STRING.test(s)) return goJSONString(s).replace(/\\u0026/g, "&");
  const doubleQuoted = JSON.stringify(s);
  if (s.includes("\n") || hasControl(s, true)) return doubleQuoted;
  const plainLikely =
    !/^[\s?:,[\]{}#&*!|>'"%@`-]/.test(s) || (/^[-?:][^\s]/.test(s) && !s.includes(": "));
  if (plainLikely && yamlReadsBack(`${s}: ${s}\n`, s, s)) return s;
  const single = "'" + s.replaceAll("'", "''") + "'";
  if (yamlReadsBack(`${single}: ${single}\n`, s, s)) return single;
  return doubleQuoted;
}

/** Block-style YAML in go-yaml v2's layout (2-space maps, unindented sequences under keys). */
function yamlEmit(v: Value, indent: string): string {
  if (Array.isArray(v) || v instanceof RSet) {
    const items = Array.isArray(v) ? v : v.sortedValues();
    if (items.length === 0) return "[]\n";
    return items
      .map((e) => {
        const body = yamlNode(e, indent + "  ");
        return indent + "- " + body.replace(/^\s+/, "");
      })
      .join("");
  }
  if (v instanceof RObject) {
    const entries = [...v.entries()].map(([k, val]) => [keyText(k), val]);
    if (entries.length === 0) return "{}\n";
    entries.sort((a, b) =>
      goYamlKeyLess(a[0] as string, b[0] as string)
        ? -1
        : goYamlKeyLess(b[0] as string, a[0] as string)
          ? 1
          : 0,
    );
    return entries
      .map(([k, val]) => {
        const key = yamlScalar(k as string);
        const child = val as Value;
        if (child instanceof RObject && child.size > 0) {
          return indent + key + ":\n" + yamlEmit(child, indent + "  ");
        }
        if (
          (Array.isArray(child) && child.length > 0) ||
          (child instanceof RSet && child.size > 0)
        ) {
          return indent + key + ":\n" + yamlEmit(child, indent);
        }
        return indent + key + ": " + yamlNode(child, indent + "  ").trimStart();
      })
      .join("");
  }
  return indent + yamlScalarLine(v, indent) + "\n";
}

function yamlScalarLine(v: Value, indent: string): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number" || typeof v === "bigint") return numberText(v);
  // YAML goes through Go floats (JSON to YAML), so an exact decimal prints as its nearest float
  if (v instanceof Decimal) return numberText(v.toNumber());
  if (typeof v === "string" && v.includes("\n") && !hasControl(v, false)) {
    const chomp = v.endsWith("\n") ? (v.endsWith("\n\n") ? "+" : "") : "-";
    const body = (chomp === "" || chomp === "+" ? v.replace(/\n$/, "") : v)
      .split("\n")
      .map((l) => (l === "" ? "" : indent + l))
      .join("\n");
    if (/^\s/.test(v)) return yamlScalar(v);
    const probe = (chomp === "" || chomp === "+" ? v.replace(/\n$/, "") : v)
      .split("\n")
      .map((l) => (l === "" ? "" : "  " + l))
      .join("\n");
    if (!yamlReadsBack(`k: |${chomp}\n${probe}\n`, "k", v)) return JSON.stringify(v);
    return "|" + chomp + "\n" + body;
  }
  return yamlScalar(v as string);
}

function yamlNode(v: Value, indent: string): string {
  if (v instanceof RObject) {
    if (v.size === 0) return "{}\n";
    return yamlEmit(v, indent);
  }
  if (Array.isArray(v) || v instanceof RSet) {
    const n = Array.isArray(v) ? v.length : v.size;
    if (n === 0) return "[]\n";
    return yamlEmit(v, indent);
  }
  // A block scalar is indented even at the top level, as go-yaml writes it.
  return yamlScalarLine(v, indent === "" ? "  " : indent) + "\n";
}

function isYamlValid(text: string): boolean {
  try {
    yamlToValue(text);
    return true;
  } catch {
    return false;
  }
}

function wrap<T>(name: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof BuiltinError || e instanceof BuiltinTypeError) throw e;
    throw new BuiltinError(`${name}: ${(e as Error).message}`);
  }
}

export const builtins = defineAll([
  {
    name: "base64.encode",
    arity: 1,
    args: [["string"]],
    impl: ([s]) => b64encode(stringToBytes(str("base64.encode", s, 1)), STD, true),
  },
  {
    name: "base64.decode",
    arity: 1,
    args: [["string"]],
    impl: ([s]) =>
      wrap("base64.decode", () => bytesToString(b64decode(str("base64.decode", s, 1), STD))),
  },
  {
    name: "base64.is_valid",
    arity: 1,
    args: [["string"]],
    impl: ([s]) => {
      if (typeof s !== "string") return false;
      try {
        b64decode(s, STD);
        return true;
      } catch {
        return false;
      }
    },
  },
  {
    name: "base64url.encode",
    arity: 1,
    args: [["string"]],
    impl: ([s]) => b64encode(stringToBytes(str("base64url.encode", s, 1)), URL, true),
  },
  {
    name: "base64url.encode_no_pad",
    arity: 1,
    args: [["string"]],
    impl: ([s]) => b64encode(stringToBytes(str("base64url.encode_no_pad", s, 1)), URL, false),
  },
  {
    name: "base64url.decode",
    arity: 1,
    args: [["string"]],
    impl: ([s]) =>
      wrap("base64url.decode", () => {
        let t = str("base64url.decode", s, 1);
        // RFC 7515 appendix C: restore the padding some encoders leave out.
        if (!t.endsWith("=")) {
          const r = t.length % 4;
          if (r === 2) t += "==";
          else if (r === 3) t += "=";
          else if (r === 1) throw new Error(`illegal base64url string: ${t}`);
        }
        return bytesToString(b64decode(t, URL));
      }),
  },
  {
    name: "hex.encode",
    arity: 1,
    args: [["string"]],
    impl: ([s]) =>
      [...stringToBytes(str("hex.encode", s, 1))]
        .map((b) => b.toString(16).padStart(2, "0"))
        .join(""),
  },
  {
    name: "hex.decode",
    arity: 1,
    args: [["string"]],
    impl: ([s]) => wrap("hex.decode", () => bytesToString(hexDecode(str("hex.decode", s, 1)))),
  },
  {
    name: "urlquery.encode",
    arity: 1,
    args: [["string"]],
    impl: ([s]) => queryEscape(str("urlquery.encode", s, 1)),
  },
  {
    name: "urlquery.decode",
    arity: 1,
    args: [["string"]],
    impl: ([s]) => wrap("urlquery.decode", () => queryUnescape(str("urlquery.decode", s, 1))),
  },
  {
    name: "urlquery.encode_object",
    arity: 1,
    args: [["object"]],
    impl: ([o]) => {
      if (!(o instanceof RObject)) throw operandError("urlquery.encode_object", 1, "object", o);
      const bad = (): BuiltinTypeError =>
        new BuiltinTypeError(
          "urlquery.encode_object: operand 1 values must be string, array[string], or set[string]",
        );
      const pairs: [string, string[]][] = [];
      for (const [k, v] of o.entries()) {
        const key = keyText(k);
        if (typeof v === "string") pairs.push([key, [v]]);
        else if (Array.isArray(v) || v instanceof RSet) {
          const items = Array.isArray(v) ? v : v.sortedValues();
          if (items.some((e) => typeof e !== "string")) throw bad();
          pairs.push([key, items as string[]]);
        } else throw bad();
      }
      pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      return pairs
        .flatMap(([k, vs]) => vs.map((v) => queryEscape(k) + "=" + queryEscape(v)))
        .join("&");
    },
  },
  {
    name: "urlquery.decode_object",
    arity: 1,
    args: [["string"]],
    impl: ([s]) =>
      wrap("urlquery.decode_object", () => parseQuery(str("urlquery.decode_object", s, 1))),
  },
  {
    name: "json.marshal",
    arity: 1,
    args: [["any"]],
    impl: ([v]) => wrap("json.marshal", () => marshalJSON(v)),
  },
  {
    name: "json.marshal_with_options",
    arity: 2,
    args: [["any"], ["object"]],
    impl: ([v, opts]) => {
      const name = "json.marshal_with_options";
      if (!(opts instanceof RObject)) throw operandError(name, 2, "object", opts);
      let indent = "\t";
      let prefix = "";
      let implicit = false;
      let explicit: boolean | undefined;
      for (const [k, val] of opts.sortedEntries()) {
        if (typeof k !== "string") {
          throw new BuiltinTypeError(`${name}: operand 2 failed to stringify key`);
        }
        if (k === "prefix" || k === "indent") {
          if (typeof val !== "string") {
            throw new BuiltinTypeError(`${name}: operand 2 key ${k} failed cast to string`);
          }
          if (k === "prefix") prefix = val;
          else indent = val;
          implicit = true;
        } else if (k === "pretty") {
          if (typeof val !== "boolean") {
            throw new BuiltinTypeError(`${name}: operand 2 key pretty failed cast to bool`);
          }
          explicit = val;
        } else {
          throw new BuiltinTypeError(`${name}: operand 2 object contained unknown key ${k}`);
        }
      }
      const pretty = explicit ?? implicit;
      return wrap(name, () =>
        pretty ? prefix + marshalIndent(v, indent, prefix, "") : marshalJSON(v),
      );
    },
  },
  {
    name: "json.unmarshal",
    arity: 1,
    args: [["string"]],
    impl: ([s]) => wrap("json.unmarshal", () => parseJSON(str("json.unmarshal", s, 1))),
  },
  {
    name: "json.is_valid",
    arity: 1,
    args: [["string"]],
    impl: ([s]) => {
      if (typeof s !== "string") return false;
      try {
        parseJSON(s);
        return true;
      } catch {
        return false;
      }
    },
  },
  {
    name: "yaml.marshal",
    arity: 1,
    args: [["any"]],
    impl: ([v]) => wrap("yaml.marshal", () => yamlNode(v, "")),
  },
  {
    name: "yaml.unmarshal",
    arity: 1,
    args: [["string"]],
    impl: ([s]) => wrap("yaml.unmarshal", () => yamlToValue(str("yaml.unmarshal", s, 1))),
  },
  {
    name: "yaml.is_valid",
    arity: 1,
    args: [["string"]],
    impl: ([s]) => typeof s === "string" && isYamlValid(s),
  },
]);
