/**
 * Bad input gets one line per issue naming the file, the line:column and the field path — the
 * exact text a user reads from `tokenwarden validate`, `plan` and `check`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ManifestError, loadManifest, parseManifestObject, parseManifestText } from "../../model";
import { InputError } from "../../errors";
import { BASE, issuesOf, tempDir } from "./helpers";

const DURATION_HINT = "(use s, m, h, d — e.g. 1h30m)";

describe("bad manifests: every issue is file:line:col: field: message", () => {
  const cases: { name: string; text: string; issues: string[] }[] = [
    {
      name: "duration syntax",
      text: BASE.replace("ttl: 1h", "ttl: 1x"),
      issues: [`m.yaml:20:5: needs[0].ttl: "1x" is not a duration ${DURATION_HINT}`],
    },
    {
      name: "duration units out of order",
      text: BASE.replace("ttl: 1h", "ttl: 30m1h"),
      issues: [`m.yaml:20:5: needs[0].ttl: "30m1h" is not a duration ${DURATION_HINT}`],
    },
    {
      name: "duration given as a number",
      text: BASE.replace("ttl: 1h", "ttl: 3600"),
      issues: [
        `m.yaml:20:5: needs[0].ttl: expected a duration such as "1h30m", got the number 3600 ${DURATION_HINT}`,
      ],
    },
    {
      name: "zero duration",
      text: BASE.replace("ttl: 1h", "ttl: 0s"),
      issues: [`m.yaml:20:5: needs[0].ttl: "0s" is zero; a duration must be longer than 0s`],
    },
    {
      name: "maxTtl shorter than ttl",
      text: BASE.replace("ttl: 1h", "ttl: 2h\n    maxTtl: 1h"),
      issues: [
        "m.yaml:21:5: needs[0].maxTtl: maxTtl 1h is shorter than ttl 2h; maxTtl must be at least ttl",
      ],
    },
    {
      name: "need ttl longer than the default maxTtl names where each came from",
      text: "defaults: { maxTtl: 30m }\n" + BASE,
      issues: [
        "m.yaml:21:5: needs[0].ttl: defaults.maxTtl 30m is shorter than ttl 1h; maxTtl must be at least ttl",
      ],
    },
    {
      name: "unknown consumer, with a suggestion",
      text: BASE.replace("consumer: app", "consumer: api"),
      issues: ['m.yaml:14:5: needs[0].consumer: unknown consumer "api" — did you mean "app"?'],
    },
    {
      name: "unknown provider, listing the declared ones",
      text: BASE.replace("provider: vault", "provider: hashicorp"),
      issues: [
        'm.yaml:15:5: needs[0].provider: unknown provider "hashicorp" (declared: vault, stripe)',
      ],
    },
    {
      name: "duplicate need name",
      text: BASE + BASE.slice(BASE.indexOf("  - name: app-config")),
      issues: [
        'm.yaml:21:5: needs[1].name: duplicate name "app-config" (already used by needs[0])',
      ],
    },
    {
      name: "wrong type for a list",
      text: "version: 1\nconsumers: []\nneeds: 5\n",
      issues: ["m.yaml:3:1: needs: expected a list of needs, got the number 5"],
    },
    {
      name: "missing per-auth block",
      text: BASE.replace("auth: approle", "auth: kubernetes"),
      issues: [
        'm.yaml:3:5: consumers[0]: missing required field "kubernetes" (kubernetes: { serviceAccounts: [...], namespaces: [...] })',
      ],
    },
    {
      name: "per-auth block of another kind",
      text: BASE.replace(
        "auth: approle",
        "auth: token\n    jwt: { boundAudiences: [vault], boundClaims: { a: b } }",
      ),
      issues: [
        "m.yaml:6:5: consumers[0].jwt: only applies to auth: jwt, but this consumer has auth: token",
      ],
    },
    {
      name: "jwt block: empty audiences, repeated claim value (flow style positions)",
      text: BASE.replace(
        "auth: approle",
        "auth: jwt\n    jwt: { boundAudiences: [], boundClaims: { repo: [x, x] } }",
      ),
      issues: [
        "m.yaml:6:12: consumers[0].jwt.boundAudiences: is an empty list; give at least one of audiences",
        'm.yaml:6:57: consumers[0].jwt.boundClaims.repo[1]: "x" is listed twice',
      ],
    },
    {
      name: "scopes on a vault-token need",
      text: BASE.replace("    access: read", "    scopes: [x]\n    access: read"),
      issues: [
        'm.yaml:19:5: needs[0].scopes: provider "vault" is a vault-token provider: grant Vault paths (paths: [{ path, capabilities }]), not scopes',
      ],
    },
    {
      name: "paths on a third-party need",
      text: BASE.replace("provider: vault", "provider: stripe"),
      issues: [
        'm.yaml:16:5: needs[0].paths: provider "stripe" is a static provider: request its scopes (scopes: [...]), not Vault paths',
      ],
    },
    {
      name: "third-party need without scopes",
      text: BASE.replace(
        "provider: vault\n    paths:\n      - path: secret/data/app/config\n        capabilities: [read]\n",
        "provider: stripe\n",
      ),
      issues: [
        'm.yaml:13:5: needs[0]: missing required field "scopes" (the stripe scopes this need requests)',
      ],
    },
    {
      name: "token endpoint over plain http",
      text: BASE.replace(
        "  - name: stripe\n    kind: static",
        "  - name: stripe\n    kind: oauth2-client-credentials\n    tokenUrl: http://auth.example.com/token",
      ),
      issues: [
        'm.yaml:11:5: providers[1].tokenUrl: "http://auth.example.com/token" must use https (plain http only on localhost): client secrets are sent to it',
      ],
    },
    {
      name: "unknown provider kind, with a suggestion",
      text: BASE.replace("kind: static", "kind: statik"),
      issues: [
        'm.yaml:10:5: providers[1].kind: "statik" is not one of vault-token, static, oauth2-client-credentials, jwt-bearer — did you mean "static"?',
      ],
    },
    {
      name: "invalid calendar date",
      text: BASE.replace("ttl: 1h", "ttl: 1h\n    expires: 2027-02-30"),
      issues: [
        'm.yaml:21:5: needs[0].expires: "2027-02-30" is not a valid date (use YYYY-MM-DD, e.g. 2027-06-30)',
      ],
    },
    {
      name: "timestamp instead of a date",
      text: BASE.replace("ttl: 1h", "ttl: 1h\n    expires: 2027-06-30T00:00:00Z"),
      issues: [
        'm.yaml:21:5: needs[0].expires: "2027-06-30T00:00:00Z" is not a valid date (use YYYY-MM-DD, e.g. 2027-06-30)',
      ],
    },
    {
      name: "Vault capability names",
      text: BASE.replace("capabilities: [read]", "capabilities: [read, reed]"),
      issues: [
        'm.yaml:18:30: needs[0].paths[0].capabilities[1]: "reed" is not a Vault capability — did you mean "read"?',
      ],
    },
    {
      name: "path with a leading slash",
      text: BASE.replace("path: secret/data/app/config", "path: /secret/data/app/config"),
      issues: [
        'm.yaml:17:9: needs[0].paths[0].path: "/secret/data/app/config" must not start with "/" (Vault policy paths are relative, e.g. secret/data/app)',
      ],
    },
    {
      name: "glob star before the end",
      text: BASE.replace("path: secret/data/app/config", 'path: "secret/*/config"'),
      issues: [
        'm.yaml:17:9: needs[0].paths[0].path: "secret/*/config" has "*" before the end; a glob "*" may only be the last character',
      ],
    },
    {
      name: "plus that is not a whole segment",
      text: BASE.replace("path: secret/data/app/config", "path: secret/data/app+/config"),
      issues: [
        'm.yaml:17:9: needs[0].paths[0].path: "secret/data/app+/config" segment "app+" mixes "+" with other characters; "+" must be a whole segment',
      ],
    },
    {
      name: "unknown field, with a suggestion",
      text: BASE.replace("ttl: 1h", "tll: 1h"),
      issues: ['m.yaml:20:5: needs[0].tll: unknown field — did you mean "ttl"?'],
    },
    {
      name: "uppercase names (Vault lowercases policy names)",
      text: BASE.replace("name: app-config", "name: App-Config"),
      issues: [
        'm.yaml:13:5: needs[0].name: "App-Config" is not a valid name: use lowercase letters, digits, ".", "_" and "-", starting with a letter or digit, at most 100 characters (Vault lowercases policy names)',
      ],
    },
    {
      name: "version as text",
      text: BASE.replace("version: 1", 'version: "1"'),
      issues: ['m.yaml:1:1: version: unsupported version "1"; this tokenwarden reads version: 1'],
    },
    {
      name: "waiver without expiry and with a bad rule id",
      text: BASE.replace("ttl: 1h", 'ttl: 1h\n    waivers: [{ rule: TW9, reason: "legacy job" }]'),
      issues: [
        'm.yaml:21:15: needs[0].waivers[0]: missing required field "expires" (when the waiver lapses, YYYY-MM-DD)',
        'm.yaml:21:17: needs[0].waivers[0].rule: "TW9" is not a rule id (TW followed by three digits, e.g. TW009)',
      ],
    },
    {
      name: "vault settings: relative audit file, slash in mount",
      text: "vault: { audit: { path: x, filePath: rel/x.log }, kvMount: /tokens }\n" + BASE,
      issues: [
        'm.yaml:1:28: vault.audit.filePath: "rel/x.log" must be an absolute path on the Vault server (or "stdout")',
        'm.yaml:1:51: vault.kvMount: "/tokens" is not a mount path (segments of letters, digits, ".", "_", "-" separated by "/", no leading or trailing "/")',
      ],
    },
    {
      name: "quoted keys are located at their quote",
      text: BASE.replace("ttl: 1h", '"expires": 2027-13-01'),
      issues: [
        'm.yaml:20:5: needs[0].expires: "2027-13-01" is not a valid date (use YYYY-MM-DD, e.g. 2027-06-30)',
      ],
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      expect(issuesOf(c.text)).toEqual(c.issues);
    });
  }

  it("reports every issue of a file at once, in file order", () => {
    const text = BASE.replace("auth: approle", "auth: approel")
      .replace("kind: static", "kind: statik")
      .replace("ttl: 1h", "ttl: 1x\n    rotation: 30x");
    expect(issuesOf(text)).toEqual([
      'm.yaml:5:5: consumers[0].auth: "approel" is not one of approle, kubernetes, jwt, token — did you mean "approle"?',
      'm.yaml:10:5: providers[1].kind: "statik" is not one of vault-token, static, oauth2-client-credentials, jwt-bearer — did you mean "static"?',
      `m.yaml:20:5: needs[0].ttl: "1x" is not a duration ${DURATION_HINT}`,
      `m.yaml:21:5: needs[0].rotation: "30x" is not a duration ${DURATION_HINT}`,
    ]);
  });

  it("a broken consumer does not also make its needs' reference 'unknown'", () => {
    // The consumer has an issue of its own; the need naming it must not get a second, false one.
    const text = BASE.replace("auth: approle", "auth: kubernetes");
    expect(issuesOf(text)).toHaveLength(1);
  });
});

describe("unreadable input gets a one-line human answer", () => {
  const cases: { name: string; text: string; file?: string; issues: string[] }[] = [
    {
      name: "empty file",
      text: "",
      issues: [
        "m.yaml: the manifest is empty; expected a mapping with version: 1, consumers, providers and needs",
      ],
    },
    {
      name: "only comments",
      text: "# nothing here\n\n",
      issues: [
        "m.yaml: the manifest is empty; expected a mapping with version: 1, consumers, providers and needs",
      ],
    },
    {
      name: "YAML syntax error",
      text: "version: 1\nconsumers: [a, b\nneeds: []\n",
      issues: ["m.yaml:3:1: YAML syntax error: deficient indentation"],
    },
    {
      name: "tab indentation",
      text: "version: 1\n\tconsumers: []\n",
      issues: ["m.yaml:2:1: YAML syntax error: tab characters must not be used in indentation"],
    },
    {
      name: "duplicate key",
      text: "version: 1\nversion: 1\n",
      issues: ["m.yaml:2:1: YAML syntax error: duplicated mapping key"],
    },
    {
      name: "two YAML documents",
      text: "version: 1\n---\nversion: 1\n",
      issues: [
        'm.yaml:3:1: holds 2 YAML documents; a manifest is one document (remove the "---" separators)',
      ],
    },
    {
      name: "JSON syntax error, with the position and no echo of the input",
      text: '{\n  "version": 1,\n  "needs": [,]\n}\n',
      file: "m.json",
      issues: ["m.json:3:13: JSON syntax error: Unexpected token ','"],
    },
    {
      name: "truncated JSON",
      text: '{"version": 1, "needs": [',
      file: "m.json",
      issues: ["m.json:1:26: JSON syntax error: Unexpected end of JSON input"],
    },
    {
      name: "a list at the top",
      text: "- a\n- b\n",
      issues: ["m.yaml:1:1: expected the manifest (a mapping), got a list"],
    },
    {
      name: "a scalar at the top",
      text: "hello\n",
      issues: ['m.yaml:1:1: expected the manifest (a mapping), got the text "hello"'],
    },
    {
      name: "control characters (binary that decoded)",
      text: "version: 1\n\u0001\u0002garbage",
      issues: [
        "m.yaml:2:1: is not a text file: control character U+0001; expected a YAML or JSON manifest",
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(issuesOf(c.text, c.file)).toEqual(c.issues);
    });
  }

  it("binary files, invalid UTF-8, missing files and directories", () => {
    const dir = tempDir();
    const bin = path.join(dir, "bin.yaml");
    fs.writeFileSync(bin, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00]));
    const latin1 = path.join(dir, "latin1.yaml");
    fs.writeFileSync(latin1, Buffer.from("owner: J\xf6rg\n", "latin1"));
    const messages = [bin, latin1, path.join(dir, "missing.yaml"), dir].map((f) => {
      try {
        loadManifest(f);
        return "loaded";
      } catch (err) {
        expect(err).toBeInstanceOf(ManifestError);
        expect(err).toBeInstanceOf(InputError);
        return (err as Error).message;
      }
    });
    expect(messages).toEqual([
      `${bin}: is not a text file: it holds binary data (a NUL byte at offset 7); expected a YAML or JSON manifest`,
      `${latin1}: is not a text file: it holds bytes that are not valid UTF-8; expected a YAML or JSON manifest`,
      `${path.join(dir, "missing.yaml")}: no such file`,
      `${dir}: is a directory; expected a manifest file (access-needs.yaml)`,
    ]);
  });

  it("random bytes never escape as anything but a ManifestError", () => {
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    for (let round = 0; round < 200; round++) {
      const bytes = Buffer.alloc(1 + (next() % 200));
      for (let i = 0; i < bytes.length; i++) bytes[i] = next() % 256;
      const text = bytes.toString("latin1");
      const issues = issuesOf(text, "r.yaml");
      expect(issues.length).toBeGreaterThan(0);
      for (const line of issues) expect(line).toMatch(/^r\.yaml(:\d+:\d+)?: \S/);
    }
  });
});

describe("secrets pasted into a manifest stay out of messages", () => {
  const CANARY = "sk_live_CANARY_8f2b7c1d";
  it("unknown fields are named, their values never echoed", () => {
    const text = BASE.replace("kind: static", `kind: static\n    token: ${CANARY}`).replace(
      "ttl: 1h",
      `ttl: 1h\n    apiKey: ${CANARY}`,
    );
    const issues = issuesOf(text);
    expect(issues).toEqual([
      "m.yaml:11:5: providers[1].token: unknown field (allowed: name, kind, description, scopes, maxTtl, tokenUrl, audience, credentials, clientAuth, revocationUrl, grace)",
      "m.yaml:22:5: needs[0].apiKey: unknown field (allowed: name, consumer, provider, scopes, paths, access, ttl, maxTtl, rotation, owner, justification, expires, defaultPolicy, waivers)",
    ]);
    expect(issues.join("\n")).not.toContain(CANARY);
  });

  it("YAML and JSON syntax errors give the reason and position, not the surrounding text", () => {
    const yamlIssues = issuesOf(BASE.replace("ttl: 1h", `owner: "${CANARY}\n  bad`));
    const jsonIssues = issuesOf(`{"version": 1, "token": "${CANARY}", }`, "m.json");
    for (const issues of [yamlIssues, jsonIssues]) {
      expect(issues).toHaveLength(1);
      expect(issues[0]).not.toContain(CANARY);
    }
  });
});

describe("ManifestError", () => {
  it("carries the issues and the first position for the CLI; the message is one issue per line", () => {
    const text = BASE.replace("ttl: 1h", "ttl: 1x\n    rotation: 2y");
    let caught: unknown;
    try {
      parseManifestText(text, "m.yaml");
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ManifestError);
    const err = caught as ManifestError;
    expect(err.issues.map((i) => [i.line, i.column, i.field])).toEqual([
      [20, 5, "needs[0].ttl"],
      [21, 5, "needs[0].rotation"],
    ]);
    expect(err.message.split("\n")).toHaveLength(2);
    expect([err.file, err.line, err.column]).toEqual(["m.yaml", 20, 5]);
    expect(err.exitCode).toBe(2);
  });

  it("an object manifest (Pulumi component input) names the field, without a line", () => {
    expect(() =>
      parseManifestObject({ version: 1, consumers: [], needs: [{ name: "x" }] }, "stack config"),
    ).toThrow(
      'stack config: needs[0]: missing required field "consumer" (the consumer that uses the token)',
    );
  });
});

describe("limits Vault would only report in the middle of `pulumi up`", () => {
  it("scopes joined beyond 512 bytes of KV metadata", () => {
    const scopes = Array.from({ length: 60 }, (_, i) => `scope-number-${i}`).join(", ");
    const text = BASE.replace(
      "provider: vault\n    paths:\n      - path: secret/data/app/config\n        capabilities: [read]\n",
      `provider: stripe\n    scopes: [${scopes}]\n`,
    );
    expect(issuesOf(text)).toEqual([
      `m.yaml:16:5: needs[0].scopes: joined with "," the scopes exceed Vault's 512-byte metadata value limit; split the need`,
    ]);
  });
});
