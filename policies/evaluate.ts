/**
 * The policy set: tokenwarden's own Rego rules (policies/*.rego, found next to the installed
 * package, so this works from the sources and from dist/) plus any organisation's Rego dirs,
 * compiled once and evaluated once per input document. An organisation's `deny`/`warn`/`violation`
 * rules in any package (conftest style: strings or objects) become findings too.
 * Waivers are applied here: a need's reviewed exception turns a deny of that rule on that need
 * into a reported waiver until it expires; an expired waiver leaves the deny, saying so.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { compileParsed, parseModule, policyOfProgram, RegoError, type Module } from "../rego";
import type { ResultSet } from "../rego/api-types";
import { readPrebuilt, type Prebuilt } from "./ast-artefact";
import type { Finding, PolicyInput } from "./input/types";
import { CONFTEST_RULES, ruleDescriptors, type RuleDescriptor } from "./rule-descriptors";

/** Rules that compare grants with declared needs: meaningless without a declaration. */
export const DECLARATION_RULES: ReadonlySet<string> = new Set(["TW002", "TW003", "TW010"]);

/** The query `check` evaluates (its parse is stored in the build's artefact). */
export const FINDINGS_QUERY = "data.tokenwarden.findings";

export class PolicyLoadError extends Error {}

/** Evaluation budget per input document (wall time and evaluation steps). */
export const EVAL_TIMEOUT_MS = 60_000;
export const EVAL_MAX_STEPS = 200_000_000;

/** A finding that was waived, with the waiver that covers it. */
export interface WaivedFinding extends Finding {
  readonly waiver: { readonly reason: string; readonly expires: string };
}

export interface Evaluation {
  /** Findings after waivers (an expired waiver's deny stays here, its message saying so). */
  readonly findings: Finding[];
  readonly waived: WaivedFinding[];
  /** Things a reader must know about the run (e.g. rules skipped for lack of a declaration). */
  readonly notes: string[];
  /**
   * The input's source → need map ({@link sourceToNeed}) for waivers and reports, built on first
   * use: findings of the bundled rules name their need, so a manifest's check never needs it.
   */
  readonly bySource: () => Map<string, string>;
}

export interface PolicySet {
  /** Files the set was compiled from (for messages). */
  readonly files: readonly string[];
  /** Every `"TWnnn"` rule id written in those files (what a waiver may name). */
  readonly ruleIds: ReadonlySet<string>;
  /** The rules the loaded Rego describes in METADATA annotations (title, description, fix). */
  readonly rules: readonly RuleDescriptor[];
  /** Raw findings of one document: the rule set's and the organisation's, before waivers. */
  findings(input: PolicyInput): Promise<Finding[]>;
}

/** The directory of the installed package (holding package.json named "tokenwarden"). */
export function packageRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, "package.json");
    if (fs.existsSync(pkg)) {
      try {
        if (
          (JSON.parse(fs.readFileSync(pkg, "utf8")) as { name?: string }).name === "tokenwarden"
        ) {
          return dir;
        }
      } catch {
        // not ours; keep looking upwards
      }
    }
    if (path.dirname(dir) === dir) {
      throw new PolicyLoadError(`cannot find the tokenwarden package root above ${from}`);
    }
  }
}

const cache = new Map<string, PolicySet>();

/**
 * Loads and compiles the rule set (plus `extraDirs`) once per process and set of dirs.
 * Throws PolicyLoadError naming the file for unreadable dirs or Rego that does not compile.
 */
export function loadPolicySet(
  opts: { extraDirs?: readonly string[]; v0Compatible?: boolean } = {},
): PolicySet {
  const extra = (opts.extraDirs ?? []).map((d) => path.resolve(d));
  const key = (opts.v0Compatible ? "v0\0" : "") + extra.join("\0");
  let set = cache.get(key);
  if (!set) {
    set = buildPolicySet(extra, opts.v0Compatible === true);
    cache.set(key, set);
  }
  return set;
}

type SourceModule = { file: string; source: string; regoVersion?: 0 | 1 };

/** The bundled policies' sources (display name relative to the package root) and data. */
export function builtinSources(root: string = packageRoot()): {
  modules: SourceModule[];
  data: Record<string, unknown>;
} {
  const builtinDir = path.join(root, "policies");
  const modules: SourceModule[] = [];
  const data: Record<string, unknown> = {};
  collect(builtinDir, builtinDir, false, modules, data, root);
  return { modules, data };
}

/** Where the engine this module runs with lives (dist/rego from dist/, rego/ from sources). */
const REGO_DIR = path.join(__dirname, "..", "rego");

function buildPolicySet(extraDirs: readonly string[], v0Compatible = false): PolicySet {
  const { modules, data } = builtinSources();
  const builtinCount = modules.length;
  const orgFiles = new Set<string>();
  for (const dir of extraDirs) {
    const before = modules.length;
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
      throw new PolicyLoadError(`--policies ${dir}: not a directory`);
    }
    collect(dir, dir, true, modules, data, process.cwd());
    if (modules.length === before) {
      throw new PolicyLoadError(`--policies ${dir}: no .rego files in it`);
    }
    for (const m of modules.slice(before)) orgFiles.add(m.file);
    // `check --v0-compatible`: the organisation's policies are Rego v0 (ours stay v1)
    if (v0Compatible) for (let i = before; i < modules.length; i++) modules[i].regoVersion = 0;
  }

  let compiled: ReturnType<typeof compileParsed>;
  // the rules the modules describe, as the build read them when its program is used
  let described: readonly RuleDescriptor[] | undefined;
  try {
    const prebuilt = readPrebuilt(__dirname, REGO_DIR, modules.slice(0, builtinCount));
    // the build's compiled program stands for compiling exactly the bundled modules; with an
    // organisation's modules beside them, the whole set is compiled together
    if (prebuilt?.program && builtinCount === modules.length) {
      compiled = policyOfProgram(prebuilt.program, prebuilt.queries);
      described = prebuilt.rules;
    } else {
      compiled = compileModules(
        parseAll(modules, builtinCount, prebuilt),
        modules[0]?.file ?? "module",
      );
    }
  } catch (err) {
    throw new PolicyLoadError(`policies do not compile: ${regoMessage(err)}`);
  }
  const main = compiled.prepare(FINDINGS_QUERY);
  // conftest style: `deny`/`violation`/`warn` rules in any package of the organisation's files.
  const org: { pkg: string; rule: string; prepared: ReturnType<typeof compiled.prepare> }[] = [];
  const seen = new Set<string>();
  // (only with an organisation's files: a prebuilt program decodes its modules when read)
  for (const m of orgFiles.size > 0 ? compiled.modules : []) {
    const pkg = m.packagePath.join(".");
    if (!orgFiles.has(m.file) || seen.has(pkg)) continue;
    seen.add(pkg);
    const names = compiled.ruleNames(m.packagePath);
    for (const rule of CONFTEST_RULES) {
      if (names.includes(rule)) {
        org.push({ pkg, rule, prepared: compiled.prepare(`data.${pkg}.${rule}`) });
      }
    }
  }

  // A budget so a pathological (organisation) policy cannot hang a pull-request check; generous
  // enough for the bundled rules on 10,000+ needs (about half a second there).
  const budget = { timeoutMs: EVAL_TIMEOUT_MS, maxSteps: EVAL_MAX_STEPS };
  const run = (prepared: typeof main, input: unknown): ResultSet => {
    try {
      return prepared.eval({ input, data, ...budget });
    } catch (err) {
      if (err instanceof RegoError) {
        throw new PolicyLoadError(`policy evaluation failed: ${regoMessage(err)}`);
      }
      throw err;
    }
  };
  const ruleIds = new Set<string>();
  for (const m of modules) for (const id of m.source.matchAll(/"(TW\d{3})"/g)) ruleIds.add(id[1]);
  return {
    files: modules.map((m) => m.file),
    ruleIds,
    rules: described ?? ruleDescriptors(compiled.modules),
    async findings(input) {
      const out: Finding[] = [];
      for (const v of values(run(main, input))) {
        const f = asFinding(v);
        if (f) out.push(f);
      }
      for (const q of org) {
        for (const v of values(run(q.prepared, input))) out.push(orgFinding(q.pkg, q.rule, v));
      }
      return out;
    },
  };
}

/**
 * Parsed modules: the bundled ones (the first `builtinCount`) from the build's artefact when it
 * matches their sources and the engine, else parsed here like the organisation's. Parse errors of
 * every module are reported together, and over-deep nesting is a parse error, as `compile` does.
 */
function parseAll(
  modules: readonly SourceModule[],
  builtinCount: number,
  prebuilt: Prebuilt | undefined,
): Module[] {
  const parsed: Module[] = prebuilt ? [...prebuilt.modules] : [];
  const errors: RegoError["errors"] = [];
  for (const m of prebuilt ? modules.slice(builtinCount) : modules) {
    try {
      parsed.push(parseModule(m.file, m.source, { regoVersion: m.regoVersion }));
    } catch (err) {
      if (err instanceof RegoError) errors.push(...err.errors);
      else throw err;
    }
  }
  if (errors.length > 0) throw new RegoError(errors);
  return parsed;
}

/** `compileParsed`, with a stack overflow on pathologically nested Rego reported as `compile` does. */
function compileModules(parsed: Module[], firstFile: string): ReturnType<typeof compileParsed> {
  try {
    return compileParsed(parsed);
  } catch (err) {
    if (err instanceof RangeError) {
      throw new RegoError([
        {
          code: "rego_parse_error",
          message: "nesting too deep",
          location: { file: firstFile, row: 1, col: 1 },
        },
      ]);
    }
    throw err;
  }
}

function collect(
  dir: string,
  base: string,
  recursive: boolean,
  modules: { file: string; source: string }[],
  data: Record<string, unknown>,
  displayFrom: string,
): void {
  const entries = fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (recursive && !e.name.startsWith(".") && e.name !== "node_modules") {
        collect(full, base, recursive, modules, data, displayFrom);
      }
    } else if (e.name.endsWith(".rego") && !e.name.endsWith("_test.rego")) {
      modules.push({
        file: path.relative(displayFrom, full) || full,
        source: fs.readFileSync(full, "utf8"),
      });
    } else if (e.name === "data.json") {
      let doc: unknown;
      try {
        doc = JSON.parse(fs.readFileSync(full, "utf8"));
      } catch (err) {
        throw new PolicyLoadError(`${full}: not valid JSON: ${String((err as Error).message)}`);
      }
      const rel = path.relative(base, dir);
      mergeInto(data, rel === "" ? [] : rel.split(path.sep), doc);
    }
  }
}

function mergeInto(root: Record<string, unknown>, segs: string[], doc: unknown): void {
  let node = root;
  for (const s of segs) node = (node[s] ??= {}) as Record<string, unknown>;
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return;
  for (const [k, v] of Object.entries(doc)) {
    const cur = node[k];
    if (isObj(cur) && isObj(v)) mergeInto(node, [k], v);
    else node[k] = v;
  }
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function regoMessage(err: unknown): string {
  const e = err as {
    message?: string;
    errors?: {
      code: string;
      message: string;
      location?: { file: string; row: number; col: number };
    }[];
  };
  if (Array.isArray(e.errors) && e.errors.length) {
    return e.errors
      .map(
        (d) =>
          (d.location ? `${d.location.file}:${d.location.row}:${d.location.col}: ` : "") +
          `${d.code}: ${d.message}`,
      )
      .join("; ");
  }
  return String(e.message ?? err);
}

/** The elements of a rule's value in a result set (a set serialises as an array). */
function values(rs: ResultSet): unknown[] {
  const out: unknown[] = [];
  for (const r of rs) {
    const v = plain(r.expressions[0]?.value);
    if (Array.isArray(v)) out.push(...v);
    else if (v !== undefined && v !== null && typeof v !== "boolean") out.push(v);
  }
  return out;
}

/** Engine values to plain JS, whether the engine already converted them or not. */
function plain(v: unknown): unknown {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map(plain);
  const any = v as { sortedValues?: () => unknown[]; sortedEntries?: () => [unknown, unknown][] };
  if (typeof any.sortedValues === "function") return any.sortedValues().map(plain);
  if (typeof any.sortedEntries === "function") {
    return Object.fromEntries(any.sortedEntries().map(([k, x]) => [String(k), plain(x)]));
  }
  return v;
}

function asFinding(v: unknown): Finding | undefined {
  if (!isObj(v) || typeof v.id !== "string" || typeof v.message !== "string") return undefined;
  const f: Finding = {
    id: v.id,
    severity: v.severity === "warn" ? "warn" : "deny",
    message: v.message,
    source: typeof v.source === "string" ? v.source : "",
    remediation: typeof v.remediation === "string" ? v.remediation : "",
  };
  if (typeof v.need === "string") f.need = v.need;
  if (typeof v.field === "string") f.field = v.field;
  return f;
}

/** conftest-style result: a message string, or an object with `msg` and optional details. */
function orgFinding(pkg: string, rule: string, v: unknown): Finding {
  const severity = rule === "warn" ? "warn" : "deny";
  if (typeof v === "string")
    return { id: `${pkg}.${rule}`, severity, message: v, source: "", remediation: "" };
  const o = isObj(v) ? v : {};
  const msg = o.msg ?? o.message;
  const f: Finding = {
    id: typeof o.id === "string" ? o.id : `${pkg}.${rule}`,
    severity: o.severity === "warn" || o.severity === "deny" ? o.severity : severity,
    message: typeof msg === "string" ? msg : JSON.stringify(v),
    source: typeof o.source === "string" ? o.source : "",
    remediation: typeof o.remediation === "string" ? o.remediation : "",
  };
  if (typeof o.need === "string") f.need = o.need;
  if (typeof o.field === "string") f.field = o.field;
  return f;
}

/** Evaluates one document: raw findings, declaration gating, waivers. */
export async function evaluate(set: PolicySet, input: PolicyInput): Promise<Evaluation> {
  const notes: string[] = [];
  let findings = await set.findings(input);
  if (input.has_declaration === false) {
    findings = findings.filter((f) => !DECLARATION_RULES.has(f.id));
    notes.push(
      `no declaration of needs is embedded in this input: the rules that compare grants with declared needs (${[...DECLARATION_RULES].join(", ")}) and the per-need rules (owner, rotation, justification, review date) were skipped`,
    );
  }
  return applyWaivers(findings, input, notes);
}

/** What every report of a finding carries, whatever its format: the rule's verdict and its need. */
export interface FindingSummary {
  readonly severity: Finding["severity"];
  readonly message: string;
  readonly remediation: string;
  readonly source: string;
  readonly need?: string;
  readonly field?: string;
}

/** `f` as reports show it, with `need` (from {@link needOf}) when one is known. */
export function summarizeFinding(f: Finding, need: string | undefined): FindingSummary {
  return writeSummary({}, f, need);
}

/**
 * {@link summarizeFinding}'s fields added to `into`, after what it holds and in their order (so a
 * report result is built in one object, without a spread of a summary per finding).
 */
export function writeSummary<T extends object>(
  into: T,
  f: Finding,
  need: string | undefined,
): T & FindingSummary {
  const s = into as T & { -readonly [K in keyof FindingSummary]: FindingSummary[K] };
  s.severity = f.severity;
  s.message = f.message;
  s.remediation = f.remediation;
  s.source = f.source;
  if (need !== undefined) s.need = need;
  if (f.field !== undefined) s.field = f.field;
  return s;
}

/** The need a finding concerns: named by the rule, or the item its source points at. */
export function needOf(
  f: Finding,
  input: PolicyInput,
  bySource?: Map<string, string> | (() => Map<string, string>),
): string | undefined {
  if (f.need) return f.need;
  const map =
    bySource === undefined
      ? sourceToNeed(input)
      : typeof bySource === "function"
        ? bySource()
        : bySource;
  return map.get(f.source);
}

export function sourceToNeed(input: PolicyInput): Map<string, string> {
  const m = new Map<string, string>();
  for (const n of input.needs) m.set(n.name, n.name);
  for (const list of [input.vault.policies, input.vault.tokens, input.vault.secrets]) {
    for (const item of list)
      if (item.need !== undefined && !m.has(item.source)) m.set(item.source, item.need);
  }
  return m;
}

/**
 * Rules no waiver covers: a grant that can switch off or re-point the audit trail (TW016) is
 * denied outright, since the audit log is how every other waived risk stays visible.
 */
export const UNWAIVABLE_RULES: ReadonlySet<string> = new Set(["TW016"]);

export function applyWaivers(
  findings: readonly Finding[],
  input: PolicyInput,
  notes: string[] = [],
): Evaluation {
  let sourceMap: Map<string, string> | undefined;
  const bySource = () => (sourceMap ??= sourceToNeed(input));
  // Waivers by need name, for the needs that have any (the last need of a name counts, as a
  // lookup by name would find it); without any, no finding needs looking at.
  const waiversOf = new Map<string, PolicyInput["needs"][number]["waivers"]>();
  for (const n of input.needs) {
    if (n.waivers.length > 0) waiversOf.set(n.name, n.waivers);
    else if (waiversOf.has(n.name)) waiversOf.delete(n.name);
  }
  if (waiversOf.size === 0) return { findings: [...findings], waived: [], notes, bySource };
  const today = input.now.slice(0, 10);
  const kept: Finding[] = [];
  const waived: WaivedFinding[] = [];
  for (const f of findings) {
    const needName = f.severity === "deny" ? needOf(f, input, bySource) : undefined;
    const waiver = needName ? waiversOf.get(needName)?.find((w) => w.rule === f.id) : undefined;
    if (!waiver || !needName) {
      kept.push(f);
      continue;
    }
    const withNeed = f.need ? f : { ...f, need: needName };
    if (UNWAIVABLE_RULES.has(f.id)) {
      kept.push({
        ...withNeed,
        message: `${f.message} (need "${needName}" has a waiver for ${f.id}, but ${f.id} cannot be waived)`,
      });
    } else if (waiver.expires >= today) {
      waived.push({ ...withNeed, waiver: { reason: waiver.reason, expires: waiver.expires } });
    } else {
      kept.push({
        ...withNeed,
        message: `${f.message} (the waiver for ${f.id} on need "${needName}" expired on ${waiver.expires}; renew the review or fix the grant)`,
      });
    }
  }
  return { findings: kept, waived, notes, bySource };
}
