/**
 * A `not` literal without `with` runs its expression to a constant continuation and calls the
 * rest of the body directly (no continuation closure per evaluation). Each case compares it with
 * the same negation under a `with` that changes nothing (which takes the general literal path),
 * on defined, undefined, false and iterating expressions, local variables and non-string keys.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../rego/index";

function evalQuery(source: string, query: string, input?: unknown): unknown {
  const q = compile([{ file: "p.rego", source }]).prepare(query);
  const rs = q.eval(input === undefined ? {} : { input });
  return rs.length === 0 ? undefined : rs[0].expressions[0].value;
}

const BODIES = [
  `not x.flag`,
  `not x.flag == true`,
  `not x.n > 2`,
  `not "root" in x.tags`,
  `not has_tag(x, "root")`,
  `not some_tag(x)`,
  `not x.missing`,
  `not x.m[1]`,
  `not bad_count(x) > 0`,
  `not count({t | t := x.tags[_]; t != "a"}) == 0`,
  `not x.tags[_] == "bad"`,
];

const src = (negation: string): string => `package p
import rego.v1
same(v) := v
has_tag(x, t) if t in x.tags
some_tag(x) if {
  some t in x.tags
  startswith(t, "r")
}
bad_count(x) := count([t | some t in x.tags; t == "bad"])
fast contains x.name if {
  some x in input.xs
  ${negation}
  x.name != ""
}
general contains x.name if {
  some x in input.xs
  ${negation} with input.unused as 1
  x.name != ""
}
mocked contains x.name if {
  some x in input.xs
  ${negation} with same as same
  x.name != ""
}`;

const input = {
  xs: [
    { name: "a", flag: true, n: 3, tags: ["root", "bad"], m: { 1: "x" } },
    { name: "b", flag: false, n: 1, tags: [], m: {} },
    { name: "c", n: 2.0, tags: ["a", "rx"] },
    { name: "d", flag: null, n: "3", tags: ["bad", "bad"] },
    { name: "", flag: false, tags: [] },
  ],
};

describe("not literal without with", () => {
  for (const b of BODIES) {
    it(`agrees with the general path: ${b}`, () => {
      const s = src(b);
      const fast = evalQuery(s, "data.p.fast", input);
      expect(fast).toEqual(evalQuery(s, "data.p.general", input));
      expect(fast).toEqual(evalQuery(s, "data.p.mocked", input));
    });
  }

  it("negates what is undefined, false or absent and keeps the body's later literals", () => {
    // (null is a value: only false and undefined are negated)
    expect(evalQuery(src(`not x.flag`), "data.p.fast", input)).toEqual(["b", "c"]);
    expect(evalQuery(src(`not has_tag(x, "root")`), "data.p.fast", input)).toEqual(["b", "c", "d"]);
    expect(evalQuery(src(`not some_tag(x)`), "data.p.fast", input)).toEqual(["b", "d"]);
  });
});
