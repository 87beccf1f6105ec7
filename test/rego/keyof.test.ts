/**
 * keyOf is the identity of a value in sets and object keys: equal values must get equal keys and
 * different values different keys, whatever their strings hold (separators, quotes, lengths,
 * digits, NUL) and however composites were built (insertion order, lazily wrapped records).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RObject, RSet, equal, fromJS, keyOf, type Value } from "../../rego/value";

// strings made of the characters a key's text uses as structure
const tricky = fc
  .array(
    fc.constantFrom("a", ",", ":", '"', "1", "2", "[", "]", "{", "}", "<", ">", "#", "\0", "s"),
    {
      maxLength: 6,
    },
  )
  .map((xs) => xs.join(""));

const value: fc.Arbitrary<Value> = fc.letrec<{ v: Value }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small" },
    fc.constant(null),
    fc.boolean(),
    fc.constantFrom(0, 1, 2, 12, -1, 1.5, 2 ** 60),
    tricky,
    fc.array(tie("v"), { maxLength: 3 }),
    fc
      .array(fc.tuple(fc.oneof(tricky, fc.constantFrom(1, null, true)), tie("v")), { maxLength: 3 })
      .map((es) => new RObject(es)),
    fc.array(tie("v"), { maxLength: 3 }).map((xs) => new RSet(xs)),
  ),
})).v;

/** The same value built again: objects and sets in reverse insertion order. */
function rebuilt(v: Value): Value {
  if (Array.isArray(v)) return v.map(rebuilt);
  if (v instanceof RObject)
    return new RObject([...v.entries()].reverse().map(([k, x]) => [rebuilt(k), rebuilt(x)]));
  if (v instanceof RSet) return new RSet([...v.values()].reverse().map(rebuilt));
  return v;
}

describe("keyOf", () => {
  it("gives equal keys exactly to equal values", () => {
    fc.assert(
      fc.property(value, value, (a, b) => {
        expect(keyOf(a) === keyOf(b)).toBe(equal(a, b));
        expect(keyOf(rebuilt(a))).toBe(keyOf(a));
      }),
      { numRuns: 5000 },
    );
  });

  it("tells apart values whose strings spell another value's structure", () => {
    const pairs: [unknown, unknown][] = [
      [["a,b"], ["a", "b"]],
      [{ "a:b": "c" }, { a: "b:c" }],
      [['"1:a'], ["a"]],
      [["1:a"], [1, "a"]],
      [{ a: ["b"] }, { a: "b" }],
      [["\0s"], ["s"]],
      [[""], []],
      [["", ""], [""]],
    ];
    for (const [x, y] of pairs)
      expect(keyOf(fromJS(x)), JSON.stringify([x, y])).not.toBe(keyOf(fromJS(y)));
    expect(keyOf(new RSet(["a", "b"]))).not.toBe(keyOf(["a", "b"]));
    expect(keyOf(new RObject([[1, "x"]]))).not.toBe(keyOf(new RObject([["1", "x"]])));
    // a lazily wrapped record and one built entry by entry
    expect(keyOf(fromJS({ b: [1, { c: "," }], a: "x" }))).toBe(
      keyOf(
        new RObject([
          ["a", "x"],
          ["b", [1, new RObject([["c", ","]])]],
        ]),
      ),
    );
  });
});

describe("sorted entries of string-keyed objects", () => {
  it("are in code-unit order at every size, small (sorted in place) and large", () => {
    const key = fc
      .array(fc.constantFrom("a", "B", "é", "😀", "\ud83d", "\uffff", "0", " ", ""), {
        maxLength: 4,
      })
      .map((xs) => xs.join(""));
    fc.assert(
      fc.property(fc.uniqueArray(key, { maxLength: 20 }), (keys) => {
        const o = new RObject(keys.map((k, i): [Value, Value] => [k, i]));
        const expected = [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        expect(o.sortedEntries().map((e) => e[0])).toEqual(expected);
        expect(o.sortedEntries().map((e) => e[1])).toEqual(expected.map((k) => keys.indexOf(k)));
      }),
      { numRuns: 2000 },
    );
  });
});
