/**
 * `regex.split` on a pattern that is one repeated ASCII class (`[^a-z0-9*]+`, as the scope policy
 * splits words) finds the class's runs by a scan instead of re2js. The scan must find exactly the
 * matches re2js finds, and every pattern outside that shape must still go to re2js.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { builtinsOf } from "../../rego/builtins";
import { classRunMatches, classRunOf, RE2 } from "../../rego/builtins/regex";
import type { Value } from "../../rego/value";
import { builtinContext, callBuiltin, thrownBy } from "../support/builtin-harness";

const ALL = builtinsOf("regex");
const call = (name: string, ...args: Value[]): Value | undefined =>
  callBuiltin(ALL, builtinContext(), name, ...args);

function re2Matches(pattern: string, s: string): number[][] {
  return (
    (
      RE2().compile(pattern).re2() as unknown as {
        findAllIndex(s: string, n: number): number[][] | null;
      }
    ).findAllIndex(s, -1) ?? []
  );
}

// members, ranges' ends, class punctuation, non-ASCII, a surrogate pair and its halves
const piece = fc.constantFrom(
  "a",
  "m",
  "z",
  "A",
  "Z",
  "0",
  "9",
  "*",
  "-",
  ":",
  "/",
  " ",
  "é",
  "😀",
  "\ud83d",
  "\ude00",
  "^",
);
const text = fc.array(piece, { maxLength: 16 }).map((xs) => xs.join(""));
const member = fc.constantFrom(
  "a-z",
  "0-9",
  "A-Z",
  "*",
  ":",
  "/",
  " ",
  "-",
  "_",
  ".",
  "^",
  "a-c",
  "x",
);
const classPattern = fc
  .tuple(fc.boolean(), fc.array(member, { minLength: 1, maxLength: 4 }))
  .map(([neg, ms]) => `[${neg ? "^" : ""}${ms.join("")}]+`)
  // re2js decides the patterns the scan declines (a `-` in the middle, `[^^…`) on its own
  .filter((p) => classRunOf(p) !== undefined);

describe("regex.split on one repeated class", () => {
  it("takes the scan for the policies' pattern", () => {
    expect(classRunOf("[^a-z0-9*]+")).toBeDefined();
  });

  it("finds exactly the matches re2js finds", () => {
    fc.assert(
      fc.property(classPattern, text, (p, s) => {
        expect(classRunMatches(classRunOf(p)!, s)).toEqual(re2Matches(p, s));
      }),
      { numRuns: 3000 },
    );
  });

  it("splits as re2js splits (the same class in a group goes to re2js)", () => {
    fc.assert(
      fc.property(classPattern, text, (p, s) => {
        expect(call("regex.split", p, s)).toEqual(call("regex.split", `(?:${p})`, s));
      }),
      { numRuns: 2000 },
    );
    expect(call("regex.split", "[^a-z0-9*]+", "read:org, write-all*")).toEqual([
      "read",
      "org",
      "write",
      "all*",
    ]);
    expect(call("regex.split", "[^a-z]+", "")).toEqual([""]);
    expect(call("regex.split", "[^a-z]+", "--ab--")).toEqual(["", "ab", ""]);
  });

  it("leaves every other pattern to re2js", () => {
    for (const p of [
      "[a-z]*",
      "[\\d]+",
      "[a-z-0]+",
      "[z-a]+",
      "[^]+",
      "[a-z]+x",
      "x[a-z]+",
      "[[:alpha:]]+",
      "[é]+",
      "(?i)[a-z]+",
      "[a-z]+?",
    ])
      expect(classRunOf(p), p).toBeUndefined();
    // re2js's errors stay as they were
    expect(thrownBy("reversed range", () => call("regex.split", "[z-a]+", "x")).message).toMatch(
      /^regex\.split: .*invalid character class range/,
    );
  });
});
