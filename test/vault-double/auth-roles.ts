/**
 * JWT/OIDC and Kubernetes auth: roles and config stored and read back the way the plugins do
 * (hashicorp/vault-plugin-auth-jwt path_role.go / path_config.go,
 * hashicorp/vault-plugin-auth-kubernetes path_role.go / path_config.go): durations in seconds,
 * comma lists as arrays, defaults filled in, unset lists/maps as null where the plugin leaves a Go
 * nil, the plugins' own required-field errors. Logins are not modelled (they need a signed JWT or
 * a Kubernetes TokenReview); the JWT config's discovery/JWKS URL is not fetched.
 */
import { createPublicKey } from "node:crypto";
import { type Ctx, type RouteTable, bool, has, list, num, str } from "./context";
import { badRequest, notFound } from "./errors";
import {
  type TokenFields,
  emptyTokenFields,
  parseTokenFields,
  populateTokenData,
} from "./auth-common";
import type { MountEntry } from "./sys";

type Stored = Record<string, unknown> & { token: TokenFields };

class PerMount<T> {
  private readonly byMount = new Map<string, Map<string, T>>();
  of(ctx: Ctx): Map<string, T> {
    let m = this.byMount.get(ctx.mountPath);
    if (!m) {
      m = new Map();
      this.byMount.set(ctx.mountPath, m);
    }
    return m;
  }
  drop(mountPath: string) {
    this.byMount.delete(mountPath);
  }
}

function copyRole(r: Stored): Stored {
  return {
    ...structuredClone({ ...r, token: undefined }),
    token: { ...r.token, legacy: { ...r.token.legacy } },
  };
}

export function authRoleRoutes(
  onUnmount: (hook: (m: MountEntry) => void) => void,
  routes: RouteTable,
): void {
  // ---------------------------------------------------------------- JWT / OIDC
  const jwtRoles = new PerMount<Stored>();
  const jwtConfig = new PerMount<Record<string, unknown>>();
  const k8sRoles = new PerMount<Stored>();
  const k8sConfig = new PerMount<Record<string, unknown>>();
  onUnmount((m) => {
    for (const p of [jwtRoles, jwtConfig, k8sRoles, k8sConfig]) p.drop(`auth/${m.path}`);
  });

  const listRoles = (p: PerMount<Stored>) => (ctx: Ctx) => {
    const keys = [...p.of(ctx).keys()].sort();
    if (keys.length === 0) throw notFound();
    return { data: { keys } };
  };

  routes.set("/auth/{jwt_mount_path}/role", { list: listRoles(jwtRoles) });
  routes.set("/auth/{jwt_mount_path}/role/{name}", {
    exists: (ctx) => jwtRoles.of(ctx).has(ctx.params.name),
    read: (ctx) => {
      const r = jwtRoles.of(ctx).get(ctx.params.name);
      if (!r) throw notFound();
      const d: Record<string, unknown> = {
        allowed_redirect_uris: r.allowed_redirect_uris,
        bound_audiences: r.bound_audiences,
        bound_claims: r.bound_claims,
        bound_claims_type: r.bound_claims_type,
        bound_subject: r.bound_subject,
        claim_mappings: r.claim_mappings,
        clock_skew_leeway: r.clock_skew_leeway,
        expiration_leeway: r.expiration_leeway,
        groups_claim: r.groups_claim,
        max_age: r.max_age,
        not_before_leeway: r.not_before_leeway,
        oidc_scopes: r.oidc_scopes,
        role_type: r.role_type,
        user_claim: r.user_claim,
        user_claim_json_pointer: r.user_claim_json_pointer,
        verbose_oidc_logging: r.verbose_oidc_logging,
      };
      populateTokenData(r.token, d);
      return { data: structuredClone(d) };
    },
    write: (ctx) => {
      const roles = jwtRoles.of(ctx);
      const existing = roles.get(ctx.params.name);
      const r: Stored = existing
        ? copyRole(existing)
        : {
            role_type: "oidc",
            allowed_redirect_uris: null,
            bound_audiences: null,
            bound_claims: null,
            bound_claims_type: "string",
            bound_subject: "",
            claim_mappings: null,
            clock_skew_leeway: 60,
            expiration_leeway: 150,
            not_before_leeway: 150,
            groups_claim: "",
            max_age: 0,
            oidc_scopes: null,
            user_claim: "",
            user_claim_json_pointer: false,
            verbose_oidc_logging: false,
            token: emptyTokenFields(),
          };
      if (has(ctx, "role_type")) {
        const t = str(ctx, "role_type");
        if (t !== "jwt" && t !== "oidc") throw badRequest(`invalid 'role_type': ${t}`);
        if (existing && existing.role_type !== t) throw badRequest("role_type cannot be changed");
        r.role_type = t;
      }
      for (const k of ["allowed_redirect_uris", "bound_audiences", "oidc_scopes"])
        if (has(ctx, k)) r[k] = list(ctx, k);
      for (const k of ["bound_subject", "groups_claim", "user_claim"])
        if (has(ctx, k)) r[k] = str(ctx, k);
      for (const k of ["clock_skew_leeway", "expiration_leeway", "not_before_leeway", "max_age"])
        if (has(ctx, k)) r[k] = num(ctx, k);
      for (const k of ["user_claim_json_pointer", "verbose_oidc_logging"])
        if (has(ctx, k)) r[k] = bool(ctx, k);
      if (has(ctx, "bound_claims_type")) {
        const t = str(ctx, "bound_claims_type");
        if (t !== "string" && t !== "glob") throw badRequest(`invalid 'bound_claims_type': ${t}`);
        r.bound_claims_type = t;
      }
      if (has(ctx, "bound_claims")) {
        const bc = ctx.f.bound_claims as Record<string, unknown>;
        for (const [k, v] of Object.entries(bc)) {
          const ok =
            typeof v === "string" || (Array.isArray(v) && v.every((x) => typeof x === "string"));
          if (!ok) throw badRequest(`bound claim is not a string or list: ${k}`);
        }
        r.bound_claims = Object.keys(bc).length > 0 ? bc : null;
      }
      if (has(ctx, "claim_mappings")) {
        const cm = ctx.f.claim_mappings as Record<string, string>;
        r.claim_mappings = Object.keys(cm).length > 0 ? cm : null;
      }
      parseTokenFields(ctx, r.token);
      if (!r.user_claim) throw badRequest("a user claim must be defined on the role");
      const bound =
        ((r.bound_audiences as string[] | null)?.length ?? 0) > 0 ||
        r.bound_subject !== "" ||
        r.bound_claims !== null ||
        r.token.token_bound_cidrs.length > 0;
      if (r.role_type === "jwt" && !bound)
        throw badRequest("must have at least one bound constraint when creating/updating a role");
      if (r.role_type === "oidc" && !((r.allowed_redirect_uris as string[] | null)?.length ?? 0))
        throw badRequest(
          "'allowed_redirect_uris' must be set if 'role_type' is 'oidc' or unspecified.",
        );
      roles.set(ctx.params.name, r);
      return null;
    },
    delete: (ctx) => {
      jwtRoles.of(ctx).delete(ctx.params.name);
      return null;
    },
  });

  routes.set("/auth/{jwt_mount_path}/config", {
    read: (ctx) => {
      const c = jwtConfig.of(ctx).get("config");
      if (!c) throw notFound();
      const d = { ...c };
      delete d.oidc_client_secret;
      return { data: structuredClone(d) };
    },
    write: (ctx) => {
      const cfg = jwtConfig.of(ctx);
      const c: Record<string, unknown> = {
        bound_issuer: str(ctx, "bound_issuer"),
        default_role: str(ctx, "default_role"),
        jwks_ca_pem: str(ctx, "jwks_ca_pem"),
        jwks_url: str(ctx, "jwks_url"),
        jwt_supported_algs: list(ctx, "jwt_supported_algs"),
        jwt_validation_pubkeys: list(ctx, "jwt_validation_pubkeys"),
        namespace_in_state: bool(ctx, "namespace_in_state", true),
        oidc_client_id: str(ctx, "oidc_client_id"),
        oidc_client_secret: str(ctx, "oidc_client_secret"),
        oidc_discovery_ca_pem: str(ctx, "oidc_discovery_ca_pem"),
        oidc_discovery_url: str(ctx, "oidc_discovery_url"),
        oidc_response_mode: str(ctx, "oidc_response_mode"),
        oidc_response_types: list(ctx, "oidc_response_types"),
        provider_config: has(ctx, "provider_config") ? ctx.f.provider_config : {},
      };
      const sources = [
        c.oidc_discovery_url !== "",
        c.jwks_url !== "",
        (c.jwt_validation_pubkeys as string[]).length > 0,
      ].filter(Boolean).length;
      if (sources !== 1)
        throw badRequest(
          "exactly one of 'jwt_validation_pubkeys', 'jwks_url' or 'oidc_discovery_url' must be set",
        );
      for (const pem of c.jwt_validation_pubkeys as string[]) {
        try {
          createPublicKey(pem);
        } catch (e) {
          throw badRequest(`error parsing public key: ${(e as Error).message}`);
        }
      }
      if ((c.oidc_client_id === "") !== (c.oidc_client_secret === ""))
        throw badRequest("both 'oidc_client_id' and 'oidc_client_secret' must be set for OIDC");
      cfg.set("config", c);
      return null;
    },
  });

  // ---------------------------------------------------------------- Kubernetes
  routes.set("/auth/{kubernetes_mount_path}/role", { list: listRoles(k8sRoles) });
  routes.set("/auth/{kubernetes_mount_path}/role/{name}", {
    exists: (ctx) => k8sRoles.of(ctx).has(ctx.params.name),
    read: (ctx) => {
      const r = k8sRoles.of(ctx).get(ctx.params.name);
      if (!r) throw notFound();
      const d: Record<string, unknown> = {
        alias_name_source: r.alias_name_source,
        audience: r.audience,
        bound_service_account_names: r.bound_service_account_names,
        bound_service_account_namespaces: r.bound_service_account_namespaces,
      };
      populateTokenData(r.token, d);
      return { data: structuredClone(d) };
    },
    write: (ctx) => {
      const roles = k8sRoles.of(ctx);
      const existing = roles.get(ctx.params.name);
      const r: Stored = existing
        ? copyRole(existing)
        : {
            alias_name_source: "serviceaccount_uid",
            audience: "",
            bound_service_account_names: [],
            bound_service_account_namespaces: [],
            token: emptyTokenFields(),
          };
      if (has(ctx, "bound_service_account_names"))
        r.bound_service_account_names = list(ctx, "bound_service_account_names");
      if (has(ctx, "bound_service_account_namespaces"))
        r.bound_service_account_namespaces = list(ctx, "bound_service_account_namespaces");
      if (has(ctx, "audience")) r.audience = str(ctx, "audience");
      if (has(ctx, "alias_name_source")) {
        const a = str(ctx, "alias_name_source");
        if (a !== "serviceaccount_uid" && a !== "serviceaccount_name")
          throw badRequest(`invalid alias_name_source: ${a}`);
        r.alias_name_source = a;
      }
      parseTokenFields(ctx, r.token);
      const names = r.bound_service_account_names as string[];
      const nss = r.bound_service_account_namespaces as string[];
      if (names.length === 0) throw badRequest('"bound_service_account_names" can not be empty');
      if (nss.length === 0) throw badRequest('"bound_service_account_namespaces" can not be empty');
      if (names.length === 1 && names[0] === "*" && nss.length === 1 && nss[0] === "*")
        throw badRequest('service account name and namespace can not both be set to "*"');
      roles.set(ctx.params.name, r);
      return null;
    },
    delete: (ctx) => {
      k8sRoles.of(ctx).delete(ctx.params.name);
      return null;
    },
  });
  routes.set("/auth/{kubernetes_mount_path}/config", {
    read: (ctx) => {
      const c = k8sConfig.of(ctx).get("config");
      if (!c) throw notFound();
      const d: Record<string, unknown> = {
        ...c,
        token_reviewer_jwt_set: c.token_reviewer_jwt !== "",
      };
      delete d.token_reviewer_jwt;
      return { data: structuredClone(d) };
    },
    write: (ctx) => {
      const host = str(ctx, "kubernetes_host");
      if (!host) throw badRequest("no host provided");
      k8sConfig.of(ctx).set("config", {
        disable_iss_validation: bool(ctx, "disable_iss_validation", true),
        disable_local_ca_jwt: bool(ctx, "disable_local_ca_jwt", false),
        issuer: str(ctx, "issuer"),
        kubernetes_ca_cert: str(ctx, "kubernetes_ca_cert"),
        kubernetes_host: host,
        pem_keys: list(ctx, "pem_keys"),
        token_reviewer_jwt: str(ctx, "token_reviewer_jwt"),
      });
      return null;
    },
  });
}
