/**
 * A set rule of one path of each member of a collection (`names contains p.name if some p in
 * input.ps`) takes its value from the collection's join index on that path (rego/joins.ts
 * memberPathSet). Each case compares it with the same rule written so that the body runs as
 * written (a second definition that adds nothing keeps the group off the fast path).
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../rego/index";
import { RegoError } from "../../rego/errors";

const POLICY = `package p
import rego.v1

fast contains p.name if some p in input.xs
general contains p.name if some p in input.xs
general contains x if x := input.never_there

fast_ref contains y.a.b if y := input.xs[_]
general_ref contains y.a.b if y := input.xs[_]
general_ref contains x if x := input.never_there

fast_whole contains p if some p in input.xs
general_whole contains p if some p in input.xs
general_whole contains x if x := input.never_there

# a join on the same collection and path shares the index the fast set is built from
joined contains p.v if {
  some p in input.xs
  p.name == input.probe
}

probes := {x: [x in fast, x in general, object.get({"v": fast}, ["v", x], "none")] | some x in input.probes}
not_in := [x | some x in input.probes; not fast[x]]
not_in_general := [x | some x in input.probes; not general[x]]
counts := [count(fast), count(general), count(fast_ref), count(general_ref), count(fast_whole), count(general_whole)]
iterated := [x | some x in fast]
iterated_general := [x | some x in general]
same := [fast == general, fast_ref == general_ref, fast_whole == general_whole]
under_with := [fast, general] if {
  fast["only"] with input as {"xs": [{"name": "only"}]}
  not fast["only"]
}
`;

function run(query: string, input: unknown, extra = ""): unknown {
  const q = compile([{ file: "p.rego", source: POLICY + extra }]).prepare(query);
  const rs = q.eval({ input });
  return rs.length === 0 ? undefined : rs[0].expressions[0].value;
}

/** Members of every kind, duplicates under Rego equality, and members without the path. */
const MIXED = {
  xs: [
    { name: "a", v: 1, a: { b: "x" } },
    { name: "a", v: 2, a: { b: "x" } },
    { name: "\u0000nul", v: 3, a: { b: 1 } },
    { name: "", v: 4, a: { b: 1.0 } },
    { name: 7, v: 5, a: { b: [1, "x"] } },
    { name: 7.0, v: 6, a: { b: { k: ["v"] } } },
    { name: ["a", 1], v: 7, a: { b: null } },
    { name: { k: "v" }, v: 8, a: { b: false } },
    { name: null, v: 9, a: "no b" },
    { name: false, v: 10 },
    { v: 11 },
    "a string member",
    12,
    ["name"],
  ],
  probes: ["a", "\u0000nul", "", 7, ["a", 1], { k: "v" }, null, false, "missing", 8, "b"],
  probe: "a",
};

describe("set rules read from a join index", () => {
  it("hold the members the body as written adds, of every type", () => {
    const fast = run("data.p.fast", MIXED);
    expect(fast).toEqual(run("data.p.general", MIXED));
    expect(fast).toEqual([null, false, 7, "", "\u0000nul", "a", ["a", 1], { k: "v" }]);
    expect(run("data.p.fast_ref", MIXED)).toEqual(run("data.p.general_ref", MIXED));
    expect(run("data.p.fast_whole", MIXED)).toEqual(run("data.p.general_whole", MIXED));
    expect(run("data.p.same", MIXED)).toEqual([true, true, true]);
  });

  it("answer membership, negation, count and iteration as the general set does", () => {
    const probes = run("data.p.probes", MIXED) as Record<string, unknown[]>;
    for (const [k, v] of Object.entries(probes)) expect([k, v[0]]).toEqual([k, v[1]]);
    expect(probes["a"]).toEqual([true, true, "a"]);
    expect(probes["missing"]).toEqual([false, false, "none"]);
    expect(run("data.p.not_in", MIXED)).toEqual(run("data.p.not_in_general", MIXED));
    // (`fast[false]` is false, a member whose value fails the test)
    expect(run("data.p.not_in", MIXED)).toEqual([false, "missing", 8, "b"]);
    expect(run("data.p.counts", MIXED)).toEqual([8, 8, 6, 6, 14, 14]);
    expect(run("data.p.iterated", MIXED)).toEqual(run("data.p.iterated_general", MIXED));
  });

  it("share the index with a join on the same collection and path", () => {
    // the set first, then the join: the join sees every member sharing the key
    const q = `both := [fast, joined] if { fast["a"]; joined }`;
    expect(run("data.p.both", MIXED, q)).toEqual([
      [null, false, 7, "", "\u0000nul", "a", ["a", 1], { k: "v" }],
      [1, 2],
    ]);
    // the join first, then the set
    const q2 = `both2 := [joined, fast] if { count(joined) > 0; fast["a"] }`;
    expect(run("data.p.both2", MIXED, q2)).toEqual([
      [1, 2],
      [null, false, 7, "", "\u0000nul", "a", ["a", 1], { k: "v" }],
    ]);
  });

  it("are empty when the collection is undefined, a scalar or empty", () => {
    for (const xs of [undefined, "abc", 3, [], {}]) {
      const input = xs === undefined ? {} : { xs };
      expect(run("data.p.fast", input)).toEqual([]);
      expect(run("data.p.fast", input)).toEqual(run("data.p.general", input));
    }
  });

  it("iterate objects by value and sets by member", () => {
    const input = { xs: { k1: { name: "b" }, k2: { name: "a" }, k3: { other: 1 } } };
    expect(run("data.p.fast", input)).toEqual(["a", "b"]);
    expect(run("data.p.fast", input)).toEqual(run("data.p.general", input));
    const fromSet = `set_fast contains p.name if some p in {{"name": 1}, {"name": "z"}, {"name": 1, "x": 2}}`;
    expect(run("data.p.set_fast", {}, fromSet)).toEqual([1, "z"]);
  });

  it("see the input of a `with`, and their own value again after it", () => {
    expect(run("data.p.under_with", { xs: [{ name: "a" }] })).toEqual([["a"], ["a"]]);
  });

  it("take a data document replaced by `with` as written", () => {
    const extra = `
from_data contains p.name if some p in data.docs
mocked := x if x := from_data with data.docs as [{"name": "m"}]
`;
    const q = compile([{ file: "p.rego", source: POLICY + extra }]).prepare("data.p");
    const v = q.eval({ input: {}, data: { docs: [{ name: "d1" }, { name: "d2" }, { x: 1 }] } })[0]
      .expressions[0].value as Record<string, unknown>;
    expect(v.from_data).toEqual(["d1", "d2"]);
    expect(v.mocked).toEqual(["m"]);
  });

  it("count a step per member against the step budget, in the rule that takes them", () => {
    const q = compile([{ file: "p.rego", source: POLICY }]).prepare("data.p.fast");
    const xs = Array.from({ length: 1000 }, (_, i) => ({ name: `n${i}` }));
    expect(() => q.eval({ input: { xs }, maxSteps: 500 })).toThrow(RegoError);
    expect(() => q.eval({ input: { xs }, maxSteps: 500 })).toThrow(/rule data\.p\.fast/);
    expect((q.eval({ input: { xs }, maxSteps: 5000 })[0].expressions[0].value as []).length).toBe(
      1000,
    );
  });
});
