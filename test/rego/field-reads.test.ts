/**
 * A local variable's field by a constant key (`x.k`) is read in place by the closures that use it
 * most: comparison with a constant, in-place built-ins with a constant second operand, `"c" in
 * x.k`, `some y in x.k` and a join's probe (rego/compile-body.ts fieldOf). Each case compares them
 * with the same test on the field first bound to a variable, on values of every shape: records
 * (input's and built), arrays, sets, strings, numbers, null, and records without the field.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../rego/index";

const POLICY = `package p
import rego.v1

xs := array.concat(input.xs, [
  {"k": "team-a", "caps": ["sudo"], "n": 4},
  {"k": 3, "caps": {"sudo"}, "n": "x"},
  {"k": null, "caps": {"sudo": 1}, "n": null},
  {"k": ["team-"], "caps": "sudo", "n": false},
  {"caps": ["read"]},
  ["k", "caps"],
  {"k", "caps"},
  "k",
  7,
  null,
])

fast := [[
  r_eq(x), r_ne(x), r_sw(x), r_gt(x), r_sudo(x), r_members(x), r_joined(x),
] | some x in xs]

general := [[
  r_eq_g(x), r_ne_g(x), r_sw_g(x), r_gt_g(x), r_sudo_g(x), r_members_g(x), r_joined_g(x),
] | some x in xs]

r_eq(x) := true if x.k == "team-a"
else := false
r_eq_g(x) := true if { v := x.k; v == "team-a" }
else := false

r_ne(x) := true if x.k != "team-a"
else := false
r_ne_g(x) := true if { v := x.k; v != "team-a" }
else := false

r_sw(x) := true if startswith(x.k, "team-")
else := false
r_sw_g(x) := true if { v := x.k; startswith(v, "team-") }
else := false

r_gt(x) := true if x.n > 3
else := false
r_gt_g(x) := true if { v := x.n; v > 3 }
else := false

r_sudo(x) := true if "sudo" in x.caps
else := false
r_sudo_g(x) := true if { v := x.caps; "sudo" in v }
else := false

r_members(x) := [y | some y in x.caps]
r_members_g(x) := [y | v := x.caps; some y in v]

r_joined(x) := {p.v | some p in input.ps; p.name == x.k}
r_joined_g(x) := {p.v | v := x.k; some p in input.ps; p.name == v}

mocked := r if {
  r := fast with lower as upper
}
`;

const INPUT = {
  xs: [
    { k: "team-b", caps: ["read", "sudo"], n: 2 },
    { k: "other", caps: [], n: 3.5 },
    { k: "team-a", n: 10 },
  ],
  ps: [
    { name: "team-a", v: 1 },
    { name: "team-b", v: 2 },
    { name: 3, v: 3 },
    { name: null, v: 4 },
    { name: ["team-"], v: 5 },
  ],
};

describe("fields read in place", () => {
  it("give what the field bound to a variable first gives, on values of every shape", () => {
    const q = compile([{ file: "p.rego", source: POLICY }]).prepare("data.p");
    const v = q.eval({ input: INPUT })[0].expressions[0].value as Record<string, unknown[][]>;
    expect(v.fast).toEqual(v.general);
    expect(v.mocked).toEqual(v.fast);
    expect(v.fast.length).toBe(13);
    expect(v.fast[0]).toEqual([false, true, true, false, true, ["read", "sudo"], [2]]);
    expect(v.fast[2]).toEqual([true, false, true, true, false, [], [1]]);
    // "x" > 3: strings order after numbers
    expect(v.fast[4]).toEqual([false, true, false, true, true, ["sudo"], [3]]);
    // `in` an object tests its values
    expect(v.fast[5]).toEqual([false, true, false, false, false, [1], [4]]);
    expect(v.fast[6]).toEqual([false, true, false, false, false, [], [5]]);
    expect(v.fast[12]).toEqual([false, false, false, false, false, [], []]);
  });
});
