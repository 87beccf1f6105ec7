import { describe, expect, it } from "vitest";
import { compile } from "../../rego/index";
import { JOIN_POLICY, bestOf, generate, handWritten } from "./join-workload";

describe("evaluation speed (issue 3 workload)", () => {
  const q = compile([{ file: "bench.rego", source: JOIN_POLICY }]).prepare("data.bench.deny");

  it("computes the same decisions as the hand-written function", () => {
    const input = generate(2000);
    const got = q.eval({ input })[0].expressions[0].value;
    expect(got).toEqual(handWritten(input));
    expect((got as string[]).length).toBeGreaterThan(300);
  });

  it("grows linearly with the collection size (the join is hashed, not a nested loop)", () => {
    const small = generate(1000);
    const large = generate(8000);
    q.eval({ input: large });
    const e1 = bestOf(15, () => q.eval({ input: small }));
    const e8 = bestOf(7, () => q.eval({ input: large }));
    const h8 = bestOf(15, () => handWritten(large));
    console.log(
      `rego join workload (CPU time): engine 1k ${e1.toFixed(1)} ms, 8k ${e8.toFixed(1)} ms ` +
        `(growth ${(e8 / e1).toFixed(1)}x for 8x data); hand-written 8k ${h8.toFixed(1)} ms ` +
        `(engine/hand ${(e8 / h8).toFixed(1)}x)`,
    );
    // 8x the data: a nested-loop join costs ~64x, a hashed one ~8x (+ cache and GC effects)
    expect(e8 / e1).toBeLessThan(30);
  });
});

describe("evaluation fast paths keep Rego's semantics", () => {
  it("shares no state between evaluations of one prepared query (inputs are read afresh)", () => {
    const q = compile([
      {
        file: "p.rego",
        source: `package p
import rego.v1
tags contains t if some t in input.item.tags
first := input.item.tags[0]`,
      },
    ]).prepare("data.p");
    const input = { item: { tags: ["a", "b"] } };
    const before = q.eval({ input })[0].expressions[0].value;
    expect(before).toEqual({ tags: ["a", "b"], first: "a" });
    // the caller changes its document: the next evaluation sees the change, the earlier result
    // (copied out of the engine) does not
    input.item.tags[0] = "z";
    expect(q.eval({ input })[0].expressions[0].value).toEqual({ tags: ["b", "z"], first: "z" });
    expect(before).toEqual({ tags: ["a", "b"], first: "a" });
  });

  it("stops at the first definition only when every definition has the same constant value", () => {
    const src = `package p
import rego.v1
same(x) if x > 1
same(x) if x > 2
differs(x) := "big" if x > 1
differs(x) := "huge" if x > 2
allow if input.n > 1
allow if input.n > 2
r1 := same(5)
r3 := same(0)`;
    const q = compile([{ file: "p.rego", source: src }]);
    const get = (query: string, n = 5) =>
      q.prepare(query).eval({ input: { n } })[0]?.expressions[0]?.value;
    expect(get("data.p.r1")).toBe(true);
    expect(get("data.p.r3")).toBeUndefined();
    expect(get("data.p.allow")).toBe(true);
    expect(get("data.p.allow", 0)).toBeUndefined();
    expect(get("data.p.differs(2)")).toBe("big");
    // different values from two definitions are still a conflict, not the first one's value
    expect(() => get("data.p.differs(5)")).toThrow(/functions must not produce multiple outputs/);
  });

  it("re-enters a function with fresh parameters on every call (environments are reused)", () => {
    const src = `package p
import rego.v1
pair(a, b) := [a, b] if a != b
pair(a, a) := ["same", a]
out := [pair(1, 2), pair(3, 3), pair("x", "y"), pair(1, 2)]
kv contains [k, v] if some k, v in {"b": 2, "a": 1}
iv contains [i, v] if some i, v in ["p", "q"]`;
    const v = compile([{ file: "p.rego", source: src }])
      .prepare("data.p")
      .eval()[0].expressions[0].value as Record<string, unknown>;
    expect(v.out).toEqual([
      [1, 2],
      ["same", 3],
      ["x", "y"],
      [1, 2],
    ]);
    expect(v.kv).toEqual([
      ["a", 1],
      ["b", 2],
    ]);
    expect(v.iv).toEqual([
      [0, "p"],
      [1, "q"],
    ]);
  });

  it("joins on the same collection by different key paths without mixing their indexes", () => {
    const src = `package p
import rego.v1
by_name contains [g.id, p.id] if {
  some g in input.grants
  some p in input.policies
  p.name == g.policy
}
by_owner contains [g.id, p.id] if {
  some g in input.grants
  some p in input.policies
  p.owner == g.policy
}
by_name_again contains g.id if {
  some g in input.grants
  some p in input.policies
  p.name == g.policy
  p.id > 1
}`;
    const input = {
      grants: [
        { id: "g1", policy: "alpha" },
        { id: "g2", policy: "team" },
      ],
      policies: [
        { id: 1, name: "alpha", owner: "team" },
        { id: 2, name: "team", owner: "alpha" },
      ],
    };
    const v = compile([{ file: "p.rego", source: src }])
      .prepare("data.p")
      .eval({ input })[0].expressions[0].value;
    expect(v).toEqual({
      by_name: [
        ["g1", 1],
        ["g2", 2],
      ],
      by_owner: [
        ["g1", 2],
        ["g2", 1],
      ],
      by_name_again: ["g2"],
    });
  });
});

describe("lazily converted input", () => {
  it("reads a record with many object-valued members as a map, in linear time", () => {
    const q = compile([
      {
        file: "p.rego",
        source: `package p
import rego.v1
total := sum([input.by_name[n].size | some n in input.names])
same if input.by_name["n-3"] == input.by_name["n-3"]`,
      },
    ]).prepare("data.p");
    const make = (n: number) => {
      const byName: Record<string, { size: number }> = {};
      const names: string[] = [];
      for (let i = 0; i < n; i++) {
        byName[`n-${i}`] = { size: i };
        names.push(`n-${i}`);
      }
      return { by_name: byName, names };
    };
    const small = make(1000);
    const large = make(16000);
    expect(q.eval({ input: small })[0].expressions[0].value).toEqual({
      total: (999 * 1000) / 2,
      same: true,
    });
    q.eval({ input: large });
    const t1 = bestOf(7, () => q.eval({ input: small }));
    const t16 = bestOf(3, () => q.eval({ input: large }));
    // 16x the members: linear ~16x (measured 8-16x, GC included), a linear search per read
    // ~256x; the bound sits a factor of four from each (8x sizes left too little room: a
    // loaded CI machine measured 31x against a bound of 30)
    expect(t16 / t1).toBeLessThan(64);
  });
});
