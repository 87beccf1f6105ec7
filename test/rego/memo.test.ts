/**
 * Calls of a function of several arguments keep their values in a trie that branches only where
 * two calls share a prefix of arguments (rego/eval.ts memoFind/memoAdd). Each call here must get
 * its own arguments' value, whichever earlier calls share a prefix with it.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../rego/index";

const POLICY = `package p
import rego.v1

f(a, b, c) := [a, b, c, count(input.xs)]
g(a, b) := sprintf("%v/%v", [a, b])

calls := [
  f(1, "x", "p"),
  f(1, "x", "q"),
  f(1, "y", "p"),
  f(2, "x", "p"),
  f(1, "x", "p"),
  f(1, "x", "q"),
  f(1.0, "x", "r"),
  f(0.1234567890123456789, "x", [1]),
  f(0.1234567890123456789, "x", [1]),
  f(0.1234567890123456789, "x", [2]),
  f(null, false, {"k": 1}),
  f(null, false, {"k": 2}),
  f(null, true, {"k": 1}),
]

pairs := [g(x, y) | some x in ["a", "b", "a"]; some y in [1, 2, 1, 3]]

scoped := [f(1, "x", "p"), inner]

# calls that never repeat (past the point where the memo gives up on them), then repeat
h(a, b) := [a, b, count(input.xs)]
u(a) := a * count(input.xs)
fresh := [h(i, "k") | some i in numbers.range(1, 300)]
repeated := [h(i, "k") | some i in numbers.range(1, 300)]
fresh_in_scope := [v | some i in numbers.range(1, 100); v := h(i, "k") with input.xs as [1, 2]]
single := [u(i) | some i in numbers.range(1, 300)]
inner := v if v := f(1, "x", "p") with input.xs as [1, 2, 3]
`;

describe("function calls of several arguments", () => {
  const q = (query: string): unknown =>
    compile([{ file: "p.rego", source: POLICY }])
      .prepare(query)
      .eval({ input: { xs: [1] } })[0].expressions[0].value;

  it("each get their own arguments' value, whatever prefix earlier calls share", () => {
    const calls = q("data.p.calls") as unknown[][];
    // (an exact decimal no float spells stays a Decimal: compared by its text)
    const dec = calls.slice(7, 10).map(([d, ...rest]) => [String(d), ...rest]);
    expect(dec).toEqual([
      ["0.1234567890123456789", "x", [1], 1],
      ["0.1234567890123456789", "x", [1], 1],
      ["0.1234567890123456789", "x", [2], 1],
    ]);
    expect([...calls.slice(0, 7), ...calls.slice(10)]).toEqual([
      [1, "x", "p", 1],
      [1, "x", "q", 1],
      [1, "y", "p", 1],
      [2, "x", "p", 1],
      [1, "x", "p", 1],
      [1, "x", "q", 1],
      [1, "x", "r", 1],
      [null, false, { k: 1 }, 1],
      [null, false, { k: 2 }, 1],
      [null, true, { k: 1 }, 1],
    ]);
    expect(q("data.p.pairs")).toEqual([
      "a/1",
      "a/2",
      "a/1",
      "a/3",
      "b/1",
      "b/2",
      "b/1",
      "b/3",
      "a/1",
      "a/2",
      "a/1",
      "a/3",
    ]);
  });

  it("keep values per `with` scope", () => {
    expect(q("data.p.scoped")).toEqual([
      [1, "x", "p", 1],
      [1, "x", "p", 3],
    ]);
  });

  it("that rarely repeat stop being memoized and still get their own arguments' values", () => {
    const expected = (xs: number) => Array.from({ length: 300 }, (_, i) => [i + 1, "k", xs]);
    expect(q("data.p.fresh")).toEqual(expected(1));
    expect(q("[data.p.fresh, data.p.repeated]")).toEqual([expected(1), expected(1)]);
    expect(q("[data.p.fresh, data.p.fresh_in_scope]")).toEqual([
      expected(1),
      expected(2).slice(0, 100),
    ]);
    expect(q("data.p.single")).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
  });
});
