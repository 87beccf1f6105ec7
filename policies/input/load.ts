/**
 * `check`'s inputs: a path → which kind of input it is → the policy document, plus a way to place
 * a finding in that file. Kinds are told apart by content, not by name: a manifest (YAML or JSON),
 * `tokenwarden plan --format json` output, Terraform JSON configuration (`cdk.tf.json`), and
 * `terraform show -json` plans. A directory is expanded into the files of a known kind under it,
 * each checked on its own (see {@link expandInputs}); everything else there is listed as skipped.
 * Lines are found only for findings, after evaluation: placing 10,000 needs up front would cost
 * more than reading the file.
 */
import { isAscii } from "node:buffer";
import * as fs from "node:fs";
import * as path from "node:path";
import { InputError } from "../../errors";
import {
  locateNearest,
  needIndexOf,
  parseManifestText,
  type Manifest,
  type ManifestIssue,
} from "../../model";
import { DeclarationError } from "./declaration";
import { JsonIndex, type JsonPath } from "./json-index";
import { manifestToInput } from "./manifest";
import { isPlanJson, isTerraformConfig, isTerraformPlan } from "./kinds";
import {
  jsonFieldPath,
  pulumiPlanShape,
  terraformConfigShape,
  terraformPlanShape,
  type ShapeIssue,
} from "./shape";
import type { Finding, PolicyInput } from "./types";

export type InputKind = "manifest" | "pulumi-plan" | "terraform-config" | "terraform-plan";

/** How `-` (standard input) is named in reports. */
export const STDIN_NAME = "<stdin>";

export interface Placement {
  readonly line?: number;
  readonly column?: number;
  /** URN or Terraform address, for findings on resources. */
  readonly logical?: string;
}

export interface LoadedInput {
  /** The path as given (or as found under a directory given). */
  readonly file: string;
  readonly kind: InputKind;
  readonly input: PolicyInput;
  /** The file a finding is reported in: the path as given. */
  readonly reportFile: string;
  /** Where a finding is in the file: always a line (the file's first when nothing closer). */
  place(f: Finding): Placement;
  /** Where a manifest field path is (`["needs", 2, "waivers", 0, "rule"]`), when known. */
  locate(at: readonly (string | number)[]): { line: number; column: number } | undefined;
}

/** Several positioned issues in one input (wrong shape); the message holds them one per line. */
export class InputIssuesError extends InputError {
  constructor(readonly issues: readonly ManifestIssue[]) {
    super(
      issues.map(formatInputIssue).join("\n"),
      issues[0]?.file,
      issues[0]?.line,
      issues[0]?.column,
    );
  }
}

export function formatInputIssue(issue: ManifestIssue): string {
  const where =
    issue.line !== undefined ? `${issue.file}:${issue.line}:${issue.column ?? 1}` : issue.file;
  return issue.field ? `${where}: ${issue.field}: ${issue.message}` : `${where}: ${issue.message}`;
}

// --- directories ----------------------------------------------------------------------------

export interface SkippedFile {
  readonly file: string;
  readonly reason: string;
}

export interface ExpandedInputs {
  /** Paths to check, each on its own: as given, or found under a directory given. */
  readonly files: string[];
  readonly skipped: SkippedFile[];
}

const MAX_DEPTH = 6;

/**
 * Paths as given → the files to check. A file is checked whatever it holds (an unknown one is
 * reported as an invalid manifest). A directory contributes each file of a known kind under it
 * (`node_modules` and dot-folders excepted); the rest are listed as skipped, with why.
 */
export function expandInputs(paths: readonly string[], cwd: string): ExpandedInputs {
  const files: string[] = [];
  const skipped: SkippedFile[] = [];
  for (const given of paths) {
    if (given === "-") {
      files.push(given);
      continue;
    }
    const abs = path.resolve(cwd, given);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(abs);
    } catch (err) {
      throw new InputError(`${given}: ${describeFsError(err)}`, given);
    }
    if (!stat.isDirectory()) {
      files.push(given);
      continue;
    }
    const found: string[] = [];
    const walk = (dir: string, depth: number): void => {
      const entries = fs.readdirSync(dir, { withFileTypes: true });
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of entries) {
        if (e.name === "node_modules" || e.name.startsWith(".")) continue;
        const full = path.join(dir, e.name);
        if (e.isDirectory() && depth < MAX_DEPTH) walk(full, depth + 1);
        else if (e.isFile()) found.push(full);
      }
    };
    walk(abs, 0);
    for (const full of found) {
      const shown = path.join(given, path.relative(abs, full));
      const reason = skipReason(full);
      if (reason === undefined) files.push(shown);
      else skipped.push({ file: shown, reason });
    }
    if (!found.length) skipped.push({ file: given, reason: "empty directory" });
  }
  return { files, skipped };
}

/** Why a file found in a directory is not an input of a known kind, or undefined when it is one. */
function skipReason(file: string): string | undefined {
  const ext = path.extname(file).toLowerCase();
  if (ext !== ".json" && ext !== ".yaml" && ext !== ".yml") {
    return "not a manifest, plan JSON or Terraform JSON (only .yaml, .yml and .json files are read)";
  }
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    return describeFsError(err);
  }
  if (ext === ".json") {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return "not valid JSON";
    }
    return jsonKind(json) === undefined
      ? "JSON that is no manifest, plan, Terraform JSON configuration or Terraform plan"
      : undefined;
  }
  // YAML: a manifest has top-level `version` and `needs` or `consumers` (a cheap look, no parse).
  const top = (key: string) => new RegExp(`^["']?${key}["']?\\s*:`, "m").test(text);
  if (top("version") && (top("needs") || top("consumers"))) return undefined;
  return "YAML that is no access-needs manifest (no top-level version and needs)";
}

/** The kind of a parsed JSON document, when it is one `check` reads in a directory. */
function jsonKind(json: unknown): InputKind | undefined {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return undefined;
  const o = json as Record<string, unknown>;
  if (isTerraformPlan(o)) return "terraform-plan";
  if (Array.isArray(o.resources) && ("tokenwarden" in o || isPlanJson(o))) return "pulumi-plan";
  if (isTerraformConfig(o)) return "terraform-config";
  if ("version" in o && ("needs" in o || "consumers" in o)) return "manifest";
  return undefined;
}

// --- one input ------------------------------------------------------------------------------

export async function loadInput(
  file: string,
  opts: { now: string; cwd?: string; text?: string },
): Promise<LoadedInput> {
  const shown = file === "-" ? STDIN_NAME : file;
  let text = opts.text;
  if (text === undefined) {
    const abs = path.resolve(opts.cwd ?? process.cwd(), file);
    try {
      if (fs.statSync(abs).isDirectory()) {
        throw new InputError(
          `${file}: is a directory; give a file (check expands directories itself)`,
          file,
        );
      }
      text = readText(abs);
    } catch (err) {
      if (err instanceof InputError) throw err;
      throw new InputError(`${file}: ${describeFsError(err)}`, file);
    }
  }
  const first = /\S/.exec(text)?.[0];
  if (first === "{") {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined; // the manifest parse below reports the syntax error with its line
    }
    const kind = jsonKind(json);
    if (json !== undefined && kind !== undefined && kind !== "manifest") {
      return resourceInput(shown, kind, json as Record<string, unknown>, text, opts.now);
    }
  }
  return manifestInput(shown, parseManifestText(text, shown), opts.now);
}

async function resourceInput(
  file: string,
  kind: Exclude<InputKind, "manifest">,
  json: Record<string, unknown>,
  text: string,
  now: string,
): Promise<LoadedInput> {
  const shape =
    kind === "terraform-plan"
      ? terraformPlanShape(json)
      : kind === "pulumi-plan"
        ? pulumiPlanShape(json)
        : terraformConfigShape(json);
  if (shape.length) throw shapeError(file, text, shape);
  let input: PolicyInput;
  try {
    // the readers (and the HCL and resource code behind them) load only for such an input: a
    // manifest's check never reads them
    if (kind === "terraform-plan") {
      input = await (await import("./terraform")).terraformPlanToInput(json, { now });
    } else if (kind === "pulumi-plan") {
      input = await (await import("./pulumi")).planJsonToInput(json as never, { now });
    } else {
      input = await (await import("./terraform")).terraformConfigToInput([{ file, json }], { now });
    }
  } catch (err) {
    if (err instanceof DeclarationError) {
      const base = declarationBase(kind, json);
      const pos = base ? new JsonIndex(text).nearest(base) : undefined;
      throw new InputIssuesError([
        { file, ...(pos ?? {}), field: "", message: `embedded ${err.message}` },
      ]);
    }
    throw err;
  }
  return jsonPlacement(file, kind, json, text, input);
}

function shapeError(file: string, text: string, issues: readonly ShapeIssue[]): InputIssuesError {
  const index = new JsonIndex(text);
  return new InputIssuesError(
    issues.map((i) => ({
      file,
      ...(index.nearest(i.path) ?? { line: 1, column: 1 }),
      field: jsonFieldPath(i.path),
      message: i.message,
    })),
  );
}

/**
 * The file's text, exactly as `fs.readFileSync(file, "utf8")` gives it. Most inputs are ASCII,
 * for which Latin-1 decoding is the same and ~10× cheaper: a 2.4 MB manifest took 26 ms of CPU
 * through the UTF-8 decoder and under 5 ms this way (the bytes become the string's as they are).
 * Any other byte is decoded as UTF-8, as before.
 */
export function readText(file: string): string {
  const bytes = fs.readFileSync(file);
  return isAscii(bytes) ? bytes.toString("latin1") : bytes.toString("utf8");
}

/** A manifest already loaded, as `check` judges and places it (what {@link loadInput} gives for one). */
export function manifestInput(file: string, manifest: Manifest, now: string): LoadedInput {
  const input = manifestToInput(manifest, { now });
  let needIndex: ReadonlyMap<string, number> | undefined;
  let consumerIndex: Map<string, number> | undefined;
  let providerIndex: Map<string, number> | undefined;
  const locate = (at: readonly (string | number)[]) => locateNearest(manifest.source, at);
  return {
    file,
    kind: "manifest",
    input,
    reportFile: file,
    locate,
    place(f) {
      // the loader's own table of need names (model/need-index.ts), not a second one
      needIndex ??= needIndexOf(manifest.needs);
      const need = needIndex.get(f.need ?? f.source);
      let at: (string | number)[] | undefined;
      if (need !== undefined) {
        const segments = segmentsOf(f.field);
        at = ["needs", need];
        for (let i = 0; i < segments.length; i++) at.push(segments[i]);
      } else {
        consumerIndex ??= indexByName(manifest.consumers);
        providerIndex ??= indexByName(manifest.providers);
        if (consumerIndex.has(f.source)) at = ["consumers", consumerIndex.get(f.source) as number];
        else if (providerIndex.has(f.source))
          at = ["providers", providerIndex.get(f.source) as number];
      }
      // a fresh { line, column } from the source, handed on as is
      return (at ? locate(at) : undefined) ?? { line: 1, column: 1 };
    },
  };
}

/** Name → index in the list (the last of a name, as `new Map(entries)` would keep). */
function indexByName(items: readonly { readonly name: string }[]): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i < items.length; i++) m.set(items[i].name, i);
  return m;
}

/** {@link fieldSegments} of the few field texts rules name, each split once. */
const segmentCache = new Map<string, readonly (string | number)[]>();
function segmentsOf(field: string | undefined): readonly (string | number)[] {
  if (!field) return [];
  let segs = segmentCache.get(field);
  if (!segs) {
    segs = fieldSegments(field);
    if (segmentCache.size < 1024) segmentCache.set(field, segs);
  }
  return segs;
}

/** "paths[0].capabilities" → ["paths", 0, "capabilities"]. */
export function fieldSegments(field: string | undefined): (string | number)[] {
  if (!field) return [];
  const out: (string | number)[] = [];
  for (const m of field.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(m[1]);
  }
  return out;
}

// --- placing findings in JSON inputs ----------------------------------------------------------

const DECLARATION_OUTPUT = "tokenwarden_declaration";

/** Where the embedded declaration's object is (`value` may be a JSON string: then its output). */
function declarationBase(kind: InputKind, json: Record<string, unknown>): JsonPath | undefined {
  if (kind === "pulumi-plan") return ["tokenwarden"];
  if (kind === "terraform-config") return ["output", DECLARATION_OUTPUT, "value"];
  const pv = typeof json.planned_values === "object" ? "planned_values" : "values";
  return [pv, "outputs", DECLARATION_OUTPUT, "value"];
}

/**
 * The resource attribute a finding on a rendered Vault object is about, in Terraform's snake_case
 * (Pulumi inputs are the camelCase of it). Rules name the need's field for findings on needs; on
 * resources they say it in the message, which is what this reads. A finding whose attribute is
 * not named is placed at the resource itself.
 */
export function resourceAttribute(f: Finding): string[] {
  const m = f.message;
  const quoted = (re: RegExp) => re.exec(m)?.[1];
  switch (f.id) {
    case "TW001":
    case "TW002":
    case "TW003":
    case "TW013":
      return ["policy"];
    case "TW004":
      if (/explicit max TTL/.test(m)) return ["explicit_max_ttl"];
      if (/token max TTL/.test(m)) return ["token_max_ttl"];
      if (/token TTL/.test(m)) return ["token_ttl"];
      if (/\bttl\b/.test(m)) return ["ttl"];
      return [];
    case "TW008":
      if (/default policy/.test(m)) return ["policies"];
      return /^\S+ role /.test(m) ? ["token_policies"] : ["policies"];
    case "TW009":
      return /orphan/.test(m) ? ["no_parent"] : ["renewable"];
    case "TW011": {
      const field = quoted(/plain (?:input|config value) "([^"]+)"/);
      return field ? field.split(".").map(snake) : [];
    }
    case "TW012": {
      const field = quoted(/: ([A-Za-z_.]+) was unknown/);
      return field ? field.split(".").map(snake) : [];
    }
    // TW014–TW028 (policies/escalation.rego, logins.rego, token_shape.rego).
    case "TW014":
    case "TW015":
    case "TW016":
      return ["policy"];
    case "TW017":
      return [
        /service accounts/.test(m)
          ? "bound_service_account_names"
          : "bound_service_account_namespaces",
      ];
    case "TW018":
    case "TW019":
    case "TW020":
      return ["bound_claims"];
    case "TW021":
      return ["secret_id_ttl"];
    case "TW022":
      return ["secret_id_num_uses"];
    case "TW023":
      return [quoted(/\(no (\w+)\)/) ?? "token_bound_cidrs"];
    case "TW024":
      return [/glob/.test(m) ? "allowed_policies_glob" : "allowed_policies"];
    case "TW025":
      return [/^token "/.test(m) ? "period" : "token_period"];
    case "TW026":
      return [/orphan/.test(m) ? "orphan" : /token_period/.test(m) ? "token_period" : "token_type"];
    case "TW027":
      return ["num_uses"];
    case "TW028":
      return [/display_name/.test(m) ? "display_name" : "metadata"];
    default:
      return f.field
        ? (fieldSegments(f.field).map((s) => (typeof s === "string" ? snake(s) : s)) as string[])
        : [];
  }
}

function snake(s: string): string {
  return s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function camel(s: string): string {
  return s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function jsonPlacement(
  file: string,
  kind: Exclude<InputKind, "manifest">,
  json: Record<string, unknown>,
  text: string,
  input: PolicyInput,
): LoadedInput {
  const resourceSources = new Set<string>();
  for (const list of [
    input.vault.policies,
    input.vault.tokens,
    input.vault.roles,
    input.vault.secrets,
  ]) {
    for (const item of list) resourceSources.add(item.source);
  }
  let index: JsonIndex | undefined;
  const idx = () => (index ??= new JsonIndex(text));
  const declBase = declarationBase(kind, json);

  /** The resource's object, and the path under it where its attributes are. */
  const resourceAt = (
    source: string,
  ): { at: JsonPath; attrs: JsonPath; key: JsonPath } | undefined => {
    if (kind === "terraform-config") {
      const dot = source.indexOf(".");
      const at = ["resource", source.slice(0, dot), source.slice(dot + 1)];
      return idx().position(at) ? { at, attrs: at, key: at } : undefined;
    }
    if (kind === "terraform-plan") {
      const found = idx().objectsWith("address", source);
      const change = found.find((p) => p[0] === "resource_changes");
      if (change)
        return { at: change, attrs: [...change, "change", "after"], key: [...change, "address"] };
      const planned = found[0];
      return planned
        ? { at: planned, attrs: [...planned, "values"], key: [...planned, "address"] }
        : undefined;
    }
    let found: JsonPath | undefined = idx().objectsWith("urn", source)[0];
    const keyName = found ? "urn" : "name";
    found ??= idx()
      .objectsWith("name", source.slice(source.lastIndexOf("::") + 2))
      .find((p) => p.length === 2 && p[0] === "resources");
    return found ? { at: found, attrs: [...found, "inputs"], key: [...found, keyName] } : undefined;
  };

  const declared = (f: Finding): JsonPath | undefined => {
    if (!declBase) return undefined;
    const lists: [string, string | undefined][] = [
      ["needs", f.need ?? f.source],
      ["consumers", f.source],
      ["providers", f.source],
    ];
    for (const [list, name] of lists) {
      if (!name) continue;
      const entry = idx()
        .objectsWith("name", name)
        .find(
          (p) =>
            p.length === declBase.length + 2 &&
            p[declBase.length] === list &&
            declBase.every((s, i) => p[i] === s),
        );
      if (entry) return list === "needs" ? [...entry, ...fieldSegments(f.field)] : entry;
    }
    return undefined;
  };

  const locate = (at: readonly (string | number)[]) =>
    declBase ? idx().nearest([...declBase, ...at], declBase.length) : undefined;
  return {
    file,
    kind,
    input,
    reportFile: file,
    locate,
    place(f) {
      if (resourceSources.has(f.source)) {
        const r = resourceAt(f.source);
        if (r) {
          let attr = resourceAttribute(f);
          if (kind === "pulumi-plan") attr = attr.map(camel);
          const pos =
            (attr.length ? idx().nearest([...r.attrs, ...attr], r.attrs.length + 1) : undefined) ??
            idx().position(r.key) ??
            idx().position(r.at);
          if (pos) return { line: pos.line, column: pos.column, logical: f.source };
        }
        return { line: 1, column: 1, logical: f.source };
      }
      const at = declared(f);
      // The field, or (when the need lacks it) the field's parent within the entry, or the entry's
      // \`name\` member: a line a person reads as "this need".
      const entry = at && declBase ? at.slice(0, declBase.length + 2) : undefined;
      const pos =
        (at && entry ? idx().nearest(at, entry.length + 1) : undefined) ??
        (entry ? idx().position([...entry, "name"]) : undefined) ??
        (declBase ? idx().nearest(declBase) : undefined);
      return pos ? { line: pos.line, column: pos.column } : { line: 1, column: 1 };
    },
  };
}

function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file or directory";
  if (code === "EACCES") return "permission denied";
  if (code === "EISDIR") return "is a directory";
  return `cannot be read (${code ?? "I/O error"})`;
}
