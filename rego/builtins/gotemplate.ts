/**
 * `strings.render_template`: the commonly used part of Go's text/template, as OPA runs it.
 */
import { Decimal, RObject, RSet, type Value } from "../value";
import { BuiltinError, operandError } from "./types";

import { str } from "./operands";
import { fmtG, goSprintf, termString, type GoArg } from "./gofmt";

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
  if (v instanceof Decimal) return v.toNumber();
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

export function renderTemplate(args: Value[]): Value {
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
