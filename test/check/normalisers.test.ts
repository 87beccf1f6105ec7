import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadManifest } from "../../model";
import { declarationFromEmbedded, DeclarationError } from "../../policies/input/declaration";
import { ttlSeconds } from "../../policies/input/duration";
import { parsePolicyHcl } from "../../policies/input/hcl";
import { manifestToInput } from "../../policies/input/manifest";
import { looksLikeToken } from "../../policies/input/resources";
import { NOW, REPO, fixture, tw } from "./helpers";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tw-norm-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("manifest → policy input", () => {
  it("takes vault objects from the grant plan, each sourced at its need (roles at their consumer)", () => {
    const input = manifestToInput(loadManifest(path.join(REPO, fixture("clean.yaml"))), {
      now: NOW,
    });
    expect(input.has_declaration).toBe(true);
    expect(input.limits).toEqual({
      max_ttl_seconds: 720 * 3600,
      max_rotation_seconds: 90 * 86400,
      max_need_lifetime_seconds: 365 * 86400,
    });
    expect(
      input.needs.map((n) => [n.name, n.policy_name, n.ttl_seconds, n.rotation_seconds]),
    ).toEqual([
      ["billing-config", "tw-billing-config", 3600, 30 * 86400],
      ["billing-stripe", "tw-billing-stripe", 3600, 30 * 86400],
    ]);
    expect(input.vault.policies.map((p) => [p.name, p.source, p.need])).toEqual([
      ["tw-billing-config", "billing-config", "billing-config"],
      ["tw-billing-stripe", "billing-stripe", "billing-stripe"],
    ]);
    expect(input.vault.roles).toEqual([
      expect.objectContaining({
        name: "billing-api",
        kind: "approle",
        source: "billing-api",
        token_ttl_seconds: 3600,
      }),
    ]);
    expect(input.vault.secrets[0]).toMatchObject({
      source: "billing-stripe",
      need: "billing-stripe",
    });
    expect(input.vault.secrets[0].custom_metadata.need).toBe("billing-stripe");
  });
});

describe("embedded declaration", () => {
  it("rebuilds needs with the grant plan's policy names and default limits", () => {
    const side = declarationFromEmbedded({
      version: 1,
      consumers: [{ name: "c", auth: "token" }],
      providers: [{ name: "vault", kind: "vault-token" }],
      needs: [{ name: "n", consumer: "c", provider: "vault", access: "read", paths: [] }],
    });
    expect(side.needs[0].policy_name).toBe("tw-n");
    expect(side.needs[0].owner).toBeNull();
    expect(side.limits.max_ttl_seconds).toBe(720 * 3600);
  });

  it("rejects what is not a version-1 declaration, naming the field", () => {
    expect(() => declarationFromEmbedded({ version: 2 })).toThrow(DeclarationError);
    expect(() => declarationFromEmbedded({ version: 1, needs: [{}] })).toThrow(
      "declaration.needs[0].name",
    );
  });

  it("a broken embedded declaration is an input error (exit 2) naming the file", async () => {
    const file = path.join(tmp, "plan.json");
    fs.writeFileSync(
      file,
      JSON.stringify({ resources: [], tokenwarden: { version: 1, needs: "x" } }),
    );
    const r = await tw(["check", file, "--now", NOW]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      new RegExp(
        `^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+:\\d+: embedded declaration\\.needs: expected a list$`,
        "m",
      ),
    );
  });
});

describe("values", () => {
  it("reads Vault/Terraform TTLs: seconds, numeric strings, Go durations; zero and empty are unset", () => {
    expect([
      ttlSeconds(3600),
      ttlSeconds("3600"),
      ttlSeconds("1h"),
      ttlSeconds("1h30m0s"),
      ttlSeconds("7d"),
    ]).toEqual([3600, 3600, 3600, 5400, 604800]);
    expect([
      ttlSeconds(0),
      ttlSeconds(""),
      ttlSeconds("0s"),
      ttlSeconds(undefined),
      ttlSeconds("soon"),
    ]).toEqual([null, null, null, null, null]);
  });

  it("recognises token formats but not configuration values", () => {
    expect(looksLikeToken("hvs.CAESIJ1234567890abcdefghijklmnop")).toBe(true);
    expect(looksLikeToken("ghp_abcdefghijklmnopqrstuvwxyz0123456789")).toBe(true);
    expect(looksLikeToken("sk_live_1234567890abcdef")).toBe(true);
    expect(looksLikeToken("team-billing@example.com")).toBe(false);
    expect(looksLikeToken("secret/data/billing/config")).toBe(false);
    expect(looksLikeToken("2027-06-30")).toBe(false);
  });
});

describe("policy HCL", () => {
  it("parses path blocks, merges repeated paths and expands the legacy `policy =` shorthand", async () => {
    const r = await parsePolicyHcl(
      "p",
      'path "a/b" {\n  capabilities = ["read"]\n}\npath "a/b" {\n  capabilities = ["list"]\n}\npath "c/*" {\n  policy = "write"\n}\n',
    );
    expect(r).toEqual({
      ok: true,
      rules: [
        { path: "a/b", capabilities: ["read", "list"] },
        { path: "c/*", capabilities: ["create", "read", "update", "delete", "list"] },
      ],
    });
  });

  it("reports a syntax error with its line and column instead of throwing", async () => {
    const r = await parsePolicyHcl("p", 'path "x" {\n  capabilities = "read"\n  }\n}\n');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/^line 4, column 1: /);
  });
});
