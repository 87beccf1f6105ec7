/**
 * When a KV entry's token is due for rotation. The rotation clock writes `next_rotation` into its
 * custom metadata; without it (an entry written by hand or by `procure`), the last write plus the
 * `rotation_period` is the best evidence there is.
 */
import { tryParseDuration } from "../../components/model";
import type { LiveKvEntry } from "./live-types";

export function rotationDue(e: LiveKvEntry): { at: number; basis: string } | undefined {
  const next = e.customMetadata.next_rotation;
  if (next !== undefined) {
    const at = Date.parse(next);
    if (!Number.isNaN(at)) return { at, basis: "next_rotation" };
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
  if (v === undefined) return undefined;
  const at = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
  return Number.isNaN(at) ? undefined : at;
}
