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
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Module } from "../rego";
import { RObject, RSet, fromJS, toJSONText, type Value } from "../rego/value";

/** Bumped whenever the encoding below changes. */
export const ARTEFACT_FORMAT = 2;
export const ARTEFACT_FILE = "policies.ast.json";

export interface AstArtefact {
  readonly format: number;
  /** sha256 of the engine files that parsed the sources (see {@link engineFingerprint}). */
  readonly engine: string;
  /** Display name and sha256 of each source, in load order. */
  readonly sources: readonly { readonly file: string; readonly sha256: string }[];
  readonly modules: unknown[];
  readonly patches: Patch[];
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
 * (`n`), a Rego object value such as a METADATA annotation (`v`, as its JSON text; annotations come
 * from YAML, so they hold no sets). Everything else is the tree itself, so loading is one native
 * `JSON.parse` plus these.
 */
export type Patch =
  | [path: Key[], kind: "r", home: Key[]]
  | [path: Key[], kind: "u"]
  | [path: Key[], kind: "b" | "n" | "v", text: string];

/**
 * Encodes parsed (not yet compiled) modules as plain JSON plus patches; throws if a tree holds
 * something it cannot keep (anything but plain objects, arrays and JSON scalars, bigint, undefined).
 */
export function encodeModules(modules: readonly Module[]): {
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
    const seen = home.get(x);
    if (seen) return (patches.push([at, "r", seen]), null);
    home.set(x, at);
    if (x instanceof RObject) {
      if (holdsSet(x)) throw new Unsupported("cannot store a set inside an object value");
      return (patches.push([at, "v", toJSONText(x)]), null);
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

function holdsSet(v: Value): boolean {
  if (v instanceof RSet) return true;
  if (Array.isArray(v)) return v.some(holdsSet);
  if (v instanceof RObject) for (const [, item] of v.sortedView()) if (holdsSet(item)) return true;
  return false;
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
      case "v":
        parent[key] = fromJS(JSON.parse(p[2]));
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
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, ARTEFACT_FILE), "utf8");
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
    return decodeModules(a.modules, a.patches);
  } catch {
    return undefined; // a damaged artefact is no worse than none: parse the sources
  }
}
