/**
 * Loading policy and data files the way `opa eval -d` / `opa test` do: a path is a file or a
 * directory walked recursively; `.rego` files are modules; every `.json`/`.yaml`/`.yml` file is a
 * base document merged into `data` at the path of its directory relative to the root argument
 * (OPA's loader: `root/a/b/users.json` lands at `data.a.b`, whatever the file's name). A root
 * directory holding a `.manifest` is a bundle, as with `opa … -b`: only `data.json`/`data.yaml`
 * are data, the manifest's `roots` bound where its data and packages may live, and its
 * `rego_version` / `file_rego_versions` say which Rego version each module is written in.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { InputError, UsageError } from "../errors";
import { parseJSON as parseJSONExact } from "../rego/builtins/encoding";
import { toJS } from "../rego/value";

export interface LoadedModule {
  readonly file: string;
  readonly source: string;
  readonly regoVersion?: 0 | 1;
}

export interface LoadedFiles {
  readonly modules: LoadedModule[];
  readonly data: Record<string, unknown>;
}

export interface LoadOptions {
  /** OPA's `--ignore`: glob patterns matched against each file's and directory's base name. */
  readonly ignore?: readonly string[];
  /** OPA's `--v0-compatible`: modules are Rego v0 unless a bundle manifest says otherwise. */
  readonly v0Compatible?: boolean;
}

/**
 * Project files that are not policy data although they are JSON/YAML (a policy folder that is also
 * an npm package or a Pulumi policy pack); OPA would load them, then fail merging their keys.
 */
const TOOL_FILES =
  /^(package\.json|package-lock\.json|tsconfig(\..*)?\.json|Pulumi(Policy)?\.ya?ml|Pulumi\.[^.]+\.ya?ml)$/;

interface Manifest {
  roots: string[];
  regoVersion?: 0 | 1;
  fileVersions: { pattern: RegExp; version: 0 | 1 }[];
}

export function loadRegoPaths(
  paths: readonly string[],
  cwd: string,
  opts: LoadOptions = {},
): LoadedFiles {
  const modules: LoadedModule[] = [];
  const data: Record<string, unknown> = {};
  const ignore = (opts.ignore ?? []).map((g) => globToRegExp(g));
  const ignored = (name: string): boolean => ignore.some((re) => re.test(name));
  const defaultVersion: 0 | 1 = opts.v0Compatible ? 0 : 1;
  for (const p of paths) {
    const abs = path.resolve(cwd, p);
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch {
      throw new UsageError(`${p}: no such file or directory`);
    }
    if (st.isDirectory()) {
      for (const { file: f, bundle } of walk(abs, ignored, undefined, cwd)) {
        // inside a bundle, paths (data locations, file_rego_versions) are relative to its root
        const root = bundle?.dir ?? abs;
        const rel = path.relative(root, f).split(path.sep).join("/");
        const manifest = bundle?.manifest;
        const version =
          manifest?.fileVersions.find((fv) => fv.pattern.test(rel))?.version ??
          manifest?.regoVersion ??
          defaultVersion;
        addFile(f, path.relative(root, path.dirname(f)), modules, data, cwd, manifest, version);
      }
    } else if (!ignored(path.basename(abs))) {
      addFile(abs, "", modules, data, cwd, undefined, defaultVersion);
    }
  }
  modules.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { modules, data };
}

interface BundleRoot {
  dir: string;
  manifest: Manifest;
}

/** Files below dir; a directory holding a `.manifest` starts a bundle for its subtree. */
function* walk(
  dir: string,
  ignored: (name: string) => boolean,
  bundle: BundleRoot | undefined,
  cwd: string,
): Generator<{ file: string; bundle: BundleRoot | undefined }> {
  const manifest = readManifest(dir, cwd);
  if (manifest) bundle = { dir, manifest };
  const entries = fs.readdirSync(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    if (e.name.startsWith(".") || e.name === "node_modules" || ignored(e.name)) continue;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) yield* walk(full, ignored, bundle, cwd);
    else if (/\.(rego|json|ya?ml)$/.test(e.name)) yield { file: full, bundle };
  }
}

function readManifest(dir: string, cwd: string): Manifest | undefined {
  const file = path.join(dir, ".manifest");
  if (!fs.existsSync(file)) return undefined;
  const display = path.relative(cwd, file) || file;
  const doc = parseDataFile(fs.readFileSync(file, "utf8"), display + ".json");
  if (typeof doc !== "object" || doc === null || Array.isArray(doc))
    throw new InputError(`${display}: a bundle manifest must be a JSON object`);
  const m = doc as Record<string, unknown>;
  const version = (v: unknown, field: string): 0 | 1 => {
    if (v === 0 || v === 1) return v;
    throw new InputError(`${display}: ${field}: must be 0 or 1`);
  };
  let roots = [""];
  if (m.roots !== undefined) {
    if (!Array.isArray(m.roots) || m.roots.some((r) => typeof r !== "string"))
      throw new InputError(`${display}: roots: must be a list of strings`);
    roots = (m.roots as string[]).map((r) => r.replace(/^\/+|\/+$/g, ""));
  }
  const fileVersions: Manifest["fileVersions"] = [];
  if (m.file_rego_versions !== undefined) {
    const fv = m.file_rego_versions;
    if (typeof fv !== "object" || fv === null || Array.isArray(fv))
      throw new InputError(`${display}: file_rego_versions: must be an object`);
    for (const [pat, v] of Object.entries(fv)) {
      const glob = pat.replace(/^\/+/, "");
      fileVersions.push({
        pattern: globToRegExp(glob, true),
        version: version(v, `file_rego_versions.${pat}`),
      });
    }
  }
  return {
    roots,
    regoVersion: m.rego_version === undefined ? undefined : version(m.rego_version, "rego_version"),
    fileVersions,
  };
}

/** `*` and `?` within a name (and `**` across directories when paths are matched). */
export function globToRegExp(glob: string, paths = false): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*" && glob[i + 1] === "*" && paths) {
      re += ".*";
      i++;
      if (glob[i + 1] === "/") i++;
    } else if (c === "*") re += paths ? "[^/]*" : ".*";
    else if (c === "?") re += paths ? "[^/]" : ".";
    else re += c.replace(/[.+^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

function underRoots(segs: string[], roots: readonly string[]): boolean {
  const p = segs.join("/");
  return roots.some((r) => r === "" || p === r || p.startsWith(r + "/") || r.startsWith(p + "/"));
}

function addFile(
  abs: string,
  relDir: string,
  modules: LoadedModule[],
  data: Record<string, unknown>,
  cwd: string,
  manifest: Manifest | undefined,
  regoVersion: 0 | 1,
): void {
  const display = path.relative(cwd, abs) || abs;
  const base = path.basename(abs);
  const text = fs.readFileSync(abs, "utf8");
  if (abs.endsWith(".rego")) {
    if (manifest) checkPackageRoots(text, display, manifest);
    modules.push({ file: display, source: text, regoVersion });
    return;
  }
  if (TOOL_FILES.test(base)) return;
  // in a bundle only data.json / data.yaml are data (OPA's bundle reader)
  if (manifest && !/^data\.(json|ya?ml)$/.test(base)) return;
  const doc = parseDataFile(text, display);
  const segs = relDir === "" ? [] : relDir.split(path.sep);
  if (manifest) {
    const keys =
      typeof doc === "object" && doc !== null && !Array.isArray(doc) && segs.length === 0
        ? Object.keys(doc).map((k) => [k])
        : [segs];
    for (const k of keys)
      if (!underRoots(k, manifest.roots))
        throw new InputError(
          `${display}: manifest roots ${JSON.stringify(manifest.roots)} do not permit data at path /${k.join("/")}`,
        );
  }
  mergeAt(data, segs, doc, display);
}

function checkPackageRoots(source: string, display: string, manifest: Manifest): void {
  const m = /^\s*package\s+([A-Za-z_][\w.]*)/m.exec(source.replace(/#[^\n]*/g, ""));
  if (!m) return; // the parser reports the missing package
  if (!underRoots(m[1].split("."), manifest.roots))
    throw new InputError(
      `${display}: manifest roots ${JSON.stringify(manifest.roots)} do not permit package ${m[1]}`,
    );
}

/** 16 or more digits in a row (a point allowed among them), or a three-digit exponent. */
const LONG_NUMBER = /(?:[0-9]\.?){16}|[eE][+-]?[0-9]{3}/;

export function parseDataFile(text: string, display: string): unknown {
  try {
    if (/\.json$/.test(display)) {
      const doc: unknown = JSON.parse(text);
      // JSON.parse rounds numbers to float64; OPA keeps their text (json.Number). Where a number
      // may hold more than a float does, read it again exactly (bigints, Decimals).
      return LONG_NUMBER.test(text) ? toJS(parseJSONExact(text)) : doc;
    }
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
  const isObj = typeof doc === "object" && doc !== null && !Array.isArray(doc);
  if (!isObj && segs.length > 0) {
    // a non-object document below the root is the value at its directory's path
    mergeAt(root, segs.slice(0, -1), { [segs[segs.length - 1]]: doc }, display);
    return;
  }
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
