/**
 * Terraform JSON → the policy input: CDKTF synth output (`cdk.tf.json`, plain Terraform JSON
 * configuration) and `terraform show -json` plans. Source is the Terraform address. Values that
 * are not known before apply — `${…}` interpolations in configuration, `after_unknown` in plans —
 * are listed as unknown, never passed on as if they were the value.
 */
import { declarationFromEmbedded, isRecord, noDeclaration, type NeedsSide } from "./declaration";
import { vaultFromResources, type NeutralResource, type ResourceKind } from "./resources";
import type { PolicyInput } from "./types";

export const TERRAFORM_VAULT_TYPES: Readonly<Record<string, ResourceKind>> = {
  vault_policy: { kind: "policy" },
  vault_token: { kind: "token" },
  vault_token_auth_backend_role: { kind: "role", role: "token" },
  vault_approle_auth_backend_role: { kind: "role", role: "approle" },
  vault_kubernetes_auth_backend_role: { kind: "role", role: "kubernetes" },
  vault_jwt_auth_backend_role: { kind: "role", role: "jwt" },
  vault_kv_secret_v2: { kind: "secret", version: 2 },
  vault_kv_secret: { kind: "secret", version: 1 },
  vault_generic_secret: { kind: "secret", version: 1 },
};

/** Attributes that hold token material: a literal value for one of these is a plain-text token. */
const SECRET_ATTRS = ["data_json", "data_json_wo"];
const DECLARATION_OUTPUT = "tokenwarden_declaration";

function camel(snake: string): string {
  return snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** A nested block is a one-element list in Terraform JSON and plans; CDKTF may write an object. */
function unblock(v: unknown): unknown {
  return Array.isArray(v) && v.length <= 1 && (v.length === 0 || isRecord(v[0])) ? v[0] : v;
}

const INTERPOLATION = /(^|[^$])\$\{/;

function hasInterpolation(v: unknown): boolean {
  if (typeof v === "string") return INTERPOLATION.test(v);
  if (Array.isArray(v)) return v.some(hasInterpolation);
  if (isRecord(v)) return Object.values(v).some(hasInterpolation);
  return false;
}

/**
 * The value with interpolated parts taken out and their paths recorded: in an object (a metadata
 * map, a block) only the interpolated entries are unknown, not their known siblings.
 */
function withoutInterpolations(v: unknown, at: string, unknown: string[]): unknown {
  if (isRecord(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const y = withoutInterpolations(x, `${at}.${k}`, unknown);
      if (y !== undefined) out[k] = y;
    }
    return out;
  }
  if (hasInterpolation(v)) {
    unknown.push(at);
    return undefined;
  }
  return v;
}

/** Terraform configuration attrs → camelCase props, with interpolated ones listed as unknown. */
function fromConfigAttrs(
  type: ResourceKind,
  address: string,
  name: string,
  attrs: Record<string, unknown>,
): NeutralResource {
  const props: Record<string, unknown> = {};
  const unknown: string[] = [];
  const plain: string[] = [];
  for (const [k, raw] of Object.entries(attrs)) {
    if (k.startsWith("//") || k === "depends_on" || k === "lifecycle" || k === "provider") continue;
    const v = unblock(raw);
    const key = camel(k);
    if (SECRET_ATTRS.includes(k)) {
      if (typeof v === "string" && !hasInterpolation(v) && v !== "") plain.push(key);
      continue; // token material is never copied into the document
    }
    const known = withoutInterpolations(v, key, unknown);
    if (known !== undefined) props[key] = known;
  }
  return { type, source: address, name, props, unknown, plainTokenFields: plain };
}

// telling the kind lives apart, so it does not load this reader (see kinds.ts)
export { isTerraformConfig, isTerraformPlan } from "./kinds";

/** `cdk.tf.json` (one or several, e.g. one per CDKTF stack) → document. */
export async function terraformConfigToInput(
  configs: readonly { file: string; json: Record<string, unknown> }[],
  opts: { now: string },
): Promise<PolicyInput> {
  const resources: NeutralResource[] = [];
  let declared: unknown;
  for (const { json } of configs) {
    const byType = isRecord(json.resource) ? json.resource : {};
    for (const [tfType, instances] of Object.entries(byType)) {
      const type = TERRAFORM_VAULT_TYPES[tfType];
      if (!type || !isRecord(instances)) continue;
      for (const [name, attrs] of Object.entries(instances)) {
        if (isRecord(attrs))
          resources.push(fromConfigAttrs(type, `${tfType}.${name}`, name, attrs));
      }
    }
    const out = isRecord(json.output) ? json.output[DECLARATION_OUTPUT] : undefined;
    if (isRecord(out) && out.value !== undefined) declared = out.value;
  }
  return finish(resources, declared, opts.now);
}

interface PlanResourceChange {
  address: string;
  mode?: string;
  type: string;
  name: string;
  change?: {
    actions?: string[];
    after?: unknown;
    after_unknown?: unknown;
    after_sensitive?: unknown;
  };
}

/** `terraform show -json <planfile>` → document. */
export async function terraformPlanToInput(
  plan: Record<string, unknown>,
  opts: { now: string },
): Promise<PolicyInput> {
  const resources: NeutralResource[] = [];
  const literalSecrets = literalSecretAddresses(plan);
  const changes = Array.isArray(plan.resource_changes)
    ? (plan.resource_changes as PlanResourceChange[])
    : [];
  for (const rc of changes) {
    const type = TERRAFORM_VAULT_TYPES[rc.type];
    if (!type || rc.mode === "data") continue;
    const actions = rc.change?.actions ?? [];
    if (actions.length === 1 && actions[0] === "delete") continue;
    const after = isRecord(rc.change?.after) ? rc.change.after : {};
    const afterUnknown = isRecord(rc.change?.after_unknown) ? rc.change.after_unknown : {};
    resources.push(
      fromPlanValues(
        type,
        rc.address,
        rc.name,
        after,
        afterUnknown,
        literalSecrets.get(rc.address),
      ),
    );
  }
  if (changes.length === 0) {
    for (const r of plannedResources(plan)) {
      const type = TERRAFORM_VAULT_TYPES[r.type];
      if (!type || r.mode === "data") continue;
      resources.push(
        fromPlanValues(
          type,
          r.address,
          r.name,
          isRecord(r.values) ? r.values : {},
          {},
          literalSecrets.get(r.address),
        ),
      );
    }
  }
  const pv = isRecord(plan.planned_values)
    ? plan.planned_values
    : isRecord(plan.values)
      ? plan.values
      : {};
  const outputs = isRecord(pv.outputs) ? pv.outputs : {};
  const out = outputs[DECLARATION_OUTPUT];
  const declared = isRecord(out) && out.value !== undefined ? out.value : undefined;
  return finish(resources, declared, opts.now);
}

function fromPlanValues(
  type: ResourceKind,
  address: string,
  name: string,
  after: Record<string, unknown>,
  afterUnknown: Record<string, unknown>,
  literal: readonly string[] | undefined,
): NeutralResource {
  const props: Record<string, unknown> = {};
  const unknown: string[] = [];
  const keys = new Set([...Object.keys(after), ...Object.keys(afterUnknown)]);
  for (const k of keys) {
    if (SECRET_ATTRS.includes(k)) continue;
    const key = camel(k);
    const u = afterUnknown[k];
    if (u === true || (u !== undefined && u !== false && containsTrue(u))) {
      unknown.push(key);
      continue;
    }
    const v = unblock(after[k]);
    if (v !== null && v !== undefined) props[key] = v;
  }
  return {
    type,
    source: address,
    name,
    props,
    unknown,
    plainTokenFields: (literal ?? []).map(camel),
  };
}

function containsTrue(v: unknown): boolean {
  if (v === true) return true;
  if (Array.isArray(v)) return v.some(containsTrue);
  if (isRecord(v)) return Object.values(v).some(containsTrue);
  return false;
}

/** Addresses whose token attributes are literal constants in the plan's configuration. */
function literalSecretAddresses(plan: Record<string, unknown>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const config = isRecord(plan.configuration) ? plan.configuration : {};
  const walk = (mod: unknown, prefix: string): void => {
    if (!isRecord(mod)) return;
    for (const r of Array.isArray(mod.resources) ? mod.resources : []) {
      if (!isRecord(r) || !isRecord(r.expressions)) continue;
      const fields = SECRET_ATTRS.filter((a) => {
        const e = (r.expressions as Record<string, unknown>)[a];
        return isRecord(e) && typeof e.constant_value === "string" && e.constant_value !== "";
      });
      if (fields.length) out.set(`${prefix}${String(r.address)}`, fields);
    }
    const calls = isRecord(mod.module_calls) ? mod.module_calls : {};
    for (const [name, call] of Object.entries(calls)) {
      if (isRecord(call)) walk(call.module, `${prefix}module.${name}.`);
    }
  };
  walk(config.root_module, "");
  return out;
}

function plannedResources(
  plan: Record<string, unknown>,
): { address: string; mode?: string; type: string; name: string; values?: unknown }[] {
  const out: { address: string; mode?: string; type: string; name: string; values?: unknown }[] =
    [];
  const walk = (mod: unknown): void => {
    if (!isRecord(mod)) return;
    for (const r of Array.isArray(mod.resources) ? mod.resources : [])
      if (isRecord(r)) out.push(r as never);
    for (const c of Array.isArray(mod.child_modules) ? mod.child_modules : []) walk(c);
  };
  // A plan's planned values, or the current values of `terraform show -json` on state.
  const values = isRecord(plan.planned_values) ? plan.planned_values : plan.values;
  walk(isRecord(values) ? values.root_module : undefined);
  return out;
}

async function finish(
  resources: NeutralResource[],
  declared: unknown,
  now: string,
): Promise<PolicyInput> {
  const decl = typeof declared === "string" ? JSON.parse(declared) : declared;
  const needs: NeedsSide = decl === undefined ? noDeclaration() : declarationFromEmbedded(decl);
  const { vault, plain_values } = await vaultFromResources(resources, needs);
  const input: PolicyInput = { now, ...needs, vault, has_declaration: decl !== undefined };
  if (plain_values) input.plain_values = plain_values;
  return input;
}
