import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { NOW, REPO, fixture, haveSarifSchema as haveSchema, sarifValidator, tw } from "./helpers";

const VIOLATIONS = fixture("violations.yaml");
const lines = fs.readFileSync(path.join(REPO, VIOLATIONS), "utf8").split("\n");
/** 1-based line of the first line containing `text`. */
const lineOf = (text: string) => lines.findIndex((l) => l.includes(text)) + 1;

describe("check output formats", () => {
  it("text groups findings by file with file:line:col, the rule id and the severity", async () => {
    const r = await tw(["check", VIOLATIONS, "--now", NOW]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`${VIOLATIONS}: 5 findings`);
    expect(r.out).toContain(`${VIOLATIONS}:${lineOf('"secret/*"')}:9: TW001 [deny]`);
    expect(r.out).toContain(`${VIOLATIONS}:${lineOf("ttl: 2000h")}:5: TW004 [deny]`);
    expect(r.out).toMatch(
      /Waived \(reviewed exceptions\):\n .*TW001 waived until 2027-01-31 — Migration window/,
    );
    expect(r.out).toContain("5 findings (5 deny, 0 warn), 1 waived, in 1 input");
    expect(r.err).toBe("");
  });

  it("json lists findings with file, line, need and field, and a summary", async () => {
    const r = await tw(["check", VIOLATIONS, "--now", NOW, "--format", "json"]);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out);
    expect(doc.summary).toEqual({ deny: 5, warn: 0, waived: 1 });
    const ttl = doc.findings.find(
      (f: { id: string; field?: string }) => f.id === "TW004" && f.field === "ttl",
    );
    expect(ttl).toMatchObject({ need: "long-ttl", file: VIOLATIONS, line: lineOf("ttl: 2000h") });
    expect(doc.waived[0]).toMatchObject({
      id: "TW001",
      need: "waived-wildcard",
      waiver: { reason: "Migration window approved in SEC-123", expires: "2027-01-31" },
    });
  });

  it.skipIf(!haveSchema)(
    "sarif is valid against the official 2.1.0 schema, with rules and real lines",
    async () => {
      const r = await tw(["check", VIOLATIONS, "--now", NOW, "--format", "sarif"]);
      expect(r.code).toBe(1);
      const log = JSON.parse(r.out);
      const validate = sarifValidator();
      expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);
      // the validator does reject a log the schema forbids (a run without its tool)
      expect(validate({ version: "2.1.0", runs: [{ results: [] }] })).toBe(false);
      const run = log.runs[0];
      const rule = run.tool.driver.rules.find((x: { id: string }) => x.id === "TW001");
      expect(rule.shortDescription.text).toMatch(/wildcard/);
      expect(rule.fullDescription.text.length).toBeGreaterThan(20);
      expect(rule.help.text.length).toBeGreaterThan(10);
      const wide = run.results.find((x: { message: { text: string } }) =>
        x.message.text.includes("secret/*"),
      );
      expect(wide.ruleId).toBe("TW001");
      expect(wide.level).toBe("error");
      expect(run.tool.driver.rules[wide.ruleIndex].id).toBe("TW001");
      expect(wide.locations[0].physicalLocation.artifactLocation.uri).toBe(VIOLATIONS);
      expect(wide.locations[0].physicalLocation.region.startLine).toBe(lineOf('"secret/*"'));
      // the waiver stays visible as a suppressed result
      const waived = run.results.filter((x: { suppressions?: unknown[] }) => x.suppressions);
      expect(waived).toHaveLength(1);
      expect(waived[0].suppressions[0].justification).toContain("SEC-123");
    },
  );

  it.skipIf(!haveSchema)(
    "sarif for a clean input is still a valid log with no results",
    async () => {
      const r = await tw(["check", fixture("clean.yaml"), "--now", NOW, "--format", "sarif"]);
      expect(r.code).toBe(0);
      const log = JSON.parse(r.out);
      expect(sarifValidator()(log)).toBe(true);
      expect(log.runs[0].results).toEqual([]);
    },
  );

  it("github prints one workflow annotation per finding at its manifest line", async () => {
    const r = await tw(["check", VIOLATIONS, "--now", NOW, "--format", "github"]);
    expect(r.code).toBe(1);
    const out = r.out.trimEnd().split("\n");
    expect(out.filter((l) => l.startsWith("::error "))).toHaveLength(5);
    expect(out).toContain(
      out.find((l) =>
        l.startsWith(
          `::error file=${VIOLATIONS},line=${lineOf("maxTtl: 2000h")},col=5,title=TW004::`,
        ),
      ),
    );
    expect(
      out.some((l) => l.startsWith(`::notice file=${VIOLATIONS},line=${lineOf('"kv/*"')},`)),
    ).toBe(true);
    for (const l of out) expect(l).toMatch(/^::(error|warning|notice) [^:]*::[^\n]+$/);
  });

  it("github escapes newlines and percent signs in messages and commas in properties", async () => {
    const { renderGithub } = await import("../../report/github");
    const text = renderGithub({
      tool: { name: "tokenwarden", version: "0" },
      inputs: [{ file: "a,b.yaml", kind: "manifest" }],
      results: [
        {
          ruleId: "TW001",
          severity: "deny",
          message: "100% wrong\nsecond line",
          remediation: "",
          source: "x",
          location: { file: "a,b.yaml", line: 3 },
        },
      ],
      waived: [],
      notes: [],
    });
    expect(text).toBe("::error file=a%2Cb.yaml,line=3,title=TW001::100%25 wrong%0Asecond line\n");
  });

  it("junit is well-formed XML with a failing case per denied rule", async () => {
    const r = await tw(["check", VIOLATIONS, "--now", NOW, "--format", "junit"]);
    expect(r.code).toBe(1);
    expect(r.out.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')).toBe(true);
    expectWellFormed(r.out);
    expect(r.out).toMatch(/<testsuites name="tokenwarden check" tests="\d+" failures="3">/);
    expect(r.out).toContain('<testcase name="TW004 TTL or max TTL missing or above the limits"');
    expect(r.out).not.toMatch(/[<>]app[<>]/); // `<app>` in a message is escaped
  });
});

/** A small XML well-formedness check: one root, balanced tags, quoted attributes, known entities. */
function expectWellFormed(xmlText: string): void {
  const body = xmlText.replace(/^<\?xml[^?]*\?>\s*/, "");
  const stack: string[] = [];
  let roots = 0;
  const tag = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|([^<]+)|(<)/g;
  for (let m = tag.exec(body); m; m = tag.exec(body)) {
    if (m[6]) throw new Error(`stray '<' at ${m.index}: ${body.slice(m.index, m.index + 40)}`);
    if (m[5] !== undefined) {
      if (stack.length === 0 && m[5].trim() !== "")
        throw new Error("text outside the root element");
      for (const ent of m[5].match(/&[^;\s]*;?/g) ?? []) {
        expect(["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"]).toContain(ent);
      }
      continue;
    }
    const [, close, name, , selfClose] = m;
    if (close) {
      expect(stack.pop()).toBe(name);
    } else if (!selfClose) {
      if (stack.length === 0) roots++;
      stack.push(name);
    } else if (stack.length === 0) roots++;
  }
  expect(stack).toEqual([]);
  expect(roots).toBe(1);
}
