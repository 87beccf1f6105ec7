/**
 * Fast paths of rego/compile-body.ts against the general path they stand for:
 *
 * - `some k, v in coll` with both variables fresh binds each entry and runs the rest of the body
 *   directly (somePairChained);
 * - `x := <term>` whose value is not one deterministic value (an iteration, a comprehension)
 *   binds x to each value and runs the rest directly (bindEach);
 * - a call of a user function goes to it directly (Evaluator.callGroup) unless a `with` mocks
 *   functions.
 *
 * Each rule is written twice more: with `with input.unused as 1` on the literal (the general
 * literal path; on a join's filter it also keeps the loop as written) and under a function mock
 * that changes nothing (calls through callFunction). All three must agree on every input.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../rego/index";

function run(source: string, query: string, input: unknown, strict = false): unknown {
  const q = compile([{ file: "p.rego", source }]).prepare(query);
  const rs = q.eval({ input, strictBuiltinErrors: strict });
  return rs.length === 0 ? undefined : rs[0].expressions[0].value;
}

/** A rule body written three ways; `@W` marks where the general path's `with` goes. */
function threeWays(head: string, body: string, helpers = ""): string {
  const plain = body.replaceAll("@W", "");
  const general = body.replaceAll("@W", " with input.unused as 1");
  return `package p
import rego.v1
same(v) := v
${helpers}
fast ${head} if {
${plain}
}
general ${head} if {
${general}
}
mocked ${head} if {
${plain}
} 
all := [fast, general, m] if m := mocked with same as same
`;
}

const inputs = [
  {
    xs: [
      { name: "a", c: ["p", "q", "p"], tags: ["root", "bad"], m: { "1": "x", y: 2 } },
      { name: "b", c: { z: 1, a: [1, 2], "": null }, tags: [], m: {} },
      { name: "c", c: [], tags: ["a"], m: { k: { n: 1 } } },
      { name: "d", c: "scalar", tags: ["bad", "bad", "b"], m: [3, 4] },
      { name: "e", tags: [1, 1.0, "1", true, null] },
      { name: "f", c: [[1, 2], { a: 1 }, 1.5, false, null], tags: ["x"], m: 7 },
    ],
    ys: [1, 2],
  },
  { xs: [] },
  { xs: "not a list" },
  {},
];

function agree(head: string, body: string, helpers = ""): unknown[] {
  const src = threeWays(head, body, helpers);
  const out: unknown[] = [];
  for (const input of inputs) {
    const r = run(src, "data.p.all", input) as unknown[] | undefined;
    if (r === undefined) {
      out.push(undefined);
      continue;
    }
    const [fast, general, mocked] = r;
    expect(fast).toEqual(general);
    expect(mocked).toEqual(general);
    out.push(fast);
  }
  return out;
}

describe("some k, v in coll with both variables fresh", () => {
  it("binds each entry of arrays, objects, sets and nothing of scalars, as the general path", () => {
    const got = agree(
      "contains [x.name, k, v]",
      `  some x in input.xs
  some k, v in x.c @W`,
    );
    expect(got[0]).toContainEqual(["a", 2, "p"]);
    expect(got[0]).toContainEqual(["b", "", null]);
    expect(got[0]).toContainEqual(["f", 0, [1, 2]]);
    expect((got[0] as unknown[]).some((e) => (e as unknown[])[0] === "d")).toBe(false);
  });

  it("sets, comprehensions and iterating collections", () => {
    agree(
      "contains [k, v]",
      `  some x in input.xs
  some k, v in {t | some t in x.tags} @W`,
    );
    agree("contains [k, v]", `  some k, v in input.xs[_].c @W`);
    agree(
      "contains [x.name, k, v, w]",
      `  some x in input.xs
  some k, v in [t | some t in x.tags; t != "bad"] @W
  w := same(v)`,
    );
  });

  it("a variable already bound matches the entry instead (general path)", () => {
    agree(
      "contains [x.name, k, v]",
      `  some x in input.xs
  k := 0
  some k, v in x.c @W`,
    );
    agree(
      "contains [x.name, k, v]",
      `  some x in input.xs
  v := "p"
  some k, v in x.c @W`,
    );
  });

  it("stops at the first solution where the rest asks to (not, every)", () => {
    agree(
      "contains x.name",
      `  some x in input.xs
  not has_bad(x)`,
      `has_bad(x) if {
  some i, t in x.tags
  t == "bad"
}`,
    );
    agree(
      "contains x.name",
      `  some x in input.xs
  every i, t in x.tags { is_string(t) } @W`,
    );
  });
});

describe("x := <term> without one deterministic value", () => {
  it("binds each value of an iteration, comprehension or call on one", () => {
    agree(
      "contains [x.name, t]",
      `  some x in input.xs
  t := x.tags[_] @W`,
    );
    agree(
      "contains [x.name, t]",
      `  some x in input.xs
  x.m[_] = t @W`,
    );
    agree(
      "contains [x.name, n]",
      `  some x in input.xs
  n := count({t | some t in x.tags; t != "bad"}) @W`,
    );
    agree(
      "contains [x.name, s]",
      `  some x in input.xs
  s := same(x.tags[_]) @W
  s != "bad"`,
    );
  });

  it("is undefined where the term has no value, and a bound variable compares", () => {
    agree(
      "contains [x.name, t]",
      `  some x in input.xs
  t := x.missing[_] @W`,
    );
    agree(
      "contains [x.name, t]",
      `  some x in input.xs
  t := "bad"
  t = x.tags[_] @W`,
    );
  });

  it("counts the same steps against the budget", () => {
    const src = threeWays(
      "contains [x.name, t]",
      `  some x in input.xs
  t := x.tags[_] @W`,
    );
    const steps = (rule: string, max: number): string => {
      const q = compile([{ file: "p.rego", source: src }]).prepare(`data.p.${rule}`);
      try {
        q.eval({ input: inputs[0], maxSteps: max });
        return "ok";
      } catch (e) {
        return (e as Error).message.replace(/rule data\.p\.\w+/, "rule");
      }
    };
    for (const max of [5, 10, 20, 30, 40, 50, 60])
      expect(steps("fast", max)).toBe(steps("general", max));
  });
});

describe("user function calls", () => {
  const helpers = `
add2(a, b) := a + b
nothing(x) if false
scaled(x) := x * input.factor
pair(a, b) := [a, b]
none() := 7
`;
  it("give the same values, undefined results and memoized values per with-scope", () => {
    const src = `package p
import rego.v1
${helpers}
r := [a, b, c, d, e, f, g, h]
a := add2(1, 2)
b := x if x := scaled(2) with input.factor as 10
c := scaled(2)
d := x if x := scaled(2) with scaled as plus_one
plus_one(x) := x + 1
e := [x | x := nothing(1)]
f := pair(none(), scaled(3))
g := x if x := pair(1, 2) with pair as add2
h := x if x := [scaled(1), scaled(1)] with input.factor as 5
`;
    expect(run(src, "data.p.r", { factor: 3 })).toEqual([3, 20, 6, 3, [], [7, 9], 3, [5, 5]]);
    // the same calls again in other orders: a with-scope's memo never leaks into another
    const src2 = src.replace("r := [a, b, c, d, e, f, g, h]", "r := [h, c, b, a, d, c, h]");
    expect(run(src2, "data.p.r", { factor: 3 })).toEqual([[5, 5], 6, 20, 3, 3, 6, [5, 5]]);
  });

  it("report a function's errors and conflicts as before", () => {
    const src = `package p
import rego.v1
quot(a, b) := a / b
conflict(x) := 1
conflict(x) := 2
r := quot(1, 0)
c := conflict(1)
`;
    expect(() => run(src, "data.p.r", {}, true)).toThrow(/divide by zero/);
    expect(run(src, "data.p.r", {})).toBeUndefined();
    expect(() => run(src, "data.p.c", {})).toThrow(/functions must not produce multiple outputs/);
  });
});
