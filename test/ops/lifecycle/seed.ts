/**
 * Puts a grant plan into a Vault (the double, or a real one) through Vault's HTTP API, the way
 * `pulumi up` leaves it: KV v2 mount, policies, token roles, one token per token-auth need created
 * against its role with the need's meta, KV entries with custom metadata. Login auth roles
 * (approle, kubernetes, jwt) are written only when `authRoles` is set, since their mounts must be
 * enabled first. Returns the accessor of each need's token.
 */
import type { Declared } from "../../../ops/lifecycle/declared";
import { VaultClient } from "../../../vault";

export const THIRD_PARTY_CANARY = "sk_live_CANARY-third-party-token-value";

export function rootClient(address: string, token: string): VaultClient {
  return new VaultClient({ address, token, minBackoffMs: 1, maxBackoffMs: 5 });
}

export async function applyPlan(
  client: VaultClient,
  d: Declared,
  opts: { nextRotation?: string; authRoles?: boolean } = {},
): Promise<Map<string, string>> {
  const w = (path: string, body: unknown) => client.write(path, body, { idempotent: true });
  if (d.kvEntries.size > 0) {
    await w(`sys/mounts/${d.kvMount}`, { type: "kv", options: { version: "2" } });
  }
  for (const n of d.needs.values()) {
    await w(`sys/policies/acl/${n.grant.policy.name}`, { policy: n.grant.policy.hcl });
  }
  for (const r of d.roles.values()) {
    if (r.kind === "token") {
      await w(`auth/token/roles/${r.name}`, {
        allowed_policies: r.policies,
        ...(r.maxTtl ? { token_explicit_max_ttl: r.maxTtl } : {}),
        orphan: false,
        renewable: true,
      });
    } else if (opts.authRoles) {
      await w(`auth/${r.mount}/role/${r.name}`, {
        token_policies: r.policies,
        token_ttl: r.ttl,
        token_max_ttl: r.maxTtl,
        ...(r.kind === "kubernetes"
          ? { bound_service_account_names: ["x"], bound_service_account_namespaces: ["y"] }
          : {}),
        ...(r.kind === "jwt"
          ? { role_type: "jwt", user_claim: "sub", bound_audiences: ["vault"] }
          : {}),
      });
    }
  }
  const accessors = new Map<string, string>();
  for (const n of d.needs.values()) {
    const t = n.grant.token;
    if (t) {
      const meta = {
        ...t.meta,
        ...(opts.nextRotation ? { next_rotation: opts.nextRotation } : {}),
      };
      const res = await client.request("POST", `auth/token/create/${t.roleName}`, {
        policies: t.policies,
        ttl: `${t.ttl}s`,
        meta,
        display_name: t.displayName,
        no_default_policy: t.noDefaultPolicy,
        renewable: t.renewable,
      });
      const auth = (res.body as { auth?: { accessor?: string } }).auth;
      if (res.status !== 200 || !auth?.accessor) {
        throw new Error(`token for ${n.need.name}: ${res.status} ${JSON.stringify(res.body)}`);
      }
      accessors.set(n.need.name, auth.accessor);
    }
    const kv = n.grant.kvEntry;
    if (kv) {
      await client.write(`${kv.mount}/data/${kv.name}`, { data: { token: THIRD_PARTY_CANARY } });
      await w(`${kv.mount}/metadata/${kv.name}`, {
        max_versions: kv.maxVersions,
        custom_metadata: {
          ...kv.customMetadata,
          ...(opts.nextRotation ? { next_rotation: opts.nextRotation } : {}),
        },
      });
    }
  }
  return accessors;
}

/** Creates a token by hand (the shadow kind): returns its accessor. */
export async function createToken(
  client: VaultClient,
  path: string,
  body: Record<string, unknown>,
): Promise<string> {
  const res = await client.request("POST", path, body);
  const auth = (res.body as { auth?: { accessor?: string } }).auth;
  if (res.status !== 200 || !auth?.accessor)
    throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return auth.accessor;
}
