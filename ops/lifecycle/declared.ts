/**
 * What the manifest declares, indexed the way live objects are found: by policy name, by auth
 * mount and role name, by KV path, by need name. Built from the grant plan (model/), the
 * same plan the Pulumi components and CDKTF constructs render — so "declared" here means exactly
 * what `pulumi up` would have written.
 */
import {
  planGrants,
  POLICY_PREFIX,
  type ConsumerPlan,
  type Manifest,
  type Need,
  type NeedGrantPlan,
  type RolePlan,
} from "../../model";
import type { AuthMountRef } from "./scan";

export interface DeclaredNeed {
  readonly need: Need;
  readonly grant: NeedGrantPlan;
  readonly consumer: ConsumerPlan;
  /** Index in `manifest.needs` (to find its line). */
  readonly index: number;
  /** Owner of the need, else of its consumer. */
  readonly owner?: string;
}

/** What a role of a consumer should read back as, in the live model's terms. */
export interface ExpectedRole {
  readonly consumer: ConsumerPlan;
  readonly kind: RolePlan["kind"];
  readonly mount: string;
  readonly name: string;
  readonly policies: readonly string[];
  /** undefined: not compared (token roles take no token_ttl). */
  readonly ttl?: number;
  readonly maxTtl?: number;
}

export interface Declared {
  readonly manifest: Manifest;
  readonly needs: ReadonlyMap<string, DeclaredNeed>;
  /** Policy name → need. */
  readonly policies: ReadonlyMap<string, DeclaredNeed>;
  /** `<mount>/<role>` ("token/<role>" for token roles) → expected role. */
  readonly roles: ReadonlyMap<string, ExpectedRole>;
  /** `<mount>/<path>` → need. */
  readonly kvEntries: ReadonlyMap<string, DeclaredNeed>;
  /** Auth mounts whose roles the manifest's consumers use. */
  readonly authMounts: readonly AuthMountRef[];
  readonly kvMount: string;
}

export function roleKey(mount: string, name: string): string {
  return `${mount}/${name}`;
}

export function declare(manifest: Manifest): Declared {
  const plan = planGrants(manifest);
  const index = new Map(manifest.needs.map((n, i) => [n.name, { need: n, i }]));
  const needs = new Map<string, DeclaredNeed>();
  const policies = new Map<string, DeclaredNeed>();
  const roles = new Map<string, ExpectedRole>();
  const kvEntries = new Map<string, DeclaredNeed>();
  const mounts = new Map<string, AuthMountRef>();
  for (const consumer of plan.consumers) {
    const r = consumer.role;
    const mount = r.kind === "token" ? "token" : r.backend;
    if (r.kind !== "token") mounts.set(`${r.kind}:${mount}`, { kind: r.kind, mount });
    roles.set(roleKey(mount, r.roleName), {
      consumer,
      kind: r.kind,
      mount,
      name: r.roleName,
      policies: [...(r.kind === "token" ? r.allowedPolicies : r.tokenPolicies)].sort(),
      ...(r.kind === "token" ? {} : { ttl: r.tokenTtl }),
      maxTtl: planMaxTtl(r),
    });
    for (const grant of consumer.needs) {
      const at = index.get(grant.need);
      if (!at) continue;
      const owner = grant.owner ?? consumer.owner;
      const d: DeclaredNeed = {
        need: at.need,
        grant,
        consumer,
        index: at.i,
        ...(owner !== undefined ? { owner } : {}),
      };
      needs.set(grant.need, d);
      policies.set(grant.policy.name, d);
      if (grant.kvEntry) kvEntries.set(`${grant.kvEntry.mount}/${grant.kvEntry.name}`, d);
    }
  }
  return {
    manifest,
    needs,
    policies,
    roles,
    kvEntries,
    authMounts: [...mounts.values()],
    kvMount: manifest.vault.kvMount,
  };
}

/**
 * A role's ceiling as the plan states it: `token_explicit_max_ttl` for token roles (which take no
 * `token_max_ttl`), `token_max_ttl` for the login methods.
 */
function planMaxTtl(r: RolePlan): number {
  const x = r as { tokenExplicitMaxTtl?: number; tokenMaxTtl?: number };
  return (r.kind === "token" ? (x.tokenExplicitMaxTtl ?? x.tokenMaxTtl) : x.tokenMaxTtl) ?? 0;
}

/** A policy name tokenwarden would write (whether or not this manifest declares it). */
export function isManagedPolicy(name: string): boolean {
  return name.startsWith(POLICY_PREFIX);
}
