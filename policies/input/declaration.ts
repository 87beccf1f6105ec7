/**
 * The needs side of the policy input (limits, needs, consumers, providers), built from the model's
 * camelCase shapes. The manifest supplies these directly; other sources (Pulumi plan JSON, CDKTF
 * synth output, Terraform plans, the policy pack) carry an *embedded declaration* — the same
 * normalised model, serialised — from which the needs side is rebuilt here. Without one, rules
 * that compare grants with declared needs cannot run, and the input says so (`has_declaration`).
 */
import { policyName } from "../../model/plan-grants";
import type { InputConsumer, InputNeed, InputProvider, PolicyInput } from "./types";

/** Organisation defaults when a manifest or declaration sets no limits (DESIGN.md sketch). */
export const DEFAULT_LIMITS = {
  maxTtl: 720 * 3600,
  maxRotation: 90 * 86400,
  maxNeedLifetime: 365 * 86400,
} as const;

/** What every normaliser returns for the needs side. */
export interface NeedsSide {
  readonly limits: PolicyInput["limits"];
  readonly needs: InputNeed[];
  readonly consumers: InputConsumer[];
  readonly providers: InputProvider[];
}

/** The model-shaped objects this module reads (a structural subset of model/types). */
export interface DeclaredNeed {
  readonly name: string;
  readonly consumer: string;
  readonly provider: string;
  readonly access: string;
  readonly scopes?: readonly string[];
  readonly paths?: readonly { readonly path: string; readonly capabilities: readonly string[] }[];
  readonly ttl?: number;
  readonly maxTtl?: number;
  readonly rotation?: number;
  readonly owner?: string;
  readonly justification?: string;
  readonly expires?: string;
  readonly defaultPolicy?: boolean;
  readonly waivers?: readonly {
    readonly rule: string;
    readonly reason: string;
    readonly expires: string;
  }[];
  /** Name of the Vault policy the grant plan generates (embedded declarations carry it). */
  readonly policyName?: string;
}
export interface DeclaredConsumer {
  readonly name: string;
  readonly owner?: string;
  readonly auth: string;
  /** Fixed addresses (CIDR blocks) the consumer logs in from, when declared. */
  readonly cidrs?: readonly string[];
}
export interface DeclaredProvider {
  readonly name: string;
  readonly kind: string;
  readonly scopes?: readonly string[];
  readonly maxTtl?: number;
}
export interface DeclaredLimits {
  readonly maxTtl?: number;
  readonly maxRotation?: number;
  readonly maxNeedLifetime?: number;
}

/** The embedded declaration: `{version: 1, limits, consumers, providers, needs}`. */
export interface EmbeddedDeclaration {
  readonly version: 1;
  readonly limits?: DeclaredLimits;
  readonly consumers: readonly DeclaredConsumer[];
  readonly providers: readonly DeclaredProvider[];
  readonly needs: readonly DeclaredNeed[];
}

export class DeclarationError extends Error {}

export function limitsToInput(limits: DeclaredLimits | undefined): PolicyInput["limits"] {
  return {
    max_ttl_seconds: numberOr(limits?.maxTtl, DEFAULT_LIMITS.maxTtl),
    max_rotation_seconds: numberOr(limits?.maxRotation, DEFAULT_LIMITS.maxRotation),
    max_need_lifetime_seconds: numberOr(limits?.maxNeedLifetime, DEFAULT_LIMITS.maxNeedLifetime),
  };
}

/** A need's lists as the input shows them. */
export type InputNeedLists = Pick<InputNeed, "scopes" | "paths" | "waivers">;

/** A declaration's lists, copied: a declaration read from a plan's JSON is not ours to share. */
function copiedLists(need: DeclaredNeed): InputNeedLists {
  return {
    scopes: [...(need.scopes ?? [])],
    paths: (need.paths ?? []).map((p) => ({ path: p.path, capabilities: [...p.capabilities] })),
    waivers: (need.waivers ?? []).map((w) => ({
      rule: w.rule,
      reason: w.reason,
      expires: w.expires,
    })),
  };
}

/** A need as the input shows it; `lists` already in the input's shapes may be shared, not copied. */
export function needToInput(
  need: DeclaredNeed,
  policyName: string,
  lists: InputNeedLists = copiedLists(need),
): InputNeed {
  return needWithLists(need, policyName, lists.scopes, lists.paths, lists.waivers);
}

/** {@link needToInput} with the lists given one by one (no record of them made per need). */
export function needWithLists(
  need: DeclaredNeed,
  policyName: string,
  scopes: InputNeed["scopes"],
  paths: InputNeed["paths"],
  waivers: InputNeed["waivers"],
): InputNeed {
  return {
    name: need.name,
    consumer: need.consumer,
    provider: need.provider,
    scopes,
    paths,
    access: need.access,
    ttl_seconds: need.ttl ?? null,
    max_ttl_seconds: need.maxTtl ?? null,
    rotation_seconds: need.rotation ?? null,
    owner: need.owner ?? null,
    justification: need.justification ?? null,
    expires: need.expires ?? null,
    default_policy: need.defaultPolicy === true,
    waivers,
    policy_name: policyName,
  };
}

export function consumerToInput(c: DeclaredConsumer): InputConsumer {
  const out: InputConsumer = { name: c.name, owner: c.owner ?? null, auth: c.auth };
  if (Array.isArray(c.cidrs)) out.cidrs = c.cidrs.filter((x) => typeof x === "string");
  return out;
}

export function providerToInput(p: DeclaredProvider): InputProvider {
  return {
    name: p.name,
    kind: p.kind,
    scopes: [...(p.scopes ?? [])],
    max_ttl_seconds: p.maxTtl ?? null,
  };
}

/**
 * Rebuilds the needs side from an embedded declaration. `policyNameOf` supplies the grant plan's
 * policy name for a need when the declaration does not carry `policyName`.
 * Throws DeclarationError (naming the field) when the object is not a version-1 declaration.
 */
export function declarationFromEmbedded(
  obj: unknown,
  policyNameOf: (need: DeclaredNeed) => string = (n) => policyName(n.name),
): NeedsSide {
  const decl = checkDeclaration(obj);
  return {
    limits: limitsToInput(decl.limits),
    needs: decl.needs.map((n) => needToInput(n, n.policyName ?? policyNameOf(n))),
    consumers: decl.consumers.map(consumerToInput),
    providers: decl.providers.map(providerToInput),
  };
}

/** An empty needs side: no declaration was found. */
export function noDeclaration(): NeedsSide {
  return { limits: limitsToInput(undefined), needs: [], consumers: [], providers: [] };
}

function checkDeclaration(obj: unknown): EmbeddedDeclaration {
  if (!isRecord(obj)) throw new DeclarationError("declaration: expected an object");
  if (obj.version !== 1) {
    throw new DeclarationError(
      `declaration.version: expected 1, got ${JSON.stringify(obj.version)}`,
    );
  }
  for (const key of ["consumers", "providers", "needs"] as const) {
    const list = obj[key];
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw new DeclarationError(`declaration.${key}: expected a list`);
    list.forEach((item, i) => {
      if (!isRecord(item) || typeof item.name !== "string") {
        throw new DeclarationError(`declaration.${key}[${i}].name: expected a string`);
      }
    });
  }
  if (obj.limits !== undefined && !isRecord(obj.limits)) {
    throw new DeclarationError("declaration.limits: expected an object");
  }
  return {
    version: 1,
    limits: obj.limits as DeclaredLimits | undefined,
    consumers: (obj.consumers ?? []) as DeclaredConsumer[],
    providers: (obj.providers ?? []) as DeclaredProvider[],
    needs: (obj.needs ?? []) as DeclaredNeed[],
  };
}

function numberOr(v: unknown, fallback: number): number {
  return typeof v === "number" && Number.isFinite(v) ? v : fallback;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * The embedded declaration for a manifest: what `plan --format json` (top-level key
 * `tokenwarden`) and `synth` (Terraform output `tokenwarden_declaration`) carry so that `check`
 * and the policy pack can judge their resources against the declared needs. Plain JSON, no
 * secrets (the manifest holds none), each need with the policy name its grant plan uses.
 */
export function embeddedDeclaration(manifest: {
  readonly limits: DeclaredLimits;
  readonly consumers: readonly DeclaredConsumer[];
  readonly providers: readonly DeclaredProvider[];
  readonly needs: readonly DeclaredNeed[];
}): EmbeddedDeclaration {
  const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
  return {
    version: 1,
    limits: plain(manifest.limits),
    consumers: plain(manifest.consumers),
    providers: plain(manifest.providers),
    needs: manifest.needs.map((n) => ({
      ...plain(n),
      policyName: n.policyName ?? policyName(n.name),
    })),
  };
}
