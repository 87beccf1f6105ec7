/** What a handler sees and answers; the route table ties OpenAPI paths to handlers. */
import type { Clock } from "./clock";

export type Operation = "read" | "list" | "create" | "update" | "delete";

/** A token as the token store keeps it (vault/token_store.go TokenEntry, in memory). */
export interface TokenEntry {
  id: string;
  accessor: string;
  /** "" for an orphan. */
  parent: string;
  children: Set<string>;
  policies: string[];
  path: string;
  meta: Record<string, string> | null;
  displayName: string;
  /** 0 = unlimited. */
  numUses: number;
  /** ms since epoch. */
  creationTime: number;
  /** seconds; 0 = never expires. */
  creationTtl: number;
  /** ms since epoch; 0 = never. */
  expireAt: number;
  explicitMaxTtl: number;
  period: number;
  renewable: boolean;
  type: "service" | "batch";
  role: string;
  lastRenewal: number;
  /** Where the token came from when it is not the token store (e.g. "auth/approle/login"). */
  entityId: string;
  /** Auth method metadata echoed in lookup (e.g. approle role_name). */
  internalMeta?: Record<string, string>;
}

export interface AuthBlock {
  client_token: string;
  accessor: string;
  policies: string[];
  token_policies: string[];
  metadata: Record<string, string> | null;
  lease_duration: number;
  renewable: boolean;
  entity_id: string;
  token_type: string;
  orphan: boolean;
  mfa_requirement: null;
  num_uses: number;
}

export interface Ctx {
  /** The request's id: the envelope's request_id and the audit lines' request.id. */
  readonly requestId: string;
  readonly op: Operation;
  /** Request path without "/v1/" and query, e.g. "secret/data/app". */
  readonly path: string;
  /** The mount serving it ("secret/", "auth/approle/", "auth/token/", "sys/"). */
  readonly mountPath: string;
  /** Path captures from the OpenAPI template. */
  readonly params: Record<string, string>;
  /** Coerced field values the request set. */
  readonly f: Record<string, unknown>;
  /** Raw request data (JSON body or query). */
  readonly raw: Record<string, unknown>;
  /** The calling token (undefined on unauthenticated paths). */
  readonly token: TokenEntry | undefined;
  readonly clock: Clock;
  readonly remoteAddr: string;
  readonly namespace: string;
  /** Seconds asked for with X-Vault-Wrap-TTL (0 = none). */
  readonly wrapTtl: number;
}

export interface Answer {
  data?: unknown;
  auth?: AuthBlock | null;
  warnings?: string[];
  /** HTTP status other than 200 (e.g. 404 for KV v2's deleted version, with a body). */
  status?: number;
  leaseDuration?: number;
  renewable?: boolean;
  /** Fields copied to the top level of the envelope too (sys/mounts, sys/auth do that). */
  top?: Record<string, unknown>;
  /** Response wrapping of a value regardless of X-Vault-Wrap-TTL (sys/wrapping/wrap). */
  forceWrapTtl?: number;
  /** Answer `data` as the whole body, without the envelope (sys/health). */
  bare?: boolean;
}

/** null → 204 No Content (a Vault handler returning a nil response). */
export type Handler = (ctx: Ctx) => Answer | null;

export interface Route {
  readonly read?: Handler;
  readonly list?: Handler;
  /** Used for both create and update; `exists` decides which one the ACL checks. */
  readonly write?: Handler;
  readonly delete?: Handler;
  /** The path's ExistenceCheck: false → the write is a `create`. */
  readonly exists?: (ctx: Ctx) => boolean;
}

export type RouteTable = Map<string, Route>;

export const has = (ctx: Ctx, name: string) => Object.prototype.hasOwnProperty.call(ctx.f, name);
export const str = (ctx: Ctx, name: string, dflt = "") =>
  has(ctx, name) ? String(ctx.f[name]) : dflt;
export const num = (ctx: Ctx, name: string, dflt = 0) =>
  has(ctx, name) ? Number(ctx.f[name]) : dflt;
export const bool = (ctx: Ctx, name: string, dflt = false) =>
  has(ctx, name) ? Boolean(ctx.f[name]) : dflt;
export const list = (ctx: Ctx, name: string, dflt: string[] = []) =>
  has(ctx, name) ? (ctx.f[name] as string[]) : dflt;

/** Vault's strutil.RemoveDuplicates(items, lowercase=true): trimmed, lowercased, sorted, unique. */
export function sanitizePolicies(items: string[], addDefault = false): string[] {
  const set = new Set(items.map((p) => p.trim().toLowerCase()).filter((p) => p !== ""));
  if (addDefault && !set.has("root")) set.add("default");
  return [...set].sort();
}
