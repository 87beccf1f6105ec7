/**
 * Loading: defaults merged, optional fields left missing, YAML and JSON alike, and positions that
 * agree with a full YAML parser's — computed only when asked for.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { LineCounter, parseDocument, isMap, isSeq, isScalar, type Node as YamlNode } from "yaml";
import {
  DEFAULT_LIMITS,
  loadManifest,
  locateNearest,
  parseManifestObject,
  parseManifestText,
} from "../../model";
import { generateManifest } from "../../bench/gen-manifest";
import { BASE, EXAMPLE, tempDir } from "./helpers";

describe("normalised model", () => {
  it("the example loads with every kind normalised, durations in seconds", () => {
    const m = loadManifest(EXAMPLE);
    expect(m.version).toBe(1);
    expect(m.limits).toEqual({
      maxTtl: 720 * 3600,
      maxRotation: 90 * 86400,
      maxNeedLifetime: 365 * 86400,
    });
    expect(m.vault).toEqual({
      kvMount: "tokens",
      kvMountCreate: true,
      authMounts: { approle: "approle", kubernetes: "kubernetes", jwt: "jwt" },
      authMountSetup: {},
      audit: { path: "tokenwarden-file", filePath: "/var/log/vault/tokenwarden-audit.log" },
    });
    expect(m.consumers.map((c) => c.auth)).toEqual(["approle", "kubernetes", "jwt", "token"]);
    expect(m.consumers[2]).toEqual({
      name: "deploy-pipeline",
      owner: "platform@example.com",
      auth: "jwt",
      jwt: {
        boundAudiences: ["vault"],
        boundClaims: { repository: "example-org/deploy", ref: "refs/heads/main" },
        userClaim: "sub",
      },
    });
    expect(m.providers.map((p) => p.kind)).toEqual([
      "vault-token",
      "static",
      "oauth2-client-credentials",
      "jwt-bearer",
    ]);
    expect(m.needs[1]).toEqual({
      name: "billing-vault-config",
      consumer: "billing-api",
      provider: "vault",
      access: "read",
      scopes: [],
      paths: [{ path: "secret/data/billing/config", capabilities: ["read"] }],
      ttl: 900,
      maxTtl: 3600,
      rotation: 7 * 86400,
      owner: "team-billing@example.com",
      justification: "Read runtime config",
      expires: "2027-06-30",
      defaultPolicy: false,
      waivers: [],
    });
    // maxTtl from defaults (24h) where the need gives none
    expect(m.needs[0].maxTtl).toBe(86400);
  });

  it("defaults fill what a need leaves out; limits and vault settings have defaults", () => {
    const m = parseManifestText(
      "defaults: { ttl: 2h, maxTtl: 1d, rotation: 30d }\n" + BASE.replace("    ttl: 1h\n", ""),
      "m.yaml",
    );
    expect(m.needs[0]).toMatchObject({ ttl: 7200, maxTtl: 86400, rotation: 30 * 86400 });
    expect(m.limits).toEqual(DEFAULT_LIMITS);
    expect(m.vault).toEqual({
      kvMount: "tokens",
      kvMountCreate: true,
      authMounts: { approle: "approle", kubernetes: "kubernetes", jwt: "jwt" },
      authMountSetup: {},
    });
  });

  it("fields the policies judge stay missing: no owner borrowed from the consumer, no ttl invented", () => {
    const m = parseManifestText(BASE.replace("    ttl: 1h\n", ""), "m.yaml");
    const need = m.needs[0];
    expect(m.consumers[0].owner).toBe("team@example.com");
    // (each need holds every field, so all needs share one shape: a missing one holds undefined)
    for (const field of [
      "owner",
      "ttl",
      "maxTtl",
      "rotation",
      "justification",
      "expires",
    ] as const) {
      expect(need[field], field).toBeUndefined();
    }
    // and is left out where the model is written out (the plan's embedded declaration)
    expect(Object.keys(JSON.parse(JSON.stringify(need)) as object)).toEqual([
      "name",
      "consumer",
      "provider",
      "access",
      "scopes",
      "paths",
      "defaultPolicy",
      "waivers",
    ]);
  });

  it("YAML and JSON of the same manifest load to the same model", () => {
    const fromYaml = loadManifest(EXAMPLE);
    const dir = tempDir();
    const jsonFile = path.join(dir, "access-needs.json");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const jsYaml = require("js-yaml") as typeof import("js-yaml");
    fs.writeFileSync(
      jsonFile,
      JSON.stringify(jsYaml.load(fs.readFileSync(EXAMPLE, "utf8")), null, 2),
    );
    const fromJson = loadManifest(jsonFile);
    const strip = (m: typeof fromYaml) => JSON.stringify({ ...m, source: undefined });
    expect(strip(fromJson)).toBe(strip(fromYaml));
    // JSON positions are found too (lazily, on first locate).
    expect(fromJson.source.locate(["needs", 1, "ttl"])).toEqual({
      line: expect.any(Number),
      column: 7,
    });
  });

  it("an object manifest loads the same as its text", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const jsYaml = require("js-yaml") as typeof import("js-yaml");
    const obj = jsYaml.load(fs.readFileSync(EXAMPLE, "utf8"));
    const m = parseManifestObject(obj, "Pulumi config");
    expect(m.source.file).toBe("Pulumi config");
    expect(m.source.locate(["needs", 0])).toBeUndefined();
    expect(JSON.stringify({ ...m, source: undefined })).toBe(
      JSON.stringify({ ...loadManifest(EXAMPLE), source: undefined }),
    );
  });

  it("an object manifest whose dates are Date objects (read by a YAML 1.1 loader) loads", () => {
    const m = parseManifestObject(
      {
        version: 1,
        consumers: [{ name: "c", auth: "token" }],
        providers: [{ name: "v", kind: "vault-token" }],
        needs: [
          {
            name: "n",
            consumer: "c",
            provider: "v",
            access: "read",
            paths: [{ path: "a" }],
            expires: new Date("2027-06-30"),
          },
        ],
      },
      "object",
    );
    expect(m.needs[0].expires).toBe("2027-06-30");
  });

  it("a UTF-8 byte order mark and CRLF line ends are fine", () => {
    const m = parseManifestText("\ufeff" + BASE.replace(/\n/g, "\r\n"), "m.yaml");
    expect(m.needs[0].ttl).toBe(3600);
    expect(m.source.locate(["needs", 0, "ttl"])).toEqual({ line: 20, column: 5 });
  });
});

describe("source positions (for findings)", () => {
  it("locates keys, items and nested flow values; undefined for what is not there", () => {
    const m = loadManifest(EXAMPLE);
    const text = fs.readFileSync(EXAMPLE, "utf8").split("\n");
    const at = (p: (string | number)[]) => {
      const pos = m.source.locate(p);
      return pos && text[pos.line - 1].slice(pos.column - 1);
    };
    expect(at(["needs", 0, "ttl"])).toBe("ttl: 1h");
    expect(at(["needs", 1])).toBe("name: billing-vault-config");
    expect(at(["needs", 1, "paths", 0, "capabilities", 0])).toBe("read]");
    expect(at(["consumers", 1, "kubernetes", "serviceAccounts", 0])).toBe("web]");
    expect(at(["version"])).toBe("version: 1");
    expect(m.source.locate([])).toEqual({ line: 7, column: 1 }); // the root mapping, after the comments
    expect(m.source.locate(["needs", 0, "maxTtl"])).toBeUndefined();
    expect(m.source.locate(["needs", 99])).toBeUndefined();
    expect(locateNearest(m.source, ["needs", 0, "maxTtl"])).toEqual(m.source.locate(["needs", 0]));
  });

  it("agrees with the `yaml` package's positions on generated manifests (keys and items)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 1, max: 30 }),
        (seed, n) => {
          const text = generateManifest({ needs: n, seed, violations: true });
          const m = parseManifestText(text, "g.yaml");
          const lc = new LineCounter();
          const doc = parseDocument(text, { lineCounter: lc });
          const expected = (
            p: (string | number)[],
          ): { line: number; column: number } | undefined => {
            // Reference: the key node of a mapping member, the item node of a sequence element.
            let node: unknown = doc.contents;
            let offset: number | undefined = (doc.contents as YamlNode | null)?.range?.[0];
            for (const seg of p) {
              if (isMap(node)) {
                const pair = node.items.find(
                  (it) => isScalar(it.key) && String(it.key.value) === String(seg),
                );
                if (!pair) return undefined;
                offset = (pair.key as YamlNode).range?.[0];
                node = pair.value;
              } else if (isSeq(node) && typeof seg === "number") {
                node = node.items[seg];
                if (!node) return undefined;
                offset = (node as YamlNode).range?.[0];
              } else return undefined;
            }
            return offset === undefined
              ? undefined
              : { line: lc.linePos(offset).line, column: lc.linePos(offset).col };
          };
          const probes: (string | number)[][] = [];
          for (let i = 0; i < m.needs.length; i++) {
            for (const f of ["name", "ttl", "owner", "expires", "scopes", "paths", "rotation"])
              probes.push(["needs", i, f]);
            probes.push(
              ["needs", i],
              ["needs", i, "paths", 0, "path"],
              ["needs", i, "paths", 0, "capabilities", 1],
            );
            probes.push(["needs", i, "scopes", 0]);
          }
          probes.push(
            ["consumers", 1, "kubernetes", "namespaces", 0],
            ["providers", 2, "tokenUrl"],
          );
          for (const p of probes)
            expect(m.source.locate(p), JSON.stringify(p)).toEqual(expected(p));
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe("YAML conveniences", () => {
  it("merge keys share settings between needs; top-level x- keys hold the anchors", () => {
    const text = `version: 1
x-short-lived: &short { ttl: 15m, maxTtl: 1h, rotation: 7d, owner: team@example.com }
consumers:
  - { name: app, auth: approle }
providers:
  - { name: vault, kind: vault-token }
needs:
  - <<: *short
    name: a
    consumer: app
    provider: vault
    access: read
    paths: [{ path: secret/data/a }]
`;
    const m = parseManifestText(text, "m.yaml");
    expect(m.needs[0]).toMatchObject({
      ttl: 900,
      maxTtl: 3600,
      rotation: 604800,
      owner: "team@example.com",
    });
    // A merged field has no key of its own in the need: its finding points at the need.
    expect(m.source.locate(["needs", 0, "ttl"])).toBeUndefined();
    expect(locateNearest(m.source, ["needs", 0, "ttl"])).toEqual({ line: 8, column: 5 });
  });
});
