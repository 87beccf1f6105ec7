/**
 * `tokenwarden plan <manifest> [--format text|json] [--no-policy] [--policies <dir>]…
 * [--now <RFC3339>]`: runs the real Pulumi program (AccessNeeds) under Pulumi's mock runtime — no
 * engine, no Vault — and prints every resource `pulumi up` would register, with its inputs as the
 * SDK names them and secrets shown only as "[secret]"; then the policy results under the need (or
 * consumer) they concern, evaluated exactly as `tokenwarden check` evaluates the manifest.
 *
 * Exit code: like `pulumi preview --policy-pack`, where a mandatory violation fails the preview,
 * any deny that is not waived exits 1 (the whole plan is still printed); 0 otherwise; 2 for bad
 * input. Pulumi is loaded here and nowhere else in the CLI (the dispatcher loads this module on
 * demand); the policy side adds only the Rego engine `check` uses, never the HCL parser or CDKTF.
 */
import * as path from "node:path";
import * as v8 from "node:v8";
import type { Command } from "../io";
import { formatFlag, parseArgs } from "../args";
import { InputError, UsageError } from "../../errors";
import { readInputText } from "../io";
import {
  collectResourcesInSlices,
  type CollectOptions,
  type PlannedResource,
} from "../../components/mock-run";
import { TYPE_TOKENS } from "../../components/type-tokens";
import {
  ManifestError,
  NO_LONG_LIVED_CREDENTIAL,
  formatIssue,
  loadManifest,
  locateNearest,
  parseManifestDocument,
  type Manifest,
} from "../../model";
import { embeddedDeclaration, type EmbeddedDeclaration } from "../../policies/input/declaration";
import type { Finding } from "../../policies/input/types";
import type { FindingSummary, PolicySet } from "../../policies/evaluate";

/** How `-` (standard input) is named in messages and finding lines, as `check` names it. */
const STDIN_NAME = "<stdin>";

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export const run: Command = async (argv, io) => {
  const args = parseArgs(argv, {
    format: { value: true },
    "no-policy": {},
    policies: { value: true, repeat: true },
    now: { value: true },
  });
  const format = formatFlag(args, ["text", "json"] as const, "text");
  if (args.positionals.length !== 1) {
    throw new UsageError(
      args.positionals.length === 0 ? "give the manifest to plan" : "plan takes one manifest",
    );
  }
  const noPolicy = args.has("no-policy");
  if (noPolicy && args.has("policies")) {
    throw new UsageError("--policies has no effect with --no-policy; give one or the other");
  }
  const now = parseNow(args.get("now"));
  const given = args.positionals[0];
  // `-`: the manifest on standard input, named "<stdin>" in messages and finding lines (as check)
  const file = given === "-" ? STDIN_NAME : given;
  const text = given === "-" ? await readInputText(io) : undefined;
  if (io.interactive) io.err(`planning ${file} under the Pulumi mock runtime…\n`);
  let result: PlanResult;
  try {
    result = await planFile(file, {
      now,
      text,
      policy: noPolicy
        ? false
        : { extraDirs: args.all("policies").map((d) => path.resolve(io.cwd, d)) },
    });
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    // Same lines as `tokenwarden validate`: one issue per line, then the count; nothing on stdout.
    if (err instanceof ManifestError) {
      for (const issue of err.issues) io.err(formatIssue(issue) + "\n");
      io.err(`${file}: ${err.issues.length} issue${err.issues.length === 1 ? "" : "s"}\n`);
    } else {
      io.err(`${err.message}\n`);
    }
    return 2;
  }
  // Written in pieces as it is rendered: a 20,000-need plan is tens of megabytes of text, never
  // held as one string (nor converted to one buffer for stdout) on top of the plan itself.
  const out = chunked(io.out);
  if (format === "json") writeJson(out.write, result.resources, result.policy, result.declaration);
  else writeText(out.write, result.resources, result.policy ?? null, file);
  out.flush();
  return result.policy && hasDeny(result.policy) ? 1 : 0;
};

function parseNow(value: string | undefined): Date {
  if (value === undefined) return new Date();
  if (!RFC3339.test(value) || Number.isNaN(Date.parse(value))) {
    throw new UsageError(
      `--now must be an RFC 3339 time such as 2026-01-31T12:00:00Z; got "${value}"`,
    );
  }
  return new Date(value);
}

// ---------------------------------------------------------------------------------------------
// Planning with policy results

/** A policy finding as `plan` shows it: the finding, and the resources it is shown under. */
export interface PlanFinding extends FindingSummary {
  readonly id: string;
  /** As the rule reported it: a need or consumer name (the manifest is what plan judges). */
  readonly source: string;
  /** Line of the need (or the field at fault) in the manifest. */
  readonly line?: number;
  /** Set on waived findings: the reviewed exception that covers it. */
  readonly waiver?: { readonly reason: string; readonly expires: string };
  /** Names of the resources the finding is shown under (the need's or consumer's component). */
  readonly resources: string[];
  /** Their URNs, as in the plan's `resources` list. */
  readonly urns: string[];
}

export interface PlanPolicyResults {
  /** Findings after waivers: any deny here fails the plan. */
  readonly findings: PlanFinding[];
  readonly waived: PlanFinding[];
  readonly notes: string[];
}

export interface PlanResult {
  readonly manifest: Manifest;
  readonly resources: PlannedResource[];
  /** The manifest's declaration, as `check` reads it back from plan JSON (key `tokenwarden`). */
  readonly declaration: EmbeddedDeclaration;
  /** Absent with --no-policy. */
  readonly policy?: PlanPolicyResults;
}

export interface PlanOptions {
  /** The clock for review dates, waiver expiry and the mocked rotation clocks. */
  readonly now: Date;
  /** The manifest's text when it is not read from `file` (standard input; `file` names it). */
  readonly text?: string;
  /** `false` skips policy evaluation; otherwise extra Rego dirs, as `check --policies`. */
  readonly policy: false | { readonly extraDirs?: readonly string[] };
  /** Passed to the mock run (tests hand in canary token values here). */
  readonly collect?: Omit<CollectOptions, "now">;
}

/**
 * Plans a manifest file: resources from the mock run, and the policy results of the very
 * evaluation `check` runs on the manifest (manifestToInput → evaluate), attached to resources.
 * Throws InputError (ManifestError for an invalid manifest) for anything a user must fix.
 */
export async function planFile(file: string, opts: PlanOptions): Promise<PlanResult> {
  // Loaded here for the policy input and the declaration; the program loads its own copy (it
  // takes a path), a parse that costs little next to the mock run itself. Text given (standard
  // input) is parsed once: the program then takes the parsed document instead of a path.
  let manifest: Manifest;
  let programManifest: string | object = file;
  if (opts.text === undefined) {
    manifest = loadManifest(file);
  } else {
    const parsed = parseManifestDocument(opts.text, file);
    manifest = parsed.manifest;
    programManifest = parsed.document as object;
  }
  assertHeapFits(file, manifest.needs.length);
  let results: PlanPolicyResults | undefined;
  if (opts.policy !== false) {
    // The Rego engine loads only when policies are evaluated: --no-policy pays nothing for it.
    const policies = await import("../../policies/evaluate");
    let set: PolicySet;
    try {
      set = policies.loadPolicySet({ extraDirs: opts.policy.extraDirs ?? [] });
    } catch (err) {
      if (err instanceof policies.PolicyLoadError) throw new InputError(err.message);
      throw err;
    }
    results = await policyResults(manifest, set, opts.now);
  }
  // Consumers a slice at a time: memory stays flat per need (collectResourcesInSlices).
  const { resources } = await collectResourcesInSlices(programManifest, {
    ...opts.collect,
    now: opts.now,
  });
  return {
    manifest,
    resources,
    declaration: embeddedDeclaration(manifest),
    ...(results ? { policy: attachFindings(results, resources) } : {}),
  };
}

/**
 * What a plan holds at its peak: the process's own start (Pulumi, the Rego engine, the policy
 * set) and, per need, its rendered resources, policy input, findings and output — measured at
 * 15–20 KB live per need after a 10,000-need run (bench/plan-scale.ts), taken at over twice that
 * for the evaluation's and the rendering's transient copies.
 */
export const PLAN_BASE_BYTES = 160e6;
export const PLAN_BYTES_PER_NEED = 48e3;

/**
 * Refuses, before any work, a manifest whose plan would not fit in this process's V8 heap: V8
 * would otherwise abort mid-run with a native stack (exit 134) and nothing useful printed.
 */
export function assertHeapFits(
  file: string,
  needs: number,
  limit = v8.getHeapStatistics().heap_size_limit,
): void {
  const estimate = PLAN_BASE_BYTES + needs * PLAN_BYTES_PER_NEED;
  if (estimate <= limit) return;
  const mb = (b: number) => Math.ceil(b / 2 ** 20);
  throw new InputError(
    `${file}: ${needs} needs take about ${mb(estimate)} MB to plan, more than this Node.js heap ` +
      `allows (${mb(limit)} MB); split the manifest, or raise the limit with ` +
      `NODE_OPTIONS=--max-old-space-size=${Math.ceil((mb(estimate) * 1.25) / 256) * 256}`,
  );
}

/** Findings before they are attached to resources (resources/urns still empty). */
async function policyResults(
  manifest: Manifest,
  set: PolicySet,
  now: Date,
): Promise<PlanPolicyResults> {
  const { evaluate, needOf, sourceToNeed, summarizeFinding, PolicyLoadError } =
    await import("../../policies/evaluate");
  const { manifestToInput } = await import("../../policies/input/manifest");
  const input = manifestToInput(manifest, { now: now.toISOString() });
  let evaluation;
  try {
    evaluation = await evaluate(set, input);
  } catch (err) {
    if (err instanceof PolicyLoadError) throw new InputError(err.message);
    throw err;
  }
  const bySource = sourceToNeed(input);
  const needIndex = new Map(manifest.needs.map((n, i) => [n.name, i]));
  const consumerIndex = new Map(manifest.consumers.map((c, i) => [c.name, i]));
  const toPlan = (f: Finding, waiver?: PlanFinding["waiver"]): PlanFinding => {
    const need = needOf(f, input, bySource);
    const at =
      need !== undefined && needIndex.has(need)
        ? ["needs", needIndex.get(need) as number, ...fieldSegments(f.field)]
        : consumerIndex.has(f.source)
          ? ["consumers", consumerIndex.get(f.source) as number]
          : undefined;
    const line = at ? locateNearest(manifest.source, at)?.line : undefined;
    return {
      id: f.id,
      ...summarizeFinding(f, need),
      ...(line !== undefined ? { line } : {}),
      ...(waiver ? { waiver } : {}),
      resources: [],
      urns: [],
    };
  };
  return {
    findings: evaluation.findings.map((f) => toPlan(f)).sort(byReadingOrder),
    waived: evaluation.waived.map((f) => toPlan(f, f.waiver)).sort(byReadingOrder),
    notes: evaluation.notes,
  };
}

/** Denies first, then by rule id and message: the order a reviewer works through them. */
function byReadingOrder(a: PlanFinding, b: PlanFinding): number {
  if (a.severity !== b.severity) return a.severity === "deny" ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return a.message < b.message ? -1 : a.message > b.message ? 1 : 0;
}

/** "paths[0].capabilities" → ["paths", 0, "capabilities"] (a finding's field in the manifest). */
function fieldSegments(field: string | undefined): (string | number)[] {
  if (!field) return [];
  return [...field.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) =>
    m[2] !== undefined ? Number(m[2]) : m[1],
  );
}

/**
 * A finding on a need goes under that need's NeedGrant component, one on a consumer (its auth
 * role) under the ConsumerRole, anything else (a provider, an organisation rule without a need)
 * under the top-level AccessNeeds component.
 */
export function attachFindings(
  results: PlanPolicyResults,
  resources: readonly PlannedResource[],
): PlanPolicyResults {
  const needs = new Map<string, PlannedResource>();
  const consumers = new Map<string, PlannedResource>();
  let top: PlannedResource | undefined;
  for (const r of resources) {
    if (r.type === TYPE_TOKENS.NeedGrant) needs.set(r.name, r);
    else if (r.type === TYPE_TOKENS.ConsumerRole) consumers.set(r.name, r);
    else if (r.type === TYPE_TOKENS.AccessNeeds && r.parent === null) top ??= r;
  }
  const attach = (f: PlanFinding): PlanFinding => {
    const at =
      (f.need !== undefined ? needs.get(f.need) : undefined) ?? consumers.get(f.source) ?? top;
    return { ...f, resources: at ? [at.name] : [], urns: at ? [at.urn] : [] };
  };
  return {
    findings: results.findings.map(attach),
    waived: results.waived.map(attach),
    notes: results.notes,
  };
}

export function hasDeny(results: PlanPolicyResults): boolean {
  return results.findings.some((f) => f.severity === "deny");
}

// ---------------------------------------------------------------------------------------------
// Rendering

/** Where rendered output goes, a piece at a time. */
type Write = (text: string) => void;

/** Pieces gathered into writes of about 1 MB: few calls to stdout, no output-sized string. */
function chunked(out: Write): { write: Write; flush: () => void } {
  let pending: string[] = [];
  let size = 0;
  const flush = () => {
    if (pending.length) out(pending.join(""));
    pending = [];
    size = 0;
  };
  return {
    write(text) {
      pending.push(text);
      size += text.length;
      if (size >= 1 << 20) flush();
    },
    flush,
  };
}

/** Collects what a writer wrote (the string forms of the renderers). */
function collect(render: (write: Write) => void): string {
  const parts: string[] = [];
  render((t) => parts.push(t));
  return parts.join("");
}

/**
 * `{tokenwarden, resources, findings, waived, policy}`. The declaration comes first: `check`
 * reads it back (and finds a need's line in this file by the first `"name"` after the key).
 * Without policy evaluation there is no `findings` key at all, so "not evaluated" never reads as
 * "clean".
 */
export function renderJson(
  resources: readonly PlannedResource[],
  policy?: PlanPolicyResults,
  declaration?: EmbeddedDeclaration,
): string {
  return collect((write) => writeJson(write, resources, policy, declaration));
}

/**
 * {@link renderJson}, written a list item at a time: the same bytes as `JSON.stringify(doc, null,
 * 2)` (items are stringified on their own and indented to their depth; JSON text holds no raw
 * newline, so indenting after each newline is exact).
 */
export function writeJson(
  write: Write,
  resources: readonly PlannedResource[],
  policy?: PlanPolicyResults,
  declaration?: EmbeddedDeclaration,
): void {
  let first = true;
  const key = (name: string) => {
    write(`${first ? "" : ","}\n  ${JSON.stringify(name)}: `);
    first = false;
  };
  const member = (name: string, value: unknown) => {
    key(name);
    write(indent(JSON.stringify(value, null, 2), "  "));
  };
  const list = <T>(name: string, items: readonly T[], shown: (item: T) => unknown) => {
    if (items.length === 0) return member(name, []);
    key(name);
    write("[");
    items.forEach((item, i) => {
      write(`${i ? "," : ""}\n    ${indent(JSON.stringify(shown(item), null, 2), "    ")}`);
    });
    write("\n  ]");
  };
  write("{");
  if (declaration) member("tokenwarden", declaration);
  // only the members a resource shows in JSON, in this order
  list("resources", resources, ({ type, name, urn, parent, dependsOn, inputs }) => ({
    type,
    name,
    urn,
    parent,
    dependsOn,
    inputs,
  }));
  if (policy) {
    list("findings", policy.findings, (f) => f);
    list("waived", policy.waived, (f) => f);
    member("policy", { evaluated: true, ...summary(policy), notes: policy.notes });
  } else if (declaration) {
    member("policy", { evaluated: false });
  }
  write("\n}\n");
}

function indent(json: string, by: string): string {
  return json.includes("\n") ? json.replace(/\n/g, `\n${by}`) : json;
}

function summary(p: PlanPolicyResults): { deny: number; warn: number; waived: number } {
  const deny = p.findings.filter((f) => f.severity === "deny").length;
  return { deny, warn: p.findings.length - deny, waived: p.waived.length };
}

const COMPONENT_LABELS: Readonly<Record<string, string>> = {
  [TYPE_TOKENS.AccessNeeds]: "access needs",
  [TYPE_TOKENS.TokenStore]: "token store",
  [TYPE_TOKENS.ConsumerRole]: "consumer",
  [TYPE_TOKENS.NeedGrant]: "need",
  [TYPE_TOKENS.Rotation]: "rotation",
};

/**
 * A tree: consumers, their needs under them, each Vault object with its inputs; each policy
 * finding right under the need (or consumer) it concerns, and a policy summary at the end.
 * `policy` null: evaluation was skipped (--no-policy); undefined: a resources-only listing.
 */
export function renderText(
  resources: readonly PlannedResource[],
  policy?: PlanPolicyResults | null,
  manifestFile?: string,
): string {
  return collect((write) => writeText(write, resources, policy, manifestFile));
}

/** {@link renderText}, written a line at a time. */
export function writeText(
  write: Write,
  resources: readonly PlannedResource[],
  policy?: PlanPolicyResults | null,
  manifestFile?: string,
): void {
  const line = (text: string) => write(`${text}\n`);
  const byParent = new Map<string | null, PlannedResource[]>();
  for (const r of resources) {
    const list = byParent.get(r.parent) ?? [];
    list.push(r);
    byParent.set(r.parent, list);
  }
  const findingsAt = new Map<string, string[]>();
  if (policy) {
    const add = (f: PlanFinding, mark: string) => {
      for (const urn of f.urns) {
        const list = findingsAt.get(urn) ?? [];
        list.push(findingLine(f, mark, manifestFile));
        findingsAt.set(urn, list);
      }
    };
    for (const f of policy.findings) add(f, f.severity === "deny" ? "✗ deny" : "! warn");
    for (const f of policy.waived) add(f, "~ waived");
  }
  const custom = resources.filter((r) => r.custom).length;
  line(
    `${custom} Vault/time resources in ${resources.length - custom} components ` +
      `(mock run: nothing was sent to Vault; secret values show as [secret])`,
  );
  line("");
  const visit = (parent: string | null, indent: string): void => {
    const kids = byParent.get(parent) ?? [];
    kids.forEach((r, i) => {
      const last = i === kids.length - 1;
      const branch = parent === null ? "" : last ? "└─ " : "├─ ";
      const under = parent === null ? "" : last ? "   " : "│  ";
      const own = byParent.get(r.urn) ?? [];
      line(`${indent}${branch}${label(r, own)}`);
      // Under the label, on the subtree's vertical bar when it has children.
      const bar = own.length > 0 ? "│  " : "   ";
      for (const f of findingsAt.get(r.urn) ?? []) line(`${indent}${under}${bar}${f}`);
      if (r.custom) {
        for (const detail of describeInputs(r.inputs)) line(`${indent}${under}    ${detail}`);
      }
      visit(r.urn, indent + under);
    });
  };
  visit(null, "");
  if (policy === null) {
    line("");
    line("policy: not evaluated (--no-policy)");
  } else if (policy) {
    const { deny, warn, waived } = summary(policy);
    line("");
    for (const note of policy.notes) line(`note: ${note}`);
    line(
      `policy: ${deny + warn} finding${deny + warn === 1 ? "" : "s"} (${deny} deny, ${warn} warn), ` +
        `${waived} waived` +
        (deny > 0 ? " — the plan fails: fix or waive each deny before `pulumi up`" : ""),
    );
  }
}

function findingLine(f: PlanFinding, mark: string, manifestFile: string | undefined): string {
  const at = f.line !== undefined && manifestFile ? ` (${manifestFile}:${f.line})` : "";
  const waiver = f.waiver ? ` [waived until ${f.waiver.expires}: ${f.waiver.reason}]` : "";
  return `${mark} ${f.id} ${f.message}${waiver}${at}`;
}

const AUTH_KIND_BY_ROLE_TYPE: Readonly<Record<string, string>> = {
  "vault:appRole/authBackendRole:AuthBackendRole": "approle",
  "vault:kubernetes/authBackendRole:AuthBackendRole": "kubernetes",
  "vault:jwt/authBackendRole:AuthBackendRole": "jwt",
  "vault:tokenauth/authBackendRole:AuthBackendRole": "token",
};

function label(r: PlannedResource, children: readonly PlannedResource[]): string {
  const kind = COMPONENT_LABELS[r.type];
  if (!kind) return `${r.type}  ${r.name}`;
  const auth = children.map((c) => AUTH_KIND_BY_ROLE_TYPE[c.type]).find(Boolean);
  if (!auth) return `${kind} ${r.name}`;
  // Kubernetes and JWT logins hold nothing the stack could rotate: say so where a clock would be.
  const note =
    auth === "kubernetes" || auth === "jwt" ? ` — ${NO_LONG_LIVED_CREDENTIAL[auth]}` : "";
  return `${kind} ${r.name} (${auth} auth)${note}`;
}

function describeInputs(inputs: Readonly<Record<string, unknown>>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(inputs)) {
    if (typeof v === "string" && v.includes("\n")) {
      out.push(`${k}:`);
      for (const l of v.replace(/\n+$/, "").split("\n")) out.push(l ? `  | ${l}` : "  |");
    } else {
      out.push(`${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`);
    }
  }
  return out;
}
