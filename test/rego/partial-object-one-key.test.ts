/**
 * A partial object rule with one dynamic key (`m[k] := v`) reads its key and value directly
 * (evalMulti) instead of through the key-list path that rules with more keys take. Each rule here
 * has a twin with a second, constant key (`m2[k]["v"] := v`) and the same body, which takes the
 * general path: the two must agree, on deterministic and iterating keys and values, undefined
 * ones, calls, and conflicts.
 */
import { describe, expect, it } from "vitest";
import { value } from "./helpers";

const M = `package t
import rego.v1

items := [{"n": "a", "v": 1}, {"n": "b", "v": [2]}, {"n": "c"}, {"v": 4}, {"n": "a", "v": 1}]

one[x.n] := x.v if some x in items
one2[x.n]["v"] := x.v if some x in items

iter[k] := v if {
	some k in {"p", "q"}
	v := [y | some y in ["1", k]]
}
iter2[k]["v"] := v if {
	some k in {"p", "q"}
	v := [y | some y in ["1", k]]
}

# key and value from calls; the key iterates (a generator in the key term)
calls[upper(x.n)] := count([1 | some y in items; y.n == x.n]) if some x in items
calls2[upper(x.n)]["v"] := count([1 | some y in items; y.n == x.n]) if some x in items

# two definitions, one filling in where the other is undefined
# a key that is not a plain value (a comprehension: the key's general path)
comp[[y | some y in [x.n]]] := x.v if some x in items
comp2[[y | some y in [x.n]]]["v"] := x.v if some x in items

two[x.n] := x.v if some x in items
two[x.n] := "none" if {
	some x in items
	not x.v
}
two2[x.n]["v"] := x.v if some x in items
two2[x.n]["v"] := "none" if {
	some x in items
	not x.v
}
`;

function unwrap(o: Record<string, { v: unknown }>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([k, e]) => [k, e.v]));
}

describe("partial object with one dynamic key", () => {
  it("agrees with the same rule taking the general path", () => {
    for (const [fast, general] of [
      ["one", "one2"],
      ["iter", "iter2"],
      ["calls", "calls2"],
      ["two", "two2"],
      ["comp", "comp2"],
    ]) {
      const f = value(M, `data.t.${fast}`);
      expect(f, fast).toEqual(
        unwrap(value(M, `data.t.${general}`) as Record<string, { v: unknown }>),
      );
      expect(Object.keys(f as object).length, fast).toBeGreaterThan(1);
    }
    expect(value(M, "data.t.one")).toEqual({ a: 1, b: [2] });
    expect(value(M, "data.t.iter")).toEqual({ p: ["1", "p"], q: ["1", "q"] });
    expect(value(M, "data.t.calls")).toEqual({ A: 2, B: 1, C: 1 });
    expect(value(M, "data.t.two")).toEqual({ a: 1, b: [2], c: "none" });
  });

  it("fails on two values for one key, as before", () => {
    const bad = `package t
import rego.v1
m[k] := v if {
	some v in [1, 2]
	k := "x"
}
`;
    expect(() => value(bad, "data.t.m")).toThrow(/object keys must be unique$/);
    // the key read from the bound index
    const gen = `package t
import rego.v1
xs := ["a", "b", "a"]
m[xs[i]] := i if {
	some i
	xs[i]
}
`;
    expect(() => value(gen, "data.t.m")).toThrow(/object keys must be unique$/);
  });
});
