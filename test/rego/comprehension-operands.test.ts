/**
 * Comprehensions as operands of calls, comparisons, membership, array/object literals, sprintf
 * items and reference keys, and bound, iterated and tested in rule bodies. A term's fast path that
 * gives up re-evaluates the term on its general path, so what matters to a user is that each
 * comprehension is still built once per evaluation of its expression, which `print` inside it
 * shows, whatever operands follow it.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../rego/index";

function run(source: string, query: string, input: unknown): { value: unknown; printed: string[] } {
  const printed: string[] = [];
  const q = compile([{ file: "p.rego", source }]).prepare(query);
  const rs = q.eval({ input, print: (l) => printed.push(l) });
  return { value: rs.length === 0 ? undefined : rs[0].expressions[0].value, printed };
}

const input = { xs: [3, 1, 2], ys: [10, 20], m: { a: 1, b: 2 }, names: ["a", "b", "z"] };

describe("comprehensions as operands of deterministic terms", () => {
  const cases: [string, unknown][] = [
    [`count({x | some x in input.xs; x > 1}) > 0`, true],
    [`count([x | some x in input.xs; x > 5]) == 0`, true],
    [`2 in {x | some x in input.xs}`, true],
    [`7 in {x | some x in input.xs}`, false],
    [`[sum([x | some x in input.xs]), max({x | some x in input.xs})]`, [6, 3]],
    [
      `{"n": count({k: v | some k, v in input.m}), "s": sort([x | some x in input.xs])}`,
      { n: 2, s: [1, 2, 3] },
    ],
    [
      `sprintf("%v-%v", [count([1 | some _ in input.xs]), concat(",", [n | some n in input.names])])`,
      "3-a,b,z",
    ],
    [`input.m[min({k | some k, _ in input.m})]`, 1],
    [`object.get({k: v | some k, v in input.m}, "b", 0)`, 2],
    [`{x | some x in input.xs} & {x | some x in [1, 9]}`, [1]],
    [`[y | some y in input.ys; y > count([x | some x in input.xs; x < y])]`, [10, 20]],
  ];
  for (const [expr, want] of cases) {
    it(`${expr} is ${JSON.stringify(want)}`, () => {
      const src = `package p
import rego.v1
r := ${expr}
`;
      expect(run(src, "data.p.r", input).value).toEqual(want);
    });
  }

  it("binds, iterates and tests comprehension values in rule bodies", () => {
    const src = `package p
import rego.v1
r contains [n, y] if {
  ys := [y | some y in input.ys]
  some y in ys
  n := count({x | some x in input.xs; x < y / 10 + 1})
  n > 0
  not 3 in {x | some x in input.xs; x > y}
}
`;
    expect(run(src, "data.p.r", input).value).toEqual([
      [1, 10],
      [2, 20],
    ]);
  });

  it("builds each comprehension once per evaluation of its expression, whatever follows it", () => {
    const src = `package p
import rego.v1
# followed by operands that are fixed, that iterate, and by a variable bound later
a := count({x | some x in input.xs; print("a", x)}) + 1
b contains n if n := count({x | some x in input.xs; print("b", x)}) + input.ys[_]
c contains n if {
  some y in input.ys
  n := [count({x | some x in input.xs; print("c", x)}), y]
}
d contains n if {
  some i in [1, 2]
  n := sprintf("%v %v", [count([x | some x in input.xs; print("d", x)]), i])
}
r := [a, b, c, d]
`;
    const { value, printed } = run(src, "data.p.r", input);
    expect(value).toEqual([
      4,
      [13, 23],
      [
        [3, 10],
        [3, 20],
      ],
      ["3 1", "3 2"],
    ]);
    const times = (tag: string): number => printed.filter((l) => l.startsWith(tag + " ")).length;
    // a: once; b: once (the iteration follows it); c and d: once per member of the loop
    expect([times("a"), times("b"), times("c"), times("d")]).toEqual([3, 3, 6, 6]);
  });
});
