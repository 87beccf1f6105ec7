/**
 * AppRole auth (builtin/credential/approle in Vault: path_role.go, path_login.go), per mount:
 * roles with their token fields, role-id, secret-id (generate — response-wrapped when the request
 * carries X-Vault-Wrap-TTL —, lookup, destroy, by accessor too, LIST accessors), login honouring
 * secret_id_ttl and secret_id_num_uses, the issued token's TTLs from the role.
 */
import { rfc3339 } from "./clock";
import { type Ctx, type RouteTable, bool, has, list, num, str } from "./context";
import { badRequest, notFound } from "./errors";
import {
  type TokenFields,
  emptyTokenFields,
  issueLoginToken,
  parseTokenFields,
  populateTokenData,
} from "./auth-common";
import type { MountEntry } from "./sys";
import { type TokenStore, uuid } from "./tokens";
import type { Clock } from "./clock";

interface Role {
  name: string;
  roleId: string;
  bind_secret_id: boolean;
  secret_id_bound_cidrs: string[] | null;
  secret_id_num_uses: number;
  secret_id_ttl: number;
  local_secret_ids: boolean;
  token: TokenFields;
}

interface SecretId {
  secretId: string;
  accessor: string;
  roleName: string;
  creation: number;
  /** ms; 0 = never. */
  expiration: number;
  lastUpdated: number;
  /** 0 = unlimited. */
  numUses: number;
  ttl: number;
  metadata: Record<string, string>;
  cidrList: string[];
  tokenBoundCidrs: string[];
}

class ApproleState {
  readonly roles = new Map<string, Role>();
  readonly roleIds = new Map<string, string>();
  readonly secretIds = new Map<string, SecretId>();
  readonly accessors = new Map<string, SecretId>();

  constructor(private readonly clock: Clock) {}

  /** The secret ID if it exists and has not expired (an expired one is removed). */
  live(s: SecretId | undefined): SecretId | undefined {
    if (!s) return undefined;
    if (s.expiration !== 0 && s.expiration <= this.clock.now()) {
      this.remove(s);
      return undefined;
    }
    return s;
  }
  remove(s: SecretId) {
    this.secretIds.delete(s.secretId);
    this.accessors.delete(s.accessor);
  }
}

export interface ApproleDeps {
  clock: Clock;
  tokens: TokenStore;
  mountOf(ctx: Ctx): MountEntry;
  onUnmount(hook: (m: MountEntry) => void): void;
}

export function approleRoutes(deps: ApproleDeps, routes: RouteTable): void {
  const states = new Map<string, ApproleState>();
  deps.onUnmount((m) => states.delete(`auth/${m.path}`));
  const state = (ctx: Ctx) => {
    let s = states.get(ctx.mountPath);
    if (!s) {
      s = new ApproleState(deps.clock);
      states.set(ctx.mountPath, s);
    }
    return s;
  };
  const roleOf = (ctx: Ctx): Role => {
    const r = state(ctx).roles.get(ctx.params.role_name);
    if (!r) throw badRequest(`role "${ctx.params.role_name}" does not exist`);
    return r;
  };

  const roleData = (r: Role): Record<string, unknown> => {
    const d: Record<string, unknown> = {
      bind_secret_id: r.bind_secret_id,
      local_secret_ids: r.local_secret_ids,
      secret_id_bound_cidrs: r.secret_id_bound_cidrs ? [...r.secret_id_bound_cidrs] : null,
      secret_id_num_uses: r.secret_id_num_uses,
      secret_id_ttl: r.secret_id_ttl,
    };
    populateTokenData(r.token, d);
    return d;
  };

  routes.set("/auth/{approle_mount_path}/role", {
    list: (ctx) => {
      const keys = [...state(ctx).roles.keys()].sort();
      if (keys.length === 0) throw notFound();
      return { data: { keys } };
    },
  });

  routes.set("/auth/{approle_mount_path}/role/{role_name}", {
    exists: (ctx) => state(ctx).roles.has(ctx.params.role_name),
    read: (ctx) => {
      const r = state(ctx).roles.get(ctx.params.role_name);
      if (!r) throw notFound();
      return { data: roleData(r) };
    },
    write: (ctx) => {
      const s = state(ctx);
      const name = ctx.params.role_name;
      const existing = s.roles.get(name);
      const r: Role = existing
        ? { ...existing, token: { ...existing.token, legacy: { ...existing.token.legacy } } }
        : {
            name,
            roleId: "",
            bind_secret_id: true,
            secret_id_bound_cidrs: null,
            secret_id_num_uses: 0,
            secret_id_ttl: 0,
            local_secret_ids: false,
            token: emptyTokenFields(),
          };
      if (has(ctx, "bind_secret_id")) r.bind_secret_id = bool(ctx, "bind_secret_id");
      if (has(ctx, "secret_id_bound_cidrs"))
        r.secret_id_bound_cidrs = list(ctx, "secret_id_bound_cidrs");
      else if (has(ctx, "bound_cidr_list")) r.secret_id_bound_cidrs = list(ctx, "bound_cidr_list");
      if (has(ctx, "secret_id_num_uses")) {
        r.secret_id_num_uses = num(ctx, "secret_id_num_uses");
        if (r.secret_id_num_uses < 0) throw badRequest("secret_id_num_uses cannot be negative");
      }
      if (has(ctx, "secret_id_ttl")) r.secret_id_ttl = num(ctx, "secret_id_ttl");
      if (!existing && has(ctx, "local_secret_ids"))
        r.local_secret_ids = bool(ctx, "local_secret_ids");
      parseTokenFields(ctx, r.token);
      const wantRoleId = str(ctx, "role_id");
      if (
        !r.bind_secret_id &&
        (r.secret_id_bound_cidrs ?? []).length === 0 &&
        r.token.token_bound_cidrs.length === 0
      )
        throw badRequest("at least one constraint should be enabled on the role");
      if (wantRoleId) {
        const owner = s.roleIds.get(wantRoleId);
        if (owner && owner !== name) throw badRequest("role_id already in use");
        if (r.roleId) s.roleIds.delete(r.roleId);
        r.roleId = wantRoleId;
      } else if (!r.roleId) r.roleId = uuid();
      s.roleIds.set(r.roleId, name);
      s.roles.set(name, r);
      return null;
    },
    delete: (ctx) => {
      const s = state(ctx);
      const r = s.roles.get(ctx.params.role_name);
      if (r) {
        s.roles.delete(r.name);
        s.roleIds.delete(r.roleId);
        for (const sid of [...s.secretIds.values()]) if (sid.roleName === r.name) s.remove(sid);
      }
      return null;
    },
  });

  routes.set("/auth/{approle_mount_path}/role/{role_name}/role-id", {
    read: (ctx) => {
      const r = state(ctx).roles.get(ctx.params.role_name);
      if (!r) throw notFound();
      return { data: { role_id: r.roleId } };
    },
    write: (ctx) => {
      const s = state(ctx);
      const r = roleOf(ctx);
      const id = str(ctx, "role_id");
      if (!id) throw badRequest("missing role_id");
      const owner = s.roleIds.get(id);
      if (owner && owner !== r.name) throw badRequest("role_id already in use");
      s.roleIds.delete(r.roleId);
      r.roleId = id;
      s.roleIds.set(id, r.name);
      return null;
    },
  });

  const secretIdData = (sid: SecretId) => ({
    cidr_list: [...sid.cidrList],
    creation_time: rfc3339(sid.creation),
    expiration_time: sid.expiration ? rfc3339(sid.expiration) : "0001-01-01T00:00:00Z",
    last_updated_time: rfc3339(sid.lastUpdated),
    metadata: { ...sid.metadata },
    secret_id_accessor: sid.accessor,
    secret_id_num_uses: sid.numUses,
    secret_id_ttl: sid.ttl,
    token_bound_cidrs: [...sid.tokenBoundCidrs],
  });

  routes.set("/auth/{approle_mount_path}/role/{role_name}/secret-id", {
    write: (ctx) => {
      const s = state(ctx);
      const r = roleOf(ctx);
      if (!r.bind_secret_id) throw badRequest("bind_secret_id is not set on the role");
      let ttl = r.secret_id_ttl;
      if (has(ctx, "ttl")) {
        const want = num(ctx, "ttl");
        if (r.secret_id_ttl > 0 && want > r.secret_id_ttl)
          throw badRequest("ttl cannot be longer than the role's secret_id_ttl");
        ttl = want;
      }
      let numUses = r.secret_id_num_uses;
      if (has(ctx, "num_uses")) {
        const want = num(ctx, "num_uses");
        if (want < 0) throw badRequest("num_uses cannot be negative");
        if (r.secret_id_num_uses > 0 && (want === 0 || want > r.secret_id_num_uses))
          throw badRequest("num_uses cannot be higher than the role's secret_id_num_uses");
        numUses = want;
      }
      let metadata: Record<string, string> = {};
      const rawMeta = str(ctx, "metadata");
      if (rawMeta) {
        try {
          const parsed: unknown = JSON.parse(rawMeta);
          if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
            throw new Error("not an object");
          metadata = Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
        } catch (e) {
          throw badRequest(`failed to parse metadata: ${(e as Error).message}`);
        }
      }
      const now = deps.clock.now();
      const sid: SecretId = {
        secretId: uuid(),
        accessor: uuid(),
        roleName: r.name,
        creation: now,
        expiration: ttl > 0 ? now + ttl * 1000 : 0,
        lastUpdated: now,
        numUses,
        ttl,
        metadata,
        cidrList: list(ctx, "cidr_list"),
        tokenBoundCidrs: list(ctx, "token_bound_cidrs"),
      };
      s.secretIds.set(sid.secretId, sid);
      s.accessors.set(sid.accessor, sid);
      return {
        data: {
          secret_id: sid.secretId,
          secret_id_accessor: sid.accessor,
          secret_id_num_uses: numUses,
          secret_id_ttl: ttl,
        },
      };
    },
  });
  routes.set("/auth/{approle_mount_path}/role/{role_name}/secret-id", {
    ...routes.get("/auth/{approle_mount_path}/role/{role_name}/secret-id"),
    list: (ctx) => {
      const s = state(ctx);
      const r = roleOf(ctx);
      const keys = [...s.secretIds.values()]
        .filter((x) => x.roleName === r.name && s.live(x))
        .map((x) => x.accessor);
      if (keys.length === 0) throw notFound();
      return { data: { keys } };
    },
  });

  const byAccessor = (ctx: Ctx) => {
    const s = state(ctx);
    const r = roleOf(ctx);
    const acc = str(ctx, "secret_id_accessor");
    if (!acc) throw badRequest("missing secret_id_accessor");
    const sid = s.live(s.accessors.get(acc));
    if (!sid || sid.roleName !== r.name)
      throw badRequest(`failed to find accessor entry for secret_id_accessor: "${acc}"`);
    return sid;
  };
  const bySecretId = (ctx: Ctx) => {
    const s = state(ctx);
    const r = roleOf(ctx);
    const id = str(ctx, "secret_id");
    if (!id) throw badRequest("missing secret_id");
    const sid = s.live(s.secretIds.get(id));
    return sid && sid.roleName === r.name ? sid : undefined;
  };
  routes.set("/auth/{approle_mount_path}/role/{role_name}/secret-id-accessor/lookup", {
    write: (ctx) => ({ data: secretIdData(byAccessor(ctx)) }),
  });
  routes.set("/auth/{approle_mount_path}/role/{role_name}/secret-id-accessor/destroy", {
    write: (ctx) => {
      state(ctx).remove(byAccessor(ctx));
      return null;
    },
    delete: (ctx) => {
      state(ctx).remove(byAccessor(ctx));
      return null;
    },
  });
  // An unknown secret ID reads as nothing (a 204), as Vault's handler returns a nil response.
  routes.set("/auth/{approle_mount_path}/role/{role_name}/secret-id/lookup", {
    write: (ctx) => {
      const sid = bySecretId(ctx);
      return sid ? { data: secretIdData(sid) } : null;
    },
  });
  routes.set("/auth/{approle_mount_path}/role/{role_name}/secret-id/destroy", {
    write: (ctx) => {
      const sid = bySecretId(ctx);
      if (sid) state(ctx).remove(sid);
      return null;
    },
    delete: (ctx) => {
      const sid = bySecretId(ctx);
      if (sid) state(ctx).remove(sid);
      return null;
    },
  });

  routes.set("/auth/{approle_mount_path}/login", {
    write: (ctx) => {
      const s = state(ctx);
      const roleId = str(ctx, "role_id");
      if (!roleId) throw badRequest("missing role_id");
      const name = s.roleIds.get(roleId);
      const r = name ? s.roles.get(name) : undefined;
      if (!r) throw badRequest("invalid role or secret ID");
      const metadata: Record<string, string> = { role_name: r.name };
      if (r.bind_secret_id) {
        const secret = str(ctx, "secret_id");
        if (!secret) throw badRequest("missing secret_id");
        const sid = s.live(s.secretIds.get(secret));
        if (!sid || sid.roleName !== r.name) throw badRequest("invalid role or secret ID");
        if (sid.numUses > 0) {
          sid.numUses -= 1;
          sid.lastUpdated = deps.clock.now();
          if (sid.numUses === 0) s.remove(sid);
        }
        Object.assign(metadata, sid.metadata);
      }
      const auth = issueLoginToken(deps.tokens, deps.mountOf(ctx), r.token, { metadata });
      return { auth };
    },
  });
}
