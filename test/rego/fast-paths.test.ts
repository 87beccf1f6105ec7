/**
 * The evaluator answers some built-in calls, key lookups and join indexes in place instead of by
 * the general path. Each case here checks the fast path against what the general path (or Rego's
 * definition) gives for the same operands, including the operands the fast path hands back.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../rego/index";

function evalQuery(source: string, query: string, input?: unknown): unknown {
  const q = compile([{ file: "p.rego", source }]).prepare(query);
  const rs = q.eval(input === undefined ? {} : { input });
  return rs.length === 0 ? undefined : rs[0].expressions[0].value;
}

describe("sprintf with a constant plain format", () => {
  // `fast` has a constant format (joined in place on strings); `general` builds the same format at
  // run time, so the built-in formats it
  const src = `package p
import rego.v1
fast := [
  sprintf("grant %s: %v on %s", [input.a, input.b, input.c]),
  sprintf("100%% %s", [input.a]),
  sprintf("%s%s", [input.a, input.n]),
  sprintf("%v|%s", [input.n, input.xs]),
]
general := [
  sprintf(concat("", ["grant %", "s: %v on %s"]), [input.a, input.b, input.c]),
  sprintf(concat("", ["100%% %", "s"]), [input.a]),
  sprintf(concat("", ["%", "s%s"]), [input.a, input.n]),
  sprintf(concat("", ["%", "v|%s"]), [input.n, input.xs]),
]`;

  it("gives the built-in's text for strings, numbers and composites", () => {
    const input = { a: "x", b: "", c: "ü%s", n: 12.5, xs: ["a", 1] };
    const fast = evalQuery(src, "data.p.fast", input);
    expect(fast).toEqual(evalQuery(src, "data.p.general", input));
    expect((fast as string[])[0]).toBe("grant x:  on ü%s");
    expect((fast as string[])[1]).toBe("100% x");
  });

  it("is undefined when an item is undefined, and a `with` mock still replaces it", () => {
    expect(evalQuery(src, "data.p.fast", { a: "x", b: "y" })).toBeUndefined();
    const mocked = `package p
import rego.v1
fake(_, _) := "mocked"
v := x if {
  x := sprintf("%s", [input.a]) with sprintf as fake
}`;
    expect(evalQuery(mocked, "data.p.v", { a: "x" })).toBe("mocked");
  });
});

describe("`x in coll` answered in place", () => {
  it("compares members as Rego does (numbers by value, composites by content)", () => {
    const src = `package p
import rego.v1
r := [
  "sudo" in input.caps,
  "root" in input.caps,
  1 in [1.0, 2],
  {"a": [1]} in [{"a": [1]}],
  {"a": [1]} in [{"a": [2]}],
  "k" in {"k": "v"},
  "v" in {"k": "v"},
  "a" in {"a", "b"},
  ["a"] in {["a"]},
  "a" in "abc",
]
missing if "x" in input.missing`;
    const r = evalQuery(src, "data.p.r", { caps: ["read", "sudo"] }) as unknown[];
    expect(r).toEqual([true, false, true, true, false, false, true, true, true, false]);
    expect(evalQuery(src, "data.p.missing", { caps: [] })).toBeUndefined();
  });

  it("sees members of a lazily read input document and numbers beyond 2^53", () => {
    const src = `package p
import rego.v1
has_big if 9007199254740992 in input.ids
has_odd if 9007199254740993 in input.ids
has_obj if {"id": 7} in input.objs`;
    // JSON.parse reads 9007199254740993 as the nearest double, 9007199254740992
    const ids = JSON.parse('{"ids": [1, 9007199254740993]}') as unknown;
    expect(evalQuery(src, "data.p.has_big", ids)).toBe(true);
    expect(evalQuery(src, "data.p.has_odd", ids)).toBeUndefined();
    expect(evalQuery(src, "data.p.has_obj", { objs: [{ id: 7 }] })).toBe(true);
  });
});

describe("key lookups on input records", () => {
  const src = `package p
import rego.v1
got := {k: v | some k in input.keys; v := input.rec[k]}
dotted := [input.rec.toString, input.rec.constructor]
proto := input.rec.__proto__
`;

  it("never reads members of Object.prototype as keys", () => {
    const input = {
      keys: ["toString", "constructor", "__proto__", "hasOwnProperty", "a"],
      rec: { a: 1 },
    };
    expect(evalQuery(src, "data.p.got", input)).toEqual({ a: 1 });
    expect(evalQuery(src, "data.p.dotted", input)).toBeUndefined();
    expect(evalQuery(src, "data.p.proto", input)).toBeUndefined();
  });

  it("reads such names when the record has them as its own keys", () => {
    const input = JSON.parse(
      '{"keys": ["toString", "__proto__", "constructor"], ' +
        '"rec": {"toString": "s", "__proto__": {"x": 1}, "constructor": null}}',
    ) as unknown;
    expect(evalQuery(src, "data.p.got", input)).toEqual({
      toString: "s",
      __proto__: { x: 1 },
      constructor: null,
    });
    expect(evalQuery(src, "data.p.dotted", input)).toEqual(["s", null]);
    expect(evalQuery(src, "data.p.proto", input)).toEqual({ x: 1 });
  });

  it("looks up arrays by index, objects by key and sets by member", () => {
    const q = `package p
import rego.v1
s := {"a", "b"}
r := [input.arr[1], input.obj["1"], s["a"], object.get(input, ["arr", "1"], "none")]
none := [x | x := input.arr["1"]]`;
    const input = { arr: ["x", "y"], obj: { "1": "one" } };
    expect(evalQuery(q, "data.p.r", input)).toEqual(["y", "one", "a", "none"]);
    expect(evalQuery(q, "data.p.none", input)).toEqual([]);
  });
});

describe("join indexes", () => {
  const src = `package p
import rego.v1
pairs contains [g.name, p.id] if {
  some g in input.grants
  some p in input.policies
  p.name == g.policy
}`;

  it("keeps every member sharing a key, and skips members without the key path", () => {
    const input = {
      grants: [
        { name: "g1", policy: "a" },
        { name: "g2", policy: "b" },
        { name: "g3", policy: "c" },
      ],
      policies: [
        { name: "a", id: 1 },
        { name: "b", id: 2 },
        { id: 3 },
        { name: "a", id: 4 },
        { name: "a", id: 5 },
      ],
    };
    expect(evalQuery(src, "data.p.pairs", input)).toEqual([
      ["g1", 1],
      ["g1", 4],
      ["g1", 5],
      ["g2", 2],
    ]);
  });

  it("indexes unique keys and equal keys of different types apart", () => {
    const input = {
      grants: [
        { name: "g1", policy: 1 },
        { name: "g2", policy: "1" },
      ],
      policies: [
        { name: "1", id: "s" },
        { name: 1, id: "n" },
      ],
    };
    expect(evalQuery(src, "data.p.pairs", input)).toEqual([
      ["g1", "n"],
      ["g2", "s"],
    ]);
  });
});

describe("== and != against a constant", () => {
  it("compares by Rego equality on either side, and a mock sees the operands in order", () => {
    const src = `package p
import rego.v1
r := [
  input.n == 1,
  1 == input.n,
  input.big == 9007199254740993,
  input.o == {"a": [1]},
  input.s != "x",
  "x" != input.s,
  input.s == "y",
]
first(a, _) := a
mocked := [x, y] if {
  x := input.s == "k" with equal as first
  y := "k" == input.s with equal as first
}`;
    const input = JSON.parse(
      '{"n": 1.0, "o": {"a": [1]}, "s": "y", "big": 9007199254740993}',
    ) as unknown;
    // (JSON.parse reads "big" as 9007199254740992: not equal to the literal)
    expect(evalQuery(src, "data.p.r", input)).toEqual([true, true, false, true, true, true, true]);
    expect(evalQuery(src, "data.p.mocked", input)).toEqual(["y", "k"]);
  });
});

describe("rule values read through constant data refs", () => {
  it("reads a rule's value again under a `with` and after it, as that scope has it", () => {
    // a_for's body reads names["a"] once per call: three calls fill the evaluator's per-ref
    // cache, then the calls under `with` must see the mocked input's rule value
    const src = `package p
import rego.v1
names contains n if some n in input.names
a_for(_) if names["a"]
all := [x, y, z, w] if {
  x := [i | some i in [1, 2, 3]; a_for(i)]
  y := [i | some i in [1, 2, 3]; a_for(i)] with input.names as ["b"]
  z := [i | some i in [1, 2, 3]; a_for(i)]
  w := [i | some i in [1, 2]; a_for(i)] with data.p.names as {"b"}
}`;
    expect(evalQuery(src, "data.p.all", { names: ["a"] })).toEqual([[1, 2, 3], [], [1, 2, 3], []]);
  });
});
