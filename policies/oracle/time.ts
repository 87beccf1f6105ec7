/**
 * Dates as the Rego rules read them (Go's time parsing): review dates are YYYY-MM-DD calendar
 * days, `now` is RFC 3339. Nanoseconds as bigint, so comparisons are exact like OPA's.
 */

const DAY_NS = 86_400_000_000_000n;
// OPA's time built-ins refuse instants outside int64 nanoseconds (years 1678–2262).
const MIN_NS = -(2n ** 63n);
const MAX_NS = 2n ** 63n - 1n;
const inRange = (ns: bigint): bigint | undefined => (ns >= MIN_NS && ns <= MAX_NS ? ns : undefined);

function daysFromCivil(y: number, m: number, d: number): number {
  // Howard Hinnant's days_from_civil: proleptic Gregorian, any year (Date.UTC maps 0–99 to 19xx).
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

/** Midnight UTC of a YYYY-MM-DD calendar date, or undefined when it is not one. */
export function reviewDateNs(date: string): bigint | undefined {
  const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(date);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
  return inRange(BigInt(daysFromCivil(y, mo, d)) * DAY_NS);
}

function civilNs(y: number, mo: number, d: number): bigint | undefined {
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
  return BigInt(daysFromCivil(y, mo, d)) * DAY_NS;
}

/** An RFC 3339 timestamp in nanoseconds since the epoch, or undefined when it does not parse. */
export function rfc3339Ns(text: string): bigint | undefined {
  const m =
    /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$/.exec(
      text,
    );
  if (!m) return undefined;
  const day = civilNs(Number(m[1]), Number(m[2]), Number(m[3]));
  const [h, mi, s] = [Number(m[4]), Number(m[5]), Number(m[6])];
  if (day === undefined || h > 23 || mi > 59 || s > 59) return undefined;
  const frac = m[7] ? BigInt(m[7].slice(1).padEnd(9, "0")) : 0n;
  let offset = 0n;
  if (m[8] !== "Z") {
    const sign = m[8][0] === "-" ? -1n : 1n;
    offset = sign * BigInt(Number(m[8].slice(1, 3)) * 3600 + Number(m[8].slice(4, 6)) * 60);
  }
  return inRange(day + (BigInt(h * 3600 + mi * 60 + s) - offset) * 1_000_000_000n + frac);
}

export { DAY_NS };
