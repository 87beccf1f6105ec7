/**
 * sys/ endpoints the double models: the secrets and auth mount tables (sys/mounts, sys/auth and
 * their tune paths), ACL policies (sys/policy, sys/policies/acl), capabilities, health.
 * Shapes follow Vault's API docs (api-docs/system/mounts, /auth, /policy, /policies,
 * /capabilities-self) and vault/logical_system.go.
 */
import { randomBytes } from "node:crypto";
import type { Clock } from "./clock";
import { type Ctx, type RouteTable, has, str, list, bool } from "./context";
import { Acl, DEFAULT_POLICY, type ParsedPolicy, PolicyParseError, parsePolicy } from "./acl";
import { badRequest, notFound, permissionDenied } from "./errors";
import { parseDurationSecond, FieldError } from "./openapi";
import { uuid } from "./tokens";

export interface MountEntry {
  /** With trailing slash, without "auth/" for auth mounts ("secret/", "approle/"). */
  path: string;
  type: string;
  description: string;
  accessor: string;
  uuid: string;
  config: { default_lease_ttl: number; max_lease_ttl: number; force_no_cache: boolean };
  options: Record<string, string> | null;
  local: boolean;
  seal_wrap: boolean;
  external_entropy_access: boolean;
}

/** Built-in secrets engine and auth method types the double will mount (others are refused). */
const SECRET_TYPES = new Set([
  "kv",
  "kv-v2",
  "transit",
  "pki",
  "database",
  "ssh",
  "totp",
  "aws",
  "gcp",
  "azure",
  "kubernetes",
  "ldap",
  "consul",
  "nomad",
  "rabbitmq",
  "terraform",
]);
const AUTH_TYPES = new Set([
  "approle",
  "jwt",
  "oidc",
  "kubernetes",
  "userpass",
  "ldap",
  "github",
  "aws",
  "gcp",
  "azure",
  "cert",
  "okta",
  "radius",
]);

const accessorFor = (type: string) => `${type}_${randomBytes(4).toString("hex")}`;

export function newMount(path: string, type: string, opts: Partial<MountEntry> = {}): MountEntry {
  return {
    path,
    type,
    description: opts.description ?? "",
    accessor: accessorFor(type),
    uuid: uuid(),
    config: opts.config ?? { default_lease_ttl: 0, max_lease_ttl: 0, force_no_cache: false },
    options: opts.options ?? null,
    local: opts.local ?? false,
    seal_wrap: opts.seal_wrap ?? false,
    external_entropy_access: false,
  };
}

function mountView(m: MountEntry) {
  return {
    accessor: m.accessor,
    config: { ...m.config },
    description: m.description,
    external_entropy_access: m.external_entropy_access,
    local: m.local,
    options: m.options ? { ...m.options } : null,
    plugin_version: "",
    running_plugin_version: `v1.15.0+builtin.vault`,
    running_sha256: "",
    seal_wrap: m.seal_wrap,
    type: m.type,
    uuid: m.uuid,
  };
}

export class PolicyStore {
  private readonly policies = new Map<string, ParsedPolicy>();
  private readonly aclCache = new Map<string, Acl>();

  constructor() {
    this.policies.set("default", parsePolicy("default", DEFAULT_POLICY));
  }

  names(): string[] {
    return [...this.policies.keys(), "root"].sort();
  }
  get(name: string): ParsedPolicy | undefined {
    return this.policies.get(name);
  }
  set(name: string, raw: string): void {
    this.policies.set(name, parsePolicy(name, raw));
    this.aclCache.clear();
  }
  delete(name: string): void {
    this.policies.delete(name);
    this.aclCache.clear();
  }

  /** The merged ACL of a policy list, built once per distinct list (until a policy changes). */
  acl(policyNames: readonly string[]): Acl {
    const key = policyNames.join(",");
    let acl = this.aclCache.get(key);
    if (!acl) {
      const parsed = policyNames
        .map((n) => this.policies.get(n))
        .filter((p): p is ParsedPolicy => p !== undefined);
      acl = new Acl(parsed, policyNames.includes("root"));
      this.aclCache.set(key, acl);
    }
    return acl;
  }
}

export interface SysDeps {
  clock: Clock;
  policies: PolicyStore;
  mounts: Map<string, MountEntry>;
  authMounts: Map<string, MountEntry>;
  onMount(m: MountEntry): void;
  onUnmount(m: MountEntry): void;
  onAuthUnmount(m: MountEntry): void;
  /** Token's ACL for sys/capabilities*. */
  capabilitiesOf(tokenPolicies: readonly string[], path: string): string[];
  tokenByIdOrAccessor(kind: "id" | "accessor", v: string): { policies: string[] } | undefined;
  sealed(): boolean;
  standby(): boolean;
}

function durationField(v: unknown, field: string): number {
  try {
    return parseDurationSecond(v);
  } catch (e) {
    if (e instanceof FieldError) throw badRequest(`invalid ${field}: ${e.message}`);
    throw e;
  }
}

function normMountPath(p: string): string {
  const s = p.replace(/^\/+/, "");
  return s.endsWith("/") ? s : `${s}/`;
}

export function sysRoutes(deps: SysDeps, routes: RouteTable): void {
  const { policies } = deps;

  // ---- secrets engines
  const mountsList = (table: Map<string, MountEntry>) => {
    const data: Record<string, unknown> = {};
    for (const m of [...table.values()].sort((a, b) => a.path.localeCompare(b.path)))
      data[m.path] = mountView(m);
    return { data, top: data };
  };
  routes.set("/sys/mounts", { read: () => mountsList(deps.mounts) });

  const enable = (ctx: Ctx, table: Map<string, MountEntry>, auth: boolean) => {
    const path = normMountPath(ctx.params.path);
    let type = str(ctx, "type");
    if (!type) throw badRequest("backend type must be specified as a string");
    let options = has(ctx, "options")
      ? Object.fromEntries(
          Object.entries(ctx.f.options as Record<string, unknown>).map(([k, v]) => [k, String(v)]),
        )
      : null;
    if (!auth && type === "kv-v2") {
      type = "kv";
      options = { ...(options ?? {}), version: "2" };
    }
    if (!(auth ? AUTH_TYPES : SECRET_TYPES).has(type))
      throw badRequest(`plugin not found in the catalog: ${type}`);
    const reserved = auth ? ["token/"] : ["sys/", "auth/", "cubbyhole/", "identity/"];
    for (const r of reserved)
      if (path.startsWith(r)) throw badRequest(`cannot mount under a protected path: ${r}`);
    for (const existing of table.keys())
      if (path.startsWith(existing) || existing.startsWith(path))
        throw badRequest(`path is already in use at ${existing}`);
    const cfg = (ctx.f.config ?? {}) as Record<string, unknown>;
    const m = newMount(path, type, {
      description: str(ctx, "description"),
      options,
      local: bool(ctx, "local"),
      seal_wrap: bool(ctx, "seal_wrap"),
      config: {
        default_lease_ttl: durationField(cfg.default_lease_ttl, "default_lease_ttl"),
        max_lease_ttl: durationField(cfg.max_lease_ttl, "max_lease_ttl"),
        force_no_cache: Boolean(cfg.force_no_cache ?? false),
      },
    });
    table.set(path, m);
    deps.onMount(m);
    return null;
  };

  const tuneRead = (m: MountEntry | undefined) => {
    if (!m) throw badRequest("cannot fetch sysview for path");
    const d: Record<string, unknown> = {
      default_lease_ttl: m.config.default_lease_ttl || 768 * 3600,
      description: m.description,
      force_no_cache: m.config.force_no_cache,
      max_lease_ttl: m.config.max_lease_ttl || 768 * 3600,
    };
    if (m.options) d.options = { ...m.options };
    return { data: d, top: d };
  };
  const tuneWrite = (ctx: Ctx, m: MountEntry | undefined) => {
    if (!m) throw badRequest("cannot fetch sysview for path");
    if (has(ctx, "default_lease_ttl"))
      m.config.default_lease_ttl = durationField(ctx.f.default_lease_ttl, "default_lease_ttl");
    if (has(ctx, "max_lease_ttl"))
      m.config.max_lease_ttl = durationField(ctx.f.max_lease_ttl, "max_lease_ttl");
    if (has(ctx, "description")) m.description = str(ctx, "description");
    if (has(ctx, "options")) {
      const o = ctx.f.options as Record<string, unknown>;
      m.options = { ...(m.options ?? {}) };
      for (const [k, v] of Object.entries(o)) m.options[k] = String(v);
      deps.onMount(m);
    }
    return null;
  };

  routes.set("/sys/mounts/{path}", {
    read: (ctx) => {
      const m = deps.mounts.get(normMountPath(ctx.params.path));
      if (!m) throw badRequest(`No secret engine mount at ${normMountPath(ctx.params.path)}`);
      return { data: mountView(m) };
    },
    write: (ctx) => enable(ctx, deps.mounts, false),
    delete: (ctx) => {
      const path = normMountPath(ctx.params.path);
      const m = deps.mounts.get(path);
      if (m) {
        if (["sys/", "cubbyhole/", "identity/"].includes(path))
          throw badRequest(`cannot unmount "${path}"`);
        deps.mounts.delete(path);
        deps.onUnmount(m);
      }
      // Vault answers success for a path with no mount (logical_system.go handleUnmount).
      return null;
    },
  });
  routes.set("/sys/mounts/{path}/tune", {
    read: (ctx) => tuneRead(deps.mounts.get(normMountPath(ctx.params.path))),
    write: (ctx) => tuneWrite(ctx, deps.mounts.get(normMountPath(ctx.params.path))),
  });

  // ---- auth methods
  routes.set("/sys/auth", { read: () => mountsList(deps.authMounts) });
  routes.set("/sys/auth/{path}", {
    read: (ctx) => {
      const m = deps.authMounts.get(normMountPath(ctx.params.path));
      if (!m) throw badRequest(`No auth engine at auth/${normMountPath(ctx.params.path)}`);
      return { data: mountView(m) };
    },
    write: (ctx) => enable(ctx, deps.authMounts, true),
    delete: (ctx) => {
      const path = normMountPath(ctx.params.path);
      if (path === "token/") throw badRequest("token credential backend cannot be disabled");
      const m = deps.authMounts.get(path);
      if (m) {
        deps.authMounts.delete(path);
        deps.onAuthUnmount(m);
      }
      return null;
    },
  });
  routes.set("/sys/auth/{path}/tune", {
    read: (ctx) => tuneRead(deps.authMounts.get(normMountPath(ctx.params.path))),
    write: (ctx) => tuneWrite(ctx, deps.authMounts.get(normMountPath(ctx.params.path))),
  });

  // ---- policies
  const policyName = (ctx: Ctx) => ctx.params.name.toLowerCase();
  const writePolicy = (ctx: Ctx, field: "policy" | "rules") => {
    const name = policyName(ctx);
    if (name === "root") throw badRequest('cannot update "root" policy');
    const raw = str(ctx, field) || str(ctx, field === "policy" ? "rules" : "policy");
    if (!raw) throw badRequest("'policy' parameter not supplied or empty");
    try {
      policies.set(name, raw);
    } catch (e) {
      if (e instanceof PolicyParseError) throw badRequest(`failed to parse policy: ${e.message}`);
      throw e;
    }
    return null;
  };
  const deletePolicy = (ctx: Ctx) => {
    const name = policyName(ctx);
    if (name === "default") throw badRequest('cannot delete "default" policy');
    if (name === "root") throw badRequest('cannot delete "root" policy');
    policies.delete(name);
    return null;
  };
  const readPolicy = (ctx: Ctx, field: "policy" | "rules") => {
    const name = policyName(ctx);
    if (name === "root") return { data: { name: "root", [field]: "" } };
    const p = policies.get(name);
    if (!p) throw notFound();
    const data = { name, [field]: p.raw };
    return field === "rules" ? { data, top: data } : { data };
  };
  routes.set("/sys/policy", {
    read: () => {
      const names = policies.names();
      const data = { keys: names, policies: names };
      return { data, top: data };
    },
  });
  routes.set("/sys/policy/{name}", {
    exists: (ctx) => policies.get(policyName(ctx)) !== undefined,
    read: (ctx) => readPolicy(ctx, "rules"),
    write: (ctx) => writePolicy(ctx, "rules"),
    delete: deletePolicy,
  });
  routes.set("/sys/policies/acl", {
    list: () => ({ data: { keys: policies.names() } }),
  });
  routes.set("/sys/policies/acl/{name}", {
    exists: (ctx) => policies.get(policyName(ctx)) !== undefined,
    read: (ctx) => readPolicy(ctx, "policy"),
    write: (ctx) => writePolicy(ctx, "policy"),
    delete: deletePolicy,
  });

  // ---- capabilities (api-docs/system/capabilities*)
  const capsAnswer = (tokenPolicies: readonly string[], ctx: Ctx) => {
    const paths = has(ctx, "paths")
      ? list(ctx, "paths")
      : has(ctx, "path")
        ? list(ctx, "path")
        : [];
    if (paths.length === 0) throw badRequest("paths must be supplied");
    const data: Record<string, unknown> = {};
    for (const p of paths) data[p] = deps.capabilitiesOf(tokenPolicies, p.replace(/^\//, ""));
    // Kept for backwards compatibility by Vault when one path is asked (logical_system.go).
    if (paths.length === 1) data.capabilities = data[paths[0]];
    return { data, top: data };
  };
  routes.set("/sys/capabilities-self", {
    write: (ctx) => capsAnswer(ctx.token!.policies, ctx),
  });
  routes.set("/sys/capabilities", {
    write: (ctx) => {
      const t = deps.tokenByIdOrAccessor("id", str(ctx, "token"));
      if (!t) throw badRequest("invalid token");
      return capsAnswer(t.policies, ctx);
    },
  });
  routes.set("/sys/capabilities-accessor", {
    write: (ctx) => {
      const t = deps.tokenByIdOrAccessor("accessor", str(ctx, "accessor"));
      if (!t) throw badRequest("invalid accessor");
      return capsAnswer(t.policies, ctx);
    },
  });

  routes.set("/sys/seal-status", {
    read: () => ({
      bare: true,
      data: {
        type: "shamir",
        initialized: true,
        sealed: deps.sealed(),
        t: 1,
        n: 1,
        progress: 0,
        nonce: "",
        version: "1.15.0",
        build_date: "2023-09-22T16:53:10Z",
        migration: false,
        cluster_name: "vault-double",
        cluster_id: "00000000-0000-0000-0000-000000000000",
        recovery_seal: false,
        storage_type: "inmem",
      },
    }),
  });

  // The mount serving a path, as the Vault CLI asks before `vault kv …` (it needs a token; Vault
  // answers 403 without one or when the token can reach nothing under the mount).
  routes.set("/sys/internal/ui/mounts/{path}", {
    read: (ctx) => {
      if (!ctx.token) throw permissionDenied();
      const p = ctx.params.path.replace(/^\/+/, "");
      const isAuth = p.startsWith("auth/");
      const table = isAuth ? deps.authMounts : deps.mounts;
      const inner = isAuth ? p.slice(5) : p;
      const probe = inner.endsWith("/") ? inner : `${inner}/`;
      let best: MountEntry | undefined;
      for (const m of table.values())
        if (probe.startsWith(m.path) && (!best || m.path.length > best.path.length)) best = m;
      if (!best) throw badRequest(`no mount found for path "${p}"`);
      return { data: { ...mountView(best), path: isAuth ? `auth/${best.path}` : best.path } };
    },
  });

  routes.set("/sys/health", {
    read: () => {
      const data = {
        initialized: true,
        sealed: deps.sealed(),
        standby: deps.standby(),
        performance_standby: false,
        replication_performance_mode: "disabled",
        replication_dr_mode: "disabled",
        server_time_utc: Math.floor(deps.clock.now() / 1000),
        version: "1.15.0",
        cluster_name: "vault-double",
        cluster_id: "00000000-0000-0000-0000-000000000000",
      };
      // sys/health answers with its body at the top level and a status that tells the state.
      return { data, bare: true, status: deps.sealed() ? 503 : deps.standby() ? 429 : 200 };
    },
  });
}
