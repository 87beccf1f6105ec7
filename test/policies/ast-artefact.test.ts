/**
 * The build's prebuilt syntax trees of policies/*.rego: the same findings as parsing the sources,
 * and never used once a source, the file list or the engine has changed, or the file is damaged.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  compile,
  compileParsed,
  compileQueryOf,
  parseModule,
  parseQuery,
  policyOfProgram,
  type Module,
} from "../../rego";
import {
  ARTEFACT_FILE,
  INPUTS_FILE,
  asciiJSON,
  decodeTrees,
  encodeTrees,
  readArtefact,
  readPrebuilt,
} from "../../policies/ast-artefact";
import { RObject, RSet } from "../../rego/value";
import { compileModules, nameCounters } from "../../rego/compiler";
import { restoreProgram } from "../../rego/program";
import { writeAstArtefact } from "../../policies/build-ast-artefact";
import { builtinSources, FINDINGS_QUERY } from "../../policies/evaluate";
import { ruleDescriptors } from "../../policies/rule-descriptors";
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

  it("stores the rules' descriptions and the findings query as this engine reads and compiles them", () => {
    expect(writeAstArtefact(ROOT, out, REGO_DIR)).toBeUndefined();
    const { modules } = builtinSources(ROOT);
    const prebuilt = readPrebuilt(out, REGO_DIR, modules)!;
    const fresh = compile(modules);
    expect(prebuilt.rules).toEqual(ruleDescriptors(fresh.modules));
    expect(prebuilt.rules!.length).toBeGreaterThan(10);
    const stored = prebuilt.queries?.[FINDINGS_QUERY];
    expect(stored?.original.map((e) => e.text)).toEqual(
      parseQuery(FINDINGS_QUERY).map((e) => e.text),
    );
    expect(stored).toEqual(compileQueryOf(prebuilt.program!, FINDINGS_QUERY));
  });

  it("decodes the modules only when read, sharing nodes with the program as a compile does", () => {
    expect(writeAstArtefact(ROOT, out, REGO_DIR)).toBeUndefined();
    const { modules } = builtinSources(ROOT);
    // syntax nodes reachable from `roots` (a Rego value is a value: its insides are its own)
    const reach = (roots: unknown[]): Set<object> => {
      const seen = new Set<object>();
      const walk = (x: unknown): void => {
        if (typeof x !== "object" || x === null || seen.has(x)) return;
        if (x instanceof RObject || x instanceof RSet) return;
        seen.add(x);
        for (const v of Object.values(x)) walk(v);
      };
      for (const r of roots) walk(r);
      return seen;
    };
    // nodes both reach; locations aside: the artefact stores equal ones once (the parser shares
    // some itself), so their identities differ from a compile's, and nothing tells them apart
    const shared = (mods: readonly Module[], groups: unknown[]): number => {
      const inGroups = reach(groups);
      const isLoc = (o: object) => Object.keys(o).join() === "file,row,col";
      return [...reach([...mods])].filter((o) => inGroups.has(o) && !isLoc(o)).length;
    };
    const prebuilt = readPrebuilt(out, REGO_DIR, modules)!;
    const program = prebuilt.program!;
    const restored = policyOfProgram(program);
    // the program evaluates without its modules decoded, then gives them when asked
    expect(JSON.stringify(restored.prepare(FINDINGS_QUERY).eval({ input: { needs: [] } }))).toEqual(
      JSON.stringify(
        compile(modules)
          .prepare(FINDINGS_QUERY)
          .eval({ input: { needs: [] } }),
      ),
    );
    expect(program.modules).toBe(prebuilt.modules);
    expect(prebuilt.modules.map((m) => m.file)).toEqual(modules.map((m) => m.file));
    const n = shared(program.modules, [...program.groups.values()]);
    expect(n).toBeGreaterThan(1000);
    const fresh = compile(modules);
    const freshProgram = (fresh as unknown as { prog: { groups: Map<string, unknown> } }).prog;
    expect(n).toBe(shared(fresh.modules, [...freshProgram.groups.values()]));
  });

  it("is not used when it was written in another format", () => {
    expect(writeAstArtefact(ROOT, out, REGO_DIR)).toBeUndefined();
    const { modules } = builtinSources(ROOT);
    const file = path.join(out, ARTEFACT_FILE);
    const text = fs.readFileSync(file, "latin1");
    fs.writeFileSync(file, text.replace(/^\{"format":\d+/, '{"format":4'));
    expect(readPrebuilt(out, REGO_DIR, modules)).toBeUndefined();
    // the lines a reader expects are all there
    fs.writeFileSync(file, text.split("\n").slice(0, 3).join("\n"));
    expect(readPrebuilt(out, REGO_DIR, modules)).toBeUndefined();
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
    // a change that keeps the length (one letter for another) is a change all the same
    const sameLength = modules.map((m, i) =>
      i === 2 ? { ...m, source: m.source.replace("package", "packagf") } : m,
    );
    expect(sameLength[2].source.length).toBe(modules[2].source.length);
    expect(readArtefact(out, REGO_DIR, sameLength)).toBeUndefined();
    // the inputs the build kept beside it: missing, or not the build's
    const inputs = path.join(out, INPUTS_FILE);
    const kept = fs.readFileSync(inputs);
    fs.rmSync(inputs);
    expect(readArtefact(out, REGO_DIR, modules)).toBeUndefined();
    fs.writeFileSync(inputs, Buffer.concat([kept, Buffer.from("x")]));
    expect(readArtefact(out, REGO_DIR, modules)).toBeUndefined();
    fs.writeFileSync(inputs, kept);
    expect(readArtefact(out, REGO_DIR, modules)).toBeDefined();
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
    // same length, one byte different
    fs.writeFileSync(path.join(engine, "parser.js"), "// v2\n");
    expect(readArtefact(out, engine, modules)).toBeUndefined();
    // a file added beside them is no module the build ran (none of them loads it)
    expect(writeAstArtefact(ROOT, out, engine)).toBeUndefined();
    fs.writeFileSync(path.join(engine, "zz.js"), "");
    expect(readArtefact(out, engine, modules)).toBeDefined();
    // a file of the engine removed
    fs.rmSync(path.join(engine, "parser.js"));
    expect(readArtefact(out, engine, modules)).toBeUndefined();
    // the parser also reads the engine's subdirectories (builtins/deprecated)
    fs.writeFileSync(path.join(engine, "parser.js"), "// v1\n");
    fs.mkdirSync(path.join(engine, "builtins"));
    fs.writeFileSync(path.join(engine, "builtins", "deprecated.js"), "// v1\n");
    expect(writeAstArtefact(ROOT, out, engine)).toBeUndefined();
    expect(readArtefact(out, engine, modules)).toBeDefined();
    fs.writeFileSync(path.join(engine, "builtins", "deprecated.js"), "// v2\n");
    expect(readArtefact(out, engine, modules)).toBeUndefined();
  });

  it("keeps what rego.metadata.rule() and chain() answer, read only when a rule asks", () => {
    const source = `# METADATA
# title: the package
package meta

# METADATA
# title: first
# custom:
#   level: 3
#   tags: ["a", "b"]
first := rego.metadata.rule()

# METADATA
# title: second
second := rego.metadata.chain() if {
  true
} else := "never"

plain := 1
`;
    const parsed = [parseModule("meta.rego", source)];
    const program = compileModules(parsed);
    const groups = [...program.groups.values()];
    const enc = encodeTrees([groups, parsed]);
    const text = JSON.stringify(enc);
    // stored as text, not as nodes the decoder walks
    expect(text).toContain("\\u0000m");
    const [backGroups, backModules] = decodeTrees(JSON.parse(text) as typeof enc) as [
      typeof groups,
      Module[],
    ];
    const restored = policyOfProgram(restoreProgram(backModules, backGroups, nameCounters()));
    const fresh = compileParsed([parseModule("meta.rego", source)]);
    for (const q of ["data.meta.first", "data.meta.second", "data.meta.plain"]) {
      expect(JSON.stringify(restored.prepare(q).eval())).toEqual(
        JSON.stringify(fresh.prepare(q).eval()),
      );
    }
    const first = restored.prepare("data.meta.first").eval()[0].expressions[0].value;
    expect(first).toMatchObject({ title: "first", custom: { level: 3, tags: ["a", "b"] } });
    // an else branch shares its rule's metadata, as the compiler leaves it
    const second = backGroups.find((g) => g.name === "data.meta.second")!.rules[0];
    expect(second.elseRule?.metadata).toBe(second.metadata);
    // and it re-encodes to the same text
    expect(JSON.stringify(encodeTrees([backGroups, backModules]))).toEqual(text);
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
    const enc = encodeTrees([[mod]]);
    const back = JSON.parse(JSON.stringify(enc)) as typeof enc;
    const [[m]] = decodeTrees(back) as [[typeof mod]];
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
    expect(() => encodeTrees([{ m: new Map() }])).toThrow(/Map/);
    // the file is written as ASCII, whatever the policies' text holds
    const text = asciiJSON({ s: "déjà — 😀 \u2028" });
    expect([...text].every((c) => c.charCodeAt(0) < 128)).toBe(true);
    expect(JSON.parse(text)).toEqual({ s: "déjà — 😀 \u2028" });
  });
});
