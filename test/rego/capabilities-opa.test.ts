/**
 * The engine against OPA's built-in list (v1.20.2's capabilities, held in
 * rego/builtins/signatures.ts): every OPA built-in exists here with OPA's arity, argument types
 * and nondeterminism; none exists here that OPA lacks; network built-ins never reach the network;
 * and `policy capabilities` publishes the set in OPA's JSON shape.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILTINS } from "../../rego/builtins";
import { signatures, SIGNATURES_VERSION, type TypeDecl } from "../../rego/builtins/signatures";
import { builtinSet, capabilitiesProblem } from "../../rego/capabilities";
import { engineCapabilities } from "../../rego/engine-capabilities";
import { compile } from "../../rego/index";
import { runMain } from "../support/run-cli";
import { value } from "./helpers";

/** Built-ins the evaluator implements itself: unification, assignment and print. */
const IN_EVALUATOR = new Set(["eq", "assign", "print"]);
/** The built-ins in OPA's list that do network I/O. */
const NETWORK = ["http.send", "net.lookup_ip_addr"];

/** Top-level types a declared OPA type accepts ("any" for anything). */
function accepted(t: TypeDecl): string[] {
  if (t.type === "any" && Array.isArray(t.of)) return (t.of as TypeDecl[]).flatMap(accepted);
  return [t.type as string];
}
const normal = (ts: readonly string[]) => [...new Set(ts)].sort().join("|");

/**
 * Where this engine's compile-time argument types knowingly differ from OPA's declaration. Each
 * is more permissive than OPA (a statically wrong argument is a runtime error here instead of a
 * compile error); anything else that differs fails the test.
 */
const TYPE_DIFFERENCES: Record<string, string> = {
  "json.match_schema#1": "array|object|string", // OPA: object|string
  "json.match_schema#2": "array|object|string", // OPA: object|string
  "regex.is_valid#1": "any", // OPA: string (false for a non-string at runtime, as here)
};

describe(`the registry against OPA ${SIGNATURES_VERSION}'s built-ins`, () => {
  const sigs = signatures();

  it("has every OPA built-in (the evaluator itself provides eq, assign and print)", () => {
    expect(sigs.size).toBe(206);
    const missing = [...sigs.keys()].filter((n) => !BUILTINS[n] && !IN_EVALUATOR.has(n));
    expect(missing).toEqual([]);
    for (const n of IN_EVALUATOR) expect(BUILTINS[n]).toBeUndefined();
  });

  it("has no built-in OPA does not define", () => {
    expect(Object.keys(BUILTINS).filter((n) => !sigs.has(n))).toEqual([]);
  });

  it("gives every built-in OPA's arity", () => {
    const wrong = Object.values(BUILTINS)
      .filter((d) => d.arity !== sigs.get(d.name)!.args!.length)
      .map((d) => `${d.name}: ${d.arity} here, ${sigs.get(d.name)!.args!.length} in OPA`);
    expect(wrong).toEqual([]);
  });

  it("declares OPA's argument types wherever it declares types at all", () => {
    const wrong: string[] = [];
    for (const d of Object.values(BUILTINS)) {
      if (!d.args) continue;
      sigs.get(d.name)!.args!.forEach((t, i) => {
        const key = `${d.name}#${i + 1}`;
        const ours = normal(d.args![i] ?? []);
        const want = TYPE_DIFFERENCES[key] ?? normal(accepted(t));
        if (ours !== want) wrong.push(`${key}: ${ours} here, ${want} expected`);
      });
    }
    expect(wrong).toEqual([]);
  });

  it("never constant-folds a built-in OPA marks nondeterministic", () => {
    const folded = [...sigs.values()]
      .filter((s) => s.nondeterministic && BUILTINS[s.name] && !BUILTINS[s.name].nondeterministic)
      .map((s) => s.name);
    expect(folded).toEqual([]);
  });
});

describe("network built-ins", () => {
  let server: http.Server;
  let url = "";
  let requests = 0;
  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      requests++;
      res.end("{}");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("are exactly the ones OPA marks as reaching out (both nondeterministic)", () => {
    for (const n of NETWORK) expect(signatures().get(n)?.nondeterministic).toBe(true);
  });

  it("compile, are undefined when called, and fail clearly under strict built-in errors", () => {
    const calls: Record<string, string> = {
      "http.send": `http.send({"method": "get", "url": "${url}"})`,
      "net.lookup_ip_addr": `net.lookup_ip_addr("localhost")`,
    };
    for (const n of NETWORK) {
      const src = `package p\nx := ${calls[n]}`;
      expect(value(src, "data.p.x")).toBeUndefined();
      expect(() => value(src, "data.p.x", { strictBuiltinErrors: true })).toThrow(
        `${n}: network access is disabled in this engine`,
      );
    }
    expect(requests).toBe(0);
  });

  it("can be mocked with `with`, or supplied by the host program", () => {
    const src = `package p
x := http.send({"method": "get", "url": "${url}"}).status_code
y := z if z := x with http.send as {"status_code": 201}`;
    expect(value(src, "data.p.y")).toBe(201);
    const hosted = compile([{ file: "p.rego", source: src }], {
      builtins: { "http.send": { arity: 1, impl: () => ({ status_code: 204 }) } },
    });
    expect(hosted.prepare("x = data.p.x").eval()[0].bindings.x).toBe(204);
    expect(requests).toBe(0);
  });
});

describe("engineCapabilities (OPA's capabilities JSON)", () => {
  const caps = engineCapabilities();
  const byName = new Map(caps.builtins.map((b) => [b.name, b]));

  it("lists every built-in once, sorted by name as OPA sorts them", () => {
    const names = caps.builtins.map((b) => b.name);
    expect(names).toEqual([...signatures().keys()].sort());
    expect(new Set(names).size).toBe(names.length);
  });

  it("writes OPA's declarations, infix operators and marks", () => {
    expect(byName.get("abs")).toEqual({
      name: "abs",
      decl: { args: [{ type: "number" }], result: { type: "number" }, type: "function" },
    });
    expect(byName.get("and")).toMatchObject({ infix: "&" });
    expect(byName.get("equal")).toMatchObject({ infix: "==" });
    expect(byName.get("walk")).toMatchObject({ relation: true });
    expect(byName.get("cast_set")).toMatchObject({ deprecated: true });
    expect(byName.get("print")).toEqual({
      name: "print",
      decl: { type: "function", variadic: { type: "any" } },
    });
    expect(byName.get("opa.runtime")).toEqual({
      name: "opa.runtime",
      decl: {
        result: { dynamic: { key: { type: "string" }, value: { type: "any" } }, type: "object" },
        type: "function",
      },
      nondeterministic: true,
    });
    const stringOrObject = {
      of: [
        { type: "string" },
        { dynamic: { key: { type: "any" }, value: { type: "any" } }, type: "object" },
      ],
      type: "any",
    };
    expect(byName.get("graphql.schema_is_valid")!.decl).toEqual({
      args: [stringOrObject],
      result: { type: "boolean" },
      type: "function",
    });
    expect(byName.get("json.marshal_with_options")!.decl.args).toEqual([
      { type: "any" },
      {
        dynamic: { key: { type: "string" }, value: { type: "any" } },
        static: [
          { key: "indent", value: { type: "string" } },
          { key: "prefix", value: { type: "string" } },
          { key: "pretty", value: { type: "boolean" } },
        ],
        type: "object",
      },
    ]);
    expect(byName.get("time.clock")!.decl.args).toEqual([
      {
        of: [
          { type: "number" },
          { static: [{ type: "number" }, { type: "string" }], type: "array" },
        ],
        type: "any",
      },
    ]);
    expect(caps.future_keywords).toEqual(["and", "not", "or"]);
    expect(caps.features).toEqual(["keywords_in_refs", "rego_v1", "template_strings"]);
  });

  it("reads back as a --capabilities file that keeps the whole set", () => {
    const doc = JSON.parse(JSON.stringify(caps)) as unknown;
    expect(capabilitiesProblem(doc)).toBeUndefined();
    const table = builtinSet({
      capabilities: doc as Parameters<typeof builtinSet>[0]["capabilities"],
    });
    for (const name of Object.keys(BUILTINS)) expect(table[name]).toBe(BUILTINS[name]);
  });

  it("declares a host's own built-in with its arity and `any` types", () => {
    const own = { name: "acme.owner", arity: 2, impl: () => null };
    const doc = engineCapabilities({ ...BUILTINS, "acme.owner": own });
    expect(doc.builtins.find((b) => b.name === "acme.owner")).toEqual({
      name: "acme.owner",
      decl: { args: [{ type: "any" }, { type: "any" }], result: { type: "any" }, type: "function" },
    });
  });

  it("is what `tokenwarden policy capabilities` prints", async () => {
    const r = await runMain(["policy", "capabilities", "--current"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual(JSON.parse(JSON.stringify(caps)));
    const bad = await runMain(["policy", "capabilities", "extra"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('unexpected argument "extra"');
  });
});
