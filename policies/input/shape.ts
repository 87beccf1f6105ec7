/**
 * The structure `check` relies on in resource inputs, checked before normalising: the normalisers
 * skip what they do not recognise, so a plan whose `resource_changes` is a string would otherwise
 * be judged as a plan with no resources and pass. Fail closed: a wrong shape is an input error
 * naming the field (and, once positioned by the loader, its line), never an empty, clean report.
 */
import { isRecord } from "./declaration";
import type { JsonPath } from "./json-index";

export interface ShapeIssue {
  readonly path: JsonPath;
  readonly message: string;
}

function kindOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "an object";
  return `a ${typeof v}`;
}

class Checker {
  readonly issues: ShapeIssue[] = [];

  fail(path: JsonPath, expected: string, v: unknown): void {
    this.issues.push({ path, message: `expected ${expected}, got ${kindOf(v)}` });
  }

  object(v: unknown, path: JsonPath, optional = true): v is Record<string, unknown> {
    if (v === undefined && optional) return false;
    if (isRecord(v)) return true;
    this.fail(path, "an object", v);
    return false;
  }

  list(v: unknown, path: JsonPath, optional = true): v is unknown[] {
    if (v === undefined && optional) return false;
    if (Array.isArray(v)) return true;
    this.fail(path, "a list", v);
    return false;
  }

  string(o: Record<string, unknown>, key: string, path: JsonPath, optional = false): void {
    const v = o[key];
    if ((v === undefined || v === null) && optional) return;
    if (typeof v !== "string") this.fail([...path, key], "a string", v);
  }

  strings(o: Record<string, unknown>, key: string, path: JsonPath): void {
    const v = o[key];
    if (!this.list(v, [...path, key])) return;
    v.forEach((x, i) => {
      if (typeof x !== "string") this.fail([...path, key, i], "a string", x);
    });
  }
}

/** `terraform show -json` output (plan or state). */
export function terraformPlanShape(plan: Record<string, unknown>): ShapeIssue[] {
  const c = new Checker();
  if (c.list(plan.resource_changes, ["resource_changes"])) {
    plan.resource_changes.forEach((rc, i) => {
      const at = ["resource_changes", i];
      if (!c.object(rc, at, false)) return;
      for (const k of ["address", "type", "name"]) c.string(rc, k, at);
      c.string(rc, "mode", at, true);
      if (c.object(rc.change, [...at, "change"])) {
        const ch = rc.change;
        if (ch.actions !== undefined) c.strings(ch, "actions", [...at, "change"]);
        if (ch.after !== undefined && ch.after !== null)
          c.object(ch.after, [...at, "change", "after"]);
        const u = ch.after_unknown;
        if (u !== undefined && typeof u !== "boolean")
          c.object(u, [...at, "change", "after_unknown"]);
      }
    });
  }
  for (const key of ["planned_values", "values"]) {
    if (c.object(plan[key], [key])) {
      const pv = plan[key] as Record<string, unknown>;
      moduleShape(c, pv.root_module, [key, "root_module"]);
      if (c.object(pv.outputs, [key, "outputs"])) {
        for (const [name, out] of Object.entries(pv.outputs as Record<string, unknown>))
          c.object(out, [key, "outputs", name], false);
      }
    }
  }
  if (c.object(plan.configuration, ["configuration"])) {
    const conf = plan.configuration as Record<string, unknown>;
    if (c.object(conf.root_module, ["configuration", "root_module"])) {
      const rm = conf.root_module as Record<string, unknown>;
      if (c.list(rm.resources, ["configuration", "root_module", "resources"])) {
        rm.resources.forEach((r, i) =>
          c.object(r, ["configuration", "root_module", "resources", i], false),
        );
      }
    }
  }
  return c.issues;
}

function moduleShape(c: Checker, mod: unknown, path: JsonPath): void {
  if (!c.object(mod, path)) return;
  const m = mod as Record<string, unknown>;
  if (c.list(m.resources, [...path, "resources"])) {
    m.resources.forEach((r, i) => {
      const at = [...path, "resources", i];
      if (!c.object(r, at, false)) return;
      for (const k of ["address", "type", "name"]) c.string(r, k, at);
      if (r.values !== undefined && r.values !== null) c.object(r.values, [...at, "values"]);
    });
  }
  if (c.list(m.child_modules, [...path, "child_modules"])) {
    m.child_modules.forEach((child, i) => moduleShape(c, child, [...path, "child_modules", i]));
  }
}

/** Terraform JSON configuration (`cdk.tf.json`). */
export function terraformConfigShape(config: Record<string, unknown>): ShapeIssue[] {
  const c = new Checker();
  if (c.object(config.resource, ["resource"])) {
    for (const [type, instances] of Object.entries(config.resource as Record<string, unknown>)) {
      if (!c.object(instances, ["resource", type], false)) continue;
      for (const [name, attrs] of Object.entries(instances as Record<string, unknown>))
        c.object(attrs, ["resource", type, name], false);
    }
  }
  if (c.object(config.output, ["output"])) {
    for (const [name, out] of Object.entries(config.output as Record<string, unknown>))
      c.object(out, ["output", name], false);
  }
  return c.issues;
}

/** `tokenwarden plan --format json` output. */
export function pulumiPlanShape(plan: Record<string, unknown>): ShapeIssue[] {
  const c = new Checker();
  if (c.list(plan.resources, ["resources"], false)) {
    plan.resources.forEach((r, i) => {
      const at = ["resources", i];
      if (!c.object(r, at, false)) return;
      c.string(r, "type", at);
      c.string(r, "name", at);
      c.string(r, "urn", at, true);
      c.string(r, "parent", at, true);
      c.object(r.inputs, [...at, "inputs"]);
    });
  }
  c.object(plan.tokenwarden, ["tokenwarden"]);
  return c.issues;
}

/** `a.b[0].c` for messages, as manifest field paths read. */
export function jsonFieldPath(path: JsonPath): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}
