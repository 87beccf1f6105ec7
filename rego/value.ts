/**
 * Rego values, as the evaluator and every built-in see them.
 *
 * Scalars are JavaScript primitives so the hot paths (string keys, small integers) cost nothing:
 *   null | boolean | string | number | bigint
 * Numbers: a JS `number` for every float and every integer inside the safe range; a `bigint` only
 * for integers outside ±2^53 (invariant kept by `normNum`), so `===` is equality for numbers.
 * A float `n` stands for the decimal `String(n)` (its shortest round-trip text), as OPA keeps
 * numbers as decimal text. A decimal no float spells that way (0.1234567890123456789, 1e-400, a
 * 64-bit-precision arithmetic result) is a `Decimal`: rare, exact, and never equal to a number.
 * Composites are: JS arrays (Rego arrays), `RObject` (any value as key), `RSet`.
 *
 * This module is a leaf: it imports nothing.
 */

export type Value = null | boolean | number | bigint | Decimal | string | Value[] | RObject | RSet;

/** Any Rego number. */
export type Num = number | bigint | Decimal;

/**
 * An exact decimal OPA keeps (its numbers are JSON number text) that neither a float's shortest
 * text nor a bigint spells: (neg ? -1 : 1) * digits * 10^exp10, `digits` > 0 without trailing
 * zeros. Only `numberFromParts`/`numberFromText` make one, and they return a number or bigint
 * whenever that denotes the same value, so a Decimal never equals a number or bigint and two
 * Decimals are equal exactly when their fields are.
 */
export class Decimal {
  private t: string | undefined;
  constructor(
    readonly neg: boolean,
    readonly digits: bigint,
    readonly exp10: number,
  ) {
    this.t = undefined;
  }
  /** JSON number text, laid out as JS lays out a float's text (plain or with an exponent). */
  get text(): string {
    return (this.t ??= decimalText(this.neg, this.digits.toString(), this.exp10));
  }
  /** Integers are only Decimals when too long to expand (beyond MAX_EXPANDED_DIGITS). */
  get isInteger(): boolean {
    return this.exp10 >= 0;
  }
  /** Nearest float64 (±Infinity or ±0 outside its range), OPA's `Number.Float64()`. */
  toNumber(): number {
    return Number(this.text);
  }
  /** JSON.stringify has no exact form for it: the nearest float. Exact text: `text`. */
  toJSON(): number {
    return this.toNumber();
  }
  toString(): string {
    return this.text;
  }
}

/** Digits an integer literal may expand to (as a bigint) before it stays a Decimal. */
const MAX_EXPANDED_DIGITS = 10000;

function decimalText(neg: boolean, ds: string, exp10: number): string {
  const k = ds.length;
  const n = k + exp10; // the decimal point sits after n digits
  let body: string;
  if (k <= n && n <= 21) body = ds + "0".repeat(exp10);
  else if (0 < n && n <= 21) body = ds.slice(0, n) + "." + ds.slice(n);
  else if (-6 < n && n <= 0) body = "0." + "0".repeat(-n) + ds;
  else {
    const e = n - 1;
    body =
      (k === 1 ? ds : ds[0] + "." + ds.slice(1)) + "e" + (e < 0 ? "-" : "+") + String(Math.abs(e));
  }
  return neg ? "-" + body : body;
}

const NUMBER_TEXT = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$/;

/** Sign, digits and power of ten of decimal number text; undefined if it is not one. */
export function decimalParts(
  text: string,
): { neg: boolean; digits: bigint; exp10: number } | undefined {
  const m = NUMBER_TEXT.exec(text);
  if (!m) return undefined;
  const intPart = m[2];
  const frac = m[3] ?? "";
  if (intPart === "" && frac === "") return undefined;
  const exp = m[4] === undefined ? 0 : Number(m[4]);
  if (!Number.isSafeInteger(exp)) return undefined;
  return { neg: m[1] === "-", digits: BigInt(intPart + frac), exp10: exp - frac.length };
}

/**
 * The Rego number a decimal denotes, in canonical form: an integer as number/bigint (unless
 * absurdly long), a non-integer as the float whose shortest text denotes it, else a Decimal.
 */
export function numberFromParts(neg: boolean, digits: bigint, exp10: number): Num {
  if (digits === 0n) return 0;
  if (digits < 0n) {
    neg = !neg;
    digits = -digits;
  }
  if (digits % 10n === 0n) {
    let ds = digits.toString();
    let z = ds.length;
    while (ds.charCodeAt(z - 1) === 48) z--;
    exp10 += ds.length - z;
    ds = ds.slice(0, z);
    digits = BigInt(ds);
  }
  if (exp10 >= 0) {
    if (digits.toString().length + exp10 > MAX_EXPANDED_DIGITS)
      return new Decimal(neg, digits, exp10);
    const b = digits * 10n ** BigInt(exp10);
    return normNum(neg ? -b : b);
  }
  const ds = digits.toString();
  const text = decimalText(neg, ds, exp10);
  const f = Number(text);
  // up to 15 significant digits inside the normal range, a float's shortest text is the decimal
  const pos = ds.length + exp10;
  if (ds.length <= 15 && pos > -300 && pos < 300) return f;
  if (f !== 0 && Number.isFinite(f)) {
    const back = decimalParts(String(f));
    if (back !== undefined && sameDecimal(back.digits, back.exp10, digits, exp10)) return f;
  }
  return new Decimal(neg, digits, exp10);
}

function sameDecimal(d1: bigint, e1: number, d2: bigint, e2: number): boolean {
  if (e1 === e2) return d1 === d2;
  return e1 > e2 ? d1 * 10n ** BigInt(e1 - e2) === d2 : d2 * 10n ** BigInt(e2 - e1) === d1;
}

/**
 * The number JSON or Rego number text denotes, exactly (OPA keeps the text: `json.Number`);
 * undefined if the text is not a number.
 */
export function numberFromText(text: string): Num | undefined {
  // short plain text (no exponent, at most 15 digits) is what a float spells
  if (text.length <= 15 && !/[eE]/.test(text)) {
    const f = Number(text);
    if (text === "" || Number.isNaN(f) || text.trim() !== text) return undefined;
    if (!/^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)$/.test(text)) return undefined;
    return f === 0 ? 0 : f;
  }
  const p = decimalParts(text);
  return p === undefined ? undefined : numberFromParts(p.neg, p.digits, p.exp10);
}

/** Exact sign, digits and power of ten of any Rego number (a float as its shortest text). */
export function partsOf(n: Num): { neg: boolean; digits: bigint; exp10: number } {
  if (n instanceof Decimal) return n;
  if (typeof n === "bigint") return { neg: n < 0n, digits: n < 0n ? -n : n, exp10: 0 };
  if (Number.isSafeInteger(n)) return { neg: n < 0, digits: BigInt(n < 0 ? -n : n), exp10: 0 };
  return decimalParts(String(n))!;
}

/** -n, exactly. */
export function negateNumber(n: Num): Num {
  if (typeof n === "number") return n === 0 ? 0 : -n;
  if (typeof n === "bigint") return normNum(-n);
  return new Decimal(!n.neg, n.digits, n.exp10);
}

/** Exact order of two numbers at least one of which is a Decimal (or an unsafe float). */
function compareExact(a: Num, b: Num): number {
  const x = partsOf(a);
  const y = partsOf(b);
  const xz = x.digits === 0n;
  const yz = y.digits === 0n;
  if (xz || yz) {
    if (xz && yz) return 0;
    if (xz) return y.neg ? 1 : -1;
    return x.neg ? -1 : 1;
  }
  if (x.neg !== y.neg) return x.neg ? -1 : 1;
  const mag = compareMagnitude(x.digits, x.exp10, y.digits, y.exp10);
  return x.neg ? -mag : mag;
}

function compareMagnitude(d1: bigint, e1: number, d2: bigint, e2: number): number {
  const s1 = d1.toString();
  const s2 = d2.toString();
  // position of the leading digit decides unless equal
  const p1 = s1.length + e1;
  const p2 = s2.length + e2;
  if (p1 !== p2) return p1 < p2 ? -1 : 1;
  // same leading position: compare digit strings padded to the same length
  const n = Math.max(s1.length, s2.length);
  const a = s1.padEnd(n, "0");
  const b = s2.padEnd(n, "0");
  return a < b ? -1 : a > b ? 1 : 0;
}

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

/**
 * The text behind a composite's key: each kind starts with its own character and a string gives
 * its length first, so the text is unambiguous. Built by appending, not through arrays of parts: the
 * findings set keys every finding object this way.
 */
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
      // length-prefixed, not escaped: no scan or copy of the text until the key is hashed
      return '"' + v.length + ":" + v;
  }
  if (v instanceof Decimal) return "#" + v.text;
  if (Array.isArray(v)) return canonList("[", v) + "]";
  if (v instanceof RSet) return canonList("<", v.sortedValues()) + ">";
  const es = v.sortedView();
  let out = "{";
  for (let i = 0; i < es.length; i++) {
    const e = es[i];
    out += (i === 0 ? "" : ",") + canon(e[0]) + ":" + canon(e[1]);
  }
  return out + "}";
}

function canonList(open: string, vs: readonly Value[]): string {
  let out = open;
  for (let i = 0; i < vs.length; i++) out += (i === 0 ? "" : ",") + canon(vs[i]);
  return out;
}

/** Keep the number invariant: integers in the safe range are `number`, never `bigint`. */
export function normNum(n: number | bigint): number | bigint {
  if (typeof n === "bigint" && n >= -9007199254740991n && n <= 9007199254740991n) return Number(n);
  return n;
}

export function isNumber(v: Value): v is Num {
  return typeof v === "number" || typeof v === "bigint" || v instanceof Decimal;
}

export class RSet {
  // (fields are `declare`d and set in the constructor: see RObject)
  declare private own: Map<string, Value> | undefined;
  /**
   * A set built from another structure's hash map (`ofKeys`): its keys are this set's members'
   * keys, so a membership test is one lookup there. Anything else first copies the members out.
   */
  declare private keyed: Map<string, unknown> | undefined;
  declare private memberOf: ((entry: unknown) => Value) | undefined;

  constructor(values?: Iterable<Value>) {
    this.own = undefined;
    this.keyed = undefined;
    this.memberOf = undefined;
    if (values) for (const v of values) this.add(v);
  }
  /**
   * The set whose members' keys (`keyOf`) are the keys of `keyed`; `memberOf` gives the member
   * of a key from its entry when the key is not a plain string's own (a string is its own key).
   * `keyed` must not change while the set is in use (e.g. a join index, built once).
   */
  static ofKeys(keyed: Map<string, unknown>, memberOf: (entry: unknown) => Value): RSet {
    const s = new RSet();
    s.keyed = keyed;
    s.memberOf = memberOf;
    return s;
  }
  /** Own members by key (made on first need; copied out of `keyed` if the set has one). */
  private get m(): Map<string, Value> {
    let m = this.own;
    if (m === undefined) {
      m = new Map();
      const keyed = this.keyed;
      if (keyed !== undefined) {
        const memberOf = this.memberOf!;
        for (const [k, e] of keyed) {
          m.set(k, k.length === 0 || k.charCodeAt(0) !== 0 ? k : memberOf(e));
        }
      }
      this.own = m;
      this.keyed = undefined;
      this.memberOf = undefined;
    }
    return m;
  }
  get size(): number {
    const keyed = this.keyed;
    return keyed !== undefined ? keyed.size : this.m.size;
  }
  add(v: Value): void {
    // a string is its own key (unless it starts with NUL): one hash lookup, not has + set
    if (typeof v === "string" && (v.length === 0 || v.charCodeAt(0) !== 0)) {
      this.m.set(v, v);
      return;
    }
    const k = keyOf(v);
    const m = this.m;
    if (!m.has(k)) m.set(k, v);
  }
  has(v: Value): boolean {
    const keyed = this.keyed;
    return keyed !== undefined ? keyed.has(keyOf(v)) : this.m.has(keyOf(v));
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
  // (fields are `declare`d and set in the constructor: ES2022 class fields would define them in a
  // separate initializer on every construction, and input records wrap thousands per evaluation)
  /** Created on first need: lazily wrapped records that are only read never allocate it. */
  declare private mm: Map<string, [Value, Value]> | undefined;
  /**
   * Lazily converted backing record (from `fromJS`): large input documents are wrapped, not
   * copied. Scalars are read straight from it; composites are converted on first access and
   * cached in `m`. `rec` is dropped once every key has been moved into `m`.
   */
  declare private rec: Record<string, unknown> | undefined;
  /**
   * One field for two arrays that never coexist (three fields, not five, per wrapped record):
   *
   * While `rec` is set (`conv`): its composite members converted so far, as alternating key,
   * value. A flat array costs far less than a Map per input object (most have one or two such
   * members); past eight of them they move into `mm`. Undefined keys mark free pairs at the end.
   *
   * Once `rec` is gone (`sorted`): entries in key order, kept until the next write: comparisons
   * and sorting reuse it.
   */
  declare private aux: (string | Value | undefined)[] | [Value, Value][] | undefined;

  constructor(entries?: Iterable<[Value, Value]>) {
    this.mm = undefined;
    this.rec = undefined;
    this.aux = undefined;
    if (entries) for (const [k, v] of entries) this.set(k, v);
  }
  private get conv(): (string | Value | undefined)[] | undefined {
    return this.rec !== undefined
      ? (this.aux as (string | Value | undefined)[] | undefined)
      : undefined;
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
    const conv = this.aux as (string | Value | undefined)[] | undefined;
    this.rec = undefined;
    this.aux = undefined;
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
    // (a lazy record's size converts it: Object.keys on every call would be quadratic in a loop)
    this.complete();
    return this.mm === undefined ? 0 : this.mm.size;
  }
  get(k: Value): Value | undefined {
    const rec = this.rec;
    if (rec !== undefined && typeof k === "string") {
      const raw = rec[k];
      // Scalars need no conversion (JSON numbers are already safe or float). A parsed JSON
      // record holds no functions or undefined: those are absent keys or Object.prototype
      // members such as "toString".
      if (typeof raw !== "object") {
        if (raw === undefined || typeof raw === "function") return undefined;
        return typeof raw === "bigint" ? normNum(raw) : (raw as Value);
      }
      if (raw === null) return null;
      // (the one prototype member that is an object)
      if (k === "__proto__" && !Object.prototype.hasOwnProperty.call(rec, k)) return undefined;
      return this.member(k, raw);
    }
    if (this.mm === undefined) return undefined;
    const e = this.mm.get(keyOf(k));
    return e === undefined ? undefined : e[1];
  }
  /** A composite member of the lazy record, converted once and cached (one value object). */
  private member(k: string, raw: unknown): Value {
    // a short array of JSON scalars is its own Rego value (fromJS shares it): nothing to convert
    // or keep, and checking it again costs less than keeping it
    if (Array.isArray(raw) && raw.length <= 8 && firstToConvert(raw) < 0) return raw as Value[];
    const mm = this.mm;
    if (mm !== undefined) {
      const hk = keyOf(k);
      const e = mm.get(hk);
      if (e !== undefined) return e[1];
      const v = fromJS(raw);
      mm.set(hk, [k, v]);
      return v;
    }
    const conv = this.conv;
    if (conv === undefined) {
      const v = fromJS(raw);
      // room for two members, allocated at its size (an empty array's first push reserves 17)
      this.aux = [k, v, undefined, undefined];
      return v;
    }
    // pairs fill from the front; an undefined key marks the free pairs at the end
    let i = 0;
    for (; i < conv.length; i += 2) {
      const ck = conv[i];
      if (ck === k) return conv[i + 1] as Value;
      if (ck === undefined) break;
    }
    const v = fromJS(raw);
    if (i < conv.length) {
      conv[i] = k;
      conv[i + 1] = v;
      return v;
    }
    if (conv.length < 16) {
      conv.push(k, v);
      return v;
    }
    // many composite members (a record used as a map): a linear search would be quadratic
    const m = new Map<string, [Value, Value]>();
    for (let j = 0; j < conv.length; j += 2) {
      const ck = conv[j] as string;
      m.set(keyOf(ck), [ck, conv[j + 1] as Value]);
    }
    m.set(keyOf(k), [k, v]);
    this.mm = m;
    this.aux = undefined;
    return v;
  }
  has(k: Value): boolean {
    const rec = this.rec;
    if (rec !== undefined && typeof k === "string") return rawOwn(rec, k) !== undefined;
    return this.mm !== undefined && this.mm.has(keyOf(k));
  }
  set(k: Value, v: Value): void {
    this.complete();
    this.aux = undefined;
    this.m.set(keyOf(k), [k, v]);
  }
  /**
   * A copy to write to: its entries are this object's (an entry is never changed in place, only
   * replaced), so copying allocates no entry and runs no iterator.
   */
  copy(): RObject {
    this.complete();
    const o = new RObject();
    if (this.mm !== undefined) o.mm = new Map(this.mm);
    return o;
  }
  /** set(e[0], e[1]) that keeps `e`, an entry of another object (see copy). */
  setEntry(e: [Value, Value]): void {
    this.complete();
    this.aux = undefined;
    this.m.set(keyOf(e[0]), e);
  }
  delete(k: Value): void {
    this.complete();
    this.aux = undefined;
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
    this.complete();
    if (this.aux !== undefined) return this.aux as [Value, Value][];
    const es = [...this.m.values()];
    this.aux = es;
    let allStrings = true;
    for (let i = 0; i < es.length; i++) {
      if (typeof es[i][0] !== "string") {
        allStrings = false;
        break;
      }
    }
    if (allStrings) {
      // a record's few keys (a finding's seven) sort in place: the built-in sort copies them
      // into a work array first, once per object keyed or written out
      if (es.length <= 12) return insertionSortByStringKey(es);
      return es.sort(byStringKey);
    }
    return es.sort((a, b) => compare(a[0], b[0]));
  }
}

function insertionSortByStringKey(es: [Value, Value][]): [Value, Value][] {
  for (let i = 1; i < es.length; i++) {
    const e = es[i];
    const k = e[0] as string;
    let j = i - 1;
    while (j >= 0 && (es[j][0] as string) > k) {
      es[j + 1] = es[j];
      j--;
    }
    es[j + 1] = e;
  }
  return es;
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
      if (typeof a === "object" || typeof b === "object") return compareExact(a as Num, b as Num);
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
  if (v instanceof RObject) return 5;
  return v instanceof RSet ? 6 : 2;
}

export function equal(a: Value, b: Value): boolean {
  if (a === b) return true;
  // (a Decimal never equals a scalar: canonical form; two Decimals compare below)
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
  if (v instanceof RObject) return "object";
  return v instanceof RSet ? "set" : "number";
}

/** Convert parsed JSON/YAML (plain JS) into a Rego value. */
export function fromJS(x: unknown): Value {
  if (x === null || x === undefined) return null;
  switch (typeof x) {
    case "boolean":
    case "string":
      return x;
    case "number":
      // a float beyond ±2^53 that is whole stands for the integer its text spells (1e+300 is
      // 10^300, as OPA reads the JSON text), kept exact as a bigint
      return Number.isInteger(x) && !Number.isSafeInteger(x) ? numberFromText(String(x))! : x;
    case "bigint":
      return normNum(x);
  }
  if (Array.isArray(x)) {
    // An array of JSON scalars already is a Rego array: shared, not copied (Rego values are
    // never modified in place, and toJS copies on the way out).
    const i = firstToConvert(x);
    return i < 0 ? (x as Value[]) : convertArray(x, i);
  }
  if (x instanceof RObject || x instanceof RSet || x instanceof Decimal) return x;
  if (x instanceof Set) return new RSet([...x].map(fromJS));
  if (x instanceof Map) return new RObject([...x].map(([k, v]) => [fromJS(k), fromJS(v)]));
  return RObject.lazy(x as Record<string, unknown>);
}

/** Index of the first member of a JSON array that is not a Rego scalar as it is (-1: none). */
function firstToConvert(x: unknown[]): number {
  for (let i = 0; i < x.length; i++) {
    const e: unknown = x[i];
    if (e !== null && typeof e !== "string" && typeof e !== "boolean") {
      if (typeof e !== "number" || (Number.isInteger(e) && !Number.isSafeInteger(e))) return i;
    }
  }
  return -1;
}

/**
 * An array whose members from `from` on may need converting (those before are JSON scalars).
 * Plain records, the common member (a list of objects), are wrapped without fromJS's checks.
 */
function convertArray(x: unknown[], from: number): Value[] {
  // A copy by `slice` (the scalars before `from` are kept as they are), not `new Array(n)`: V8
  // may move an allocation site's objects to the old generation once many survive a scavenge,
  // as a large input's arrays do, and then every member stored into them costs a write barrier;
  // a copy made by `slice` is always allocated young. (A sparse JSON array has no holes.)
  const out = x.slice() as Value[];
  for (let i = from; i < x.length; i++) {
    const e = x[i];
    out[i] =
      e !== null && typeof e === "object" && Object.getPrototypeOf(e) === Object.prototype
        ? RObject.lazy(e as Record<string, unknown>)
        : fromJS(e);
  }
  return out;
}

/**
 * Convert a Rego value to plain JSON-compatible JS, as OPA serialises results:
 * sets become sorted arrays, object keys that are not strings become their JSON text,
 * big integers become numbers when exact, otherwise stay bigint for the caller to print; exact
 * decimals stay `Decimal` (print with `jsonText`, or JSON.stringify's nearest float).
 */
export function toJS(v: Value): unknown {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map(toJS);
  if (v instanceof RSet) {
    const vs = v.sortedValues();
    // (a fresh array: strings need no copy)
    for (let i = 0; i < vs.length; i++) if (typeof vs[i] !== "string") return vs.map(toJS);
    return vs;
  }
  if (v instanceof Decimal) return v;
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
  if (v instanceof Decimal) return v.text;
  if (Array.isArray(v)) return "[" + v.map(toJSONText).join(",") + "]";
  if (v instanceof RSet) return "[" + v.sortedValues().map(toJSONText).join(",") + "]";
  const parts: string[] = [];
  for (const [k, val] of v.sortedView()) {
    parts.push(JSON.stringify(typeof k === "string" ? k : toJSONText(k)) + ":" + toJSONText(val));
  }
  return "{" + parts.join(",") + "}";
}

/**
 * JSON.stringify for `toJS` results that prints bigints and Decimals exactly (as OPA prints its
 * number text) instead of failing on bigint or rounding a Decimal.
 */
export function jsonText(x: unknown, indent?: number): string {
  const big: string[] = [];
  const text = JSON.stringify(
    x,
    function (this: Record<string, unknown>, k: string, v: unknown) {
      // the holder still has the value before Decimal.toJSON rounded it
      const orig = this[k];
      if (typeof orig === "bigint" || orig instanceof Decimal) {
        big.push(orig.toString());
        return `\u0000num${big.length - 1}\u0000`;
      }
      return v;
    },
    indent,
  );
  if (big.length === 0) return text;
  return text.replace(/"\\u0000num(\d+)\\u0000"/g, (_m, i: string) => big[Number(i)]);
}
