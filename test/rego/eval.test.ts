import { describe, expect, it } from "vitest";
import { RegoError, compile } from "../../rego/index";
import { run, value } from "./helpers";

function errorOf(f: () => unknown): RegoError {
  try {
    f();
  } catch (err) {
    if (err instanceof RegoError) return err;
    throw err;
  }
  throw new Error("expected a RegoError");
}

describe("evaluator: rule kinds", () => {
  it("evaluates complete rules with defaults and else chains", () => {
    const src = `package p
default allow := false
allow if input.role == "admin"
level := "high" if input.n > 10
else := "mid" if input.n > 5
else := "low"`;
    expect(value(src, "data.p.allow", { input: { role: "admin" } })).toBe(true);
    expect(value(src, "data.p.allow", { input: { role: "dev" } })).toBe(false);
    expect(value(src, "data.p.level", { input: { n: 20 } })).toBe("high");
    expect(value(src, "data.p.level", { input: { n: 7 } })).toBe("mid");
    expect(value(src, "data.p.level", { input: { n: 1 } })).toBe("low");
  });

  it("builds partial sets and objects, and nested ref-head documents", () => {
    const src = `package p
names contains n.name if some n in input.xs
by_name[n.name] := n.v if some n in input.xs
groups[g][n.name] := true if { some n in input.xs; g := n.g }
tags.team[n.name] contains t if { some n in input.xs; some t in n.tags }`;
    const input = {
      xs: [
        { name: "a", v: 1, g: "x", tags: ["t1"] },
        { name: "b", v: 2, g: "x", tags: ["t1", "t2"] },
      ],
    };
    expect(value(src, "data.p.names", { input })).toEqual(["a", "b"]);
    expect(value(src, "data.p.by_name", { input })).toEqual({ a: 1, b: 2 });
    expect(value(src, "data.p.groups", { input })).toEqual({ x: { a: true, b: true } });
    expect(value(src, "data.p.tags", { input })).toEqual({ team: { a: ["t1"], b: ["t1", "t2"] } });
    expect(value(src, "data.p.by_name.b", { input })).toBe(2);
  });

  it("raises eval_conflict_error when a complete rule produces two values", () => {
    const src = `package p
x := 1
x := 2 if true`;
    const err = errorOf(() => value(src, "data.p.x"));
    expect(err.code).toBe("eval_conflict_error");
    expect(err.message).toContain("rule data.p.x produced conflicting values");
  });

  it("evaluates functions with several definitions and reports output conflicts", () => {
    const src = `package p
f(x) := "neg" if x < 0
f(x) := "pos" if x > 0
f(0) := "zero"
g(x) := 1
g(x) := 2 if x == 1`;
    expect(value(src, "[data.p.f(-1), data.p.f(3), data.p.f(0)]")).toEqual(["neg", "pos", "zero"]);
    expect(value(src, "data.p.g(0)")).toBe(1);
    expect(errorOf(() => value(src, "data.p.g(1)")).code).toBe("eval_conflict_error");
  });

  it("merges base documents with virtual documents under data", () => {
    const src = `package a.b
r := 1`;
    expect(value(src, "data.a", { data: { a: { c: 2 } } })).toEqual({ b: { r: 1 }, c: 2 });
    expect(run(src, "data.a[k]", { data: { a: { c: 2 } } }).map((b) => b.k)).toEqual(["b", "c"]);
  });
});

describe("evaluator: expressions", () => {
  it("iterates with some/in, every, comprehensions and negation", () => {
    const src = `package p
xs := [1, 2, 3, 4]
evens := [x | some x in xs; x % 2 == 0]
sq := {x: x * x | some x in xs}
all_pos if every x in xs { x > 0 }
none_big if not big
big if { some x in xs; x > 10 }
pairs contains [i, x] if some i, x in ["a", "b"]`;
    expect(value(src, "data.p.evens")).toEqual([2, 4]);
    expect(value(src, "data.p.sq")).toEqual({ "1": 1, "2": 4, "3": 9, "4": 16 });
    expect(value(src, "data.p.all_pos")).toBe(true);
    expect(value(src, "data.p.none_big")).toBe(true);
    expect(value(src, "data.p.pairs")).toEqual([
      [0, "a"],
      [1, "b"],
    ]);
  });

  it("unifies composite patterns and binds iteration vars in refs", () => {
    expect(run("package p", "[a, [b, 3]] = [1, [2, c]]")).toEqual([{ a: 1, b: 2, c: 3 }]);
    const rs = run("package p", "input.m[k] = v", { input: { m: { x: 1, y: 2 } } });
    expect(rs).toEqual([
      { k: "x", v: 1 },
      { k: "y", v: 2 },
    ]);
  });

  it("replaces input, data, functions and built-ins with `with`", () => {
    const src = `package p
allow if input.user == "alice"
limit := data.cfg.limit
double(x) := x * 2
uses_count := count([1, 2, 3])
mock_count(_) := 42
t1 if allow with input as {"user": "alice"}
t2 := l if l := limit with data.cfg.limit as 7
t3 := y if y := double(2) with double as mock_count
t4 := y if y := uses_count with count as mock_count
t5 := n if n := count([1]) with count as 5`;
    expect(value(src, "data.p.t1")).toBe(true);
    expect(value(src, "data.p.t2", { data: { cfg: { limit: 1 } } })).toBe(7);
    expect(value(src, "data.p.t3")).toBe(42);
    expect(value(src, "data.p.t4")).toBe(42);
    expect(value(src, "data.p.t5")).toBe(5);
    expect(value(src, "data.p.limit", { data: { cfg: { limit: 1 } } })).toBe(1);
  });

  it("overrides base documents at exactly the `with` path, across packages", () => {
    const lib = `package authz
default allow := false
allow if input.user in data.authz.admins`;
    const t = `package authz_test
import data.authz
mocked if authz.allow with input as {"user": "carol"} with data.authz.admins as ["carol"]
plain if authz.allow with input as {"user": "carol"}`;
    const data = { authz: { admins: ["alice"] } };
    expect(value([lib, t], "data.authz_test.mocked", { data })).toBe(true);
    expect(value([lib, t], "data.authz_test.plain", { data })).toBeUndefined();
  });

  it("applies `with` to a path whose keys contain dots, term by term", () => {
    const src = `package p
x := v if v := data.workspace with data.workspace.parsed["file:///p.rego"] as 1
y := v if v := input with input.files["p.rego"] as 1`;
    expect(value(src, "data.p.x")).toEqual({ parsed: { "file:///p.rego": 1 } });
    expect(value(src, "data.p.y", { input: {} })).toEqual({ files: { "p.rego": 1 } });
  });

  it("sends print output to the print hook, with <undefined> for missing values", () => {
    const lines: string[] = [];
    run(`package p\nx if { print("hello", input.missing, 1) }`, "data.p.x", {
      print: (l) => lines.push(l),
    });
    expect(lines).toEqual(["hello <undefined> 1"]);
  });

  it("compares across types in Rego's total order and keeps big integers exact", () => {
    expect(value("package p", '[null < false, 1 < "a", [1] < {"a": 1}]')).toEqual([
      true,
      true,
      true,
    ]);
    expect(value("package p", "12345678901234567890 == 12345678901234567890")).toBe(true);
    expect(value("package p", "12345678901234567890 > 12345678901234567889")).toBe(true);
  });

  it("makes failing built-ins undefined, or errors in strict mode", () => {
    const src = `package p
x := to_number("nope")`;
    expect(value(src, "data.p.x")).toBeUndefined();
    const err = errorOf(() => value(src, "data.p.x", { strictBuiltinErrors: true }));
    expect(err.code).toBe("eval_builtin_error");
  });
});

describe("compiler checks", () => {
  it("reports unsafe variables", () => {
    const err = errorOf(() => compile([{ file: "u.rego", source: "package p\nx if { y > 1 }" }]));
    expect(err.code).toBe("rego_unsafe_var_error");
    expect(err.message).toContain("var y is unsafe");
    expect(err.errors[0].location).toMatchObject({ file: "u.rego", row: 2 });
  });

  it("reorders literals so variables are bound before use", () => {
    expect(value("package p\nx := y if { y > 1; y := 2 }", "data.p.x")).toBe(2);
  });

  it("reports recursion, undefined functions, arity and redeclaration", () => {
    const rec = errorOf(() => compile([{ file: "r.rego", source: "package p\na if b\nb if a" }]));
    expect(rec.code).toBe("rego_recursion_error");
    const undef = errorOf(() => compile([{ file: "f.rego", source: "package p\nx := nope(1)" }]));
    expect(undef.code).toBe("rego_type_error");
    expect(undef.message).toContain("undefined function nope");
    const arity = errorOf(() =>
      compile([{ file: "f.rego", source: "package p\nx := count(1, 2, 3)" }]),
    );
    expect(arity.code).toBe("rego_type_error");
    const redecl = errorOf(() =>
      compile([{ file: "f.rego", source: "package p\nx if { y := 1; y := 2 }" }]),
    );
    expect(redecl.code).toBe("rego_compile_error");
  });

  it("rejects literal arguments of the wrong type and calls of non-functions", () => {
    const lit = errorOf(() => compile([{ file: "t.rego", source: "package p\nx := count(1)" }]));
    expect(lit.code).toBe("rego_type_error");
    expect(lit.message).toContain("count: invalid argument(s)");
    const notFn = errorOf(() =>
      compile([{ file: "t.rego", source: "package p\ny := 1\nx := y(1)" }]),
    );
    expect(notFn.message).toContain("undefined function data.p.y");
    // a value of the wrong type only known at run time is undefined (non-strict), not a compile error
    expect(
      value("package p\nx := count(input.n)", "data.p.x", { input: { n: 1 } }),
    ).toBeUndefined();
  });

  it("rejects mixing rule kinds on one path", () => {
    const err = errorOf(() =>
      compile([{ file: "k.rego", source: "package p\nx := 1\nx contains 2" }]),
    );
    expect(err.code).toBe("rego_type_error");
  });
});

describe("hash joins", () => {
  it("gives the same answers as the nested loop it replaces", () => {
    const joined = `package p
out contains [a.id, b.id] if {
  some a in input.as
  some b in input.bs
  b.k == a.k
}`;
    const naive = `package p
out contains [a.id, b.id] if {
  some a in input.as
  some b in input.bs
  b.k == a.k
  true == true
  b.id == b.id
}`;
    const input = {
      as: [
        { id: 1, k: "x" },
        { id: 2, k: "y" },
        { id: 3, k: 1 },
      ],
      bs: [{ id: 10, k: "x" }, { id: 11, k: "x" }, { id: 12, k: 1.0 }, { id: 13 }],
    };
    const expected = [
      [1, 10],
      [1, 11],
      [3, 12],
    ];
    expect(value(joined, "data.p.out", { input })).toEqual(expected);
    expect(value(naive, "data.p.out", { input })).toEqual(expected);
  });

  it("joins over objects and sets, with shared keys, and stops where a rule asks", () => {
    const src = `package p
pairs contains [a, b.id] if {
  some a in input.as
  some b in input.bs
  b.k == a
}
first := x if {
  some b in input.bs
  b.k == "x"
  x := b.id
}
any_y if {
  some b in {v | some v in input.bs}
  b.k == "y"
}`;
    const input = {
      as: ["x", "y", "z"],
      bs: { one: { id: 1, k: "x" }, two: { id: 2, k: "x" }, three: { id: 3, k: "y" } },
    };
    expect(value(src, "data.p.pairs", { input })).toEqual([
      ["x", 1],
      ["x", 2],
      ["y", 3],
    ]);
    expect(() => value(src, "data.p.first", { input })).toThrow(/conflicting|multiple/);
    expect(value(src, "data.p.any_y", { input })).toBe(true);
  });
});

describe("comparison and set fast paths", () => {
  it("== and != compare Rego values (numbers exactly, composites by content) unless mocked", () => {
    const src = `package p
import rego.v1
same contains [a, b] if {
  some a in input.xs
  some b in input.xs
  a == b
}
differ := count({[a, b] | some a in input.xs; some b in input.xs; a != b})
mocked if {
  input.xs[0] == "nope" with equal as fake
}
fake(_, _) := true`;
    const input = { xs: [1, 1.0, "1", [1], { a: [1] }] };
    expect(value(src, "data.p.same", { input })).toEqual([
      [1, 1],
      ["1", "1"],
      [[1], [1]],
      [{ a: [1] }, { a: [1] }],
    ]);
    // 1 and 1.0 are one value: 4 distinct values, 12 ordered pairs of different ones
    expect(value(src, "data.p.differ", { input })).toBe(12);
    expect(value(src, "data.p.mocked", { input })).toBe(true);
  });

  it("startswith/endswith/contains answer in place on strings; other operands, mocks and host built-ins of those names as defined", () => {
    const src = `package p
import rego.v1
r := [startswith(input.s, "ab"), endswith(input.s, "yz"), contains(input.s, "mn"), startswith(input.s, "x")]
typed := startswith(input.n, "1")
mocked := x if {
  x := startswith(input.s, "zz") with startswith as fake
}
fake(_, _) := true
same := input.a == input.b`;
    const input = { s: "abmnyz", n: 12, a: 1, b: 2 };
    const q = (query: string, opts: Parameters<typeof compile>[1] = {}, strict = false) =>
      compile([{ file: "p.rego", source: src }], opts)
        .prepare(query)
        .eval({ input, strictBuiltinErrors: strict })[0]?.expressions[0]?.value;
    expect(q("data.p.r")).toEqual([true, true, true, false]);
    expect(q("data.p.typed")).toBeUndefined();
    expect(() => q("data.p.typed", {}, true)).toThrow(/operand 1 must be string but got number/);
    expect(q("data.p.mocked")).toBe(true);
    // a host function registered under a built-in's name replaces it everywhere
    const host = {
      builtins: {
        startswith: { arity: 2, impl: () => "host" },
        equal: { arity: 2, impl: () => true },
      },
    };
    expect(q("data.p.r", host)).toEqual(["host", true, true, "host"]);
    expect(q("data.p.same", host)).toBe(true);
    expect(q("data.p.same")).toBe(false);
  });

  it("string sets keep one member per string, the empty string and NUL-led strings included", () => {
    const src = `package p
import rego.v1
s contains x if some x in input.xs`;
    const input = { xs: ["b", "", "a", "\u0000a", "b", "", "\u0000a", "a"] };
    expect(value(src, "data.p.s", { input })).toEqual(["", "\u0000a", "a", "b"]);
  });
});

describe("sprintf fast path", () => {
  it("formats plain %s/%v/%d exactly as the general formatter, and defers the rest to it", () => {
    const src = `package p
out := [
  sprintf("grant %s: policy %v (%d%%)", ["g", "pol", 7]),
  sprintf("%v|%d|%v", [-3, 0, 9007199254740991]),
  sprintf("%s", [5]),
  sprintf("%d", ["x"]),
  sprintf("%s %s", ["a"]),
  sprintf("%s", ["a", "b"]),
  sprintf("%v", [1.5]),
  sprintf("%5s|%-3v|", ["ab", "c"]),
  sprintf("100%%", []),
  sprintf("%v", [["x", 1]]),
  sprintf("tail %", ["x"]),
]`;
    expect(value(src, "data.p.out", {})).toEqual([
      "grant g: policy pol (7%)",
      "-3|0|9007199254740991",
      "%!s(int=5)",
      "%!d(string=x)",
      "a %!s(MISSING)",
      "a%!(EXTRA string=b)",
      "1.5",
      "   ab|c  |",
      "100%",
      '["x", 1]',
      "tail %!(NOVERB)%!(EXTRA string=x)",
    ]);
  });
});

describe("comprehension indexing", () => {
  const src = `package p
owned(name) := {n.id | some n in input.needs; n.owner == name}
owned_list(name) := [n.id | some n in input.needs; n.owner == name]
by_owner := {o: owned(o) | some o in input.owners}
# the outer variable is bound inside: the comprehension is evaluated as written
pairs := {[n.id, o] | some n in input.needs; o := n.owner; n.owner == o}
# the same variable is free on one call and bound on another
both := [{n.id | some n in input.needs; n.owner == o} | some o in ["a", "b"]]`;
  const input = {
    owners: ["a", "b", "c"],
    needs: [
      { id: 1, owner: "a" },
      { id: 2, owner: "b" },
      { id: 3, owner: "a" },
      { id: 4 },
      { id: 5, owner: 1 },
    ],
  };

  it("answers as the loop it indexes, whether the outer variable is bound or not", () => {
    expect(value(src, "data.p.by_owner", { input })).toEqual({ a: [1, 3], b: [2], c: [] });
    expect(value(src, `data.p.owned("a")`, { input })).toEqual(
      value(src, `data.p.owned_list("a")`, { input }),
    );
    expect(value(src, "data.p.pairs", { input })).toEqual([
      [1, "a"],
      [2, "b"],
      [3, "a"],
      [5, 1],
    ]);
    expect(value(src, "data.p.both", { input })).toEqual([[1, 3], [2]]);
  });

  it("probes an index instead of scanning the collection on every call", () => {
    const big = {
      owners: Array.from({ length: 300 }, (_, i) => `o${i}`),
      needs: Array.from({ length: 3000 }, (_, i) => ({ id: i, owner: `o${i % 300}` })),
    };
    // 300 calls × 3,000 needs is 900,000 steps as a loop; the index needs a few per member
    const opts = { input: big, maxSteps: 100_000 };
    const got = value(src, "data.p.by_owner", opts) as Record<string, number[]>;
    expect(Object.keys(got)).toHaveLength(300);
    expect(got.o7).toEqual(Array.from({ length: 10 }, (_, i) => 7 + 300 * i));
    expect(() => value(src, `[data.p.owned_list(o) | some o in input.owners]`, opts)).toThrow(
      /step budget/,
    );
  });
});

describe("function calls", () => {
  it("reuse the value of an earlier call with the same arguments within one scope", () => {
    const src = `package p
k := 1
slow(x) := count([i | some i in numbers.range(1, 2000)]) + x + k
repeated := [slow(1) | some _ in numbers.range(1, 200)]
scoped := [a, b, c] if {
  a := slow(1)
  b := slow(1) with data.p.k as 5
  c := slow(1)
}`;
    // 200 calls of ~2,000 steps each would exceed the budget; one evaluation does not
    const got = value(src, "data.p.repeated", { maxSteps: 50_000 }) as number[];
    expect(got).toHaveLength(200);
    expect(new Set(got)).toEqual(new Set([2002]));
    // a `with` is a scope of its own: the call is evaluated again there
    expect(value(src, "data.p.scoped")).toEqual([2002, 2006, 2002]);
  });

  it("still print on every call of a function that prints", () => {
    const src = `package p
noisy(x) := x if print("call", x)
outer(x) := noisy(x)
r := [outer(1) | some _ in [1, 2, 3]]`;
    const lines: string[] = [];
    expect(value(src, "data.p.r", { print: (l) => lines.push(l) })).toEqual([1, 1, 1]);
    expect(lines).toEqual(["call 1", "call 1", "call 1"]);
  });
});

describe("scoping", () => {
  it("lets variables declared inside comprehensions and every shadow outer ones", () => {
    const src = `package p
a if { x := 1; [x | x := 2] == [2]; x == 1 }
b if { x := 5; every x in [1, 2] { x < 3 }; x == 5 }
c := [x | some x in [3, 4]] if { x := 9; x > 0 }`;
    expect(value(src, "data.p.a")).toBe(true);
    expect(value(src, "data.p.b")).toBe(true);
    expect(value(src, "data.p.c")).toEqual([3, 4]);
  });

  it("captures outer variables bound by unification inside comprehensions", () => {
    const src = `package p
r := [y | some y in [1, 2, 3]; y > n] if { n = 1 }`;
    expect(value(src, "data.p.r")).toEqual([2, 3]);
  });
});
