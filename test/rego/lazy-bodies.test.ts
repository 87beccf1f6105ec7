/**
 * Rule bodies are compiled a literal at a time, as solutions first reach each literal, and swapped
 * for the whole body once one reaches the last literal (rego/compile-body.ts, lazyBody). What a
 * user relies on: a prepared query answers every evaluation as if its rules had been compiled
 * whole up front, whichever inputs reached how far into which body first — including variables
 * first met in a late literal, pooled function frames made before those existed, set/object heads,
 * else chains and defaults.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../rego/index";

const POLICY = `package lazy
import rego.v1

default verdict := "none"

# each literal introduces a variable a later one reads
deny contains msg if {
	some n in input.needs
	n.kind == "token"
	ttl := n.ttl
	ttl > 3600
	owner := object.get(n, "owner", "nobody")
	label := upper(owner)
	msg := sprintf("%s: ttl %d (%s)", [n.name, ttl, label])
}

by_name[n.name] := info if {
	some n in input.needs
	n.kind == "token"
	extra := count(n.scopes)
	info := {"scopes": extra, "long": long_lived(n)}
}

long_lived(n) if {
	t := n.ttl
	t > 3600
	day := t / 86400
	day >= 0
} else := false

verdict := "bad" if {
	count(deny) > 0
	worst := max([n.ttl | some n in input.needs])
	worst > 0
} else := "ok" if {
	some n in input.needs
	n.kind == "token"
}
`;

const needs = {
  empty: { needs: [] },
  secretsOnly: { needs: [{ name: "s", kind: "secret", ttl: 1 }] },
  shortToken: { needs: [{ name: "a", kind: "token", ttl: 60, scopes: ["x"] }] },
  longToken: {
    needs: [
      { name: "a", kind: "token", ttl: 60, scopes: ["x"] },
      { name: "b", kind: "token", ttl: 7200, owner: "ops", scopes: ["x", "y"] },
    ],
  },
};

const EXPECTED: Record<keyof typeof needs, unknown> = {
  empty: { deny: [], by_name: {}, verdict: "none" },
  secretsOnly: { deny: [], by_name: {}, verdict: "none" },
  shortToken: { deny: [], by_name: { a: { scopes: 1, long: false } }, verdict: "ok" },
  longToken: {
    deny: ["b: ttl 7200 (OPS)"],
    by_name: { a: { scopes: 1, long: false }, b: { scopes: 2, long: true } },
    verdict: "bad",
  },
};

function answer(q: ReturnType<ReturnType<typeof compile>["prepare"]>, input: unknown): unknown {
  const v = q.eval({ input })[0].expressions[0].value as Record<string, unknown>;
  return { deny: v.deny, by_name: v.by_name, verdict: v.verdict };
}

describe("rule bodies compiled as evaluation reaches them", () => {
  const orders: (keyof typeof needs)[][] = [
    ["empty", "secretsOnly", "shortToken", "longToken", "shortToken", "empty"],
    ["longToken", "empty", "shortToken", "secretsOnly", "longToken"],
    ["shortToken", "longToken", "secretsOnly", "longToken"],
  ];
  for (const order of orders) {
    it(`answers like a whole compile in the order ${order.join(", ")}`, () => {
      const q = compile([{ file: "lazy.rego", source: POLICY }]).prepare("data.lazy");
      for (const name of order) {
        expect(answer(q, needs[name]), name).toEqual(EXPECTED[name]);
        // and like a program that has only ever seen this input
        const fresh = compile([{ file: "lazy.rego", source: POLICY }]).prepare("data.lazy");
        expect(answer(fresh, needs[name]), name).toEqual(EXPECTED[name]);
      }
    });
  }

  it("calls a function whose pooled frame predates the variables of its later literals", () => {
    const source = `package f
import rego.v1

# the first call in an evaluation stops at the first literal; the second reaches new variables
check(x) := y if {
	x > 10
	a := x * 2
	b := a + 1
	y := b
}

out := [v | some x in input.xs; v := check(x)]
`;
    const q = compile([{ file: "f.rego", source }]).prepare("data.f.out");
    expect(q.eval({ input: { xs: [1, 20, 3, 30] } })[0].expressions[0].value).toEqual([41, 61]);
    expect(q.eval({ input: { xs: [50] } })[0].expressions[0].value).toEqual([101]);
  });

  it("answers as a fresh program, with the same steps, as members reach further literals", () => {
    // each member reaches one literal further than the one before it: later literals are
    // compiled while the evaluation runs
    const source = `package r
import rego.v1

reach contains [x, e] if {
	some x in input.xs
	x > 0
	a := x - 1
	a > 0
	b := a - 1
	b > 0
	c := b - 1
	c > 0
	e := c
}
`;
    const prepared = compile([{ file: "r.rego", source }]).prepare("data.r.reach");
    const inputs = [[1, 2, 3, 4, 5], [5, 1], [2, 7, 3], [], [3, 9, 4, 1]];
    for (const xs of inputs) {
      const fresh = compile([{ file: "r.rego", source }]).prepare("data.r.reach");
      const want = xs
        .filter((x) => x >= 4)
        .sort((p, q) => p - q)
        .map((x) => [x, x - 3]);
      expect(prepared.eval({ input: { xs } })[0].expressions[0].value).toEqual(want);
      expect(fresh.eval({ input: { xs } })[0].expressions[0].value).toEqual(want);
      // the same steps counted by the body compiled on the way as by one never run before
      for (const maxSteps of [3, 8, 15, 25, 40]) {
        const outcome = (q: typeof prepared): string => {
          try {
            return JSON.stringify(q.eval({ input: { xs }, maxSteps }));
          } catch (e) {
            return (e as Error).message;
          }
        };
        const again = compile([{ file: "r.rego", source }]).prepare("data.r.reach");
        expect(outcome(prepared), `${xs} ${maxSteps}`).toBe(outcome(again));
      }
    }
  });
});
