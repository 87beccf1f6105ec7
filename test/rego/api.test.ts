import { describe, expect, it } from "vitest";
import { RegoError, compile } from "../../rego/index";
import { RSet } from "../../rego/value";

const policy = compile([
  {
    file: "api.rego",
    source: `package api
import rego.v1

deny contains msg if {
  some need in input.needs
  not need.owner
  msg := sprintf("need %s has no owner", [need.name])
}

tags := {"b", "a"}
`,
  },
]);

describe("prepared queries", () => {
  it("returns OPA's result-set shape for a bare ref", () => {
    const rs = policy.prepare("data.api.deny").eval({ input: { needs: [{ name: "n1" }] } });
    expect(rs).toEqual([
      {
        expressions: [
          { value: ["need n1 has no owner"], text: "data.api.deny", location: { row: 1, col: 1 } },
        ],
        bindings: {},
      },
    ]);
  });

  it("binds query variables and omits wildcards", () => {
    const rs = policy.prepare("x = data.api.tags; _ = 1").eval();
    expect(rs).toHaveLength(1);
    expect(rs[0].bindings).toEqual({ x: ["a", "b"] });
    expect(rs[0].expressions.map((e) => e.text)).toEqual(["x = data.api.tags", "_ = 1"]);
    expect(rs[0].expressions[1].location).toEqual({ row: 1, col: 20 });
  });

  it("reports false for a lone non-iterating query expression, as OPA's rego API does", () => {
    const p = compile([{ file: "f.rego", source: "package f\ndefault allow := false" }]);
    expect(p.prepare("data.f.allow").eval()[0].expressions[0].value).toBe(false);
    expect(p.prepare("1 > 2").eval()[0].expressions[0].value).toBe(false);
    // with more than one expression, false fails the query
    expect(p.prepare("data.f.allow; true").eval()).toEqual([]);
  });

  it("returns one result per solution and none when undefined", () => {
    const q = policy.prepare("some t in data.api.tags");
    expect(q.eval().map((r) => r.bindings)).toEqual([{ t: "a" }, { t: "b" }]);
    expect(policy.prepare("data.api.missing").eval()).toEqual([]);
  });

  it("evaluates a prepared query many times with different inputs", () => {
    const q = policy.prepare("data.api.deny");
    for (let i = 0; i < 50; i++) {
      const rs = q.eval({ input: { needs: [{ name: `n${i}` }, { name: "ok", owner: "o" }] } });
      expect(rs[0].expressions[0].value).toEqual([`need n${i} has no owner`]);
    }
  });

  it("accepts already converted Rego values as input", () => {
    const rs = compile([{ file: "s.rego", source: "package s\nn := count(input)" }])
      .prepare("data.s.n")
      .eval({ input: new RSet([1, 2, 3]) });
    expect(rs[0].expressions[0].value).toBe(3);
  });

  it("lists rule names of a package for the test runner", () => {
    expect(policy.ruleNames(["api"])).toEqual(["deny", "tags"]);
    expect(policy.modules).toHaveLength(1);
  });

  it("reports query parse and compile errors as RegoError", () => {
    expect(() => policy.prepare("x := ")).toThrow(RegoError);
    expect(() => policy.prepare("y > 1")).toThrow(/rego_unsafe_var_error: var y is unsafe/);
  });
});

describe("evaluation budget", () => {
  const loop = compile([
    {
      file: "loop.rego",
      source: `package loop
import rego.v1
pairs contains [a, b] if { some a in numbers.range(1, 2000); some b in numbers.range(1, 2000) }
small contains [a, b] if { some a in numbers.range(1, 50); some b in numbers.range(1, 50) }`,
    },
  ]);

  it("stops a step budget overrun with eval_budget_exceeded naming the rule", () => {
    try {
      loop.prepare("data.loop.pairs").eval({ maxSteps: 10_000 });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(RegoError);
      expect((err as RegoError).code).toBe("eval_budget_exceeded");
      expect((err as RegoError).message).toContain("data.loop.pairs");
    }
  });

  it("stops a time budget overrun", () => {
    const started = Date.now();
    expect(() => loop.prepare("data.loop.pairs").eval({ timeoutMs: 50 })).toThrow(/time budget/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("lets a policy inside its budget finish", () => {
    const rs = loop.prepare("n := count(data.loop.small)").eval({ maxSteps: 100_000 });
    expect(rs[0].bindings).toEqual({ n: 2500 });
  });
});
