/**
 * A consumer's fixed addresses (`cidrs`): the loader refuses what can never be a CIDR block (exit
 * 2, naming the file, field and line), the grant plan binds the consumer's AppRole SecretIDs or
 * token role to them, and TW023 reports a role of such a consumer that is not bound — which only a
 * hand-written or edited resource can be, since the plan always binds it.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseManifestText } from "../../model";
import { manifestToInput } from "../../policies/input/manifest";
import { oracleFindings } from "../../policies/oracle";
import { runMain } from "../support/run-cli";
import { findingLines, regoFindings } from "./rego-findings";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tw-cidrs-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const NOW = "2026-11-30T12:00:00Z";
const rego = regoFindings();

const manifest = (consumer: string) => `version: 1
limits: { maxTtl: 720h, maxRotation: 90d, maxNeedLifetime: 365d }
consumers:
${consumer}
providers:
  - { name: vault, kind: vault-token, maxTtl: 24h }
needs:
  - name: app-config
    consumer: app
    provider: vault
    paths: [{ path: secret/data/app/config, capabilities: [read] }]
    access: read
    ttl: 15m
    maxTtl: 1h
    rotation: 7d
    owner: team@example.com
    justification: Reads its config
    expires: 2027-06-30
`;

describe("consumer cidrs", () => {
  it("binds an AppRole consumer's SecretIDs and a token consumer's tokens to its addresses", () => {
    for (const [auth, field] of [
      ["approle", "secret_id_bound_cidrs"],
      ["token", "token_bound_cidrs"],
    ] as const) {
      const m = parseManifestText(
        manifest(
          `  - { name: app, owner: team@example.com, auth: ${auth}, cidrs: [10.1.2.0/24, "2001:db8::/64"]${auth === "approle" ? ", approle: { secretIdNumUses: 10 }" : ""} }`,
        ),
        "m.yaml",
      );
      const input = manifestToInput(m, { now: NOW });
      expect(input.consumers[0].cidrs).toEqual(["10.1.2.0/24", "2001:db8::/64"]);
      expect(input.vault.roles[0][field]).toEqual(["10.1.2.0/24", "2001:db8::/64"]);
      const found = rego(input);
      expect(findingLines(found)).toEqual(findingLines(oracleFindings(input)));
      expect(found.filter((f) => f.id === "TW023")).toEqual([]);
      // The same role unbound — as a hand-edited resource would be — is what TW023 reports.
      input.vault.roles[0][field] = [];
      const unbound = rego(input).filter((f) => f.id === "TW023");
      expect(unbound).toHaveLength(1);
      expect(unbound[0].message).toContain(`(no ${field})`);
    }
  });

  it("refuses an address that is not a CIDR block: exit 2, file, field and line", async () => {
    const file = path.join(tmp, "bad.yaml");
    fs.writeFileSync(
      file,
      manifest(
        "  - name: app\n    owner: team@example.com\n    auth: approle\n    cidrs: [10.1.2.300/24]",
      ),
    );
    const r = await runMain(["check", file, "--now", NOW]);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toMatch(/bad\.yaml/);
    expect(r.err).toMatch(/cidrs\[0\]/);
    expect(r.err).toMatch(/:7\b|line 7/);
    expect(r.err).toContain("is not a CIDR block");
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
  });
});
