/**
 * The token fields every auth method role shares (Vault's sdk/helper/tokenutil): parsing them
 * from a role write (with the deprecated aliases `policies`, `ttl`, `max_ttl`, `period`,
 * `num_uses`, `bound_cidrs`) and reading them back (PopulateTokenData: durations in seconds,
 * empty lists as [], an unset token_type as "default"); and the token a login issues.
 */
import { type AuthBlock, type Ctx, has, list, num, bool, str, sanitizePolicies } from "./context";
import { badRequest } from "./errors";
import type { MountEntry } from "./sys";
import type { TokenStore } from "./tokens";

export interface TokenFields {
  token_bound_cidrs: string[];
  token_explicit_max_ttl: number;
  token_max_ttl: number;
  token_no_default_policy: boolean;
  token_num_uses: number;
  token_period: number;
  token_policies: string[];
  token_ttl: number;
  token_type: string;
  /** Which deprecated aliases were used (Vault echoes them on read when set). */
  legacy: { policies: boolean; ttl: boolean; max_ttl: boolean; period: boolean; num_uses: boolean };
}

export function emptyTokenFields(): TokenFields {
  return {
    token_bound_cidrs: [],
    token_explicit_max_ttl: 0,
    token_max_ttl: 0,
    token_no_default_policy: false,
    token_num_uses: 0,
    token_period: 0,
    token_policies: [],
    token_ttl: 0,
    token_type: "default",
    legacy: { policies: false, ttl: false, max_ttl: false, period: false, num_uses: false },
  };
}

const TOKEN_TYPES = ["service", "batch", "default", "default-service", "default-batch"];

/** tokenutil.ParseTokenFields: token_* wins over the deprecated alias. */
export function parseTokenFields(ctx: Ctx, into: TokenFields): void {
  const pick = (modern: string, legacy: string | undefined): [string | undefined, boolean] => {
    if (has(ctx, modern)) return [modern, false];
    if (legacy && has(ctx, legacy)) return [legacy, true];
    return [undefined, false];
  };
  let [k, old] = pick("token_policies", "policies");
  if (k) {
    into.token_policies = sanitizePolicies(list(ctx, k));
    into.legacy.policies = old;
  }
  [k, old] = pick("token_ttl", "ttl");
  if (k) {
    into.token_ttl = num(ctx, k);
    into.legacy.ttl = old;
  }
  [k, old] = pick("token_max_ttl", "max_ttl");
  if (k) {
    into.token_max_ttl = num(ctx, k);
    into.legacy.max_ttl = old;
  }
  [k, old] = pick("token_period", "period");
  if (k) {
    into.token_period = num(ctx, k);
    into.legacy.period = old;
  }
  [k, old] = pick("token_num_uses", "num_uses");
  if (k) {
    into.token_num_uses = num(ctx, k);
    into.legacy.num_uses = old;
  }
  if (has(ctx, "token_explicit_max_ttl"))
    into.token_explicit_max_ttl = num(ctx, "token_explicit_max_ttl");
  if (has(ctx, "token_no_default_policy"))
    into.token_no_default_policy = bool(ctx, "token_no_default_policy");
  [k] = pick("token_bound_cidrs", "bound_cidrs");
  if (k) into.token_bound_cidrs = list(ctx, k);
  if (has(ctx, "token_type")) {
    const t = str(ctx, "token_type");
    if (!TOKEN_TYPES.includes(t)) throw badRequest(`invalid 'token_type' value "${t}"`);
    into.token_type = t;
  }
  if (into.token_num_uses < 0) throw badRequest("'token_num_uses' cannot be negative");
  if (into.token_max_ttl > 0 && into.token_ttl > into.token_max_ttl)
    throw badRequest("'token_ttl' cannot be greater than 'token_max_ttl'");
}

/** tokenutil.PopulateTokenData plus the deprecated keys a role echoes when they were used. */
export function populateTokenData(t: TokenFields, d: Record<string, unknown>): void {
  d.token_bound_cidrs = [...t.token_bound_cidrs];
  d.token_explicit_max_ttl = t.token_explicit_max_ttl;
  d.token_max_ttl = t.token_max_ttl;
  d.token_no_default_policy = t.token_no_default_policy;
  d.token_num_uses = t.token_num_uses;
  d.token_period = t.token_period;
  d.token_policies = [...t.token_policies];
  d.token_ttl = t.token_ttl;
  d.token_type = t.token_type;
  if (t.legacy.policies) d.policies = [...t.token_policies];
  if (t.legacy.ttl) d.ttl = t.token_ttl;
  if (t.legacy.max_ttl) d.max_ttl = t.token_max_ttl;
  if (t.legacy.period) d.period = t.token_period;
  if (t.legacy.num_uses) d.num_uses = t.token_num_uses;
}

/**
 * The token a login issues (vault/request_handling.go handleLoginRequest): an orphan, display
 * name "<mount path with / as ->" + the method's name, TTLs from the role within the mount's.
 */
export function issueLoginToken(
  store: TokenStore,
  mount: MountEntry,
  t: TokenFields,
  opts: { displayName?: string; metadata: Record<string, string> },
): AuthBlock {
  const source = mount.path.replace(/\//g, "-");
  const displayName = `${source}${opts.displayName ?? ""}`.replace(/-$/, "");
  const mountMax = mount.config.max_lease_ttl;
  const maxTtl =
    t.token_max_ttl > 0 && (mountMax === 0 || t.token_max_ttl < mountMax)
      ? t.token_max_ttl
      : mountMax;
  const { entry } = store.create({
    policies: t.token_policies,
    noDefaultPolicy: t.token_no_default_policy,
    meta: opts.metadata,
    rawDisplayName: displayName,
    ttl: t.token_ttl,
    defaultTtl: mount.config.default_lease_ttl,
    maxTtl,
    explicitMaxTtl: t.token_explicit_max_ttl,
    period: t.token_period,
    numUses: t.token_num_uses,
    parent: "",
    path: `auth/${mount.path}login`,
    type: t.token_type === "batch" || t.token_type === "default-batch" ? "batch" : "service",
  });
  return store.authBlock(entry);
}
