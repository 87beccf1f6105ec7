/** The double's clock: every TTL, expiry and timestamp follows it, so tests can move time. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Move time forward by `seconds` (fractions allowed). */
  advance(seconds: number): void;
}

export function createClock(startMs: number = Date.now()): Clock {
  let ms = startMs;
  return {
    now: () => ms,
    advance(seconds: number) {
      if (!Number.isFinite(seconds) || seconds < 0)
        throw new Error(`clock.advance: seconds must be a finite number >= 0, got ${seconds}`);
      ms += seconds * 1000;
    },
  };
}

/** Vault writes times as Go's RFC3339Nano in UTC; JavaScript's ISO form is a valid instance of it. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString();
}

/** Go's time.Duration.String() for whole seconds ("0s", "1h0m0s", "90m" → "1h30m0s"). */
export function goDuration(seconds: number): string {
  if (seconds === 0) return "0s";
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}
