/**
 * Type tests (`is_string` …), `count` and the ordering comparisons (`<`, `>`, `<=`, `>=`) are
 * answered in place when their operands are deterministic and no `with` mocks a function
 * (rego/compile-body.ts UNARY_FNS, PAIR_FNS). Each case compares them with the built-ins, reached by
 * mocking an unrelated function (any function mock sends every call to the general path).
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../rego/index";

const VALUES = `[
  0, 1, -1, 2.5, 1e400, 9007199254740993, -9007199254740993, 0.1, 100000000000000000000000,
  "", "a", "b", "ab", "ä", "😀x",
  true, false, null,
  [], [1], [1, 2], ["a"], [[1]],
  {}, {"a": 1}, {"b": 0}, {"a": 1, "b": 2}, {1: "x"},
  set(), {1}, {1, 2}, {"a"}, {[1]},
  input.rec, input.recs, input.str, input.big, input.num
]`;

const POLICY = `package p
import rego.v1

vals := ${VALUES}

unary(x) := [is_number(x), is_string(x), is_boolean(x), is_array(x), is_set(x), is_object(x), is_null(x), cnt(x)]

pair(a, b) := [a < b, a > b, a <= b, a >= b, sw(a, b), ew(a, b), has(a, b)]

# (a built-in's type error leaves its call undefined: "none")
cnt(x) := c if c := count(x)
else := "none"

sw(a, b) := v if v := startswith(a, b)
else := "none"

ew(a, b) := v if v := endswith(a, b)
else := "none"

has(a, b) := v if v := contains(a, b)
else := "none"

fast_unary := [unary(x) | some x in vals]
fast_pairs := [pair(a, b) | some a in vals; some b in vals]

unrelated(_) := "mocked"

general_unary := r if {
  r := fast_unary with lower as unrelated
}
general_pairs := r if {
  r := fast_pairs with lower as unrelated
}
`;

const INPUT = {
  rec: { a: 1, b: [1, 2], c: { d: "x" } },
  recs: [{ a: 1 }, { a: 2 }],
  str: "ab",
  big: 2 ** 60,
  num: 2.5,
};

function run(query: string, strict = false): unknown {
  const q = compile([{ file: "p.rego", source: POLICY }]).prepare(query);
  const rs = q.eval({ input: INPUT, strictBuiltinErrors: strict });
  return rs.length === 0 ? undefined : rs[0].expressions[0].value;
}

describe("built-ins answered in place", () => {
  it("type tests and count agree with the built-ins on values of every type", () => {
    const fast = run("data.p.fast_unary") as unknown[][];
    expect(fast).toEqual(run("data.p.general_unary"));
    expect(fast.length).toBe(38);
    // spot checks against Rego's definitions
    expect(fast[4]).toEqual([true, false, false, false, false, false, false, "none"]); // 1e400
    expect(fast[13]).toEqual([false, true, false, false, false, false, false, 1]); // "ä"
    expect(fast[14]).toEqual([false, true, false, false, false, false, false, 2]); // "😀x"
    expect(fast[33]).toEqual([false, false, false, false, false, true, false, 3]); // input.rec
  });

  it("comparisons and string tests agree with the built-ins on every pair", () => {
    const fast = run("data.p.fast_pairs") as unknown[][];
    expect(fast).toEqual(run("data.p.general_pairs"));
    expect(fast.length).toBe(38 * 38);
    // Rego's order across types: null < boolean < number < string < array < object < set
    const idx = (i: number, j: number): unknown[] => fast[i * 38 + j];
    expect(idx(17, 15).slice(0, 4)).toEqual([true, false, true, false]); // null vs true
    expect(idx(1, 10).slice(0, 4)).toEqual([true, false, true, false]); // 1 vs "a"
    expect(idx(5, 8).slice(0, 4)).toEqual([true, false, true, false]); // 2^53+1 vs 10^23
    expect(idx(4, 5).slice(0, 4)).toEqual([false, true, false, true]); // 1e400 vs 2^53+1
    expect(idx(36, 3).slice(0, 4)).toEqual([false, true, false, true]); // input.big (2^60) vs 2.5
    expect(idx(10, 12)).toEqual([true, false, true, false, false, false, false]); // "a" vs "ab"
    expect(idx(12, 10)).toEqual([false, true, false, true, true, false, true]); // "ab" vs "a"
    expect(idx(23, 1)).toEqual([false, true, false, true, "none", "none", "none"]); // {} vs 1
    expect(idx(7, 7).slice(0, 4)).toEqual([false, false, true, true]); // 0.1 vs 0.1
  });

  it("leave type errors to the built-in, strict or not", () => {
    const src = `package p
import rego.v1
c := count(input.n)
`;
    const q = compile([{ file: "p.rego", source: src }]).prepare("data.p.c");
    expect(q.eval({ input: { n: 3 } })).toEqual([]);
    expect(() => q.eval({ input: { n: 3 }, strictBuiltinErrors: true })).toThrow(/count/);
    expect(q.eval({ input: { n: "xyz" } })[0].expressions[0].value).toBe(3);
  });
});
