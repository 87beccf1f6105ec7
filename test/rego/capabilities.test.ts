/** Built-ins registered from TypeScript (like OPA's rego.Function) and capabilities documents. */
import { describe, expect, it } from "vitest";
import { compile, RegoError, type Capabilities } from "../../rego/index";

function evalQ(
  src: string,
  query: string,
  opts: Parameters<typeof compile>[1],
  strict = false,
): unknown {
  const p = compile([{ file: "p.rego", source: src }], opts);
  const rs = p.prepare(query).eval({ strictBuiltinErrors: strict });
  return rs[0]?.bindings.x;
}

describe("custom built-ins", () => {
  it("calls a TypeScript built-in with plain values and converts its result", () => {
    const src = `package p\nr := acme.lookup_owner("svc-a")\nn := count(acme.lookup_owner("svc-b"))`;
    const builtins = {
      "acme.lookup_owner": {
        arity: 1,
        impl: ([svc]: unknown[]) => (svc === "svc-a" ? { team: "payments" } : ["a", "b", "c"]),
      },
    };
    expect(evalQ(src, "x = data.p.r", { builtins })).toEqual({ team: "payments" });
    expect(evalQ(src, "x = data.p.n", { builtins })).toBe(3);
  });

  it("undefined result and thrown errors behave like OPA's built-ins", () => {
    const builtins = {
      "acme.maybe": { arity: 1, impl: ([v]: unknown[]) => (v === 1 ? true : undefined) },
      "acme.boom": {
        arity: 0,
        impl: () => {
          throw new Error("backend down");
        },
      },
    };
    const src = `package p\na if acme.maybe(2)\nb if acme.boom()\nc if acme.maybe(1)`;
    expect(evalQ(src, "x = data.p", { builtins })).toEqual({ c: true });
    expect(() => evalQ(src, "x = data.p.b", { builtins }, true)).toThrow(
      /acme\.boom: backend down/,
    );
  });

  it("an unknown function is still a compile error", () => {
    expect(() => compile([{ file: "p.rego", source: "package p\nr := acme.nope(1)" }])).toThrow(
      RegoError,
    );
  });

  it("may supply http.send (network built-ins are refused unless the host provides them)", () => {
    const src = `package p\nr := http.send({"method": "GET", "url": "https://x"}).status_code`;
    expect(() => evalQ(src, "x = data.p.r", {}, true)).toThrow(/network access is disabled/);
    const builtins = { "http.send": { arity: 1, impl: () => ({ status_code: 204 }) } };
    expect(evalQ(src, "x = data.p.r", { builtins })).toBe(204);
  });
});

describe("capabilities", () => {
  const caps: Capabilities = {
    builtins: [
      { name: "count", decl: { args: [{ type: "any" }] } },
      { name: "eq", decl: { args: [{}, {}] } },
      { name: "equal", decl: { args: [{}, {}] } },
      { name: "assign", decl: { args: [{}, {}] } },
      { name: "tool.special", decl: { args: [{ type: "string" }, { type: "number" }] } },
    ],
  };

  it("restricts the built-ins to those listed", () => {
    expect(evalQ("package p\nr := count([1])", "x = data.p.r", { capabilities: caps })).toBe(1);
    expect(() =>
      compile([{ file: "p.rego", source: 'package p\nr := upper("a")' }], { capabilities: caps }),
    ).toThrow(/undefined function upper/);
  });

  it("declares tool built-ins: they compile, can be mocked, and fail clearly when called", () => {
    const src = `package p
r := tool.special("a", 1)
mock(_, _) := "mocked"
test_mocked if r == "mocked" with tool.special as mock`;
    expect(evalQ(src, "x = data.p.test_mocked", { capabilities: caps })).toBe(true);
    expect(() => evalQ(src, "x = data.p.r", { capabilities: caps }, true)).toThrow(
      /tool\.special: declared by the capabilities but not implemented here/,
    );
    expect(() =>
      compile([{ file: "p.rego", source: 'package p\nr := tool.special("a")' }], {
        capabilities: caps,
      }),
    ).toThrow(/arity mismatch/);
  });

  it("a registered built-in implements a declared one", () => {
    const builtins = { "tool.special": { arity: 2, impl: ([s, n]: unknown[]) => `${s}${n}` } };
    expect(
      evalQ('package p\nr := tool.special("a", 1)', "x = data.p.r", {
        capabilities: caps,
        builtins,
      }),
    ).toBe("a1");
  });
});

describe("internal.print", () => {
  it("prints each argument's values, <undefined> for none", () => {
    const lines: string[] = [];
    compile([])
      .prepare('internal.print([{"a"}, set(), {[1, "b"]}])')
      .eval({ print: (l) => lines.push(l) });
    expect(lines).toEqual(['a <undefined> [1, "b"]']);
  });
});
