/**
 * The inventory: everything a scan saw, each item joined to its declared need where the manifest
 * has one. Pure. Token ids never appear (the live model has none); accessors do — they can look a
 * token up or revoke it, not use it.
 */
import { classifyToken, type TokenClass } from "./classify";
import { roleKey, type Declared } from "./declared";
import type { LiveState, LiveToken, Unread } from "./live-types";

export interface InventoryToken {
  readonly accessor: string;
  readonly display_name: string;
  readonly policies: readonly string[];
  readonly meta: Readonly<Record<string, string>>;
  /** The auth path that created it. */
  readonly path: string;
  readonly role?: string;
  readonly issue_time?: string;
  /** null: never expires. */
  readonly expire_time: string | null;
  readonly ttl_seconds: number;
  readonly explicit_max_ttl_seconds: number;
  readonly renewable: boolean;
  /** "orphan" (no parent: outlives its creator) or "child" (revoked with its parent). */
  readonly parent: "orphan" | "child";
  /** Only with a manifest: declared | session | shadow | unmanaged. */
  readonly status?: TokenClass["kind"];
  readonly need?: string;
  readonly consumer?: string;
  readonly owner?: string;
  readonly note?: string;
}

export interface Inventory {
  readonly vault: string;
  readonly scanned_at: string;
  readonly manifest?: string;
  /** False when something could not be read: see `unread`. */
  readonly complete: boolean;
  readonly unread: readonly Unread[];
  /** null when the list could not be read. */
  readonly tokens: readonly InventoryToken[] | null;
  readonly policies: readonly { name: string; need?: string }[] | null;
  readonly roles: readonly {
    kind: string;
    mount: string;
    name: string;
    policies: readonly string[];
    ttl_seconds?: number;
    max_ttl_seconds?: number;
    consumer?: string;
  }[];
  readonly kv_entries:
    | readonly {
        mount: string;
        path: string;
        current_version: number;
        last_written?: string;
        custom_metadata: Readonly<Record<string, string>>;
        need?: string;
        owner?: string;
      }[]
    | null;
  readonly summary: Readonly<Record<string, number>>;
}

export function buildInventory(live: LiveState, declared?: Declared): Inventory {
  const tokens = live.tokens?.map((t) => inventoryToken(t, declared)) ?? null;
  const policies =
    live.policies?.map((p) => {
      const need = declared?.policies.get(p.name)?.need.name;
      return need !== undefined ? { name: p.name, need } : { name: p.name };
    }) ?? null;
  const roles = live.roles.map((r) => {
    const want = declared?.roles.get(roleKey(r.mount, r.name));
    return {
      kind: r.kind,
      mount: r.mount,
      name: r.name,
      policies: r.policies,
      ...(r.ttl !== undefined ? { ttl_seconds: r.ttl } : {}),
      ...(r.maxTtl !== undefined ? { max_ttl_seconds: r.maxTtl } : {}),
      ...(want ? { consumer: want.consumer.consumer } : {}),
    };
  });
  const kv =
    live.kvEntries?.map((e) => {
      const d = declared?.kvEntries.get(`${e.mount}/${e.path}`);
      const owner = d?.owner ?? e.customMetadata.owner;
      return {
        mount: e.mount,
        path: e.path,
        current_version: e.currentVersion,
        ...(e.lastWritten !== undefined ? { last_written: e.lastWritten } : {}),
        custom_metadata: e.customMetadata,
        ...(d ? { need: d.need.name } : {}),
        ...(owner !== undefined ? { owner } : {}),
      };
    }) ?? null;
  const summary: Record<string, number> = {};
  if (tokens) {
    summary.tokens = tokens.length;
    for (const t of tokens)
      if (t.status) summary[`tokens_${t.status}`] = (summary[`tokens_${t.status}`] ?? 0) + 1;
  }
  if (policies) summary.policies = policies.length;
  summary.roles = roles.length;
  if (kv) summary.kv_entries = kv.length;
  summary.unread = live.unread.length;
  return {
    vault: live.address,
    scanned_at: new Date(live.scannedAt).toISOString(),
    ...(declared ? { manifest: declared.manifest.source.file } : {}),
    complete: live.unread.length === 0,
    unread: live.unread,
    tokens,
    policies,
    roles,
    kv_entries: kv,
    summary,
  };
}

function inventoryToken(t: LiveToken, declared: Declared | undefined): InventoryToken {
  const base = {
    accessor: t.accessor,
    display_name: t.displayName,
    policies: t.policies,
    meta: t.meta,
    path: t.path,
    ...(t.role !== undefined ? { role: t.role } : {}),
    ...(t.issueTime !== undefined ? { issue_time: t.issueTime } : {}),
    expire_time: t.expireTime ?? null,
    ttl_seconds: t.ttl,
    explicit_max_ttl_seconds: t.explicitMaxTtl,
    renewable: t.renewable,
    parent: t.orphan ? ("orphan" as const) : ("child" as const),
  };
  if (!declared) {
    return t.meta.owner !== undefined ? { ...base, owner: t.meta.owner } : base;
  }
  const c = classifyToken(declared, t);
  switch (c.kind) {
    case "declared":
      return {
        ...base,
        status: c.kind,
        need: c.need.need.name,
        consumer: c.need.consumer.consumer,
        ...(c.need.owner !== undefined ? { owner: c.need.owner } : {}),
      };
    case "session":
      return {
        ...base,
        status: c.kind,
        consumer: c.consumer.consumer,
        ...(c.consumer.owner !== undefined ? { owner: c.consumer.owner } : {}),
      };
    case "shadow":
      return {
        ...base,
        status: c.kind,
        ...(c.need ? { need: c.need.need.name } : {}),
        ...(t.meta.owner !== undefined ? { owner: t.meta.owner } : {}),
        note: c.reason,
      };
    case "unmanaged":
      return { ...base, status: c.kind };
  }
}

/** People-readable inventory. */
export function renderInventoryText(inv: Inventory): string {
  const lines: string[] = [
    `Vault ${inv.vault}, scanned ${inv.scanned_at}${inv.manifest ? `, joined to ${inv.manifest}` : ""}`,
  ];
  lines.push("", inv.tokens ? `Tokens (${inv.tokens.length}):` : "Tokens: NOT READ (see below)");
  for (const t of inv.tokens ?? []) {
    const status = t.status ? `[${t.status}] ` : "";
    const joined = [
      t.need && `need ${t.need}`,
      t.consumer && `consumer ${t.consumer}`,
      t.owner && `owner ${t.owner}`,
    ]
      .filter(Boolean)
      .join(", ");
    lines.push(
      `  ${status}${t.accessor}  ${t.display_name || "-"}  policies=${t.policies.join(",") || "-"}  issued=${t.issue_time ?? "?"}  expires=${t.expire_time ?? "never"}  ${t.parent}${joined ? `  (${joined})` : ""}`,
    );
    if (Object.keys(t.meta).length > 0)
      lines.push(
        `      meta: ${Object.entries(t.meta)
          .map(([k, v]) => `${k}=${v}`)
          .join(" ")}`,
      );
    if (t.note) lines.push(`      ${t.note}`);
  }
  lines.push(
    "",
    inv.policies ? `ACL policies (${inv.policies.length}):` : "ACL policies: NOT READ (see below)",
  );
  for (const p of inv.policies ?? [])
    lines.push(`  ${p.name}${p.need ? `  (need ${p.need})` : ""}`);
  lines.push("", `Auth roles (${inv.roles.length}):`);
  for (const r of inv.roles) {
    const ttl = r.ttl_seconds !== undefined ? ` ttl=${r.ttl_seconds}s` : "";
    const max = r.max_ttl_seconds !== undefined ? ` max_ttl=${r.max_ttl_seconds}s` : "";
    lines.push(
      `  ${r.kind} auth/${r.mount} ${r.name}  policies=${r.policies.join(",") || "-"}${ttl}${max}${r.consumer ? `  (consumer ${r.consumer})` : ""}`,
    );
  }
  lines.push(
    "",
    inv.kv_entries ? `KV entries (${inv.kv_entries.length}):` : "KV entries: NOT READ (see below)",
  );
  for (const e of inv.kv_entries ?? []) {
    const md = Object.entries(e.custom_metadata)
      .map(([k, v]) => `${k}=${v}`)
      .join(" ");
    lines.push(
      `  ${e.mount}/${e.path}  v${e.current_version}${e.last_written ? ` written ${e.last_written}` : ""}${e.need ? `  (need ${e.need})` : ""}`,
    );
    if (md) lines.push(`      ${md}`);
  }
  if (inv.unread.length > 0) {
    lines.push("", `INCOMPLETE — not read (${inv.unread.length}):`);
    for (const u of inv.unread) lines.push(`  ${u.what}: ${u.request} → ${u.why}`);
  }
  lines.push(
    "",
    Object.entries(inv.summary)
      .map(([k, v]) => `${k}=${v}`)
      .join(" "),
  );
  return lines.join("\n") + "\n";
}
