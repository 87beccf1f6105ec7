/**
 * Vault resources from any IaC source → the `vault` part of the policy input. Each source adapter
 * (Pulumi resources, `tokenwarden plan` JSON, Terraform JSON and plans) maps its resource types to
 * one of four kinds and hands over camelCase properties with the fields whose values are unknown
 * at preview already taken out and listed — so an unknown is reported, never passed as a value.
 * Values are read field by field: secret material (token values, KV data) is never copied.
 */
import { ttlSeconds } from "./duration";
import { parsePolicyHcl } from "./hcl";
import { isRecord, type NeedsSide } from "./declaration";
import { boundClaims } from "./bindings";
import type { InputPolicy, InputRole, InputSecret, InputToken, PolicyInput } from "./types";

export type RoleKind = "approle" | "kubernetes" | "jwt" | "token";

export type ResourceKind =
  | { readonly kind: "policy" }
  | { readonly kind: "token" }
  | { readonly kind: "role"; readonly role: RoleKind }
  | { readonly kind: "secret"; readonly version: 1 | 2 };

export interface NeutralResource {
  readonly type: ResourceKind;
  /** Pulumi URN, Terraform address or plan resource name: where a person fixes it. */
  readonly source: string;
  /** The resource's own name (Pulumi logical name, Terraform resource name). */
  readonly name: string;
  /** camelCase inputs, unknown values removed. */
  readonly props: Readonly<Record<string, unknown>>;
  /** camelCase names of inputs whose values are not known yet. */
  readonly unknown: readonly string[];
  /** Inputs holding a literal token value in plain configuration (source-specific check). */
  readonly plainTokenFields?: readonly string[];
}

/** Resource fields that carry token material and must be secret (TW011). */
const TOKEN_FIELDS = new Set(["dataJson", "dataJsonWo", "data", "clientToken"]);

/**
 * Metadata keys the rules read (which need, whose, what scopes): an unknown value under one of
 * these is reported; other metadata (e.g. the next rotation time, computed at apply) is not judged.
 */
const JUDGED_META_KEYS = new Set(["need", "owner", "consumer", "provider", "scopes"]);

/** Builds the vault objects. HCL parsing makes this async; policies parse concurrently. */
export async function vaultFromResources(
  resources: readonly NeutralResource[],
  needs: NeedsSide,
): Promise<Pick<PolicyInput, "vault" | "plain_values">> {
  const needByPolicy = new Map(needs.needs.map((n) => [n.policy_name, n.name]));
  const needNames = new Set(needs.needs.map((n) => n.name));
  const consumerNames = new Set(needs.consumers.map((c) => c.name));
  const vault: PolicyInput["vault"] = { policies: [], tokens: [], roles: [], secrets: [] };
  const plainValues: { source: string; field: string }[] = [];
  const pending: Promise<InputPolicy>[] = [];
  const tokenRoles = new Map<InputToken, string>();

  for (const r of resources) {
    for (const [field, value] of Object.entries(r.props)) {
      if (TOKEN_FIELDS.has(field)) continue;
      if (typeof value === "string" && looksLikeToken(value)) {
        plainValues.push({ source: r.source, field });
      } else if (isRecord(value)) {
        for (const [k, v] of Object.entries(value)) {
          if (typeof v === "string" && looksLikeToken(v))
            plainValues.push({ source: r.source, field: `${field}.${k}` });
        }
      }
    }
    switch (r.type.kind) {
      case "policy":
        pending.push(policyItem(r, needByPolicy));
        break;
      case "token": {
        const token = tokenItem(r, needNames);
        vault.tokens.push(token);
        const role = str(r.props.roleName);
        if (role !== undefined) tokenRoles.set(token, role);
        break;
      }
      case "role":
        vault.roles.push(roleItem(r, r.type.role, consumerNames));
        break;
      case "secret":
        vault.secrets.push(secretItem(r, r.type.version, needNames));
        break;
    }
  }
  capByTokenRole(vault, tokenRoles);
  vault.policies = await Promise.all(pending);
  return plainValues.length ? { vault, plain_values: plainValues } : { vault };
}

/**
 * A token created against a token role that sets `token_explicit_max_ttl` gets that explicit max
 * TTL from Vault, whether or not the token resource repeats it (tokenwarden's renderers leave it
 * to the role). So the token is judged with the cap it will have.
 */
function capByTokenRole(vault: PolicyInput["vault"], tokenRoles: Map<InputToken, string>): void {
  const caps = new Map<string, number>();
  for (const role of vault.roles) {
    const cap = role.token_explicit_max_ttl_seconds;
    if (role.kind === "token" && typeof cap === "number") caps.set(role.name, cap);
  }
  for (const [token, roleName] of tokenRoles) {
    const cap = caps.get(roleName);
    if (token.explicit_max_ttl_seconds === null && cap !== undefined) {
      token.explicit_max_ttl_seconds = cap;
    }
  }
}

async function policyItem(
  r: NeutralResource,
  needByPolicy: Map<string, string>,
): Promise<InputPolicy> {
  const name = str(r.props.name) ?? r.name;
  const item: InputPolicy = { name, source: r.source, rules: [] };
  const need = needByPolicy.get(name);
  if (need !== undefined) item.need = need;
  withUnknown(item, r, { name: "name", policy: "policy" });
  const text = r.props.policy;
  if (typeof text === "string") {
    const parsed = await parsePolicyHcl(name, text);
    if (parsed.ok) item.rules = parsed.rules;
    else item.parse_error = parsed.error;
  } else if (!r.unknown.includes("policy")) {
    item.parse_error = "no policy document";
  }
  return item;
}

function tokenItem(r: NeutralResource, needNames: Set<string>): InputToken {
  const p = r.props;
  const meta = stringMap(p.metadata);
  const item: InputToken = {
    name: str(p.displayName) ?? r.name,
    source: r.source,
    policies: strings(p.policies),
    ttl_seconds: ttlSeconds(p.ttl),
    explicit_max_ttl_seconds: ttlSeconds(p.explicitMaxTtl),
    period_seconds: ttlSeconds(p.period),
    renewable: p.renewable === undefined ? true : p.renewable === true,
    no_parent: p.noParent === true,
    no_default_policy: p.noDefaultPolicy === true,
    meta,
    display_name: str(p.displayName) ?? null,
    num_uses: count(p.numUses),
  };
  if (meta.need !== undefined && needNames.has(meta.need)) item.need = meta.need;
  withUnknown(item, r, {
    policies: "policies",
    ttl: "ttl",
    explicitMaxTtl: "explicit_max_ttl",
    period: "period",
    renewable: "renewable",
    noParent: "no_parent",
    noDefaultPolicy: "no_default_policy",
    metadata: "meta",
    displayName: "display_name",
    numUses: "num_uses",
  });
  return item;
}

function roleItem(r: NeutralResource, kind: RoleKind, consumers: Set<string>): InputRole {
  const p = r.props;
  const name = str(p.roleName) ?? r.name;
  const policies = strings(p.tokenPolicies);
  // A token role's allowed policies are policies its tokens may carry: judge them as granted.
  for (const extra of strings(p.allowedPolicies))
    if (!policies.includes(extra)) policies.push(extra);
  const item: InputRole = {
    name,
    kind,
    source: r.source,
    token_policies: policies,
    token_ttl_seconds: ttlSeconds(p.tokenTtl),
    token_max_ttl_seconds: ttlSeconds(p.tokenMaxTtl),
    secret_id_ttl_seconds: kind === "approle" ? ttlSeconds(p.secretIdTtl) : null,
    ...bindingFields(p, kind),
  };
  if (consumers.has(name)) item.consumer = name;
  withUnknown(item, r, {
    roleName: "name",
    tokenPolicies: "token_policies",
    allowedPolicies: "token_policies",
    tokenTtl: "token_ttl",
    tokenMaxTtl: "token_max_ttl",
    secretIdTtl: "secret_id_ttl",
    secretIdNumUses: "secret_id_num_uses",
    secretIdBoundCidrs: "secret_id_bound_cidrs",
    tokenBoundCidrs: "token_bound_cidrs",
    boundServiceAccountNames: "bound_service_account_names",
    boundServiceAccountNamespaces: "bound_service_account_namespaces",
    boundAudiences: "bound_audiences",
    boundSubject: "bound_subject",
    boundClaims: "bound_claims",
    boundClaimsType: "bound_claims_type",
    allowedPoliciesGlob: "allowed_policies_glob",
    tokenPeriod: "token_period",
    tokenExplicitMaxTtl: "token_explicit_max_ttl",
    tokenType: "token_type",
    tokenNumUses: "token_num_uses",
    orphan: "orphan",
  });
  return item;
}

/**
 * What a role binds a login to and what shape of token it issues, read field by field for the
 * role's kind (TW017–TW028). Fields the kind does not have stay absent.
 */
function bindingFields(p: Readonly<Record<string, unknown>>, kind: RoleKind): Partial<InputRole> {
  const out: Partial<InputRole> = {
    token_bound_cidrs: strings(p.tokenBoundCidrs),
    token_period_seconds: ttlSeconds(p.tokenPeriod),
    token_explicit_max_ttl_seconds: ttlSeconds(p.tokenExplicitMaxTtl),
    token_type: str(p.tokenType) ?? null,
    token_num_uses: count(p.tokenNumUses),
  };
  switch (kind) {
    case "approle":
      out.secret_id_num_uses = count(p.secretIdNumUses);
      out.secret_id_bound_cidrs = strings(p.secretIdBoundCidrs);
      break;
    case "kubernetes":
      out.bound_service_account_names = strings(p.boundServiceAccountNames);
      out.bound_service_account_namespaces = strings(p.boundServiceAccountNamespaces);
      break;
    case "jwt":
      out.bound_audiences = strings(p.boundAudiences);
      out.bound_subject = str(p.boundSubject) ?? null;
      out.bound_claims = boundClaims(p.boundClaims, p.disableBoundClaimsParsing === true);
      out.bound_claims_type = str(p.boundClaimsType) ?? null;
      break;
    case "token":
      out.allowed_policies = strings(p.allowedPolicies);
      out.allowed_policies_glob = strings(p.allowedPoliciesGlob);
      out.orphan = p.orphan === true;
      break;
  }
  return out;
}

function secretItem(r: NeutralResource, version: 1 | 2, needNames: Set<string>): InputSecret {
  const p = r.props;
  const path =
    version === 2 ? `${str(p.mount) ?? "?"}/${str(p.name) ?? r.name}` : (str(p.path) ?? r.name);
  const cm = isRecord(p.customMetadata) ? p.customMetadata : undefined;
  const custom = stringMap(cm?.data);
  const item: InputSecret = { path, source: r.source, custom_metadata: custom };
  if (custom.need !== undefined && needNames.has(custom.need)) item.need = custom.need;
  const plain = [...(r.plainTokenFields ?? [])].map(snake);
  for (const [field, value] of Object.entries(custom)) {
    if (value === REDACTED) plain.push(`custom_metadata.${field}`);
  }
  if (plain.length) item.plain_token_fields = plain;
  withUnknown(item, r, {
    mount: "path",
    name: "path",
    path: "path",
    customMetadata: "custom_metadata",
  });
  return item;
}

function withUnknown(
  item: { unknown?: string[] },
  r: NeutralResource,
  fields: Readonly<Record<string, string>>,
): void {
  const out = new Set<string>();
  for (const u of r.unknown) {
    const segs = u.split(".");
    const mapped = fields[segs[0]];
    if (mapped === undefined) continue;
    if (segs[0] === "metadata" || segs[0] === "customMetadata") {
      // An unknown entry of a metadata map: `metadata.<key>` or `customMetadata.data.<key>`.
      const key = segs[0] === "metadata" ? segs[1] : segs[1] === "data" ? segs[2] : segs[1];
      if (key !== undefined && !JUDGED_META_KEYS.has(key)) continue;
    }
    out.add(mapped);
  }
  if (out.size) item.unknown = [...out].sort();
}

/**
 * Whether a string looks like a credential rather than configuration: well-known token formats
 * (Vault, GitHub, GitLab, Slack, Stripe, AWS access keys, JWTs, bearer headers).
 */
export function looksLikeToken(value: string): boolean {
  const v = value.trim();
  if (v.length < 16) return false;
  return TOKEN_PATTERNS.some((re) => re.test(v));
}
const TOKEN_PATTERNS: readonly RegExp[] = [
  /^hv[sbr]\.[A-Za-z0-9_-]{20,}$/,
  /^s\.[A-Za-z0-9]{24}$/,
  /^(sk|rk)_(live|test)_[A-Za-z0-9]{10,}$/,
  /^gh[pousr]_[A-Za-z0-9]{30,}$/,
  /^github_pat_[A-Za-z0-9_]{30,}$/,
  /^glpat-[A-Za-z0-9_-]{20,}$/,
  /^xox[abposr]-[A-Za-z0-9-]{10,}$/,
  /^(AKIA|ASIA)[0-9A-Z]{16}$/,
  /^eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*$/,
  /^Bearer\s+\S{16,}$/i,
];

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}
/** A whole non-negative count (e.g. `num_uses`), or null when absent or not a count. */
function count(v: unknown): number | null {
  const n = typeof v === "string" && /^\d+$/.test(v.trim()) ? Number(v) : v;
  return typeof n === "number" && Number.isInteger(n) && n >= 0 ? n : null;
}
function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}
/**
 * String entries of a metadata map. A value that looks like a token is replaced by a marker: it is
 * reported (TW011) by name, and must not travel on into the document, messages or reports.
 */
function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(v)) return out;
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === "string") out[k] = looksLikeToken(x) ? REDACTED : x;
  }
  return out;
}
export const REDACTED = "[redacted: looks like a token]";
function snake(camel: string): string {
  return camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
