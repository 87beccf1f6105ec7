/**
 * Invalid manifests fail the Pulumi program (and `plan`) with exactly the messages `validate`
 * prints, as a RunError — Pulumi shows its message without a stack — and register nothing.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { requireAuthMount, requireKvV2Mount } from "../../components/token-store";
import { describe, expect, it } from "vitest";
import { AccessNeeds } from "../../components";
import { collectResources } from "../../components/mock-run";
import { ManifestError } from "../../model";
import { manifestObject } from "./fixtures";
import { runCli } from "./cli-io";

const dir = mkdtempSync(join(tmpdir(), "tw-pulumi-invalid-"));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const VALID_YAML = `version: 1
consumers:
  - { name: app, owner: a@example.com, auth: approle }
providers:
  - { name: vault, kind: vault-token }
needs:
  - name: app-config
    consumer: app
    provider: vault
    paths: [{ path: secret/data/app, capabilities: [read] }]
    access: read
    ttl: 1h
    rotation: 7d
    owner: a@example.com
    justification: config
    expires: 2027-01-01
`;

const CASES: [string, string][] = [
  ["empty file", ""],
  ["YAML syntax error", "version: 1\nconsumers: [\n"],
  ["unknown consumer", VALID_YAML.replace("consumer: app\n", "consumer: nobody\n")],
  ["bad duration", VALID_YAML.replace("ttl: 1h", "ttl: 1 hour")],
  ["unknown capability", VALID_YAML.replace("capabilities: [read]", "capabilities: [reed]")],
  ["wrong type", VALID_YAML.replace("needs:\n", "needs: 7\nx:\n")],
];

describe("invalid manifests", () => {
  it.each(CASES)("%s: `plan` prints what `validate` prints and exits 2", async (_case, text) => {
    const f = file(`${_case.replace(/\W+/g, "-")}.yaml`, text);
    const validate = await runCli(["validate", f]);
    const plan = await runCli(["plan", f, "--format", "json"]);
    expect(validate.code).toBe(2);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toBe("");
    expect(plan.stderr).toBe(validate.stderr);
    expect(plan.stderr).toContain(f);
    expect(plan.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("a missing file is a one-line input error naming it", async () => {
    const plan = await runCli(["plan", join(dir, "nope.yaml")]);
    expect(plan.code).toBe(2);
    expect(plan.stderr).toContain("nope.yaml");
    expect(plan.stderr).toContain("no such file");
  });

  it("the component throws a RunError whose message is validate's text, registering nothing", async () => {
    await pulumi.runtime.setMocks({
      newResource: () => {
        throw new Error("registered a resource");
      },
      call: () => ({}),
    });
    const f = file("bad-ref.yaml", CASES[2][1]);
    let caught: unknown;
    try {
      new AccessNeeds("x", { manifest: f });
    } catch (err) {
      caught = err;
    }
    expect(pulumi.RunError.isInstance(caught)).toBe(true);
    const validate = await runCli(["validate", f]);
    const issueLines = validate.stderr.trim().split("\n").slice(0, -1).join("\n");
    expect((caught as Error).message).toBe(issueLines);
    expect((caught as Error).message).toMatch(/^\S+bad-ref\.yaml:\d+:\d+: needs\[0\]\.consumer: /);
  });

  it("an object manifest's issues name the field (no lines: there is no text behind it)", async () => {
    const m = manifestObject();
    (m.needs as Record<string, unknown>[])[1].ttl = "soon";
    await expect(collectResources(m)).rejects.toBeInstanceOf(ManifestError);
    await expect(collectResources(m)).rejects.toThrow(/needs\[1\]\.ttl/);
  });

  it("a mount the stack does not create must exist: the preview stops with what to do", () => {
    const approle = { kind: "approle" as const, path: "approle" };
    expect(requireAuthMount(approle, ["token/", "approle/"])).toBe("approle");
    expect(() => requireAuthMount(approle, ["token/"])).toThrow(
      'auth mount "approle/" (vault.authMounts.approle) is not enabled in this Vault: enable it (vault auth enable -path=approle approle) or let the stack create it with vault.authMounts.approle: { path: approle, create: true } (see docs/pulumi.md)',
    );
    const table = JSON.stringify({
      "secret/": { type: "kv", options: { version: "2" } },
      "old/": { type: "kv", options: { version: "1" } },
      "pki/": { type: "pki", options: null },
    });
    expect(requireKvV2Mount("secret", table)).toBe("secret");
    expect(() => requireKvV2Mount("tokens", table)).toThrow(
      'KV mount "tokens/" (vault.kvMount) does not exist in this Vault',
    );
    expect(() => requireKvV2Mount("old", table)).toThrow("is a kv mount of version 1");
    expect(() => requireKvV2Mount("pki", table)).toThrow("is a pki mount, not KV version 2");
    try {
      requireAuthMount(approle, []);
    } catch (err) {
      expect(pulumi.RunError.isInstance(err)).toBe(true);
    }
  });
});
