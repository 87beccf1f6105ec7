/**
 * Vault's answers → the live model. Pure: one function per endpoint's `data`, tolerant of the
 * shapes Vault versions send (null meta, legacy field names), copying only named fields so a token
 * id can never ride along.
 */
import type { LiveKvEntry, LiveRole, LiveToken, RoleKind } from "./live-types";

type Data = Readonly<Record<string, unknown>>;

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}
function num(v: unknown): number {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && /^\d+$/.test(v)) return Number(v);
  return 0;
}
function strings(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === "string");
  // Some roles read back a comma list as a string in older Vault versions.
  if (typeof v === "string" && v !== "") return v.split(",").map((s) => s.trim());
  return [];
}
function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (v && typeof v === "object" && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) if (typeof x === "string") out[k] = x;
  }
  return out;
}

/** `auth/token/lookup-accessor` data → LiveToken. */
export function tokenFromLookup(accessor: string, d: Data): LiveToken {
  const role = str(d.role);
  const issueTime = str(d.issue_time);
  const expireTime = str(d.expire_time);
  const type = str(d.type);
  return {
    accessor: str(d.accessor) ?? accessor,
    policies: strings(d.policies),
    meta: stringMap(d.meta),
    displayName: typeof d.display_name === "string" ? d.display_name : "",
    path: typeof d.path === "string" ? d.path : "",
    ...(role !== undefined ? { role } : {}),
    creationTime: num(d.creation_time),
    ...(issueTime !== undefined ? { issueTime } : {}),
    ...(expireTime !== undefined ? { expireTime } : {}),
    ttl: num(d.ttl),
    creationTtl: num(d.creation_ttl),
    explicitMaxTtl: num(d.explicit_max_ttl),
    period: num(d.period),
    orphan: d.orphan === true,
    renewable: d.renewable === true,
    ...(type !== undefined ? { type } : {}),
  };
}

/**
 * An auth role's data → LiveRole. Token roles keep their policies in `allowed_policies` and
 * their ceiling in `token_explicit_max_ttl` (older Vaults: `explicit_max_ttl`); they take no
 * `token_ttl`. The other kinds use `token_policies` (older: `policies`), `token_ttl`,
 * `token_max_ttl`.
 */
export function roleFromRead(kind: RoleKind, mount: string, name: string, d: Data): LiveRole {
  if (kind === "token") {
    const max = d.token_explicit_max_ttl ?? d.explicit_max_ttl;
    return {
      kind,
      mount,
      name,
      policies: strings(d.allowed_policies).sort(),
      ...(max !== undefined ? { maxTtl: num(max) } : {}),
    };
  }
  const policies = strings(d.token_policies ?? d.policies).sort();
  return {
    kind,
    mount,
    name,
    policies,
    ttl: num(d.token_ttl ?? d.ttl),
    maxTtl: num(d.token_max_ttl ?? d.max_ttl),
  };
}

/** `<mount>/metadata/<path>` data → LiveKvEntry (metadata only; values are never read). */
export function kvEntryFromMetadata(mount: string, path: string, d: Data): LiveKvEntry {
  const currentVersion = num(d.current_version);
  const versions = d.versions && typeof d.versions === "object" ? (d.versions as Data) : {};
  const current = versions[String(currentVersion)] as Data | undefined;
  const lastWritten = str(current?.created_time) ?? str(d.updated_time);
  return {
    mount,
    path,
    customMetadata: stringMap(d.custom_metadata),
    currentVersion,
    ...(lastWritten !== undefined ? { lastWritten } : {}),
  };
}
