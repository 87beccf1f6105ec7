/**
 * A parsed manifest value → the typed model of ./types, or every issue found in it.
 *
 * The checks here mirror schema/access-needs.schema.json (structure, types, syntax) and add what a
 * JSON Schema cannot say (references, duplicates, maxTtl ≥ ttl, scopes vs paths by provider kind).
 * They are hand-written rather than run through ajv so each issue reads as a sentence a person can
 * act on, and so the CLI does not compile a schema at every start; test/model checks that the
 * schema file and this loader agree.
 *
 * Fields a policy rule exists to judge (owner, ttl, maxTtl, rotation, justification, expires) are
 * optional: a manifest without them loads, and the rule reports them. In particular a need's
 * owner does NOT default to its consumer's owner — TW006 must be able to see that it is missing.
 */
import { isIPv4Literal, isIPv6Literal } from "./ip-literal";
import { CAPABILITIES } from "./types";
import type {
  AccessLevel,
  AuthKind,
  AuthMountSetup,
  Capability,
  ClientAuthMethod,
  Consumer,
  Limits,
  LoginAuthKind,
  Need,
  PathGrant,
  Provider,
  ProviderKind,
  Seconds,
  VaultSettings,
  Waiver,
} from "./types";
import { formatDuration } from "./duration";
import { vaultDisplayName } from "./display-names";
import { ACCESS_LEVELS } from "./access-levels";
import { rememberNeedIndex } from "./need-index";
import {
  Checker,
  at,
  bool,
  date,
  describe,
  duration,
  given,
  isFilled,
  isObj,
  list,
  listNames,
  mapping,
  mountPath,
  name,
  oneOf,
  optDuration,
  optText,
  required,
  suggest,
  text,
  textList,
  url,
  vaultPathProblem,
  type Key,
  type Obj,
  type Path,
  type RawIssue,
} from "./field-checks";

export type { RawIssue } from "./field-checks";
export { vaultPathProblem } from "./field-checks";

export interface NormalisedManifest {
  readonly limits: Limits;
  readonly vault: VaultSettings;
  readonly consumers: readonly Consumer[];
  readonly providers: readonly Provider[];
  readonly needs: readonly Need[];
}

export const DEFAULT_LIMITS: Limits = {
  maxTtl: 720 * 3600,
  maxRotation: 90 * 86400,
  maxNeedLifetime: 365 * 86400,
};
export const DEFAULT_KV_MOUNT = "tokens";

/** Vault's limit on one custom-metadata value (KV v2). */
const VAULT_METADATA_VALUE_MAX = 512;
const RULE_RE = /^TW\d{3}$/;
const CAPABILITY_SET: ReadonlySet<string> = new Set(CAPABILITIES);

const AUTH_KINDS: readonly AuthKind[] = ["approle", "kubernetes", "jwt", "token"];
const PROVIDER_KINDS: readonly ProviderKind[] = [
  "vault-token",
  "static",
  "oauth2-client-credentials",
  "jwt-bearer",
];

const TOP_FIELDS = new Set([
  "$schema",
  "version",
  "defaults",
  "limits",
  "vault",
  "consumers",
  "providers",
  "needs",
]);
const DEFAULTS_FIELDS = new Set(["ttl", "maxTtl", "rotation"]);
const LIMITS_FIELDS = new Set(["maxTtl", "maxRotation", "maxNeedLifetime"]);
const VAULT_FIELDS = new Set(["kvMount", "authMounts", "audit"]);
const CONSUMER_FIELDS = new Set([
  "name",
  "owner",
  "description",
  "auth",
  "approle",
  "kubernetes",
  "jwt",
  "cidrs",
]);
const PROVIDER_FIELDS = new Set([
  "name",
  "kind",
  "description",
  "scopes",
  "maxTtl",
  "tokenUrl",
  "audience",
  "credentials",
  "clientAuth",
  "revocationUrl",
  "grace",
]);
/** Provider fields only `procure` reads (where to fetch a token and how to retire the old one). */
const FETCH_FIELDS = ["credentials", "clientAuth", "revocationUrl"] as const;
const CLIENT_AUTH_METHODS: readonly ClientAuthMethod[] = [
  "client_secret_basic",
  "client_secret_post",
  "private_key_jwt",
  "none",
];
const AUTH_MOUNT_FIELDS = new Set(["approle", "kubernetes", "jwt"]);
const KV_MOUNT_FIELDS = new Set(["path", "create"]);
const AUTH_MOUNT_SETUP_FIELDS: Readonly<Record<LoginAuthKind, ReadonlySet<string>>> = {
  approle: new Set(["path", "create"]),
  kubernetes: new Set(["path", "create", "kubernetesHost", "kubernetesCaCert"]),
  jwt: new Set(["path", "create", "oidcDiscoveryUrl", "jwksUrl", "boundIssuer"]),
};
const AUDIT_FIELDS = new Set(["path", "filePath"]);
const APPROLE_FIELDS = new Set(["secretIdTtl", "secretIdNumUses", "wrappingTtl"]);
const KUBERNETES_FIELDS = new Set(["serviceAccounts", "namespaces", "audience"]);
const JWT_FIELDS = new Set(["boundAudiences", "boundClaims", "userClaim"]);
const PATH_GRANT_FIELDS = new Set(["path", "capabilities"]);
const WAIVER_FIELDS = new Set(["rule", "reason", "expires"]);
const NEED_FIELDS = new Set([
  "name",
  "consumer",
  "provider",
  "scopes",
  "paths",
  "access",
  "ttl",
  "maxTtl",
  "rotation",
  "owner",
  "justification",
  "expires",
  "defaultPolicy",
  "waivers",
]);

interface Defaults {
  ttl?: Seconds;
  maxTtl?: Seconds;
  rotation?: Seconds;
}

export function normaliseManifest(value: unknown): {
  manifest?: NormalisedManifest;
  issues: RawIssue[];
} {
  const c = new Checker();
  if (value === null || value === undefined) {
    c.report(
      [],
      "the manifest is empty; expected a mapping with version: 1, consumers, providers and needs",
    );
    return { issues: c.issues };
  }
  const root = mapping(c, value, [], undefined, "the manifest", TOP_FIELDS, true);
  if (!root) return { issues: c.issues };

  if (root.$schema !== undefined) text(c, root.$schema, ["$schema"]);
  if (required(c, root, "version", [], "version: 1")) {
    if (root.version !== 1)
      c.report(
        ["version"],
        `unsupported version ${JSON.stringify(root.version)}; this tokenwarden reads version: 1`,
      );
  }

  const defaults = normaliseDefaults(c, root.defaults);
  const limits = normaliseLimits(c, root.limits);
  const vault = normaliseVault(c, root.vault);
  // References and duplicates are judged on the names as written, even of items that have other
  // issues, so one mistake in a consumer does not hide (or fake) problems in the needs using it.
  const consumerNames = declaredNames(c, root, "consumers");
  const providerNames = declaredNames(c, root, "providers");
  const needIndex = checkUniqueNames(c, root, "needs", undefined);
  const consumers = normaliseList(c, root, "consumers", "consumers", (v, p) =>
    normaliseConsumer(c, v, p),
  );
  const providers = normaliseList(c, root, "providers", "providers", (v, p) =>
    normaliseProvider(c, v, p),
  );
  const refs: References = {
    consumers: new Map(consumers.map((x) => [x.name, x])),
    providers: new Map(providers.map((x) => [x.name, x])),
    consumerNames,
    providerNames,
    unknownMessages: new Map(),
    displayNames: new DisplayNameCheck(),
  };
  const needs = normaliseList(c, root, "needs", "needs", (v, p) =>
    normaliseNeed(c, v, p, defaults, refs),
  );
  refs.displayNames.report(c);

  if (c.issues.length > 0) return { issues: c.issues };
  // every need loaded, each at its index in the list as written, each name once: the table of
  // names checked above is the needs' own
  rememberNeedIndex(needs, needIndex);
  return {
    manifest: {
      limits,
      vault,
      consumers,
      providers,
      needs,
    },
    issues: [],
  };
}

/**
 * Token-auth consumers get a Vault token per need, displayed under a name Vault derives from the
 * need's (`.` and `_` become `-`). Two needs whose display names would meet are refused here: in
 * Vault and in its audit log their tokens could not be told apart by name. Needs are shown to it
 * as they are normalised, in manifest order (a pass of its own over 10,000 raw needs was ~5 ms),
 * and it reports once they all were, so the issues come in the order they always did.
 */
class DisplayNameCheck {
  private readonly first = new Map<string, { index: number; name: string }>();
  private readonly clashes: { index: number; message: string }[] = [];

  /** Need `index`, named `name` as written, belongs to a token-auth consumer. */
  see(index: number, name: string): void {
    const display = vaultDisplayName(name);
    const seen = this.first.get(display);
    if (seen === undefined) this.first.set(display, { index, name });
    else if (seen.name !== name)
      this.clashes.push({
        index,
        message:
          `${JSON.stringify(name)} and ${JSON.stringify(seen.name)} (needs[${seen.index}]) would both be ` +
          `Vault token display name "token-${display}" (Vault turns "." and "_" into "-"); rename one`,
      });
  }

  report(c: Checker): void {
    for (const { index, message } of this.clashes) c.report(["needs", index, "name"], message);
  }
}

/** The items of a top-level list that normalised without issues, in manifest order. */
function normaliseList<T>(
  c: Checker,
  root: Obj,
  key: string,
  what: string,
  item: (v: unknown, path: Path) => T | undefined,
): T[] {
  const out: T[] = [];
  if (root[key] === undefined) {
    if (key === "needs" || key === "consumers") {
      c.report([], `missing required field "${key}" (the list of ${what})`);
    }
    return out;
  }
  const items = list(c, root[key], [key], undefined, what);
  if (!items) return out;
  for (let i = 0; i < items.length; i++) {
    const before = c.issues.length;
    const value = item(items[i], [key, i]);
    if (value !== undefined && c.issues.length === before) out.push(value);
  }
  return out;
}

/**
 * Names declared in a list (as written, valid or not), keyed to the raw item; reports duplicates.
 * A provider's raw `kind` rides along so a need can be checked against it even if the provider
 * itself has an issue elsewhere.
 */
function declaredNames(c: Checker, root: Obj, key: string): Map<string, Obj> {
  const byName = new Map<string, Obj>();
  checkUniqueNames(c, root, key, byName);
  return byName;
}

/**
 * Reports names declared twice in a list; with `byName`, also records each name's first item.
 * Returns where each name is first declared: for the needs, whose names are unique in a manifest
 * that loads, that is the needs' own name → index table, which `check` places findings by (see
 * need-index.ts).
 */
function checkUniqueNames(
  c: Checker,
  root: Obj,
  key: string,
  byName: Map<string, Obj> | undefined,
): Map<string, number> {
  const firstIndex = new Map<string, number>();
  const items = root[key];
  if (!Array.isArray(items)) return firstIndex;
  for (let index = 0; index < items.length; index++) {
    const item: unknown = items[index];
    if (!isObj(item) || typeof item.name !== "string") continue;
    const first = firstIndex.get(item.name);
    if (first === undefined) {
      firstIndex.set(item.name, index);
      byName?.set(item.name, item);
      continue;
    }
    c.report(
      [key, index, "name"],
      `duplicate name ${JSON.stringify(item.name)} (already used by ${key}[${first}])`,
    );
  }
  return firstIndex;
}

interface References {
  /** Items that loaded without issues. */
  readonly consumers: Map<string, Consumer>;
  readonly providers: Map<string, Provider>;
  /** Every name declared, as written. */
  readonly consumerNames: Map<string, Obj>;
  readonly providerNames: Map<string, Obj>;
  /** Messages for unknown references, by kind and name (see unknownReference). */
  readonly unknownMessages: Map<string, string>;
  /** Token display names of the needs seen so far. */
  readonly displayNames: DisplayNameCheck;
}

function normaliseDefaults(c: Checker, v: unknown): Defaults {
  if (v === undefined) return {};
  const o = mapping(c, v, ["defaults"], undefined, "defaults", DEFAULTS_FIELDS);
  if (!o) return {};
  const d: Defaults = {
    ttl: optDuration(c, o, "ttl", ["defaults"]),
    maxTtl: optDuration(c, o, "maxTtl", ["defaults"]),
    rotation: optDuration(c, o, "rotation", ["defaults"]),
  };
  if (d.ttl !== undefined && d.maxTtl !== undefined && d.maxTtl < d.ttl) {
    c.report(
      ["defaults", "maxTtl"],
      `${formatDuration(d.maxTtl)} is shorter than defaults.ttl ${formatDuration(d.ttl)}; maxTtl must be at least ttl`,
    );
  }
  return d;
}

function normaliseLimits(c: Checker, v: unknown): Limits {
  if (v === undefined) return DEFAULT_LIMITS;
  const o = mapping(c, v, ["limits"], undefined, "limits", LIMITS_FIELDS);
  if (!o) return DEFAULT_LIMITS;
  return {
    maxTtl: optDuration(c, o, "maxTtl", ["limits"]) ?? DEFAULT_LIMITS.maxTtl,
    maxRotation: optDuration(c, o, "maxRotation", ["limits"]) ?? DEFAULT_LIMITS.maxRotation,
    maxNeedLifetime:
      optDuration(c, o, "maxNeedLifetime", ["limits"]) ?? DEFAULT_LIMITS.maxNeedLifetime,
  };
}

function normaliseVault(c: Checker, v: unknown): VaultSettings {
  const authMounts = { approle: "approle", kubernetes: "kubernetes", jwt: "jwt" };
  const authMountSetup: Partial<Record<LoginAuthKind, AuthMountSetup>> = {};
  const fallback: VaultSettings = {
    kvMount: DEFAULT_KV_MOUNT,
    kvMountCreate: true,
    authMounts,
    authMountSetup,
  };
  if (v === undefined) return fallback;
  const o = mapping(c, v, ["vault"], undefined, "vault settings", VAULT_FIELDS);
  if (!o) return fallback;
  const kv = o.kvMount === undefined ? undefined : kvMountSetting(c, o.kvMount);
  const kvMount = o.kvMount === undefined ? DEFAULT_KV_MOUNT : kv?.path;
  if (o.authMounts !== undefined) {
    const a = mapping(
      c,
      o.authMounts,
      ["vault", "authMounts"],
      undefined,
      "auth mount paths",
      AUTH_MOUNT_FIELDS,
    );
    if (a) {
      for (const kind of ["approle", "kubernetes", "jwt"] as const) {
        if (a[kind] === undefined) continue;
        const m = authMountSetting(c, a[kind], kind);
        if (!m) continue;
        authMounts[kind] = m.path;
        if (m.setup) authMountSetup[kind] = m.setup;
      }
    }
  }
  let audit: VaultSettings["audit"];
  if (o.audit !== undefined) {
    const a = mapping(c, o.audit, ["vault", "audit"], undefined, "an audit device", AUDIT_FIELDS);
    if (a) {
      const okPath = required(
        c,
        a,
        "path",
        ["vault", "audit"],
        "the audit device path, e.g. tokenwarden-file",
      );
      const okFile = required(
        c,
        a,
        "filePath",
        ["vault", "audit"],
        "where Vault writes the log, e.g. /var/log/vault/audit.log",
      );
      const path = okPath ? mountPath(c, a.path, ["vault", "audit", "path"]) : undefined;
      const filePath = okFile ? text(c, a.filePath, ["vault", "audit", "filePath"]) : undefined;
      if (
        filePath !== undefined &&
        filePath !== "stdout" &&
        filePath !== "discard" &&
        !filePath.startsWith("/")
      ) {
        c.report(
          ["vault", "audit", "filePath"],
          `${JSON.stringify(filePath)} must be an absolute path on the Vault server (or "stdout")`,
        );
      } else if (path && filePath) audit = { path, filePath };
    }
  }
  return {
    kvMount: kvMount ?? DEFAULT_KV_MOUNT,
    kvMountCreate: kv?.create ?? true,
    authMounts,
    authMountSetup,
    ...(audit ? { audit } : {}),
  };
}

/** `kvMount: tokens` (created by the stack) or `kvMount: { path: secret, create: false }`. */
function kvMountSetting(c: Checker, v: unknown): { path: string; create: boolean } | undefined {
  const at: Path = ["vault", "kvMount"];
  if (!isObj(v)) {
    const path = mountPath(c, v, at);
    return path === undefined ? undefined : { path, create: true };
  }
  const o = mapping(c, v, at, undefined, "a KV mount { path, create }", KV_MOUNT_FIELDS);
  if (!o) return undefined;
  const path = required(c, o, "path", at, "the KV v2 mount's path, e.g. secret")
    ? mountPath(c, o.path, at, "path")
    : undefined;
  const create = o.create === undefined ? true : bool(c, o.create, at, "create");
  return path === undefined || create === undefined ? undefined : { path, create };
}

/**
 * `approle: approle` (an existing mount, checked before roles are written into it) or
 * `approle: { path, create: true, … }`: the stack enables the mount with the configuration its
 * logins need — for kubernetes the API server address, for jwt where the issuer's keys are.
 */
function authMountSetting(
  c: Checker,
  v: unknown,
  kind: LoginAuthKind,
): { path: string; setup?: AuthMountSetup } | undefined {
  const at: Path = ["vault", "authMounts", kind];
  if (!isObj(v)) {
    const path = mountPath(c, v, at);
    return path === undefined ? undefined : { path };
  }
  const fields = AUTH_MOUNT_SETUP_FIELDS[kind];
  const o = mapping(c, v, at, undefined, `a ${kind} auth mount { path, create, … }`, fields);
  if (!o) return undefined;
  const path = required(c, o, "path", at, `the mount's path, e.g. ${kind}`)
    ? mountPath(c, o.path, at, "path")
    : undefined;
  const create = o.create === undefined ? false : bool(c, o.create, at, "create");
  const before = c.issues.length;
  const config = (key: string): string | undefined => optText(c, o, key, at);
  let setup: AuthMountSetup | undefined;
  if (kind === "approle") setup = { kind };
  else if (kind === "kubernetes") {
    const kubernetesHost =
      create && !o.kubernetesHost
        ? void c.report(
            at,
            'missing "kubernetesHost" (the Kubernetes API address Vault checks service-account tokens with)',
          )
        : config("kubernetesHost");
    const kubernetesCaCert = config("kubernetesCaCert");
    if (kubernetesHost !== undefined)
      setup = { kind, kubernetesHost, ...(kubernetesCaCert ? { kubernetesCaCert } : {}) };
  } else {
    const oidcDiscoveryUrl =
      o.oidcDiscoveryUrl === undefined
        ? undefined
        : url(c, o.oidcDiscoveryUrl, at, "oidcDiscoveryUrl");
    const jwksUrl = o.jwksUrl === undefined ? undefined : url(c, o.jwksUrl, at, "jwksUrl");
    const boundIssuer = config("boundIssuer");
    if (
      create &&
      (oidcDiscoveryUrl === undefined) === (jwksUrl === undefined) &&
      c.issues.length === before
    )
      c.report(
        at,
        'give exactly one of "oidcDiscoveryUrl" or "jwksUrl" (where Vault finds the CI issuer\'s signing keys)',
      );
    setup = {
      kind,
      ...(oidcDiscoveryUrl ? { oidcDiscoveryUrl } : {}),
      ...(jwksUrl ? { jwksUrl } : {}),
      ...(boundIssuer ? { boundIssuer } : {}),
    };
  }
  if (!create) {
    // Configuration only means something for a mount the stack creates.
    for (const key of Object.keys(o)) {
      if (key !== "path" && key !== "create" && fields.has(key))
        c.report(
          [...at, key],
          "only applies with create: true (an existing mount is used as it is)",
        );
    }
    return path === undefined ? undefined : { path };
  }
  if (path === undefined || c.issues.length !== before) return undefined;
  return { path, setup };
}

function normaliseConsumer(c: Checker, v: unknown, path: Path): Consumer | undefined {
  const o = mapping(c, v, path, undefined, "a consumer", CONSUMER_FIELDS);
  if (!o) return undefined;
  const n = required(c, o, "name", path, "the workload's name")
    ? name(c, o.name, path, "name")
    : undefined;
  const owner = optText(c, o, "owner", path);
  if (o.description !== undefined) text(c, o.description, path, "description");
  const cidrs = o.cidrs !== undefined ? cidrList(c, o.cidrs, path) : undefined;
  const auth = required(c, o, "auth", path, `one of ${AUTH_KINDS.join(", ")}`)
    ? oneOf(c, o.auth, path, "auth", AUTH_KINDS)
    : undefined;
  // A block for another auth kind is a mistake (it would be silently ignored otherwise).
  for (const kind of ["approle", "kubernetes", "jwt"] as const) {
    if (o[kind] !== undefined && auth !== undefined && auth !== kind) {
      c.report(
        [...path, kind],
        `only applies to auth: ${kind}, but this consumer has auth: ${auth}`,
      );
    }
  }
  if (auth === undefined) return undefined;
  // The auth block is checked even when the name has an issue, so all problems show at once.
  const consumer = consumerOfKind(c, o, path, auth, {
    name: n ?? "",
    ...(owner !== undefined ? { owner } : {}),
    ...(cidrs !== undefined ? { cidrs } : {}),
  });
  return n === undefined ? undefined : consumer;
}

/**
 * A consumer's fixed addresses: CIDR blocks (`10.1.2.0/24`, `2001:db8::/64`). Something that is
 * not one can never be bound in Vault, so the loader refuses it; whether a role is bound to them
 * is for the rules (TW023).
 */
function cidrList(c: Checker, v: unknown, path: Path): string[] | undefined {
  const items = textList(c, v, path, "cidrs", "CIDR blocks", true);
  if (!items) return undefined;
  let ok = true;
  items.forEach((cidr, i) => {
    if (isCidr(cidr)) return;
    c.report(
      [...path, "cidrs", i],
      `${JSON.stringify(cidr)} is not a CIDR block (e.g. 10.1.2.0/24)`,
    );
    ok = false;
  });
  return ok ? items : undefined;
}

function isCidr(s: string): boolean {
  const slash = s.indexOf("/");
  if (slash < 0 || !/^\d{1,3}$/.test(s.slice(slash + 1))) return false;
  const bits = Number(s.slice(slash + 1));
  const ip = s.slice(0, slash);
  if (isIPv4Literal(ip)) return bits <= 32;
  return isIPv6Literal(ip) && bits <= 128;
}

function consumerOfKind(
  c: Checker,
  o: Obj,
  path: Path,
  auth: AuthKind,
  base: { name: string; owner?: string; cidrs?: readonly string[] },
): Consumer | undefined {
  switch (auth) {
    case "approle": {
      const approle: { secretIdTtl?: Seconds; secretIdNumUses?: number; wrappingTtl?: Seconds } =
        {};
      if (o.approle !== undefined) {
        const a = mapping(c, o.approle, path, "approle", "AppRole settings", APPROLE_FIELDS);
        if (a) {
          const ttl = optDuration(c, a, "secretIdTtl", [...path, "approle"]);
          if (ttl !== undefined) approle.secretIdTtl = ttl;
          const wrap = optDuration(c, a, "wrappingTtl", [...path, "approle"]);
          if (wrap !== undefined) approle.wrappingTtl = wrap;
          if (a.secretIdNumUses !== undefined) {
            const u = a.secretIdNumUses;
            if (typeof u !== "number" || !Number.isSafeInteger(u) || u < 0) {
              c.report(
                [...path, "approle", "secretIdNumUses"],
                `expected a whole number ≥ 0 (0 = unlimited), got ${describe(u)}`,
              );
            } else approle.secretIdNumUses = u;
          }
        }
      }
      return { ...base, auth, approle };
    }
    case "kubernetes": {
      if (
        !required(
          c,
          o,
          "kubernetes",
          path,
          "kubernetes: { serviceAccounts: [...], namespaces: [...] }",
        )
      )
        return undefined;
      const p = [...path, "kubernetes"];
      const k = mapping(c, o.kubernetes, p, undefined, "Kubernetes settings", KUBERNETES_FIELDS);
      if (!k) return undefined;
      const sa = required(c, k, "serviceAccounts", p, "the service account names bound to the role")
        ? textList(c, k.serviceAccounts, p, "serviceAccounts", "service account names", true)
        : undefined;
      const ns = required(c, k, "namespaces", p, "the namespaces bound to the role")
        ? textList(c, k.namespaces, p, "namespaces", "namespaces", true)
        : undefined;
      const audience = optText(c, k, "audience", p);
      if (!sa || !ns) return undefined;
      return {
        ...base,
        auth,
        kubernetes: {
          serviceAccounts: sa,
          namespaces: ns,
          ...(audience !== undefined ? { audience } : {}),
        },
      };
    }
    case "jwt": {
      if (!required(c, o, "jwt", path, "jwt: { boundAudiences: [...], boundClaims: {...} }"))
        return undefined;
      const p = [...path, "jwt"];
      const j = mapping(c, o.jwt, p, undefined, "JWT settings", JWT_FIELDS);
      if (!j) return undefined;
      const aud = required(c, j, "boundAudiences", p, "the audiences the CI token must carry")
        ? textList(c, j.boundAudiences, p, "boundAudiences", "audiences", true)
        : undefined;
      let claims: Record<string, string | string[]> | undefined;
      if (
        required(
          c,
          j,
          "boundClaims",
          p,
          "claims that pin the role to one repository or job, e.g. { repository: org/repo }",
        )
      ) {
        const bc = j.boundClaims;
        if (!isObj(bc))
          c.report(
            [...p, "boundClaims"],
            `expected a mapping of claim names to values, got ${describe(bc)}`,
          );
        else if (Object.keys(bc).length === 0) {
          c.report(
            [...p, "boundClaims"],
            "is empty: without bound claims any token from the issuer could log in",
          );
        } else {
          claims = {};
          for (const [key, val] of Object.entries(bc)) {
            const vp = [...p, "boundClaims", key];
            const value = Array.isArray(val)
              ? textList(c, val, vp, undefined, "claim values", true)
              : text(c, val, vp);
            if (value === undefined) claims = undefined;
            else if (claims) claims[key] = value;
          }
        }
      }
      const userClaim = optText(c, j, "userClaim", p) ?? "sub";
      if (!aud || !claims) return undefined;
      return { ...base, auth, jwt: { boundAudiences: aud, boundClaims: claims, userClaim } };
    }
    case "token":
      return { ...base, auth };
  }
}

function normaliseProvider(c: Checker, v: unknown, path: Path): Provider | undefined {
  const o = mapping(c, v, path, undefined, "a provider", PROVIDER_FIELDS);
  if (!o) return undefined;
  const n = required(c, o, "name", path, "the token issuer's name")
    ? name(c, o.name, path, "name")
    : undefined;
  if (o.description !== undefined) text(c, o.description, path, "description");
  const kind = required(c, o, "kind", path, `one of ${PROVIDER_KINDS.join(", ")}`)
    ? oneOf(c, o.kind, path, "kind", PROVIDER_KINDS)
    : undefined;
  const maxTtl = optDuration(c, o, "maxTtl", path);
  if (n === undefined || kind === undefined) return undefined;
  const base = { name: n, ...(maxTtl !== undefined ? { maxTtl } : {}) };
  if (kind === "vault-token") {
    for (const f of ["scopes", "tokenUrl", "audience", ...FETCH_FIELDS, "grace"]) {
      if (o[f] !== undefined)
        c.report(
          [...path, f],
          `does not apply to kind: vault-token (Vault tokens are granted paths, not ${f === "scopes" ? "scopes" : "a token endpoint"})`,
        );
    }
    return { ...base, kind };
  }
  const scopes = required(c, o, "scopes", path, "the scopes this provider can grant")
    ? textList(c, o.scopes, path, "scopes", "scopes", false)
    : undefined;
  const grace = optDuration(c, o, "grace", path);
  if (kind === "static") {
    for (const f of ["tokenUrl", "audience", ...FETCH_FIELDS]) {
      if (o[f] !== undefined)
        c.report(
          [...path, f],
          "does not apply to kind: static (static tokens are handed over, not fetched)",
        );
    }
    return scopes
      ? { ...base, kind, scopes, ...(grace !== undefined ? { grace } : {}) }
      : undefined;
  }
  const fetch = fetchFields(c, o, path, grace);
  const tokenUrl = required(c, o, "tokenUrl", path, "the provider's OAuth 2.0 token endpoint")
    ? url(c, o.tokenUrl, path, "tokenUrl")
    : undefined;
  if (kind === "oauth2-client-credentials") {
    if (o.audience !== undefined)
      c.report(
        [...path, "audience"],
        "does not apply to kind: oauth2-client-credentials (only jwt-bearer assertions carry an audience)",
      );
    return scopes && tokenUrl && fetch ? { ...base, kind, scopes, tokenUrl, ...fetch } : undefined;
  }
  const audience = optText(c, o, "audience", path);
  return scopes && tokenUrl && fetch
    ? { ...base, kind, scopes, tokenUrl, ...(audience !== undefined ? { audience } : {}), ...fetch }
    : undefined;
}

/** The optional fields `procure` uses: the Vault path of the credentials, client auth, RFC 7009. */
function fetchFields(
  c: Checker,
  o: Obj,
  path: Path,
  grace: Seconds | undefined,
):
  | {
      credentials?: string;
      clientAuth?: ClientAuthMethod;
      revocationUrl?: string;
      grace?: Seconds;
    }
  | undefined {
  let ok = true;
  let credentials = optText(c, o, "credentials", path);
  if (credentials !== undefined) {
    const problem =
      credentials.includes("*") || credentials.includes("+")
        ? "must name one entry, without wildcards"
        : vaultPathProblem(credentials);
    if (problem !== undefined) {
      c.report([...path, "credentials"], `${JSON.stringify(credentials)} ${problem}`);
      credentials = undefined;
      ok = false;
    }
  }
  const clientAuth =
    o.clientAuth === undefined
      ? undefined
      : oneOf(c, o.clientAuth, path, "clientAuth", CLIENT_AUTH_METHODS);
  if (o.clientAuth !== undefined && clientAuth === undefined) ok = false;
  const revocationUrl =
    o.revocationUrl === undefined ? undefined : url(c, o.revocationUrl, path, "revocationUrl");
  if (o.revocationUrl !== undefined && revocationUrl === undefined) ok = false;
  if (!ok) return undefined;
  return {
    ...(credentials !== undefined ? { credentials } : {}),
    ...(clientAuth !== undefined ? { clientAuth } : {}),
    ...(revocationUrl !== undefined ? { revocationUrl } : {}),
    ...(grace !== undefined ? { grace } : {}),
  };
}

/** Bytes of the scopes joined with ",", counted without building the string in the common case. */
function metadataBytes(scopes: readonly string[]): number {
  let chars = scopes.length - 1;
  for (let i = 0; i < scopes.length; i++) chars += scopes[i].length;
  // A UTF-16 unit is at most 3 UTF-8 bytes: short lists are decided without encoding anything.
  return chars * 3 <= VAULT_METADATA_VALUE_MAX ? chars : Buffer.byteLength(scopes.join(","));
}

/**
 * "unknown consumer "x" — did you mean "y"?", computed once per name: when a consumers list is
 * broken, thousands of needs may name the same missing consumer, and the suggestion search is
 * quadratic.
 */
function unknownReference(refs: References, kind: "consumer" | "provider", ref: string): string {
  const cacheKey = `${kind}\u0000${ref}`;
  let message = refs.unknownMessages.get(cacheKey);
  if (message === undefined) {
    const names = [...(kind === "consumer" ? refs.consumerNames : refs.providerNames).keys()];
    const hint =
      suggest(ref, names) ||
      (names.length ? ` (declared: ${listNames(names)})` : ` (no ${kind}s are declared)`);
    message = `unknown ${kind} ${JSON.stringify(ref)}${hint}`;
    refs.unknownMessages.set(cacheKey, message);
  }
  return message;
}

function normaliseNeed(
  c: Checker,
  v: unknown,
  path: Path,
  defaults: Defaults,
  refs: References,
): Need | undefined {
  const o = mapping(c, v, path, undefined, "a need", NEED_FIELDS);
  if (!o) return undefined;
  // Each field is read once: needs' mappings come in many shapes (key order, optional fields), so
  // every read of one is a lookup in V8's megamorphic cache, not a fixed offset.
  const {
    name: oName,
    consumer: oConsumer,
    provider: oProvider,
    access: oAccess,
    scopes: oScopes,
    paths: oPaths,
    ttl: oTtl,
    maxTtl: oMaxTtl,
    rotation: oRotation,
    owner: oOwner,
    justification: oJustification,
    expires: oExpires,
    defaultPolicy: oDefaultPolicy,
    waivers: oWaivers,
  } = o;
  const n = given(c, oName, "name", path, "a name for this grant")
    ? name(c, oName, path, "name")
    : undefined;

  let consumer: Consumer | undefined;
  if (given(c, oConsumer, "consumer", path, "the consumer that uses the token")) {
    const ref = text(c, oConsumer, path, "consumer");
    if (ref !== undefined) {
      consumer = refs.consumers.get(ref);
      if (!refs.consumerNames.has(ref)) {
        c.report([...path, "consumer"], unknownReference(refs, "consumer", ref));
      }
    }
  }
  // (a consumer that loaded has a valid name, which text() takes as written: `consumer` is the
  // one the raw `consumer:` names whenever there is one)
  if (consumer?.auth === "token" && typeof oName === "string")
    refs.displayNames.see(path[1] as number, oName);
  let provider: Provider | undefined;
  let providerKind: string | undefined;
  if (given(c, oProvider, "provider", path, "the provider that issues the token")) {
    const ref = text(c, oProvider, path, "provider");
    if (ref !== undefined) {
      provider = refs.providers.get(ref);
      const raw = refs.providerNames.get(ref);
      if (!raw) {
        c.report([...path, "provider"], unknownReference(refs, "provider", ref));
      } else if (
        typeof raw.kind === "string" &&
        (PROVIDER_KINDS as readonly string[]).includes(raw.kind)
      ) {
        providerKind = raw.kind;
      }
    }
  }
  const access = given(c, oAccess, "access", path, "one of read, write, admin")
    ? oneOf<AccessLevel>(c, oAccess, path, "access", ACCESS_LEVELS)
    : undefined;

  // Scopes for third-party providers, paths for Vault: the provider kind decides which applies.
  // (an empty list only where nothing was given: not made first and dropped for every need)
  const scopes: string[] =
    (oScopes !== undefined && textList(c, oScopes, path, "scopes", "scopes", true)) || [];
  const paths: PathGrant[] = (oPaths !== undefined && pathGrants(c, oPaths, path, "paths")) || [];
  if (providerKind !== undefined) {
    if (providerKind === "vault-token") {
      if (oScopes !== undefined)
        c.report(
          [...path, "scopes"],
          `provider ${JSON.stringify(oProvider)} is a vault-token provider: grant Vault paths (paths: [{ path, capabilities }]), not scopes`,
        );
      if (oPaths === undefined && oScopes === undefined)
        c.report(
          path,
          `missing required field "paths" (provider ${JSON.stringify(oProvider)} issues Vault tokens: list the Vault paths and capabilities needed)`,
        );
    } else {
      if (oPaths !== undefined)
        c.report(
          [...path, "paths"],
          `provider ${JSON.stringify(oProvider)} is a ${providerKind} provider: request its scopes (scopes: [...]), not Vault paths`,
        );
      if (oScopes === undefined && oPaths === undefined)
        c.report(
          path,
          `missing required field "scopes" (the ${String(oProvider)} scopes this need requests)`,
        );
    }
  }

  // Scopes and owner are written into the KV entry's custom metadata, where Vault caps a value
  // at 512 bytes: refuse here rather than fail in the middle of `pulumi up`.
  if (scopes.length > 0 && metadataBytes(scopes) > VAULT_METADATA_VALUE_MAX) {
    c.report(
      at(path, "scopes"),
      `joined with "," the scopes exceed Vault's ${VAULT_METADATA_VALUE_MAX}-byte metadata value limit; split the need`,
    );
  }
  // A UTF-16 unit is at most 3 UTF-8 bytes: a short owner is decided without encoding it.
  if (
    typeof oOwner === "string" &&
    oOwner.length * 3 > VAULT_METADATA_VALUE_MAX &&
    Buffer.byteLength(oOwner) > VAULT_METADATA_VALUE_MAX
  ) {
    c.report(
      at(path, "owner"),
      `is longer than Vault's ${VAULT_METADATA_VALUE_MAX}-byte metadata value limit`,
    );
  }
  const ttl = oTtl === undefined ? undefined : duration(c, oTtl, path, "ttl");
  const maxTtl = oMaxTtl === undefined ? undefined : duration(c, oMaxTtl, path, "maxTtl");
  const rotation = oRotation === undefined ? undefined : duration(c, oRotation, path, "rotation");
  const owner = oOwner === undefined ? undefined : text(c, oOwner, path, "owner");
  const justification =
    oJustification === undefined ? undefined : text(c, oJustification, path, "justification");
  const expires = oExpires === undefined ? undefined : date(c, oExpires, path, "expires");
  const defaultPolicy =
    oDefaultPolicy === undefined ? false : bool(c, oDefaultPolicy, path, "defaultPolicy");
  const waivers = oWaivers === undefined ? [] : normaliseWaivers(c, oWaivers, path, "waivers");

  // Defaults fill what the need leaves out; the ttl ≤ maxTtl check runs on the merged values and
  // names where each came from, so a need's 48h ttl against a default 24h maxTtl is explained.
  const mergedTtl = oTtl === undefined ? defaults.ttl : ttl;
  const mergedMax = oMaxTtl === undefined ? defaults.maxTtl : maxTtl;
  const mergedRotation = oRotation === undefined ? defaults.rotation : rotation;
  if (
    mergedTtl !== undefined &&
    mergedMax !== undefined &&
    mergedMax < mergedTtl &&
    (oTtl !== undefined || oMaxTtl !== undefined)
  ) {
    const where = at(path, oMaxTtl !== undefined ? "maxTtl" : "ttl");
    const maxFrom = oMaxTtl !== undefined ? "maxTtl" : "defaults.maxTtl";
    const ttlFrom = oTtl !== undefined ? "ttl" : "defaults.ttl";
    c.report(
      where,
      `${maxFrom} ${formatDuration(mergedMax)} is shorter than ${ttlFrom} ${formatDuration(mergedTtl)}; maxTtl must be at least ttl`,
    );
  }

  if (n === undefined || consumer === undefined || provider === undefined || access === undefined)
    return undefined;
  if (defaultPolicy === undefined || waivers === undefined) return undefined;
  // Every need has every field, an optional one left out holding undefined (JSON drops it, so
  // the plan's embedded declaration reads the same): one shape for 10,000 needs, where setting
  // only the fields given made one per combination, and every reader of needs (the plan, the
  // policy input) looked each field up in V8's megamorphic cache.
  return {
    name: n,
    consumer: consumer.name,
    provider: provider.name,
    access,
    scopes,
    paths,
    defaultPolicy,
    waivers,
    ttl: mergedTtl,
    maxTtl: mergedMax,
    rotation: mergedRotation,
    owner,
    justification,
    expires,
  };
}

function pathGrants(c: Checker, v: unknown, parent: Path, key: Key): PathGrant[] | undefined {
  const fine = wellFormedPathGrants(v);
  if (fine !== undefined) return fine;
  // Something is wrong: the full checks below find and report every issue.
  const path = at(parent, key);
  const items = list(c, v, path, undefined, "Vault paths ({ path, capabilities })");
  if (!items) return undefined;
  if (items.length === 0) {
    c.report(path, "is an empty list; give at least one Vault path");
    return undefined;
  }
  const out: PathGrant[] = [];
  let ok = true;
  for (let i = 0; i < items.length; i++) {
    const o = mapping(
      c,
      items[i],
      path,
      i,
      "a Vault path grant { path, capabilities }",
      PATH_GRANT_FIELDS,
    );
    if (!o) {
      ok = false;
      continue;
    }
    let p: string | undefined;
    if (o.path === undefined) {
      c.report(
        [...path, i],
        'missing required field "path" (the Vault path, e.g. secret/data/app/config)',
      );
    } else if (typeof o.path === "string" && isFilled(o.path)) {
      p = o.path;
    } else {
      text(c, o.path, [...path, i], "path");
    }
    let itemOk = p !== undefined;
    if (p !== undefined) {
      const problem = vaultPathProblem(p);
      const first = problem ? -1 : out.findIndex((g) => g.path === p);
      if (problem) {
        c.report([...path, i, "path"], `${JSON.stringify(p)} ${problem}`);
        itemOk = false;
      } else if (first >= 0) {
        c.report(
          [...path, i, "path"],
          `${JSON.stringify(p)} is already listed at paths[${first}]; merge the capabilities into one entry`,
        );
        itemOk = false;
      }
    }
    let caps: Capability[] = [];
    if (o.capabilities !== undefined) {
      const raw = textList(c, o.capabilities, [...path, i], "capabilities", "capabilities", true);
      if (!raw) itemOk = false;
      else {
        for (let k = 0; k < raw.length; k++) {
          if (!CAPABILITY_SET.has(raw[k])) {
            c.report(
              [...path, i, "capabilities", k],
              `${JSON.stringify(raw[k])} is not a Vault capability${suggest(raw[k], CAPABILITIES) || ` (use ${CAPABILITIES.join(", ")})`}`,
            );
            itemOk = false;
          }
        }
        caps = raw as Capability[];
      }
    }
    if (itemOk && p !== undefined) out.push({ path: p, capabilities: caps });
    else ok = false;
  }
  return ok ? out : undefined;
}

/**
 * The grants of a list with no issue at all, as {@link pathGrants} would return them (each path's
 * parsed capabilities list kept as is); otherwise undefined. Decided without field paths, spreads
 * or closures, since most of 10,000 needs are fine; pathGrants reports on the rest.
 */
function wellFormedPathGrants(v: unknown): PathGrant[] | undefined {
  if (!Array.isArray(v) || v.length === 0) return undefined;
  for (let i = 0; i < v.length; i++) {
    const o: unknown = v[i];
    if (!isObj(o)) return undefined;
    for (const field in o) if (field !== "path" && field !== "capabilities") return undefined;
    const p = o.path;
    if (typeof p !== "string" || !isFilled(p) || vaultPathProblem(p) !== undefined)
      return undefined;
    for (let k = 0; k < i; k++) if ((v[k] as Obj).path === p) return undefined;
    const caps = o.capabilities;
    if (caps === undefined) continue;
    if (!Array.isArray(caps) || caps.length === 0) return undefined;
    for (let k = 0; k < caps.length; k++) {
      const cap: unknown = caps[k];
      if (typeof cap !== "string" || !CAPABILITY_SET.has(cap) || caps.indexOf(cap) !== k)
        return undefined;
    }
  }
  // Lists of exactly their length (a literal, or map), not grown by push from empty.
  return v.length === 1 ? [checkedGrant(v[0] as Obj)] : v.map((o: Obj) => checkedGrant(o));
}

/** A grant wellFormedPathGrants has checked: its parsed capabilities list kept, none → []. */
function checkedGrant(o: Obj): PathGrant {
  return {
    path: o.path as string,
    capabilities: o.capabilities === undefined ? [] : (o.capabilities as Capability[]),
  };
}

function normaliseWaivers(c: Checker, v: unknown, parent: Path, key: Key): Waiver[] | undefined {
  const path = at(parent, key);
  const items = list(c, v, path, undefined, "waivers ({ rule, reason, expires })");
  if (!items) return undefined;
  const out: Waiver[] = [];
  items.forEach((item, i) => {
    const ip = [...path, i];
    const o = mapping(c, item, ip, undefined, "a waiver { rule, reason, expires }", WAIVER_FIELDS);
    if (!o) return;
    const hasRule = required(c, o, "rule", ip, "the rule id, e.g. TW009");
    const hasReason = required(c, o, "reason", ip, "why the exception is acceptable");
    const hasExpires = required(c, o, "expires", ip, "when the waiver lapses, YYYY-MM-DD");
    let rule = hasRule ? text(c, o.rule, ip, "rule") : undefined;
    if (rule !== undefined && !RULE_RE.test(rule)) {
      c.report(
        [...ip, "rule"],
        `${JSON.stringify(rule)} is not a rule id (TW followed by three digits, e.g. TW009)`,
      );
      rule = undefined;
    }
    const reason = hasReason ? text(c, o.reason, ip, "reason") : undefined;
    const expires = hasExpires ? date(c, o.expires, ip, "expires") : undefined;
    if (rule && reason && expires) out.push({ rule, reason, expires });
  });
  return out.length === items.length ? out : undefined;
}
