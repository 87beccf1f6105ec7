/**
 * Build step (`npm run build`, after tsc): parses the bundled policies/*.rego once and writes
 * their syntax trees to dist/policies/policies.ast.json, keyed by the sha256 of each source and
 * of the engine (see ast-artefact.ts). Before writing, the encoding is checked to decode to a
 * tree equal to a fresh parse; if it does not (a new kind of node the encoding cannot keep), no
 * artefact is written and `check` parses the sources as before — slower, never wrong.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { parseModule } from "../rego";
import {
  ARTEFACT_FILE,
  ARTEFACT_FORMAT,
  decodeModules,
  encodeModules,
  engineFingerprint,
  sha256,
  type AstArtefact,
} from "./ast-artefact";
import { builtinSources } from "./evaluate";
import { RObject, toJSONText } from "../rego/value";

/**
 * The tree with each Rego object value (annotations) replaced by its JSON text: such values are
 * equal when they hold the same entries, whatever their internal caches hold.
 */
function valuesAsText(x: unknown, seen = new Map<object, unknown>()): unknown {
  if (x === null || typeof x !== "object") return x;
  if (x instanceof RObject) return { regoValue: toJSONText(x) };
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

/** Writes the artefact for the sources under `root` into `outDir`; returns why not, if it did not. */
export function writeAstArtefact(
  root: string,
  outDir: string,
  regoDir: string,
): string | undefined {
  const target = path.join(outDir, ARTEFACT_FILE);
  fs.rmSync(target, { force: true });
  const { modules } = builtinSources(root);
  // compared with this very parse below: the parser numbers wildcards `_` with a process-wide
  // counter, so two parses differ in those (body-local) names
  const parsed = modules.map((m) => parseModule(m.file, m.source));
  let encoded: ReturnType<typeof encodeModules>;
  try {
    encoded = encodeModules(parsed);
  } catch (err) {
    return (err as Error).message;
  }
  const artefact: AstArtefact = {
    format: ARTEFACT_FORMAT,
    engine: engineFingerprint(regoDir),
    sources: modules.map((m) => ({ file: m.file, sha256: sha256(m.source) })),
    modules: encoded.modules,
    patches: encoded.patches,
  };
  const text = JSON.stringify(artefact);
  const back = JSON.parse(text) as AstArtefact;
  const decoded = decodeModules(back.modules, back.patches);
  // equal trees, and the same sharing of nodes (re-encoding yields the same paths and patches)
  if (
    !isDeepStrictEqual(valuesAsText(decoded), valuesAsText(parsed)) ||
    JSON.stringify(encodeModules(decoded)) !== JSON.stringify(encoded)
  ) {
    return "the stored trees do not decode to what the parser produces";
  }
  // write then rename: a reader never sees half an artefact
  const tmp = `${target}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, target);
  return undefined;
}

if (require.main === module) {
  // run as dist/policies/build-ast-artefact.js: the artefact goes beside dist/policies/evaluate.js
  const root = path.resolve(__dirname, "..", "..");
  const why = writeAstArtefact(root, __dirname, path.join(__dirname, "..", "rego"));
  if (why) {
    process.stderr.write(`policies AST artefact not written (${why}); check will parse policies\n`);
  }
}
