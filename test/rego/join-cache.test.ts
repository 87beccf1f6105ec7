/**
 * A join over a constant reference into the input (`some p in input.ps; p.k == x`) reuses the
 * index it probed last while the input is the same document (Evaluator.inputJoinIndex). These
 * cases change the input under it (`with`, a second evaluation) and compare with the same join
 * over a local copy of the collection, which is evaluated every time.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../rego/index";

const POLICY = `package p
import rego.v1

found(x) := {p.v | some p in input.ps; p.k == x}
found_local(x) := {p.v | ps := input.ps; some p in ps; p.k == x}

both(x) := [found(x), found_local(x)]

r := [r1, r2, r3, r4, r5, r6, r7]

r1 := both("a")
r2 := x if x := both("b") with input as {"ps": [{"k": "b", "v": 10}, {"k": "a", "v": 11}]}
r3 := x if x := both("a") with input.ps as [{"k": "a", "v": 20}, {"k": "a", "v": 21}]
# (other arguments than before: a call with the same ones would reuse that call's value)
r4 := x if {
  r3
  x := both("b")
}
r5 := x if x := both("z") with input as {"ps": "not a collection"}
r6 := x if x := both("a") with input as {}
r7 := x if {
  r6
  x := both("c")
}

# the same join literal in a rule body, probed across a with
joined contains [p.v, g] if {
  some g in input.gs
  some p in input.ps
  p.k == g
}
rj := [joined, j2]
j2 := x if x := joined with input.ps as [{"k": "x", "v": 99}]
`;

describe("joins over input references", () => {
  it("follow the input a `with` replaces, and the original after it", () => {
    const q = compile([{ file: "p.rego", source: POLICY }]).prepare("data.p.r");
    const input = {
      ps: [
        { k: "a", v: 1 },
        { k: "b", v: 2 },
        { k: "a", v: 3 },
        { k: "c", v: 4 },
      ],
    };
    const r = q.eval({ input })[0].expressions[0].value as unknown[][][];
    for (const [fast, local] of r) expect(fast).toEqual(local);
    expect(r.map(([fast]) => fast)).toEqual([[1, 3], [10], [20, 21], [2], [], [], [4]]);
  });

  it("index each evaluation's input afresh", () => {
    const q = compile([{ file: "p.rego", source: POLICY }]).prepare("data.p.rj");
    const gs = ["a", "x"];
    const first = q.eval({ input: { gs, ps: [{ k: "a", v: 1 }] } })[0].expressions[0].value;
    expect(first).toEqual([[[1, "a"]], [[99, "x"]]]);
    const second = q.eval({ input: { gs, ps: [{ k: "x", v: 5 }] } })[0].expressions[0].value;
    expect(second).toEqual([[[5, "x"]], [[99, "x"]]]);
  });
});
