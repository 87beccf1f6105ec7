/**
 * TTL values as Vault, Pulumi and Terraform write them: a number of seconds (`3600`, `"3600"`) or
 * a Go/Vault duration string (`"1h"`, `"1h30m0s"`, `"768h"`, `"7d"`). Zero and empty mean "not
 * set" (Vault then falls back to the mount default), which a rule must see as missing.
 */

const UNIT: Readonly<Record<string, number>> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
};
const PART_RE = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/gy;

/** Seconds, or null when the value is absent, zero, or not a duration. */
export function ttlSeconds(value: unknown): number | null {
  if (value === undefined || value === null || value === "") return null;
  if (typeof value === "number") return Number.isFinite(value) && value > 0 ? value : null;
  if (typeof value !== "string") return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n > 0 ? n : null;
  }
  let total = 0;
  let at = 0;
  PART_RE.lastIndex = 0;
  for (let m = PART_RE.exec(text); m; m = PART_RE.exec(text)) {
    total += Number(m[1]) * UNIT[m[2]];
    at = PART_RE.lastIndex;
  }
  if (at === 0 || at !== text.length) return null;
  const whole = Math.round(total);
  return whole > 0 ? whole : null;
}
