/**
 * Calls of some built-ins with one to three arguments hand the built-in one argument array kept by
 * the call site (rego/compile-body.ts SCRATCH_ARGS). Each call here is compared with the same
 * call under a function mock that changes nothing (which takes the general call path, a new
 * array per call) on ordinary operands, type errors (strict and not), undefined arguments, and
 * calls nested in each other's arguments and repeated per member, whose values must not leak
 * into each other.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../rego/index";

const CALLS = [
  `object.get(x.o, "a", "dflt")`,
  `object.get(x.o, ["b", "c"], 0)`,
  `object.get(x.s, "a", "dflt")`,
  `object.union(x.o, {"z": x.s})`,
  `split(x.s, "/")`,
  `concat("-", split(x.s, "/"))`,
  `concat(x.s, ["a", "b"])`,
  `replace(x.s, "/", concat("", [x.s, "!"]))`,
  `trim_space(x.s)`,
  `trim_prefix(x.s, "a")`,
  `trim_suffix(trim_prefix(x.s, "a"), "c")`,
  `lower(x.s)`,
  `upper(lower(x.s))`,
  `time.parse_ns("2006-01-02", x.s)`,
  `array.slice(x.l, 1, 3)`,
  `array.concat(x.l, array.slice(x.l, 0, 1))`,
  `sort(x.l)`,
  `sprintf("%v/%v", [x.s, x.l])`,
  `indexof(x.s, "/")`,
  `substring(x.s, 1, 2)`,
  `split(x.missing, "/")`,
];

const src = (call: string): string => `package p
import rego.v1
same(v) := v
fast contains [x.name, v] if {
  some x in input.xs
  v := ${call}
}
mocked contains [x.name, v] if {
  some x in input.xs
  v := ${call} with same as same
}
`;

const input = {
  xs: [
    { name: "a", s: "a/b/c", o: { a: 1, b: { c: 2 } }, l: [3, 1, 2] },
    { name: "b", s: " A b ", o: {}, l: ["x"] },
    { name: "c", s: "2024-02-29", o: { a: [1] }, l: [] },
    { name: "d", s: 7, o: "not an object", l: "not a list" },
    { name: "e", s: "", o: { a: null }, l: [[1], { k: 1 }, null] },
  ],
};

function run(call: string, rule: string, strict: boolean): unknown {
  const q = compile([{ file: "p.rego", source: src(call) }]).prepare(`data.p.${rule}`);
  try {
    const rs = q.eval({ input, strictBuiltinErrors: strict });
    return rs[0].expressions[0].value;
  } catch (e) {
    // (the two rules sit on different lines)
    return `error: ${(e as Error).message.replace(/p\.rego:\d+:\d+: /, "")}`;
  }
}

describe("built-in calls with the call site's argument array", () => {
  for (const call of CALLS) {
    it(`${call} answers as the general call path`, () => {
      for (const strict of [false, true]) {
        const fast = run(call, "fast", strict);
        expect(fast).toEqual(run(call, "mocked", strict));
      }
    });
  }

  it("keeps no argument of one call in the next, nested or repeated", () => {
    const q = compile([
      {
        file: "p.rego",
        source: `package p
import rego.v1
parts(s) := split(s, "/")
r := [[split(s, "/"), concat("+", parts(s)), split(concat("/", [s, s]), "/")] | some s in input.ss]
`,
      },
    ]).prepare("data.p.r");
    const ss = ["a/b", "c", "d/e/f"];
    expect(q.eval({ input: { ss } })[0].expressions[0].value).toEqual(
      ss.map((s) => [s.split("/"), s.split("/").join("+"), `${s}/${s}`.split("/")]),
    );
    // a failed call (strict: the evaluation stops) leaves nothing behind for the next evaluation
    expect(() => q.eval({ input: { ss: ["a", 5] }, strictBuiltinErrors: true })).toThrow(
      /split: operand 1 must be string but got number/,
    );
    expect(q.eval({ input: { ss: ["x/y"] } })[0].expressions[0].value).toEqual([
      [["x", "y"], "x+y", ["x", "y", "x", "y"]],
    ]);
  });
});
