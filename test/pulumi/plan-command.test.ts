/**
 * `tokenwarden plan`: the real program under the mock runtime, printed as JSON (Pulumi type tokens,
 * SDK input names, "[secret]" for secrets) or as a tree grouped by consumer and need.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../errors";
import { runCli } from "./cli-io";

const EXAMPLE = "examples/access-needs.yaml";

interface JsonResource {
  type: string;
  name: string;
  urn: string;
  parent: string | null;
  dependsOn: string[];
  inputs: Record<string, unknown>;
}

describe("plan --format json", () => {
  it("lists every resource with type token, name, parent and SDK-named inputs", async () => {
    const { code, stdout, stderr } = await runCli(["plan", EXAMPLE, "--format", "json"]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    const { resources } = JSON.parse(stdout) as { resources: JsonResource[] };
    const urns = new Set(resources.map((r) => r.urn));
    for (const r of resources) {
      expect(r.type).toMatch(/^(vault|time|tokenwarden):/);
      expect(r.parent === null || urns.has(r.parent)).toBe(true);
    }
    expect(resources.filter((r) => r.parent === null).map((r) => r.type)).toEqual([
      "tokenwarden:index:AccessNeeds",
    ]);
    const role = resources.find((r) => r.type === "vault:appRole/authBackendRole:AuthBackendRole");
    expect(role?.inputs).toMatchObject({
      roleName: "billing-api",
      tokenPolicies: ["tw-billing-stripe-charges", "tw-billing-vault-config"],
      tokenTtl: 900,
    });
    const kv = resources.find((r) => r.type === "vault:kv/secretV2:SecretV2");
    expect(kv?.inputs.dataJsonWo).toBe("[secret]");
  });

  it("is deterministic apart from the rotation clock", async () => {
    const strip = (s: string) =>
      s
        .replace(/"next_rotation": "[^"]+"/g, '"next_rotation": "…"')
        .replace(/\\"next_rotation\\":\\"[^\\]+\\"/g, '\\"next_rotation\\":\\"…\\"');
    const a = await runCli(["plan", EXAMPLE, "--format", "json"]);
    const b = await runCli(["plan", EXAMPLE, "--format", "json"]);
    expect(strip(b.stdout)).toBe(strip(a.stdout));
  });
});

describe("plan (text)", () => {
  it("prints a tree: each consumer with its auth kind, its role, then its needs and their objects", async () => {
    const { code, stdout } = await runCli(["plan", EXAMPLE]);
    expect(code).toBe(0);
    const lines = stdout.split("\n");
    const at = (s: string) => lines.findIndex((l) => l.includes(s));
    expect(at("consumer billing-api (approle auth)")).toBeGreaterThan(0);
    expect(at("consumer web (kubernetes auth)")).toBeGreaterThan(0);
    expect(at("consumer deploy-pipeline (jwt auth)")).toBeGreaterThan(0);
    expect(at("consumer reporting-cron (token auth)")).toBeGreaterThan(0);
    // The need sits under its consumer, its policy under the need.
    expect(at("need billing-stripe-charges")).toBeGreaterThan(at("consumer billing-api"));
    expect(at("need billing-stripe-charges")).toBeLessThan(at("consumer web"));
    expect(at("billing-stripe-charges-policy")).toBeGreaterThan(at("need billing-stripe-charges"));
    expect(stdout).toContain('|   capabilities = ["read"]');
    expect(stdout).toContain("tokenPolicies: [");
    expect(stdout).toContain("dataJsonWo: [secret]");
    // Where a Kubernetes or JWT consumer would have a clock, plan says why it has none.
    expect(stdout).toContain(
      "consumer web (kubernetes auth) — no long-lived credential: logs in with its Kubernetes service-account token",
    );
    expect(stdout).toContain(
      "consumer deploy-pipeline (jwt auth) — no long-lived credential: logs in with the CI job's OIDC token",
    );
    expect(stdout).not.toMatch(/web-session-rotation|deploy-app-secrets-rotation/);
  });
});

describe("usage", () => {
  it("needs exactly one manifest", async () => {
    await expect(runCli(["plan"])).rejects.toBeInstanceOf(UsageError);
    await expect(runCli(["plan", EXAMPLE, EXAMPLE])).rejects.toBeInstanceOf(UsageError);
  });

  it("rejects unknown formats and flags", async () => {
    await expect(runCli(["plan", EXAMPLE, "--format", "yaml"])).rejects.toThrow(/--format/);
    await expect(runCli(["plan", EXAMPLE, "--frmat", "json"])).rejects.toThrow(/unknown flag/);
  });
});

const built =
  existsSync(resolve("dist/cli/main.js")) && existsSync(resolve("dist/cli/commands/plan.js"));
describe.skipIf(!built)("the installed command (dist/, built by npm test)", () => {
  it("prints the same JSON as the in-process run, and exits 2 on bad input", async () => {
    const out = execFileSync(
      process.execPath,
      ["bin/tokenwarden.js", "plan", EXAMPLE, "--format", "json"],
      {
        encoding: "utf8",
      },
    );
    const strip = (s: string) =>
      s.replace(/"next_rotation": "[^"]+"/g, "").replace(/\\"next_rotation\\":\\"[^\\]+\\"/g, "");
    expect(strip(out)).toBe(strip((await runCli(["plan", EXAMPLE, "--format", "json"])).stdout));
    const bad = spawnSync(process.execPath, ["bin/tokenwarden.js", "plan", "/nonexistent/x.yaml"], {
      encoding: "utf8",
    });
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toContain("/nonexistent/x.yaml");
  });
});
if (!built) console.log("skipping the dist/ CLI check: run `npm run build` first (npm test does)");
