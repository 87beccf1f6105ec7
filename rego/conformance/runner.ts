/**
 * Runs OPA's YAML conformance cases (see ../shared/opa-conformance/SOURCE.md) against the engine.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { load as loadYaml } from "js-yaml";
import { compileQuery, compileModules } from "../compiler";
import { Evaluator, compileUnit } from "../eval";
import { newFrame } from "../frame";
import { RegoError, formatDetail } from "../errors";
import { compile } from "../index";
import { parseQuerySource } from "../parser";
import { Decimal, fromJS, RObject, type Value } from "../value";

export interface ConformanceCase {
  note: string;
  query: string;
  modules?: string[];
  data?: unknown;
  input?: unknown;
  input_term?: string;
  want_result?: Record<string, unknown>[];
  sort_bindings?: boolean;
  want_error_code?: string;
  want_error?: string;
  strict_error?: boolean;
  /** Our extension: the modules are Rego v0 (as OPA's v0 suite runs with `--v0-compatible`). */
  rego_version?: 0 | 1;
}

export interface LoadedCase {
  file: string;
  folder: string;
  c: ConformanceCase;
}

export type Outcome =
  { status: "pass" } | { status: "fail"; reason: string } | { status: "skip"; reason: string };

export interface CaseReport extends LoadedCase {
  outcome: Outcome;
}

export function loadCases(dir: string): LoadedCase[] {
  const out: LoadedCase[] = [];
  const walk = (d: string): void => {
    for (const ent of fs
      .readdirSync(d, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, ent.name);
      if (ent.isDirectory()) walk(p);
      else if (ent.name.endsWith(".yaml") || ent.name.endsWith(".yml")) {
        const doc = loadYaml(fs.readFileSync(p, "utf8")) as
          { cases?: ConformanceCase[] } | undefined;
        for (const c of doc?.cases ?? []) {
          out.push({ file: p, folder: path.basename(path.dirname(p)), c });
        }
      }
    }
  };
  walk(dir);
  return out;
}

/** Evaluate a Rego term written as text (the `input_term` field) to a value. */
export function evalTermText(src: string): Value {
  const prog = compileModules([]);
  const q = compileQuery(parseQuerySource(`__conformance_input = ${src}`), prog);
  const ev = new Evaluator(prog, { data: new RObject(), strict: true, nowNs: 0n });
  const unit = compileUnit(prog, [q]);
  const f = newFrame(unit.size);
  const slot = unit.scope.slot("__conformance_input");
  let got: Value | undefined;
  unit.bodies[0](ev, f, () => {
    got = f[slot];
    return true;
  });
  if (got === undefined) throw new Error(`input_term is undefined: ${src}`);
  return got;
}

function canonJSON(x: unknown): string {
  if (typeof x === "number" || typeof x === "bigint") return "#" + numText(x);
  // an exact decimal, like every expected number, is compared at float64 precision
  if (x instanceof Decimal) return "#" + numText(x.toNumber());
  if (x === null || typeof x !== "object") return JSON.stringify(x) ?? "undefined";
  if (Array.isArray(x)) return "[" + x.map(canonJSON).join(",") + "]";
  const rec = x as Record<string, unknown>;
  return (
    "{" +
    Object.keys(rec)
      .sort()
      .map((k) => JSON.stringify(k) + ":" + canonJSON(rec[k]))
      .join(",") +
    "}"
  );
}

/**
 * Expected numbers come from YAML as float64 (SOURCE.md), so integers beyond 2^53 are compared
 * at float64 precision on both sides, as OPA's own harness does.
 */
function numText(n: number | bigint): string {
  const f = typeof n === "bigint" ? Number(n) : n;
  if (Number.isInteger(f) && !Number.isSafeInteger(f) && Number.isFinite(f))
    return BigInt(f).toString();
  return String(f);
}

function sortDeep(x: unknown): unknown {
  if (Array.isArray(x))
    return x.map(sortDeep).sort((a, b) => (canonJSON(a) < canonJSON(b) ? -1 : 1));
  return x;
}

export function runCase(lc: LoadedCase): Outcome {
  const c = lc.c;
  const wantsError = c.want_error_code !== undefined || c.want_error !== undefined;
  let results;
  try {
    const policy = compile(
      (c.modules ?? []).map((source, i) => ({
        file: `test-${i}.rego`,
        source,
        regoVersion: c.rego_version,
      })),
    );
    const prepared = policy.prepare(c.query);
    const input =
      c.input_term !== undefined
        ? evalTermText(c.input_term)
        : c.input === undefined
          ? undefined
          : fromJS(c.input);
    results = prepared.eval({
      input,
      data: c.data === undefined ? undefined : fromJS(c.data),
      strictBuiltinErrors: c.strict_error === true,
      maxSteps: 50_000_000,
    });
  } catch (err) {
    if (!(err instanceof RegoError)) {
      return {
        status: "fail",
        reason: `internal exception: ${(err as Error).stack ?? String(err)}`,
      };
    }
    if (!wantsError) return { status: "fail", reason: `unexpected error: ${err.message}` };
    const d = err.errors[0];
    if (c.want_error_code !== undefined && !err.errors.some((e) => e.code === c.want_error_code)) {
      return { status: "fail", reason: `want error code ${c.want_error_code}, got ${err.message}` };
    }
    if (c.want_error !== undefined && c.want_error !== "") {
      const texts = err.errors.flatMap((e) => [
        formatDetail(e),
        e.message,
        e.location ? `${e.location.file}:${e.location.row}: ${e.code}: ${e.message}` : "",
      ]);
      if (!texts.some((t) => t.includes(c.want_error!))) {
        return {
          status: "fail",
          reason: `want error containing "${c.want_error}", got ${formatDetail(d)}`,
        };
      }
    }
    return { status: "pass" };
  }
  if (wantsError)
    return {
      status: "fail",
      reason: `want error ${c.want_error_code ?? c.want_error}, got results`,
    };
  const want = c.want_result ?? [];
  const got = results.map((r) => r.bindings);
  const norm = (b: Record<string, unknown>): string => {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(b)) o[k] = c.sort_bindings ? sortDeep(b[k]) : b[k];
    return canonJSON(o);
  };
  const w = want.map((b) => norm(b ?? {})).sort();
  const g = got.map(norm).sort();
  if (w.length !== g.length || w.some((x, i) => x !== g[i])) {
    return {
      status: "fail",
      reason: `want ${w.join(" | ") || "[]"}\n      got  ${g.join(" | ") || "[]"}`,
    };
  }
  return { status: "pass" };
}

export function runAll(dir: string): CaseReport[] {
  return loadCases(dir).map((lc) => ({ ...lc, outcome: runCase(lc) }));
}
