/**
 * `object.union` starts from a copy of its left operand that shares the operand's entries
 * (RObject.copy) and moves the right operand's entries over as they are (setEntry). The result
 * must be what merging entry by entry gives, and writing to a copy must never reach the original.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { builtinsOf } from "../../rego/builtins";
import { fromJS, RObject, toJS, type Value } from "../../rego/value";
import { builtinContext, callBuiltin } from "../support/builtin-harness";

const ALL = builtinsOf("objects");
const union = (a: Value, b: Value): Value | undefined =>
  callBuiltin(ALL, builtinContext(), "object.union", a, b);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** The merge OPA specifies, on plain JSON: right wins unless both sides are objects. */
function merged(a: Record<string, Json>, b: Record<string, Json>): Record<string, Json> {
  const out: Record<string, Json> = { ...a };
  for (const [k, vb] of Object.entries(b)) {
    const va = out[k];
    const isObj = (x: Json | undefined): x is Record<string, Json> =>
      x !== null && typeof x === "object" && !Array.isArray(x);
    out[k] = isObj(va) && isObj(vb) ? merged(va, vb) : vb;
  }
  return out;
}

const key = fc.constantFrom("id", "source", "extra", "need", "a", "b");
const json: fc.Arbitrary<Json> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constantFrom<Json>(null, true, 1, "x", ""),
    fc.array(tie("value"), { maxLength: 2 }),
    tie("object"),
  ),
  object: fc.dictionary(key, tie("value"), { maxKeys: 4 }),
})).object as fc.Arbitrary<Json>;
const record = json as fc.Arbitrary<Record<string, Json>>;

/** The same JSON as a lazily converted record or as an object built entry by entry. */
function asValue(x: Record<string, Json>, built: boolean): RObject {
  const v = fromJS(x) as RObject;
  return built ? new RObject(v.entries()) : v;
}

describe("object.union on shared entries", () => {
  it("merges as entry-by-entry merging does, lazy or built operands", () => {
    fc.assert(
      fc.property(record, record, fc.boolean(), fc.boolean(), (a, b, ba, bb) => {
        const va = asValue(a, ba);
        const vb = asValue(b, bb);
        expect(toJS(union(va, vb)!)).toEqual(merged(a, b));
        // the operands are unchanged
        expect(toJS(va)).toEqual(a);
        expect(toJS(vb)).toEqual(b);
      }),
      { numRuns: 1500 },
    );
  });

  it("keeps non-string keys and the right operand's value on a clash", () => {
    const a = new RObject([
      [1, "one"],
      [["k"], "list"],
      ["s", new RObject([["x", 1]])],
    ]);
    const b = new RObject([
      [1, "uno"],
      ["s", new RObject([["y", 2]])],
    ]);
    const out = union(a, b) as RObject;
    expect(out.get(1)).toBe("uno");
    expect(out.get(["k"])).toBe("list");
    expect(toJS(out.get("s")!)).toEqual({ x: 1, y: 2 });
  });

  it("gives a copy that writes never reach the original through", () => {
    const lazy = fromJS({ a: 1, b: { c: 2 } }) as RObject;
    const built = new RObject([["a", 1]]);
    for (const orig of [lazy, built]) {
      const before = toJS(orig);
      const c = orig.copy();
      expect(toJS(c)).toEqual(before);
      c.set("a", 99);
      c.set("new", true);
      c.delete("b");
      expect(toJS(orig)).toEqual(before);
      expect(orig.get("new")).toBeUndefined();
      expect(c.get("a")).toBe(99);
    }
    const u = union(built, new RObject([["z", 0]])) as RObject;
    u.set("a", 5);
    expect(built.get("a")).toBe(1);
  });
});
