/**
 * The build's prebuilt syntax trees of policies/*.rego: the same findings as parsing the sources,
 * and never used once a source, the file list or the engine has changed, or the file is damaged.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { compile, compileParsed, policyOfProgram, type Module } from "../../rego";
import {
  ARTEFACT_FILE,
  asciiJSON,
  decodeModules,
  encodeModules,
  readArtefact,
  readPrebuilt,
} from "../../policies/ast-artefact";
import { RObject, RSet } from "../../rego/value";
import { writeAstArtefact } from "../../policies/build-ast-artefact";
import { builtinSources } from "../../policies/evaluate";
import { loadInput } from "../../policies/input/load";

const ROOT = path.resolve(__dirname, "../..");
const REGO_DIR = path.join(ROOT, "rego");
const NOW = "2026-11-30T12:00:00Z";
const INPUTS = [
  "examples/access-needs.yaml",
  "examples/violations/access-needs.yaml",
  "examples/violations/terraform-plan.json",
  "examples/violations/cdk.tf.json",
];

let out: string;
beforeEach(() => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), "tw-ast-"));
});
afterEach(() => fs.rmSync(out, { recursive: true, force: true }));

describe("policies AST artefact", () => {
  it("compiles to a policy set with exactly the findings of the parsed sources", async () => {
    expect(writeAstArtefact(ROOT, out, REGO_DIR)).toBeUndefined();
    const { modules, data } = builtinSources(ROOT);
    const prebuilt = readArtefact(out, REGO_DIR, modules);
    expect(prebuilt).toBeDefined();
    const fromArtefact = compileParsed(prebuilt as Module[]).prepare("data.tokenwarden.findings");
    const fromSource = compile(modules).prepare("data.tokenwarden.findings");
    let total = 0;
    for (const file of INPUTS) {
      const { input } = await loadInput(path.join(ROOT, file), { now: NOW, cwd: ROOT });
      const a = fromArtefact.eval({ input, data });
      const b = fromSource.eval({ input, data });
      expect(JSON.stringify(a)).toEqual(JSON.stringify(b));
      total += JSON.stringify(a).length;
    }
    expect(total).toBeGreaterThan(1000); // the violations examples do produce findings
  });

  it("stores the compiled program, which gives exactly the findings of compiling the sources", async () => {
    expect(writeAstArtefact(ROOT, out, REGO_DIR)).toBeUndefined();
    const { modules, data } = builtinSources(ROOT);
    const prebuilt = readPrebuilt(out, REGO_DIR, modules);
    expect(prebuilt?.program).toBeDefined();
    const restored = policyOfProgram(prebuilt!.program!);
    const fromSource = compile(modules);
    expect(restored.ruleNames(["tokenwarden"])).toEqual(fromSource.ruleNames(["tokenwarden"]));
    const a = restored.prepare("data.tokenwarden.findings");
    const b = fromSource.prepare("data.tokenwarden.findings");
    for (const file of INPUTS) {
      const { input } = await loadInput(path.join(ROOT, file), { now: NOW, cwd: ROOT });
      expect(JSON.stringify(a.eval({ input, data }))).toEqual(
        JSON.stringify(b.eval({ input, data })),
      );
    }
  });

  it("is not used when a source changed, a file was added or removed, or it is damaged", () => {
    expect(writeAstArtefact(ROOT, out, REGO_DIR)).toBeUndefined();
    const { modules } = builtinSources(ROOT);
    expect(readArtefact(out, REGO_DIR, modules)).toBeDefined();
    const edited = modules.map((m, i) =>
      i === 1 ? { ...m, source: m.source.replace("package", "package ") } : m,
    );
    expect(readArtefact(out, REGO_DIR, edited)).toBeUndefined();
    expect(readArtefact(out, REGO_DIR, modules.slice(1))).toBeUndefined();
    expect(
      readArtefact(out, REGO_DIR, [...modules, { file: "policies/x.rego", source: "package x" }]),
    ).toBeUndefined();
    const renamed = modules.map((m, i) => (i === 0 ? { ...m, file: "policies/other.rego" } : m));
    expect(readArtefact(out, REGO_DIR, renamed)).toBeUndefined();
    const file = path.join(out, ARTEFACT_FILE);
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").slice(0, 5000));
    expect(readArtefact(out, REGO_DIR, modules)).toBeUndefined();
  });

  it("is not used once the engine that parsed the sources changed", () => {
    const engine = path.join(out, "rego");
    fs.mkdirSync(engine);
    fs.writeFileSync(path.join(engine, "parser.js"), "// v1\n");
    expect(writeAstArtefact(ROOT, out, engine)).toBeUndefined();
    const { modules } = builtinSources(ROOT);
    expect(readArtefact(out, engine, modules)).toBeDefined();
    fs.writeFileSync(path.join(engine, "parser.js"), "// v2\n");
    expect(readArtefact(out, engine, modules)).toBeUndefined();
    // the parser also reads the engine's subdirectories (builtins/deprecated)
    expect(writeAstArtefact(ROOT, out, engine)).toBeUndefined();
    fs.mkdirSync(path.join(engine, "builtins"));
    fs.writeFileSync(path.join(engine, "builtins", "deprecated.js"), "// v1\n");
    expect(readArtefact(out, engine, modules)).toBeUndefined();
  });

  it("keeps shared and cyclic nodes, undefined, bigints, -0 and Rego values through JSON", () => {
    const term = { kind: "var", name: "x", loc: { file: "p.rego", row: 1, col: 2 } };
    const folded = new RSet([1, "a", new RObject([["k", new RSet([2n])]])]);
    const rule: Record<string, unknown> = {
      term,
      big: 12345678901234567890n,
      neg: -0,
      u: undefined,
      folded,
      again: folded,
    };
    rule.self = rule;
    const mod = { file: "p.rego", rules: [rule, rule], terms: [term, term] };
    const enc = encodeModules([mod as unknown as Module]);
    const back = JSON.parse(JSON.stringify(enc)) as typeof enc;
    const [m] = decodeModules(back.modules, back.patches) as unknown as [typeof mod];
    const r = m.rules[0] as typeof rule;
    expect(m.rules[1]).toBe(r);
    expect(r.self).toBe(r);
    expect(m.terms[0]).toBe(m.terms[1]);
    expect(r.term).toBe(m.terms[0]);
    // a location is kept by value
    expect(m.terms[0].loc).toEqual({ file: "p.rego", row: 1, col: 2 });
    const set = r.folded as RSet;
    expect(set).toBeInstanceOf(RSet);
    expect(r.again).toBe(set);
    expect([...set.values()].slice(0, 2)).toEqual([1, "a"]);
    const inner = [...set.values()][2] as RObject;
    expect(inner).toBeInstanceOf(RObject);
    expect((inner.get("k") as RSet).has(2n)).toBe(true);
    expect(r.big).toBe(12345678901234567890n);
    expect(Object.is(r.neg, -0)).toBe(true);
    expect("u" in r && r.u === undefined).toBe(true);
    expect(() => encodeModules([{ m: new Map() } as unknown as Module])).toThrow(/Map/);
    // the file is written as ASCII, whatever the policies' text holds
    const text = asciiJSON({ s: "déjà — 😀 \u2028" });
    expect([...text].every((c) => c.charCodeAt(0) < 128)).toBe(true);
    expect(JSON.parse(text)).toEqual({ s: "déjà — 😀 \u2028" });
  });
});
