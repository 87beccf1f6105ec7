/**
 * Loading policy and data files the way `opa eval -d` / `opa test` do: a path is a file or a
 * directory walked recursively; `.rego` files are modules; `.json`/`.yaml`/`.yml` files are base
 * documents merged into `data` at the path of their directory relative to the root argument
 * (OPA's loader convention: `root/a/b/data.json` lands at `data.a.b`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { InputError, UsageError } from "./errors";

export interface LoadedFiles {
  readonly modules: { file: string; source: string }[];
  readonly data: Record<string, unknown>;
}

export function loadRegoPaths(paths: readonly string[], cwd: string): LoadedFiles {
  const modules: { file: string; source: string }[] = [];
  const data: Record<string, unknown> = {};
  for (const p of paths) {
    const abs = path.resolve(cwd, p);
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch {
      throw new UsageError(`${p}: no such file or directory`);
    }
    if (st.isDirectory()) {
      for (const f of walk(abs))
        addFile(f, path.relative(abs, path.dirname(f)), p, modules, data, cwd);
    } else {
      addFile(abs, "", p, modules, data, cwd);
    }
  }
  modules.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { modules, data };
}

function* walk(dir: string): Generator<string> {
  const entries = fs.readdirSync(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    if (e.name.startsWith(".") || e.name === "node_modules") continue;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) yield* walk(full);
    else if (/\.(rego|json|ya?ml)$/.test(e.name)) yield full;
  }
}

function addFile(
  abs: string,
  relDir: string,
  _arg: string,
  modules: { file: string; source: string }[],
  data: Record<string, unknown>,
  cwd: string,
): void {
  const display = path.relative(cwd, abs) || abs;
  const text = fs.readFileSync(abs, "utf8");
  if (abs.endsWith(".rego")) {
    modules.push({ file: display, source: text });
    return;
  }
  // Only data documents: other YAML/JSON in a policy folder (e.g. PulumiPolicy.yaml, package.json)
  // are not OPA data and are skipped, as `opa` skips files it cannot load as data by name.
  const base = path.basename(abs);
  if (!/^data\.(json|ya?ml)$/.test(base)) return;
  const doc = parseDataFile(text, display);
  const segs = relDir === "" ? [] : relDir.split(path.sep);
  mergeAt(data, segs, doc, display);
}

export function parseDataFile(text: string, display: string): unknown {
  try {
    if (/\.json$/.test(display)) return JSON.parse(text);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const yaml = require("js-yaml") as typeof import("js-yaml");
    return yaml.load(text);
  } catch (err) {
    throw new InputError(
      `${display}: not valid ${/\.json$/.test(display) ? "JSON" : "YAML"}: ${firstLine(err)}`,
    );
  }
}

function firstLine(err: unknown): string {
  return String(err instanceof Error ? err.message : err).split("\n")[0];
}

function mergeAt(
  root: Record<string, unknown>,
  segs: string[],
  doc: unknown,
  display: string,
): void {
  let node = root;
  for (const s of segs) {
    const next = node[s];
    if (next === undefined) node[s] = {};
    else if (typeof next !== "object" || next === null || Array.isArray(next)) {
      throw new InputError(
        `${display}: data path ${segs.join(".")} conflicts with another data file`,
      );
    }
    node = node[s] as Record<string, unknown>;
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new InputError(`${display}: a data file must hold an object at its top level`);
  }
  deepMerge(node, doc as Record<string, unknown>, display);
}

function deepMerge(
  into: Record<string, unknown>,
  from: Record<string, unknown>,
  display: string,
): void {
  for (const [k, v] of Object.entries(from)) {
    const cur = into[k];
    if (
      cur !== undefined &&
      typeof cur === "object" &&
      cur !== null &&
      !Array.isArray(cur) &&
      typeof v === "object" &&
      v !== null &&
      !Array.isArray(v)
    ) {
      deepMerge(cur as Record<string, unknown>, v as Record<string, unknown>, display);
    } else if (cur !== undefined) {
      throw new InputError(`${display}: data key "${k}" is defined twice`);
    } else {
      into[k] = v;
    }
  }
}

/** Renders a Rego error like `opa`: file:row:col: code: message, then the source line and a caret. */
export function formatRegoError(
  detail: { code: string; message: string; location?: { file: string; row: number; col: number } },
  sources: ReadonlyMap<string, string>,
): string {
  const loc = detail.location;
  if (!loc) return `${detail.code}: ${detail.message}`;
  const head = `${loc.file}:${loc.row}:${loc.col}: ${detail.code}: ${detail.message}`;
  const src = sources.get(loc.file);
  const line = src?.split("\n")[loc.row - 1];
  if (line === undefined) return head;
  const caret = " ".repeat(Math.max(0, loc.col - 1)) + "^";
  return `${head}\n\t${line.replace(/\t/g, " ")}\n\t${caret}`;
}
