/**
 * uri.parse / uri.is_valid: URIs split as Go's net/url.Parse splits them (OPA's implementation),
 * only the present parts returned, and Parse's refusals reported as errors / false.
 */
import { describe, expect, it } from "vitest";
import { toJS, type Value } from "../../rego/value";
import { BuiltinError, BuiltinTypeError } from "../../rego/builtins/types";
import { builtinsOf } from "../../rego/builtins";
import { builtinContext, callBuiltin, thrownBy } from "../support/builtin-harness";
import { value } from "./helpers";

const URI = builtinsOf("uri");
const call = (name: string, ...args: Value[]): unknown =>
  toJS(callBuiltin(URI, builtinContext(), name, ...args) as Value);
const failure = (name: string, ...args: Value[]): Error =>
  thrownBy(name, () => call(name, ...args));

describe("uri.parse", () => {
  it("splits a full URL, unescaping path and fragment but not the query", () => {
    expect(call("uri.parse", "HTTPS://user:pw@Example.com:8443/a%20b/c?x=1&y=%41#frag%21")).toEqual(
      {
        scheme: "https",
        hostname: "Example.com",
        port: "8443",
        path: "/a b/c",
        raw_path: "/a b/c",
        raw_query: "x=1&y=%41",
        fragment: "frag!",
      },
    );
  });

  it("keeps raw_path as written when it escapes what Go would not (an encoded slash)", () => {
    expect(call("uri.parse", "https://h/a%2Fb")).toEqual({
      scheme: "https",
      hostname: "h",
      path: "/a/b",
      raw_path: "/a%2Fb",
    });
  });

  it("returns only the parts present", () => {
    expect(call("uri.parse", "http://example.com")).toEqual({
      scheme: "http",
      hostname: "example.com",
    });
    expect(call("uri.parse", "mailto:joe@example.com")).toEqual({ scheme: "mailto" });
    expect(call("uri.parse", "//cdn.example/x.js")).toEqual({
      hostname: "cdn.example",
      path: "/x.js",
      raw_path: "/x.js",
    });
    expect(call("uri.parse", "a/b?c")).toEqual({ path: "a/b", raw_path: "a/b", raw_query: "c" });
    expect(call("uri.parse", "")).toEqual({});
  });

  it("strips the brackets of an IPv6 host and splits its port", () => {
    expect(call("uri.parse", "http://[::1]:80/")).toEqual({
      scheme: "http",
      hostname: "::1",
      port: "80",
      path: "/",
      raw_path: "/",
    });
  });

  it("fails where Go's url.Parse fails, naming the input", () => {
    const cases: [string, string][] = [
      ["http://x:abc/", 'invalid port ":abc" after host'],
      ["http://[::1/", "missing ']' in host"],
      ["http://a b/", 'invalid character " " in host name'],
      ["/p%zz", 'invalid URL escape "%zz"'],
      [":foo", "missing protocol scheme"],
      ["1:foo", "first path segment in URL cannot contain colon"],
      ["http://x/\u0001", "net/url: invalid control character in URL"],
      ["http://u|x@h/", "net/url: invalid userinfo"],
    ];
    for (const [input, why] of cases) {
      const e = failure("uri.parse", input);
      expect(e).toBeInstanceOf(BuiltinError);
      expect(e.message).toBe(`uri.parse: parse ${JSON.stringify(input)}: ${why}`);
    }
  });

  it("is a type error for a non-string", () => {
    expect(failure("uri.parse", 1)).toBeInstanceOf(BuiltinTypeError);
  });
});

describe("uri.is_valid", () => {
  it("is true for what url.Parse accepts and false for what it refuses", () => {
    for (const ok of ["https://example.com/x", "/relative/path", "mailto:a@b", "?q", "#f"])
      expect([ok, call("uri.is_valid", ok)]).toEqual([ok, true]);
    for (const bad of ["http://x:abc/", "%", ":x", "http://a b/", "http://x/#%zz"])
      expect([bad, call("uri.is_valid", bad)]).toEqual([bad, false]);
  });

  it("is false for the empty string and for non-strings", () => {
    expect(call("uri.is_valid", "")).toBe(false);
    expect(call("uri.is_valid", 3)).toBe(false);
  });

  it("works from a policy, feeding raw_query to urlquery.decode_object", () => {
    const policy = `package u
q := urlquery.decode_object(uri.parse(input.url).raw_query)`;
    expect(value(policy, "data.u.q", { input: { url: "https://h/p?a=1&a=2&b=x" } })).toEqual({
      a: ["1", "2"],
      b: ["x"],
    });
  });
});
