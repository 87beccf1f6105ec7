/**
 * `plan`'s output is written a piece at a time (a 20,000-need plan is tens of megabytes of text,
 * never held as one string): the pieces are exactly the bytes of the whole document rendered at
 * once, and the command hands them to stdout in a few large writes, not one per line.
 */
import { describe, expect, it } from "vitest";
import type { PlannedResource } from "../../components/mock-run";
import {
  renderJson,
  renderText,
  writeJson,
  writeText,
  type PlanFinding,
  type PlanPolicyResults,
} from "../../cli/commands/plan";
import type { EmbeddedDeclaration } from "../../policies/input/declaration";

const TOP = "urn:pulumi:plan::tokenwarden::tokenwarden:index:AccessNeeds::access-needs";

function resources(consumers: number): PlannedResource[] {
  const out: PlannedResource[] = [
    {
      type: "tokenwarden:index:AccessNeeds",
      name: "access-needs",
      urn: TOP,
      parent: null,
      custom: false,
      inputs: {},
      dependsOn: [],
      deleteBeforeReplace: false,
    },
  ];
  for (let i = 0; i < consumers; i++) {
    const role = `${TOP}$vault:appRole/authBackendRole:AuthBackendRole::c${i}`;
    out.push({
      type: "vault:appRole/authBackendRole:AuthBackendRole",
      name: `c${i}`,
      urn: role,
      parent: TOP,
      custom: true,
      // strings with newlines, quotes and non-ASCII, nested lists and objects, an empty list
      inputs: {
        roleName: `c${i}`,
        policy: `path "secret/data/c${i}/*" {\n  capabilities = ["read"]\n}\n`,
        tokenPolicies: [`tw-n${i}`, "tw-ünï"],
        metadata: { owner: `team-${i}@example.com`, quote: 'say "hi"' },
        tokenBoundCidrs: [],
      },
      dependsOn: i % 2 ? [TOP] : [],
      deleteBeforeReplace: false,
    });
  }
  return out;
}

const finding = (i: number, severity: "deny" | "warn"): PlanFinding => ({
  id: `TW00${(i % 9) + 1}`,
  severity,
  message: `need "n${i}" asks for too much;\nfix it`,
  remediation: "fix it",
  source: `n${i}`,
  need: `n${i}`,
  line: i + 3,
  resources: [`c${i}`],
  urns: [`${TOP}$vault:appRole/authBackendRole:AuthBackendRole::c${i}`],
});

const declaration = {
  version: 1,
  limits: {},
  consumers: [{ name: "c0", auth: "approle" }],
  providers: [],
  needs: [],
} as unknown as EmbeddedDeclaration;

/** The document as plan rendered it before it streamed: one JSON.stringify of the whole. */
function wholeJson(
  list: readonly PlannedResource[],
  policy?: PlanPolicyResults,
  decl?: EmbeddedDeclaration,
): string {
  const doc: Record<string, unknown> = {};
  if (decl) doc.tokenwarden = decl;
  doc.resources = list.map(({ type, name, urn, parent, dependsOn, inputs }) => ({
    type,
    name,
    urn,
    parent,
    dependsOn,
    inputs,
  }));
  if (policy) {
    const deny = policy.findings.filter((f) => f.severity === "deny").length;
    doc.findings = policy.findings;
    doc.waived = policy.waived;
    doc.policy = {
      evaluated: true,
      deny,
      warn: policy.findings.length - deny,
      waived: policy.waived.length,
      notes: policy.notes,
    };
  } else if (decl) {
    doc.policy = { evaluated: false };
  }
  return JSON.stringify(doc, null, 2) + "\n";
}

describe("plan output written in pieces", () => {
  const list = resources(40);
  const policy: PlanPolicyResults = {
    findings: [finding(1, "deny"), finding(2, "warn")],
    waived: [],
    notes: ["a note"],
  };

  it("JSON: the very bytes of the whole document stringified at once", () => {
    const waivedOnly: PlanPolicyResults = { findings: [], waived: [finding(3, "deny")], notes: [] };
    const cases: [PlanPolicyResults | undefined, EmbeddedDeclaration | undefined][] = [
      [policy, declaration],
      [undefined, declaration],
      [undefined, undefined],
      [waivedOnly, declaration],
    ];
    for (const [p, d] of cases) {
      const pieces: string[] = [];
      writeJson((t) => pieces.push(t), list, p, d);
      expect(pieces.join("")).toBe(wholeJson(list, p, d));
      expect(pieces.length).toBeGreaterThan(list.length); // at least one piece per resource
      expect(renderJson(list, p, d)).toBe(wholeJson(list, p, d));
    }
  });

  it("text: the same lines as the string form, a piece per line", () => {
    const pieces: string[] = [];
    writeText((t) => pieces.push(t), list, policy, "m.yaml");
    const text = renderText(list, policy, "m.yaml");
    expect(pieces.join("")).toBe(text);
    expect(pieces.length).toBe(text.split("\n").length - 1 - 2); // two messages span two lines
    expect(pieces.every((p) => p.endsWith("\n"))).toBe(true);
    expect(text).toContain("✗ deny TW002");
    expect(text).toMatch(/policy: 2 findings \(1 deny, 1 warn\), 0 waived/);
  });
});
