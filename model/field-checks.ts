/**
 * Field checks for the manifest loader: each reads one value, and either returns it typed or
 * records an issue at its field path (built only when an issue is recorded — the happy path of a
 * 10,000-need manifest allocates nothing for paths). Messages are sentences a person can act on.
 */
import type { Seconds } from "./types";
import { DURATION_HINT, tryParseDuration } from "./duration";
import type { FieldPath } from "./source";

export interface RawIssue {
  readonly path: FieldPath;
  readonly message: string;
}

/** Lowercase only: Vault lowercases policy names, so `Foo` and `foo` would collide as `tw-foo`. */
const NAME_RE = /^[a-z0-9][a-z0-9._-]*$/;
export const NAME_MAX = 100;
const MOUNT_RE = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** A whole valid path (same pattern as the schema's vaultPath): the fast check; the slow one explains. */
const VALID_PATH_RE =
  /^(?!(?:.*\/)?\.\.?(?:\/|$))(?=.)(?:(?:\+|[A-Za-z0-9_.:@=~,-]+)\/)*(?:\+|[A-Za-z0-9_.:@=~,-]+)?\*?$/;
/** Letters, digits and the punctuation Vault paths use; `+` and `*` are checked separately. */
const PATH_CHARS_RE = /^[A-Za-z0-9_.\-/:@=~,+*]+$/;

export type Obj = Record<string, unknown>;
export type Path = readonly (string | number)[];
export type Key = string | number | undefined;

/**
 * `path` + `key`, built only when an issue is reported: the happy path of a 10,000-need manifest
 * must not allocate a path array per field (the loader's budget is a fraction of the YAML parse).
 */
export function at(path: Path, key: Key): Path {
  return key === undefined ? path : [...path, key];
}

export class Checker {
  readonly issues: RawIssue[] = [];
  report(path: FieldPath, message: string): void {
    this.issues.push({ path: [...path], message });
  }
}

export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function describe(v: unknown): string {
  if (v === null || v === undefined) return "nothing (an empty value)";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "string")
    return `the text ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v)}`;
  return `${typeof v === "number" ? "the number" : "the " + typeof v} ${String(v)}`;
}

/** Edit distance, for "did you mean" hints on misspelt field names and references. */
export function distance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0];
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j];
      dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length];
}

export function suggest(word: string, options: Iterable<string>): string {
  let best: string | undefined;
  let bestD = Infinity;
  for (const o of options) {
    const d = distance(word.toLowerCase(), o.toLowerCase());
    if (d < bestD) {
      best = o;
      bestD = d;
    }
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(word.length / 3))
    ? ` — did you mean "${best}"?`
    : "";
}

export function listNames(names: readonly string[], max = 6): string {
  if (names.length === 0) return "none declared";
  const shown = names.slice(0, max).join(", ");
  return names.length > max ? `${shown}, … (${names.length} in all)` : shown;
}

/**
 * A mapping with only the allowed fields; reports a wrong type or unknown fields. With
 * `extensions`, `x-…` keys are allowed too (the manifest's place for YAML anchors).
 */
export function mapping(
  c: Checker,
  v: unknown,
  path: Path,
  key: Key,
  what: string,
  allowed: ReadonlySet<string>,
  extensions = false,
): Obj | undefined {
  if (!isObj(v)) {
    c.report(at(path, key), `expected ${what} (a mapping), got ${describe(v)}`);
    return undefined;
  }
  for (const field in v) {
    if (!allowed.has(field) && !(extensions && field.startsWith("x-"))) {
      const names = [...allowed];
      c.report(
        [...at(path, key), field],
        `unknown field${suggest(field, names) || ` (allowed: ${names.join(", ")})`}`,
      );
    }
  }
  return v;
}

export function required(c: Checker, o: Obj, key: string, path: Path, hint: string): boolean {
  return given(c, o[key], key, path, hint);
}

/** {@link required} of a field already read (`v`, the value of `key`). */
export function given(c: Checker, v: unknown, key: string, path: Path, hint: string): boolean {
  if (v === undefined) {
    c.report(path, `missing required field "${key}" (${hint})`);
    return false;
  }
  return true;
}

/** Not empty or blank; decided from the first character in the common case, without allocating. */
export function isFilled(v: string): boolean {
  return v.length > 0 && (v.charCodeAt(0) > 32 || v.trim() !== "");
}

export function text(c: Checker, v: unknown, path: Path, key?: Key): string | undefined {
  if (typeof v !== "string") {
    c.report(at(path, key), `expected text, got ${describe(v)}`);
    return undefined;
  }
  if (!isFilled(v)) {
    c.report(at(path, key), "is empty; give a value or leave the field out");
    return undefined;
  }
  return v;
}

export function optText(c: Checker, o: Obj, key: string, path: Path): string | undefined {
  return o[key] === undefined ? undefined : text(c, o[key], path, key);
}

export function name(c: Checker, v: unknown, path: Path, key?: Key): string | undefined {
  const s = text(c, v, path, key);
  if (s === undefined) return undefined;
  if (!NAME_RE.test(s) || s.length > NAME_MAX) {
    c.report(
      at(path, key),
      `${JSON.stringify(s)} is not a valid name: use lowercase letters, digits, ".", "_" and "-", starting with a letter or digit, at most ${NAME_MAX} characters (Vault lowercases policy names)`,
    );
    return undefined;
  }
  return s;
}

export function oneOf<T extends string>(
  c: Checker,
  v: unknown,
  path: Path,
  key: Key,
  allowed: readonly T[],
): T | undefined {
  if (typeof v === "string" && (allowed as readonly string[]).includes(v)) return v as T;
  const got = typeof v === "string" ? JSON.stringify(v) : describe(v);
  const hint = typeof v === "string" ? suggest(v, allowed) : "";
  c.report(at(path, key), `${got} is not one of ${allowed.join(", ")}${hint}`);
  return undefined;
}

/** A manifest repeats a handful of durations thousands of times: parse each once. */
const durationCache = new Map<string, Seconds | undefined>();

export function duration(c: Checker, v: unknown, path: Path, key?: Key): Seconds | undefined {
  if (typeof v !== "string") {
    c.report(
      at(path, key),
      `expected a duration such as "1h30m", got ${describe(v)} (${DURATION_HINT})`,
    );
    return undefined;
  }
  let s = durationCache.get(v);
  if (s === undefined && !durationCache.has(v)) {
    s = tryParseDuration(v);
    if (durationCache.size < 4096) durationCache.set(v, s);
  }
  if (s === undefined) {
    c.report(at(path, key), `${JSON.stringify(v)} is not a duration (${DURATION_HINT})`);
    return undefined;
  }
  if (s === 0) {
    c.report(at(path, key), `${JSON.stringify(v)} is zero; a duration must be longer than 0s`);
    return undefined;
  }
  return s;
}

export function optDuration(c: Checker, o: Obj, key: string, path: Path): Seconds | undefined {
  return o[key] === undefined ? undefined : duration(c, o[key], path, key);
}

/** Review dates repeat across needs: check each distinct one once. */
const validDates = new Set<string>();
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function date(c: Checker, v: unknown, path: Path, key?: Key): string | undefined {
  // An object manifest read with a YAML 1.1 loader carries dates as Date objects at midnight UTC.
  if (v instanceof Date && !Number.isNaN(v.getTime()) && v.getTime() % 86_400_000 === 0) {
    return v.toISOString().slice(0, 10);
  }
  if (typeof v !== "string") {
    c.report(at(path, key), `expected a date such as 2027-06-30, got ${describe(v)}`);
    return undefined;
  }
  if (validDates.has(v)) return v;
  const m = DATE_RE.exec(v);
  let valid = false;
  if (m !== null) {
    const y = Number(m[1]);
    const mo = Number(m[2]);
    const d = Number(m[3]);
    const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
    valid = mo >= 1 && mo <= 12 && d >= 1 && d <= (mo === 2 && leap ? 29 : DAYS_IN_MONTH[mo - 1]);
  }
  if (valid && validDates.size < 4096) validDates.add(v);
  if (!valid) {
    c.report(
      at(path, key),
      `${JSON.stringify(v)} is not a valid date (use YYYY-MM-DD, e.g. 2027-06-30)`,
    );
    return undefined;
  }
  return v;
}

export function bool(c: Checker, v: unknown, path: Path, key?: Key): boolean | undefined {
  if (typeof v !== "boolean") {
    c.report(at(path, key), `expected true or false, got ${describe(v)}`);
    return undefined;
  }
  return v;
}

export function list(
  c: Checker,
  v: unknown,
  path: Path,
  key: Key,
  what: string,
): unknown[] | undefined {
  if (!Array.isArray(v)) {
    c.report(at(path, key), `expected a list of ${what}, got ${describe(v)}`);
    return undefined;
  }
  return v;
}

/** A list of distinct, non-empty strings; `nonEmpty` requires at least one. */
/** A list of distinct, non-empty strings; `nonEmpty` requires at least one. */
export function textList(
  c: Checker,
  v: unknown,
  path: Path,
  key: Key,
  what: string,
  nonEmpty: boolean,
): string[] | undefined {
  const items = list(c, v, path, key, what);
  if (!items) return undefined;
  if (nonEmpty && items.length === 0) {
    c.report(at(path, key), `is an empty list; give at least one of ${what}`);
    return undefined;
  }
  // The parsed list itself becomes the model's list when every item is fine: no copy, since a
  // 10,000-need manifest must not allocate its way into extra garbage collections.
  let ok = true;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (typeof item === "string" && isFilled(item) && items.indexOf(item) === i) continue;
    const here = at(path, key);
    const s = text(c, item, here, i);
    if (s !== undefined) c.report([...here, i], `${JSON.stringify(s)} is listed twice`);
    ok = false;
  }
  return ok ? (items as string[]) : undefined;
}

export function mountPath(c: Checker, v: unknown, path: Path, key?: Key): string | undefined {
  const s = text(c, v, path, key);
  if (s === undefined) return undefined;
  if (!MOUNT_RE.test(s)) {
    c.report(
      at(path, key),
      `${JSON.stringify(s)} is not a mount path (segments of letters, digits, ".", "_", "-" separated by "/", no leading or trailing "/")`,
    );
    return undefined;
  }
  return s;
}

/** Vault ACL path syntax: relative, `+` only as a whole segment, `*` only as the last character. */
export function vaultPathProblem(p: string): string | undefined {
  if (VALID_PATH_RE.test(p)) return undefined; // the common case, decided by one regex
  if (p.startsWith("/"))
    return 'must not start with "/" (Vault policy paths are relative, e.g. secret/data/app)';
  if (!PATH_CHARS_RE.test(p)) {
    const bad = [...p].find((ch) => !PATH_CHARS_RE.test(ch)) ?? "";
    return `contains ${JSON.stringify(bad)}; use letters, digits and - _ . / : @ = ~ , with + as a whole segment and * only at the end`;
  }
  const star = p.indexOf("*");
  if (star >= 0 && star !== p.length - 1)
    return 'has "*" before the end; a glob "*" may only be the last character';
  const segments = p.split("/");
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    if (seg.includes("+") && seg !== "+")
      return `segment ${JSON.stringify(seg)} mixes "+" with other characters; "+" must be a whole segment`;
    if (seg === "" && i < segments.length - 1) return 'has an empty segment ("//")';
    if (seg === "." || seg === "..") return `has a ${JSON.stringify(seg)} segment`;
  }
  return undefined;
}

/** Token endpoints must be https (http only on loopback, for local test servers). */
export function url(c: Checker, v: unknown, path: Path, key?: Key): string | undefined {
  const s = text(c, v, path, key);
  if (s === undefined) return undefined;
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    c.report(
      at(path, key),
      `${JSON.stringify(s)} is not a URL (e.g. https://auth.example.com/oauth/token)`,
    );
    return undefined;
  }
  const loopback = ["localhost", "127.0.0.1", "[::1]"].includes(u.hostname);
  if (u.protocol !== "https:" && !(u.protocol === "http:" && loopback)) {
    c.report(
      at(path, key),
      `${JSON.stringify(s)} must use https (plain http only on localhost): client secrets are sent to it`,
    );
    return undefined;
  }
  return s;
}
