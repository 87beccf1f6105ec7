/**
 * Slot-indexed variable frames for compiled bodies. Each compilation unit (a rule group, a query,
 * a test rule) resolves its variable names to slot numbers once, at compile time; an evaluation
 * of the unit then binds variables in a plain array instead of a Map keyed by name.
 */
import { RObject, RSet, type Value } from "./value";

/** One evaluation's variables: `undefined` marks an unbound slot (no Rego value is undefined). */
export type Frame = (Value | undefined)[];

/** Returned by a deterministic fast path when the general (iterating) path is needed. */
export const NOT_SIMPLE = Symbol("not-simple");
export type Simple = Value | undefined | typeof NOT_SIMPLE;

/**
 * Compile-time names → slots of one unit. Variables of comprehension and `every` bodies share the
 * slots of their enclosing body: a name means one variable throughout a rule, as in Rego.
 */
export class Scope {
  private readonly slots = new Map<string, number>();
  /** Slot of a variable, allocated on first sight. */
  slot(name: string): number {
    let s = this.slots.get(name);
    if (s === undefined) {
      s = this.slots.size;
      this.slots.set(name, s);
    }
    return s;
  }
  /** Slot of a variable the unit mentions, or undefined. */
  find(name: string): number | undefined {
    return this.slots.get(name);
  }
  get size(): number {
    return this.slots.size;
  }
  names(): IterableIterator<[string, number]> {
    return this.slots.entries();
  }
}

/** An unbound frame of each size made so far (see newFrame). */
const blankFrames: Frame[] = [];

export function newFrame(size: number): Frame {
  // A copy of a blank frame, not `new Array(size)`: V8 may decide to allocate an allocation
  // site's objects in the old generation once many of them survive a scavenge (as a large
  // evaluation's frames do), and every binding stored into an old frame then costs a write
  // barrier; a copy made by `slice` is always allocated young.
  let blank = blankFrames[size];
  if (blank === undefined) {
    blank = [];
    for (let i = 0; i < size; i++) blank.push(undefined);
    blankFrames[size] = blank;
  }
  return blank.slice();
}

/** `input` and `data` are never bound in a frame: they name documents. */
export function isDocName(name: string): boolean {
  return name === "input" || name === "data";
}

export function lookup(v: Value, key: Value): Value | undefined {
  // objects first: most references walk objects
  if (v instanceof RObject) return v.get(key);
  if (Array.isArray(v)) {
    if (typeof key === "number" && Number.isInteger(key) && key >= 0 && key < v.length)
      return v[key];
    return undefined;
  }
  if (v instanceof RSet) return v.has(key) ? key : undefined;
  return undefined;
}
