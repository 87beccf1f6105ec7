/**
 * Property tests for the Rego engine's robustness: whatever text a policy author (or an attacker
 * in a pull request) feeds it, the engine answers with a Rego error or a result — never a hang, a
 * crash or a raw JavaScript exception.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { compile, RegoError } from "../../rego";

const TOKENS = [
  "package",
  "p",
  "q",
  "import",
  "rego.v1",
  "input",
  "data",
  "if",
  "contains",
  "in",
  "every",
  "some",
  "not",
  "with",
  "as",
  "default",
  "else",
  ":=",
  "=",
  "==",
  "!=",
  "<",
  ">",
  "<=",
  ">=",
  "+",
  "-",
  "*",
  "/",
  "%",
  "&",
  "|",
  "{",
  "}",
  "[",
  "]",
  "(",
  ")",
  ",",
  ";",
  ".",
  ":",
  "\n",
  "x",
  "y",
  "_",
  "1",
  "2.5",
  "-3",
  "1e400",
  "99999999999999999999",
  '"s"',
  "`raw`",
  "true",
  "false",
  "null",
  "count",
  "sum",
  "sprintf",
  "startswith",
  "walk",
  "print",
  "object.get",
  "regex.match",
  '"a.*"',
  "f",
  "f(x)",
  "input.a",
  "data.x.p",
];

const SEEDS = [
  `package a
import rego.v1
default allow := false
allow if { input.user == "admin" }
deny contains msg if { some x in input.items; x.size > 10; msg := sprintf("%s too big", [x.name]) }`,
  `package b
import rego.v1
f(x) := y if { y := x * 2 }
f(x) := y if { x < 0; y := 0 }
r[k] := v if { some k, v in input.obj; not startswith(k, "_") }
s := {y | some x in [1, 2, 3]; y := f(x)}`,
  `package c
import rego.v1
p contains x if { some x in numbers.range(1, 5) }
q if { every x in p { x > 0 } }
t := count([1 | walk(input, [_, v]); is_string(v)])
z := object.get(input, ["a", "b"], "none") if { input.a }
w := v if { v := input.n } else := 0`,
];

const INPUTS = fc.jsonValue({ maxDepth: 3 });

function attempt(source: string, query: string, input: unknown): "ok" | "rego-error" {
  try {
    const policy = compile([{ file: "fuzz.rego", source }]);
    policy.prepare(query).eval({ input, maxSteps: 20_000, timeoutMs: 2_000 });
    return "ok";
  } catch (err) {
    if (err instanceof RegoError) {
      expect(err.errors.length).toBeGreaterThan(0);
      expect(typeof err.errors[0].code).toBe("string");
      return "rego-error";
    }
    throw err;
  }
}

describe("Rego engine robustness (fast-check)", () => {
  it("random token streams give a Rego error or a result, never an exception", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...TOKENS), { minLength: 1, maxLength: 40 }),
        fc.constantFrom("data.a.p", "data.p", "input", "data"),
        INPUTS,
        (toks, query, input) => {
          const source = "package a\n" + toks.join(" ");
          const started = Date.now();
          attempt(source, query, input);
          expect(Date.now() - started).toBeLessThan(5_000);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("mutated valid policies give a Rego error or a result, never an exception", () => {
    const mutation = fc.oneof(
      fc.record({
        kind: fc.constant("delete" as const),
        at: fc.nat(),
        len: fc.integer({ min: 1, max: 8 }),
      }),
      fc.record({
        kind: fc.constant("insert" as const),
        at: fc.nat(),
        tok: fc.constantFrom(...TOKENS),
      }),
      fc.record({
        kind: fc.constant("dup" as const),
        at: fc.nat(),
        len: fc.integer({ min: 1, max: 30 }),
      }),
      fc.record({
        kind: fc.constant("char" as const),
        at: fc.nat(),
        ch: fc.string({ minLength: 1, maxLength: 1 }),
      }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...SEEDS),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        fc.constantFrom("data.a", "data.b", "data.c", "data.a.deny", "data.b.s", "data.c.q"),
        INPUTS,
        (seed, mutations, query, input) => {
          let s = seed;
          for (const m of mutations) {
            const at = m.at % (s.length + 1);
            if (m.kind === "delete") s = s.slice(0, at) + s.slice(at + m.len);
            else if (m.kind === "insert") s = s.slice(0, at) + " " + m.tok + " " + s.slice(at);
            else if (m.kind === "dup") s = s.slice(0, at) + s.slice(at, at + m.len) + s.slice(at);
            else s = s.slice(0, at) + m.ch + s.slice(at + 1);
          }
          attempt(s, query, input);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("the unmutated seeds compile and evaluate (the property above is not vacuous)", () => {
    for (const seed of SEEDS) {
      const pkg = /^package (\w+)/.exec(seed)![1];
      expect(attempt(seed, `data.${pkg}`, { user: "admin", items: [], obj: {}, n: 1 })).toBe("ok");
    }
  });

  it("a pathological policy is stopped by the budget with an error naming the rule", () => {
    const source = `package loop
import rego.v1
big contains [a, b, c] if { some a in numbers.range(1, 1000); some b in numbers.range(1, 1000); some c in numbers.range(1, 1000) }`;
    const policy = compile([{ file: "loop.rego", source }]);
    let error: unknown;
    try {
      policy.prepare("data.loop.big").eval({ maxSteps: 100_000 });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(RegoError);
    expect(String((error as Error).message)).toContain("big");
  });
});
