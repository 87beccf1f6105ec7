/**
 * A prebuilt artefact of the parsed syntax trees of tokenwarden's own policies (policies/*.rego),
 * written by `npm run build` next to the compiled evaluate.js so `check` does not parse the same
 * Rego on every start. It is only ever used when it provably describes what is on disk now: the
 * sha256 of every source file (same files, same order) and of the engine that parsed them
 * (dist/rego/*.js) must match, otherwise the policies are parsed as before.
 *
 * The trees are stored as plain JSON (one native parse to load) plus patches for what JSON cannot
 * hold (bigint, -0, undefined) and with object identity kept: a node referenced twice decodes to
 * one object referenced twice, since the compiler rewrites trees in place.
 */
import { isAscii } from "node:buffer";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Module } from "../rego";
import { restoreProgram, type CompiledProgram, type RuleGroup } from "../rego/compiler";
import { Decimal, RObject, RSet, type Value } from "../rego/value";

/** Bumped whenever the encoding below changes. */
export const ARTEFACT_FORMAT = 4;
export const ARTEFACT_FILE = "policies.ast.json";

export interface AstArtefact {
  readonly format: number;
  /** sha256 of the engine files that parsed the sources (see {@link engineFingerprint}). */
  readonly engine: string;
  /** Display name and sha256 of each source, in load order. */
  readonly sources: readonly { readonly file: string; readonly sha256: string }[];
  /**
   * The parsed modules, in load order; when `program` is there, followed by one more element: the
   * compiled program's rule groups (in compile order), encoded together with the modules so the
   * nodes they share stay shared.
   */
  readonly modules: unknown[];
  readonly patches: Patch[];
  /**
   * Present when the bundled policies' compiled program is stored too: the compiler's name
   * counters after compiling them (see rego/compiler.ts `restoreProgram`).
   */
  readonly program?: { readonly counters: [number, number] };
}

/** JSON text with every non-ASCII character escaped, so the file is ASCII (see readPrebuilt). */
export function asciiJSON(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** What a matching artefact holds: the parsed modules, and the compiled program when stored. */
export interface Prebuilt {
  readonly modules: Module[];
  /** The program compiling exactly `modules` (with the default built-ins) gives. */
  readonly program?: CompiledProgram;
}

export const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

/**
 * The parser's identity: a hash of every engine module under `regoDir`, subdirectories included
 * (the parser reads e.g. builtins/deprecated). Any change to the engine invalidates the artefact.
 */
export function engineFingerprint(regoDir: string): string {
  const h = createHash("sha256");
  const walk = (dir: string, rel: string): void => {
    for (const e of fs
      .readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const name = e.name;
      if (e.isDirectory()) {
        if (!name.startsWith(".") && name !== "node_modules")
          walk(path.join(dir, name), `${rel}${name}/`);
        continue;
      }
      if (!name.endsWith(".js") && !name.endsWith(".ts")) continue;
      if (name.endsWith(".d.ts") || name.endsWith(".test.ts")) continue;
      h.update(rel + name)
        .update("\0")
        .update(fs.readFileSync(path.join(dir, name)))
        .update("\0");
    }
  };
  walk(regoDir, "");
  return h.digest("hex");
}

class Unsupported extends Error {}

type Key = string | number;
/**
 * What plain JSON cannot say, applied after `JSON.parse` at the node's path: a second reference to
 * a node stored at another path (`r`), undefined (`u`), a bigint (`b`), a non-finite number or -0
 * (`n`), a Rego value — a METADATA annotation's object, or a set, object or exact decimal the
 * compiler folded a constant into — (`x`, as {@link valueToJSON}'s text).
 * Everything else is the tree itself, so loading is one native `JSON.parse` plus these.
 */
export type Patch =
  | [path: Key[], kind: "r", home: Key[]]
  | [path: Key[], kind: "u"]
  | [path: Key[], kind: "b" | "n" | "x", text: string];

/**
 * A Rego value as JSON that keeps its kind: scalars JSON has as themselves, everything else as a
 * one-key object: `a` array, `s` set and `o` object (both in insertion order), `b` bigint, `n`
 * non-finite number or -0, `d` decimal.
 */
function valueToJSON(v: Value): unknown {
  if (v === null || typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "number") {
    return Number.isFinite(v) && !Object.is(v, -0) ? v : { n: Object.is(v, -0) ? "-0" : String(v) };
  }
  if (typeof v === "bigint") return { b: v.toString() };
  if (v instanceof Decimal) return { d: [v.neg, v.digits.toString(), v.exp10] };
  if (Array.isArray(v)) return { a: v.map(valueToJSON) };
  if (v instanceof RSet) return { s: [...v.values()].map(valueToJSON) };
  if (v instanceof RObject) {
    return { o: [...v.entries()].map(([k, x]) => [valueToJSON(k), valueToJSON(x)]) };
  }
  throw new Unsupported(`cannot store a ${Object.prototype.toString.call(v)} value`);
}

function valueFromJSON(j: unknown): Value {
  if (j === null || typeof j !== "object") return j as Value;
  const t = j as {
    a?: unknown[];
    s?: unknown[];
    o?: [unknown, unknown][];
    b?: string;
    n?: string;
    d?: [boolean, string, number];
  };
  if (t.a) return t.a.map(valueFromJSON);
  if (t.s) return new RSet(t.s.map(valueFromJSON));
  if (t.o) return new RObject(t.o.map(([k, x]) => [valueFromJSON(k), valueFromJSON(x)]));
  if (t.b !== undefined) return BigInt(t.b);
  if (t.n !== undefined) return t.n === "-0" ? -0 : Number(t.n);
  const d = t.d as [boolean, string, number];
  return new Decimal(d[0], BigInt(d[1]), d[2]);
}

/**
 * Encodes parsed modules (and after them, if given, other trees sharing their nodes, such as a
 * compiled program's rule groups) as plain JSON plus patches; throws if a tree holds something it
 * cannot keep (anything but plain objects, arrays, JSON scalars, bigint, undefined, Rego values).
 */
export function encodeModules(modules: readonly unknown[]): {
  modules: unknown[];
  patches: Patch[];
} {
  const patches: Patch[] = [];
  const home = new Map<object, Key[]>();
  const enc = (x: unknown, at: Key[]): unknown => {
    if (x === undefined) return (patches.push([at, "u"]), null);
    if (x === null || typeof x === "string" || typeof x === "boolean") return x;
    if (typeof x === "number") {
      if (Number.isFinite(x) && !Object.is(x, -0)) return x;
      return (patches.push([at, "n", Object.is(x, -0) ? "-0" : String(x)]), null);
    }
    if (typeof x === "bigint") return (patches.push([at, "b", x.toString()]), null);
    if (typeof x !== "object") throw new Unsupported(`cannot store a ${typeof x}`);
    // a source location is stored by value: thousands of nodes share one, nothing compares them
    // by identity or changes one, and a reference to each would cost more than the location
    if (isLoc(x)) return x;
    const seen = home.get(x);
    if (seen) return (patches.push([at, "r", seen]), null);
    home.set(x, at);
    if (x instanceof RObject || x instanceof RSet || x instanceof Decimal) {
      return (patches.push([at, "x", JSON.stringify(valueToJSON(x))]), null);
    }
    if (Array.isArray(x)) return x.map((item, i) => enc(item, [...at, i]));
    if (Object.getPrototypeOf(x) !== Object.prototype) {
      throw new Unsupported(`cannot store a ${Object.prototype.toString.call(x)}`);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) out[k] = enc(v, [...at, k]);
    return out;
  };
  return { modules: modules.map((m, i) => enc(m, [i])), patches };
}

/** A source location ({file, row, col}, nothing else). */
function isLoc(x: object): boolean {
  const o = x as Record<string, unknown>;
  if (Object.getPrototypeOf(x) !== Object.prototype) return false;
  const keys = Object.keys(o);
  return (
    keys.length === 3 &&
    typeof o.file === "string" &&
    typeof o.row === "number" &&
    typeof o.col === "number" &&
    Number.isInteger(o.row) &&
    Number.isInteger(o.col)
  );
}

/** Applies {@link encodeModules}' patches to its freshly `JSON.parse`d modules (in place). */
export function decodeModules(modules: unknown[], patches: readonly Patch[]): Module[] {
  const get = (path: readonly Key[], upTo: number): Record<Key, unknown> => {
    let node = modules as unknown as Record<Key, unknown>;
    for (let i = 0; i < upTo; i++) node = node[path[i]] as Record<Key, unknown>;
    return node;
  };
  for (const p of patches) {
    const path = p[0];
    const parent = get(path, path.length - 1);
    const key = path[path.length - 1];
    switch (p[1]) {
      case "r":
        parent[key] = get(p[2], p[2].length);
        break;
      case "u":
        parent[key] = undefined;
        break;
      case "b":
        parent[key] = BigInt(p[2]);
        break;
      case "n":
        parent[key] = p[2] === "-0" ? -0 : Number(p[2]);
        break;
      case "x":
        parent[key] = valueFromJSON(JSON.parse(p[2]));
        break;
    }
  }
  return modules as Module[];
}

/**
 * The artefact's modules if it exists in `dir` and matches `sources` (display name and text, in
 * load order) and the engine in `regoDir`; undefined otherwise (absent, stale, or unreadable).
 */
export function readArtefact(
  dir: string,
  regoDir: string,
  sources: readonly { readonly file: string; readonly source: string }[],
): Module[] | undefined {
  return readPrebuilt(dir, regoDir, sources)?.modules;
}

/**
 * Like {@link readArtefact}, with the compiled program when the artefact stores it: compiling
 * the same sources with the same engine gives that program, so only an artefact that matches
 * both is used at all.
 */
export function readPrebuilt(
  dir: string,
  regoDir: string,
  sources: readonly { readonly file: string; readonly source: string }[],
): Prebuilt | undefined {
  let text: string;
  try {
    const bytes = fs.readFileSync(path.join(dir, ARTEFACT_FILE));
    // written as ASCII (see asciiJSON): read as one-byte text, which V8 decodes and parses
    // markedly faster than the same text read as UTF-8
    text = bytes.toString(isAscii(bytes) ? "latin1" : "utf8");
  } catch {
    return undefined;
  }
  try {
    const a = JSON.parse(text) as AstArtefact;
    if (a.format !== ARTEFACT_FORMAT || a.sources.length !== sources.length) return undefined;
    for (let i = 0; i < sources.length; i++) {
      if (a.sources[i].file !== sources[i].file) return undefined;
      if (a.sources[i].sha256 !== sha256(sources[i].source)) return undefined;
    }
    if (a.engine !== engineFingerprint(regoDir)) return undefined;
    const trees = decodeModules(a.modules, a.patches) as unknown[];
    const modules = trees.slice(0, sources.length) as Module[];
    if (!a.program) return { modules };
    const groups = trees[sources.length] as RuleGroup[];
    return { modules, program: restoreProgram(modules, groups, a.program.counters) };
  } catch {
    return undefined; // a damaged artefact is no worse than none: parse the sources
  }
}
