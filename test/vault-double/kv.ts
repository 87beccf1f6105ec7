/**
 * KV version 2 (the kv plugin with options.version = "2"), per mount: data/, metadata/,
 * delete/, undelete/, destroy/, config. Behaviour from Vault's KV v2 API docs
 * (https://developer.hashicorp.com/vault/api-docs/secret/kv/kv-v2) and
 * hashicorp/vault-plugin-secrets-kv (path_data.go, path_metadata.go):
 * - a write returns the new version's metadata; `options.cas` must equal the current version
 *   (0 = must not exist) and is required when cas_required is set on the key or the mount;
 * - `max_versions` (key, else mount, else 10) drops the oldest versions;
 * - a read of a soft-deleted or destroyed version is a 404 that still carries
 *   `data: {data: null, metadata: {…}}`; a read of nothing is a 404 with `errors: []`;
 * - `delete_version_after` sets each new version's deletion_time; it reads back as a Go duration.
 */
import { goDuration, rfc3339 } from "./clock";
import type { Clock } from "./clock";
import { type Ctx, type RouteTable, has, num, bool } from "./context";
import { VaultHttpError, badRequest, notFound } from "./errors";

interface Version {
  data: Record<string, unknown> | null;
  created: number;
  /** ms; 0 = not deleted. A future time is a scheduled deletion (delete_version_after). */
  deletion: number;
  destroyed: boolean;
}

interface Key {
  versions: Map<number, Version>;
  current: number;
  oldest: number;
  created: number;
  updated: number;
  maxVersions: number;
  casRequired: boolean;
  deleteVersionAfter: number;
  customMetadata: Record<string, string> | null;
}

export interface KvConfig {
  maxVersions: number;
  casRequired: boolean;
  deleteVersionAfter: number;
}

export class KvV2Store {
  readonly keys = new Map<string, Key>();
  readonly config: KvConfig = { maxVersions: 0, casRequired: false, deleteVersionAfter: 0 };
  constructor(private readonly clock: Clock) {}

  private deleted(v: Version): boolean {
    return v.deletion !== 0 && v.deletion <= this.clock.now();
  }

  private versionMeta(k: Key, n: number, v: Version) {
    return {
      created_time: rfc3339(v.created),
      custom_metadata: k.customMetadata ? { ...k.customMetadata } : null,
      deletion_time: v.deletion ? rfc3339(v.deletion) : "",
      destroyed: v.destroyed,
      version: n,
    };
  }

  private newKey(): Key {
    const now = this.clock.now();
    return {
      versions: new Map(),
      current: 0,
      oldest: 0,
      created: now,
      updated: now,
      maxVersions: 0,
      casRequired: false,
      deleteVersionAfter: 0,
      customMetadata: null,
    };
  }

  write(path: string, data: Record<string, unknown>, options: Record<string, unknown>) {
    const k = this.keys.get(path);
    const casRequired = (k?.casRequired ?? false) || this.config.casRequired;
    const casRaw = options.cas;
    if (casRaw === undefined || casRaw === null) {
      if (casRequired) throw badRequest("check-and-set parameter required for this call");
    } else {
      const cas = Number(casRaw);
      if (!Number.isInteger(cas)) throw badRequest("error parsing check-and-set parameter");
      if (cas !== (k?.current ?? 0))
        throw badRequest("check-and-set parameter did not match the current version");
    }
    const key = k ?? this.newKey();
    this.keys.set(path, key);
    const now = this.clock.now();
    const n = key.current + 1;
    const dva = key.deleteVersionAfter || this.config.deleteVersionAfter;
    const v: Version = {
      data: structuredClone(data),
      created: now,
      deletion: dva > 0 ? now + dva * 1000 : 0,
      destroyed: false,
    };
    key.versions.set(n, v);
    key.current = n;
    key.updated = now;
    if (key.oldest === 0) key.oldest = n;
    const max = key.maxVersions || this.config.maxVersions || 10;
    while (key.versions.size > max) {
      key.versions.delete(key.oldest);
      key.oldest += 1;
    }
    return this.versionMeta(key, n, v);
  }

  read(path: string, version: number) {
    const k = this.keys.get(path);
    if (!k) throw notFound();
    const n = version > 0 ? version : k.current;
    const v = k.versions.get(n);
    if (!v) throw notFound();
    const metadata = this.versionMeta(k, n, v);
    if (v.destroyed || this.deleted(v))
      throw new VaultHttpError(404, [], { data: { data: null, metadata } });
    return { data: structuredClone(v.data), metadata };
  }

  /** Soft-delete: the given versions, or the latest on `DELETE data/`. */
  softDelete(path: string, versions?: number[]) {
    const k = this.keys.get(path);
    if (!k) return;
    const now = this.clock.now();
    for (const n of versions ?? [k.current]) {
      const v = k.versions.get(n);
      if (v && !v.destroyed && !this.deleted(v)) v.deletion = now;
    }
    k.updated = now;
  }

  undelete(path: string, versions: number[]) {
    const k = this.keys.get(path);
    if (!k) return;
    for (const n of versions) {
      const v = k.versions.get(n);
      if (v && !v.destroyed) v.deletion = 0;
    }
    k.updated = this.clock.now();
  }

  destroy(path: string, versions: number[]) {
    const k = this.keys.get(path);
    if (!k) return;
    for (const n of versions) {
      const v = k.versions.get(n);
      if (v) {
        v.destroyed = true;
        v.data = null;
      }
    }
    k.updated = this.clock.now();
  }

  metadata(path: string) {
    const k = this.keys.get(path);
    if (!k) throw notFound();
    const versions: Record<string, unknown> = {};
    for (const [n, v] of k.versions)
      versions[String(n)] = {
        created_time: rfc3339(v.created),
        deletion_time: v.deletion ? rfc3339(v.deletion) : "",
        destroyed: v.destroyed,
      };
    return {
      cas_required: k.casRequired,
      created_time: rfc3339(k.created),
      current_version: k.current,
      custom_metadata: k.customMetadata ? { ...k.customMetadata } : null,
      delete_version_after: goDuration(k.deleteVersionAfter),
      max_versions: k.maxVersions,
      oldest_version: k.oldest,
      updated_time: rfc3339(k.updated),
      versions,
    };
  }

  writeMetadata(ctx: Ctx, path: string) {
    const key = this.keys.get(path) ?? this.newKey();
    if (has(ctx, "max_versions")) key.maxVersions = num(ctx, "max_versions");
    if (has(ctx, "cas_required")) key.casRequired = bool(ctx, "cas_required");
    if (has(ctx, "delete_version_after")) key.deleteVersionAfter = num(ctx, "delete_version_after");
    if (has(ctx, "custom_metadata")) {
      const cm = ctx.f.custom_metadata as Record<string, unknown>;
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(cm)) {
        if (typeof v !== "string")
          throw badRequest(`custom_metadata values must be strings; "${k}" is not`);
        out[k] = v;
      }
      if (Object.keys(out).length > 64)
        throw badRequest("custom_metadata: a maximum of 64 keys is allowed");
      key.customMetadata = Object.keys(out).length > 0 ? out : null;
    }
    key.updated = this.clock.now();
    this.keys.set(path, key);
  }

  list(prefix: string): string[] {
    const p = prefix === "" || prefix.endsWith("/") ? prefix : `${prefix}/`;
    const out = new Set<string>();
    for (const key of this.keys.keys()) {
      if (!key.startsWith(p)) continue;
      const rest = key.slice(p.length);
      const i = rest.indexOf("/");
      out.add(i < 0 ? rest : rest.slice(0, i + 1));
    }
    return [...out].sort();
  }
}

export function kvV2Routes(storeFor: (ctx: Ctx) => KvV2Store, routes: RouteTable): void {
  const key = (ctx: Ctx) => ctx.params.path;
  const versions = (ctx: Ctx) => {
    const v = ctx.f.versions;
    if (!Array.isArray(v) || v.length === 0) throw badRequest("no version number provided");
    return v as number[];
  };
  routes.set("/{kv_v2_mount_path}/data/{path}", {
    exists: (ctx) => storeFor(ctx).keys.has(key(ctx)),
    read: (ctx) => {
      const raw = ctx.raw.version;
      const version = raw === undefined ? 0 : Number(raw);
      return { data: storeFor(ctx).read(key(ctx), version) };
    },
    write: (ctx) => {
      const data = ctx.raw.data;
      if (data === undefined || data === null || typeof data !== "object" || Array.isArray(data))
        throw badRequest("no data provided");
      const options = (ctx.f.options ?? {}) as Record<string, unknown>;
      return { data: storeFor(ctx).write(key(ctx), data as Record<string, unknown>, options) };
    },
    delete: (ctx) => {
      storeFor(ctx).softDelete(key(ctx));
      return null;
    },
  });
  routes.set("/{kv_v2_mount_path}/metadata/{path}", {
    exists: (ctx) => storeFor(ctx).keys.has(key(ctx)),
    read: (ctx) => ({ data: storeFor(ctx).metadata(key(ctx)) }),
    list: (ctx) => {
      const keys = storeFor(ctx).list(key(ctx) ?? "");
      if (keys.length === 0) throw notFound();
      return { data: { keys } };
    },
    write: (ctx) => {
      storeFor(ctx).writeMetadata(ctx, key(ctx));
      return null;
    },
    delete: (ctx) => {
      storeFor(ctx).keys.delete(key(ctx));
      return null;
    },
  });
  routes.set("/{kv_v2_mount_path}/delete/{path}", {
    write: (ctx) => {
      storeFor(ctx).softDelete(key(ctx), versions(ctx));
      return null;
    },
  });
  routes.set("/{kv_v2_mount_path}/undelete/{path}", {
    write: (ctx) => {
      storeFor(ctx).undelete(key(ctx), versions(ctx));
      return null;
    },
  });
  routes.set("/{kv_v2_mount_path}/destroy/{path}", {
    write: (ctx) => {
      storeFor(ctx).destroy(key(ctx), versions(ctx));
      return null;
    },
  });
  routes.set("/{kv_v2_mount_path}/config", {
    read: (ctx) => {
      const c = storeFor(ctx).config;
      return {
        data: {
          cas_required: c.casRequired,
          delete_version_after: goDuration(c.deleteVersionAfter),
          max_versions: c.maxVersions,
        },
      };
    },
    write: (ctx) => {
      const c = storeFor(ctx).config;
      if (has(ctx, "max_versions")) c.maxVersions = num(ctx, "max_versions");
      if (has(ctx, "cas_required")) c.casRequired = bool(ctx, "cas_required");
      if (has(ctx, "delete_version_after")) c.deleteVersionAfter = num(ctx, "delete_version_after");
      return null;
    },
  });
}

/**
 * KV version 1 (a `kv` mount without options.version = "2"): any JSON object stored per path,
 * read back as is (lease_duration = the mount's default TTL, 768h unless tuned, as the plugin's
 * pass-through backend answers), LIST by prefix, delete.
 */
export class KvV1Store {
  readonly entries = new Map<string, Record<string, unknown>>();
}

export function kvV1Routes(
  storeFor: (ctx: Ctx) => KvV1Store,
  defaultTtl: (ctx: Ctx) => number,
  routes: RouteTable,
): void {
  routes.set("/{kv_v1_mount_path}/{path}", {
    exists: (ctx) => storeFor(ctx).entries.has(ctx.params.path),
    read: (ctx) => {
      const e = storeFor(ctx).entries.get(ctx.params.path);
      if (!e) throw notFound();
      return { data: structuredClone(e), leaseDuration: defaultTtl(ctx) };
    },
    list: (ctx) => {
      const p = ctx.params.path;
      const out = new Set<string>();
      for (const k of storeFor(ctx).entries.keys()) {
        if (!k.startsWith(p)) continue;
        const rest = k.slice(p.length);
        const i = rest.indexOf("/");
        out.add(i < 0 ? rest : rest.slice(0, i + 1));
      }
      if (out.size === 0) throw notFound();
      return { data: { keys: [...out].sort() } };
    },
    write: (ctx) => {
      if (Object.keys(ctx.raw).length === 0) throw badRequest("missing data fields");
      storeFor(ctx).entries.set(ctx.params.path, structuredClone(ctx.raw));
      return null;
    },
    delete: (ctx) => {
      storeFor(ctx).entries.delete(ctx.params.path);
      return null;
    },
  });
}
