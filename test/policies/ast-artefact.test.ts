/**
 * The build's prebuilt syntax trees of policies/*.rego: the same findings as parsing the sources,
 * and never used once a source, the file list or the engine has changed, or the file is damaged.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { compile, compileParsed, type Module } from "../../rego";
import {
  ARTEFACT_FILE,
  decodeModules,
  encodeModules,
  readArtefact,
} from "../../policies/ast-artefact";
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

  it("keeps shared and cyclic nodes, undefined, bigints and -0 through JSON", () => {
    const loc = { file: "p.rego", row: 1, col: 2 };
    const rule: Record<string, unknown> = {
      loc,
      big: 12345678901234567890n,
      neg: -0,
      u: undefined,
    };
    rule.self = rule;
    const mod = { file: "p.rego", rules: [rule, rule], locs: [loc, loc] };
    const enc = encodeModules([mod as unknown as Module]);
    const back = JSON.parse(JSON.stringify(enc)) as typeof enc;
    const [m] = decodeModules(back.modules, back.patches) as unknown as [typeof mod];
    const r = m.rules[0] as typeof rule;
    expect(m.rules[1]).toBe(r);
    expect(r.self).toBe(r);
    expect(m.locs[0]).toBe(m.locs[1]);
    expect(r.loc).toBe(m.locs[0]);
    expect(r.big).toBe(12345678901234567890n);
    expect(Object.is(r.neg, -0)).toBe(true);
    expect("u" in r && r.u === undefined).toBe(true);
    expect(() => encodeModules([{ m: new Map() } as unknown as Module])).toThrow(/Map/);
  });
});
