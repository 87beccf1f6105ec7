/**
 * Built-in families B (objects, encoding, time, semver, net, uuid, jsonschema, graph, crypto),
 * called directly: values and error texts as OPA produces them.
 */
import { createHmac, generateKeyPairSync, sign } from "node:crypto";
import { existsSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RObject, RSet, equal, fromJS, toJS, type Value } from "../../rego/value";
import { BuiltinError, BuiltinTypeError, type BuiltinContext } from "../../rego/builtins/types";
import { builtinsOf } from "../../rego/builtins";
import { builtinContext, callBuiltin } from "../support/builtin-harness";

const ALL = builtinsOf(
  "objects",
  "encoding",
  "time",
  "semver",
  "net",
  "uuid",
  "jsonschema",
  "graph",
  "crypto",
);

const ctx = (nowNs = 1_700_000_000_000_000_000n): BuiltinContext => builtinContext(nowNs);

function call(name: string, ...args: Value[]): Value | undefined {
  return callIn(ctx(), name, ...args);
}

function callIn(c: BuiltinContext, name: string, ...args: Value[]): Value | undefined {
  return callBuiltin(ALL, c, name, ...args);
}

/** Result as plain JSON-ish JS (sets → sorted arrays), for readable expectations. */
function js(name: string, ...args: Value[]): unknown {
  const r = call(name, ...args);
  return r === undefined ? undefined : toJS(r);
}

const v = (x: unknown): Value => fromJS(x);
const set = (...xs: unknown[]): RSet => new RSet(xs.map(fromJS));

function errorOf(name: string, ...args: Value[]): { kind: string; message: string } {
  try {
    call(name, ...args);
  } catch (e) {
    if (e instanceof BuiltinTypeError) return { kind: "type", message: e.message };
    if (e instanceof BuiltinError) return { kind: "builtin", message: e.message };
    throw e;
  }
  throw new Error(`${name} did not fail`);
}

describe("objects", () => {
  it("object.get takes keys, paths and defaults", () => {
    expect(js("object.get", v({ a: { b: "c" } }), "a", true)).toEqual({ b: "c" });
    expect(js("object.get", v({ a: { b: "c" } }), "b", true)).toBe(true);
    expect(js("object.get", v({ a: { b: [1, { c: 3 }] } }), v(["a", "b", 1, "c"]), 0)).toBe(3);
    expect(js("object.get", v({ a: { b: [1] } }), v(["a", "b", 5]), "d")).toBe("d");
    expect(js("object.get", v({ a: 1 }), v([]), 0)).toEqual({ a: 1 });
  });

  it("object.keys returns a set of keys of any type", () => {
    expect(js("object.keys", v({ a: 1, b: 2 }))).toEqual(["a", "b"]);
    const o = new RObject([
      [v(["a"]), 1],
      [v(["b"]), 2],
    ]);
    expect(js("object.keys", o)).toEqual([["a"], ["b"]]);
    expect(errorOf("object.keys", "object")).toEqual({
      kind: "type",
      message: "object.keys: operand 1 must be object but got string",
    });
  });

  it("object.union merges recursively, the right side winning conflicts", () => {
    expect(js("object.union", v({ a: 1 }), v({ a: { b: { c: 1 } }, d: 7 }))).toEqual({
      a: { b: { c: 1 } },
      d: 7,
    });
    expect(js("object.union", v({ a: { x: 1 } }), v({ a: { y: 2 } }))).toEqual({
      a: { x: 1, y: 2 },
    });
    expect(errorOf("object.union", v({ a: 1 }), v([1, 2, 3])).message).toBe(
      "object.union: operand 2 must be object but got array",
    );
  });

  it("object.union_n folds left to right, a scalar freezing a key", () => {
    expect(js("object.union_n", v([{ a: { b: 2 } }, { a: 4 }, { a: { c: 3 } }]))).toEqual({
      a: { c: 3 },
    });
    expect(errorOf("object.union_n", v([{ foo: 1 }, "baz"]))).toEqual({
      kind: "type",
      message: "object.union_n: operand 1 must be array of objects but got array containing string",
    });
  });

  it("object.remove and object.filter accept sets, arrays and objects of keys", () => {
    expect(js("object.remove", v({ a: 1, b: { c: 3 }, d: 4 }), set("b", "d"))).toEqual({ a: 1 });
    expect(js("object.remove", v({ a: 1, b: 2 }), v(["a"]))).toEqual({ b: 2 });
    expect(js("object.filter", v({ a: 1, b: 2, e: 9 }), v({ a: 0, e: 0 }))).toEqual({ a: 1, e: 9 });
    expect(errorOf("object.remove", v({ a: 1 }), null).message).toBe(
      "object.remove: operand 2 must be one of {object, set, array} but got null",
    );
    expect(errorOf("object.filter", v(["a"]), set("a")).message).toBe(
      "object.filter: operand 1 must be object but got array",
    );
  });

  it("object.subset follows OPA's per-type rules", () => {
    expect(
      call("object.subset", v({ a: [1, 2, 3], b: { c: 1, d: 2 } }), v({ a: [2, 3], b: { c: 1 } })),
    ).toBe(true);
    expect(call("object.subset", v([1, 2, 3]), v([1, 3]))).toBe(false);
    expect(call("object.subset", v([1, 2, 3]), set(3, 1))).toBe(true);
    expect(call("object.subset", set(1, 2), set(2))).toBe(true);
    expect(errorOf("object.subset", 1, 2).kind).toBe("type");
  });

  it("json.filter and json.remove take slash paths and segment arrays", () => {
    const doc = v({ a: [{ b: 7, c: 8 }, { d: 9 }] });
    expect(js("json.filter", doc, set("a/0/b", "a/1"))).toEqual({ a: [{ b: 7 }, { d: 9 }] });
    expect(js("json.remove", doc, set("a/0/b", "a/1"))).toEqual({ a: [{ c: 8 }] });
    expect(
      js("json.remove", v({ a: { b: { c: 7, d: 8, x: 0 } }, e: 9 }), set("a/b/d", ["a", "b", "c"])),
    ).toEqual({ a: { b: { x: 0 } }, e: 9 });
    expect(js("json.remove", v({ a: { b: 7 }, c: 1 }), set("a", "a/b"))).toEqual({ c: 1 });
    expect(errorOf("json.remove", v({ a: 1 }), set("a", { x: 1 })).message).toBe(
      "json.remove: operand 2 must be one of {set, array} containing string paths or array of path segments but got object",
    );
  });

  it("json.patch applies RFC 6902 and is undefined when a patch cannot apply", () => {
    const patch = (doc: unknown, ops: unknown[]): unknown => js("json.patch", v(doc), v(ops));
    expect(patch({ foo: ["bar", "baz"] }, [{ op: "add", path: "/foo/1", value: "qux" }])).toEqual({
      foo: ["bar", "qux", "baz"],
    });
    expect(
      patch({ foo: { bar: "baz", waldo: "fred" }, qux: { corge: "grault" } }, [
        { op: "move", from: "/foo/waldo", path: "/qux/thud" },
      ]),
    ).toEqual({ foo: { bar: "baz" }, qux: { corge: "grault", thud: "fred" } });
    expect(patch({ "/": 9, "~1": 10 }, [{ op: "test", path: "/~01", value: 10 }])).toEqual({
      "/": 9,
      "~1": 10,
    });
    expect(patch([1, 2], [{ op: "add", path: "/-", value: 3 }])).toEqual([1, 2, 3]);
    expect(patch({ baz: "qux" }, [{ op: "test", path: "/baz", value: "bar" }])).toBeUndefined();
    expect(patch(["foo", "bar"], [{ op: "test", path: "/01", value: "bar" }])).toBeUndefined();
    expect(patch({ bar: [1, 2] }, [{ op: "add", path: "/bar/8", value: "5" }])).toBeUndefined();
    expect(patch({}, [{ op: "spam", path: "/foo", value: 1 }])).toBeUndefined();
    expect(patch([1, 2, 3], [{ op: "add", path: "1.2", value: "foo" }])).toBeUndefined();
    // The input value itself is never modified.
    const doc = v({ a: [1] });
    call("json.patch", doc, v([{ op: "add", path: "/a/-", value: 2 }]));
    expect(toJS(doc)).toEqual({ a: [1] });
  });
});

describe("encoding", () => {
  it("base64 and base64url round-trip with Go's padding rules", () => {
    expect(call("base64.encode", "there")).toBe("dGhlcmU=");
    expect(call("base64.decode", "c3ViamVjdHM/X2Q=")).toBe("subjects?_d");
    expect(call("base64.is_valid", "aGVsbG8")).toBe(false);
    expect(call("base64.is_valid", 1)).toBe(false);
    expect(errorOf("base64.decode", "aGVsbG8").kind).toBe("builtin");
    expect(call("base64url.encode", "\u00ff\u00fe")).toBe("w7_Dvg==");
    expect(call("base64url.encode_no_pad", "hello")).toBe("aGVsbG8");
    expect(call("base64url.decode", "aGVsbG8")).toBe("hello");
    expect(call("base64url.decode", "aGVsbG8=")).toBe("hello");
  });

  it("hex reports the first invalid byte as Go does", () => {
    expect(call("hex.encode", "hi")).toBe("6869");
    expect(call("hex.decode", "6869")).toBe("hi");
    expect(errorOf("hex.decode", "fghijkl")).toEqual({
      kind: "builtin",
      message: "hex.decode: encoding/hex: invalid byte: U+0067 'g'",
    });
    expect(errorOf("hex.decode", "abc").message).toBe(
      "hex.decode: encoding/hex: odd length hex string",
    );
  });

  it("urlquery escapes like Go's QueryEscape and parses like ParseQuery", () => {
    expect(call("urlquery.encode", "a=b+1 c")).toBe("a%3Db%2B1+c");
    expect(call("urlquery.decode", "a%3Db%2B1+c")).toBe("a=b+1 c");
    expect(errorOf("urlquery.decode", "%zz").kind).toBe("builtin");
    expect(call("urlquery.encode_object", v({ b: set("x"), a: ["b+1", "c+2"] }))).toBe(
      "a=b%2B1&a=c%2B2&b=x",
    );
    expect(js("urlquery.decode_object", "a=value_a1&b=value_b&a=value_a2&c")).toEqual({
      a: ["value_a1", "value_a2"],
      b: ["value_b"],
      c: [""],
    });
    expect(errorOf("urlquery.encode_object", v({ a: 1 })).message).toBe(
      "urlquery.encode_object: operand 1 values must be string, array[string], or set[string]",
    );
  });

  it("json.marshal prints sorted keys, sets as arrays, exact big numbers, HTML-safe text", () => {
    expect(call("json.marshal", v([{ foo: new Set([3, 1, 2]) }]))).toBe('[{"foo":[1,2,3]}]');
    expect(call("json.marshal", v({ "<b>": 12345678901234567890n, a: 1.5 }))).toBe(
      '{"\\u003cb\\u003e":12345678901234567890,"a":1.5}',
    );
    const nonStringKeys = new RObject([
      [1, "x"],
      ["b", null],
    ]);
    expect(call("json.marshal", nonStringKeys)).toBe('{"1":"x","b":null}');
  });

  it("json.marshal_with_options indents like Go's MarshalIndent with the prefix on every line", () => {
    expect(
      call("json.marshal_with_options", v({ a: [1], b: {} }), v({ indent: "  ", prefix: "> " })),
    ).toBe('> {\n>   "a": [\n>     1\n>   ],\n>   "b": {}\n> }');
    expect(call("json.marshal_with_options", v({ a: 1 }), v({ pretty: false, indent: "x" }))).toBe(
      '{"a":1}',
    );
    expect(call("json.marshal_with_options", v([1]), v({ pretty: true }))).toBe("[\n\t1\n]");
    expect(errorOf("json.marshal_with_options", 1, v({ bogus: 1 })).message).toBe(
      "json.marshal_with_options: operand 2 object contained unknown key bogus",
    );
  });

  it("json.unmarshal keeps big integers exact and rejects what Go rejects", () => {
    expect(
      js("json.unmarshal", '{"a": [1, 2.5, 123456789012345678901234], "b": "\\u00e9"}'),
    ).toEqual({
      a: [1, 2.5, 123456789012345678901234n],
      b: "é",
    });
    expect(errorOf("json.unmarshal", '{"a": 1,}')).toEqual({
      kind: "builtin",
      message: "json.unmarshal: invalid character '}' looking for beginning of object key string",
    });
    expect(errorOf("json.unmarshal", "trux").message).toBe(
      "json.unmarshal: invalid character 'x' in literal true (expecting 'e')",
    );
    expect(errorOf("json.unmarshal", "{").message).toBe("json.unmarshal: unexpected EOF");
    expect(errorOf("json.unmarshal", "[1] 2").message).toBe(
      "json.unmarshal: error: invalid character '2' after top-level value",
    );
    expect(call("json.unmarshal", "1e30")).toBe(10n ** 30n);
    expect(call("json.is_valid", "plainstring")).toBe(false);
    expect(call("json.is_valid", '{"json": "ok"}')).toBe(true);
    expect(call("json.is_valid", 1)).toBe(false);
  });

  it("yaml.unmarshal reads YAML 1.1 scalars as go-yaml does; is_valid checks every document", () => {
    expect(
      js("yaml.unmarshal", "a: yes\nb: [1, 2]\nc: 2001-12-14\nd: 123456789012345678901\n"),
    ).toEqual({
      a: true,
      b: [1, 2],
      c: "2001-12-14",
      d: 123456789012345678901n,
    });
    expect(call("yaml.is_valid", "foo:\n   - qux: bar\n   - baz: 2")).toBe(true);
    expect(call("yaml.is_valid", "foo:\n   - qux: bar\n   - baz: {")).toBe(false);
    expect(call("yaml.is_valid", "  test:\ntest1: hello\n")).toBe(false);
    expect(call("yaml.is_valid", "a: 1\n---\n\tb: 2\n")).toBe(false);
    expect(call("yaml.is_valid", "a: 1\n---\nb: 2\n")).toBe(true);
    expect(call("yaml.is_valid", 1)).toBe(false);
  });

  it("yaml.marshal emits go-yaml's block layout and quotes look-alike strings", () => {
    expect(
      call("yaml.marshal", v({ foo: ["a", { x: 1 }], bar: { baz: "true", q: "a: b", e: {} } })),
    ).toBe("bar:\n  baz: \"true\"\n  e: {}\n  q: 'a: b'\nfoo:\n- a\n- x: 1\n");
    const out = call("yaml.marshal", v({ a10: 1, a2: 2, s: "multi\nline" })) as string;
    expect(out).toBe("a2: 2\na10: 1\ns: |-\n  multi\n  line\n");
    expect(js("yaml.unmarshal", out)).toEqual({ a2: 2, a10: 1, s: "multi\nline" });
  });
});

describe("time", () => {
  it("time.now_ns is the query's fixed instant", () => {
    const c = ctx(1_234n);
    expect(callIn(c, "time.now_ns")).toBe(1234);
    expect(ALL["time.now_ns"].nondeterministic).toBe(true);
  });

  it("time.parse_rfc3339_ns covers the whole int64 range and no more", () => {
    expect(call("time.parse_rfc3339_ns", "1677-09-21T00:12:43.145224192-00:00")).toBe(
      -9223372036854775808n,
    );
    expect(call("time.parse_rfc3339_ns", "2262-04-11T23:47:16.854775807-00:00")).toBe(
      9223372036854775807n,
    );
    expect(call("time.parse_rfc3339_ns", "2017-06-02T19:00:00-07:00")).toBe(1496455200000000000n);
    expect(errorOf("time.parse_rfc3339_ns", "2262-04-11T23:47:16.854775808-00:00")).toEqual({
      kind: "builtin",
      message: "time.parse_rfc3339_ns: time outside of valid range",
    });
    expect(errorOf("time.parse_rfc3339_ns", "2017-06-02").message).toBe(
      'time.parse_rfc3339_ns: parsing time "2017-06-02" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "T"',
    );
  });

  it("time.parse_ns understands Go layouts and the named layout constants", () => {
    expect(call("time.parse_ns", "2006-01-02", "2020-02-02")).toBe(1580601600000000000n);
    expect(call("time.parse_ns", "RFC1123Z", "Mon, 02 Jan 2006 15:04:05 -0700")).toBe(
      1136239445000000000n,
    );
    expect(call("time.parse_ns", "Jan _2 2006 3:04:05.000PM", "Feb  3 2021 4:05:06.789PM")).toBe(
      1612368306789000000n,
    );
    expect(errorOf("time.parse_ns", "2006-01-02", "2021-02-30").message).toBe(
      'time.parse_ns: parsing time "2021-02-30": day out of range',
    );
  });

  it("time.parse_duration_ns follows Go's ParseDuration", () => {
    expect(call("time.parse_duration_ns", "100ms")).toBe(100000000);
    expect(call("time.parse_duration_ns", "1h30m1.5s")).toBe(5401500000000);
    expect(call("time.parse_duration_ns", "-1.5µs")).toBe(-1500);
    expect(call("time.parse_duration_ns", "0")).toBe(0);
    expect(errorOf("time.parse_duration_ns", "3").message).toBe(
      'time.parse_duration_ns: time: missing unit in duration "3"',
    );
    expect(errorOf("time.parse_duration_ns", "1x").message).toBe(
      'time.parse_duration_ns: time: unknown unit "x" in duration "1x"',
    );
  });

  it("time.date, time.clock and time.weekday honour time zones", () => {
    expect(js("time.clock", v([1517832000000000000, "America/New_York"]))).toEqual([7, 0, 0]);
    expect(js("time.clock", 1582977600000000000)).toEqual([12, 0, 0]);
    expect(js("time.date", v([1582977600000000000, "Asia/Tokyo"]))).toEqual([2020, 2, 29]);
    expect(call("time.weekday", 1518177600000000000)).toBe("Friday");
    expect(errorOf("time.date", 1582977600n * 1_000_000_000_000n)).toEqual({
      kind: "builtin",
      message: "time.date: timestamp too big",
    });
    expect(errorOf("time.date", v([0, "Nowhere/City"])).message).toBe(
      "time.date: unknown time zone Nowhere/City",
    );
    expect(errorOf("time.date", "x").kind).toBe("type");
  });

  it("time.format prints Go layouts, default RFC3339Nano", () => {
    const t = 1670006453141828752n;
    expect(call("time.format", t)).toBe("2022-12-02T18:40:53.141828752Z");
    expect(call("time.format", v([t, "Asia/Kolkata"]))).toBe("2022-12-03T00:10:53.141828752+05:30");
    expect(call("time.format", v([t, "Asia/Kolkata", "Mon Jan 02 15:04:05 -0700 2006"]))).toBe(
      "Sat Dec 03 00:10:53 +0530 2022",
    );
    expect(call("time.format", v([t, "Asia/Kolkata", "RFC1123Z"]))).toBe(
      "Sat, 03 Dec 2022 00:10:53 +0530",
    );
    expect(call("time.format", v([t, "America/New_York", "RFC1123"]))).toBe(
      "Fri, 02 Dec 2022 13:40:53 EST",
    );
    expect(call("time.format", v([t, "UTC", "2006-01-02 3:04PM .000 __2"]))).toBe(
      "2022-12-02 6:40PM .141 336",
    );
    expect(errorOf("time.format", 1582977600 * 10e12).message).toBe(
      "time.format: timestamp too big",
    );
  });

  const zoneinfo = existsSync("/usr/share/zoneinfo/UTC");
  it.skipIf(!zoneinfo)(
    "with a zoneinfo database: Go's abbreviations and case-sensitive zone names (skipped without /usr/share/zoneinfo)",
    () => {
      const t = 1670006453141828752n;
      expect(call("time.format", v([t, "Asia/Tokyo", "MST"]))).toBe("JST");
      expect(call("time.format", v([t, "Asia/Singapore", "MST"]))).toBe("+08");
      expect(call("time.format", v([t, "Europe/Berlin", "UnixDate"]))).toBe(
        "Fri Dec  2 19:40:53 CET 2022",
      );
      expect(call("time.format", v([1656006453141828752n, "Europe/Berlin", "MST"]))).toBe("CEST");
      expect(errorOf("time.clock", v([t, "america/new_york"])).message).toBe(
        "time.clock: unknown time zone america/new_york",
      );
    },
  );

  it("time.add_date normalises like Go's AddDate and checks the int64 range", () => {
    expect(call("time.add_date", 1585852421593912000n, 3, 9, 12)).toBe(1705257221593912000n);
    // 31 January + 1 month overflows into March, as in Go.
    const jan31 = call("time.parse_ns", "2006-01-02", "2021-01-31") as bigint;
    expect(js("time.date", call("time.add_date", jan31, 0, 1, 0) as Value)).toEqual([2021, 3, 3]);
    expect(errorOf("time.add_date", 0, 2262, 1, 1).message).toBe(
      "time.add_date: time outside of valid range",
    );
  });

  it("time.diff counts calendar units, converting the second time to the first's zone", () => {
    const day = (s: string): Value => call("time.parse_ns", "2006-01-02", s) as Value;
    expect(js("time.diff", day("2020-02-02"), day("2020-03-01"))).toEqual([0, 0, 28, 0, 0, 0]);
    expect(js("time.diff", day("2021-02-02"), day("2021-03-01"))).toEqual([0, 0, 27, 0, 0, 0]);
    expect(js("time.diff", day("2004-02-29"), day("2005-03-01"))).toEqual([1, 0, 1, 0, 0, 0]);
    const now = 1_700_000_000_000_000_000n;
    expect(js("time.diff", v([now + 60_000_000_000n, "UTC"]), v([now, "Asia/Shanghai"]))).toEqual([
      0, 0, 0, 0, 1, 0,
    ]);
  });
});

describe("semver", () => {
  it("accepts only strict SemVer 2.0.0", () => {
    for (const ok of ["0.0.0", "1.2.3-0", "1.2.3-0a", "1.2.3+01", "1.0.0-alpha.1+build.5"]) {
      expect(call("semver.is_valid", ok)).toBe(true);
    }
    for (const bad of [
      "01.2.3",
      "1.02.3",
      "1.2.03",
      "1.2.3-01",
      "1.2.3-",
      "1.2.3+",
      "v1.2.3",
      "1.2",
    ]) {
      expect(call("semver.is_valid", bad)).toBe(false);
    }
    expect(call("semver.is_valid", 1)).toBe(false);
  });

  it("compares by precedence, ignoring build metadata", () => {
    expect(call("semver.compare", "1.0.0", "2.0.0")).toBe(-1);
    expect(call("semver.compare", "1.2.3+01", "1.2.3+2")).toBe(0);
    expect(call("semver.compare", "1.0.0-alpha", "1.0.0-alpha.1")).toBe(-1);
    expect(call("semver.compare", "1.0.0-2", "1.0.0-10")).toBe(-1);
    expect(call("semver.compare", "1.0.0-rc.1", "1.0.0")).toBe(-1);
    expect(errorOf("semver.compare", "1.2.3", "1.2.3-01")).toEqual({
      kind: "builtin",
      message: 'semver.compare: operand 2: string "1.2.3-01" is not a valid SemVer',
    });
  });
});

describe("net", () => {
  it("net.cidr_contains takes addresses and networks, IPv4 and IPv6", () => {
    expect(call("net.cidr_contains", "10.0.0.0/8", "10.1.2.3")).toBe(true);
    expect(call("net.cidr_contains", "10.0.0.0/8", "10.1.0.0/24")).toBe(true);
    expect(call("net.cidr_contains", "10.0.0.0/24", "10.0.0.0/8")).toBe(false);
    expect(
      call("net.cidr_contains", "2001:4860:4860::8888/32", "2001:4860:4860:1234::8888/40"),
    ).toBe(true);
    expect(call("net.cidr_contains", "10.0.0.0/8", "::ffff:10.1.2.3")).toBe(true);
    expect(errorOf("net.cidr_contains", "not-a-cidr", "1.2.3.4").message).toBe(
      "net.cidr_contains: invalid CIDR address: not-a-cidr",
    );
    expect(errorOf("net.cidr_contains", "192.168.1.0/28", "not-a-cidr").message).toBe(
      "net.cidr_contains: not a valid textual representation of an IP address or CIDR: not-a-cidr",
    );
  });

  it("net.cidr_is_valid uses Go's strict parser", () => {
    expect(call("net.cidr_is_valid", "192.168.1.0/24")).toBe(true);
    expect(call("net.cidr_is_valid", "2002::1234:abcd:ffff:c0a8:101/64")).toBe(true);
    for (const bad of ["", "there goes a string", "192.168.1.2", "010.1.1.1/8", "10.0.0.0/33"]) {
      expect(call("net.cidr_is_valid", bad)).toBe(false);
    }
  });

  it("expands, merges, intersects and matches", () => {
    expect(js("net.cidr_expand", "192.168.1.0/30")).toEqual([
      "192.168.1.0",
      "192.168.1.1",
      "192.168.1.2",
      "192.168.1.3",
    ]);
    expect(js("net.cidr_expand", "2001:db8::/127")).toEqual(["2001:db8::", "2001:db8::1"]);
    expect(js("net.cidr_merge", v(["192.0.128.0/24", "192.0.129.0/24"]))).toEqual([
      "192.0.128.0/23",
    ]);
    expect(
      js("net.cidr_merge", v(["10.0.0.0/24", "10.0.0.0/8", "2001:db8::/33", "2001:db8:8000::/33"])),
    ).toEqual(["10.0.0.0/8", "2001:db8::/32"]);
    expect(call("net.cidr_intersects", "192.168.0.0/16", "192.168.1.0/24")).toBe(true);
    expect(call("net.cidr_intersects", "192.168.0.0/24", "192.168.1.0/24")).toBe(false);
    expect(js("net.cidr_contains_matches", v(["1.1.1.0/24", "1.1.2.0/24"]), "1.1.1.128")).toEqual([
      [0, "1.1.1.128"],
    ]);
    expect(errorOf("net.cidr_expand", "10.0.0.0/8").kind).toBe("builtin");
  });
});

describe("uuid", () => {
  it("uuid.rfc4122 is a random v4 UUID, stable per key within one query", () => {
    const c = ctx();
    const a1 = callIn(c, "uuid.rfc4122", "a");
    expect(a1).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(callIn(c, "uuid.rfc4122", "a")).toBe(a1);
    expect(callIn(c, "uuid.rfc4122", "b")).not.toBe(a1);
    expect(callIn(ctx(), "uuid.rfc4122", "a")).not.toBe(a1);
  });

  it("uuid.parse decodes versions 1-2 and accepts google/uuid's spellings", () => {
    expect(js("uuid.parse", "000003e8-48b9-21ee-b200-325096b39f47")).toEqual({
      clocksequence: 12800,
      domain: "Person",
      id: 1000,
      macvariables: "local:unicast",
      nodeid: "32-50-96-b3-9f-47",
      time: 1693566990121469600n,
      variant: "RFC4122",
      version: 2,
    });
    expect(js("uuid.parse", "{00000000-0000-4000-8000-000000000000}")).toEqual({
      variant: "RFC4122",
      version: 4,
    });
    expect(js("uuid.parse", "6bea8ef2d3d33cd184e09bab06a52ece")).toEqual({
      variant: "RFC4122",
      version: 3,
    });
    expect(call("uuid.parse", "not-a-uuid")).toBeUndefined();
  });
});

describe("jsonschema", () => {
  const schema = v({ properties: { id: { type: "integer" } }, required: ["id"] });

  it("json.match_schema returns [valid, errors] in gojsonschema's shape", () => {
    expect(js("json.match_schema", v({ id: 5 }), schema)).toEqual([true, []]);
    expect(
      js("json.match_schema", '{"id": 5}', '{"properties": {"id": {"type": "integer"}}}'),
    ).toEqual([true, []]);
    expect(js("json.match_schema", v({ id: "foo" }), schema)).toEqual([
      false,
      [
        {
          desc: "Invalid type. Expected: integer, given: string",
          error: "id: Invalid type. Expected: integer, given: string",
          field: "id",
          type: "invalid_type",
        },
      ],
    ]);
    expect(js("json.match_schema", v({}), schema)).toEqual([
      false,
      [
        {
          desc: "id is required",
          error: "(root): id is required",
          field: "(root)",
          type: "required",
        },
      ],
    ]);
    expect((js("json.match_schema", v({ value: "allow" }), v({ enum: [] })) as unknown[])[0]).toBe(
      false,
    );
  });

  it("matches patterns with RE2 semantics", () => {
    const s = v({ properties: { a: { pattern: "^x+$" } } });
    expect((js("json.match_schema", v({ a: "xxx" }), s) as unknown[])[0]).toBe(true);
    expect((js("json.match_schema", v({ a: "xyz" }), s) as unknown[])[1]).toEqual([
      {
        desc: "Does not match pattern '^x+$'",
        error: "a: Does not match pattern '^x+$'",
        field: "a",
        type: "pattern",
      },
    ]);
  });

  it("checks gojsonschema's default formats and draft-04 boolean exclusive bounds", () => {
    const s = v({
      properties: {
        d: { format: "date-time" },
        ip: { format: "ipv4" },
        n: { type: "number", maximum: 5, exclusiveMaximum: true },
      },
    });
    expect(
      js("json.match_schema", v({ d: "2020-01-01T00:00:00Z", ip: "1.2.3.4", n: 4 }), s),
    ).toEqual([true, []]);
    const [ok, errors] = js("json.match_schema", v({ d: "2020-01-01", ip: "1.2.3", n: 5 }), s) as [
      boolean,
      { field: string; type: string; desc: string }[],
    ];
    expect(ok).toBe(false);
    expect(errors.map((e) => [e.field, e.type, e.desc]).sort()).toEqual([
      ["d", "format", "Does not match format 'date-time'"],
      ["ip", "format", "Does not match format 'ipv4'"],
      ["n", "number_lt", "Must be less than 5"],
    ]);
  });

  it("reports invalid schemas as gojsonschema words them", () => {
    const bad = v({ properties: { id: { type: "unknown" } } });
    const msg =
      "has a primitive type that is NOT VALID -- given: /unknown/ Expected valid values are:[array boolean integer number null object string]";
    expect(errorOf("json.match_schema", v({ id: 1 }), bad)).toEqual({
      kind: "builtin",
      message: `json.match_schema: ${msg}`,
    });
    expect(js("json.verify_schema", bad)).toEqual([false, `jsonschema: ${msg}`]);
    expect(js("json.verify_schema", schema)).toEqual([true, null]);
    expect(js("json.verify_schema", "{")).toEqual([false, "jsonschema: invalid JSON string"]);
  });
});

describe("graph", () => {
  const g = v({
    a: new Set(["b", "c"]),
    b: new Set(["d"]),
    c: new Set(["d"]),
    d: new Set(),
    e: new Set(["f"]),
    f: new Set(["e"]),
    x: new Set(["x"]),
  });

  it("graph.reachable walks from the initial vertices", () => {
    expect(js("graph.reachable", g, set("b", "e"))).toEqual(["b", "d", "e", "f"]);
    expect(js("graph.reachable", v({ a: ["b"], b: ["c"], c: ["a"] }), v(["a"]))).toEqual([
      "a",
      "b",
      "c",
    ]);
    expect(errorOf("graph.reachable", v({ a: [] }), "a").kind).toBe("type");
  });

  it("graph.reachable_paths lists maximal paths, stopping at cycles and unknown vertices", () => {
    expect(js("graph.reachable_paths", g, set("b", "e"))).toEqual([
      ["b", "d"],
      ["e", "f"],
    ]);
    expect(js("graph.reachable_paths", v({ a: ["b", "c"], b: ["c"], c: [] }), set("a"))).toEqual([
      ["a", "b", "c"],
      ["a", "c"],
    ]);
    expect(js("graph.reachable_paths", v({ a: ["b"], b: ["nonexistent"] }), set("a", "b"))).toEqual(
      [["a", "b"], ["b"]],
    );
    expect(js("graph.reachable_paths", v({ a: null }), v(["a"]))).toEqual([["a"]]);
  });
});

describe("crypto", () => {
  it("digests and HMACs are lower-case hex of the UTF-8 bytes", () => {
    expect(call("crypto.sha256", "hello")).toBe(
      "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
    );
    expect(call("crypto.sha1", "hello")).toBe("aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d");
    expect(call("crypto.md5", "hello")).toBe("5d41402abc4b2a76b9719d911017c592");
    expect(call("crypto.hmac.sha256", "hello", "key")).toBe(
      "9307b3b915efb5171ff14d8cb55fbcc798c6c0ef1456d66ded1a6aa723a58b7b",
    );
    expect(call("crypto.hmac.equal", "abc", "abc")).toBe(true);
    expect(call("crypto.hmac.equal", "abc", "abd")).toBe(false);
    expect(errorOf("crypto.sha256", 1).message).toBe(
      "crypto.sha256: operand 1 must be string but got number",
    );
  });
});

describe("io.jwt", () => {
  const b64 = (x: unknown): string => Buffer.from(JSON.stringify(x)).toString("base64url");
  const hs256 = (header: unknown, payload: unknown, secret: string): string => {
    const body = `${b64(header)}.${b64(payload)}`;
    return `${body}.${createHmac("sha256", secret).update(body).digest("base64url")}`;
  };
  const nowNs = 1_700_000_000_000_000_000n;
  const nowSec = 1_700_000_000;

  it("io.jwt.decode returns header, payload and the hex signature", () => {
    const token = hs256({ alg: "HS256", typ: "JWT" }, { sub: "alice" }, "s3cret");
    const [header, payload, sig] = js("io.jwt.decode", token) as [unknown, unknown, string];
    expect(header).toEqual({ alg: "HS256", typ: "JWT" });
    expect(payload).toEqual({ sub: "alice" });
    expect(sig).toMatch(/^[0-9a-f]{64}$/);
    expect(errorOf("io.jwt.decode", "abc").message).toBe(
      "io.jwt.decode: encoded JWT had no period separators",
    );
    expect(errorOf("io.jwt.decode", "a.b").message).toBe(
      "io.jwt.decode: encoded JWT must have 3 sections, found 2",
    );
  });

  it("io.jwt.decode_verify checks signature, issuer, audience and expiry", () => {
    const claims = { iss: "issuer", aud: "svc", exp: nowSec + 60, owner: "alice" };
    const token = hs256({ alg: "HS256" }, claims, "s3cret");
    const verify = (c: unknown): unknown =>
      toJS(callIn(ctx(nowNs), "io.jwt.decode_verify", token, v(c)) as Value);
    expect(verify({ secret: "s3cret", iss: "issuer", aud: "svc" })).toEqual([
      true,
      { alg: "HS256" },
      claims,
    ]);
    expect(verify({ secret: "wrong", aud: "svc" })).toEqual([false, {}, {}]);
    expect(verify({ secret: "s3cret", iss: "other", aud: "svc" })).toEqual([false, {}, {}]);
    expect(verify({ secret: "s3cret" })).toEqual([false, {}, {}]); // token has aud, constraint has none
    expect(verify({ secret: "s3cret", aud: "svc", time: (nowSec + 61) * 1e9 })).toEqual([
      false,
      {},
      {},
    ]);
    expect(verify({ secret: "s3cret", aud: "svc", alg: "RS256" })).toEqual([false, {}, {}]);
    expect(() => verify({ aud: "svc" })).toThrow("io.jwt.decode_verify: no key constraint");
    expect(() => verify({ secret: "s3cret", bogus: 1 })).toThrow(
      "io.jwt.decode_verify: unknown token validation constraint: bogus",
    );
  });

  it("io.jwt.encode_sign signs with the first JWK and round-trips through verification", () => {
    const oct = v({ kty: "oct", k: Buffer.from("secret").toString("base64url") });
    const token = call(
      "io.jwt.encode_sign",
      v({ typ: "JWT", alg: "HS256" }),
      v({ sub: "a<b" }),
      oct,
    );
    expect(String(token).split(".")[0]).toBe(
      Buffer.from('{"alg":"HS256","typ":"JWT"}').toString("base64url"),
    );
    expect(String(token).split(".")[1]).toBe(
      Buffer.from('{"sub":"a\\u003cb"}').toString("base64url"),
    );
    expect(call("io.jwt.verify_hs256", token as Value, "secret")).toBe(true);
    expect(call("io.jwt.verify_hs256", token as Value, "other")).toBe(false);

    const ec = generateKeyPairSync("ec", { namedCurve: "P-384" });
    const raw = call(
      "io.jwt.encode_sign_raw",
      '{"alg":"ES384"}',
      '{"n":1}',
      JSON.stringify({ keys: [ec.privateKey.export({ format: "jwk" })] }),
    ) as string;
    expect(
      call("io.jwt.verify_es384", raw, JSON.stringify(ec.publicKey.export({ format: "jwk" }))),
    ).toBe(true);
    expect(
      errorOf(
        "io.jwt.encode_sign_raw",
        '{"alg":"none"}',
        "{}",
        JSON.stringify({ keys: [{ kty: "oct", k: "" }] }),
      ).message,
    ).toBe("io.jwt.encode_sign_raw: unknown JWS algorithm: none");
    expect(
      errorOf(
        "io.jwt.encode_sign_raw",
        '{"alg":"HS256"}',
        "not json",
        '{"kty":"oct","k":"c2VjcmV0"}',
      ).message,
    ).toBe("io.jwt.encode_sign_raw: type is JWT but payload is not JSON");
  });

  it("verifies RS256 with a PEM public key and ES256 with a JWK set by kid", () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const body = `${b64({ alg: "RS256" })}.${b64({ sub: "x" })}`;
    const rsToken = `${body}.${sign("sha256", Buffer.from(body), rsa.privateKey).toString("base64url")}`;
    const pem = rsa.publicKey.export({ type: "spki", format: "pem" }).toString();
    expect(call("io.jwt.verify_rs256", rsToken, pem)).toBe(true);
    expect(call("io.jwt.verify_rs256", rsToken.slice(0, -4) + "AAAA", pem)).toBe(false);
    expect(call("io.jwt.verify_hs256", rsToken, "secret")).toBe(false);

    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const ecBody = `${b64({ alg: "ES256", kid: "k2" })}.${b64({ sub: "y" })}`;
    const ecSig = sign("sha256", Buffer.from(ecBody), {
      key: ec.privateKey,
      dsaEncoding: "ieee-p1363",
    });
    const ecToken = `${ecBody}.${ecSig.toString("base64url")}`;
    const other = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const jwks = JSON.stringify({
      keys: [
        { ...other.publicKey.export({ format: "jwk" }), kid: "k1", alg: "ES256" },
        { ...ec.publicKey.export({ format: "jwk" }), kid: "k2", alg: "ES256" },
      ],
    });
    expect(call("io.jwt.verify_es256", ecToken, jwks)).toBe(true);
    expect(
      toJS(callIn(ctx(nowNs), "io.jwt.decode_verify", ecToken, v({ cert: jwks })) as Value),
    ).toEqual([true, { alg: "ES256", kid: "k2" }, { sub: "y" }]);
  });
});

describe("round trips (property tests)", () => {
  // JSON-shaped Rego values: what json/yaml text must carry without loss.
  const jsonValue = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.constant(null),
      fc.boolean(),
      fc.integer({ min: -1e9, max: 1e9 }),
      fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
      // Rego's number invariant: whole numbers beyond ±2^53 are bigints, not doubles.
      fc
        .double({ noNaN: true, noDefaultInfinity: true })
        .map((d) => (Number.isInteger(d) && !Number.isSafeInteger(d) ? BigInt(d) : d)),
      fc.string({ unit: "binary" }),
      fc.array(tie("value"), { maxLength: 4 }),
      fc.dictionary(fc.string({ unit: "grapheme" }), tie("value"), { maxKeys: 4 }),
    ),
  })).value;

  it("json.unmarshal(json.marshal(x)) == x", () => {
    fc.assert(
      fc.property(jsonValue, (x) => {
        const val = v(x);
        const text = call("json.marshal", val) as string;
        // Rego equality: -0 and 0 are the same number.
        expect(equal(call("json.unmarshal", text) as Value, val)).toBe(true);
        expect(JSON.parse(text.replace(/\d{16,}/g, "0"))).toBeDefined();
      }),
      { numRuns: 300 },
    );
  });

  it("yaml.unmarshal(yaml.marshal(x)) == x", () => {
    fc.assert(
      fc.property(jsonValue, (x) => {
        const val = v(x);
        const text = call("yaml.marshal", val) as string;
        expect(equal(call("yaml.unmarshal", text) as Value, val)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("base64, base64url and hex decode what they encode", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (s) => {
        expect(call("base64.decode", call("base64.encode", s) as string)).toBe(s);
        expect(call("base64url.decode", call("base64url.encode", s) as string)).toBe(s);
        expect(call("base64url.decode", call("base64url.encode_no_pad", s) as string)).toBe(s);
        expect(call("hex.decode", call("hex.encode", s) as string)).toBe(s);
        expect(call("urlquery.decode", call("urlquery.encode", s) as string)).toBe(s);
      }),
    );
  });

  it("time.parse_rfc3339_ns(time.format(ns)) == ns over the whole int64 range", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (ns) => {
        const val = v(ns);
        const text = call("time.format", val) as string;
        expect(call("time.parse_rfc3339_ns", text)).toBe(val);
        const [y, m, d] = js("time.date", val) as number[];
        expect(
          text.startsWith(`${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}T`),
        ).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("time.format in a zone parses back to the same instant", () => {
    const zones = [
      "UTC",
      "America/New_York",
      "Asia/Kolkata",
      "Europe/Berlin",
      "Australia/Lord_Howe",
    ];
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 4_000_000_000_000_000_000n }),
        fc.constantFrom(...zones),
        (ns, zone) => {
          const text = call("time.format", v([ns, zone])) as string;
          expect(call("time.parse_rfc3339_ns", text)).toBe(v(ns));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("robustness", () => {
  // Strings that reach deeper code paths than random text does.
  const interesting = fc.constantFrom(
    "",
    "a/b",
    "/",
    "10.0.0.0/8",
    "::1",
    "2001:db8::/64",
    "1.2.3",
    "1.2.3-rc.1+b",
    "2006-01-02",
    "2020-02-29",
    "RFC3339",
    "UTC",
    "America/New_York",
    "1h2m",
    '{"a": [1, 2]}',
    "a: [1, {b: 2}]",
    "aGVsbG8=",
    "00000000-0000-4000-8000-000000000000",
    "eyJhbGciOiJIUzI1NiJ9.e30.c2ln",
    "%zz",
  );
  const scalar = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }),
    fc.double({ noNaN: true }),
    fc.string(),
    interesting,
  );
  const value: fc.Arbitrary<Value> = fc.letrec<{ v: Value }>((tie) => ({
    v: fc.oneof(
      { depthSize: "small" },
      scalar.map((x) => fromJS(x)),
      fc.array(tie("v"), { maxLength: 4 }),
      fc
        .array(fc.tuple(fc.oneof(interesting, fc.string()), tie("v")), { maxLength: 4 })
        .map((es) => new RObject(es)),
      fc.array(fc.tuple(tie("v"), tie("v")), { maxLength: 3 }).map((es) => new RObject(es)),
      fc.array(tie("v"), { maxLength: 4 }).map((xs) => new RSet(xs)),
    ),
  })).v;

  it("every built-in answers random operands with a value, undefined or a Rego error", () => {
    const names = Object.keys(ALL);
    fc.assert(
      fc.property(
        fc.constantFrom(...names),
        fc.array(value, { minLength: 4, maxLength: 4 }),
        (name, args) => {
          const def = ALL[name];
          try {
            def.impl(args.slice(0, def.arity), ctx());
          } catch (e) {
            if (!(e instanceof BuiltinError) && !(e instanceof BuiltinTypeError)) {
              throw new Error(
                `${name}(${args
                  .slice(0, def.arity)
                  .map((a) =>
                    JSON.stringify(toJS(a), (_k, x) => (typeof x === "bigint" ? `${x}n` : x)),
                  )
                  .join(", ")}) leaked ${String(e)}`,
                { cause: e },
              );
            }
          }
        },
      ),
      { numRuns: Number(process.env.BUILTINS_B_FUZZ_RUNS ?? 3000) },
    );
  });
});
