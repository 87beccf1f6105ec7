/**
 * Test support for parity: both renderings of a grant plan — the resources the Pulumi program
 * registers (collectResources) and the synthesized Terraform JSON — reduced to one neutral list
 * of Vault objects, so a test can say "they provision the same thing" with a single deep equality.
 *
 * What each object keeps is what Vault ends up holding: names, parsed policy documents, role
 * settings, TTLs in seconds, token settings and meta, KV custom metadata, rotation periods.
 * What is left out is how each tool gets there (depends_on, lifecycle, secret data, provider
 * plumbing such as `disable_read` or write-only arguments): those differ by design.
 */
import { parse as parseHcl } from "@cdktf/hcl2json";
import { NEXT_ROTATION_KEY } from "../../components/cdktf/need-grant";
import { tryParseDuration } from "../../model/duration";

export type Kind =
  | "mount"
  | "auth-mount"
  | "auth-config:kubernetes"
  | "secret-id"
  | "audit"
  | "policy"
  | "role:approle"
  | "role:kubernetes"
  | "role:jwt"
  | "role:token"
  | "token"
  | "kv"
  | "rotation";

export interface VaultObject {
  readonly kind: Kind;
  /** What identifies the object in Vault (rotations: their period and the need they serve). */
  readonly key: string;
  readonly settings: Readonly<Record<string, unknown>>;
}

const PULUMI_KINDS: Readonly<Record<string, Kind>> = {
  "vault:index/mount:Mount": "mount",
  "vault:index/authBackend:AuthBackend": "auth-mount",
  "vault:jwt/authBackend:AuthBackend": "auth-mount",
  "vault:kubernetes/authBackendConfig:AuthBackendConfig": "auth-config:kubernetes",
  "vault:appRole/authBackendRoleSecretId:AuthBackendRoleSecretId": "secret-id",
  "vault:index/audit:Audit": "audit",
  "vault:index/policy:Policy": "policy",
  "vault:appRole/authBackendRole:AuthBackendRole": "role:approle",
  "vault:kubernetes/authBackendRole:AuthBackendRole": "role:kubernetes",
  "vault:jwt/authBackendRole:AuthBackendRole": "role:jwt",
  "vault:tokenauth/authBackendRole:AuthBackendRole": "role:token",
  "vault:index/token:Token": "token",
  "vault:kv/secretV2:SecretV2": "kv",
  "time:index/rotating:Rotating": "rotation",
};

const TERRAFORM_KINDS: Readonly<Record<string, Kind>> = {
  vault_mount: "mount",
  vault_auth_backend: "auth-mount",
  vault_jwt_auth_backend: "auth-mount",
  vault_kubernetes_auth_backend_config: "auth-config:kubernetes",
  vault_approle_auth_backend_role_secret_id: "secret-id",
  vault_audit: "audit",
  vault_policy: "policy",
  vault_approle_auth_backend_role: "role:approle",
  vault_kubernetes_auth_backend_role: "role:kubernetes",
  vault_jwt_auth_backend_role: "role:jwt",
  vault_token_auth_backend_role: "role:token",
  vault_token: "token",
  vault_kv_secret_v2: "kv",
  time_rotating: "rotation",
};

/** The next-rotation metadata value, as both sides should wire it: the need's own clock. */
export function clockValue(minutes: number): string {
  return `<rotation clock of ${minutes} min>`;
}

type Attrs = Readonly<Record<string, unknown>>;

/** A resource as collectResources returns it, or as `tokenwarden plan --format json` prints it. */
export interface PulumiResourceLike {
  readonly type: string;
  /** False for component resources; `plan` output leaves it out (components are `tokenwarden:`). */
  readonly custom?: boolean;
  readonly inputs: Record<string, unknown>;
}

/**
 * Pulumi side. `now` is the clock collectResources gave the mocked `time.Rotating`, so a
 * `next_rotation` timestamp can be read back as "now + the rotation period".
 */
export async function fromPulumi(
  resources: readonly PulumiResourceLike[],
  now: Date,
): Promise<VaultObject[]> {
  const readClock = (v: unknown): unknown => {
    if (typeof v !== "string") return v;
    const t = Date.parse(v);
    if (Number.isNaN(t)) return v;
    return clockValue(Math.round((t - now.getTime()) / 60_000));
  };
  const out: VaultObject[] = [];
  for (const r of resources) {
    if (r.custom === false || r.type.startsWith("tokenwarden:")) continue;
    const kind = PULUMI_KINDS[r.type];
    if (!kind) throw new Error(`parity: no neutral form for Pulumi type ${r.type}`);
    out.push(await neutral(kind, r.inputs, readClock));
  }
  return sortObjects(out);
}

/** Terraform side: every resource of a synthesized `cdk.tf.json`. */
export async function fromTerraform(json: string | object): Promise<VaultObject[]> {
  const doc = (typeof json === "string" ? JSON.parse(json) : json) as {
    resource?: Record<string, Record<string, Record<string, unknown>>>;
  };
  const resources = doc.resource ?? {};
  const rotationMinutes = new Map<string, number>();
  for (const [id, attrs] of Object.entries(resources.time_rotating ?? {})) {
    rotationMinutes.set(id, Number(attrs.rotation_minutes));
  }
  const readClock = (v: unknown): unknown => {
    if (typeof v !== "string") return v;
    const m = /^\$\{time_rotating\.([^.}]+)\.rotation_rfc3339\}$/.exec(v);
    if (!m) return v;
    const minutes = rotationMinutes.get(m[1]);
    if (minutes === undefined) throw new Error(`parity: ${v} names no time_rotating`);
    return clockValue(minutes);
  };
  const out: VaultObject[] = [];
  for (const [type, byId] of Object.entries(resources)) {
    const kind = TERRAFORM_KINDS[type];
    if (!kind) throw new Error(`parity: no neutral form for Terraform type ${type}`);
    for (const attrs of Object.values(byId)) {
      out.push(await neutral(kind, camelKeys(attrs), readClock));
    }
  }
  return sortObjects(out);
}

/**
 * Terraform's snake_case attribute names as the SDKs' camelCase input names. Top level only:
 * nested keys are map keys (token meta, custom metadata, mount options) and stay as written.
 */
function camelKeys(attrs: Record<string, unknown>): Attrs {
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(attrs)) {
    out[k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = unescapeDeep(x);
  }
  return out;
}

/** What Terraform makes of an escaped literal: `$${` is `${`, `%%{` is `%{` (keys too). */
function unescapeDeep(v: unknown): unknown {
  const un = (s: string) => s.replace(/\$\$\{/g, () => "${").replace(/%%\{/g, () => "%{");
  if (typeof v === "string") return un(v);
  if (Array.isArray(v)) return v.map(unescapeDeep);
  if (typeof v === "object" && v !== null) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [un(k), unescapeDeep(x)]));
  }
  return v;
}

async function neutral(
  kind: Kind,
  a: Attrs,
  readClock: (v: unknown) => unknown,
): Promise<VaultObject> {
  const role = () => ({
    tokenPolicies: sorted(a.tokenPolicies),
    tokenTtl: seconds(a.tokenTtl),
    tokenMaxTtl: seconds(a.tokenMaxTtl),
  });
  switch (kind) {
    case "mount": {
      // `type = "kv-v2"` and `type = "kv"` with `options.version = "2"` are the same mount.
      const options = (a.options ?? {}) as Record<string, string>;
      const type = a.type === "kv" && options.version === "2" ? "kv-v2" : a.type;
      return { kind, key: String(a.path), settings: { type, description: a.description } };
    }
    case "auth-mount":
      return {
        kind,
        key: String(a.path),
        settings: {
          type: a.type,
          oidcDiscoveryUrl: a.oidcDiscoveryUrl ?? null,
          jwksUrl: a.jwksUrl ?? null,
          boundIssuer: a.boundIssuer ?? null,
        },
      };
    case "auth-config:kubernetes":
      return {
        kind,
        key: String(a.backend).replace(
          /^\$\{vault_auth_backend\.[^.]+\.path\}$/,
          "<created mount>",
        ),
        settings: {
          kubernetesHost: a.kubernetesHost,
          kubernetesCaCert: a.kubernetesCaCert ?? null,
        },
      };
    case "secret-id":
      return {
        kind,
        key: `${a.backend}/${a.roleName}`,
        settings: {
          ttl: seconds(a.ttl),
          numUses: a.numUses ?? null,
          wrappingTtl: seconds(a.wrappingTtl),
          withWrappedAccessor: a.withWrappedAccessor ?? false,
          metadata: withClock(
            JSON.parse(String(a.metadata ?? "{}")) as Record<string, unknown>,
            readClock,
          ),
        },
      };
    case "audit":
      return {
        kind,
        key: String(a.path),
        settings: { type: a.type, options: a.options ?? {} },
      };
    case "policy":
      return {
        kind,
        key: String(a.name),
        settings: { rules: await policyRules(String(a.policy)) },
      };
    case "role:approle":
      return {
        kind,
        key: `${a.backend}/${a.roleName}`,
        settings: {
          ...role(),
          secretIdTtl: seconds(a.secretIdTtl),
          secretIdNumUses: a.secretIdNumUses ?? 0,
        },
      };
    case "role:kubernetes":
      return {
        kind,
        key: `${a.backend}/${a.roleName}`,
        settings: {
          ...role(),
          boundServiceAccountNames: sorted(a.boundServiceAccountNames),
          boundServiceAccountNamespaces: sorted(a.boundServiceAccountNamespaces),
          audience: a.audience ?? null,
        },
      };
    case "role:jwt":
      return {
        kind,
        key: `${a.backend}/${a.roleName}`,
        settings: {
          ...role(),
          roleType: a.roleType ?? null,
          boundAudiences: sorted(a.boundAudiences),
          boundClaims: a.boundClaims ?? {},
          userClaim: a.userClaim,
        },
      };
    case "role:token":
      return {
        kind,
        key: `token/${a.roleName}`,
        settings: {
          // What POST auth/token/roles/:name takes: no token_ttl, token_max_ttl, token_policies.
          tokenTtl: seconds(a.tokenTtl),
          tokenMaxTtl: seconds(a.tokenMaxTtl),
          tokenPolicies: a.tokenPolicies ?? null,
          allowedPolicies: sorted(a.allowedPolicies),
          tokenExplicitMaxTtl: seconds(a.tokenExplicitMaxTtl),
          tokenType: a.tokenType ?? null,
          renewable: a.renewable ?? true,
          orphan: a.orphan ?? false,
        },
      };
    case "token": {
      const meta = withClock((a.metadata ?? {}) as Record<string, unknown>, readClock);
      return {
        kind,
        // A token has no name in Vault; the need its meta names is what identifies it.
        key: `${meta.need ?? a.displayName}`,
        settings: {
          displayName: a.displayName,
          roleName: a.roleName ?? null,
          policies: sorted(a.policies),
          ttl: seconds(a.ttl),
          explicitMaxTtl: seconds(a.explicitMaxTtl),
          renewable: a.renewable ?? null,
          noParent: a.noParent ?? false,
          noDefaultPolicy: a.noDefaultPolicy ?? false,
          meta,
        },
      };
    }
    case "kv": {
      // Terraform renders custom_metadata as a block: one object, or a list of one.
      const raw = a.customMetadata;
      const cm = (Array.isArray(raw) ? raw[0] : raw) as Record<string, unknown> | undefined;
      return {
        kind,
        key: `${a.mount}/${a.name}`,
        settings: {
          maxVersions: cm?.maxVersions ?? cm?.max_versions ?? null,
          customMetadata: withClock((cm?.data ?? {}) as Record<string, unknown>, readClock),
          deleteAllVersions: a.deleteAllVersions ?? false,
          // The value is written once, at creation, and never read back (procurement owns it).
          dataJsonWoVersion: a.dataJsonWoVersion ?? null,
          disableRead: a.disableRead ?? false,
          dataJson: a.dataJson ?? null,
        },
      };
    }
    case "rotation":
      return {
        kind,
        key: clockValue(Number(a.rotationMinutes)),
        settings: { rotationMinutes: Number(a.rotationMinutes) },
      };
  }
}

/** A Vault policy document as sorted rules, whatever its formatting. */
export async function policyRules(
  hcl: string,
): Promise<{ path: string; capabilities: string[] }[]> {
  const doc = (await parseHcl("policy.hcl", hcl)) as {
    path?: Record<string, { capabilities?: string[] }[]>;
  };
  const rules: { path: string; capabilities: string[] }[] = [];
  for (const [p, blocks] of Object.entries(doc.path ?? {})) {
    for (const b of blocks) rules.push({ path: p, capabilities: sorted(b.capabilities) });
  }
  return rules.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
}

/** Seconds from a number, or a duration string such as "900s" or "1h30m". */
function seconds(v: unknown): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v === "number") return v;
  const text = String(v);
  const n = /^\d+$/.test(text) ? Number(text) : tryParseDuration(text);
  if (n === undefined) throw new Error(`parity: ${JSON.stringify(v)} is not a duration`);
  return n;
}

function sorted(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String).sort() : [];
}

/** Metadata with its `next_rotation` value read as the clock it comes from. */
function withClock(
  o: Record<string, unknown>,
  readClock: (v: unknown) => unknown,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(o).map(([k, v]) => [k, k === NEXT_ROTATION_KEY ? readClock(v) : v]),
  );
}

function sortObjects(list: VaultObject[]): VaultObject[] {
  const id = (o: VaultObject) => `${o.kind}\u0000${o.key}`;
  return list.sort((x, y) => (id(x) < id(y) ? -1 : id(x) > id(y) ? 1 : 0));
}
