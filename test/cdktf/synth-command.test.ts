/**
 * `tokenwarden synth`: what a Terraform user gets on disk, what they get on bad input, and that
 * Terraform itself accepts the configuration. The command runs in-process (its `run`; user errors
 * surface as the UserError the dispatcher prints and exits 2 on), and once through the built CLI.
 */
import * as cp from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CliIO } from "../../cli/io";
import { InputError } from "../../errors";
import { run } from "../../cli/commands/synth";
import { captureIO } from "../support/capture-io";
import { runCommand } from "../support/run-cli";
import { loadManifest, planGrants } from "../../model";
import { DECLARATION_OUTPUT, tokenVariableName } from "../../components/cdktf";
import { embeddedDeclaration } from "../../policies/input/declaration";
import { hasTerraform, PROVIDERS_UNAVAILABLE, terraformInitOffline } from "./terraform-cli";

const ROOT = path.resolve(__dirname, "../..");
const EXAMPLE = path.join(ROOT, "examples/access-needs.yaml");
const CANARY = "hvs.CANARY-5e1f0c-never-in-output";

const capture = (env: Record<string, string> = {}) => captureIO(ROOT, env);

/** `tokenwarden synth …` in-process: the exit code, and the one line the dispatcher would print. */
const synth = (argv: string[], io: CliIO): Promise<number> =>
  runCommand("synth", run, argv, io, "tokenwarden synth …");

let work: string;
beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "tw-synth-test-"));
});
afterEach(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

function readConfig(dir: string) {
  return JSON.parse(fs.readFileSync(path.join(dir, "cdk.tf.json"), "utf8")) as {
    terraform: { required_providers: Record<string, { source: string; version: string }> };
    variable: Record<string, unknown>;
    resource: Record<string, Record<string, unknown>>;
  };
}

describe("tokenwarden synth", () => {
  it("writes cdk.tf.json with the providers terraform init must install", async () => {
    const out = path.join(work, "tf");
    const c = capture();
    expect(await synth([EXAMPLE, "--out", out], c.io)).toBe(0);
    expect(c.err()).toBe("");
    expect(c.out()).toContain(`wrote ${path.join(out, "cdk.tf.json")}`);
    expect(fs.readdirSync(out)).toEqual(["cdk.tf.json"]);
    const config = readConfig(out);
    expect(config.terraform.required_providers.vault).toMatchObject({ source: "hashicorp/vault" });
    expect(config.terraform.required_providers.time).toMatchObject({ source: "hashicorp/time" });
    expect(config.terraform.required_providers.vault.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(Object.keys(config.resource)).toContain("vault_policy");
    // Each of the example's third-party needs gets its input variable, and nothing else does.
    const thirdParty = planGrants(loadManifest(EXAMPLE))
      .consumers.flatMap((c) => c.needs)
      .filter((n) => n.kvEntry)
      .map((n) => tokenVariableName(n.need));
    expect(thirdParty.length).toBeGreaterThan(0);
    expect(Object.keys(config.variable).sort()).toEqual(thirdParty.sort());
  });

  it("embeds the manifest's declaration for `tokenwarden check` as a Terraform output", async () => {
    const out = path.join(work, "tf");
    expect(await synth([EXAMPLE, "--out", out], capture().io)).toBe(0);
    const config = JSON.parse(fs.readFileSync(path.join(out, "cdk.tf.json"), "utf8")) as {
      output: Record<string, { value: unknown }>;
    };
    expect(config.output[DECLARATION_OUTPUT].value).toEqual(
      embeddedDeclaration(loadManifest(EXAMPLE)),
    );
  });

  it("--format json names the file and the token variables to set", async () => {
    const out = path.join(work, "tf");
    const c = capture();
    expect(await synth([EXAMPLE, "--out", out, "--format", "json"], c.io)).toBe(0);
    const parsed = JSON.parse(c.out()) as { file: string; tokenVariables: string[] };
    expect(parsed.file).toBe(path.join(out, "cdk.tf.json"));
    expect(parsed.tokenVariables).toContain("tw_token_billing_stripe_charges");
  });

  it("never copies a token from the environment into the configuration or the output", async () => {
    const out = path.join(work, "tf");
    const env = {
      VAULT_TOKEN: CANARY,
      VAULT_ADDR: "https://vault.example.com:8200",
      TF_VAR_tw_token_billing_stripe_charges: CANARY,
    };
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const c = capture(env);
      expect(await synth([EXAMPLE, "--out", out], c.io)).toBe(0);
      const text = fs.readFileSync(path.join(out, "cdk.tf.json"), "utf8");
      for (const seen of [text, c.out(), c.err()]) {
        expect(seen).not.toContain(CANARY);
        expect(seen).not.toContain("vault.example.com");
      }
    } finally {
      for (const k of Object.keys(env)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });

  it("replaces only cdk.tf.json in an existing directory (state and .terraform stay)", async () => {
    const out = path.join(work, "tf");
    fs.mkdirSync(path.join(out, ".terraform"), { recursive: true });
    fs.writeFileSync(path.join(out, "terraform.tfstate"), '{"version": 4}');
    fs.writeFileSync(path.join(out, "cdk.tf.json"), "stale");
    expect(await synth([EXAMPLE, "--out", out], capture().io)).toBe(0);
    expect(fs.readFileSync(path.join(out, "terraform.tfstate"), "utf8")).toBe('{"version": 4}');
    expect(fs.existsSync(path.join(out, ".terraform"))).toBe(true);
    expect(readConfig(out).resource).toHaveProperty("vault_policy");
    // No scratch directory is left beside the target.
    expect(fs.readdirSync(work)).toEqual(["tf"]);
  });

  it("invalid manifest: exit 2 with the model's file:line message, and nothing written", async () => {
    const bad = path.join(work, "bad.yaml");
    fs.writeFileSync(bad, "version: 1\nneeds:\n  - name: x\n    ttl: forever\n");
    const out = path.join(work, "tf");
    const c = capture();
    expect(await synth([bad, "--out", out], c.io)).toBe(2);
    expect(c.err()).toMatch(
      new RegExp(`^tokenwarden synth: ${bad.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+:\\d+: `),
    );
    expect(c.err()).not.toMatch(/\n\s+at /); // no stack trace
    expect(c.out()).toBe("");
    await expect(run([bad, "--out", out], capture().io)).rejects.toBeInstanceOf(InputError);
    expect(fs.readdirSync(work)).toEqual(["bad.yaml"]);
  });

  it("usage errors exit 2: no --out, two manifests, --out naming a file", async () => {
    const file = path.join(work, "file");
    fs.writeFileSync(file, "");
    for (const argv of [
      [EXAMPLE],
      [EXAMPLE, EXAMPLE, "--out", path.join(work, "x")],
      [EXAMPLE, "--out", file],
    ]) {
      const c = capture();
      expect(await synth(argv, c.io), argv.join(" ")).toBe(2);
      expect(c.err()).toContain("Usage: tokenwarden synth");
    }
    expect(fs.readFileSync(file, "utf8")).toBe("");
  });
});

describe("Terraform accepts the configuration", () => {
  if (!hasTerraform) console.warn("skipping: no `terraform` on PATH to load the configuration");
  it.skipIf(!hasTerraform)(
    "terraform init loads it, failing only on provider downloads (offline here)",
    async () => {
      const out = path.join(work, "tf");
      expect(await synth([EXAMPLE, "--out", out], capture().io)).toBe(0);
      const { errors, text } = terraformInitOffline(out);
      expect(errors.length, text).toBeGreaterThan(0);
      expect(new Set(errors), text).toEqual(new Set([PROVIDERS_UNAVAILABLE]));
      expect(text).toContain("provider\nhashicorp/vault");
      expect(text).toContain("provider\nhashicorp/time");
    },
  );
});

describe("the built CLI (bin/tokenwarden.js)", () => {
  const built = fs.existsSync(path.join(ROOT, "dist/cli/commands/synth.js"));
  if (!built) console.warn("skipping: dist/ not built (`npm run build`)");
  const cli = (...argv: string[]) =>
    cp.spawnSync(process.execPath, [path.join(ROOT, "bin/tokenwarden.js"), ...argv], {
      cwd: work,
      encoding: "utf8",
    });

  it.skipIf(!built && !process.env.CI)("synth exits 0 and writes the configuration", () => {
    const r = cli("synth", EXAMPLE, "--out", "tf");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(readConfig(path.join(work, "tf")).resource).toHaveProperty("vault_token");
  });

  it.skipIf(!built && !process.env.CI)(
    "an invalid manifest exits 2 on stderr lines without a stack",
    () => {
      fs.writeFileSync(path.join(work, "bad.yaml"), "version: 1\nneeds: 7\n");
      const r = cli("synth", "bad.yaml", "--out", "tf");
      expect(r.status).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/^tokenwarden synth: \S*bad\.yaml:\d+:\d+: /);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(fs.existsSync(path.join(work, "tf"))).toBe(false);
    },
  );

  it.skipIf(!built && !process.env.CI)("other commands never load CDKTF", () => {
    const script =
      "require('./dist/cli/main').main(['--help'], {out(){},err(){},interactive:false,env:{},cwd:'.',readStdin:async()=>''})" +
      ".then(() => process.stdout.write(String(Object.keys(require.cache).some((k) => k.includes('/node_modules/cdktf/')))))";
    const r = cp.spawnSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8" });
    expect(r.stdout).toBe("false");
  });
});
