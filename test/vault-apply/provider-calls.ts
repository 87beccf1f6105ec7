/**
 * What terraform-provider-vault (which @pulumi/vault bridges, and which CDKTF's configuration is
 * applied with) sends to Vault for every resource type tokenwarden renders — on create, read,
 * update and delete — and which fields each read compares with the declaration. One table, in
 * code: the apply test drives the Vault API double through it, and `describeTable()` prints it.
 *
 * Read from the provider's source (hashicorp/terraform-provider-vault, vault/*.go; the versions
 * available to read were older than the 5.6.0 the SDKs here bridge, so the table follows the
 * shape of those files plus what the 5.x schema in node_modules shows — `alias_metadata`, write-only
 * `data_json_wo`). Where the request shape depends on a field being set, the table says so:
 *  - resource_policy.go: PUT/GET/DELETE sys/policies/acl/:name (api.Sys().PutPolicy/GetPolicy).
 *  - resource_mount.go: POST sys/mounts/:path (MountInput), GET sys/mounts/:path, DELETE.
 *  - resource_auth_backend.go / resource_jwt_auth_backend.go: POST sys/auth/:path
 *    (EnableAuthOptions), GET sys/auth (the list), DELETE sys/auth/:path; jwt also writes and
 *    reads auth/:path/config with every option of its schema.
 *  - resource_kubernetes_auth_backend_config.go: POST/GET auth/:backend/config.
 *  - resource_audit.go: PUT sys/audit/:path (api.Sys().EnableAuditWithOptions), GET sys/audit.
 *  - resource_token_auth_backend_role.go + auth_token.go (setTokenFields): POST/GET/DELETE
 *    auth/token/roles/:name. setTokenFields sends EVERY common token field, set or not —
 *    token_ttl, token_max_ttl, token_policies and alias_metadata included, which this endpoint
 *    does not take (TokenWriteRoleRequest). Nothing tokenwarden declares can stop that; those
 *    are listed in `providerInherentIgnored` and read back as zero values (no diff).
 *  - resource_approle_auth_backend_role.go: POST role (updateTokenFields on create: only the set
 *    token fields), GET role + GET role/:name/role-id, DELETE role.
 *  - resource_approle_auth_backend_role_secret_id.go: POST role/:name/secret-id with
 *    X-Vault-Wrap-TTL when wrapping_ttl is set; with_wrapped_accessor: read is
 *    POST secret-id-accessor/lookup with the wrapped accessor; delete POST secret-id-accessor/destroy.
 *  - resource_kubernetes_auth_backend_role.go, resource_jwt_auth_backend_role.go: POST/GET/DELETE
 *    auth/:backend/role/:name.
 *  - resource_token.go: POST auth/token/create/:role (CreateWithRole) or auth/token/create;
 *    read POST auth/token/lookup-accessor (policies minus "default", orphan→no_parent, renewable,
 *    display_name minus "token-", num_uses, meta); delete POST auth/token/revoke-accessor.
 *  - resource_kv_secret_v2.go: POST :mount/data/:name {data, options}, then POST
 *    :mount/metadata/:name {max_versions, custom_metadata, …} when custom_metadata is set; with
 *    data_json_wo the data is sent only on create or when data_json_wo_version changes;
 *    disable_read: no read at all; delete with delete_all_versions: DELETE :mount/metadata/:name.
 *  - data sources: vault_auth_backends GET sys/auth; vault_generic_secret GET :path.
 */

export type Method = "GET" | "POST" | "PUT" | "DELETE" | "LIST";

export interface Call {
  readonly method: Method;
  readonly path: string;
  readonly body?: Readonly<Record<string, unknown>>;
  /** X-Vault-Wrap-TTL, when the provider asks for a wrapped response. */
  readonly wrapTtl?: string;
}

/** Declared attributes, snake_case as the provider names them. */
export type Attrs = Readonly<Record<string, unknown>>;
/** What the provider keeps from create (ids, accessors, issued values). */
export type State = Record<string, unknown>;
/** A response body (`data`, `auth`, `wrap_info`) as Vault returns it. */
export interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown> | undefined;
}

export interface ResourceCalls {
  readonly terraformType: string;
  readonly pulumiTypes: readonly string[];
  /** The provider file this row was read from. */
  readonly source: string;
  create(a: Attrs): Call[];
  /** Called with the create replies, in order: what the provider keeps in state. */
  created?(a: Attrs, replies: readonly Reply[]): State;
  read(a: Attrs, s: State): Call[];
  /** The fields the provider sets from the read replies, which a plan compares with `a`. */
  readonly compared: readonly string[];
  /** The read replies as the provider stores them, per compared field. */
  readBack(a: Attrs, s: State, replies: readonly Reply[]): Record<string, unknown>;
  /** The declared value of a compared field, with the provider's defaults applied. */
  declared(a: Attrs, field: string): unknown;
  update(a: Attrs, s: State, changed: readonly string[]): Call[];
  delete(a: Attrs, s: State): Call[];
}

const data = (r: Reply | undefined): Record<string, unknown> =>
  (r?.body?.data as Record<string, unknown> | undefined) ?? {};
const str = (v: unknown): string => (typeof v === "string" ? v : v == null ? "" : String(v));
const num = (v: unknown): number =>
  typeof v === "number" ? v : v == null || v === "" ? 0 : Number(v);
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
const sorted = (v: unknown): string[] => list(v).slice().sort();

/** The common token fields (auth_token.go). */
const TOKEN_FIELDS = [
  "token_bound_cidrs",
  "token_max_ttl",
  "token_ttl",
  "token_explicit_max_ttl",
  "token_no_default_policy",
  "token_period",
  "token_policies",
  "token_type",
  "token_num_uses",
] as const;

function tokenFieldDefault(field: string, tokenTypeDefault: string): unknown {
  if (field === "token_type") return tokenTypeDefault;
  if (field === "token_no_default_policy") return false;
  if (field === "token_bound_cidrs" || field === "token_policies") return [];
  return 0;
}
function declaredTokenField(a: Attrs, field: string, tokenTypeDefault: string): unknown {
  const v = a[field];
  if (v === undefined || v === null) return tokenFieldDefault(field, tokenTypeDefault);
  return field === "token_policies" || field === "token_bound_cidrs" ? sorted(v) : v;
}
function readTokenField(d: Record<string, unknown>, field: string): unknown {
  const v = d[field];
  if (field === "token_policies" || field === "token_bound_cidrs") return sorted(v);
  if (field === "token_no_default_policy") return v === true;
  if (field === "token_type") return str(v);
  return num(v);
}
/** updateTokenFields(create=true): only the token fields that are set (GetOk). */
function setTokenFieldsOnCreate(a: Attrs): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of TOKEN_FIELDS) {
    const v = a[f];
    if (v === undefined || v === null || v === 0 || v === "" || (Array.isArray(v) && !v.length))
      continue;
    out[f] = v;
  }
  return out;
}

/**
 * Token-role fields the provider sends whatever is declared (auth_token.go setTokenFields) and
 * which `POST auth/token/roles/:name` does not take in Vault 1.15 (TokenWriteRoleRequest).
 */
export const providerInherentIgnored: Readonly<Record<string, readonly string[]>> = {
  "auth/token/roles/": ["alias_metadata", "token_max_ttl", "token_policies", "token_ttl"],
};

const policy: ResourceCalls = {
  terraformType: "vault_policy",
  pulumiTypes: ["vault:index/policy:Policy"],
  source: "vault/resource_policy.go",
  create: (a) => [
    { method: "PUT", path: `sys/policies/acl/${str(a.name)}`, body: { policy: a.policy } },
  ],
  read: (a) => [{ method: "GET", path: `sys/policies/acl/${str(a.name)}` }],
  compared: ["policy"],
  readBack: (_a, _s, r) => ({ policy: data(r[0]).policy }),
  declared: (a, f) => a[f],
  update: (a) => policy.create(a),
  delete: (a) => [{ method: "DELETE", path: `sys/policies/acl/${str(a.name)}` }],
};

const mount: ResourceCalls = {
  terraformType: "vault_mount",
  pulumiTypes: ["vault:index/mount:Mount"],
  source: "vault/resource_mount.go",
  create: (a) => [
    {
      method: "POST",
      path: `sys/mounts/${str(a.path)}`,
      body: {
        type: a.type,
        description: a.description ?? "",
        config: {},
        local: false,
        seal_wrap: false,
        external_entropy_access: false,
        options: a.options ?? {},
      },
    },
  ],
  read: (a) => [{ method: "GET", path: `sys/mounts/${str(a.path)}` }],
  compared: ["type", "description", "options"],
  readBack: (_a, _s, r) => {
    const d = data(r[0]);
    return { type: d.type, description: d.description, options: d.options ?? {} };
  },
  declared: (a, f) =>
    f === "description" ? (a.description ?? "") : f === "options" ? (a.options ?? {}) : a[f],
  update: (a) => [
    {
      method: "POST",
      path: `sys/mounts/${str(a.path)}/tune`,
      body: { description: a.description ?? "", options: a.options ?? {} },
    },
  ],
  delete: (a) => [{ method: "DELETE", path: `sys/mounts/${str(a.path)}` }],
};

function authEnable(a: Attrs, type: string): Call {
  return {
    method: "POST",
    path: `sys/auth/${str(a.path)}`,
    body: { type, description: a.description ?? "", local: false },
  };
}
function authRead(d: Record<string, unknown>, path: string): Record<string, unknown> {
  const entry = d[`${path}/`] as Record<string, unknown> | undefined;
  return entry ?? {};
}

const authBackend: ResourceCalls = {
  terraformType: "vault_auth_backend",
  pulumiTypes: ["vault:index/authBackend:AuthBackend"],
  source: "vault/resource_auth_backend.go",
  create: (a) => [authEnable(a, str(a.type))],
  read: () => [{ method: "GET", path: "sys/auth" }],
  compared: ["type", "description"],
  readBack: (a, _s, r) => {
    const e = authRead(data(r[0]), str(a.path));
    return { type: e.type, description: e.description };
  },
  declared: (a, f) => (f === "description" ? (a.description ?? "") : a[f]),
  update: (a) => [
    {
      method: "POST",
      path: `sys/auth/${str(a.path)}/tune`,
      body: { description: a.description ?? "" },
    },
  ],
  delete: (a) => [{ method: "DELETE", path: `sys/auth/${str(a.path)}` }],
};

/** Every option resource_jwt_auth_backend.go writes to auth/:path/config (matchingJwtMountConfigOptions). */
const JWT_CONFIG = [
  "oidc_discovery_url",
  "oidc_discovery_ca_pem",
  "oidc_client_id",
  "oidc_client_secret",
  "oidc_response_mode",
  "oidc_response_types",
  "jwks_url",
  "jwks_ca_pem",
  "jwt_validation_pubkeys",
  "bound_issuer",
  "jwt_supported_algs",
  "default_role",
  "namespace_in_state",
] as const;
const JWT_LISTS = new Set(["oidc_response_types", "jwt_validation_pubkeys", "jwt_supported_algs"]);

const jwtAuthBackend: ResourceCalls = {
  terraformType: "vault_jwt_auth_backend",
  pulumiTypes: ["vault:jwt/authBackend:AuthBackend"],
  source: "vault/resource_jwt_auth_backend.go",
  create: (a) => [
    authEnable(a, str(a.type ?? "jwt")),
    {
      method: "POST",
      path: `auth/${str(a.path)}/config`,
      body: Object.fromEntries(
        JWT_CONFIG.map((k) => [
          k,
          a[k] ?? (JWT_LISTS.has(k) ? [] : k === "namespace_in_state" ? true : ""),
        ]),
      ),
    },
  ],
  read: (a) => [
    { method: "GET", path: "sys/auth" },
    { method: "GET", path: `auth/${str(a.path)}/config` },
  ],
  compared: ["type", "description", "oidc_discovery_url", "jwks_url", "bound_issuer"],
  readBack: (a, _s, r) => {
    const e = authRead(data(r[0]), str(a.path));
    const c = data(r[1]);
    return {
      type: e.type,
      description: e.description,
      oidc_discovery_url: str(c.oidc_discovery_url),
      jwks_url: str(c.jwks_url),
      bound_issuer: str(c.bound_issuer),
    };
  },
  declared: (a, f) => (f === "type" ? (a.type ?? "jwt") : str(a[f])),
  update: (a) => jwtAuthBackend.create(a).slice(1),
  delete: (a) => [{ method: "DELETE", path: `sys/auth/${str(a.path)}` }],
};

const kubernetesConfig: ResourceCalls = {
  terraformType: "vault_kubernetes_auth_backend_config",
  pulumiTypes: ["vault:kubernetes/authBackendConfig:AuthBackendConfig"],
  source: "vault/resource_kubernetes_auth_backend_config.go",
  create: (a) => [
    {
      method: "POST",
      path: `auth/${str(a.backend)}/config`,
      body: {
        kubernetes_host: a.kubernetes_host,
        ...(a.kubernetes_ca_cert ? { kubernetes_ca_cert: a.kubernetes_ca_cert } : {}),
        disable_iss_validation: false,
        disable_local_ca_jwt: false,
      },
    },
  ],
  read: (a) => [{ method: "GET", path: `auth/${str(a.backend)}/config` }],
  compared: ["kubernetes_host", "kubernetes_ca_cert"],
  readBack: (_a, _s, r) => {
    const d = data(r[0]);
    return {
      kubernetes_host: str(d.kubernetes_host),
      kubernetes_ca_cert: str(d.kubernetes_ca_cert),
    };
  },
  declared: (a, f) => str(a[f]),
  update: (a) => kubernetesConfig.create(a),
  delete: () => [],
};

const audit: ResourceCalls = {
  terraformType: "vault_audit",
  pulumiTypes: ["vault:index/audit:Audit"],
  source: "vault/resource_audit.go",
  create: (a) => [
    {
      method: "PUT",
      path: `sys/audit/${str(a.path)}`,
      body: {
        type: a.type,
        description: a.description ?? "",
        local: false,
        options: a.options ?? {},
      },
    },
  ],
  read: () => [{ method: "GET", path: "sys/audit" }],
  compared: ["type", "options.file_path"],
  readBack: (a, _s, r) => {
    const e = (data(r[0])[`${str(a.path)}/`] ?? {}) as {
      type?: unknown;
      options?: Record<string, unknown>;
    };
    return { type: e.type, "options.file_path": e.options?.file_path };
  },
  declared: (a, f) =>
    f === "type" ? a.type : (a.options as Record<string, unknown> | undefined)?.file_path,
  // Every argument forces a new device.
  update: () => [],
  delete: (a) => [{ method: "DELETE", path: `sys/audit/${str(a.path)}` }],
};

const tokenRole: ResourceCalls = {
  terraformType: "vault_token_auth_backend_role",
  pulumiTypes: ["vault:tokenauth/authBackendRole:AuthBackendRole"],
  source: "vault/resource_token_auth_backend_role.go + vault/auth_token.go (setTokenFields)",
  create: (a) => [
    {
      method: "POST",
      path: `auth/token/roles/${str(a.role_name)}`,
      body: {
        // setTokenFields: every common token field, set or not (token_ttl is left out only when
        // token_period is set, token_period when token_ttl is), and alias_metadata.
        token_no_default_policy: a.token_no_default_policy ?? false,
        token_type: a.token_type ?? "default-service",
        token_explicit_max_ttl: a.token_explicit_max_ttl ?? 0,
        token_max_ttl: a.token_max_ttl ?? 0,
        ...(num(a.token_ttl) > 0 ? {} : { token_period: a.token_period ?? 0 }),
        token_policies: a.token_policies ?? [],
        ...(num(a.token_period) > 0 ? {} : { token_ttl: a.token_ttl ?? 0 }),
        token_num_uses: a.token_num_uses ?? 0,
        token_bound_cidrs: a.token_bound_cidrs ?? [],
        alias_metadata: a.alias_metadata ?? {},
        allowed_policies: a.allowed_policies ?? [],
        disallowed_policies: a.disallowed_policies ?? [],
        orphan: a.orphan ?? false,
        renewable: a.renewable ?? true,
        path_suffix: a.path_suffix ?? "",
      },
    },
  ],
  read: (a) => [{ method: "GET", path: `auth/token/roles/${str(a.role_name)}` }],
  compared: [
    ...TOKEN_FIELDS,
    "allowed_policies",
    "disallowed_policies",
    "orphan",
    "path_suffix",
    "renewable",
  ],
  readBack: (_a, _s, r) => {
    const d = data(r[0]);
    const out: Record<string, unknown> = {};
    for (const f of TOKEN_FIELDS) out[f] = readTokenField(d, f);
    out.allowed_policies = sorted(d.allowed_policies);
    out.disallowed_policies = sorted(d.disallowed_policies);
    out.orphan = d.orphan === true;
    out.path_suffix = str(d.path_suffix);
    out.renewable = d.renewable === true;
    return out;
  },
  declared: (a, f) => {
    if ((TOKEN_FIELDS as readonly string[]).includes(f))
      return declaredTokenField(a, f, "default-service");
    if (f === "allowed_policies" || f === "disallowed_policies") return sorted(a[f]);
    if (f === "orphan") return a.orphan ?? false;
    if (f === "renewable") return a.renewable ?? true;
    return str(a[f]);
  },
  update: (a) => tokenRole.create(a),
  delete: (a) => [{ method: "DELETE", path: `auth/token/roles/${str(a.role_name)}` }],
};

const approleRole: ResourceCalls = {
  terraformType: "vault_approle_auth_backend_role",
  pulumiTypes: ["vault:appRole/authBackendRole:AuthBackendRole"],
  source: "vault/resource_approle_auth_backend_role.go",
  create: (a) => [
    {
      method: "POST",
      path: `auth/${str(a.backend ?? "approle")}/role/${str(a.role_name)}`,
      body: {
        ...setTokenFieldsOnCreate(a),
        bind_secret_id: a.bind_secret_id ?? true,
        ...(list(a.secret_id_bound_cidrs).length
          ? { secret_id_bound_cidrs: a.secret_id_bound_cidrs }
          : {}),
        ...(num(a.secret_id_num_uses) > 0 ? { secret_id_num_uses: a.secret_id_num_uses } : {}),
        ...(num(a.secret_id_ttl) > 0 ? { secret_id_ttl: a.secret_id_ttl } : {}),
      },
    },
  ],
  created: () => ({}),
  read: (a) => [
    { method: "GET", path: `auth/${str(a.backend ?? "approle")}/role/${str(a.role_name)}` },
    { method: "GET", path: `auth/${str(a.backend ?? "approle")}/role/${str(a.role_name)}/role-id` },
  ],
  compared: [
    ...TOKEN_FIELDS,
    "bind_secret_id",
    "secret_id_bound_cidrs",
    "secret_id_num_uses",
    "secret_id_ttl",
  ],
  readBack: (_a, _s, r) => {
    const d = data(r[0]);
    const out: Record<string, unknown> = {};
    for (const f of TOKEN_FIELDS) out[f] = readTokenField(d, f);
    out.bind_secret_id = d.bind_secret_id === true;
    out.secret_id_bound_cidrs = sorted(d.secret_id_bound_cidrs);
    out.secret_id_num_uses = num(d.secret_id_num_uses);
    out.secret_id_ttl = num(d.secret_id_ttl);
    out.role_id = data(r[1]).role_id;
    return out;
  },
  declared: (a, f) => {
    if ((TOKEN_FIELDS as readonly string[]).includes(f)) return declaredTokenField(a, f, "default");
    if (f === "bind_secret_id") return a.bind_secret_id ?? true;
    if (f === "secret_id_bound_cidrs") return sorted(a.secret_id_bound_cidrs);
    return num(a[f]);
  },
  update: (a) => [
    {
      method: "POST",
      path: `auth/${str(a.backend ?? "approle")}/role/${str(a.role_name)}`,
      body: {
        ...setTokenFieldsOnCreate(a),
        bind_secret_id: a.bind_secret_id ?? true,
        secret_id_bound_cidrs: a.secret_id_bound_cidrs ?? [],
        secret_id_num_uses: num(a.secret_id_num_uses),
        secret_id_ttl: num(a.secret_id_ttl),
      },
    },
  ],
  delete: (a) => [
    { method: "DELETE", path: `auth/${str(a.backend ?? "approle")}/role/${str(a.role_name)}` },
  ],
};

const secretId: ResourceCalls = {
  terraformType: "vault_approle_auth_backend_role_secret_id",
  pulumiTypes: ["vault:appRole/authBackendRoleSecretId:AuthBackendRoleSecretId"],
  source: "vault/resource_approle_auth_backend_role_secret_id.go",
  create: (a) => [
    {
      method: "POST",
      path: `auth/${str(a.backend ?? "approle")}/role/${str(a.role_name)}/secret-id`,
      body: {
        metadata: a.metadata ?? "",
        ...(num(a.ttl) > 0 ? { ttl: a.ttl } : {}),
        ...(num(a.num_uses) > 0 ? { num_uses: a.num_uses } : {}),
      },
      ...(a.wrapping_ttl ? { wrapTtl: str(a.wrapping_ttl) } : {}),
    },
  ],
  created: (_a, r) => {
    const wrap = r[0].body?.wrap_info as Record<string, unknown> | undefined;
    return {
      accessor: wrap ? wrap.wrapped_accessor : data(r[0]).secret_id_accessor,
      wrapping_token: wrap?.token,
      wrapping_accessor: wrap?.accessor,
    };
  },
  read: (a, s) => [
    {
      method: "POST",
      path: `auth/${str(a.backend ?? "approle")}/role/${str(a.role_name)}/secret-id-accessor/lookup`,
      body: { secret_id_accessor: s.accessor },
    },
  ],
  compared: ["metadata"],
  readBack: (_a, _s, r) => ({ metadata: JSON.stringify(data(r[0]).metadata ?? {}) }),
  declared: (a) => JSON.stringify(JSON.parse(str(a.metadata) || "{}")),
  // Every argument forces a new SecretID.
  update: () => [],
  delete: (a, s) => [
    {
      method: "POST",
      path: `auth/${str(a.backend ?? "approle")}/role/${str(a.role_name)}/secret-id-accessor/destroy`,
      body: { secret_id_accessor: s.accessor },
    },
  ],
};

const kubernetesRole: ResourceCalls = {
  terraformType: "vault_kubernetes_auth_backend_role",
  pulumiTypes: ["vault:kubernetes/authBackendRole:AuthBackendRole"],
  source: "vault/resource_kubernetes_auth_backend_role.go",
  create: (a) => [
    {
      method: "POST",
      path: `auth/${str(a.backend)}/role/${str(a.role_name)}`,
      body: {
        ...setTokenFieldsOnCreate(a),
        bound_service_account_names: a.bound_service_account_names,
        bound_service_account_namespaces: a.bound_service_account_namespaces,
        ...(a.audience ? { audience: a.audience } : {}),
      },
    },
  ],
  read: (a) => [{ method: "GET", path: `auth/${str(a.backend)}/role/${str(a.role_name)}` }],
  compared: [
    ...TOKEN_FIELDS,
    "bound_service_account_names",
    "bound_service_account_namespaces",
    "audience",
  ],
  readBack: (_a, _s, r) => {
    const d = data(r[0]);
    const out: Record<string, unknown> = {};
    for (const f of TOKEN_FIELDS) out[f] = readTokenField(d, f);
    out.bound_service_account_names = sorted(d.bound_service_account_names);
    out.bound_service_account_namespaces = sorted(d.bound_service_account_namespaces);
    out.audience = str(d.audience);
    return out;
  },
  declared: (a, f) => {
    if ((TOKEN_FIELDS as readonly string[]).includes(f)) return declaredTokenField(a, f, "default");
    return f === "audience" ? str(a.audience) : sorted(a[f]);
  },
  update: (a) => kubernetesRole.create(a),
  delete: (a) => [{ method: "DELETE", path: `auth/${str(a.backend)}/role/${str(a.role_name)}` }],
};

const jwtRole: ResourceCalls = {
  terraformType: "vault_jwt_auth_backend_role",
  pulumiTypes: ["vault:jwt/authBackendRole:AuthBackendRole"],
  source: "vault/resource_jwt_auth_backend_role.go",
  create: (a) => [
    {
      method: "POST",
      path: `auth/${str(a.backend)}/role/${str(a.role_name)}`,
      body: {
        ...setTokenFieldsOnCreate(a),
        role_type: a.role_type ?? "oidc",
        user_claim: a.user_claim,
        bound_audiences: a.bound_audiences ?? [],
        bound_claims: a.bound_claims ?? {},
      },
    },
  ],
  read: (a) => [{ method: "GET", path: `auth/${str(a.backend)}/role/${str(a.role_name)}` }],
  compared: [...TOKEN_FIELDS, "role_type", "user_claim", "bound_audiences", "bound_claims"],
  readBack: (_a, _s, r) => {
    const d = data(r[0]);
    const out: Record<string, unknown> = {};
    for (const f of TOKEN_FIELDS) out[f] = readTokenField(d, f);
    out.role_type = str(d.role_type);
    out.user_claim = str(d.user_claim);
    out.bound_audiences = sorted(d.bound_audiences);
    // The provider flattens each claim's value list back to the comma-joined string.
    const claims = (d.bound_claims ?? {}) as Record<string, unknown>;
    out.bound_claims = Object.fromEntries(
      Object.entries(claims).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : str(v)]),
    );
    return out;
  },
  declared: (a, f) => {
    if ((TOKEN_FIELDS as readonly string[]).includes(f)) return declaredTokenField(a, f, "default");
    if (f === "bound_audiences") return sorted(a.bound_audiences);
    if (f === "bound_claims") return a.bound_claims ?? {};
    return str(a[f] ?? (f === "role_type" ? "oidc" : ""));
  },
  update: (a) => jwtRole.create(a),
  delete: (a) => [{ method: "DELETE", path: `auth/${str(a.backend)}/role/${str(a.role_name)}` }],
};

const token: ResourceCalls = {
  terraformType: "vault_token",
  pulumiTypes: ["vault:index/token:Token"],
  source: "vault/resource_token.go",
  create: (a) => [
    {
      method: "POST",
      path: a.role_name ? `auth/token/create/${str(a.role_name)}` : "auth/token/create",
      // api.TokenCreateRequest: omitempty fields only when set (GetOk).
      body: {
        ...(list(a.policies).length ? { policies: a.policies } : {}),
        ...(a.metadata ? { meta: a.metadata } : {}),
        ...(a.ttl ? { ttl: a.ttl } : {}),
        ...(a.explicit_max_ttl ? { explicit_max_ttl: a.explicit_max_ttl } : {}),
        ...(a.period ? { period: a.period } : {}),
        ...(a.no_parent ? { no_parent: true } : {}),
        ...(a.no_default_policy ? { no_default_policy: true } : {}),
        display_name: a.display_name ?? "token",
        ...(a.num_uses ? { num_uses: a.num_uses } : {}),
        ...(a.renewable !== undefined ? { renewable: a.renewable } : {}),
      },
    },
  ],
  created: (_a, r) => {
    const auth = (r[0].body?.auth ?? {}) as Record<string, unknown>;
    return { accessor: auth.accessor, client_token: auth.client_token };
  },
  read: (_a, s) => [
    { method: "POST", path: "auth/token/lookup-accessor", body: { accessor: s.accessor } },
  ],
  compared: ["policies", "no_parent", "renewable", "display_name", "num_uses", "metadata"],
  readBack: (_a, _s, r) => {
    const d = data(r[0]);
    return {
      policies: sorted(d.policies).filter((p) => p !== "default"),
      no_parent: d.orphan === true,
      renewable: d.renewable === true,
      display_name: str(d.display_name).replace(/^token-/, ""),
      num_uses: num(d.num_uses),
      metadata: d.meta ?? {},
    };
  },
  declared: (a, f) => {
    switch (f) {
      case "policies":
        return sorted(a.policies).filter((p) => p !== "default");
      case "no_parent":
        return a.no_parent ?? false;
      case "renewable":
        return a.renewable ?? true;
      case "display_name":
        return a.display_name ?? "token";
      case "num_uses":
        return num(a.num_uses);
      default:
        return a.metadata ?? {};
    }
  },
  // Every argument but the renewal settings forces a new token.
  update: () => [],
  delete: (_a, s) => [
    { method: "POST", path: "auth/token/revoke-accessor", body: { accessor: s.accessor } },
  ],
};

const kvSecretV2: ResourceCalls = {
  terraformType: "vault_kv_secret_v2",
  pulumiTypes: ["vault:kv/secretV2:SecretV2"],
  source: "vault/resource_kv_secret_v2.go",
  create: (a) => [
    {
      method: "POST",
      path: `${str(a.mount)}/data/${str(a.name)}`,
      body: {
        data: JSON.parse(str(a.data_json_wo ?? a.data_json) || "{}"),
        options: a.options ?? {},
      },
    },
    ...kvMetadataWrite(a),
  ],
  // disable_read: the provider reads nothing back (no drift detection of the entry; `tokenwarden
  // drift` does that) — and never copies a procured token into the state.
  read: (a) =>
    a.disable_read ? [] : [{ method: "GET", path: `${str(a.mount)}/data/${str(a.name)}` }],
  compared: [],
  readBack: () => ({}),
  declared: () => undefined,
  update: (a, _s, changed) => [
    // data_json_wo is sent again only when data_json_wo_version changes.
    ...(changed.includes("data_json_wo_version") || changed.includes("data_json")
      ? [kvSecretV2.create(a)[0]]
      : []),
    ...kvMetadataWrite(a),
  ],
  delete: (a) => [
    {
      method: "DELETE",
      path: `${str(a.mount)}/${a.delete_all_versions ? "metadata" : "data"}/${str(a.name)}`,
    },
  ],
};
function kvMetadataWrite(a: Attrs): Call[] {
  const cm = a.custom_metadata as Record<string, unknown> | undefined;
  if (!cm) return [];
  return [
    {
      method: "POST",
      path: `${str(a.mount)}/metadata/${str(a.name)}`,
      body: {
        max_versions: cm.max_versions ?? 0,
        cas_required: cm.cas_required ?? false,
        delete_version_after: cm.delete_version_after ?? 0,
        custom_metadata: cm.data ?? {},
      },
    },
  ];
}

const rotating: ResourceCalls = {
  terraformType: "time_rotating",
  pulumiTypes: ["time:index/rotating:Rotating"],
  source: "hashicorp/terraform-provider-time (no Vault calls)",
  create: () => [],
  read: () => [],
  compared: [],
  readBack: () => ({}),
  declared: () => undefined,
  update: () => [],
  delete: () => [],
};

/** Every resource type the Pulumi components and CDKTF constructs render. */
export const PROVIDER_CALLS: readonly ResourceCalls[] = [
  mount,
  authBackend,
  jwtAuthBackend,
  kubernetesConfig,
  audit,
  policy,
  tokenRole,
  approleRole,
  secretId,
  kubernetesRole,
  jwtRole,
  token,
  kvSecretV2,
  rotating,
];

/** Data sources the components read (mount checks). */
export const DATA_SOURCE_CALLS: Readonly<Record<string, (a: Attrs) => Call[]>> = {
  vault_auth_backends: () => [{ method: "GET", path: "sys/auth" }],
  vault_generic_secret: (a) => [{ method: "GET", path: str(a.path) }],
};

export function callsFor(pulumiOrTerraformType: string): ResourceCalls {
  const row = PROVIDER_CALLS.find(
    (r) =>
      r.terraformType === pulumiOrTerraformType || r.pulumiTypes.includes(pulumiOrTerraformType),
  );
  if (!row) throw new Error(`provider-calls: no row for ${pulumiOrTerraformType}`);
  return row;
}

/** The table as Markdown: type → create/read/update/delete endpoints → fields compared. */
export function describeTable(): string {
  const ex: Attrs = {
    name: ":name",
    path: ":path",
    type: "kv",
    mount: ":mount",
    role_name: ":role",
    backend: ":backend",
    custom_metadata: { data: {} },
    delete_all_versions: true,
    data_json_wo: "{}",
    disable_read: true,
    wrapping_ttl: "1h",
  };
  const fmt = (calls: Call[]) =>
    calls.map((c) => `${c.method} ${c.path}${c.wrapTtl ? " (wrapped)" : ""}`).join("; ") || "—";
  const rows = PROVIDER_CALLS.map((r) => {
    const s: State = { accessor: ":accessor" };
    return `| ${r.terraformType} | ${fmt(r.create(ex))} | ${fmt(r.read(ex, s))} | ${fmt(r.update(ex, s, []))} | ${fmt(r.delete(ex, s))} | ${r.compared.join(", ") || "—"} |`;
  });
  return [
    "| resource type | create | read | update | delete | fields each read compares |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}
