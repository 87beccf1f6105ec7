/**
 * Build step (`npm run build`, after tsc): parses the bundled policies/*.rego once and writes
 * their syntax trees to dist/policies/policies.ast.json, together with the program compiling them
 * gives (its rule groups) and the query `check` prepares, so `check` neither parses nor compiles
 * them on every start; the exact bytes of each source and engine file go beside it, in
 * policies.ast.inputs (see ast-artefact.ts). Before writing, the
 * encoding is checked to decode to trees equal to a fresh parse and compile; if it does not (a
 * new kind of node the encoding cannot keep), the program is left out — or, when the parse trees
 * cannot be kept either, no artefact is written — and `check` does that work as before: slower,
 * never wrong.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { compileQueryOf, parseModule, type Module } from "../rego";
import { compileModules, nameCounters, type DNode } from "../rego/compiler";
import { restoreProgram } from "../rego/program";
import {
  ARTEFACT_FILE,
  ARTEFACT_FORMAT,
  asciiJSON,
  decodeTrees,
  encodeTrees,
  engineFiles,
  INPUTS_FILE,
  type AstArtefact,
  type EncodedTrees,
} from "./ast-artefact";
import { ruleDescriptors } from "./rule-descriptors";
import { builtinSources, FINDINGS_QUERY } from "./evaluate";
import { Decimal, RObject, RSet, toJSONText } from "../rego/value";

/**
 * The tree with each Rego object value (annotations) replaced by its JSON text: such values are
 * equal when they hold the same entries, whatever their internal caches hold.
 */
function valuesAsText(x: unknown, seen = new Map<object, unknown>()): unknown {
  if (x === null || typeof x !== "object") return x;
  if (x instanceof RObject) return { regoValue: toJSONText(x) };
  if (x instanceof RSet) return { regoSet: toJSONText(x), order: toJSONText([...x.values()]) };
  if (x instanceof Decimal) return { regoDecimal: x.text };
  // nodes are shared (an annotation points at its rule): one copy each, so sharing is compared too
  const done = seen.get(x);
  if (done) return done;
  if (Array.isArray(x)) {
    const arr: unknown[] = [];
    seen.set(x, arr);
    for (const item of x) arr.push(valuesAsText(item, seen));
    return arr;
  }
  const out: Record<string, unknown> = {};
  seen.set(x, out);
  for (const [k, v] of Object.entries(x)) out[k] = valuesAsText(v, seen);
  return out;
}

/** The rule paths and groups under a data tree node, as text (to compare two trees). */
function treeShape(n: DNode): string {
  const kids = [...n.children].map(([k, c]) => `${JSON.stringify(k)}:${treeShape(c)}`);
  return `{${n.group ? `=${n.group.name};` : ""}${kids.join(",")}}`;
}

/**
 * The rule groups compiling the parsed modules gives, the query `check` prepares as preparing it
 * on that program gives, then the modules, encoded as three parts (the groups first: `check`
 * decodes only the first two); undefined when they do not compile, preparing the query twice does
 * not give the same (it would depend on the process-wide name counters), or the groups hold
 * something the encoding cannot keep (the artefact is then written without the program).
 */
function encodeWithProgram(parsed: Module[]):
  | {
      encoded: EncodedTrees;
      parts: unknown[];
      counters: [number, number];
      root: DNode;
    }
  | undefined {
  try {
    const prog = compileModules(parsed);
    const query = compileQueryOf(prog, FINDINGS_QUERY);
    if (!isDeepStrictEqual(query, compileQueryOf(prog, FINDINGS_QUERY))) return undefined;
    const parts = [[...prog.groups.values()], { [FINDINGS_QUERY]: query }, parsed];
    return { encoded: encodeTrees(parts), parts, counters: nameCounters(), root: prog.root };
  } catch {
    return undefined;
  }
}

/** Writes the artefact for the sources under `root` into `outDir`; returns why not, if it did not. */
export function writeAstArtefact(
  root: string,
  outDir: string,
  regoDir: string,
  code?: readonly string[],
): string | undefined {
  const target = path.join(outDir, ARTEFACT_FILE);
  const inputsTarget = path.join(outDir, INPUTS_FILE);
  fs.rmSync(target, { force: true });
  fs.rmSync(inputsTarget, { force: true });
  const { modules } = builtinSources(root);
  // compared with this very parse below: the parser numbers wildcards `_` with a process-wide
  // counter, so two parses differ in those (body-local) names
  const parsed = modules.map((m) => parseModule(m.file, m.source));
  const withProgram = encodeWithProgram(parsed);
  let encoded: EncodedTrees;
  try {
    encoded = withProgram?.encoded ?? encodeTrees([parsed]);
  } catch (err) {
    return (err as Error).message;
  }
  // the inputs, as they are read now: what a reader compares with its own
  const sourceBytes = modules.map((m) => Buffer.from(m.source, "utf8"));
  const engine = code ?? engineFiles(regoDir);
  const base = path.dirname(regoDir);
  const engineBytes = engine.map((file) => fs.readFileSync(path.join(base, file)));
  const artefact: AstArtefact = {
    format: ARTEFACT_FORMAT,
    sources: sourceBytes.map((b, i) => ({ file: modules[i].file, bytes: b.length })),
    engine: engine.map((file, i) => ({ file, bytes: engineBytes[i].length })),
    files: encoded.files,
    locs: encoded.locs,
    nodes: encoded.nodes,
    ...(withProgram
      ? {
          program: {
            counters: withProgram.counters,
            packagePaths: parsed.map((m) => m.packagePath),
            rules: ruleDescriptors(parsed),
          },
        }
      : {}),
  };
  // one line each (JSON text holds no raw newline): the header, then the parts
  const text = [artefact, ...encoded.parts].map((x) => asciiJSON(x)).join("\n");
  const lines = text.split("\n");
  const decoded = decodeTrees({ ...encoded, parts: lines.slice(1).map((l) => JSON.parse(l)) });
  const expected = withProgram?.parts ?? [parsed];
  // equal trees, and the same sharing of nodes (re-encoding yields the same text)
  if (
    !isDeepStrictEqual(valuesAsText(decoded), valuesAsText(expected)) ||
    JSON.stringify(encodeTrees(decoded)) !== JSON.stringify(encoded) ||
    JSON.stringify(JSON.parse(lines[0])) !== JSON.stringify(artefact)
  ) {
    return "the stored trees do not decode to what the parser produces";
  }
  if (withProgram) {
    // the data tree rebuilt around the decoded groups is the one the compiler built
    const restored = restoreProgram(
      decoded[2] as Module[],
      decoded[0] as never,
      withProgram.counters,
    );
    if (treeShape(restored.root) !== treeShape(withProgram.root)) {
      return "the stored program does not rebuild the compiler's data tree";
    }
  }
  // write then rename: a reader never sees half an artefact
  const tmp = `${target}.${process.pid}.tmp`;
  // the inputs first: an artefact beside inputs of another build does not match them, so a reader
  // between the two renames falls back to parsing
  fs.writeFileSync(tmp, Buffer.concat([...sourceBytes, ...engineBytes]));
  fs.renameSync(tmp, inputsTarget);
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, target);
  return undefined;
}

/**
 * The modules this process has loaded from the directory holding `regoDir` (dist/), relative to
 * it: the code that can have run while the artefact was made. Parsing and compiling run only code
 * of loaded modules, and which modules load (the engine's lazy parts and built-in families) is
 * decided by code that is itself loaded, so if these files are unchanged, parsing and compiling the
 * same sources gives the same artefact; other files (unused built-in families, `opa test`, the
 * conformance runner, ...) cannot change it. Undefined when the engine here is not loaded from
 * `regoDir` (e.g. a test runner running the TypeScript sources): then every engine file counts.
 */
export function loadedCode(regoDir: string): string[] | undefined {
  const base = path.dirname(regoDir) + path.sep;
  const files = Object.keys(require.cache)
    .filter((f) => f.startsWith(base) && f.endsWith(".js"))
    .map((f) => f.slice(base.length).split(path.sep).join("/"))
    .sort();
  return files.some((f) => f.startsWith(`${path.basename(regoDir)}/`)) ? files : undefined;
}

if (require.main === module) {
  // run as dist/policies/build-ast-artefact.js: the artefact goes beside dist/policies/evaluate.js
  const root = path.resolve(__dirname, "..", "..");
  const regoDir = path.join(__dirname, "..", "rego");
  // the code list is taken after writing (every module the parse and compile loaded is loaded
  // then); a dry run first decides it, the second write records it
  let why = writeAstArtefact(root, __dirname, regoDir);
  if (!why) why = writeAstArtefact(root, __dirname, regoDir, loadedCode(regoDir));
  if (why) {
    process.stderr.write(`policies AST artefact not written (${why}); check will parse policies\n`);
  }
}
