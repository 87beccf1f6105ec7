/**
 * The published JSON Schema (what editors validate YAML with) and the loader agree: what the loader
 * accepts the schema accepts, and the structural mistakes the loader refuses the schema refuses.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import Ajv2020 from "ajv/dist/2020";
import { load as loadYaml } from "js-yaml";
import { generateManifest } from "../../bench/gen-manifest";
import { BASE, EXAMPLE, REPO, issuesOf } from "./helpers";

const schema = JSON.parse(
  fs.readFileSync(path.join(REPO, "schema/access-needs.schema.json"), "utf8"),
);
const validate = new Ajv2020({ allErrors: true }).compile(schema);
const schemaAccepts = (text: string) => validate(loadYaml(text));

describe("schema/access-needs.schema.json", () => {
  it("is referenced by the example for editors", () => {
    expect(fs.readFileSync(EXAMPLE, "utf8").split("\n")[0]).toBe(
      "# yaml-language-server: $schema=../schema/access-needs.schema.json",
    );
  });

  it("accepts the example and generated manifests, with and without violations", () => {
    expect(schemaAccepts(fs.readFileSync(EXAMPLE, "utf8")), JSON.stringify(validate.errors)).toBe(
      true,
    );
    for (let seed = 1; seed <= 20; seed++) {
      for (const violations of [false, true]) {
        const text = generateManifest({ needs: 40, seed, violations });
        expect(issuesOf(text)).toEqual([]);
        expect(schemaAccepts(text), JSON.stringify(validate.errors)).toBe(true);
      }
    }
  });

  it("accepts a manifest that leaves out every field a policy rule judges", () => {
    const text = BASE.replace("    ttl: 1h\n", "");
    expect(issuesOf(text)).toEqual([]);
    expect(schemaAccepts(text)).toBe(true);
  });

  const structural: [string, string][] = [
    ["duration syntax", BASE.replace("ttl: 1h", "ttl: 1x")],
    ["zero duration", BASE.replace("ttl: 1h", "ttl: 0m")],
    ["duration as number", BASE.replace("ttl: 1h", "ttl: 3600")],
    ["unknown field", BASE.replace("ttl: 1h", "tll: 1h")],
    ["uppercase name", BASE.replace("name: app-config", "name: App")],
    ["missing auth block", BASE.replace("auth: approle", "auth: kubernetes")],
    ["block of another kind", BASE.replace("auth: approle", "auth: token\n    approle: {}")],
    [
      "empty bound claims",
      BASE.replace("auth: approle", "auth: jwt\n    jwt: { boundAudiences: [v], boundClaims: {} }"),
    ],
    [
      "scopes on vault-token provider",
      BASE.replace("kind: vault-token", "kind: vault-token\n    scopes: [x]"),
    ],
    ["oauth2 without tokenUrl", BASE.replace("kind: static", "kind: oauth2-client-credentials")],
    [
      "http token url",
      BASE.replace("kind: static", "kind: jwt-bearer\n    tokenUrl: http://x.example.com"),
    ],
    [
      "need with scopes and paths",
      BASE.replace("    access: read", "    scopes: [a]\n    access: read"),
    ],
    ["need with neither", BASE.replace(/ {4}paths:\n.*\n.*\n/, "")],
    ["bad capability", BASE.replace("capabilities: [read]", "capabilities: [reed]")],
    ["duplicate capability", BASE.replace("capabilities: [read]", "capabilities: [read, read]")],
    [
      "leading slash",
      BASE.replace("path: secret/data/app/config", "path: /secret/data/app/config"),
    ],
    ["star before end", BASE.replace("path: secret/data/app/config", 'path: "secret/*/x"')],
    ["partial plus segment", BASE.replace("path: secret/data/app/config", "path: secret/a+/x")],
    ["dot-dot segment", BASE.replace("path: secret/data/app/config", "path: secret/../x")],
    ["bad date", BASE.replace("ttl: 1h", "ttl: 1h\n    expires: 2027-13-01")],
    [
      "bad waiver rule",
      BASE.replace(
        "ttl: 1h",
        "ttl: 1h\n    waivers: [{ rule: X, reason: r, expires: 2027-01-01 }]",
      ),
    ],
    ["version 2", BASE.replace("version: 1", "version: 2")],
    ["missing needs", "version: 1\nconsumers: []\n"],
    ["relative audit file", "vault: { audit: { path: a, filePath: x.log } }\n" + BASE],
    ["kv mount with slash", "vault: { kvMount: /x }\n" + BASE],
    ["empty owner", BASE.replace("ttl: 1h", 'ttl: 1h\n    owner: ""')],
    ["defaultPolicy not boolean", BASE.replace("ttl: 1h", "ttl: 1h\n    defaultPolicy: yes")],
  ];
  for (const [name, text] of structural) {
    it(`loader and schema both refuse: ${name}`, () => {
      expect(issuesOf(text).length, "loader").toBeGreaterThan(0);
      expect(schemaAccepts(text), "schema").toBe(false);
    });
  }
});
