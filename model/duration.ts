/**
 * Durations as the manifest writes them: whole numbers of days, hours, minutes and seconds, largest
 * unit first, each unit at most once (`30d`, `1h30m`, `90s`). Months and years are left out on
 * purpose: their length varies, and a TTL must mean one exact number of seconds.
 */
import type { Seconds } from "./types";

const UNIT_SECONDS = { d: 86_400, h: 3_600, m: 60, s: 1 } as const;
type Unit = keyof typeof UNIT_SECONDS;
const UNIT_ORDER: readonly Unit[] = ["d", "h", "m", "s"];

/** One or more `<digits><unit>` parts, units in the order d, h, m, s, each at most once. */
const DURATION_RE = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** The hint every duration error carries, so a user sees the accepted syntax at once. */
export const DURATION_HINT = "use s, m, h, d — e.g. 1h30m";

export class DurationSyntaxError extends Error {}

/** Parses `1h30m` into seconds; throws DurationSyntaxError on anything else (including ""). */
export function parseDuration(text: string): Seconds {
  const seconds = tryParseDuration(text);
  if (seconds === undefined) {
    throw new DurationSyntaxError(`${JSON.stringify(text)} is not a duration (${DURATION_HINT})`);
  }
  return seconds;
}

/** Like parseDuration, but returns undefined for text that is not a duration. */
export function tryParseDuration(text: string): Seconds | undefined {
  if (typeof text !== "string" || text.length === 0 || text.length > 40) return undefined;
  const m = DURATION_RE.exec(text);
  if (!m) return undefined;
  let total = 0;
  for (let i = 0; i < UNIT_ORDER.length; i++) {
    const part = m[i + 1];
    if (part !== undefined) total += Number(part) * UNIT_SECONDS[UNIT_ORDER[i]];
  }
  return Number.isSafeInteger(total) ? total : undefined;
}

/** Canonical text for a number of seconds: largest units first, zero parts left out (`0s` for 0). */
export function formatDuration(seconds: Seconds): string {
  if (!Number.isSafeInteger(seconds) || seconds < 0) {
    throw new RangeError(
      `formatDuration: ${seconds} is not a whole, non-negative number of seconds`,
    );
  }
  if (seconds === 0) return "0s";
  let rest = seconds;
  let out = "";
  for (const unit of UNIT_ORDER) {
    const n = Math.floor(rest / UNIT_SECONDS[unit]);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * UNIT_SECONDS[unit];
    }
  }
  return out;
}
