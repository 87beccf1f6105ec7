/**
 * What each live token is, judged against the declaration. Pure.
 * - declared: issued for a declared need that issues tokens (its `meta.need`);
 * - session: a login through a declared consumer's auth role, carrying no more than that role's
 *   policies — consumers log in all day, and those tokens are the design working;
 * - shadow: carries a `tw-` policy, names a need in its meta, or was created against a declared
 *   consumer's token role, without being either of the above — access nobody declared;
 * - unmanaged: everything else (operators' and root tokens): listed by inventory, not judged.
 */
import type { ConsumerPlan } from "../../model";
import {
  isManagedPolicy,
  roleKey,
  type Declared,
  type DeclaredNeed,
  type ExpectedRole,
} from "./declared";
import type { LiveToken } from "./live-types";

export type TokenClass =
  | { readonly kind: "declared"; readonly need: DeclaredNeed }
  | { readonly kind: "session"; readonly consumer: ConsumerPlan; readonly role: ExpectedRole }
  | { readonly kind: "shadow"; readonly reason: string; readonly need?: DeclaredNeed }
  | { readonly kind: "unmanaged" };

/** Login token metadata naming the role: approle writes `role_name`, kubernetes and jwt `role`. */
function loginRole(t: LiveToken): string | undefined {
  return t.meta.role_name ?? t.meta.role;
}

export function classifyToken(d: Declared, t: LiveToken): TokenClass {
  const needName = t.meta.need;
  if (needName !== undefined) {
    const need = d.needs.get(needName);
    if (need?.grant.token) return { kind: "declared", need };
    return need
      ? {
          kind: "shadow",
          need,
          reason: `its meta names need ${needName}, which issues no token (its consumer ${need.consumer.consumer} logs in with ${need.consumer.auth})`,
        }
      : {
          kind: "shadow",
          reason: `issued for need ${needName}, which the manifest does not declare`,
        };
  }
  const login = /^auth\/(.+)\/login(\/|$)/.exec(t.path);
  if (login) {
    const mount = login[1];
    const roleName = loginRole(t);
    const role = roleName !== undefined ? d.roles.get(roleKey(mount, roleName)) : undefined;
    if (role && role.kind !== "token") {
      const allowed = new Set([...role.policies, "default"]);
      const extra = t.policies.filter((p) => !allowed.has(p));
      if (extra.length === 0) return { kind: "session", consumer: role.consumer, role };
      return {
        kind: "shadow",
        reason: `a login through role ${role.name} on auth/${mount} carrying policies the role does not grant: ${extra.join(", ")}`,
      };
    }
  }
  if (t.role !== undefined) {
    const role = d.roles.get(roleKey("token", t.role));
    if (role) {
      return {
        kind: "shadow",
        reason: `created against token role ${t.role} of consumer ${role.consumer.consumer} without a declared need`,
      };
    }
  }
  const managed = t.policies.filter(isManagedPolicy);
  if (managed.length > 0) {
    const declaredFor = managed.map((p) => d.policies.get(p)).find((x) => x !== undefined);
    return {
      kind: "shadow",
      reason: `carries ${managed.join(", ")} without a declared need`,
      ...(declaredFor ? { need: declaredFor } : {}),
    };
  }
  return { kind: "unmanaged" };
}

/** Time (ms) after which a token no longer works, or undefined for one that never expires. */
export function expiresAt(t: LiveToken): number | undefined {
  if (t.expireTime === undefined) return undefined;
  const ms = Date.parse(t.expireTime);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * The latest a token can live: a renewable token may be renewed up to its explicit max TTL, so
 * that is when it truly ends; without one, its current expiry is all that is known.
 */
export function hardExpiry(t: LiveToken): number | undefined {
  const current = expiresAt(t);
  if (t.period > 0) return undefined; // periodic: renewed indefinitely by design
  if (t.renewable && t.explicitMaxTtl > 0 && t.creationTime > 0) {
    return (t.creationTime + t.explicitMaxTtl) * 1000;
  }
  return current;
}

export function isExpired(t: LiveToken, now: number): boolean {
  const at = expiresAt(t);
  return at !== undefined && at <= now;
}

/** A review date (`YYYY-MM-DD`) lapses when that day has ended, in UTC. */
export function reviewLapsesAt(expires: string): number | undefined {
  const ms = Date.parse(`${expires}T00:00:00Z`);
  return Number.isNaN(ms) ? undefined : ms + 86_400_000;
}
