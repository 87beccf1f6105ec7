/**
 * `replace` with one non-empty old string takes a shortcut (split/join) past the Go replacer
 * that `strings.replace_n` uses. Both must agree: compared here with strings.replace_n given the
 * same single pair, on overlapping matches, no match, empty strings and surrogate pairs.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { builtinsOf } from "../../rego/builtins";
import { RObject, type Value } from "../../rego/value";
import { builtinContext, callBuiltin } from "../support/builtin-harness";

const ALL = builtinsOf("strings");
const call = (name: string, ...args: Value[]): Value | undefined =>
  callBuiltin(ALL, builtinContext(), name, ...args);

function general(s: string, old: string, n: string): Value | undefined {
  return call("strings.replace_n", new RObject([[old, n]]), s);
}

// small alphabet so matches overlap and repeat; a surrogate pair and its halves
const piece = fc.constantFrom("a", "b", "+", "*", "/", "😀", "\ud83d", "\ude00", "é", "$&");
const text = fc.array(piece, { maxLength: 12 }).map((xs) => xs.join(""));

describe("replace shortcut", () => {
  it("agrees with the general replacer", () => {
    fc.assert(
      fc.property(text, text, text, (s, old, n) => {
        expect(call("replace", s, old, n)).toBe(general(s, old, n));
      }),
      { numRuns: 3000 },
    );
  });

  it("replaces non-overlapping matches from the left, literally", () => {
    expect(call("replace", "aaa", "aa", "b")).toBe("ba");
    expect(call("replace", "a+b+c", "+", "*")).toBe("a*b*c");
    expect(call("replace", "x", "x", "$&$&")).toBe("$&$&");
    expect(call("replace", "no match", "+", "*")).toBe("no match");
    // a low surrogate alone is never matched inside a pair (the replacer steps by code point)
    expect(call("replace", "😀", "\ude00", "X")).toBe("😀");
    expect(call("replace", "😀", "\ud83d", "X")).toBe("X\ude00");
  });
});
