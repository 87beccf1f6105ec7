/**
 * time.* built-ins with Go's time package semantics, because OPA is Go: Go layout strings
 * ("2006-01-02T15:04:05Z07:00"), time.ParseDuration, Date normalisation (AddDate overflow),
 * and nanosecond timestamps that must fit an int64. Nanoseconds are BigInt; time zones come from
 * Node's ICU (Intl), which carries the same IANA database Go loads.
 */
import { existsSync, readFileSync } from "node:fs";
import { BuiltinTypeError, defineAll, operandError } from "./types";
import { namedErrors, str } from "./operands";
import { normNum, typeName, type Value } from "../value";

const NS_PER_S = 1_000_000_000n;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

// ---- civil calendar (proleptic Gregorian, days since 1970-01-01) ----

function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(z: number): [number, number, number] {
  const zz = z + 719468;
  const era = Math.floor(zz / 146097);
  const doe = zz - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const daysIn = (m: number, y: number): number =>
  m === 2 ? (isLeap(y) ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];

const floorDiv = (a: bigint, b: bigint): bigint => {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
};

// ---- time zones ----

/** A location: "UTC", "Local" or an IANA name; fixed zones come from parsing an offset. */
interface Zone {
  readonly key: string;
  readonly fixed?: { readonly offset: number; readonly name: string };
}

const UTC: Zone = { key: "UTC" };
const formatters = new Map<string, Intl.DateTimeFormat>();

function ianaName(z: Zone): string {
  return z.key === "Local" ? Intl.DateTimeFormat().resolvedOptions().timeZone : z.key;
}

function formatterFor(name: string): Intl.DateTimeFormat {
  let f = formatters.get(name);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: name, timeZoneName: "longOffset" });
    formatters.set(name, f);
  }
  return f;
}

function loadZone(name: string): Zone {
  if (name === "" || name === "UTC") return UTC;
  if (name === "Local") return { key: "Local" };
  // Go looks names up in the zoneinfo database, case-sensitively; ICU is more forgiving
  // ("america/new_york"), so the database decides whenever it is installed.
  if (zoneinfoInstalled() && readTZif(name) === null) throw new Error(`unknown time zone ${name}`);
  try {
    formatterFor(name);
  } catch {
    throw new Error(`unknown time zone ${name}`);
  }
  return { key: name };
}

/** UTC offset in seconds of `zone` at the instant `unixSec`. */
function offsetAt(zone: Zone, unixSec: number): number {
  if (zone.fixed) return zone.fixed.offset;
  if (zone.key === "UTC") return 0;
  const ms = Math.min(Math.max(unixSec * 1000, -8.64e15), 8.64e15);
  const part = formatterFor(ianaName(zone))
    .formatToParts(new Date(ms))
    .find((p) => p.type === "timeZoneName")?.value;
  const m = /^GMT(?:([+-])(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?)?$/.exec(part ?? "GMT");
  if (!m || m[1] === undefined) return 0;
  const secs = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
  return m[1] === "-" ? -secs : secs;
}

/** What a TZif file says about abbreviations: its transitions and its POSIX footer's names. */
interface ZoneAbbrevs {
  readonly transitions: { at: number; utoff: number; abbrev: string }[];
  readonly footer: { utoff: number; abbrev: string }[];
}

const tzifCache = new Map<string, ZoneAbbrevs | null>();
let zoneinfoPresent: boolean | undefined;

function zoneinfoInstalled(): boolean {
  zoneinfoPresent ??= existsSync("/usr/share/zoneinfo/UTC");
  return zoneinfoPresent;
}

/**
 * Reads /usr/share/zoneinfo/<name> (the TZif database Go itself reads) for the abbreviations Go
 * prints; ICU only knows localised names. Returns null when the database is not installed.
 */
function readTZif(name: string): ZoneAbbrevs | null {
  if (tzifCache.has(name)) return tzifCache.get(name) ?? null;
  let out: ZoneAbbrevs | null;
  try {
    if (!/^[A-Za-z0-9_+-]+(\/[A-Za-z0-9_+-]+)*$/.test(name)) throw new Error("bad name");
    const buf = readFileSync(`/usr/share/zoneinfo/${name}`);
    if (buf.toString("latin1", 0, 4) !== "TZif") throw new Error("not TZif");
    const counts = (at: number): number[] =>
      [0, 1, 2, 3, 4, 5].map((i) => buf.readUInt32BE(at + 20 + 4 * i));
    let [isut, isstd, leap, timecnt, typecnt, charcnt] = counts(0);
    let at = 44;
    let timeSize = 4;
    if (buf[4] >= 0x32) {
      // Skip the 32-bit block; use the 64-bit one that follows.
      at += timecnt * 5 + typecnt * 6 + charcnt + leap * 8 + isstd + isut;
      [isut, isstd, leap, timecnt, typecnt, charcnt] = counts(at);
      at += 44;
      timeSize = 8;
    }
    const times: number[] = [];
    for (let i = 0; i < timecnt; i++) {
      times.push(
        timeSize === 8 ? Number(buf.readBigInt64BE(at + 8 * i)) : buf.readInt32BE(at + 4 * i),
      );
    }
    at += timecnt * timeSize;
    const idx = [...buf.subarray(at, at + timecnt)];
    at += timecnt;
    const types: { utoff: number; abbrev: string }[] = [];
    const charsAt = at + typecnt * 6;
    for (let i = 0; i < typecnt; i++) {
      const utoff = buf.readInt32BE(at + 6 * i);
      const start = charsAt + buf[at + 6 * i + 5];
      let end = start;
      while (buf[end] !== 0 && end < charsAt + charcnt) end++;
      types.push({ utoff, abbrev: buf.toString("latin1", start, end) });
    }
    at = charsAt + charcnt + leap * (timeSize + 4) + isstd + isut;
    const footerText =
      buf[at] === 0x0a ? buf.toString("latin1", at + 1, buf.indexOf(0x0a, at + 1)) : "";
    out = {
      transitions: times.map((t, i) => ({ at: t, ...types[idx[i]] })),
      footer: parsePosixTZ(footerText),
    };
    if (times.length === 0 && out.footer.length === 0 && types.length > 0) {
      out = { transitions: [{ at: -Infinity, ...types[0] }], footer: [] };
    }
  } catch {
    out = null;
  }
  tzifCache.set(name, out);
  return out;
}

/** Names and offsets in a POSIX TZ string such as "CET-1CEST,M3.5.0,M10.5.0/3" or "<+08>-8". */
function parsePosixTZ(tz: string): { utoff: number; abbrev: string }[] {
  const m =
    /^(<[^>]+>|[A-Za-z]{3,})([-+]?\d{1,2}(?::\d{2}){0,2})(?:(<[^>]+>|[A-Za-z]{3,})([-+]?\d{1,2}(?::\d{2}){0,2})?)?/.exec(
      tz,
    );
  if (!m) return [];
  const secs = (o: string): number => {
    const [h, mi = "0", se = "0"] = o.replace(/^[-+]/, "").split(":");
    const v = Number(h) * 3600 + Number(mi) * 60 + Number(se);
    return o.startsWith("-") ? v : -v; // POSIX offsets count west of Greenwich
  };
  const name = (n: string): string => n.replace(/^<|>$/g, "");
  const std = { utoff: secs(m[2]), abbrev: name(m[1]) };
  if (m[3] === undefined) return [std];
  return [std, { utoff: m[4] !== undefined ? secs(m[4]) : std.utoff + 3600, abbrev: name(m[3]) }];
}

function tzifAbbrev(name: string, unixSec: number, offset: number): string | undefined {
  const z = readTZif(name);
  if (!z) return undefined;
  const ts = z.transitions;
  let lo = 0;
  let hi = ts.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ts[mid].at <= unixSec) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (found >= 0 && ts[found].utoff === offset && found < ts.length - 1) return ts[found].abbrev;
  const fromFooter = z.footer.find((f) => f.utoff === offset);
  if (fromFooter) return fromFooter.abbrev;
  if (found >= 0 && ts[found].utoff === offset) return ts[found].abbrev;
  for (let i = ts.length - 1; i >= 0; i--) if (ts[i].utoff === offset) return ts[i].abbrev;
  return undefined;
}

const abbrevFormatters = new Map<string, Intl.DateTimeFormat[]>();

/** The zone abbreviation Go prints for "MST" (tzdata style: "EST", or "+0530" when unnamed). */
function zoneAbbrev(zone: Zone, unixSec: number, offset: number): string {
  if (zone.fixed) return zone.fixed.name;
  if (zone.key === "UTC") return "UTC";
  const name = ianaName(zone);
  const fromTZif = tzifAbbrev(name, unixSec, offset);
  if (fromTZif !== undefined) return fromTZif;
  // No zoneinfo database installed: ICU's English short names, tzdata's numeric style otherwise.
  let fs = abbrevFormatters.get(name);
  if (!fs) {
    fs = ["en-US", "en-GB", "en-IN", "en-AU", "en-NZ", "en-ZA", "en-IE"].map(
      (loc) => new Intl.DateTimeFormat(loc, { timeZone: name, timeZoneName: "short" }),
    );
    abbrevFormatters.set(name, fs);
  }
  const date = new Date(Math.min(Math.max(unixSec * 1000, -8.64e15), 8.64e15));
  for (const f of fs) {
    const v = f.formatToParts(date).find((p) => p.type === "timeZoneName")?.value ?? "";
    if (/^[A-Z]{2,5}$/.test(v) && v !== "GMT") return v;
    if (v === "GMT" && offset === 0) return "GMT";
  }
  const sign = offset < 0 ? "-" : "+";
  const abs = Math.abs(offset);
  const hh = String(Math.floor(abs / 3600)).padStart(2, "0");
  const mm = Math.floor((abs % 3600) / 60);
  return sign + hh + (mm !== 0 ? String(mm).padStart(2, "0") : "");
}

// ---- a time value: instant + location ----

interface Time {
  readonly ns: bigint; // Unix nanoseconds (may exceed int64 transiently, checked on output)
  readonly zone: Zone;
}

interface Civil {
  year: number;
  month: number;
  day: number;
  hour: number;
  min: number;
  sec: number;
  nsec: number;
  yday: number;
  weekday: number; // 0 = Sunday
  offset: number;
  abbrev: () => string;
}

function civil(t: Time): Civil {
  const unixSec = Number(floorDiv(t.ns, NS_PER_S));
  const nsec = Number(t.ns - floorDiv(t.ns, NS_PER_S) * NS_PER_S);
  const offset = offsetAt(t.zone, unixSec);
  const local = unixSec + offset;
  const days = Math.floor(local / 86400);
  const sod = local - days * 86400;
  const [year, month, day] = civilFromDays(days);
  return {
    year,
    month,
    day,
    hour: Math.floor(sod / 3600),
    min: Math.floor((sod % 3600) / 60),
    sec: sod % 60,
    nsec,
    yday: days - daysFromCivil(year, 1, 1) + 1,
    weekday: (((days + 4) % 7) + 7) % 7,
    offset,
    abbrev: () => zoneAbbrev(t.zone, unixSec, offset),
  };
}

/** Go's time.Date: every field may overflow and is normalised; the zone offset is resolved. */
function goDate(
  year: number,
  month: number,
  day: number,
  hour: number,
  min: number,
  sec: number,
  nsec: number,
  zone: Zone,
): Time {
  const m0 = month - 1;
  const y = year + Math.floor(m0 / 12);
  const m = (((m0 % 12) + 12) % 12) + 1;
  const days = daysFromCivil(y, m, 1) + day - 1;
  const localSec = BigInt(days) * 86400n + BigInt(hour * 3600 + min * 60 + sec);
  let unix = localSec;
  const guess = offsetAt(zone, Number(localSec));
  if (guess !== 0 || zone.key !== "UTC") {
    let offset = guess;
    const utc = Number(localSec) - offset;
    const check = offsetAt(zone, utc);
    if (check !== offset) offset = check;
    unix = localSec - BigInt(offset);
  }
  return { ns: unix * NS_PER_S + BigInt(nsec), zone };
}

function checkRange(ns: bigint): bigint {
  if (ns < INT64_MIN || ns > INT64_MAX) throw new Error("time outside of valid range");
  return ns;
}

// ---- operands ----

function nsOperand(v: Value): bigint {
  if (typeof v === "bigint") {
    if (v < INT64_MIN || v > INT64_MAX) throw new Error("timestamp too big");
    return v;
  }
  if (typeof v === "number") {
    if (!Number.isInteger(v) || v < -9223372036854775808 || v >= 9223372036854775808) {
      throw new Error("timestamp too big");
    }
    return BigInt(v);
  }
  throw new BuiltinTypeError(`operand 1 must be number but got ${typeName(v)}`);
}

/** OPA's tzTime: a number (ns, UTC) or [ns, tz?, layout?]. */
function tzTime(name: string, v: Value): { t: Time; layout: string } {
  if (Array.isArray(v)) {
    if (v.length === 0) {
      throw operandError(name, 1, "either number (ns) or [number (ns), string (tz)]", v);
    }
    if (typeof v[0] !== "number" && typeof v[0] !== "bigint") {
      throw operandError(name, 1, "number", v[0]);
    }
    let zone = UTC;
    if (v.length > 1) {
      if (typeof v[1] !== "string") throw operandError(name, 1, "string", v[1]);
      zone = loadZone(v[1]);
    }
    let layout = "";
    if (v.length > 2) {
      if (typeof v[2] !== "string") throw operandError(name, 1, "string", v[2]);
      layout = v[2];
    }
    return { t: { ns: nsOperand(v[0]), zone }, layout };
  }
  if (typeof v === "number" || typeof v === "bigint")
    return { t: { ns: nsOperand(v), zone: UTC }, layout: "" };
  throw operandError(name, 1, "either number (ns) or [number (ns), string (tz)]", v);
}

function intOperand(name: string, pos: number, v: Value): number {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "number") {
    throw new BuiltinTypeError(
      `${name}: operand ${pos} must be integer number but got floating-point number`,
    );
  }
  throw operandError(name, pos, "number", v);
}

// ---- Go layouts ----

const LAYOUT_CONSTANTS: Record<string, string> = {
  ANSIC: "Mon Jan _2 15:04:05 2006",
  UnixDate: "Mon Jan _2 15:04:05 MST 2006",
  RubyDate: "Mon Jan 02 15:04:05 -0700 2006",
  RFC822: "02 Jan 06 15:04 MST",
  RFC822Z: "02 Jan 06 15:04 -0700",
  RFC850: "Monday, 02-Jan-06 15:04:05 MST",
  RFC1123: "Mon, 02 Jan 2006 15:04:05 MST",
  RFC1123Z: "Mon, 02 Jan 2006 15:04:05 -0700",
  RFC3339: "2006-01-02T15:04:05Z07:00",
  RFC3339Nano: "2006-01-02T15:04:05.999999999Z07:00",
};

const LONG_MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const SHORT_MONTHS = LONG_MONTHS.map((m) => m.slice(0, 3));
const LONG_DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const SHORT_DAYS = LONG_DAYS.map((d) => d.slice(0, 3));

type Std =
  | { k: "lit" }
  | { k: "longMonth" | "month" | "numMonth" | "zeroMonth" }
  | { k: "longWeekDay" | "weekDay" }
  | { k: "day" | "underDay" | "zeroDay" | "underYearDay" | "zeroYearDay" }
  | { k: "hour" | "hour12" | "zeroHour12" | "minute" | "zeroMinute" | "second" | "zeroSecond" }
  | { k: "longYear" | "year" | "PM" | "pm" | "TZ" }
  | { k: "tz"; iso: boolean; form: "0700" | "07:00" | "07" | "070000" | "07:00:00" }
  | { k: "frac"; nines: boolean; digits: number; sep: string };

interface Chunk {
  prefix: string;
  std: Std | null;
  suffix: string;
}

const startsWithLower = (s: string): boolean => s.length > 0 && s[0] >= "a" && s[0] <= "z";
const isDigitAt = (s: string, i: number): boolean => i < s.length && s[i] >= "0" && s[i] <= "9";

/** Go's nextStdChunk: the literal prefix, the first layout element, and the rest. */
function nextStdChunk(layout: string): Chunk {
  const at = (i: number, std: Std, len: number): Chunk => ({
    prefix: layout.slice(0, i),
    std,
    suffix: layout.slice(i + len),
  });
  for (let i = 0; i < layout.length; i++) {
    const c = layout[i];
    const rest = layout.slice(i);
    switch (c) {
      case "J":
        if (rest.startsWith("Jan")) {
          if (rest.startsWith("January")) return at(i, { k: "longMonth" }, 7);
          if (!startsWithLower(rest.slice(3))) return at(i, { k: "month" }, 3);
        }
        break;
      case "M":
        if (rest.startsWith("Mon")) {
          if (rest.startsWith("Monday")) return at(i, { k: "longWeekDay" }, 6);
          if (!startsWithLower(rest.slice(3))) return at(i, { k: "weekDay" }, 3);
        }
        if (rest.startsWith("MST")) return at(i, { k: "TZ" }, 3);
        break;
      case "0":
        if (rest.length >= 2 && rest[1] >= "1" && rest[1] <= "6") {
          const kinds = [
            "zeroMonth",
            "zeroDay",
            "zeroHour12",
            "zeroMinute",
            "zeroSecond",
            "year",
          ] as const;
          return at(i, { k: kinds[Number(rest[1]) - 1] } as Std, 2);
        }
        if (rest.startsWith("002")) return at(i, { k: "zeroYearDay" }, 3);
        break;
      case "1":
        if (rest.startsWith("15")) return at(i, { k: "hour" }, 2);
        return at(i, { k: "numMonth" }, 1);
      case "2":
        if (rest.startsWith("2006")) return at(i, { k: "longYear" }, 4);
        return at(i, { k: "day" }, 1);
      case "_":
        if (rest.startsWith("_2")) {
          if (rest.startsWith("_2006"))
            return {
              prefix: layout.slice(0, i + 1),
              std: { k: "longYear" },
              suffix: layout.slice(i + 5),
            };
          return at(i, { k: "underDay" }, 2);
        }
        if (rest.startsWith("__2")) return at(i, { k: "underYearDay" }, 3);
        break;
      case "3":
        return at(i, { k: "hour12" }, 1);
      case "4":
        return at(i, { k: "minute" }, 1);
      case "5":
        return at(i, { k: "second" }, 1);
      case "P":
        if (rest.startsWith("PM")) return at(i, { k: "PM" }, 2);
        break;
      case "p":
        if (rest.startsWith("pm")) return at(i, { k: "pm" }, 2);
        break;
      case "-":
      case "Z": {
        const iso = c === "Z";
        const body = rest.slice(1);
        for (const form of ["070000", "07:00:00", "0700", "07:00", "07"] as const) {
          if (body.startsWith(form)) return at(i, { k: "tz", iso, form }, 1 + form.length);
        }
        break;
      }
      case ".":
      case ",":
        if (rest.length > 1 && (rest[1] === "0" || rest[1] === "9")) {
          const ch = rest[1];
          let j = 1;
          while (j < rest.length && rest[j] === ch) j++;
          if (!isDigitAt(rest, j)) {
            return at(i, { k: "frac", nines: ch === "9", digits: j - 1, sep: c }, j);
          }
        }
        break;
    }
  }
  return { prefix: layout, std: null, suffix: "" };
}

const pad = (n: number, w: number): string => {
  const s = String(Math.abs(n)).padStart(w, "0");
  return n < 0 ? "-" + s : s;
};

function formatTime(t: Time, layout: string): string {
  const c = civil(t);
  let out = "";
  let rest = layout;
  for (;;) {
    const { prefix, std, suffix } = nextStdChunk(rest);
    out += prefix;
    if (std === null) break;
    rest = suffix;
    switch (std.k) {
      case "year":
        out += pad(((c.year % 100) + 100) % 100, 2);
        break;
      case "longYear":
        out += pad(c.year, 4);
        break;
      case "month":
        out += SHORT_MONTHS[c.month - 1];
        break;
      case "longMonth":
        out += LONG_MONTHS[c.month - 1];
        break;
      case "numMonth":
        out += String(c.month);
        break;
      case "zeroMonth":
        out += pad(c.month, 2);
        break;
      case "weekDay":
        out += SHORT_DAYS[c.weekday];
        break;
      case "longWeekDay":
        out += LONG_DAYS[c.weekday];
        break;
      case "day":
        out += String(c.day);
        break;
      case "underDay":
        out += c.day < 10 ? " " + c.day : String(c.day);
        break;
      case "zeroDay":
        out += pad(c.day, 2);
        break;
      case "underYearDay":
        out += String(c.yday).padStart(3, " ");
        break;
      case "zeroYearDay":
        out += pad(c.yday, 3);
        break;
      case "hour":
        out += pad(c.hour, 2);
        break;
      case "hour12":
        out += String(c.hour % 12 === 0 ? 12 : c.hour % 12);
        break;
      case "zeroHour12":
        out += pad(c.hour % 12 === 0 ? 12 : c.hour % 12, 2);
        break;
      case "minute":
        out += String(c.min);
        break;
      case "zeroMinute":
        out += pad(c.min, 2);
        break;
      case "second":
        out += String(c.sec);
        break;
      case "zeroSecond":
        out += pad(c.sec, 2);
        break;
      case "PM":
        out += c.hour >= 12 ? "PM" : "AM";
        break;
      case "pm":
        out += c.hour >= 12 ? "pm" : "am";
        break;
      case "TZ": {
        const name = c.abbrev();
        if (name !== "") out += name;
        else {
          const z = Math.trunc(c.offset / 60);
          out +=
            (z < 0 ? "-" : "+") + pad(Math.floor(Math.abs(z) / 60), 2) + pad(Math.abs(z) % 60, 2);
        }
        break;
      }
      case "tz": {
        if (c.offset === 0 && std.iso) {
          out += "Z";
          break;
        }
        const abs = Math.abs(c.offset);
        const zone = Math.floor(abs / 60);
        out += c.offset < 0 ? "-" : "+";
        out += pad(Math.floor(zone / 60), 2);
        if (std.form.includes(":")) out += ":";
        if (std.form !== "07") out += pad(zone % 60, 2);
        if (std.form === "070000" || std.form === "07:00:00") {
          if (std.form === "07:00:00") out += ":";
          out += pad(abs % 60, 2);
        }
        break;
      }
      case "frac": {
        let digits = String(c.nsec).padStart(9, "0").slice(0, std.digits);
        if (std.nines) {
          digits = String(c.nsec).padStart(9, "0").replace(/0+$/, "").slice(0, std.digits);
          if (digits === "") break;
        }
        out += std.sep + digits;
        break;
      }
    }
  }
  return out;
}

// ---- parsing (Go's time.Parse) ----

const goQuote = (s: string): string => JSON.stringify(s);

class ParseFailure extends Error {}

function parseError(
  layout: string,
  value: string,
  layoutElem: string,
  valueElem: string,
  msg = "",
): ParseFailure {
  if (msg !== "") return new ParseFailure(`parsing time ${goQuote(value)}${msg}`);
  return new ParseFailure(
    `parsing time ${goQuote(value)} as ${goQuote(layout)}: cannot parse ${goQuote(valueElem)} as ${goQuote(layoutElem)}`,
  );
}

const cutspace = (s: string): string => s.replace(/^ +/, "");

function skip(value: string, prefix: string): string | null {
  let v = value;
  let p = prefix;
  while (p.length > 0) {
    if (p[0] === " ") {
      if (v.length > 0 && v[0] !== " ") return null;
      p = cutspace(p);
      v = cutspace(v);
      continue;
    }
    if (v.length === 0 || v[0] !== p[0]) return null;
    p = p.slice(1);
    v = v.slice(1);
  }
  return v;
}

function getnum(s: string, fixed: boolean): [number, string] | null {
  if (!isDigitAt(s, 0)) return null;
  if (!isDigitAt(s, 1)) {
    if (fixed) return null;
    return [Number(s[0]), s.slice(1)];
  }
  return [Number(s.slice(0, 2)), s.slice(2)];
}

function getnum3(s: string, fixed: boolean): [number, string] | null {
  let n = 0;
  let i = 0;
  for (; i < 3 && isDigitAt(s, i); i++) n = n * 10 + Number(s[i]);
  if (i === 0 || (fixed && i !== 3)) return null;
  return [n, s.slice(i)];
}

function lookupName(tab: string[], val: string): [number, string] | null {
  for (let i = 0; i < tab.length; i++) {
    if (
      val.length >= tab[i].length &&
      val.slice(0, tab[i].length).toLowerCase() === tab[i].toLowerCase()
    ) {
      return [i, val.slice(tab[i].length)];
    }
  }
  return null;
}

function parseNanos(value: string, nbytes: number): [number, string] {
  if (value[0] !== "." && value[0] !== ",") return [0, "bad"];
  let digits = value.slice(1, nbytes);
  if (!/^[0-9]*$/.test(digits)) return [0, "bad"];
  if (digits.length > 9) digits = digits.slice(0, 9);
  return [Number(digits.padEnd(9, "0")), ""];
}

/** Length of a time-zone abbreviation at the start of `value` (Go's parseTimeZone), 0 if none. */
function tzNameLength(value: string): number {
  if (value.length < 3) return 0;
  if (value.startsWith("ChST") || value.startsWith("MeST")) return 4;
  if (value.startsWith("GMT")) {
    const m = /^GMT[+-][0-9]{1,2}/.exec(value);
    return m ? m[0].length : 3;
  }
  if (value[0] === "+" || value[0] === "-") {
    const m = /^[+-][0-9]{2}(?:[0-9]{2})?/.exec(value);
    return m ? m[0].length : 0;
  }
  let n = 0;
  while (n < 6 && n < value.length && value[n] >= "A" && value[n] <= "Z") n++;
  if (n === 3) return 3;
  if (n === 4 && (value[3] === "T" || value.startsWith("WITA"))) return 4;
  if (n === 5 && value[4] === "T") return 5;
  return 0;
}

/**
 * Go's time.Parse for the date-only layout "2006-01-02" and a well-formed, in-range value (a
 * manifest's dates, once per need), without splitting the layout into chunks; undefined for any
 * other layout or value, which then take the general parser (and its errors).
 */
function parseDateOnly(layout: string, value: string): bigint | undefined {
  if (layout !== "2006-01-02" || value.length !== 10) return undefined;
  if (value.charCodeAt(4) !== 45 || value.charCodeAt(7) !== 45) return undefined;
  let year = 0;
  let month = 0;
  let day = 0;
  for (let i = 0; i < 10; i++) {
    if (i === 4 || i === 7) continue;
    const d = value.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    if (i < 4) year = year * 10 + d;
    else if (i < 7) month = month * 10 + d;
    else day = day * 10 + d;
  }
  if (month < 1 || month > 12 || day < 1 || day > daysIn(month, year)) return undefined;
  return goDate(year, month, day, 0, 0, 0, 0, UTC).ns;
}

function parseTime(layout: string, value: string): Time {
  let lay = layout;
  let val = value;
  let year = 0;
  let month = -1;
  let day = -1;
  let yday = -1;
  let hour = 0;
  let min = 0;
  let sec = 0;
  let nsec = 0;
  let amSet = false;
  let pmSet = false;
  let utcZ = false;
  let zoneOffset: number | null = null;
  let zoneName = "";
  for (;;) {
    const { prefix, std, suffix } = nextStdChunk(lay);
    const stdstr = lay.slice(prefix.length, lay.length - suffix.length);
    const skipped = skip(val, prefix);
    if (skipped === null) throw parseError(layout, value, prefix, val);
    val = skipped;
    if (std === null) {
      if (val.length !== 0)
        throw parseError(layout, value, "", val, `: extra text: ${goQuote(val)}`);
      break;
    }
    lay = suffix;
    const hold = val;
    let bad = false;
    let rangeErr = "";
    const num = (r: [number, string] | null): number => {
      if (r === null) {
        bad = true;
        return 0;
      }
      val = r[1];
      return r[0];
    };
    switch (std.k) {
      case "year":
        if (val.length < 2 || !/^[0-9]{2}/.test(val)) bad = true;
        else {
          year = Number(val.slice(0, 2));
          year += year >= 69 ? 1900 : 2000;
          val = val.slice(2);
        }
        break;
      case "longYear":
        if (val.length < 4 || !/^[0-9]{4}/.test(val)) bad = true;
        else {
          year = Number(val.slice(0, 4));
          val = val.slice(4);
        }
        break;
      case "month":
      case "longMonth": {
        const r = lookupName(std.k === "month" ? SHORT_MONTHS : LONG_MONTHS, val);
        month = num(r) + 1;
        break;
      }
      case "numMonth":
      case "zeroMonth":
        month = num(getnum(val, std.k === "zeroMonth"));
        if (!bad && (month <= 0 || month > 12)) rangeErr = "month";
        break;
      case "weekDay":
      case "longWeekDay":
        num(lookupName(std.k === "weekDay" ? SHORT_DAYS : LONG_DAYS, val));
        break;
      case "day":
      case "underDay":
      case "zeroDay":
        if (std.k === "underDay" && val[0] === " ") val = val.slice(1);
        day = num(getnum(val, std.k === "zeroDay"));
        break;
      case "underYearDay":
      case "zeroYearDay":
        for (let i = 0; i < 2; i++)
          if (std.k === "underYearDay" && val[0] === " ") val = val.slice(1);
        yday = num(getnum3(val, std.k === "zeroYearDay"));
        break;
      case "hour":
        hour = num(getnum(val, false));
        if (hour < 0 || hour >= 24) rangeErr = "hour";
        break;
      case "hour12":
      case "zeroHour12":
        hour = num(getnum(val, std.k === "zeroHour12"));
        if (hour < 0 || hour > 12) rangeErr = "hour";
        break;
      case "minute":
      case "zeroMinute":
        min = num(getnum(val, std.k === "zeroMinute"));
        if (min < 0 || min >= 60) rangeErr = "minute";
        break;
      case "second":
      case "zeroSecond": {
        sec = num(getnum(val, std.k === "zeroSecond"));
        if (bad) break;
        if (sec < 0 || sec >= 60) {
          rangeErr = "second";
          break;
        }
        // A fractional second in the value that the layout does not spell out is still accepted.
        if (val.length >= 2 && (val[0] === "." || val[0] === ",") && isDigitAt(val, 1)) {
          const next = nextStdChunk(lay).std;
          if (next !== null && next.k === "frac") break;
          let n = 2;
          while (n < val.length && isDigitAt(val, n)) n++;
          const [ns, err] = parseNanos(val, n);
          if (err) bad = true;
          nsec = ns;
          val = val.slice(n);
        }
        break;
      }
      case "PM":
      case "pm": {
        const p = val.slice(0, 2);
        if (val.length < 2) bad = true;
        else if (p === (std.k === "PM" ? "PM" : "pm")) pmSet = true;
        else if (p === (std.k === "PM" ? "AM" : "am")) amSet = true;
        else bad = true;
        if (!bad) val = val.slice(2);
        break;
      }
      case "tz": {
        if (std.iso && val[0] === "Z") {
          val = val.slice(1);
          utcZ = true;
          break;
        }
        let sign: string;
        let hh: string;
        let mm = "00";
        let ss = "00";
        const f = std.form;
        if (f === "07:00") {
          if (val.length < 6 || val[3] !== ":") {
            bad = true;
            break;
          }
          [sign, hh, mm] = [val[0], val.slice(1, 3), val.slice(4, 6)];
          val = val.slice(6);
        } else if (f === "07") {
          if (val.length < 3) {
            bad = true;
            break;
          }
          [sign, hh] = [val[0], val.slice(1, 3)];
          val = val.slice(3);
        } else if (f === "07:00:00") {
          if (val.length < 9 || val[3] !== ":" || val[6] !== ":") {
            bad = true;
            break;
          }
          [sign, hh, mm, ss] = [val[0], val.slice(1, 3), val.slice(4, 6), val.slice(7, 9)];
          val = val.slice(9);
        } else if (f === "070000") {
          if (val.length < 7) {
            bad = true;
            break;
          }
          [sign, hh, mm, ss] = [val[0], val.slice(1, 3), val.slice(3, 5), val.slice(5, 7)];
          val = val.slice(7);
        } else {
          if (val.length < 5) {
            bad = true;
            break;
          }
          [sign, hh, mm] = [val[0], val.slice(1, 3), val.slice(3, 5)];
          val = val.slice(5);
        }
        if (!/^[0-9]{2}$/.test(hh) || !/^[0-9]{2}$/.test(mm) || !/^[0-9]{2}$/.test(ss)) {
          bad = true;
          break;
        }
        const [h, mi, s] = [Number(hh), Number(mm), Number(ss)];
        if (h > 24) rangeErr = "time zone offset hour";
        if (mi > 60) rangeErr = "time zone offset minute";
        if (s > 60) rangeErr = "time zone offset second";
        zoneOffset = (h * 60 + mi) * 60 + s;
        if (sign === "-") zoneOffset = -zoneOffset;
        else if (sign !== "+") bad = true;
        break;
      }
      case "TZ": {
        if (val.startsWith("UTC")) {
          utcZ = true;
          val = val.slice(3);
          break;
        }
        const n = tzNameLength(val);
        if (n === 0) {
          bad = true;
          break;
        }
        zoneName = val.slice(0, n);
        val = val.slice(n);
        break;
      }
      case "frac": {
        if (!std.nines) {
          const ndigit = 1 + std.digits;
          if (val.length < ndigit) {
            bad = true;
            break;
          }
          const [ns, err] = parseNanos(val, ndigit);
          if (err) bad = true;
          nsec = ns;
          val = val.slice(ndigit);
          break;
        }
        if (val.length < 2 || (val[0] !== "." && val[0] !== ",") || !isDigitAt(val, 1)) break;
        let i = 0;
        while (i + 1 < val.length && isDigitAt(val, i + 1)) i++;
        const [ns, err] = parseNanos(val, 1 + i);
        if (err) bad = true;
        nsec = ns;
        val = val.slice(1 + i);
        break;
      }
    }
    if (rangeErr !== "") throw parseError(layout, value, stdstr, val, `: ${rangeErr} out of range`);
    if (bad) throw parseError(layout, value, stdstr, hold);
  }
  if (pmSet && hour < 12) hour += 12;
  else if (amSet && hour === 12) hour = 0;

  if (yday >= 0) {
    let m = 0;
    let d = 0;
    let yd = yday;
    if (isLeap(year)) {
      if (yd === 31 + 29) {
        m = 2;
        d = 29;
      } else if (yd > 31 + 29) yd--;
    }
    if (yd < 1 || yd > 365) throw parseError(layout, value, "", val, ": day-of-year out of range");
    if (m === 0) {
      const before = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];
      m = Math.floor((yd - 1) / 31) + 1;
      if (before[m] < yd) m++;
      d = yd - before[m - 1];
    }
    if (month >= 0 && month !== m)
      throw parseError(layout, value, "", val, ": day-of-year does not match month");
    month = m;
    if (day >= 0 && day !== d)
      throw parseError(layout, value, "", val, ": day-of-year does not match day");
    day = d;
  } else {
    if (month < 0) month = 1;
    if (day < 0) day = 1;
  }
  if (day < 1 || day > daysIn(month, year))
    throw parseError(layout, value, "", val, ": day out of range");

  const t = goDate(year, month, day, hour, min, sec, nsec, UTC);
  if (utcZ) return t;
  if (zoneOffset !== null) {
    return {
      ns: t.ns - BigInt(zoneOffset) * NS_PER_S,
      zone: { key: "fixed", fixed: { offset: zoneOffset, name: zoneName } },
    };
  }
  if (zoneName !== "") {
    // An abbreviation alone fixes no offset (Go only resolves it against the local zone, which
    // here is UTC); "GMT+3" style names carry their hours.
    const m = /^GMT([+-][0-9]{1,2})$/.exec(zoneName);
    const offset = m ? Number(m[1]) * 3600 : 0;
    return {
      ns: t.ns - BigInt(offset) * NS_PER_S,
      zone: { key: "fixed", fixed: { offset, name: zoneName } },
    };
  }
  return t;
}

// ---- durations (Go's time.ParseDuration) ----

const UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1000n,
  "\u00b5s": 1000n,
  "\u03bcs": 1000n,
  ms: 1_000_000n,
  s: NS_PER_S,
  m: 60n * NS_PER_S,
  h: 3600n * NS_PER_S,
};

function parseDuration(orig: string): bigint {
  const invalid = (): Error => new Error(`time: invalid duration ${goQuote(orig)}`);
  let s = orig;
  let neg = false;
  if (s !== "" && (s[0] === "-" || s[0] === "+")) {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return 0n;
  if (s === "") throw invalid();
  let d = 0n;
  const LIMIT = 1n << 63n;
  while (s !== "") {
    if (!(s[0] === "." || isDigitAt(s, 0))) throw invalid();
    const intPart = /^[0-9]*/.exec(s)![0];
    s = s.slice(intPart.length);
    let v = intPart === "" ? 0n : BigInt(intPart);
    if (v > LIMIT) throw invalid();
    let frac = "";
    let post = false;
    if (s[0] === ".") {
      frac = /^[0-9]*/.exec(s.slice(1))![0];
      s = s.slice(1 + frac.length);
      post = frac.length > 0;
    }
    if (intPart === "" && !post) throw invalid();
    const unitStr = /^[^0-9.]*/.exec(s)![0];
    if (unitStr === "") throw new Error(`time: missing unit in duration ${goQuote(orig)}`);
    s = s.slice(unitStr.length);
    const unit = UNITS[unitStr];
    if (unit === undefined) {
      throw new Error(`time: unknown unit ${goQuote(unitStr)} in duration ${goQuote(orig)}`);
    }
    if (v > LIMIT / unit) throw invalid();
    v *= unit;
    if (frac !== "") {
      // Go accumulates at most the digits that fit an int64, then scales in float64.
      let f = 0n;
      let scale = 1;
      for (const ch of frac) {
        const y = f * 10n + BigInt(ch);
        if (f > (LIMIT - 1n) / 10n || y > LIMIT) break;
        f = y;
        scale *= 10;
      }
      if (f > 0n) v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > LIMIT) throw invalid();
    }
    d += v;
    if (d > LIMIT) throw invalid();
  }
  if (neg) return -d;
  if (d > LIMIT - 1n) throw invalid();
  return d;
}

// ---- built-ins ----

const nsValue = (ns: bigint): Value => normNum(checkRange(ns));

function diff(a: Time, b: Time): number[] {
  let t1 = a;
  let t2 = b.zone.key === a.zone.key ? b : { ns: b.ns, zone: a.zone };
  if (t1.ns > t2.ns) [t1, t2] = [t2, t1];
  const c1 = civil(t1);
  const c2 = civil(t2);
  let year = c2.year - c1.year;
  let month = c2.month - c1.month;
  let day = c2.day - c1.day;
  let hour = c2.hour - c1.hour;
  let min = c2.min - c1.min;
  let sec = c2.sec - c1.sec;
  if (sec < 0) {
    sec += 60;
    min--;
  }
  if (min < 0) {
    min += 60;
    hour--;
  }
  if (hour < 0) {
    hour += 24;
    day--;
  }
  if (day < 0) {
    day += daysIn(c1.month, c1.year);
    month--;
  }
  if (month < 0) {
    month += 12;
    year--;
  }
  return [year, month, day, hour, min, sec];
}

export const builtins = defineAll([
  {
    name: "time.now_ns",
    arity: 0,
    nondeterministic: true,
    impl: (_args, ctx) => normNum(ctx.nowNs),
  },
  {
    name: "time.parse_ns",
    arity: 2,
    args: [["string"], ["string"]],
    impl: ([layout, value]) =>
      namedErrors("time.parse_ns", () => {
        const l = str("time.parse_ns", layout, 1);
        const v = str("time.parse_ns", value, 2);
        const lay = LAYOUT_CONSTANTS[l] ?? l;
        return nsValue(parseDateOnly(lay, v) ?? parseTime(lay, v).ns);
      }),
  },
  {
    name: "time.parse_rfc3339_ns",
    arity: 1,
    args: [["string"]],
    impl: ([value]) =>
      namedErrors("time.parse_rfc3339_ns", () =>
        nsValue(parseTime(LAYOUT_CONSTANTS.RFC3339, str("time.parse_rfc3339_ns", value, 1)).ns),
      ),
  },
  {
    name: "time.parse_duration_ns",
    arity: 1,
    args: [["string"]],
    impl: ([d]) =>
      namedErrors("time.parse_duration_ns", () =>
        normNum(parseDuration(str("time.parse_duration_ns", d, 1))),
      ),
  },
  {
    name: "time.format",
    arity: 1,
    args: [["number", "array"]],
    impl: ([x]) =>
      namedErrors("time.format", () => {
        const { t, layout } = tzTime("time.format", x);
        const l =
          layout === "" ? LAYOUT_CONSTANTS.RFC3339Nano : (LAYOUT_CONSTANTS[layout] ?? layout);
        return formatTime(t, l);
      }),
  },
  {
    name: "time.date",
    arity: 1,
    args: [["number", "array"]],
    impl: ([x]) =>
      namedErrors("time.date", () => {
        const c = civil(tzTime("time.date", x).t);
        return [c.year, c.month, c.day];
      }),
  },
  {
    name: "time.clock",
    arity: 1,
    args: [["number", "array"]],
    impl: ([x]) =>
      namedErrors("time.clock", () => {
        const c = civil(tzTime("time.clock", x).t);
        return [c.hour, c.min, c.sec];
      }),
  },
  {
    name: "time.weekday",
    arity: 1,
    args: [["number", "array"]],
    impl: ([x]) =>
      namedErrors("time.weekday", () => LONG_DAYS[civil(tzTime("time.weekday", x).t).weekday]),
  },
  {
    name: "time.add_date",
    arity: 4,
    args: [["number"], ["number"], ["number"], ["number"]],
    impl: ([x, y, m, d]) =>
      namedErrors("time.add_date", () => {
        const { t } = tzTime("time.add_date", x);
        const years = intOperand("time.add_date", 2, y);
        const months = intOperand("time.add_date", 3, m);
        const days = intOperand("time.add_date", 4, d);
        const c = civil(t);
        const r = goDate(
          c.year + years,
          c.month + months,
          c.day + days,
          c.hour,
          c.min,
          c.sec,
          c.nsec,
          t.zone,
        );
        return nsValue(r.ns);
      }),
  },
  {
    name: "time.diff",
    arity: 2,
    args: [
      ["number", "array"],
      ["number", "array"],
    ],
    impl: ([a, b]) =>
      namedErrors("time.diff", () => diff(tzTime("time.diff", a).t, tzTime("time.diff", b).t)),
  },
]);

export const _internal = { parseTime, formatTime, parseDuration, goDate, civil, loadZone };
