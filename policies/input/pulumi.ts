/**
 * Pulumi resources → the policy input: as the policy pack receives them (`args.resources`, inputs
 * with unknown values as Pulumi's sentinels) and as `tokenwarden plan --format json` prints them
 * (`{"resources":[{type, name, parent, inputs}]}`, secrets shown as "[secret]").
 */
import { declarationFromEmbedded, noDeclaration, type NeedsSide } from "./declaration";
import { vaultFromResources, type NeutralResource, type ResourceKind } from "./resources";
import type { PolicyInput } from "./types";

/** `@pulumi/vault` type tokens (checked against node_modules/@pulumi/vault) → resource kind. */
export const PULUMI_VAULT_TYPES: Readonly<Record<string, ResourceKind>> = {
  "vault:index/policy:Policy": { kind: "policy" },
  "vault:index/token:Token": { kind: "token" },
  "vault:tokenauth/authBackendRole:AuthBackendRole": { kind: "role", role: "token" },
  "vault:appRole/authBackendRole:AuthBackendRole": { kind: "role", role: "approle" },
  "vault:kubernetes/authBackendRole:AuthBackendRole": { kind: "role", role: "kubernetes" },
  "vault:jwt/authBackendRole:AuthBackendRole": { kind: "role", role: "jwt" },
  "vault:kv/secretV2:SecretV2": { kind: "secret", version: 2 },
  "vault:kv/secret:Secret": { kind: "secret", version: 1 },
  "vault:generic/secret:Secret": { kind: "secret", version: 1 },
};

/** Pulumi's placeholders for values not known during preview (@pulumi/policy's proxy sentinels). */
const UNKNOWN_SENTINELS = new Set([
  "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
  "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
  "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
  "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
  "030794c1-ac77-496b-92df-f27374a8bd58",
  "e48ece36-62e2-4504-bad9-02848725956a",
  "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
  "[unknown]",
]);
const SECRET_MARK = "[secret]";

/** A resource as the engine hands it to a stack policy (the fields read here). */
export interface PulumiResourceLike {
  readonly type: string;
  readonly urn: string;
  readonly name: string;
  readonly props: Record<string, unknown>;
}

/** Splits known from unknown/secret values, deeply; paths are dotted camelCase field names. */
export function splitValues(props: Record<string, unknown>): {
  props: Record<string, unknown>;
  unknown: string[];
  secret: string[];
} {
  const unknown: string[] = [];
  const secret: string[] = [];
  const walk = (v: unknown, path: string): unknown => {
    if (typeof v === "string") {
      if (UNKNOWN_SENTINELS.has(v)) {
        unknown.push(path);
        return undefined;
      }
      if (v === SECRET_MARK) {
        secret.push(path);
        return undefined;
      }
      return v;
    }
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      v.forEach((x, i) => {
        const y = walk(x, `${path}.${i}`);
        if (y !== undefined) out.push(y);
      });
      return out;
    }
    if (typeof v === "object" && v !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        const y = walk(x, path ? `${path}.${k}` : k);
        if (y !== undefined) out[k] = y;
      }
      return out;
    }
    return v;
  };
  return { props: walk(props, "") as Record<string, unknown>, unknown, secret };
}

export function neutralFromPulumi(resources: readonly PulumiResourceLike[]): NeutralResource[] {
  const out: NeutralResource[] = [];
  for (const r of resources) {
    const type = PULUMI_VAULT_TYPES[r.type];
    if (!type) continue;
    // Secret values ("[secret]") are left out like unknown ones: their content is never judged.
    const { props, unknown } = splitValues(r.props ?? {});
    out.push({ type, source: r.urn, name: r.name, props, unknown });
  }
  return out;
}

/** The document for resources seen by the policy pack or listed by `plan --format json`. */
export async function pulumiResourcesToInput(
  resources: readonly PulumiResourceLike[],
  opts: { now: string; declaration?: NeedsSide },
): Promise<PolicyInput> {
  const needs = opts.declaration ?? noDeclaration();
  const { vault, plain_values } = await vaultFromResources(neutralFromPulumi(resources), needs);
  const input: PolicyInput = {
    now: opts.now,
    ...needs,
    vault,
    has_declaration: opts.declaration !== undefined,
  };
  if (plain_values) input.plain_values = plain_values;
  return input;
}

/** `tokenwarden plan --format json` output: `{resources: [{type, name, parent, inputs}], tokenwarden?}`. */
export interface PlanJson {
  readonly resources: readonly {
    type: string;
    name: string;
    parent?: string;
    urn?: string;
    inputs?: Record<string, unknown>;
  }[];
  readonly tokenwarden?: unknown;
}

// telling the kind lives apart, so it does not load this reader (see kinds.ts)
export { isPlanJson } from "./kinds";

export async function planJsonToInput(plan: PlanJson, opts: { now: string }): Promise<PolicyInput> {
  const declaration =
    plan.tokenwarden === undefined ? undefined : declarationFromEmbedded(plan.tokenwarden);
  const resources = plan.resources.map((r) => ({
    type: r.type,
    urn: r.urn ?? planSource(r),
    name: r.name,
    props: r.inputs ?? {},
  }));
  return pulumiResourcesToInput(resources, { now: opts.now, declaration });
}

/** A URN-like address for a plan entry: `<parent>$<type>::<name>` is what a reader searches for. */
function planSource(r: { type: string; name: string; parent?: string }): string {
  return r.parent ? `${r.parent}$${r.type}::${r.name}` : `${r.type}::${r.name}`;
}
