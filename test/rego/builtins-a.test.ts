import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Decimal, RObject, RSet, numberFromParts, toJS, type Value } from "../../rego/value";
import { BuiltinError, BuiltinTypeError, type BuiltinContext } from "../../rego/builtins/types";
import { builtinsOf } from "../../rego/builtins";
import { builtinContext, callBuiltin, thrownBy } from "../support/builtin-harness";

const ALL = builtinsOf(
  "strings",
  "regex",
  "glob",
  "numbers",
  "aggregates",
  "arrays",
  "sets",
  "typecheck",
  "units",
  "template", // strings.render_template
);

const ctx = (): BuiltinContext => builtinContext();

function call(name: string, ...args: Value[]): Value | undefined {
  return callBuiltin(ALL, ctx(), name, ...args);
}

const set = (...xs: Value[]): RSet => new RSet(xs);
const obj = (rec: Record<string, Value>): RObject => RObject.fromRecord(rec);

const error = (name: string, ...args: Value[]): Error => thrownBy(name, () => call(name, ...args));

describe("numbers", () => {
  it("adds decimals like OPA's 64-bit big.Float, not float64", () => {
    expect(call("plus", 0.1, 0.2)).toBe(0.3);
    expect(call("mul", 2.5, 2)).toBe(5);
    expect(call("plus", 1, 2.5)).toBe(3.5);
    // 64-bit operands and result, written back as the shortest text that reads back at 64 bits
    // (OPA's FloatToNumber: Text('g', -1)): no float spells it, so it is an exact Decimal
    expect(toJS(call("minus", 0.3, 0.1) as Value)).toEqual(
      new Decimal(false, 20000000000000000002n, -20),
    );
  });
  it("keeps big integers exact", () => {
    expect(call("plus", 18446744073709551617n, 1)).toBe(18446744073709551618n);
    expect(call("mul", 18446744073709551617n, 2)).toBe(36893488147419103234n);
    expect(call("minus", -18446744073709551617n, 1)).toBe(-18446744073709551618n);
    expect(call("plus", 9007199254740991, 1)).toBe(9007199254740992n);
    expect(call("mul", 2147483647, 2147483647)).toBe(4611686014132420609n);
    expect(call("plus", 2147483647, 1)).toBe(2147483648);
    expect(Object.is(call("rem", -4, 2), 0)).toBe(true);
    expect(call("rem", -5, 3)).toBe(-2);
    expect(call("rem", 10, 18446744073709551616n)).toBe(10);
    expect(call("rem", 18446744073709551617n, 18446744073709551616n)).toBe(1);
    expect(call("rem", 100, -18446744073709551616n)).toBe(100);
  });
  it("divides exactly when it can and reports zero divisors", () => {
    expect(call("div", 6, 3)).toBe(2);
    expect(call("div", 1, 4)).toBe(0.25);
    expect(call("div", 1, 3)).toBeCloseTo(1 / 3, 15);
    expect(error("div", 1, 0).message).toBe("div: divide by zero");
    expect(error("div", 1.5, 0).message).toBe("div: divide by zero");
    expect(error("rem", 1, 0).message).toBe("rem: modulo by zero");
    expect(error("rem", 1.5, 1).message).toBe("rem: modulo on floating-point number");
    expect(error("plus", "a", 1)).toBeInstanceOf(BuiltinTypeError);
    expect(error("plus", 1, "a").message).toBe("plus: operand 2 must be number but got string");
  });
  it("minus is also set difference, with OPA's type errors", () => {
    expect(toJS(call("minus", set(1, 2, "c"), set("c", 1)) as Value)).toEqual([2]);
    expect(error("minus", set(1), 1).message).toBe("minus: operand 2 must be set but got number");
    expect(error("minus", 1, set(1)).message).toBe("minus: operand 2 must be number but got set");
    expect(error("minus", "x", 1).message).toBe(
      "minus: operand 1 must be one of {number, set} but got string",
    );
  });
  it("rounds, floors and takes absolute values", () => {
    expect(call("round", 2.5)).toBe(3);
    expect(call("round", -2.5)).toBe(-3);
    expect(call("round", 0.49999999999999994)).toBe(0);
    expect(call("floor", 1.5)).toBe(1);
    expect(call("floor", -1.001)).toBe(-2);
    expect(call("floor", 99.99999)).toBe(99);
    expect(call("ceil", 1.01)).toBe(2);
    expect(call("ceil", -1.5)).toBe(-1);
    expect(call("abs", -4)).toBe(4);
    expect(call("abs", -4.5)).toBe(4.5);
    // OPA's unary ops run anything but a machine int as a 64-bit big.Float (topdown/arithmetic.go),
    // so 2^64+1 (65 bits) comes back as 2^64
    expect(call("abs", -18446744073709551617n)).toBe(18446744073709551616n);
    expect(call("abs", -9007199254740993n)).toBe(9007199254740993n);
  });
  it("numbers.range and range_step", () => {
    expect(call("numbers.range", -2, 3)).toEqual([-2, -1, 0, 1, 2, 3]);
    expect(call("numbers.range", 3, 1)).toEqual([3, 2, 1]);
    expect(call("numbers.range_step", 0, -10, 2)).toEqual([0, -2, -4, -6, -8, -10]);
    expect(call("numbers.range_step", 10, 3, 2)).toEqual([10, 8, 6, 4]);
    expect(call("numbers.range_step", 0, 10, 99999999999999999999n)).toEqual([0]);
    expect(error("numbers.range_step", 0, 10, -2).message).toContain(
      "numbers.range_step: step must be a positive integer",
    );
    expect(error("numbers.range", 1.5, 2).message).toBe(
      "numbers.range: operand 1 must be integer number but got floating-point number",
    );
  });
  it("rand.intn is memoised per (string, n) within a query", () => {
    const c = ctx();
    const f = ALL["rand.intn"].impl;
    const a = f(["k", 1000], c);
    for (let i = 0; i < 5; i++) expect(f(["k", 1000], c)).toBe(a);
    expect(f(["k", 0], c)).toBe(0);
    expect(a as number).toBeGreaterThanOrEqual(0);
    expect(a as number).toBeLessThan(1000);
  });
  it("bits", () => {
    expect(call("bits.or", 5, 3)).toBe(7);
    expect(call("bits.and", 5, 3)).toBe(1);
    expect(call("bits.xor", 5, 3)).toBe(6);
    expect(call("bits.negate", 5)).toBe(-6);
    expect(call("bits.lsh", 1, 64)).toBe(18446744073709551616n);
    expect(call("bits.rsh", -9, 1)).toBe(-5);
  });
  it("turns allocation failures into built-in errors instead of leaking JS exceptions", () => {
    expect(error("bits.lsh", 1, 2 ** 31)).toBeInstanceOf(BuiltinError);
    expect(error("sprintf", "%999999999999d", [1])).toBeInstanceOf(BuiltinError);
  });
});

describe("aggregates", () => {
  it("counts code points, elements and keys", () => {
    expect(call("count", "åäö")).toBe(3);
    expect(call("count", [1, 2])).toBe(2);
    expect(call("count", obj({ a: 1 }))).toBe(1);
    expect(error("count", 1).message).toBe(
      "count: operand 1 must be one of {array, object, set, string} but got number",
    );
  });
  it("sum and product are exact on integers and 64-bit on floats", () => {
    expect(call("sum", [18446744073709551617n, 1])).toBe(18446744073709551618n);
    expect(call("sum", [9223372036854775807n, 1])).toBe(9223372036854775808n);
    expect(call("product", [18446744073709551617n, 2])).toBe(36893488147419103234n);
    expect(call("sum", [1.5, 2.5])).toBe(4);
    expect(call("sum", [0.1, 0.2])).toBe(0.3);
    expect(call("product", [1.5, 2])).toBe(3);
    expect(call("sum", set(1, 2, 3, 4))).toBe(10);
    expect(error("sum", [1, "a"]).message).toBe(
      "sum: operand 1 must be array of numbers but got array containing string",
    );
  });
  it("max/min/sort use Rego's order; empty max is undefined", () => {
    expect(call("max", [1, "a", null])).toBe("a");
    expect(call("min", [3, 2, 1, 4, 6, -7, 10])).toBe(-7);
    expect(call("max", [])).toBeUndefined();
    expect(call("sort", [3.5, 3, 3.25, -2.5, 1, 0.5])).toEqual([-2.5, 0.5, 1, 3, 3.25, 3.5]);
  });
});

describe("arrays and sets", () => {
  it("array built-ins", () => {
    expect(call("array.concat", [1, 2], [3, 4])).toEqual([1, 2, 3, 4]);
    expect(error("array.concat", [1], obj({})).message).toBe(
      "array.concat: operand 2 must be array but got object",
    );
    expect(call("array.slice", [1, 2, 3, 4, 5], 1, 3)).toEqual([2, 3]);
    expect(call("array.slice", [1, 2, 3, 4, 5], -4, -1)).toEqual([]);
    expect(call("array.slice", [1, 2, 3], 1, 100)).toEqual([2, 3]);
    expect(call("array.reverse", [1, 2, 3])).toEqual([3, 2, 1]);
    expect(call("array.flatten", [[1, 2], "s", [[7, 8]]])).toEqual([1, 2, "s", [7, 8]]);
  });
  it("set built-ins", () => {
    expect(toJS(call("and", set(1, 2, 3), set(2, 3, 4)) as Value)).toEqual([2, 3]);
    expect(toJS(call("or", set(1), set(2)) as Value)).toEqual([1, 2]);
    expect(toJS(call("intersection", set(set(1, 2, 3), set(2, 3, 4))) as Value)).toEqual([2, 3]);
    expect(toJS(call("intersection", set()) as Value)).toEqual([]);
    expect(toJS(call("union", set(set(), set(1, 2))) as Value)).toEqual([1, 2]);
    expect(error("union", set(1)).message).toBe(
      "union: operand 1 must be set of sets but got set containing number",
    );
  });
});

describe("types and casts", () => {
  it("type predicates and names", () => {
    expect(call("is_string", "x")).toBe(true);
    expect(call("is_string", false)).toBe(false);
    expect(call("is_set", [1])).toBe(false);
    expect(call("is_number", 10n ** 30n)).toBe(true);
    expect(call("type_name", obj({}))).toBe("object");
    expect(call("type_name", set())).toBe("set");
  });
  it("to_number", () => {
    expect(call("to_number", "3")).toBe(3);
    expect(call("to_number", "-1.5e2")).toBe(-150);
    expect(call("to_number", "123456789012345678901234567890")).toBe(
      123456789012345678901234567890n,
    );
    expect(call("to_number", null)).toBe(0);
    expect(call("to_number", true)).toBe(1);
    expect(error("to_number", "broken").message).toBe(
      'to_number: strconv.ParseFloat: parsing "broken": invalid syntax',
    );
    expect(error("to_number", "inf")).toBeInstanceOf(BuiltinTypeError);
  });
});

describe("strings", () => {
  it("basic string built-ins", () => {
    expect(call("concat", ",", ["a", "b"])).toBe("a,b");
    expect(call("concat", ",", set("b", "a"))).toBe("a,b");
    expect(error("concat", ",", [1]).message).toBe(
      "concat: operand 2 must be array of strings but got array containing number",
    );
    expect(call("format_int", 15.5, 16)).toBe("f");
    expect(call("format_int", -255, 2)).toBe("-11111111");
    expect(call("indexof", "åäöx", "x")).toBe(3);
    expect(call("indexof", "abc", "z")).toBe(-1);
    expect(error("indexof", "abc", "").message).toBe("indexof: empty search character");
    expect(call("indexof_n", "😇😀😇😀", "😀")).toEqual([1, 3]);
    expect(call("substring", "abcdefghåäö", 2, 10000)).toBe("cdefghåäö");
    expect(call("substring", "åäö", 4, -1)).toBe("");
    expect(call("substring", "åäö", 1, -1)).toBe("äö");
    // indexes count code points, also past a character outside the BMP (two UTF-16 units)
    expect(call("indexof", "😀a😀b", "b")).toBe(3);
    expect(call("substring", "😀ab😀c", 1, 3)).toBe("ab😀");
    expect(call("substring", "abc", 1, 1)).toBe("b");
    expect(error("substring", "a", -1, 1).message).toBe("substring: negative offset");
    expect(call("strings.count", "dummy", "")).toBe(6);
    expect(call("strings.count", "11111", "11")).toBe(2);
    expect(call("split", "test", "")).toEqual(["t", "e", "s", "t"]);
    expect(call("split", "", "")).toEqual([]);
    expect(call("split", "", ".")).toEqual([""]);
    expect(call("strings.reverse", "a😀b")).toBe("b😀a");
    expect(call("upper", "ß")).toBe("ß");
    expect(call("lower", "AbC")).toBe("abc");
  });
  it("trims runes like Go", () => {
    expect(call("trim", "¡¡¡foo, bar!!!", "i")).toBe("¡¡¡foo, bar!!!");
    expect(call("trim", "...foo.bar...", ".o")).toBe("foo.bar");
    expect(call("trim_left", "¡¡¡x¡", "¡")).toBe("x¡");
    expect(call("trim_right", "¡x¡¡", "¡")).toBe("¡x");
    expect(call("trim_prefix", "¡¡¡foo, bar!!!", "¡¡¡foo")).toBe(", bar!!!");
    expect(call("trim_suffix", "¡¡¡foo, bar!!!", ", bar!!!")).toBe("¡¡¡foo");
    expect(call("trim_space", "\u0085 x\u00a0\t")).toBe("x");
    expect(call("trim_space", "\ufeffx")).toBe("\ufeffx");
  });
  it("replace and strings.replace_n follow Go's Replacer", () => {
    expect(call("replace", "foo...bar", "..", ",,")).toBe("foo,,.bar");
    expect(call("replace", "ab", "", "X")).toBe("XaXbX");
    const rn = (m: Record<string, Value>, s: string): Value | undefined =>
      call("strings.replace_n", obj(m), s);
    expect(rn({ info: "X", anotherinfo: "Y" }, "anotherinfo")).toBe("Y");
    expect(rn({ a: "YY", bba: "bX" }, "bbab")).toBe("bXb");
    expect(rn({ ab: "b", b: "Y" }, "baaabbbba")).toBe("YaabYYYa");
    expect(rn({ a: "b", b: "a" }, "abba")).toBe("baab");
    expect(rn({ a: "Xa", ab: "X", ba: "bYa", aaa: "X" }, "aaaaab")).toBe("XaXaXaXaXab");
    expect(rn({ aab: "Y", a: "", b: "" }, "bbaab")).toBe("");
    expect(rn({ "": "X" }, "")).toBe("X");
    expect(rn({ "": "X" }, "ab")).toBe("XaXbX");
    expect(rn({ "": "X", a: "Y" }, "ab")).toBe("XYXbX");
    expect(rn({ "": "-", é: "e" }, "aéb")).toBe("-a-e-b-");
    expect(error("strings.replace_n", new RObject([[2, "x"]]), "foo").message).toBe(
      "strings.replace_n: operand 1 non-string key found in pattern object",
    );
    expect(error("strings.replace_n", obj({ f: 100 }), "foo").message).toBe(
      "strings.replace_n: operand 1 non-string value found in pattern object",
    );
    expect(error("strings.replace_n", obj({ foo: "baz" }), 100).message).toBe(
      "strings.replace_n: operand 2 must be string but got number",
    );
  });
  it("any_prefix_match / any_suffix_match", () => {
    expect(call("strings.any_prefix_match", ["a/b/c", "e/f/g"], ["x/", "e/f"])).toBe(true);
    expect(call("strings.any_prefix_match", "a/b/c", ["g/", "d/"])).toBe(false);
    expect(call("strings.any_suffix_match", set("a/b/c"), "/c")).toBe(true);
    expect(error("strings.any_prefix_match", [1, 2], ["a"]).message).toBe(
      "strings.any_prefix_match: operand 1 must be array of strings but got array containing number",
    );
    expect(error("strings.any_suffix_match", ["a"], 1).message).toBe(
      "strings.any_suffix_match: operand 2 must be one of {string, set, array} but got number",
    );
  });
  it("sprintf formats like Go's fmt over OPA's argument conversion", () => {
    const f = (fmt: string, ...args: Value[]): Value | undefined => call("sprintf", fmt, args);
    expect(f("hi %s", "there")).toBe("hi there");
    expect(f("hi %02X.%02X", 127, 1)).toBe("hi 7F.01");
    expect(f("hi %s", true)).toBe("hi true");
    expect(f("hi %v", ["there", 5, 3.14])).toBe('hi ["there", 5, 3.14]');
    expect(f("%s", 123456789123456789123n)).toBe("123456789123456789123");
    expect(f("%v", 18446744073709551618n)).toBe("18446744073709551618");
    expect(f("%d", 42)).toBe("42");
    expect(f("%5d|%-5d|%05d", 42, 42, -42)).toBe("   42|42   |-0042");
    expect(f("%.2f", 3.14159)).toBe("3.14");
    expect(f("%.0f %.2f", 2.5, 0.125)).toBe("2 0.12");
    expect(f("%e", 1234.5678)).toBe("1.234568e+03");
    expect(f("%g %g %v", 0.00001, 123456.75, 1234567.5)).toBe("1e-05 123456.75 1.2345675e+06");
    expect(f("%g", 100000000000000000000000n)).toBe("%!g(big.Int=100000000000000000000000)");
    expect(f("%x %o %b", 255, 8, 5)).toBe("ff 10 101");
    expect(f("%q", 'a"b')).toBe('"a\\"b"');
    expect(f("%s", 5)).toBe("%!s(int=5)");
    expect(f("%d", "x")).toBe("%!d(string=x)");
    expect(f("%.2f", 5)).toBe("%!f(int=5)");
    expect(f("%d %d", 1)).toBe("1 %!d(MISSING)");
    expect(f("%d", 1, "x")).toBe("1%!(EXTRA string=x)");
    expect(f("100%%")).toBe("100%");
    expect(f("%v", obj({ b: set(), a: null }))).toBe('{"a": null, "b": set()}');
    expect(f("%v %v", set(2, 1), 1.5)).toBe("{1, 2} 1.5");
    expect(error("sprintf", "%s", "x").message).toBe(
      "sprintf: operand 2 must be array but got string",
    );
  });
});

describe("regex", () => {
  it("match, validity and splitting with RE2 semantics", () => {
    expect(call("regex.match", "^[a-z]+\\[[0-9]+\\]$", "foo[1]")).toBe(true);
    expect(call("regex.match", "", "x")).toBe(true);
    expect(call("regex.match", "^$", "something")).toBe(false);
    expect(error("regex.match", "$^[[[", "x")).toBeInstanceOf(BuiltinError);
    expect(call("regex.is_valid", "(?=x)")).toBe(false);
    expect(call("regex.is_valid", "a+")).toBe(true);
    expect(call("regex.is_valid", 1)).toBe(false);
    expect(call("regex.split", "^[a-z]+\\[[0-9]+\\]$", "")).toEqual([""]);
    expect(call("regex.split", "^[a-z]+", "foobar baz")).toEqual(["", " baz"]);
    expect(call("regex.split", "[a-z]+$", "foobar baz")).toEqual(["foobar ", ""]);
    expect(call("regex.split", "^[a-z ]+$", "foobar baz")).toEqual(["", ""]);
    expect(call("regex.split", "a", "banana")).toEqual(["b", "n", "n", ""]);
  });
  it("is linear on patterns that make backtracking engines explode", () => {
    const t0 = Date.now();
    expect(call("regex.match", "^(a+)+$", "a".repeat(5000) + "b")).toBe(false);
    expect(Date.now() - t0).toBeLessThan(2000);
  });
  it("find_n, submatches and replace", () => {
    expect(call("regex.find_n", "a.", "paranormal", -1)).toEqual(["ar", "an", "al"]);
    expect(call("regex.find_n", "a.", "paranormal", 2)).toEqual(["ar", "an"]);
    expect(call("regex.find_n", "z", "paranormal", -1)).toEqual([]);
    expect(call("regex.find_all_string_submatch_n", "a(x*)b", "-ab-axb-", -1)).toEqual([
      ["ab", ""],
      ["axb", "x"],
    ]);
    expect(
      call("regex.find_all_string_submatch_n", "[^aouiye]([aouiye])([^aouiye])?", "somestri", -1),
    ).toEqual([
      ["som", "o", "m"],
      ["ri", "i", ""],
    ]);
    expect(call("regex.replace", "-wy-wxxy-", "w(x*)y", "0")).toBe("-0-0-");
    expect(call("regex.replace", "foo", "(foo)", "$1$1")).toBe("foofoo");
    expect(call("regex.replace", "foo", "(foo)", "${1}x$1x$$")).toBe("foox$");
    expect(call("regex.replace", "baaac", "a*", "-")).toBe("-b-c-");
    expect(error("regex.replace", "foo", "[", "$1")).toBeInstanceOf(BuiltinError);
  });
  it("globs_match: non-empty intersection of glob-style expressions", () => {
    const g = (a: string, b: string): Value | undefined => call("regex.globs_match", a, b);
    expect(g("a.a.[0-9]+z", "a.a.[0-9]+z")).toBe(true);
    expect(g("a.a.[0-9]+z", "a.a.[a-z]+z")).toBe(false);
    expect(g("a.*", "a.b.c")).toBe(true);
    expect(g("[a-c]+", "b*")).toBe(true);
    expect(g("a*", "b*")).toBe(false);
    expect(g(".*", "\\.x")).toBe(true);
    expect(g("abc", "abd")).toBe(false);
    expect(g("a+b", "aaab")).toBe(true);
    expect(error("regex.globs_match", "*a", "a")).toBeInstanceOf(BuiltinError);
    expect(error("regex.globs_match", "[a", "a")).toBeInstanceOf(BuiltinError);
  });
  it("template_match", () => {
    expect(call("regex.template_match", "urn:foo:{.*}", "urn:foo:bar:baz", "{", "}")).toBe(true);
    expect(
      call("regex.template_match", "urn:foo.bar.com:{.*}", "urn:foo.com:bar:baz", "{", "}"),
    ).toBe(false);
    expect(call("regex.template_match", "urn:foo:<[0-9]{2}>", "urn:foo:42", "<", ">")).toBe(true);
    expect(error("regex.template_match", "urn:{", "x", "{", "}").message).toContain(
      "unbalanced braces",
    );
  });
});

describe("glob", () => {
  const m = (p: string, d: Value, s: string): Value | undefined => call("glob.match", p, d, s);
  it("delimiters: null means none, [] means '.'", () => {
    expect(m("*:github:com", [":"], "api:github:com")).toBe(true);
    expect(m("*.github.com", ["."], "api.not-github.com")).toBe(false);
    expect(m("*", [], "foo.bar")).toBe(false);
    expect(m("*", null, "foo.bar")).toBe(true);
    expect(m("*", [".", "/"], "a/b")).toBe(false);
    expect(m("*?*", [".", "/"], "api.github.com")).toBe(false);
    expect(m("*?*", [".", "/"], "abc")).toBe(true);
  });
  it("character classes, alternatives, super wildcards and escapes", () => {
    expect(m("[!abc]at", [], "fat")).toBe(true);
    expect(m("[!abc]at", [], "cat")).toBe(false);
    expect(m("[a-c]at", [], "bat")).toBe(true);
    expect(m("[!a-c]at", [], "bat")).toBe(false);
    for (const s of ["cat", "bat", "fat", "rat"]) expect(m("{cat,bat,[fr]at}", [], s)).toBe(true);
    expect(m("{cat,bat,[fr]at}", [], "mat")).toBe(false);
    expect(m("?", null, "")).toBe(false);
    expect(m("[!0-9]", null, "")).toBe(false);
    expect(m("a/*/b", null, "a/b")).toBe(false);
    expect(m("a/**/b", null, "a//b")).toBe(true);
    expect(m("**/x", null, "x")).toBe(false);
    expect(m("{**/,}x", null, "x")).toBe(true);
    expect(m("***", ["."], "")).toBe(true);
    expect(m("\\*", null, "*")).toBe(true);
    expect(m("\\*", null, "a")).toBe(false);
    expect(m("*.{com,org}", null, "a.org")).toBe(true);
    expect(m("a,b", null, "a,b")).toBe(true);
  });
  it("behaves as OPA's documentation examples say", () => {
    const cases: [string, Value, string, boolean][] = [
      ["*.github.com", [], "api.github.com", true],
      ["*.github.com", [], "api.cdn.github.com", false],
      ["*hub.com", null, "api.cdn.github.com", true],
      ["api.**.com", [], "api.github.com", true],
      ["api.**.com", [], "api.cdn.github.com", true],
      ["?at", [], "cat", true],
      ["?at", [], "at", false],
      ["[abc]at", [], "bat", true],
      ["[abc]at", [], "fat", false],
      ["[a-c]at", [], "cat", true],
      ["[a-c]at", [], "lat", false],
      ["[!abc]at", [], "lat", true],
      ["[!a-c]at", [], "lat", true],
      ["{cat,bat,[fr]at}", [], "at", false],
    ];
    for (const [p, d, s, want] of cases) expect([p, s, m(p, d, s)]).toEqual([p, s, want]);
  });
  it("rejects malformed patterns and bad delimiters", () => {
    expect(error("glob.match", "[a", null, "a")).toBeInstanceOf(BuiltinError);
    expect(error("glob.match", "[]", null, "a")).toBeInstanceOf(BuiltinError);
    expect(error("glob.match", "a", 1, "a").message).toBe(
      "glob.match: operand 2 must be one of {array, null} but got number",
    );
    expect(error("glob.match", "a", ["ab"], "a").message).toBe(
      "glob.match: operand 2 must be array of runes but got array containing string",
    );
  });
  it("stays fast on patterns with many wildcards", () => {
    const t0 = Date.now();
    expect(m("*a*a*a*a*a*a*a*a*a*a*b", null, "a".repeat(3000))).toBe(false);
    expect(Date.now() - t0).toBeLessThan(2000);
  });
  it("agrees with an independent regular-expression model on random patterns", () => {
    // Test-only reference: translate a generated glob to an anchored JS RegExp.
    type G = { glob: string; re: string };
    const delims = [".", "/"];
    const notDelim = "[^./]";
    const atom: fc.Arbitrary<G> = fc.oneof(
      fc.constantFrom("a", "b", ".", "/").map((c) => ({ glob: c, re: c === "." ? "\\." : c })),
      fc.constant({ glob: "*", re: `${notDelim}*` }),
      fc.constant({ glob: "**", re: "[\\s\\S]*" }),
      fc.constant({ glob: "?", re: notDelim }),
      fc.constant({ glob: "[ab]", re: "[ab]" }),
      fc.constant({ glob: "[!a]", re: "[^a]" }),
      fc.constant({ glob: "[a-b]", re: "[a-b]" }),
      fc.constant({ glob: "\\*", re: "\\*" }),
    );
    const isStar = (g: G): boolean => g.glob === "*" || g.glob === "**";
    // Adjacent star atoms would lex differently ("*" then "*" is "**"), so keep them apart.
    const seq = (a: fc.Arbitrary<G>): fc.Arbitrary<G> =>
      fc
        .array(a, { maxLength: 4 })
        .filter((xs) => xs.every((x, i) => i === 0 || !(isStar(x) && isStar(xs[i - 1]))))
        .map((xs) => ({
          glob: xs.map((x) => x.glob).join(""),
          re: xs.map((x) => x.re).join(""),
        }));
    const alt: fc.Arbitrary<G> = fc
      .array(seq(atom), { minLength: 1, maxLength: 3 })
      .map((alts) => ({
        glob: "{" + alts.map((x) => x.glob).join(",") + "}",
        re: "(?:" + alts.map((x) => x.re).join("|") + ")",
      }));
    const pattern = seq(fc.oneof(atom, atom, alt));
    const input = fc
      .array(fc.constantFrom("a", "b", ".", "/", "*"), { maxLength: 6 })
      .map((cs) => cs.join(""));
    fc.assert(
      fc.property(pattern, input, (g, s) => {
        const want = new RegExp(`^(?:${g.re})$`).test(s);
        expect([g.glob, s, m(g.glob, delims, s)]).toEqual([g.glob, s, want]);
      }),
      { numRuns: 3000 },
    );
  });
  it("quote_meta", () => {
    expect(call("glob.quote_meta", "*.github.com")).toBe("\\*.github.com");
    expect(call("glob.quote_meta", "[a]{b,c}?\\")).toBe("\\[a\\]\\{b,c\\}\\?\\\\");
  });
});

describe("units", () => {
  it("units.parse", () => {
    expect(call("units.parse", '"100TI"')).toBe(109951162777600);
    expect(call("units.parse", "500m")).toBe(0.5);
    expect(call("units.parse", "0.0005K")).toBe(0.5);
    expect(call("units.parse", "1.1Ki")).toBe(1126.4);
    expect(call("units.parse", "10e")).toBe(10000000000000000000n);
    expect(call("units.parse", "10Ei")).toBe(11529215046068469760n);
    expect(call("units.parse", "1e10")).toBe(10000000000);
    expect(call("units.parse", "2.5e3K")).toBe(2500000);
    expect(call("units.parse", "1e-2")).toBe(0.01);
    expect(call("units.parse", "-3.5E2m")).toBe(-0.35);
    expect(call("units.parse", ".0")).toBe(0);
    expect(call("units.parse", "5E")).toBe(5000000000000000000n);
    expect(call("units.parse", "1G")).toBe(1000000000);
  });
  it("units.parse errors", () => {
    const e = (s: string): string => error("units.parse", s).message;
    expect(e("")).toBe("units.parse: no amount provided");
    expect(e("G")).toBe("units.parse: no amount provided");
    expect(e("0.0.0")).toBe("units.parse: could not parse amount to a number");
    expect(e(".5.2")).toBe("units.parse: could not parse amount to a number");
    expect(e("100 k")).toBe("units.parse: spaces not allowed in resource strings");
    expect(e("10e10000000Ei")).toBe("units.parse: exponent too large");
    expect(e("10kb")).toBe("units.parse: unit kb not recognized");
  });
  it("units.parse_bytes", () => {
    expect(call("units.parse_bytes", "1KB")).toBe(1000);
    expect(call("units.parse_bytes", "1KiB")).toBe(1024);
    expect(call("units.parse_bytes", "1.1Ki")).toBe(1126);
    expect(call("units.parse_bytes", '"12MiB"')).toBe(12582912);
    expect(call("units.parse_bytes", "0")).toBe(0);
    const e = (s: string): string => error("units.parse_bytes", s).message;
    expect(e("")).toBe("units.parse_bytes: no byte amount provided");
    expect(e("GB")).toBe("units.parse_bytes: no byte amount provided");
    expect(e("0.0.0")).toBe("units.parse_bytes: could not parse byte amount to a number");
    expect(e("100 kb")).toBe("units.parse_bytes: spaces not allowed in resource strings");
    expect(e("10e10000000EiB")).toBe("units.parse_bytes: exponent too large");
    expect(e("1xb")).toBe("units.parse_bytes: byte unit xb not recognized");
  });
});

/** A Rego value keeping the number invariant: bigint only outside ±2^53, no NaN/Infinity. */
function wellFormed(v: Value): boolean {
  if (v === null || typeof v === "boolean" || typeof v === "string") return true;
  if (typeof v === "number")
    return Number.isFinite(v) && (!Number.isInteger(v) || Number.isSafeInteger(v));
  if (typeof v === "bigint") return v > 9007199254740991n || v < -9007199254740991n;
  // an exact decimal only where no number or bigint denotes it (value.ts canonical form)
  if (v instanceof Decimal) return numberFromParts(v.neg, v.digits, v.exp10) instanceof Decimal;
  if (Array.isArray(v)) return v.every(wellFormed);
  if (v instanceof RSet) return [...v].every(wellFormed);
  return [...v.entries()].every(([k, x]) => wellFormed(k) && wellFormed(x));
}

describe("robustness", () => {
  it("every built-in answers random operands with a value, undefined or a Rego error", () => {
    const scalar = fc.oneof(
      fc.constant(null),
      fc.boolean(),
      fc.integer({ min: -1000, max: 1000 }),
      fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }),
      fc
        .double({ noNaN: true, noDefaultInfinity: true })
        .map((d) => (Number.isInteger(d) && !Number.isSafeInteger(d) ? BigInt(d) : d)),
      fc
        .bigInt({ min: -(10n ** 30n), max: 10n ** 30n })
        .filter((b) => b > 2n ** 53n || b < -(2n ** 53n)),
      fc.string({ maxLength: 8 }),
      fc.constantFrom("*", "a.b", "[a-", "{a,b}", "(x", "10Ki", "1e3", "%d %s %v", "\\", "é😀"),
    );
    const value = fc.letrec<{ v: Value }>((tie) => ({
      v: fc.oneof(
        { depthSize: "small" },
        scalar as fc.Arbitrary<Value>,
        fc.array(tie("v"), { maxLength: 3 }),
        fc.array(tie("v"), { maxLength: 3 }).map((xs) => new RSet(xs) as Value),
        fc
          .array(fc.tuple(fc.string({ maxLength: 3 }), tie("v")), { maxLength: 3 })
          .map((es) => new RObject(es) as Value),
      ),
    })).v;
    for (const def of Object.values(ALL)) {
      fc.assert(
        fc.property(fc.array(value, { minLength: def.arity, maxLength: def.arity }), (args) => {
          let r: Value | undefined;
          try {
            r = def.impl(args, ctx());
          } catch (e) {
            if (e instanceof BuiltinError || e instanceof BuiltinTypeError) return;
            throw new Error(`${def.name}(${args.map((a) => String(a)).join(", ")}) threw`, {
              cause: e,
            });
          }
          if (r !== undefined && !wellFormed(r)) {
            throw new Error(`${def.name} returned a malformed value ${String(r)}`);
          }
        }),
        { numRuns: 150 },
      );
    }
  }, 60_000);
});

describe("strings.render_template", () => {
  const r = (tpl: string, vars: Record<string, Value>): Value | undefined =>
    call("strings.render_template", tpl, obj(vars));
  it("renders fields, control structures and functions like Go's text/template", () => {
    expect(r("{{.test}}", { test: "hello world" })).toBe("hello world");
    expect(r("Hello {{.a.b}}!", { a: obj({ b: "World" }) })).toBe("Hello World!");
    expect(r("{{range .xs}}{{.}},{{end}}", { xs: [1, 2.5, "c"] })).toBe("1,2.5,c,");
    expect(r("{{range $i, $v := .xs}}{{$i}}={{$v}} {{end}}", { xs: ["a", "b"] })).toBe("0=a 1=b ");
    expect(r("{{range .xs}}x{{else}}empty{{end}}", { xs: [] })).toBe("empty");
    expect(r("{{range $k, $v := .m}}{{$k}}:{{$v}};{{end}}", { m: obj({ b: 2, a: 1 }) })).toBe(
      "a:1;b:2;",
    );
    expect(r("{{if .ok}}yes{{else}}no{{end}}", { ok: false })).toBe("no");
    expect(r("{{if eq .x 1}}one{{else if eq .x 2}}two{{else}}many{{end}}", { x: 2 })).toBe("two");
    expect(r("{{with .a}}{{.b}}{{end}}", { a: obj({ b: "in" }) })).toBe("in");
    expect(r("a  {{- .x -}}  b", { x: "X" })).toBe("aXb");
    expect(r("{{/* note */}}{{len .xs}} {{index .xs 1}}", { xs: ["p", "q"] })).toBe("2 q");
    expect(r('{{printf "%s-%v" .s .n}}', { s: "x", n: 1 })).toBe("x-1");
    expect(
      r("{{.n}} {{.big}} {{.xs}} {{.m}}", {
        n: 1000000,
        big: 1.5,
        xs: [1, "a"],
        m: obj({ k: true }),
      }),
    ).toBe("1e+06 1.5 [1 a] map[k:true]");
    expect(r('{{.x | printf "%q"}}', { x: "v" })).toBe('"v"');
    expect(r("{{$x := .a}}{{$x}}{{$}}", { a: "A" })).toBe("Amap[a:A]");
    expect(r("{{.nothing}}", { nothing: null })).toBe("<no value>");
  });
  it("answers any token soup with output or a Rego error, never a JS exception", () => {
    const piece = fc.constantFrom(
      "{{",
      "}}",
      "{{-",
      " -}}",
      ".a",
      ".b.c",
      ".",
      "$",
      "$x",
      ":=",
      "=",
      ",",
      "|",
      "(",
      ")",
      "if",
      "else",
      "end",
      "range",
      "with",
      "len",
      "index",
      "printf",
      "eq",
      '"s"',
      "`r`",
      "1",
      "-2.5",
      "nil",
      "true",
      " ",
      "x",
      "/*",
      "*/",
      '"\\q"',
    );
    const vars = obj({ a: [1, "two", obj({ k: null })], b: obj({ c: set(1, 2) }) });
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 14 }), (ps) => {
        try {
          const out = ALL["strings.render_template"].impl([ps.join(""), vars], ctx());
          expect(typeof out).toBe("string");
        } catch (e) {
          if (!(e instanceof BuiltinError)) throw e;
        }
      }),
      { numRuns: 3000 },
    );
  });
  it("fails on missing keys and malformed templates", () => {
    expect(error("strings.render_template", "{{.missing}}", obj({})).message).toContain(
      'map has no entry for key "missing"',
    );
    expect(error("strings.render_template", "{{if .x}}", obj({ x: 1 }))).toBeInstanceOf(
      BuiltinError,
    );
    expect(error("strings.render_template", "{{nosuchfn 1}}", obj({}))).toBeInstanceOf(
      BuiltinError,
    );
    for (const bad of ['{{"\\x41"}}', "{{()}}", "{{(len}}", "{{.a | }}", "{{end}}"]) {
      expect(error("strings.render_template", bad, obj({ a: 1 }))).toBeInstanceOf(BuiltinError);
    }
    expect(error("strings.render_template", "x", "y").message).toBe(
      "strings.render_template: operand 2 must be object but got string",
    );
  });
});
