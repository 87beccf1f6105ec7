/**
 * When a KV entry's token is due for rotation, from its custom metadata: `rotate_after` (written
 * by `tokenwarden procure`/`put` for the version it stored), or `next_rotation` (a rotation clock);
 * failing both, the last write plus the `rotation_period` is the best evidence there is.
 * Procurement's keys describe the version named in `version`: when that is not the current
 * version (someone wrote a value by hand since), they are stale and not used.
 */
import { tryParseDuration } from "../../model";
import type { LiveKvEntry } from "./live-types";

function procurementKeysCurrent(e: LiveKvEntry): boolean {
  const v = e.customMetadata.version;
  return v === undefined || Number(v) === e.currentVersion;
}

export function rotationDue(e: LiveKvEntry): { at: number; basis: string } | undefined {
  for (const key of ["rotate_after", "next_rotation"] as const) {
    const value = e.customMetadata[key];
    if (value === undefined || (key === "rotate_after" && !procurementKeysCurrent(e))) continue;
    const at = Date.parse(value);
    if (!Number.isNaN(at)) return { at, basis: key };
  }
  const period = e.customMetadata.rotation_period;
  const seconds = period !== undefined ? tryParseDuration(period) : undefined;
  const written = e.lastWritten !== undefined ? Date.parse(e.lastWritten) : NaN;
  if (seconds !== undefined && !Number.isNaN(written)) {
    return { at: written + seconds * 1000, basis: `last written ${e.lastWritten} + ${period}` };
  }
  return undefined;
}

/** The expiry the provider gave the token (custom metadata `expires`, written at procurement). */
export function providerExpiry(e: LiveKvEntry): number | undefined {
  const v = e.customMetadata.expires;
  if (v === undefined || !procurementKeysCurrent(e)) return undefined;
  const at = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
  return Number.isNaN(at) ? undefined : at;
}
