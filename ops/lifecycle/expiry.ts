/**
 * The expiry watch: what runs out within a window, grouped by the owner who must act. Pure.
 * - tokens near their end: tokens tied to a need or an owner (meta `need`/`owner`) whose hard end
 *   — the explicit max TTL for a renewable token, else its expiry — falls within the window;
 *   login sessions are short by design and left out;
 * - needs whose review date (`expires`) lapses within the window, or has lapsed;
 * - rotations overdue: KV entries past `next_rotation` (or last write + `rotation_period`), tokens
 *   past their `meta.next_rotation`;
 * - third-party tokens near the expiry their provider gave (KV custom metadata `expires`).
 */
import { classifyToken, hardExpiry, reviewLapsesAt } from "./classify";
import type { Declared } from "./declared";
import type { LiveState } from "./live-types";
import { providerExpiry, rotationDue } from "./rotation-due";

export type ExpiryKind = "token-expiry" | "review-date" | "rotation-overdue" | "provider-expiry";

export interface ExpiryItem {
  readonly kind: ExpiryKind;
  readonly owner: string;
  /** What it is about: an accessor, a need, a KV path. */
  readonly subject: string;
  readonly need?: string;
  /** RFC 3339 of the deadline. */
  readonly at: string;
  /** True when the deadline has passed. */
  readonly overdue: boolean;
  readonly message: string;
}

export interface OwnerExpiry {
  readonly owner: string;
  readonly items: readonly ExpiryItem[];
}

export const NO_OWNER = "(no owner)";

export function findExpiring(input: {
  readonly live: LiveState;
  readonly declared?: Declared;
  readonly now: number;
  readonly withinSeconds: number;
}): ExpiryItem[] {
  const { live, declared: d, now } = input;
  const horizon = now + input.withinSeconds * 1000;
  const items: ExpiryItem[] = [];
  const when = (at: number) => new Date(at).toISOString();
  const relative = (at: number) => {
    const days = Math.abs(at - now) / 86_400_000;
    const n = days >= 1 ? `${Math.floor(days)}d` : `${Math.max(1, Math.round(days * 24))}h`;
    return at <= now ? `${n} ago` : `in ${n}`;
  };

  if (d) {
    for (const n of d.needs.values()) {
      if (n.need.expires === undefined) continue;
      const at = reviewLapsesAt(n.need.expires);
      if (at === undefined || at > horizon) continue;
      items.push({
        kind: "review-date",
        owner: n.owner ?? NO_OWNER,
        subject: n.need.name,
        need: n.need.name,
        at: when(at),
        overdue: at <= now,
        message: `need ${n.need.name}: review date ${n.need.expires} ${at <= now ? "has lapsed" : "lapses"} (${relative(at)})`,
      });
    }
  }

  for (const t of live.tokens ?? []) {
    const c = d ? classifyToken(d, t) : undefined;
    if (c?.kind === "session") continue;
    const need = c?.kind === "declared" ? c.need : undefined;
    if (!need && t.meta.need === undefined && t.meta.owner === undefined) continue;
    const owner = need?.owner ?? t.meta.owner ?? NO_OWNER;
    const label = `token ${t.accessor} (${t.displayName || "no display name"}${t.meta.need ? `, need ${t.meta.need}` : ""})`;
    const end = hardExpiry(t);
    if (end !== undefined && end <= horizon) {
      items.push({
        kind: "token-expiry",
        owner,
        subject: t.accessor,
        ...(t.meta.need !== undefined ? { need: t.meta.need } : {}),
        at: when(end),
        overdue: end <= now,
        message: `${label} ends ${relative(end)}${t.renewable && t.explicitMaxTtl > 0 ? " (explicit max TTL: renewal cannot extend it)" : ""}`,
      });
    }
    const due = t.meta.next_rotation !== undefined ? Date.parse(t.meta.next_rotation) : NaN;
    if (!Number.isNaN(due) && due <= now) {
      items.push({
        kind: "rotation-overdue",
        owner,
        subject: t.accessor,
        ...(t.meta.need !== undefined ? { need: t.meta.need } : {}),
        at: when(due),
        overdue: true,
        message: `${label} was due for rotation ${relative(due)}; run \`pulumi up\``,
      });
    }
  }

  for (const e of live.kvEntries ?? []) {
    const n = d?.kvEntries.get(`${e.mount}/${e.path}`);
    if (!n && e.customMetadata.managed_by === undefined && e.customMetadata.owner === undefined)
      continue;
    const owner = n?.owner ?? e.customMetadata.owner ?? NO_OWNER;
    const needName = n?.need.name ?? e.customMetadata.need;
    const label = `KV entry ${e.mount}/${e.path}${needName ? ` (need ${needName})` : ""}`;
    const due = rotationDue(e);
    if (due && due.at <= now) {
      items.push({
        kind: "rotation-overdue",
        owner,
        subject: `${e.mount}/${e.path}`,
        ...(needName !== undefined ? { need: needName } : {}),
        at: when(due.at),
        overdue: true,
        message: `${label} was due for rotation ${relative(due.at)} (${due.basis})`,
      });
    }
    const exp = providerExpiry(e);
    if (exp !== undefined && exp <= horizon) {
      items.push({
        kind: "provider-expiry",
        owner,
        subject: `${e.mount}/${e.path}`,
        ...(needName !== undefined ? { need: needName } : {}),
        at: when(exp),
        overdue: exp <= now,
        message: `${label}: the provider's token ${exp <= now ? "expired" : "expires"} ${relative(exp)} (${e.customMetadata.expires}); procure a new one`,
      });
    }
  }
  return items;
}

/** Items grouped by owner (owners sorted, "(no owner)" last), each list soonest first. */
export function byOwner(items: readonly ExpiryItem[]): OwnerExpiry[] {
  const groups = new Map<string, ExpiryItem[]>();
  for (const i of items) {
    const list = groups.get(i.owner) ?? [];
    list.push(i);
    groups.set(i.owner, list);
  }
  const owners = [...groups.keys()].sort((a, b) =>
    a === NO_OWNER ? 1 : b === NO_OWNER ? -1 : a < b ? -1 : a > b ? 1 : 0,
  );
  return owners.map((owner) => ({
    owner,
    items: groups
      .get(owner)!
      .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.subject < b.subject ? -1 : 1)),
  }));
}

export function renderExpiryText(groups: readonly OwnerExpiry[], withinText: string): string {
  if (groups.length === 0) return `Nothing expires or falls due within ${withinText}.\n`;
  const lines: string[] = [];
  let total = 0;
  for (const g of groups) {
    lines.push(`${g.owner} (${g.items.length}):`);
    for (const i of g.items) lines.push(`  ${i.overdue ? "OVERDUE " : ""}${i.at}  ${i.message}`);
    lines.push("");
    total += g.items.length;
  }
  lines.push(
    `${total} item${total === 1 ? "" : "s"} for ${groups.length} owner${groups.length === 1 ? "" : "s"} within ${withinText}`,
  );
  return lines.join("\n") + "\n";
}
