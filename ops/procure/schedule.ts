/**
 * What a stored token version says about itself, and when things fall due. Pure functions.
 *
 * Each version's data carries its own record (issued, expires, scopes_granted) next to the token,
 * so the entry's state can always be rebuilt from Vault alone: the custom metadata is a copy for
 * people and tools, which a crash between the two writes (or a `pulumi up` rewriting the metadata)
 * may leave stale, and the next run repairs. Old versions need no bookkeeping at all: a version
 * older than the current one is a replaced token, retired `grace` after its successor was written.
 */
import type { Need } from "../../model";

/** Keys of the KV data map of each version procure or put writes. */
export const DATA_TOKEN = "token";

/** Custom metadata keys procurement writes (the stack writes its own; both are merged). */
export const MD = {
  issued: "issued",
  expires: "expires",
  scopesGranted: "scopes_granted",
  rotateAfter: "rotate_after",
  need: "need",
  owner: "owner",
  provider: "provider",
  /** The KV version the keys above describe (so a stale copy is recognisable). */
  version: "version",
  /** "tokenwarden procure" or "tokenwarden put". */
  procuredBy: "procured_by",
} as const;

/** Grace period when the provider sets none. */
export const DEFAULT_GRACE_S = 24 * 3600;

/**
 * A token is replaced at its rotation period, or at 80% of its lifetime when that comes first, so
 * consumers hold the next token before the current one expires.
 */
export const LIFETIME_FRACTION = 0.8;

export interface VersionRecord {
  readonly issued: number;
  readonly expires?: number;
  readonly scopesGranted?: readonly string[];
}

export function rotateAfter(rec: VersionRecord, rotationS: number | undefined): number | undefined {
  const at: number[] = [];
  if (rotationS !== undefined && rotationS > 0) at.push(rec.issued + rotationS * 1000);
  if (rec.expires !== undefined)
    at.push(rec.issued + Math.floor((rec.expires - rec.issued) * LIFETIME_FRACTION));
  return at.length > 0 ? Math.min(...at) : undefined;
}

/** RFC 3339, whole seconds, UTC. */
export function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/** The data map of a new version: the token and its own record. */
export function versionData(
  token: string,
  tokenType: string,
  rec: VersionRecord,
  procuredBy: string,
): Record<string, string> {
  const d: Record<string, string> = { [DATA_TOKEN]: token, token_type: tokenType };
  d[MD.issued] = iso(rec.issued);
  if (rec.expires !== undefined) d[MD.expires] = iso(rec.expires);
  if (rec.scopesGranted !== undefined) d[MD.scopesGranted] = rec.scopesGranted.join(",");
  d[MD.procuredBy] = procuredBy;
  return d;
}

/** A version's record from its data, falling back to Vault's created_time for data without one. */
export function recordOf(
  data: Readonly<Record<string, unknown>> | undefined,
  created: number,
): VersionRecord {
  const issued = parseTime(data?.[MD.issued]) ?? created;
  const expires = parseTime(data?.[MD.expires]);
  const scopes = data?.[MD.scopesGranted];
  return {
    issued,
    ...(expires !== undefined ? { expires } : {}),
    ...(typeof scopes === "string" ? { scopesGranted: scopes.split(",").filter(Boolean) } : {}),
  };
}

/** The same record from the custom metadata, when it describes `version`. */
export function recordFromMetadata(
  md: Readonly<Record<string, string>>,
  version: number,
): VersionRecord | undefined {
  if (md[MD.version] !== String(version)) return undefined;
  const issued = parseTime(md[MD.issued]);
  if (issued === undefined) return undefined;
  const expires = parseTime(md[MD.expires]);
  const scopes = md[MD.scopesGranted];
  return {
    issued,
    ...(expires !== undefined ? { expires } : {}),
    ...(scopes !== undefined ? { scopesGranted: scopes.split(",").filter(Boolean) } : {}),
  };
}

/**
 * The entry's custom metadata after storing `version`: the existing map (the stack's keys) with
 * procurement's keys replaced — a key this version has no value for (expires) is dropped rather
 * than left describing an older token.
 */
export function mergedMetadata(
  existing: Readonly<Record<string, string>>,
  need: Need,
  version: number,
  rec: VersionRecord,
  procuredBy: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  const ours = new Set<string>(Object.values(MD));
  for (const [k, v] of Object.entries(existing)) if (!ours.has(k)) out[k] = v;
  out[MD.need] = need.name;
  if (need.owner !== undefined) out[MD.owner] = need.owner;
  out[MD.provider] = need.provider;
  out[MD.version] = String(version);
  out[MD.issued] = iso(rec.issued);
  if (rec.expires !== undefined) out[MD.expires] = iso(rec.expires);
  if (rec.scopesGranted !== undefined) out[MD.scopesGranted] = rec.scopesGranted.join(",");
  const due = rotateAfter(rec, need.rotation);
  if (due !== undefined) out[MD.rotateAfter] = iso(due);
  out[MD.procuredBy] = procuredBy;
  return out;
}

function parseTime(v: unknown): number | undefined {
  if (typeof v !== "string" || v === "") return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}
