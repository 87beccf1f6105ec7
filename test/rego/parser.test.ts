import { describe, expect, it } from "vitest";
import { RegoError, compile, parseModule } from "../../rego/index";

function parseErr(src: string): RegoError {
  try {
    parseModule("bad.rego", src);
  } catch (err) {
    if (err instanceof RegoError) return err;
    throw err;
  }
  throw new Error("expected a parse error");
}

describe("parser", () => {
  it("parses Rego v1 rules of every kind", () => {
    const m = parseModule(
      "m.rego",
      `package a.b
import rego.v1
import future.keywords.in
import data.lib.util as u
import input.user

default allow := false
allow if input.role == "admin"
deny contains msg if { some x in input.xs; x > 1; msg := "big" }
obj[k] := v if { some k, v in input.m }
a.b[x] contains y if { x := "k"; y := 1 }
f(x) := y if { y := x + 1 } else := 0
p := [y | some y in [1, 2]]
q := {k: v | some k, v in {"a": 1}}
r := {v | some v in {1, 2}}
s := \`raw\\nstring\`
t if every x in [1, 2] { x > 0 }
`,
    );
    expect(m.packagePath).toEqual(["a", "b"]);
    expect(m.imports).toHaveLength(4);
    expect(m.rules.map((r) => (r.head.ref[0] as { name: string }).name)).toEqual([
      "allow",
      "allow",
      "deny",
      "obj",
      "a",
      "f",
      "p",
      "q",
      "r",
      "s",
      "t",
    ]);
    expect(m.rules[5].elseRule).toBeDefined();
  });

  it("splits body literals on newlines and semicolons but keeps bracketed terms together", () => {
    const m = parseModule(
      "m.rego",
      `package p
x if {
  a := [1,
    2]; b := 3
  c := {"k": a,
        "j": b}
}`,
    );
    expect(m.rules[0].body).toHaveLength(3);
  });

  it("reports parse errors with file, row and column", () => {
    const err = parseErr("package p\n\np if {\n  x := \n}\n");
    expect(err.code).toBe("rego_parse_error");
    expect(err.errors[0].location).toMatchObject({ file: "bad.rego", row: 5 });
    expect(err.message).toMatch(/^bad\.rego:5:\d+: rego_parse_error: /);
  });

  it("requires `if` before a rule body (Rego v1)", () => {
    expect(parseErr("package p\np { true }\n").message).toContain("`if` keyword is required");
  });

  it("rejects unterminated strings and illegal characters", () => {
    expect(parseErr('package p\nx := "abc\n').code).toBe("rego_parse_error");
    expect(parseErr("package p\nx := 1 ^ 2\n").code).toBe("rego_parse_error");
  });

  it("reports every module's parse error from compile()", () => {
    try {
      compile([
        { file: "a.rego", source: "package a\nx := \n" },
        { file: "b.rego", source: "package b\ny := ]\n" },
      ]);
      expect.unreachable();
    } catch (err) {
      expect((err as RegoError).errors.map((e) => e.location?.file)).toEqual(["a.rego", "b.rego"]);
    }
  });

  it("keeps big integer literals exact", () => {
    const m = parseModule("m.rego", "package p\nx := 123456789012345678901234567890\n");
    const v = m.rules[0].head.value as { value: unknown };
    expect(v.value).toBe(123456789012345678901234567890n);
  });
});
