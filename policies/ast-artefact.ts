/**
 * A prebuilt artefact of the parsed syntax trees of tokenwarden's own policies (policies/*.rego),
 * written by `npm run build` next to the compiled evaluate.js so `check` does not parse the same
 * Rego on every start. It is only ever used when it provably describes what is on disk now: every
 * source (same files, same order) and every module of the code that parsed and compiled them must
 * be byte for byte what the build read, otherwise the policies are parsed as before. The build
 * keeps those bytes in a file beside the artefact ({@link INPUTS_FILE}): comparing them is exact
 * (no hash can collide) and needs no node:crypto, whose loading alone cost a start about 7 ms.
 *
 * The trees are stored as plain JSON (one native parse and one walk to load), with markers for what
 * JSON cannot hold (bigint, -0, undefined, shared nodes) and locations in a table: a node
 * referenced twice decodes to one object referenced twice, since the compiler rewrites trees in
 * place. With the compiled program stored, its rule groups come first and the parsed modules are
 * decoded only when something reads them: `check` evaluates the groups and takes the rules'
 * descriptions from the header, so it never materialises the third of the nodes only the modules
 * hold (what `policy test` and coverage read).
 */
import { isAscii } from "node:buffer";
import * as fs from "node:fs";
import * as path from "node:path";
import type { CompiledQuery, Module } from "../rego";
import type { RuleMetadata } from "../rego/annotations";
import type { CompiledProgram, RuleGroup } from "../rego/compiler";
import { restoreProgram } from "../rego/program";
import { Decimal, RObject, RSet, type Value } from "../rego/value";
import type { RuleDescriptor } from "./rule-descriptors";

/** Bumped whenever the encoding below changes. */
export const ARTEFACT_FORMAT = 6;
export const ARTEFACT_FILE = "policies.ast.json";
/** The bytes of the sources and of the engine files, concatenated in the header's order. */
export const INPUTS_FILE = "policies.ast.inputs";

/**
 * The file is lines of JSON: this header, then one line per encoded part ({@link encodeTrees}):
 * with a program, its rule groups, the compiled queries and then the parsed modules; without, the
 * modules alone. The header is read and checked first, so a stale artefact costs no tree parse.
 */
export interface AstArtefact extends LocationTable {
  readonly format: number;
  /** Display name and UTF-8 length of each source, in load order (their bytes: INPUTS_FILE). */
  readonly sources: readonly { readonly file: string; readonly bytes: number }[];
  /**
   * The code that made the artefact, after the sources' bytes: path (relative to the directory
   * holding the engine, e.g. "rego/parser.js") and length of every module the build had loaded
   * when it wrote the artefact (see build-ast-artefact.ts), or, when it cannot tell, of every
   * engine file ({@link engineFiles}).
   */
  readonly engine: readonly { readonly file: string; readonly bytes: number }[];
  /**
   * Present when the bundled policies' compiled program is stored too: the compiler's name
   * counters after compiling them (see rego/program.ts `restoreProgram`), each module's package
   * path (in load order) and the rules the modules' METADATA describes (rule-descriptors.ts
   * `ruleDescriptors` of the modules), so neither needs the modules decoded.
   */
  readonly program?: {
    readonly counters: [number, number];
    readonly packagePaths: string[][];
    readonly rules: RuleDescriptor[];
  };
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
  /** Decoded on first read when the program is stored (nothing `check` runs reads them). */
  readonly modules: Module[];
  /** The program compiling exactly `modules` (with the default built-ins) gives. */
  readonly program?: CompiledProgram;
  /** With the program: `ruleDescriptors(modules)`, as the build computed it. */
  readonly rules?: RuleDescriptor[];
  /**
   * With the program: the queries `check` prepares, parsed and compiled against it by this engine
   * (rego/index.ts `compileQueryOf`), so a start loads neither the parser nor the compiler.
   */
  readonly queries?: Record<string, CompiledQuery>;
}

/**
 * Every module under `regoDir`, subdirectories included, by path relative to the directory that
 * holds `regoDir` (e.g. "rego/parser.js"), in a fixed order: the code an artefact depends on
 * when the build cannot tell which modules made it.
 */
export function engineFiles(regoDir: string): string[] {
  const out: string[] = [];
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
      out.push(rel + name);
    }
  };
  walk(regoDir, `${path.basename(regoDir)}/`);
  return out;
}

/**
 * Whether the sources, and the code that made the artefact `a` (files under the directory holding
 * `regoDir`), are exactly the inputs it was built from, whose bytes are in `inputsFile`.
 */
function sameInputs(
  a: AstArtefact,
  inputsFile: string,
  sources: readonly { readonly file: string; readonly source: string }[],
  regoDir: string,
): boolean {
  if (a.sources.length !== sources.length) return false;
  const inputs = fs.readFileSync(inputsFile);
  let at = 0;
  for (let i = 0; i < sources.length; i++) {
    const { file, bytes } = a.sources[i];
    const { source } = sources[i];
    // the parser read the text: the same text, decoded as the sources are read, is the same input
    if (file !== sources[i].file || Buffer.byteLength(source) !== bytes) return false;
    if (inputs.toString("utf8", at, at + bytes) !== source) return false;
    at += bytes;
  }
  const base = path.dirname(regoDir);
  for (const { file, bytes } of a.engine) {
    if (file.startsWith("/") || file.split("/").includes("..")) return false;
    const now = fs.readFileSync(path.join(base, file));
    if (now.length !== bytes || !now.equals(inputs.subarray(at, at + bytes))) return false;
    at += bytes;
  }
  return at === inputs.length;
}

class Unsupported extends Error {}

/**
 * Keys whose value is a source location ({file, row, col}). There, and only there, a location is
 * stored as its index in the artefact's location table: about half the nodes carry one, and as
 * objects (each naming its file) they were a third of the file.
 */
const LOC_KEYS: ReadonlySet<string> = new Set(["loc", "packageLoc"]); // as spelled in treeDecoder

/**
 * What plain JSON cannot say is a string starting with NUL, followed by a tag: `r<n>` the n-th
 * node already decoded (a shared or cyclic node, numbered depth first across the parts in order),
 * `u` undefined, `b<digits>` a bigint, `n<text>` a non-finite number or -0, `x<json>` a Rego value
 * — a METADATA annotation's object, or a set, object or exact decimal the compiler folded a
 * constant into — as {@link valueToJSON}'s text, `m<json>` a compiled rule's `metadata` (what
 * `rego.metadata.rule()` and `chain()` answer; {@link storedMetadata}), and `s<text>` a string
 * that itself starts with NUL. Everything else is the tree itself, so a part loads with one native
 * `JSON.parse` and one walk.
 */
const MARK = "\0";

/**
 * A compiled rule's metadata (rego/annotations.ts `RuleMetadata`): a plain object holding exactly
 * `rule` and `chain`, as the compiler sets it under the key `metadata`.
 */
function isRuleMetadata(key: string | undefined, x: object): x is RuleMetadata {
  if (key !== "metadata" || Array.isArray(x)) return false;
  const keys = Object.keys(x);
  return keys.length === 2 && keys[0] === "rule" && keys[1] === "chain";
}

/**
 * Rule metadata stored as `text` ({rule, chain} as {@link valueToJSON} gives them), turned into
 * Rego values when first read. Only a policy calling `rego.metadata.rule()` or `chain()` reads
 * them, and ours call neither, yet every annotated rule carries them: decoded up front, these
 * ~500 small values were about half of the time a start spent decoding the rule groups.
 */
function storedMetadata(text: string): RuleMetadata {
  let decoded: { rule: Value; chain: Value } | undefined;
  const value = (): { rule: Value; chain: Value } => {
    if (decoded === undefined) {
      const j = JSON.parse(text) as { rule: unknown; chain: unknown };
      decoded = { rule: valueFromJSON(j.rule), chain: valueFromJSON(j.chain) };
    }
    return decoded;
  };
  // getters, so the object reads, compares and re-encodes as the plain object it stands for
  return {
    get rule() {
      return value().rule;
    },
    get chain() {
      return value().chain;
    },
  };
}

/** What the trees' encoding refers to, stored apart from them (see {@link AstArtefact}). */
export interface LocationTable {
  /** Location files, each once. */
  readonly files: string[];
  /** Locations: (index into files, row, col) per location, flattened; equal ones stored once. */
  readonly locs: number[];
  /** How many nodes each part holds. */
  readonly nodes: number[];
}

/** Parts encoded by {@link encodeTrees}: JSON with the markers above, locations as indexes. */
export interface EncodedTrees extends LocationTable {
  readonly parts: unknown[];
}

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
 * Encodes trees as plain JSON (see {@link MARK}), part by part: a node shared between parts is
 * stored in the first part holding it and referred to from later ones, so the parts decode in
 * order, each when first needed. Throws if a tree holds something it cannot keep (anything but
 * plain objects, arrays, JSON scalars, bigint, undefined, Rego values, or a number where a
 * location belongs).
 */
export function encodeTrees(parts: readonly unknown[]): EncodedTrees {
  const files: string[] = [];
  const fileIndex = new Map<string, number>();
  const locs: number[] = [];
  const locIndex = new Map<string, number>();
  // every node gets the number of its first visit (depth first, in key order): the decoder
  // numbers nodes in the same order, so a later visit is stored as that number
  const order = new Map<object, number>();
  const locAt = (l: { file: string; row: number; col: number }): number => {
    let f = fileIndex.get(l.file);
    if (f === undefined) fileIndex.set(l.file, (f = files.push(l.file) - 1));
    const key = `${f}:${l.row}:${l.col}`;
    let i = locIndex.get(key);
    if (i === undefined) locIndex.set(key, (i = locs.push(f, l.row, l.col) / 3 - 1));
    return i;
  };
  const enc = (x: unknown, key: string | undefined): unknown => {
    if (x === undefined) return `${MARK}u`;
    if (x === null || typeof x === "boolean") return x;
    if (typeof x === "string") return x.startsWith(MARK) ? `${MARK}s${x}` : x;
    if (key !== undefined && LOC_KEYS.has(key)) {
      if (isLoc(x)) return locAt(x);
      if (typeof x === "number") throw new Unsupported(`a number under "${key}"`);
    }
    if (typeof x === "number") {
      if (Number.isFinite(x) && !Object.is(x, -0)) return x;
      return `${MARK}n${Object.is(x, -0) ? "-0" : String(x)}`;
    }
    if (typeof x === "bigint") return `${MARK}b${x.toString()}`;
    if (typeof x !== "object") throw new Unsupported(`cannot store a ${typeof x}`);
    const seen = order.get(x);
    if (seen !== undefined) return `${MARK}r${seen}`;
    order.set(x, order.size);
    if (isRuleMetadata(key, x)) {
      return `${MARK}m${JSON.stringify({ rule: valueToJSON(x.rule), chain: valueToJSON(x.chain) })}`;
    }
    if (x instanceof RObject || x instanceof RSet || x instanceof Decimal) {
      return `${MARK}x${JSON.stringify(valueToJSON(x))}`;
    }
    if (Array.isArray(x)) {
      const out: unknown[] = [];
      for (let i = 0; i < x.length; i++) out.push(enc(x[i], undefined));
      return out;
    }
    if (Object.getPrototypeOf(x) !== Object.prototype) {
      throw new Unsupported(`cannot store a ${Object.prototype.toString.call(x)}`);
    }
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(x)) out[k] = enc((x as Record<string, unknown>)[k], k);
    return out;
  };
  const encoded: unknown[] = [];
  const nodes: number[] = [];
  for (const part of parts) {
    const before = order.size;
    encoded.push(enc(part, undefined));
    nodes.push(order.size - before);
  }
  return { parts: encoded, files, locs, nodes };
}

/** A source location: {file, row, col} in that order (how the parser writes one), nothing else. */
function isLoc(x: unknown): x is { file: string; row: number; col: number } {
  if (typeof x !== "object" || x === null || Object.getPrototypeOf(x) !== Object.prototype) {
    return false;
  }
  const o = x as Record<string, unknown>;
  const keys = Object.keys(o);
  return (
    keys.length === 3 &&
    keys[0] === "file" &&
    keys[1] === "row" &&
    keys[2] === "col" &&
    typeof o.file === "string" &&
    Number.isInteger(o.row) &&
    Number.isInteger(o.col)
  );
}

/** Turns {@link encodeTrees}' freshly `JSON.parse`d output back into the trees (in place). */
export function decodeTrees(encoded: EncodedTrees): unknown[] {
  const decode = treeDecoder(encoded);
  return encoded.parts.map((p) => decode(p));
}

/**
 * A decoder for parts encoded with `table`, to be called on each part in order (each part's
 * references reach back into the parts before it). Equal locations decode to one shared object,
 * as the parser itself shares one between nodes (nothing changes a location or tells two apart by
 * identity).
 */
export function treeDecoder(table: LocationTable): (part: unknown) => unknown {
  const { files, locs } = table;
  const locObjects: { file: string; row: number; col: number }[] = [];
  for (let i = 0; i < locs.length; i += 3) {
    locObjects.push({ file: files[locs[i]], row: locs[i + 1], col: locs[i + 2] });
  }
  const nodes: unknown[] = [];
  const marked = (s: string): unknown => {
    const rest = s.slice(2);
    switch (s.charCodeAt(1)) {
      case 114 /* r */: {
        const n = Number(rest);
        if (!(n < nodes.length)) throw new Error(`reference to node ${rest} before it`);
        return nodes[n];
      }
      case 117 /* u */:
        return undefined;
      case 98 /* b */:
        return BigInt(rest);
      case 110 /* n */:
        return rest === "-0" ? -0 : Number(rest);
      case 120 /* x */: {
        const v = valueFromJSON(JSON.parse(rest));
        nodes.push(v);
        return v;
      }
      case 109 /* m */: {
        const md = storedMetadata(rest);
        nodes.push(md);
        return md;
      }
      case 115 /* s */:
        return rest;
    }
    throw new Error(`unknown marker in ${JSON.stringify(s.slice(0, 20))}`);
  };
  const walk = (x: object): void => {
    nodes.push(x);
    if (Array.isArray(x)) {
      for (let i = 0; i < x.length; i++) {
        const v: unknown = x[i];
        if (typeof v === "object") {
          if (v !== null) walk(v);
        } else if (typeof v === "string" && v.charCodeAt(0) === 0) x[i] = marked(v);
      }
      return;
    }
    const o = x as Record<string, unknown>;
    for (const k in o) {
      const v = o[k];
      if (typeof v === "object") {
        if (v !== null) walk(v);
      } else if (typeof v === "string") {
        if (v.charCodeAt(0) === 0) o[k] = marked(v);
      } else if (typeof v === "number" && (k === "loc" || k === "packageLoc")) {
        const l = locObjects[v];
        if (l === undefined) throw new Error(`no location ${v}`);
        o[k] = l;
      }
    }
  };
  let part = 0;
  return (tree) => {
    const before = nodes.length;
    if (typeof tree !== "object" || tree === null) throw new Error("a part is not a tree");
    walk(tree);
    if (nodes.length - before !== table.nodes[part]) {
      throw new Error(`part ${part}: ${nodes.length - before} nodes, ${table.nodes[part]} written`);
    }
    part++;
    return tree;
  };
}

/** One line of the artefact's bytes, as text when asked. */
class Line {
  constructor(
    private readonly bytes: Buffer,
    private readonly start: number,
    private readonly end: number,
  ) {}
  text(): string {
    const b = this.bytes.subarray(this.start, this.end);
    return b.toString(isAscii(b) ? "latin1" : "utf8");
  }
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
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(path.join(dir, ARTEFACT_FILE));
  } catch {
    return undefined;
  }
  try {
    // each line becomes text only when it is parsed (the modules' line, a third of the file,
    // usually never is); written as ASCII (see asciiJSON), a line is read as one-byte text, which
    // V8 decodes and parses markedly faster than the same text read as UTF-8
    const lines: Line[] = [];
    for (let start = 0; start <= bytes.length;) {
      let end = bytes.indexOf(10, start);
      if (end < 0) end = bytes.length;
      lines.push(new Line(bytes, start, end));
      start = end + 1;
    }
    const a = JSON.parse(lines[0].text()) as AstArtefact;
    if (a.format !== ARTEFACT_FORMAT || a.sources.length !== sources.length) return undefined;
    if (!sameInputs(a, path.join(dir, INPUTS_FILE), sources, regoDir)) return undefined;
    if (lines.length !== (a.program ? 4 : 2) || a.nodes.length !== lines.length - 1) {
      return undefined;
    }
    const decode = treeDecoder(a);
    const part = (line: Line): unknown[] => {
      const tree = decode(JSON.parse(line.text()));
      if (!Array.isArray(tree)) throw new Error("a part is not a list");
      return tree;
    };
    const record = (line: Line): Record<string, unknown> => {
      const tree = decode(JSON.parse(line.text()));
      if (typeof tree !== "object" || tree === null || Array.isArray(tree)) {
        throw new Error("a part is not a record");
      }
      return tree as Record<string, unknown>;
    };
    if (!a.program) {
      const modules = part(lines[1]) as Module[];
      if (modules.length !== sources.length) return undefined;
      return { modules };
    }
    const groups = part(lines[1]) as RuleGroup[];
    const queries = record(lines[2]) as unknown as Record<string, CompiledQuery>;
    // the modules' part refers back into the groups' nodes, which it shares: decoded later, by
    // the same decoder, the modules share them as the compiler left them
    let modules: Module[] | undefined;
    const loadModules = (): Module[] => {
      if (modules === undefined) {
        modules = part(lines[3]) as Module[];
        if (modules.length !== sources.length)
          throw new Error("the artefact's modules do not match");
      }
      return modules;
    };
    const { counters, packagePaths, rules } = a.program;
    const program = restoreProgram({ packagePaths, load: loadModules }, groups, counters);
    return {
      get modules() {
        return loadModules();
      },
      program,
      rules,
      queries,
    };
  } catch {
    return undefined; // a damaged artefact is no worse than none: parse the sources
  }
}
