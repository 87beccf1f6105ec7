/**
 * The manifest fields procurement reads (credentials path, clientAuth, revocationUrl, grace) and
 * the catalogue entries of its findings.
 */
import { describe, expect, it } from "vitest";
import { ManifestError, parseManifestText, type OAuth2Provider } from "../../../model";
import { ruleInfo } from "../../../report/rules";
import { PROCURE_RULES } from "../../../ops/procure/findings";

const base = (provider: string) => `version: 1
consumers:
  - { name: app, owner: a@example.com, auth: approle }
providers:
${provider}
needs:
  - { name: n, consumer: app, provider: p, scopes: [s], access: read, owner: a@example.com }
`;

function issuesOf(text: string): string[] {
  try {
    parseManifestText(text, "m.yaml");
    return [];
  } catch (e) {
    if (!(e instanceof ManifestError)) throw e;
    return e.issues.map((i) => `${i.line}: ${i.field}: ${i.message}`);
  }
}

describe("provider fields for procurement", () => {
  it("reads credentials, clientAuth, revocationUrl and grace", () => {
    const m = parseManifestText(
      base(`  - name: p
    kind: oauth2-client-credentials
    tokenUrl: https://auth.example.com/token
    revocationUrl: https://auth.example.com/revoke
    credentials: secret/data/tokenwarden/p
    clientAuth: private_key_jwt
    grace: 2h
    scopes: [s]`),
      "m.yaml",
    );
    const p = m.providers[0] as OAuth2Provider;
    expect(p).toMatchObject({
      credentials: "secret/data/tokenwarden/p",
      clientAuth: "private_key_jwt",
      revocationUrl: "https://auth.example.com/revoke",
      grace: 7200,
    });
  });

  it("refuses a plain-http revocation endpoint, an unknown clientAuth and a wildcard path, with lines", () => {
    const issues = issuesOf(
      base(`  - name: p
    kind: oauth2-client-credentials
    tokenUrl: https://auth.example.com/token
    revocationUrl: http://auth.example.com/revoke
    credentials: secret/data/*
    clientAuth: basic
    scopes: [s]`),
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^8: providers\[0\]\.revocationUrl: .*must use https/),
        expect.stringMatching(/^9: providers\[0\]\.credentials: .*without wildcards/),
        expect.stringMatching(
          /^10: providers\[0\]\.clientAuth: "basic" is not one of client_secret_basic/,
        ),
      ]),
    );
  });

  it("static providers take a grace but nothing to fetch with", () => {
    const issues = issuesOf(
      base(`  - { name: p, kind: static, scopes: [s], grace: 1h, credentials: secret/data/x }`),
    );
    expect(issues).toEqual([
      expect.stringMatching(/providers\[0\]\.credentials: does not apply to kind: static/),
    ]);
  });
});

describe("rule catalogue", () => {
  it("describes every procurement finding", () => {
    for (const id of Object.values(PROCURE_RULES)) {
      const r = ruleInfo(id);
      expect(r.title).not.toMatch(/^Organisation rule/);
      expect(r.help.length).toBeGreaterThan(20);
    }
    expect(ruleInfo("TW040").severity).toBe("deny");
    expect(ruleInfo("TW043").severity).toBe("deny");
    expect(ruleInfo("TW044").severity).toBe("warn");
  });
});
