/**
 * Which kind of resource document a parsed JSON file is: the cheap checks `check` makes on every
 * JSON input. They live apart from the readers (terraform.ts, pulumi.ts) so that telling the kind
 * does not load the readers and the HCL/resource code behind them, which a manifest never needs.
 */
import { isRecord } from "./declaration";
import type { PlanJson } from "./pulumi";

/** A `cdk.tf.json` (Terraform JSON configuration, e.g. CDKTF's synthesised stack). */
export function isTerraformConfig(v: unknown): v is { resource?: Record<string, unknown> } {
  return isRecord(v) && (isRecord(v.resource) || isRecord(v.terraform)) && !("format_version" in v);
}

/** `terraform show -json` of a plan (planned values, changes) or of state (`values`). */
export function isTerraformPlan(v: unknown): boolean {
  return (
    isRecord(v) &&
    typeof v.format_version === "string" &&
    ("planned_values" in v || "resource_changes" in v || "values" in v)
  );
}

/** A Pulumi plan or stack export: a list of resources, each with a type. */
export function isPlanJson(v: unknown): v is PlanJson {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const res = (v as { resources?: unknown }).resources;
  return (
    Array.isArray(res) &&
    res.every(
      (r) =>
        typeof r === "object" && r !== null && typeof (r as { type?: unknown }).type === "string",
    )
  );
}
