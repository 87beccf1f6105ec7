/**
 * What running Regal (OPA's linter, written in Rego, with Go-host built-ins) under our engine
 * needed, as minimal reproductions (none of Regal's code is here): host built-ins supplied to
 * `policy test`/`policy eval` from a JavaScript module, and rego.parse_module's JSON with the
 * locations, comments and annotations OPA's AST marshalling gives.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runMain } from "../support/run-cli";
import { moduleAstJSON } from "../../rego/builtins/astjson";

let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "tw-regal-compat-"));
  fs.writeFileSync(
    path.join(dir, "host.js"),
    `exports.builtins = {
  "host.last": { arity: 1, impl: ([a]) => (a.length ? a[a.length - 1] : undefined) },
  "host.fail": { arity: 0, impl: () => { throw new Error("boom"); } },
};`,
  );
  fs.writeFileSync(path.join(dir, "bad.js"), `exports.builtins = { "host.x": { arity: "1" } };`);
  fs.mkdirSync(path.join(dir, "p"));
  fs.writeFileSync(
    path.join(dir, "p", "p_test.rego"),
    `package p_test

test_last if host.last([1, 2, 3]) == 3
test_last_undefined if not host.last([])
test_error_is_undefined if not host.fail()
`,
  );
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("policy test --builtins <module.js>", () => {
  it("runs tests calling the host's built-ins", async () => {
    const r = await runMain(["policy", "test", "p", "--builtins", "host.js"], dir);
    expect(r.err).toBe("");
    expect(r.out).toContain("3 passed, 0 failed");
    expect(r.code).toBe(0);
  });

  it("without the module the call is a compile error naming the function", async () => {
    const r = await runMain(["policy", "test", "p"], dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/p_test\.rego:3:\d+: rego_type_error: undefined function host\.last/);
  });

  it("policy eval takes them too", async () => {
    const r = await runMain(
      ["policy", "eval", "--builtins", "host.js", "--format", "pretty", "host.last([4, 5])"],
      dir,
    );
    expect(r.out.trim()).toBe("5");
  });

  it("a malformed module is an input error naming file and field; exit 2", async () => {
    const r = await runMain(["policy", "test", "p", "--builtins", "bad.js"], dir);
    expect(r.code).toBe(2);
    expect(r.err).toContain("bad.js: builtins.host.x.arity: must be a non-negative integer");
    const missing = await runMain(["policy", "test", "p", "--builtins", "nope.js"], dir);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("--builtins nope.js: cannot read the file");
  });
});

const b64 = (s: string) => Buffer.from(s).toString("base64");
type J = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe("rego.parse_module JSON with locations (OPA's ast.JSONOptions marshalling)", () => {
  const src = `package a.b

import data.x.y as z

# METADATA
# title: Allow
allow if {
\tcount(input.x) == 1
}

p := 1 # trailing
`;
  const ast = moduleAstJSON("m.rego", src, {
    locations: true,
    comments: true,
    annotations: true,
  }) as J;

  it("locates package, imports, rules, heads, expressions and terms with their source text", () => {
    // OPA locates the package clause at its keyword
    expect(ast.package.location).toEqual({ file: "m.rego", row: 1, col: 1, text: b64("package") });
    expect(ast.package.path[0]).toEqual({ type: "var", value: "data" });
    expect(ast.package.path[2].location).toMatchObject({ row: 1, col: 11, text: b64("b") });
    expect(ast.imports[0].location).toMatchObject({ row: 3, text: b64("import data.x.y as z") });
    const allow = ast.rules[0];
    expect(allow.location).toMatchObject({ row: 7, col: 1 });
    expect(Buffer.from(allow.location.text, "base64").toString()).toBe(
      "allow if {\n\tcount(input.x) == 1\n}",
    );
    expect(allow.head.location).toMatchObject({ row: 7, col: 1, text: b64("allow") });
    // an implicit `true` value has no place in the source, so no location
    expect(allow.head.value).toEqual({ type: "boolean", value: true });
    const [op, lhs, rhs] = allow.body[0].terms;
    expect(allow.body[0].location).toMatchObject({
      row: 8,
      col: 2,
      text: b64("count(input.x) == 1"),
    });
    expect(op.location).toMatchObject({ row: 8, col: 17, text: b64("==") });
    expect(lhs.location).toMatchObject({ row: 8, col: 2, text: b64("count(input.x)") });
    expect(lhs.value[0].location).toMatchObject({ col: 2, text: b64("count") });
    expect(lhs.value[1].value[1].location).toMatchObject({ col: 14, text: b64("x") });
    expect(rhs).toEqual({
      location: { file: "m.rego", row: 8, col: 20, text: b64("1") },
      type: "number",
      value: 1,
    });
  });

  it("marks the generated body of a rule written without one", () => {
    const p = ast.rules[1];
    expect(p.head.value.location).toMatchObject({ row: 11, col: 6, text: b64("1") });
    expect(p.body).toHaveLength(1);
    expect(p.body[0].generated).toBe(true);
    expect(ast.rules[0].body[0].generated).toBeUndefined();
  });

  it("lists comments (text without #, base64) and annotations, also under their rule", () => {
    expect(
      ast.comments.map((c: J) => [
        Buffer.from(c.text, "base64").toString(),
        c.location.row,
        c.location.col,
      ]),
    ).toEqual([
      [" METADATA", 5, 1],
      [" title: Allow", 6, 1],
      [" trailing", 11, 8],
    ]);
    expect(ast.comments[2].location.text).toBe(b64("# trailing"));
    // as in OPA, the `# METADATA` comment and its annotation share one location: the block
    const block = { file: "m.rego", row: 5, col: 1, text: b64("# METADATA\n# title: Allow") };
    expect(ast.annotations).toEqual([{ scope: "rule", title: "Allow", location: block }]);
    expect(ast.comments[0].location).toEqual(block);
    expect(ast.comments[1].location.text).toBe(b64("# title: Allow"));
    expect(ast.rules[0].annotations).toEqual(ast.annotations);
  });

  it("locates a default rule at its keyword and its head from the name (as OPA does)", () => {
    const d = moduleAstJSON("d.rego", "package d\n\ndefault allow := false\n", {
      locations: true,
    }) as J;
    expect(d.rules[0].location).toMatchObject({ row: 3, col: 1, text: b64("default") });
    expect(d.rules[0].head.location).toMatchObject({ row: 3, col: 9, text: b64("allow := false") });
    expect(d.rules[0].body[0].generated).toBe(true);
  });

  it("locates `some … in` as OPA does: the declaration at `some`, the membership call from its first operand", () => {
    const m = moduleAstJSON("s.rego", "package s\n\nr if some k, v in input.xs\n", {
      locations: true,
    }) as J;
    const decl = m.rules[0].body[0].terms;
    expect(decl.location).toMatchObject({ row: 3, col: 6, text: b64("some k, v in input.xs") });
    const call = decl.symbols[0];
    expect(call.location).toMatchObject({ row: 3, col: 11, text: b64("k, v in input.xs") });
    expect(call.value[0].value.map((p: J) => p.value)).toEqual(["internal", "member_3"]);
  });

  it("leaves all of it out unless asked (rego.parse_module's shape)", () => {
    const plain = moduleAstJSON("m.rego", src) as J;
    expect(JSON.stringify(plain)).not.toContain("location");
    expect(plain.comments).toBeUndefined();
    expect(plain.rules[1].body[0].generated).toBeUndefined();
  });
});
