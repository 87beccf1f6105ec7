/**
 * A need's `paths`: a well-formed list loads exactly as written (capabilities kept as declared,
 * none declared → an empty list the plan fills from the access level), and every kind of issue in
 * one still gets its own positioned message — the loader decides the well-formed case by a quick
 * check and reports the rest with the full one, so both sides are pinned here.
 */
import { describe, expect, it } from "vitest";
import { parseManifestText, planGrants } from "../../model";
import { issuesOf } from "./helpers";

function manifest(paths: string): string {
  return `version: 1
consumers:
  - name: app
    auth: approle
providers:
  - name: vault
    kind: vault-token
needs:
  - name: app-config
    consumer: app
    provider: vault
    access: read
    paths:
${paths}
`;
}

describe("need paths", () => {
  it("a well-formed list loads as written, in order, with capabilities as declared", () => {
    const m = parseManifestText(
      manifest(`      - path: secret/data/app/config
        capabilities: [read, list]
      - path: secret/data/app/+/x*
      - { path: "auth/token/lookup-self", capabilities: [update] }`),
      "m.yaml",
    );
    expect(m.needs[0].paths).toEqual([
      { path: "secret/data/app/config", capabilities: ["read", "list"] },
      { path: "secret/data/app/+/x*", capabilities: [] },
      { path: "auth/token/lookup-self", capabilities: ["update"] },
    ]);
    // a path with no capabilities gets its access level's in the plan
    const rules = planGrants(m).consumers[0].needs[0].policy.rules;
    expect(rules[1]).toEqual({ path: "secret/data/app/+/x*", capabilities: ["read", "list"] });
  });

  const cases: { name: string; paths: string; issues: string[] }[] = [
    {
      name: "a path listed twice",
      paths: `      - path: a/b
      - path: a/b`,
      issues: [
        'm.yaml:15:9: needs[0].paths[1].path: "a/b" is already listed at paths[0]; merge the capabilities into one entry',
      ],
    },
    {
      name: "a capability listed twice",
      paths: `      - { path: a/b, capabilities: [read, read] }`,
      issues: ['m.yaml:14:43: needs[0].paths[0].capabilities[1]: "read" is listed twice'],
    },
    {
      name: "an empty capabilities list",
      paths: `      - { path: a/b, capabilities: [] }`,
      issues: [
        "m.yaml:14:22: needs[0].paths[0].capabilities: is an empty list; give at least one of capabilities",
      ],
    },
    {
      name: "a field that is not path or capabilities",
      paths: `      - { path: a/b, caps: [read] }`,
      issues: ["m.yaml:14:22: needs[0].paths[0].caps: unknown field (allowed: path, capabilities)"],
    },
    {
      name: "a path with a bad segment and an empty path",
      paths: `      - path: a/../b
      - path: ""`,
      issues: [
        'm.yaml:14:9: needs[0].paths[0].path: "a/../b" has a ".." segment',
        "m.yaml:15:9: needs[0].paths[1].path: is empty; give a value or leave the field out",
      ],
    },
    {
      name: "a list item that is not a mapping",
      paths: `      - secret/data/x`,
      issues: [
        'm.yaml:14:9: needs[0].paths[0]: expected a Vault path grant { path, capabilities } (a mapping), got the text "secret/data/x"',
      ],
    },
  ];
  for (const c of cases) {
    it(`reports ${c.name}`, () => {
      expect(issuesOf(manifest(c.paths))).toEqual(c.issues);
    });
  }

  it("reports an empty paths list", () => {
    expect(issuesOf(manifest("      []").replace("paths:\n      []", "paths: []"))).toEqual([
      "m.yaml:13:5: needs[0].paths: is an empty list; give at least one Vault path",
    ]);
  });
});
