/**
 * The token store (auth/token/…), after vault/token_store.go: tokens indexed by id and accessor,
 * parent → children links for tree revocation, TTLs on the injectable clock, token roles.
 *
 * Followed from Vault's source / docs where the API description says nothing:
 * - display names: "token-" + name, every character outside [a-zA-Z0-9-] → "-", one trailing
 *   "-" trimmed (token_store.go handleCreateCommon; no lowercasing);
 * - TTL: framework.CalculateTTL — a period wins; otherwise ttl or the mount default (768h),
 *   capped by explicit_max_ttl and the system max (768h) with Vault's warning; a token with the
 *   root policy and no ttl never expires;
 * - policies: sanitized (trimmed, lowercased, sorted, unique), "default" added unless
 *   no_default_policy; a non-sudo caller may only hand out a subset of its own policies; a role
 *   with allowed_policies replaces that rule;
 * - a role write answers 204 (a nil response); Vault's framework adds the "ignored parameters"
 *   warning only to a non-nil response (sdk/framework/backend.go), so a role write with
 *   `token_ttl` is silently ignored on the wire — the double still records it (requests[].ignored).
 */
import { randomBytes } from "node:crypto";
import type { Clock } from "./clock";
import { goDuration, rfc3339 } from "./clock";
import {
  type AuthBlock,
  type Ctx,
  type RouteTable,
  type TokenEntry,
  bool,
  has,
  list,
  num,
  sanitizePolicies,
  str,
} from "./context";
import { VaultHttpError, badRequest, notFound } from "./errors";
import { FieldError, parseDurationSecond } from "./openapi";

/** Vault's system defaults: default_lease_ttl = max_lease_ttl = 768h (32 days). */
export const SYSTEM_DEFAULT_TTL = 768 * 3600;
export const SYSTEM_MAX_TTL = 768 * 3600;

const BASE62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
export function randomBase62(n: number): string {
  const bytes = randomBytes(n * 2);
  let out = "";
  for (let i = 0; out.length < n && i < bytes.length; i++)
    if (bytes[i] < 248) out += BASE62[bytes[i] % 62];
  while (out.length < n) out += BASE62[randomBytes(1)[0] % 62];
  return out;
}

export function uuid(): string {
  const h = randomBytes(16).toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** token_store.go: "token-" prefix, [^a-zA-Z0-9-] → "-", one trailing "-" trimmed. */
export function normaliseDisplayName(name: string): string {
  if (name === "") return "token";
  const full = `token-${name}`.replace(/[^a-zA-Z0-9-]/g, "-");
  return full.endsWith("-") ? full.slice(0, -1) : full;
}

export interface TokenRole {
  name: string;
  allowed_policies: string[];
  disallowed_policies: string[];
  allowed_policies_glob: string[];
  disallowed_policies_glob: string[];
  allowed_entity_aliases: string[] | null;
  orphan: boolean;
  renewable: boolean;
  path_suffix: string;
  token_period: number;
  token_explicit_max_ttl: number;
  token_no_default_policy: boolean;
  token_num_uses: number;
  token_type: string;
  token_bound_cidrs: string[];
}

export interface CreateOptions {
  policies: string[];
  meta?: Record<string, string> | null;
  displayName?: string;
  ttl?: number;
  explicitMaxTtl?: number;
  period?: number;
  numUses?: number;
  renewable?: boolean;
  parent: string;
  path: string;
  role?: string;
  type?: "service" | "batch";
  id?: string;
  noDefaultPolicy?: boolean;
  /** Max TTL of the issuing mount/role (0 = system max). */
  maxTtl?: number;
  /** Default TTL of the issuing mount (0 = system default). */
  defaultTtl?: number;
  internalMeta?: Record<string, string>;
  /** A display name set by an auth method as is (e.g. "approle"), not token-store normalised. */
  rawDisplayName?: string;
}

export class TokenStore {
  readonly byId = new Map<string, TokenEntry>();
  readonly byAccessor = new Map<string, TokenEntry>();
  readonly roles = new Map<string, TokenRole>();
  private lastSweep = 0;

  constructor(
    private readonly clock: Clock,
    /** Called for each revoked token (approle etc. do not care; audit does not either). */
    private readonly onRevoke: (t: TokenEntry) => void = () => {},
  ) {}

  /** The token if it exists and has not expired (expired trees are revoked first). */
  get(id: string): TokenEntry | undefined {
    this.sweep();
    return this.byId.get(id);
  }

  getByAccessor(accessor: string): TokenEntry | undefined {
    this.sweep();
    return this.byAccessor.get(accessor);
  }

  /** Revoke every token whose time is up (and its children), when the clock has moved. */
  sweep(): void {
    const now = this.clock.now();
    if (now === this.lastSweep) return;
    this.lastSweep = now;
    const expired: TokenEntry[] = [];
    for (const t of this.byId.values()) if (t.expireAt !== 0 && t.expireAt <= now) expired.push(t);
    for (const t of expired) if (this.byId.has(t.id)) this.revokeTree(t.id);
  }

  create(o: CreateOptions): { entry: TokenEntry; warnings: string[] } {
    const warnings: string[] = [];
    const now = this.clock.now();
    const policies = o.noDefaultPolicy
      ? sanitizePolicies(o.policies)
      : sanitizePolicies(o.policies, true);
    let ttl = o.ttl ?? 0;
    const period = o.period ?? 0;
    const explicit = o.explicitMaxTtl ?? 0;
    const isRootToken = policies.includes("root");
    if (period > 0 || ttl > 0 || !isRootToken) {
      // framework.CalculateTTL
      if (period > 0) {
        ttl = period;
        if (explicit > 0 && explicit < ttl) ttl = explicit;
      } else {
        if (ttl === 0) ttl = o.defaultTtl && o.defaultTtl > 0 ? o.defaultTtl : SYSTEM_DEFAULT_TTL;
        let maxTtl = o.maxTtl && o.maxTtl > 0 ? o.maxTtl : SYSTEM_MAX_TTL;
        if (explicit > 0 && explicit < maxTtl) maxTtl = explicit;
        if (ttl > maxTtl) {
          warnings.push(
            `TTL of "${goDuration(ttl)}" exceeded the effective max_ttl of "${goDuration(maxTtl)}"; TTL value is capped accordingly`,
          );
          ttl = maxTtl;
        }
      }
    }
    const type = o.type ?? "service";
    const id = o.id ?? (type === "batch" ? "hvb." : "hvs.") + randomBase62(24);
    if (this.byId.has(id)) throw badRequest("cannot create a token with a duplicate ID");
    const entry: TokenEntry = {
      id,
      accessor: type === "batch" ? "" : randomBase62(24),
      parent: o.parent,
      children: new Set(),
      policies,
      path: o.path,
      meta: o.meta && Object.keys(o.meta).length > 0 ? { ...o.meta } : null,
      displayName: o.rawDisplayName ?? normaliseDisplayName(o.displayName ?? ""),
      numUses: o.numUses ?? 0,
      creationTime: now,
      creationTtl: ttl,
      expireAt: ttl > 0 ? now + ttl * 1000 : 0,
      explicitMaxTtl: explicit,
      period,
      renewable: (o.renewable ?? true) && type !== "batch" && ttl > 0,
      type,
      role: o.role ?? "",
      lastRenewal: 0,
      entityId: "",
      internalMeta: o.internalMeta,
    };
    this.byId.set(id, entry);
    if (entry.accessor) this.byAccessor.set(entry.accessor, entry);
    if (entry.parent) this.byId.get(entry.parent)?.children.add(id);
    return { entry, warnings };
  }

  /** Revoke a token and all its descendants (vault: revokeTree). */
  revokeTree(id: string): void {
    const root = this.byId.get(id);
    if (!root) return;
    const stack = [root];
    const order: TokenEntry[] = [];
    while (stack.length > 0) {
      const t = stack.pop()!;
      order.push(t);
      for (const c of t.children) {
        const child = this.byId.get(c);
        if (child) stack.push(child);
      }
    }
    for (const t of order) this.remove(t);
  }

  /** Revoke only this token; its children become orphans (vault: revokeOrphan). */
  revokeOrphan(id: string): void {
    const t = this.byId.get(id);
    if (!t) return;
    for (const c of t.children) {
      const child = this.byId.get(c);
      if (child) child.parent = "";
    }
    t.children.clear();
    this.remove(t);
  }

  private remove(t: TokenEntry) {
    this.byId.delete(t.id);
    if (t.accessor) this.byAccessor.delete(t.accessor);
    if (t.parent) this.byId.get(t.parent)?.children.delete(t.id);
    this.onRevoke(t);
  }

  ttlLeft(t: TokenEntry): number {
    if (t.expireAt === 0) return 0;
    return Math.max(0, Math.floor((t.expireAt - this.clock.now()) / 1000));
  }

  /** The `auth` block of a login or create response. */
  authBlock(t: TokenEntry): AuthBlock {
    return {
      client_token: t.id,
      accessor: t.accessor,
      policies: [...t.policies],
      token_policies: [...t.policies],
      metadata: t.meta ? { ...t.meta } : null,
      lease_duration: t.creationTtl,
      renewable: t.renewable,
      entity_id: t.entityId,
      token_type: t.type,
      orphan: t.parent === "",
      mfa_requirement: null,
      num_uses: t.numUses,
    };
  }

  /** auth/token/lookup* data (token_store.go handleLookup). */
  lookupData(t: TokenEntry, withId: boolean): Record<string, unknown> {
    const d: Record<string, unknown> = {
      accessor: t.accessor,
      creation_time: Math.floor(t.creationTime / 1000),
      creation_ttl: t.creationTtl,
      display_name: t.displayName,
      entity_id: t.entityId,
      expire_time: t.expireAt ? rfc3339(t.expireAt) : null,
      explicit_max_ttl: t.explicitMaxTtl,
      id: withId ? t.id : "",
      issue_time: rfc3339(t.creationTime),
      meta: t.meta ? { ...t.meta } : null,
      num_uses: t.numUses,
      orphan: t.parent === "",
      path: t.path,
      policies: [...t.policies],
      renewable: t.renewable,
      ttl: this.ttlLeft(t),
      type: t.type,
    };
    if (t.period) d.period = t.period;
    if (t.role) d.role = t.role;
    if (t.lastRenewal) {
      d.last_renewal = rfc3339(t.lastRenewal);
      d.last_renewal_time = Math.floor(t.lastRenewal / 1000);
    }
    return d;
  }

  /** Renew: a periodic token back to its period, others by increment within their max. */
  renew(t: TokenEntry, increment: number): void {
    if (!t.renewable) throw badRequest("invalid lease ID, or lease is not renewable");
    const now = this.clock.now();
    let ttl = t.period > 0 ? t.period : increment > 0 ? increment : t.creationTtl;
    if (t.period === 0) {
      const maxAt =
        t.creationTime +
        (t.explicitMaxTtl > 0 ? Math.min(t.explicitMaxTtl, SYSTEM_MAX_TTL) : SYSTEM_MAX_TTL) * 1000;
      ttl = Math.min(ttl, Math.max(0, Math.floor((maxAt - now) / 1000)));
    } else if (t.explicitMaxTtl > 0) {
      const maxAt = t.creationTime + t.explicitMaxTtl * 1000;
      ttl = Math.min(ttl, Math.max(0, Math.floor((maxAt - now) / 1000)));
    }
    t.expireAt = now + ttl * 1000;
    t.creationTtl = ttl;
    t.lastRenewal = now;
  }
}

// ---------------------------------------------------------------------------------------------
// Routes

export interface TokenDeps {
  store: TokenStore;
  /** Whether the caller has sudo on this path (root or a `sudo` capability). */
  isSudo(ctx: Ctx): boolean;
}

function roleData(r: TokenRole): Record<string, unknown> {
  const d: Record<string, unknown> = {
    allowed_entity_aliases: r.allowed_entity_aliases,
    allowed_policies: [...r.allowed_policies],
    allowed_policies_glob: [...r.allowed_policies_glob],
    disallowed_policies: [...r.disallowed_policies],
    disallowed_policies_glob: [...r.disallowed_policies_glob],
    explicit_max_ttl: r.token_explicit_max_ttl,
    name: r.name,
    orphan: r.orphan,
    path_suffix: r.path_suffix,
    period: r.token_period,
    renewable: r.renewable,
    token_explicit_max_ttl: r.token_explicit_max_ttl,
    token_no_default_policy: r.token_no_default_policy,
    token_num_uses: r.token_num_uses,
    token_period: r.token_period,
    token_type: r.token_type,
  };
  if (r.token_bound_cidrs.length > 0) d.token_bound_cidrs = [...r.token_bound_cidrs];
  return d;
}

function globMatch(pattern: string, s: string): boolean {
  const re = new RegExp(
    "^" +
      pattern
        .split("*")
        .map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*") +
      "$",
  );
  return re.test(s);
}

const fmtList = (l: string[]) => `[${l.join(" ")}]`;

/**
 * auth/token/create takes ttl, explicit_max_ttl and period as strings and parses them itself
 * (parseutil.ParseDurationSecond); a bad one is a 400 with the parser's message.
 */
function durationOf(ctx: Ctx, name: string): number {
  if (!has(ctx, name)) return 0;
  try {
    return parseDurationSecond(ctx.f[name]);
  } catch (e) {
    if (e instanceof FieldError) throw badRequest(e.message);
    throw e;
  }
}

export function tokenRoutes(deps: TokenDeps, routes: RouteTable): void {
  const { store } = deps;

  function createCommon(ctx: Ctx, mode: "create" | "orphan" | "role") {
    const caller = ctx.token!;
    const isRoot = caller.policies.includes("root");
    const isSudo = isRoot || deps.isSudo(ctx);
    let role: TokenRole | undefined;
    if (mode === "role") {
      role = store.roles.get(ctx.params.role_name);
      if (!role) throw badRequest(`unknown role ${ctx.params.role_name}`);
    }
    const numUses = num(ctx, "num_uses") || (role?.token_num_uses ?? 0);
    if (num(ctx, "num_uses") < 0) throw badRequest("number of uses cannot be negative");

    let type: "service" | "batch";
    const reqType = str(ctx, "type");
    const roleType = role?.token_type ?? "default-service";
    if (roleType === "service" || roleType === "batch") {
      if (reqType && reqType !== roleType)
        throw badRequest(`role only allows tokens of type ${roleType}`);
      type = roleType;
    } else if (reqType === "batch" || reqType === "service") type = reqType;
    else if (reqType) throw badRequest(`invalid 'token_type' value "${reqType}"`);
    else type = roleType === "default-batch" ? "batch" : "service";

    let renewable = bool(ctx, "renewable", true);
    if (role && !role.renewable) renewable = false;

    if (has(ctx, "id") && str(ctx, "id") !== "" && !isSudo)
      throw badRequest("root or sudo privileges required to specify token id");

    // Policies
    const requested = sanitizePolicies(list(ctx, "policies"));
    let policies: string[];
    const noDefault = bool(ctx, "no_default_policy") || (role?.token_no_default_policy ?? false);
    const withoutDefault = (l: string[]) => l.filter((p) => p !== "default");
    if (role && (role.allowed_policies.length > 0 || role.allowed_policies_glob.length > 0)) {
      policies = requested.length > 0 ? requested : [...role.allowed_policies];
      const bad = withoutDefault(policies).filter(
        (p) =>
          !role!.allowed_policies.includes(p) &&
          !role!.allowed_policies_glob.some((g) => globMatch(g, p)),
      );
      if (bad.length > 0)
        throw badRequest(
          `token policies (${fmtList(withoutDefault(policies))}) must be subset of the role's allowed policies (${fmtList(role.allowed_policies)})`,
        );
    } else {
      const parentPolicies = withoutDefault(caller.policies);
      policies = requested.length > 0 ? requested : parentPolicies;
      if (role) {
        policies = policies.filter((p) => !role!.disallowed_policies.includes(p));
      }
      if (!isSudo) {
        const callerSet = new Set(caller.policies);
        const extra = withoutDefault(policies).filter((p) => !callerSet.has(p));
        if (extra.length > 0) throw badRequest("child policies must be subset of parent");
      }
    }
    if (role) {
      const hit = withoutDefault(policies).filter(
        (p) =>
          role!.disallowed_policies.includes(p) ||
          role!.disallowed_policies_glob.some((g) => globMatch(g, p)),
      );
      if (hit.length > 0)
        throw badRequest(
          `token policies (${fmtList(policies)}) contains disallowed policies (${fmtList(hit)})`,
        );
    }
    if (policies.includes("root") && !isRoot)
      throw badRequest("root tokens may not be created without parent token being root");

    // Parent
    let parent = caller.id;
    if (mode === "orphan") parent = "";
    else if (role?.orphan) parent = "";
    else if (bool(ctx, "no_parent")) {
      if (!isSudo) throw badRequest("root or sudo privileges required to create orphan token");
      parent = "";
    }
    if (caller.type === "batch" && parent !== "")
      throw badRequest("batch tokens cannot create non-orphan tokens");

    // Period / explicit max TTL
    let period = durationOf(ctx, "period");
    if (role && role.token_period > 0) period = role.token_period;
    else if (period > 0 && !isSudo && !role)
      throw badRequest("root or sudo privileges required to create periodic token");
    let explicit = durationOf(ctx, "explicit_max_ttl");
    if (
      role &&
      role.token_explicit_max_ttl > 0 &&
      (explicit === 0 || explicit > role.token_explicit_max_ttl)
    )
      explicit = role.token_explicit_max_ttl;
    if (explicit > SYSTEM_MAX_TTL && role)
      throw badRequest(
        `role explicit max TTL of ${explicit} is greater than system/mount allowed value of ${SYSTEM_MAX_TTL} seconds`,
      );

    if (type === "batch") {
      if (period > 0) throw badRequest("batch tokens cannot be periodic");
      if (numUses > 0) throw badRequest("batch tokens cannot have a use count limit");
      renewable = false;
    }

    let path = "auth/token/create";
    if (role) path = `${path}/${role.name}${role.path_suffix ? `/${role.path_suffix}` : ""}`;

    const ttl = durationOf(ctx, "ttl") || durationOf(ctx, "lease");
    const { entry, warnings } = store.create({
      policies,
      meta: has(ctx, "meta") ? (ctx.f.meta as Record<string, string>) : null,
      displayName: str(ctx, "display_name"),
      ttl,
      explicitMaxTtl: explicit,
      period,
      numUses,
      renewable,
      parent,
      path,
      role: role?.name,
      type,
      id: str(ctx, "id") || undefined,
      noDefaultPolicy: noDefault,
    });
    return { auth: store.authBlock(entry), warnings };
  }

  const tokenFrom = (ctx: Ctx): string =>
    str(ctx, "token") || (typeof ctx.raw.token === "string" ? ctx.raw.token : "");

  routes.set("/auth/token/create", { write: (ctx) => createCommon(ctx, "create") });
  routes.set("/auth/token/create-orphan", { write: (ctx) => createCommon(ctx, "orphan") });
  routes.set("/auth/token/create/{role_name}", { write: (ctx) => createCommon(ctx, "role") });

  const lookup = (ctx: Ctx) => {
    const id = tokenFrom(ctx);
    if (!id) throw badRequest("missing token to lookup");
    const t = store.get(id);
    if (!t) throw new VaultHttpError(403, ["bad token"]);
    return { data: store.lookupData(t, true) };
  };
  routes.set("/auth/token/lookup", { read: lookup, write: lookup });
  const lookupSelf = (ctx: Ctx) => ({ data: store.lookupData(ctx.token!, true) });
  routes.set("/auth/token/lookup-self", { read: lookupSelf, write: lookupSelf });
  routes.set("/auth/token/lookup-accessor", {
    write: (ctx) => {
      const t = store.getByAccessor(str(ctx, "accessor"));
      if (!t) throw badRequest("invalid accessor");
      return { data: store.lookupData(t, false) };
    },
  });
  routes.set("/auth/token/accessors", {
    list: () => {
      store.sweep();
      return { data: { keys: [...store.byAccessor.keys()] } };
    },
  });
  routes.set("/auth/token/revoke", {
    write: (ctx) => {
      const id = tokenFrom(ctx);
      if (!id) throw badRequest("missing token to revoke");
      store.revokeTree(id);
      return null;
    },
  });
  routes.set("/auth/token/revoke-self", {
    write: (ctx) => {
      store.revokeTree(ctx.token!.id);
      return null;
    },
  });
  routes.set("/auth/token/revoke-accessor", {
    write: (ctx) => {
      const t = store.getByAccessor(str(ctx, "accessor"));
      if (!t) throw badRequest("invalid accessor");
      store.revokeTree(t.id);
      return null;
    },
  });
  routes.set("/auth/token/revoke-orphan", {
    write: (ctx) => {
      const id = tokenFrom(ctx);
      if (!id) throw badRequest("missing token to revoke");
      store.revokeOrphan(id);
      return null;
    },
  });
  const renewAnswer = (t: TokenEntry) => ({ auth: store.authBlock(t) });
  routes.set("/auth/token/renew", {
    write: (ctx) => {
      const t = store.get(tokenFrom(ctx));
      if (!t) throw badRequest("invalid token");
      store.renew(t, num(ctx, "increment"));
      return renewAnswer(t);
    },
  });
  routes.set("/auth/token/renew-self", {
    write: (ctx) => {
      store.renew(ctx.token!, num(ctx, "increment"));
      return renewAnswer(ctx.token!);
    },
  });
  routes.set("/auth/token/renew-accessor", {
    write: (ctx) => {
      const t = store.getByAccessor(str(ctx, "accessor"));
      if (!t) throw badRequest("invalid accessor");
      store.renew(t, num(ctx, "increment"));
      const auth = store.authBlock(t);
      auth.client_token = "";
      return { auth };
    },
  });

  routes.set("/auth/token/roles", {
    list: () => {
      if (store.roles.size === 0) throw notFound();
      return { data: { keys: [...store.roles.keys()].sort() } };
    },
  });
  routes.set("/auth/token/roles/{role_name}", {
    exists: (ctx) => store.roles.has(ctx.params.role_name),
    read: (ctx) => {
      const r = store.roles.get(ctx.params.role_name);
      if (!r) throw notFound();
      return { data: roleData(r) };
    },
    delete: (ctx) => {
      store.roles.delete(ctx.params.role_name);
      return null;
    },
    write: (ctx) => {
      const name = ctx.params.role_name;
      const existing = store.roles.get(name);
      const r: TokenRole = existing
        ? { ...existing }
        : {
            name,
            allowed_policies: [],
            disallowed_policies: [],
            allowed_policies_glob: [],
            disallowed_policies_glob: [],
            allowed_entity_aliases: null,
            orphan: false,
            renewable: true,
            path_suffix: "",
            token_period: 0,
            token_explicit_max_ttl: 0,
            token_no_default_policy: false,
            token_num_uses: 0,
            token_type: "default-service",
            token_bound_cidrs: [],
          };
      const warnings: string[] = [];
      if (has(ctx, "allowed_policies"))
        r.allowed_policies = sanitizePolicies(list(ctx, "allowed_policies"));
      if (has(ctx, "disallowed_policies"))
        r.disallowed_policies = sanitizePolicies(list(ctx, "disallowed_policies"));
      if (has(ctx, "allowed_policies_glob"))
        r.allowed_policies_glob = sanitizePolicies(list(ctx, "allowed_policies_glob"));
      if (has(ctx, "disallowed_policies_glob"))
        r.disallowed_policies_glob = sanitizePolicies(list(ctx, "disallowed_policies_glob"));
      if (has(ctx, "allowed_entity_aliases"))
        r.allowed_entity_aliases = list(ctx, "allowed_entity_aliases");
      if (has(ctx, "orphan")) r.orphan = bool(ctx, "orphan");
      if (has(ctx, "renewable")) r.renewable = bool(ctx, "renewable");
      if (has(ctx, "path_suffix")) {
        const s = str(ctx, "path_suffix");
        if (s !== "" && !/\w[\w-.]+\w/.test(s))
          throw badRequest(
            "given role path suffix contains invalid characters; must match \\w[\\w-.]+\\w",
          );
        r.path_suffix = s;
      }
      if (has(ctx, "token_period")) r.token_period = num(ctx, "token_period");
      else if (has(ctx, "period")) r.token_period = num(ctx, "period");
      if (has(ctx, "token_explicit_max_ttl"))
        r.token_explicit_max_ttl = num(ctx, "token_explicit_max_ttl");
      else if (has(ctx, "explicit_max_ttl"))
        r.token_explicit_max_ttl = num(ctx, "explicit_max_ttl");
      if (has(ctx, "token_no_default_policy"))
        r.token_no_default_policy = bool(ctx, "token_no_default_policy");
      if (has(ctx, "token_num_uses")) r.token_num_uses = num(ctx, "token_num_uses");
      if (has(ctx, "token_bound_cidrs")) r.token_bound_cidrs = list(ctx, "token_bound_cidrs");
      if (has(ctx, "token_type")) {
        const t = str(ctx, "token_type");
        if (!["service", "batch", "default-service", "default-batch"].includes(t))
          throw badRequest(`invalid 'token_type' value "${t}"`);
        r.token_type = t;
      }
      if (r.token_explicit_max_ttl > SYSTEM_MAX_TTL)
        warnings.push(
          `Given explicit max TTL of ${r.token_explicit_max_ttl} is greater than system/mount allowed value of ${SYSTEM_MAX_TTL} seconds; until this is fixed attempting to create tokens against this role will result in an error`,
        );
      if (r.token_type === "batch") {
        if (!r.orphan)
          throw badRequest(
            "'token_type' cannot be 'batch' when role is set to generate non-orphan tokens",
          );
        if (r.token_period !== 0)
          throw badRequest(
            "'token_type' cannot be 'batch' when role is set to generate periodic tokens",
          );
        if (r.renewable)
          throw badRequest(
            "'token_type' cannot be 'batch' when role is set to generate renewable tokens",
          );
        if (r.token_explicit_max_ttl !== 0)
          throw badRequest(
            "'token_type' cannot be 'batch' when role is set to generate tokens with an explicit max TTL",
          );
      }
      store.roles.set(name, r);
      return warnings.length > 0 ? { warnings } : null;
    },
  });
}
