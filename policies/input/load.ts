/**
 * `check`'s inputs: a path → which kind of input it is → the policy document, plus a way to place
 * a finding in that file. Kinds are told apart by content, not by name: a manifest (YAML or JSON),
 * `tokenwarden plan --format json` output, Terraform JSON configuration (`cdk.tf.json`, or a CDKTF
 * synth directory holding one or more), and `terraform show -json` plans.
 * Lines are found only for findings, after evaluation: placing 10,000 needs up front would cost
 * more than reading the file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { InputError } from "../../cli/errors";
import { locateNearest, parseManifestText, type Manifest } from "../../components/model";
import { LineTable } from "../../components/model/source";
import { DeclarationError } from "./declaration";
import { manifestToInput } from "./manifest";
import { isPlanJson, planJsonToInput } from "./pulumi";
import {
  isTerraformConfig,
  isTerraformPlan,
  terraformConfigToInput,
  terraformPlanToInput,
} from "./terraform";
import type { Finding, PolicyInput } from "./types";

export type InputKind = "manifest" | "pulumi-plan" | "terraform-config" | "terraform-plan";

export interface Placement {
  readonly line?: number;
  readonly column?: number;
  /** URN or Terraform address, for findings on resources. */
  readonly logical?: string;
}

export interface LoadedInput {
  /** The path as given. */
  readonly file: string;
  readonly kind: InputKind;
  readonly input: PolicyInput;
  /** The file a finding is reported in (a synth dir's cdk.tf.json, else `file`). */
  readonly reportFile: string;
  place(f: Finding): Placement;
}

export async function loadInput(
  file: string,
  opts: { now: string; cwd?: string },
): Promise<LoadedInput> {
  const abs = path.resolve(opts.cwd ?? process.cwd(), file);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(abs);
  } catch (err) {
    throw new InputError(`${file}: ${describeFsError(err)}`, file);
  }
  if (stat.isDirectory()) return loadSynthDir(file, abs, opts.now);
  let text: string;
  try {
    text = fs.readFileSync(abs, "utf8");
  } catch (err) {
    throw new InputError(`${file}: ${describeFsError(err)}`, file);
  }
  const first = /\S/.exec(text)?.[0];
  if (first === "{") {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined; // a manifest parse below reports the syntax error with its line
    }
    if (json !== undefined) {
      try {
        if (isTerraformPlan(json)) {
          const input = await terraformPlanToInput(json as Record<string, unknown>, {
            now: opts.now,
          });
          return resourceInput(
            file,
            file,
            "terraform-plan",
            input,
            text,
            "tokenwarden_declaration",
          );
        }
        if (isPlanJson(json)) {
          const input = await planJsonToInput(json, { now: opts.now });
          return resourceInput(file, file, "pulumi-plan", input, text, '"tokenwarden"');
        }
        if (isTerraformConfig(json)) {
          const input = await terraformConfigToInput(
            [{ file, json: json as Record<string, unknown> }],
            {
              now: opts.now,
            },
          );
          return resourceInput(
            file,
            file,
            "terraform-config",
            input,
            text,
            "tokenwarden_declaration",
          );
        }
      } catch (err) {
        if (err instanceof DeclarationError)
          throw new InputError(`${file}: embedded ${err.message}`, file);
        throw err;
      }
    }
  }
  return manifestInput(file, parseManifestText(text, file), opts.now);
}

function manifestInput(file: string, manifest: Manifest, now: string): LoadedInput {
  const input = manifestToInput(manifest, { now });
  let needIndex: Map<string, number> | undefined;
  let consumerIndex: Map<string, number> | undefined;
  let providerIndex: Map<string, number> | undefined;
  return {
    file,
    kind: "manifest",
    input,
    reportFile: file,
    place(f) {
      needIndex ??= new Map(manifest.needs.map((n, i) => [n.name, i]));
      const needName = f.need ?? (needIndex.has(f.source) ? f.source : undefined);
      let at: (string | number)[] | undefined;
      if (needName !== undefined && needIndex.has(needName)) {
        at = ["needs", needIndex.get(needName) as number, ...fieldSegments(f.field)];
      } else {
        consumerIndex ??= new Map(manifest.consumers.map((c, i) => [c.name, i]));
        providerIndex ??= new Map(manifest.providers.map((p, i) => [p.name, i]));
        if (consumerIndex.has(f.source)) at = ["consumers", consumerIndex.get(f.source) as number];
        else if (providerIndex.has(f.source))
          at = ["providers", providerIndex.get(f.source) as number];
      }
      const pos = at ? locateNearest(manifest.source, at) : undefined;
      return pos ? { line: pos.line, column: pos.column } : {};
    },
  };
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

/**
 * Resource inputs: a finding on a resource is placed at the line naming it (`"address": …`,
 * `"name": …` or the resource's key), a finding on a need at its entry in the embedded declaration.
 */
function resourceInput(
  file: string,
  reportFile: string,
  kind: InputKind,
  input: PolicyInput,
  text: string,
  declarationAnchor: string,
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
  let index: TextIndex | undefined;
  return {
    file,
    kind,
    input,
    reportFile,
    place(f) {
      index ??= new TextIndex(text, declarationAnchor);
      if (resourceSources.has(f.source)) {
        const line = index.resourceLine(f.source);
        return line === undefined ? { logical: f.source } : { line, logical: f.source };
      }
      const need = f.need ?? f.source;
      const line = need ? index.declarationLine(need) : undefined;
      return line === undefined ? {} : { line };
    },
  };
}

/**
 * One pass over a JSON text: where each object key and each `address`/`urn`/`name` value occurs.
 * Built on the first finding only; each lookup after that is a map access or a binary search.
 */
/** Offset of `anchor` used as an object key (not as a value such as `"managed_by": "tokenwarden"`). */
function keyOffset(text: string, anchor: string): number {
  for (let i = text.indexOf(anchor); i >= 0; i = text.indexOf(anchor, i + 1)) {
    let j = i + anchor.length;
    while (j < text.length && /\s/.test(text[j])) j++;
    if (text[j] === ":") return i;
  }
  return -1;
}

class TextIndex {
  private readonly lines: LineTable;
  /** Offsets of every occurrence of each object key, ascending. */
  private readonly keyAt = new Map<string, number[]>();
  /** First `"address": …` or `"urn": …` value. */
  private readonly idAt = new Map<string, number>();
  /** First `"name": …` value outside the declaration, and inside it. */
  private readonly nameAt = new Map<string, number>();
  private readonly declAt = new Map<string, number>();

  constructor(text: string, anchor: string) {
    this.lines = new LineTable(text);
    const anchorAt = keyOffset(text, anchor);
    const keyRe = /"((?:[^"\\]|\\.)*)"\s*:/g;
    for (let m = keyRe.exec(text); m; m = keyRe.exec(text)) {
      const list = this.keyAt.get(m[1]);
      if (list) list.push(m.index);
      else this.keyAt.set(m[1], [m.index]);
    }
    const valueRe = /"(name|address|urn)"\s*:\s*"((?:[^"\\]|\\.)*)"/g;
    for (let m = valueRe.exec(text); m; m = valueRe.exec(text)) {
      const target =
        m[1] !== "name"
          ? this.idAt
          : anchorAt >= 0 && m.index > anchorAt
            ? this.declAt
            : this.nameAt;
      if (!target.has(m[2])) target.set(m[2], m.index);
    }
  }

  resourceLine(source: string): number | undefined {
    const id = this.idAt.get(source);
    if (id !== undefined) return this.line(id);
    if (!source.includes("::")) {
      // A Terraform address `type.name`: the key `"name"` first met after the key `"type"`.
      const dot = source.indexOf(".");
      const typeAt = this.keyAt.get(source.slice(0, dot))?.[0];
      const names = this.keyAt.get(source.slice(dot + 1));
      if (dot > 0 && typeAt !== undefined && names) {
        const at = names.find((o) => o > typeAt);
        if (at !== undefined) return this.line(at);
      }
      return undefined;
    }
    const at = this.nameAt.get(source.slice(source.lastIndexOf("::") + 2));
    return at === undefined ? undefined : this.line(at);
  }

  declarationLine(need: string): number | undefined {
    const at = this.declAt.get(need);
    return at === undefined ? undefined : this.line(at);
  }

  private line(offset: number): number {
    return this.lines.position(offset).line;
  }
}

async function loadSynthDir(file: string, abs: string, now: string): Promise<LoadedInput> {
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name === "node_modules" || e.name.startsWith(".")) continue;
      const full = path.join(dir, e.name);
      if (e.isDirectory() && depth < 4) walk(full, depth + 1);
      else if (e.isFile() && e.name === "cdk.tf.json") found.push(full);
    }
  };
  walk(abs, 0);
  found.sort();
  if (found.length === 0) {
    throw new InputError(
      `${file}: no cdk.tf.json in this directory (expected \`tokenwarden synth --out\` output)`,
      file,
    );
  }
  const configs: { file: string; json: Record<string, unknown> }[] = [];
  const texts: string[] = [];
  for (const f of found) {
    const shown = path.join(file, path.relative(abs, f));
    const text = fs.readFileSync(f, "utf8");
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new InputError(`${shown}: not valid JSON: ${(err as Error).message}`, shown);
    }
    if (!isTerraformConfig(json))
      throw new InputError(`${shown}: not a Terraform JSON configuration`, shown);
    configs.push({ file: shown, json: json as Record<string, unknown> });
    texts.push(text);
  }
  let input: PolicyInput;
  try {
    input = await terraformConfigToInput(configs, { now });
  } catch (err) {
    if (err instanceof DeclarationError)
      throw new InputError(`${file}: embedded ${err.message}`, file);
    throw err;
  }
  // Findings are placed in the first stack's file (the usual single-stack synth output).
  const reportFile = configs[0].file;
  return resourceInput(
    file,
    reportFile,
    "terraform-config",
    input,
    texts[0],
    "tokenwarden_declaration",
  );
}

function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file or directory";
  if (code === "EACCES") return "permission denied";
  if (code === "EISDIR") return "is a directory";
  return `cannot be read (${code ?? "I/O error"})`;
}
