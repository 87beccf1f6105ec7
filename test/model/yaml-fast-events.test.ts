/**
 * model/yaml-fast-events.ts reads plain manifests without js-yaml's scanner. Whatever it accepts
 * must come out exactly as js-yaml reads it — the same value (types, key order, prototypes) and
 * the same node index, hence the same line for every field — and whatever js-yaml refuses it must
 * give back. Held to js-yaml on the examples, generated manifests, a corpus of YAML corners, and
 * thousands of random edits of them.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { generateManifest, seededRandom } from "../../bench/gen-manifest";
import { EventIndex, manifestYamlSchema, parseText } from "../../model/source";
import { NODE, PLAIN_SCALAR, fastParseYaml, plainScalarValue } from "../../model/yaml-fast-events";

const REPO = path.resolve(__dirname, "../..");
// the instance model/source.ts loads (require, not import: ESM and CommonJS builds are two
// instances, and a schema of one does not work with the other's parser)
const { EVENT_ID, NOT_RESOLVED, constructFromEvents, parseEvents } = createRequire(__filename)(
  "js-yaml",
) as typeof import("js-yaml");

type JsYamlRead = { ok: true; value: unknown; index: EventIndex } | { ok: false };

function jsYaml(text: string): JsYamlRead {
  try {
    const events = parseEvents(text, {});
    const docs = constructFromEvents(events, { source: text, schema: manifestYamlSchema() });
    if (docs.length !== 1) return { ok: false };
    return { ok: true, value: docs[0], index: EventIndex.fromEvents(text, events) };
  } catch {
    return { ok: false };
  }
}

/** The fast reading, if any, equals js-yaml's; says whether the fast path took the text. */
function agrees(text: string): boolean {
  const fast = fastParseYaml(text);
  if (!fast) return false;
  const slow = jsYaml(text);
  expect(slow.ok, `js-yaml refuses what the fast path read:\n${text}`).toBe(true);
  if (!slow.ok) return true;
  expect(fast.value).toStrictEqual(slow.value);
  expect(fast.index.kind).toEqual(slow.index.kind);
  expect(fast.index.start).toEqual(slow.index.start);
  expect(fast.index.end).toEqual(slow.index.end);
  // (read for plain scalars alone: the fast index leaves it undefined for other nodes)
  expect(plainValueStarts(fast.index)).toEqual(plainValueStarts(slow.index));
  expect(slow.index.otherKeys.size).toBe(0);
  // the line starts it hands to model/source.ts's line table: every line's, as the text has them
  expect(Array.from(fast.lineStarts)).toEqual(lineStartsOf(text));
  return true;
}

/** Where each plain scalar's text starts, in node order. */
function plainValueStarts(index: { kind: Uint8Array; valueStart: Int32Array }): number[] {
  const out: number[] = [];
  for (let k = 0; k < index.kind.length; k++)
    if (index.kind[k] === (NODE.SCALAR | PLAIN_SCALAR)) out.push(index.valueStart[k]);
  return out;
}

/** 0, then the offset after every line feed (a final line feed starts an empty last line). */
function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

const CORNERS = [
  "a: b\n",
  "a: b",
  "# top\n\na: 1 # one\n\n# mid\nb: 2\n",
  "a:\n- x\n- y\nb: 1\n",
  "a:\n  - x\n  -   y\n",
  "- a: 1\n  b: 2\n- c\n- [d, e]\n",
  "-   a: 1\n    b: {c: d}\n",
  "a: { b: c, d: [e, f, {g: h}], i: [] , j: {} }\n",
  "a: \"x # y\"\nb: 'it''s'\nc: \"\"\nd: ''\n",
  "a: x #c\nb: x#c\nc: x  \nd: 'q'  # c\n",
  "ints: [010, 0o7, 0x1F, +1, -1, 1_000, 0, -0, 9007199254740993]\n",
  "floats: [1e3, .5, 1., -.5, .inf, -.Inf, .NaN, 1.5e-3, +.5]\n",
  "nulls: [~, null, Null, NULL, nil]\nbools: [true, True, TRUE, false, yes, no, on, off, tRue]\n",
  "date: 2027-06-30\ntime: 12:30\nver: 1.2.3\nneg: -x\ndash: a-b\n",
  "a:b: c\nk: v:w\nurl: http://x.example/y\n",
  "scopes: [charges:read, 'a:b', \"c: d\"]\n",
  "a: [a: b]\n",
  "a: [x,]\n",
  "a: [x, , y]\n",
  "a:\n",
  "a: x\n  y\n",
  "a: b\n  c: d\n",
  "a:\n  b: 1\n c: 2\n",
  "a: 1\na: 2\n",
  "a: {b: 1, b: 2}\n",
  "__proto__: {a: 1}\n",
  "<<: {a: 1}\nb: 2\n",
  "base: &b {x: 1}\nuse: *b\n",
  "a: !!str 1\n",
  "a: |\n  text\n",
  "a: >\n  text\n",
  "--- \na: 1\n",
  "a: 1\n...\n",
  "%YAML 1.2\n---\na: 1\n",
  "a: 1\n---\nb: 2\n",
  "a: 'multi\n  line'\n",
  'a: "esc\\n"\n',
  "a: [b,\n  c]\n",
  "? a\n: b\n",
  "1: a\ntrue: b\nnull: c\n",
  "a: b: c\n",
  "a:\tb\n",
  "a: b\r\nc: d\r\n",
  "a: café\n",
  "name: Zoë — ops\nnote: ‘quoted’ 日本語 \u00a0x\n'k': é\n",
  "a: \u2028b\n",
  "a: \u0085b\n",
  "a: b\ufeff\n",
  "a: 😀\n",
  "a: \u0080\n",
  "- - a\n  - b\n",
  "  a: 1\n  b: 2\n",
  "a",
  "",
  "# only a comment\n",
  "[a, b]\n",
  "{a: b}\n",
  "a: 'x'y\n",
  'a: "x""y"\n',
  "a: -\nb: - c\n",
  "a:#b\n",
  "a: x\n#c\n  # indented comment\nb: y\n",
  "a: @x\nb: `y`\n",
  "- a\n-\n  b: 1\n",
  "a: [b]c\n",
  "a: {b: [c, {d: e}]}, f: g\n",
  "key with spaces: value with spaces\n'quoted key': 1\n",
  "a: { b : c }\n",
  "a: [ -1, -a, - b ]\n",
];

const example = (f: string) => fs.readFileSync(path.join(REPO, f), "utf8");

describe("the fast YAML path", () => {
  it("reads the bundled examples and generated manifests, exactly as js-yaml does", () => {
    for (const f of ["examples/access-needs.yaml", "examples/violations/access-needs.yaml"]) {
      expect(agrees(example(f)), f).toBe(true);
    }
    for (const seed of [1, 2, 3]) {
      for (const violations of [false, true]) {
        const text = generateManifest({ needs: 300, seed, violations });
        expect(agrees(text), `seed ${seed} violations ${violations}`).toBe(true);
      }
    }
  });

  it("agrees with js-yaml on YAML's corners, or gives them back", () => {
    let taken = 0;
    for (const text of CORNERS) if (agrees(text)) taken++;
    // the plain forms above are read; the rest are js-yaml's
    expect(taken).toBeGreaterThan(15);
    expect(taken).toBeLessThan(CORNERS.length);
  });

  it("counts every line, blank and comment lines too, however many there are", () => {
    // more lines than the scanner first makes room for (1 per 16 characters), and no final newline
    const text = `${"\n".repeat(300)}# c\n\na: [x]\n${"  # c\n".repeat(200)}b:\n\n  - y # z`;
    expect(agrees(text)).toBe(true);
    expect(fastParseYaml(text)?.lineStarts.length).toBe(506);
  });

  it("agrees with js-yaml on thousands of random edits", () => {
    const rnd = seededRandom(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
    const bases = [...CORNERS, example("examples/access-needs.yaml").slice(0, 3000)];
    const inserts = [
      " ",
      "  ",
      ":",
      ": ",
      "-",
      "- ",
      "#",
      " #",
      "\n",
      "\n  ",
      '"',
      "'",
      "[",
      "]",
      "{",
      "}",
      ",",
      "a",
      "1",
      "~",
      "&a ",
      "*a",
      "!",
      "|",
      ">",
      "?",
      "%",
      "@",
      "`",
      ".",
      "t",
      "n",
      "<<",
      "0x",
      "\t",
      "é",
      "日",
      "\u00a0",
      "\u2028",
      "\ufeff",
      "😀",
      "---",
      "\r",
    ];
    let taken = 0;
    for (let i = 0; i < 6000; i++) {
      let text = pick(bases);
      for (let edits = 1 + Math.floor(rnd() * 3); edits > 0; edits--) {
        const at = Math.floor(rnd() * (text.length + 1));
        const r = rnd();
        if (r < 0.45) text = text.slice(0, at) + pick(inserts) + text.slice(at);
        else if (r < 0.8) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(rnd() * 3));
        else {
          const lines = text.split("\n");
          const l = Math.floor(rnd() * lines.length);
          lines.splice(l, 0, lines[Math.floor(rnd() * lines.length)]);
          text = lines.join("\n");
        }
      }
      if (agrees(text)) taken++;
    }
    expect(taken).toBeGreaterThan(500); // the test reaches the fast path, not only its refusals
  });

  it("places every field on the same line as js-yaml's reading", () => {
    const text = generateManifest({ needs: 40, seed: 5, violations: true });
    const fast = parseText(text, "m.yaml");
    // a text with a CR is never taken by the fast path: the same document, read by js-yaml
    const slow = parseText(text.replace("\n", "\r\n"), "m.yaml");
    expect(fast.value).toStrictEqual(slow.value);
    const paths: (string | number)[][] = [];
    const walk = (v: unknown, at: (string | number)[]) => {
      paths.push(at);
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...at, i]));
      else if (v && typeof v === "object")
        for (const [k, x] of Object.entries(v)) walk(x, [...at, k]);
    };
    walk(fast.value, []);
    expect(paths.length).toBeGreaterThan(500);
    for (const p of paths.slice(1)) {
      const a = fast.source.locate(p);
      const b = slow.source.locate(p);
      expect(a, p.join(".")).toBeDefined();
      // the CR only shifts columns on the first line, which holds no field
      expect(a, p.join(".")).toEqual(b);
    }
  });

  it("numbers its node kinds as js-yaml's events do", () => {
    expect(NODE).toEqual({ ...EVENT_ID });
  });

  it("resolves plain scalars as the manifest schema's own resolvers do", () => {
    // the oracle: js-yaml's implicit scalar tags of the manifest schema, in schema order
    const tags = manifestYamlSchema().tags.filter((t) => t.nodeKind === "scalar" && t.implicit);
    const oracle = (s: string): { value: unknown; tag: string } => {
      for (const t of tags) {
        if (t.nodeKind !== "scalar") continue;
        if (t.implicitFirstChars !== null && !t.implicitFirstChars.includes(s.charAt(0))) continue;
        const v = t.resolve(s, false, t.tagName);
        if (v !== NOT_RESOLVED) return { value: v, tag: t.tagName };
      }
      return { value: s, tag: "tag:yaml.org,2002:str" };
    };
    const ours = (s: string, isKey: boolean): { value: unknown } | "gave up" => {
      try {
        return { value: plainScalarValue(s, isKey) };
      } catch {
        return "gave up";
      }
    };
    const check = (s: string) => {
      const want = oracle(s);
      if (want.tag.endsWith(":merge")) {
        expect(ours(s, false), s).toBe("gave up");
        return;
      }
      expect(ours(s, false), s).toStrictEqual({ value: want.value });
      if (typeof want.value === "string") expect(ours(s, true), s).toStrictEqual({ value: s });
      else expect(ours(s, true), s).toBe("gave up");
    };
    for (const s of [
      "~",
      "null",
      "Null",
      "NULL",
      "nULL",
      "true",
      "True",
      "TRUE",
      "tRUE",
      "False",
      "0",
      "-0",
      "+0",
      "010",
      "0o17",
      "0o8",
      "-0o1",
      "0x1F",
      "0xg",
      "-0x1",
      "+12",
      "1_000",
      "9007199254740993",
      "9".repeat(400),
      "1e400",
      "-1e400",
      "1.",
      ".5",
      "+.5",
      "-.5e3",
      "1e3",
      "1.5E-3",
      ".",
      "-",
      "+",
      ".inf",
      "-.Inf",
      "+.INF",
      ".NaN",
      "+.nan",
      ".nAn",
      "<<",
      "<",
      "a",
      // durations and dates, which start like numbers (a number's last character is told first)
      "30d",
      "4h",
      "1h30m",
      "2027-06-30",
      "0x1d",
      "0xd",
      "-0x1d",
      "1.5d",
      "1e3s",
      ".inff",
      "1.nan",
    ]) {
      check(s);
    }
    const rnd = seededRandom(11);
    const alphabet = "0123456789+-._eExXoOabcdfABCDFinfINFnaNlulLtTrRsS~< ";
    for (let i = 0; i < 60000; i++) {
      let s = "";
      for (let len = 1 + Math.floor(rnd() * 7); len > 0; len--) {
        s += alphabet[Math.floor(rnd() * alphabet.length)];
      }
      check(s.trim() || "x");
    }
  });

  it("loads no js-yaml for a plain manifest, and js-yaml for the rest (built JS)", () => {
    const sourceJs = path.join(REPO, "dist/model/source.js");
    if (!fs.existsSync(sourceJs)) {
      if (process.env.CI === "true") throw new Error("dist/ missing: run npm run build first");
      console.warn("skipping: dist/ is not built");
      return;
    }
    const loadsJsYaml = (text: string): boolean => {
      const script = `const s = require(${JSON.stringify(sourceJs)});
        s.parseText(${JSON.stringify(text)}, "m.yaml");
        process.stdout.write(String(Object.keys(require.cache).some((k) => k.includes("js-yaml"))));`;
      const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
      expect(r.stderr).toBe("");
      return r.stdout === "true";
    };
    expect(loadsJsYaml(example("examples/access-needs.yaml"))).toBe(false);
    expect(loadsJsYaml("base: &b {x: 1}\nuse: *b\n")).toBe(true);
  });
});
