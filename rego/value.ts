/**
 * Rego values, as the evaluator and every built-in see them.
 *
 * Scalars are JavaScript primitives so the hot paths (string keys, small integers) cost nothing:
 *   null | boolean | string | number | bigint
 * Numbers: a JS `number` for every float and every integer inside the safe range; a `bigint` only
 * for integers outside ±2^53 (invariant kept by `normNum`), so `===` is equality for numbers.
 * Composites are: JS arrays (Rego arrays), `RObject` (any value as key), `RSet`.
 *
 * This module is a leaf: it imports nothing.
 */

export type Value = null | boolean | number | bigint | string | Value[] | RObject | RSet;

/** Keys of the integers 0 … SMALL_INT_KEYS-1, made on first use. */
const SMALL_INT_KEYS = 1 << 16;
const smallIntKeys: string[] = [];

/** Canonical identity key: equal Rego values get equal keys (used for hashing objects/sets). */
export function keyOf(v: Value): string {
  if (typeof v === "string") return v.length > 0 && v.charCodeAt(0) === 0 ? "\0s" + v : v;
  if (typeof v === "number" && v >= 0 && v < SMALL_INT_KEYS && Number.isInteger(v)) {
    // array indexes and small counts: one shared key string each, not a new one per lookup
    // (filled in order, so the table stays a packed array)
    while (smallIntKeys.length <= v) smallIntKeys.push("\0#" + String(smallIntKeys.length));
    return smallIntKeys[v];
  }
  return "\0" + canon(v);
}

function canon(v: Value): string {
  if (v === null) return "n";
  switch (typeof v) {
    case "boolean":
      return v ? "t" : "f";
    case "number":
      if (Number.isInteger(v) && !Number.isSafeInteger(v)) return "#" + BigInt(v).toString();
      return "#" + String(v === 0 ? 0 : v);
    case "bigint":
      return "#" + v.toString();
    case "string":
      return "s" + JSON.stringify(v);
  }
  if (Array.isArray(v)) return "[" + v.map(canon).join(",") + "]";
  if (v instanceof RSet) return "<" + v.sortedValues().map(canon).join(",") + ">";
  const parts: string[] = [];
  for (const [k, val] of v.sortedView()) parts.push(canon(k) + ":" + canon(val));
  return "{" + parts.join(",") + "}";
}

/** Keep the number invariant: integers in the safe range are `number`, never `bigint`. */
export function normNum(n: number | bigint): number | bigint {
  if (typeof n === "bigint" && n >= -9007199254740991n && n <= 9007199254740991n) return Number(n);
  return n;
}

export function isNumber(v: Value): v is number | bigint {
  return typeof v === "number" || typeof v === "bigint";
}

export class RSet {
  private readonly m = new Map<string, Value>();

  constructor(values?: Iterable<Value>) {
    if (values) for (const v of values) this.add(v);
  }
  get size(): number {
    return this.m.size;
  }
  add(v: Value): void {
    const k = keyOf(v);
    if (!this.m.has(k)) this.m.set(k, v);
  }
  has(v: Value): boolean {
    return this.m.has(keyOf(v));
  }
  delete(v: Value): void {
    this.m.delete(keyOf(v));
  }
  /** Insertion order; use sortedValues() wherever order is observable. */
  values(): IterableIterator<Value> {
    return this.m.values();
  }
  [Symbol.iterator](): IterableIterator<Value> {
    return this.m.values();
  }
  sortedValues(): Value[] {
    const vs = [...this.m.values()];
    for (let i = 0; i < vs.length; i++) if (typeof vs[i] !== "string") return vs.sort(compare);
    // default sort orders strings by UTF-16 code units, exactly as `<` does
    return vs.sort();
  }
}

export class RObject {
  /** Created on first need: lazily wrapped records that are only read never allocate it. */
  private mm: Map<string, [Value, Value]> | undefined;
  /**
   * Lazily converted backing record (from `fromJS`): large input documents are wrapped, not
   * copied. Scalars are read straight from it; composites are converted on first access and
   * cached in `m`. `rec` is dropped once every key has been moved into `m`.
   */
  private rec: Record<string, unknown> | undefined;
  private recSize = -1;
  /**
   * While `rec` is set: its composite members converted so far, as alternating key, value.
   * A flat array costs far less than a Map per input object (most have one or two such members);
   * past eight of them they move into `mm`.
   */
  private conv: (string | Value)[] | undefined;
  /** Entries in key order, kept until the next write: comparisons and sorting reuse it. */
  private sorted: [Value, Value][] | undefined;

  constructor(entries?: Iterable<[Value, Value]>) {
    this.mm = undefined;
    this.rec = undefined;
    this.conv = undefined;
    this.sorted = undefined;
    if (entries) for (const [k, v] of entries) this.set(k, v);
  }
  private get m(): Map<string, [Value, Value]> {
    return (this.mm ??= new Map());
  }
  static fromRecord(rec: Record<string, Value>): RObject {
    const o = new RObject();
    for (const k of Object.keys(rec)) o.set(k, rec[k]);
    return o;
  }
  /** Wraps a plain JSON object without converting it; values convert on first access. */
  static lazy(rec: Record<string, unknown>): RObject {
    const o = new RObject();
    o.rec = rec;
    return o;
  }
  /** Converts every remaining key of the lazy backing record. */
  private complete(): void {
    const rec = this.rec;
    if (rec === undefined) return;
    this.rec = undefined;
    const conv = this.conv;
    this.conv = undefined;
    const m = this.m;
    for (const k of Object.keys(rec)) {
      const hk = keyOf(k);
      if (m.has(hk)) continue;
      let v: Value | undefined;
      if (conv !== undefined) {
        // keep the objects already handed out: a value read twice is the same object
        for (let i = 0; i < conv.length; i += 2) {
          if (conv[i] === k) {
            v = conv[i + 1] as Value;
            break;
          }
        }
      }
      m.set(hk, [k, v !== undefined ? v : fromJS(rec[k])]);
    }
  }
  get size(): number {
    if (this.rec !== undefined) {
      if (this.recSize < 0) this.recSize = Object.keys(this.rec).length;
      return this.recSize;
    }
    return this.mm === undefined ? 0 : this.mm.size;
  }
  get(k: Value): Value | undefined {
    const rec = this.rec;
    if (rec !== undefined && typeof k === "string") {
      const raw = rawOwn(rec, k);
      if (raw === undefined) return undefined;
      // Scalars need no conversion (JSON numbers are already safe or float); composites are
      // converted once and cached so repeated reads see the same value object.
      if (raw === null || typeof raw !== "object") {
        return typeof raw === "bigint" ? normNum(raw) : (raw as Value);
      }
      const hk = keyOf(k);
      const mm = this.mm;
      if (mm !== undefined) {
        const e = mm.get(hk);
        if (e !== undefined) return e[1];
        const v = fromJS(raw);
        mm.set(hk, [k, v]);
        return v;
      }
      let conv = this.conv;
      if (conv !== undefined) {
        for (let i = 0; i < conv.length; i += 2) if (conv[i] === k) return conv[i + 1] as Value;
      } else conv = this.conv = [];
      const v = fromJS(raw);
      if (conv.length < 16) {
        conv.push(k, v);
        return v;
      }
      // many composite members (a record used as a map): a linear search would be quadratic
      const m = new Map<string, [Value, Value]>();
      for (let i = 0; i < conv.length; i += 2) {
        const ck = conv[i] as string;
        m.set(keyOf(ck), [ck, conv[i + 1] as Value]);
      }
      m.set(hk, [k, v]);
      this.mm = m;
      this.conv = undefined;
      return v;
    }
    if (this.mm === undefined) return undefined;
    const e = this.mm.get(keyOf(k));
    return e === undefined ? undefined : e[1];
  }
  has(k: Value): boolean {
    const rec = this.rec;
    if (rec !== undefined && typeof k === "string") return rawOwn(rec, k) !== undefined;
    return this.mm !== undefined && this.mm.has(keyOf(k));
  }
  set(k: Value, v: Value): void {
    this.complete();
    this.sorted = undefined;
    this.m.set(keyOf(k), [k, v]);
  }
  delete(k: Value): void {
    this.complete();
    this.sorted = undefined;
    this.mm?.delete(keyOf(k));
  }
  keys(): Value[] {
    this.complete();
    return [...this.m.values()].map((e) => e[0]);
  }
  /** Insertion order; use sortedEntries() wherever order is observable. */
  entries(): IterableIterator<[Value, Value]> {
    this.complete();
    return this.m.values();
  }
  sortedEntries(): [Value, Value][] {
    return this.sortedView().slice();
  }
  /** Shared sorted entries: callers must not modify the array. */
  sortedView(): readonly [Value, Value][] {
    if (this.sorted !== undefined) return this.sorted;
    this.complete();
    const es = [...this.m.values()];
    this.sorted = es;
    let allStrings = true;
    for (let i = 0; i < es.length; i++) {
      if (typeof es[i][0] !== "string") {
        allStrings = false;
        break;
      }
    }
    if (allStrings) return es.sort(byStringKey);
    return es.sort((a, b) => compare(a[0], b[0]));
  }
}

function byStringKey(a: [Value, Value], b: [Value, Value]): number {
  const x = a[0] as string;
  const y = b[0] as string;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** An own property of a parsed JSON record, or undefined (never a prototype member). */
function rawOwn(rec: Record<string, unknown>, k: string): unknown {
  const v = rec[k];
  if (v === undefined) return undefined;
  // JSON holds no functions: a function here is an Object.prototype member such as "toString".
  if (typeof v === "function") return undefined;
  if (k === "__proto__" && !Object.prototype.hasOwnProperty.call(rec, k)) return undefined;
  return v;
}

/** Rego's total order: null < boolean < number < string < array < object < set. */
export function compare(a: Value, b: Value): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0:
      return 0;
    case 1:
      return a === b ? 0 : a ? 1 : -1;
    case 2:
      return (a as number | bigint) < (b as number | bigint)
        ? -1
        : (a as number | bigint) > (b as number | bigint)
          ? 1
          : 0;
    case 3:
      return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
    case 4: {
      const x = a as Value[];
      const y = b as Value[];
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c = compare(x[i], y[i]);
        if (c !== 0) return c;
      }
      return x.length - y.length < 0 ? -1 : x.length === y.length ? 0 : 1;
    }
    case 5: {
      const x = (a as RObject).sortedView();
      const y = (b as RObject).sortedView();
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const ck = compare(x[i][0], y[i][0]);
        if (ck !== 0) return ck;
        const cv = compare(x[i][1], y[i][1]);
        if (cv !== 0) return cv;
      }
      return x.length < y.length ? -1 : x.length === y.length ? 0 : 1;
    }
    default: {
      const x = (a as RSet).sortedValues();
      const y = (b as RSet).sortedValues();
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c = compare(x[i], y[i]);
        if (c !== 0) return c;
      }
      return x.length < y.length ? -1 : x.length === y.length ? 0 : 1;
    }
  }
}

function rank(v: Value): number {
  if (v === null) return 0;
  switch (typeof v) {
    case "boolean":
      return 1;
    case "number":
    case "bigint":
      return 2;
    case "string":
      return 3;
  }
  if (Array.isArray(v)) return 4;
  return v instanceof RObject ? 5 : 6;
}

export function equal(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
    // A whole double beyond ±2^53 may equal a bigint: compare mathematically (loose equality
    // between number and bigint is exact in JS).
    if (typeof a === "bigint" && typeof b === "number")
      return Number.isInteger(b) && a === BigInt(b);
    if (typeof a === "number" && typeof b === "bigint")
      return Number.isInteger(a) && BigInt(a) === b;
    return false;
  }
  return compare(a, b) === 0;
}

/** OPA's type names, as `type_name` and error messages spell them. */
export function typeName(v: Value): string {
  if (v === null) return "null";
  switch (typeof v) {
    case "boolean":
      return "boolean";
    case "number":
    case "bigint":
      return "number";
    case "string":
      return "string";
  }
  if (Array.isArray(v)) return "array";
  return v instanceof RObject ? "object" : "set";
}

/** Convert parsed JSON/YAML (plain JS) into a Rego value. */
export function fromJS(x: unknown): Value {
  if (x === null || x === undefined) return null;
  switch (typeof x) {
    case "boolean":
    case "string":
      return x;
    case "number":
      return x;
    case "bigint":
      return normNum(x);
  }
  if (Array.isArray(x)) {
    // An array of JSON scalars already is a Rego array: shared, not copied (Rego values are
    // never modified in place, and toJS copies on the way out).
    for (let i = 0; i < x.length; i++) {
      const e: unknown = x[i];
      if (e !== null && typeof e !== "string" && typeof e !== "number" && typeof e !== "boolean")
        return x.map(fromJS);
    }
    return x as Value[];
  }
  if (x instanceof RObject || x instanceof RSet) return x;
  if (x instanceof Set) return new RSet([...x].map(fromJS));
  if (x instanceof Map) return new RObject([...x].map(([k, v]) => [fromJS(k), fromJS(v)]));
  return RObject.lazy(x as Record<string, unknown>);
}

/**
 * Convert a Rego value to plain JSON-compatible JS, as OPA serialises results:
 * sets become sorted arrays, object keys that are not strings become their JSON text,
 * big integers become numbers when exact, otherwise stay bigint for the caller to print.
 */
export function toJS(v: Value): unknown {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map(toJS);
  if (v instanceof RSet) return v.sortedValues().map(toJS);
  const out: Record<string, unknown> = {};
  for (const [k, val] of v.sortedView()) {
    out[typeof k === "string" ? k : toJSONText(k)] = toJS(val);
  }
  return out;
}

/** JSON text of a value with sorted object keys; big integers printed exactly. */
export function toJSONText(v: Value): string {
  if (v === null) return "null";
  switch (typeof v) {
    case "boolean":
      return v ? "true" : "false";
    case "number":
      return Number.isFinite(v) ? String(v) : "null";
    case "bigint":
      return v.toString();
    case "string":
      return JSON.stringify(v);
  }
  if (Array.isArray(v)) return "[" + v.map(toJSONText).join(",") + "]";
  if (v instanceof RSet) return "[" + v.sortedValues().map(toJSONText).join(",") + "]";
  const parts: string[] = [];
  for (const [k, val] of v.sortedView()) {
    parts.push(JSON.stringify(typeof k === "string" ? k : toJSONText(k)) + ":" + toJSONText(val));
  }
  return "{" + parts.join(",") + "}";
}
