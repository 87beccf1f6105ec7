/**
 * Each rule of the bundled policies says what it is in a METADATA annotation next to its Rego
 * (title, description, remediation, severity, OWASP NHI tag), which is where SARIF rule
 * descriptors and JUnit test names come from.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parseModule, type Module } from "../../rego";
import { readArtefact } from "../../policies/ast-artefact";
import { writeAstArtefact } from "../../policies/build-ast-artefact";
import { builtinSources } from "../../policies/evaluate";
import { ruleDescriptors } from "../../policies/rule-descriptors";

const ROOT = path.resolve(__dirname, "../..");
const { modules } = builtinSources(ROOT);
const rules = modules.filter((m) => !m.file.endsWith("_test.rego"));
const parsed = rules.map((m) => parseModule(m.file, m.source));
const described = ruleDescriptors(parsed);

/** Every rule id a finding of the bundled policies can carry: `finding("TWnnn", …)`. */
function producedIds(): Set<string> {
  const ids = new Set<string>();
  for (const m of rules) {
    for (const hit of m.source.matchAll(/finding\(\s*"(TW\d{3})"/g)) ids.add(hit[1]);
  }
  return ids;
}

describe("rule descriptors from the policies' METADATA", () => {
  it("describe exactly the rules the policies produce, once each", () => {
    const produced = [...producedIds()].sort();
    expect(produced).toContain("TW001");
    expect(produced).toContain("TW028");
    expect(described.map((d) => d.id)).toEqual(produced);
    // one annotation per id: a second would silently lose to the first
    const annotated = parsed.flatMap((m) =>
      (m.annotations ?? []).map((a) => JSON.stringify(a.value)).filter((v) => v.includes('"id"')),
    );
    expect(annotated).toHaveLength(produced.length);
  });

  it("give each a title, a description, a remediation, a severity and an OWASP NHI tag", () => {
    for (const d of described) {
      expect(d.title.length, d.id).toBeGreaterThan(5);
      expect(d.title, d.id).not.toContain("\n");
      expect(d.description.length, d.id).toBeGreaterThan(d.title.length);
      expect(d.remediation.length, d.id).toBeGreaterThan(10);
      expect(["deny", "warn"], d.id).toContain(d.severity);
      // TW012/TW013 say an input could not be judged: no risk of their own to tag
      if (d.id !== "TW012" && d.id !== "TW013") expect(d.tags.length, d.id).toBeGreaterThan(0);
      for (const t of d.tags) expect(t, d.id).toMatch(/^OWASP-NHI(10|[1-9]):2025$/);
    }
    expect(described.find((d) => d.id === "TW015")?.severity).toBe("warn");
    expect(described.find((d) => d.id === "TW001")?.title).toMatch(/wildcard/i);
  });

  it("declare the severity the rule's findings carry", () => {
    for (const d of described) {
      const owner = rules.find((m) => new RegExp(`finding\\(\\s*"${d.id}"`).test(m.source));
      const first = owner?.source.match(new RegExp(`finding\\(\\s*"${d.id}",\\s*"(deny|warn)"`));
      expect(first?.[1], d.id).toBe(d.severity);
    }
  });

  it("survive the build's prebuilt syntax trees (what check loads)", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "tw-desc-"));
    try {
      expect(writeAstArtefact(ROOT, out, path.join(ROOT, "rego"))).toBeUndefined();
      const prebuilt = readArtefact(out, path.join(ROOT, "rego"), modules) as Module[];
      expect(prebuilt).toBeDefined();
      expect(ruleDescriptors(prebuilt)).toEqual(
        ruleDescriptors(modules.map((m) => parseModule(m.file, m.source))),
      );
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it("take an organisation rule's id from custom.id, or name it <package>.<rule>", () => {
    const org = parseModule(
      "org.rego",
      `package acme.naming
import rego.v1

# METADATA
# title: Tokens are named after their team
# custom:
#   id: ACME-7
#   severity: warn
deny contains "x" if false

# METADATA
# title: No wildcard consumers
# description: A consumer named * matches every service.
deny contains "y" if false

# METADATA
# title: Not a finding rule
helper := 1
`,
    );
    expect(ruleDescriptors([org])).toEqual([
      {
        id: "ACME-7",
        title: "Tokens are named after their team",
        description: "Tokens are named after their team",
        remediation: "",
        severity: "warn",
        tags: [],
      },
      {
        id: "acme.naming.deny",
        title: "No wildcard consumers",
        description: "A consumer named * matches every service.",
        remediation: "",
        severity: "deny",
        tags: [],
      },
    ]);
  });
});
