import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CANARY, NOW, REPO, fixture, haveSarifSchema, sarifValidator, tw } from "./helpers";
import { expandInputs, loadInput } from "../../policies/input/load";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tw-check-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function write(name: string, value: unknown): string {
  const file = path.join(tmp, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, typeof value === "string" ? value : JSON.stringify(value, null, 2));
  return file;
}

const declaration = {
  version: 1,
  limits: { maxTtl: 2592000, maxRotation: 7776000, maxNeedLifetime: 31536000 },
  consumers: [{ name: "reporting", owner: "data@example.com", auth: "token" }],
  providers: [{ name: "vault", kind: "vault-token", maxTtl: 86400 }],
  needs: [
    {
      name: "reports-read",
      consumer: "reporting",
      provider: "vault",
      access: "read",
      scopes: [],
      paths: [{ path: "secret/data/reports/daily", capabilities: ["read"] }],
      ttl: 3600,
      maxTtl: 86400,
      rotation: 2592000,
      owner: "data@example.com",
      justification: "Nightly report",
      expires: "2027-06-30",
      defaultPolicy: false,
      waivers: [],
    },
  ],
};

/** A CDKTF-style Terraform JSON configuration with the given vault_policy HCL and token TTL. */
function tfConfig(policyHcl: string, tokenTtl: string, withDeclaration = true) {
  return {
    "//": { metadata: { backend: "local", stackName: "tokenwarden" } },
    terraform: { required_providers: { vault: { source: "hashicorp/vault" } } },
    resource: {
      vault_policy: { "tw-reports-read": { name: "tw-reports-read", policy: policyHcl } },
      vault_token: {
        "reporting-reports-read": {
          display_name: "reports-read",
          policies: ["tw-reports-read"],
          ttl: tokenTtl,
          explicit_max_ttl: "86400s",
          renewable: true,
          no_parent: false,
          no_default_policy: true,
          metadata: { need: "reports-read", consumer: "reporting" },
        },
      },
      vault_kv_secret_v2: {
        "leaked-entry": {
          mount: "tokens",
          name: "stripe/reports",
          data_json: JSON.stringify({ token: CANARY }),
          custom_metadata: {
            data: { need: "reports-read", owner: "data@example.com" },
            max_versions: 2,
          },
        },
      },
    },
    ...(withDeclaration ? { output: { tokenwarden_declaration: { value: declaration } } } : {}),
  };
}
const GOOD_HCL = 'path "secret/data/reports/daily" {\n  capabilities = ["read"]\n}\n';

describe("input detection", () => {
  it("tells manifests, plan JSON, Terraform JSON, synth dirs and Terraform plans apart", async () => {
    const opts = { now: NOW, cwd: REPO };
    expect((await loadInput(fixture("clean.yaml"), opts)).kind).toBe("manifest");
    const manifestJson = write(
      "m.json",
      JSON.stringify({ version: 1, consumers: [], providers: [], needs: [] }),
    );
    expect((await loadInput(manifestJson, opts)).kind).toBe("manifest");
    const plan = write("plan.json", {
      resources: [
        { type: "vault:index/policy:Policy", name: "p", inputs: { name: "p", policy: GOOD_HCL } },
      ],
    });
    expect((await loadInput(plan, opts)).kind).toBe("pulumi-plan");
    const cfg = write("synth/stacks/tokenwarden/cdk.tf.json", tfConfig(GOOD_HCL, "3600s"));
    expect((await loadInput(cfg, opts)).kind).toBe("terraform-config");
    // a directory stands for the files of a known kind under it, each checked on its own
    const dir = expandInputs([path.join(tmp, "synth")], REPO);
    expect(dir.files).toEqual([path.join(tmp, "synth", "stacks/tokenwarden/cdk.tf.json")]);
    const tfplan = write("tfplan.json", {
      format_version: "1.2",
      planned_values: { root_module: { resources: [] } },
      resource_changes: [],
    });
    expect((await loadInput(tfplan, opts)).kind).toBe("terraform-plan");
  });
});

describe("exit codes", () => {
  it("0 without denies, 1 with a deny", async () => {
    expect((await tw(["check", fixture("clean.yaml"), "--now", NOW])).code).toBe(0);
    expect((await tw(["check", fixture("violations.yaml"), "--now", NOW])).code).toBe(1);
  });

  it("2 for a missing file, naming it, with nothing on stdout", async () => {
    const r = await tw(["check", fixture("clean.yaml"), "no/such/file.yaml", "--now", NOW]);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toContain("no/such/file.yaml: no such file or directory");
  });

  it("2 for an invalid manifest, with the model's file:line message", async () => {
    const bad = write(
      "bad.yaml",
      "version: 1\nconsumers: []\nproviders: []\nneeds:\n  - name: x\n    consumer: nobody\n",
    );
    const r = await tw(["check", bad, "--now", NOW]);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toMatch(new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+:\\d+: `));
  });

  it("2 for YAML that does not parse, and for usage errors", async () => {
    const broken = write("broken.yaml", "needs: [\n  - a\n");
    expect((await tw(["check", broken])).code).toBe(2);
    expect((await tw(["check"])).code).toBe(2);
    expect((await tw(["check", fixture("clean.yaml"), "--format", "xml"])).code).toBe(2);
    const r = await tw(["check", fixture("clean.yaml"), "--now", "yesterday"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("--now must be an RFC 3339 time");
  });
});

describe("waivers", () => {
  it("an active waiver turns the deny into a reported waiver; an expired one leaves the deny and says so", async () => {
    const r = await tw(["check", fixture("violations.yaml"), "--now", NOW, "--format", "json"]);
    const doc = JSON.parse(r.out);
    expect(doc.waived.map((f: { need: string }) => f.need)).toEqual(["waived-wildcard"]);
    const expired = doc.findings.find((f: { need?: string }) => f.need === "expired-waiver");
    expect(expired.id).toBe("TW001");
    expect(expired.message).toContain(
      'the waiver for TW001 on need "expired-waiver" expired on 2026-01-31',
    );
  });

  it("a waiver stops covering the deny once --now passes its expiry", async () => {
    const r = await tw([
      "check",
      fixture("violations.yaml"),
      "--now",
      "2027-02-01T00:00:00Z",
      "--format",
      "json",
    ]);
    const doc = JSON.parse(r.out);
    expect(doc.waived).toEqual([]);
    expect(
      doc.findings.some(
        (f: { need?: string; id: string }) => f.need === "waived-wildcard" && f.id === "TW001",
      ),
    ).toBe(true);
  });
});

describe("--policies: an organisation's own Rego", () => {
  it("adds conftest-style deny (strings) and warn (objects) as findings", async () => {
    const r = await tw([
      "check",
      fixture("clean.yaml"),
      "--now",
      NOW,
      "--policies",
      fixture("org"),
      "--format",
      "json",
    ]);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out);
    const deny = doc.findings.filter((f: { id: string }) => f.id === "acme.tokens.deny");
    expect(deny.map((f: { message: string }) => f.message)).toEqual([
      'need "billing-config": need names start with their consumer\'s name (billing-api-…)',
      'need "billing-stripe": need names start with their consumer\'s name (billing-api-…)',
    ]);
    const warn = doc.findings.filter((f: { id: string }) => f.id === "acme.tokens.warn");
    expect(warn).toHaveLength(2);
    expect(warn[0]).toMatchObject({ severity: "warn", need: "billing-config" });
    expect(warn[0].line).toBeGreaterThan(0); // placed at the need it names
  });

  it("describes its rules in SARIF with their METADATA annotations (title, description, fix)", async () => {
    const r = await tw([
      "check",
      fixture("clean.yaml"),
      "--now",
      NOW,
      "--policies",
      fixture("org"),
      "--format",
      "sarif",
    ]);
    expect(r.code).toBe(1);
    const rules = JSON.parse(r.out).runs[0].tool.driver.rules as {
      id: string;
      shortDescription: { text: string };
      fullDescription: { text: string };
      help: { text: string };
      properties?: { tags: string[] };
    }[];
    const deny = rules.find((x) => x.id === "acme.tokens.deny");
    expect(deny?.shortDescription.text).toBe("Need names start with their consumer's name");
    expect(deny?.fullDescription.text).toMatch(
      /^Dashboards and audit searches group tokens .+ missed by them\.$/,
    );
    expect(deny?.help.text).toBe("Rename the need to <consumer>-<purpose>.");
    expect(deny?.properties?.tags).toEqual(["security", "naming"]);
    // a rule without an annotation still gets a descriptor, saying where it comes from
    const warn = rules.find((x) => x.id === "acme.tokens.warn");
    expect(warn?.shortDescription.text).toBe("Organisation rule acme.tokens.warn");
  });

  it("2 when the dir has no Rego or does not exist", async () => {
    expect((await tw(["check", fixture("clean.yaml"), "--policies", "no/such/dir"])).code).toBe(2);
    const empty = fs.mkdtempSync(path.join(tmp, "empty-"));
    const r = await tw(["check", fixture("clean.yaml"), "--policies", empty]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("no .rego files");
  });
});

describe("Terraform JSON (CDKTF synth output)", () => {
  it("policy HCL that does not parse is a finding with its location, not a crash", async () => {
    const cfg = write(
      "hcl-bad/cdk.tf.json",
      tfConfig('path "secret/data/reports/daily" {\n  capabilities = ["read"\n', "3600s"),
    );
    const r = await tw(["check", cfg, "--now", NOW, "--format", "json"]);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out);
    const f = doc.findings.find((x: { id: string }) => x.id === "TW013");
    expect(f.source).toBe("vault_policy.tw-reports-read");
    expect(f.message).toMatch(/line 2, column \d+: Unterminated tuple/);
    expect(f.resource).toBe("vault_policy.tw-reports-read");
    // placed at the resource's `policy` attribute, under its own key under "vault_policy"
    const lines = fs.readFileSync(cfg, "utf8").split("\n");
    expect(lines[f.line - 1].trim()).toMatch(/^"policy": "path/);
    const key = lines.findIndex((l) => l.trim() === '"tw-reports-read": {');
    expect(key).toBeGreaterThan(lines.findIndex((l) => l.includes('"vault_policy": {')));
    expect(key).toBeLessThan(f.line - 1);
  });

  it("values unknown before apply are reported, never passed as values", async () => {
    const cfg = write("unknown/cdk.tf.json", tfConfig(GOOD_HCL, "${var.token_ttl}"));
    const loaded = await loadInput(cfg, { now: NOW });
    expect(loaded.input.vault.tokens[0].unknown).toEqual(["ttl"]);
    expect(loaded.input.vault.tokens[0].ttl_seconds).toBeNull();
    const r = await tw(["check", cfg, "--now", NOW, "--format", "json"]);
    const doc = JSON.parse(r.out);
    const f = doc.findings.find((x: { id: string }) => x.id === "TW012");
    expect(f.message).toContain("ttl was unknown at preview");
    expect(r.code).toBe(1);
  });

  it("rebuilds the needs side from the embedded declaration", async () => {
    const cfg = write("decl/cdk.tf.json", tfConfig(GOOD_HCL, "3600s"));
    const loaded = await loadInput(cfg, { now: NOW });
    expect(loaded.input.has_declaration).toBe(true);
    expect(loaded.input.needs.map((n) => [n.name, n.policy_name])).toEqual([
      ["reports-read", "tw-reports-read"],
    ]);
    expect(loaded.input.vault.policies[0]).toMatchObject({
      need: "reports-read",
      rules: [{ path: "secret/data/reports/daily", capabilities: ["read"] }],
    });
    expect(loaded.input.vault.tokens[0]).toMatchObject({
      need: "reports-read",
      ttl_seconds: 3600,
      explicit_max_ttl_seconds: 86400,
    });
  });

  it("without a declaration, skips the declaration rules and says so once", async () => {
    const cfg = write(
      "nodecl/cdk.tf.json",
      tfConfig('path "elsewhere/data/x" {\n  capabilities = ["read"]\n}\n', "3600s", false),
    );
    const r = await tw(["check", cfg, "--now", NOW, "--format", "json"]);
    const doc = JSON.parse(r.out);
    expect(
      doc.findings.some((f: { id: string }) => ["TW002", "TW003", "TW010"].includes(f.id)),
    ).toBe(false);
    expect(doc.notes).toHaveLength(1);
    expect(doc.notes[0]).toContain("no declaration of needs is embedded");
  });

  it("a literal token in data_json is TW011, and the value appears in no output format", async () => {
    const cfg = write("canary/cdk.tf.json", tfConfig(GOOD_HCL, "3600s"));
    const loaded = await loadInput(cfg, { now: NOW });
    expect(JSON.stringify(loaded.input)).not.toContain(CANARY);
    for (const format of ["text", "json", "sarif", "github", "junit"]) {
      const r = await tw(["check", cfg, "--now", NOW, "--format", format]);
      expect(r.code).toBe(1);
      expect(r.out + r.err).not.toContain(CANARY);
      expect(r.out + r.err).not.toContain("CANARYtokenwarden");
      if (format === "json") {
        const f = JSON.parse(r.out).findings.find((x: { id: string }) => x.id === "TW011");
        expect(f.source).toBe("vault_kv_secret_v2.leaked-entry");
      }
      if (format === "sarif" && haveSarifSchema) {
        // resource findings carry the Terraform address as a logical location
        const log = JSON.parse(r.out);
        expect(sarifValidator()(log)).toBe(true);
        const res = log.runs[0].results.find((x: { ruleId: string }) => x.ruleId === "TW011");
        expect(res.locations[0].logicalLocations[0].fullyQualifiedName).toBe(
          "vault_kv_secret_v2.leaked-entry",
        );
      }
    }
  });
});

describe("terraform show -json plans", () => {
  it("reads resource_changes, lists after_unknown fields and flags literal token config", async () => {
    const plan = {
      format_version: "1.2",
      terraform_version: "1.9.0",
      planned_values: {
        root_module: { resources: [] },
        outputs: { tokenwarden_declaration: { sensitive: false, value: declaration } },
      },
      resource_changes: [
        {
          address: "vault_policy.tw-reports-read",
          mode: "managed",
          type: "vault_policy",
          name: "tw-reports-read",
          change: {
            actions: ["create"],
            after: { name: "tw-reports-read", policy: GOOD_HCL },
            after_unknown: { id: true },
          },
        },
        {
          address: "vault_approle_auth_backend_role.reporting",
          mode: "managed",
          type: "vault_approle_auth_backend_role",
          name: "reporting",
          change: {
            actions: ["create"],
            after: {
              role_name: "reporting",
              token_policies: ["tw-reports-read"],
              token_ttl: 3600,
              token_max_ttl: 86400,
              secret_id_ttl: 0,
            },
            after_unknown: { id: true, role_id: true, secret_id_ttl: true },
          },
        },
        {
          address: "vault_kv_secret_v2.entry",
          mode: "managed",
          type: "vault_kv_secret_v2",
          name: "entry",
          change: {
            actions: ["create"],
            after: {
              mount: "tokens",
              name: "x/y",
              data_json: JSON.stringify({ t: CANARY }),
              custom_metadata: [{ data: { need: "reports-read" }, max_versions: 2 }],
            },
            after_unknown: {},
            after_sensitive: { data_json: true },
          },
        },
        {
          address: "vault_policy.gone",
          mode: "managed",
          type: "vault_policy",
          name: "gone",
          change: { actions: ["delete"], before: { name: "gone" }, after: null },
        },
      ],
      configuration: {
        root_module: {
          resources: [
            {
              address: "vault_kv_secret_v2.entry",
              type: "vault_kv_secret_v2",
              name: "entry",
              expressions: { data_json: { constant_value: "{…}" } },
            },
          ],
        },
      },
    };
    const file = write("tfplan-full.json", plan);
    const loaded = await loadInput(file, { now: NOW });
    expect(loaded.kind).toBe("terraform-plan");
    expect(loaded.input.vault.policies.map((p) => p.name)).toEqual(["tw-reports-read"]);
    expect(loaded.input.vault.roles[0]).toMatchObject({
      kind: "approle",
      token_ttl_seconds: 3600,
      unknown: ["secret_id_ttl"],
    });
    expect(loaded.input.vault.secrets[0]).toMatchObject({
      path: "tokens/x/y",
      need: "reports-read",
      plain_token_fields: ["data_json"],
    });
    expect(JSON.stringify(loaded.input)).not.toContain(CANARY);
    const r = await tw(["check", file, "--now", NOW, "--format", "json"]);
    const ids = JSON.parse(r.out).findings.map((f: { id: string }) => f.id);
    expect(ids).toContain("TW012");
    expect(ids).toContain("TW011");
    expect(r.out).not.toContain(CANARY);
  });
});

describe("terraform show -json of state", () => {
  it("reads the current values of the resources", async () => {
    const state = {
      format_version: "1.0",
      terraform_version: "1.9.0",
      values: {
        outputs: { tokenwarden_declaration: { sensitive: false, value: declaration } },
        root_module: {
          resources: [
            {
              address: "vault_policy.tw-reports-read",
              mode: "managed",
              type: "vault_policy",
              name: "tw-reports-read",
              values: {
                name: "tw-reports-read",
                policy: 'path "secret/+/x" {\n  capabilities = ["read"]\n}\n',
              },
            },
          ],
        },
      },
    };
    const file = write("state.json", state);
    const loaded = await loadInput(file, { now: NOW });
    expect(loaded.kind).toBe("terraform-plan");
    expect(loaded.input.has_declaration).toBe(true);
    expect(loaded.input.vault.policies[0].rules).toEqual([
      { path: "secret/+/x", capabilities: ["read"] },
    ]);
    const r = await tw(["check", file, "--now", NOW, "--format", "json"]);
    expect(JSON.parse(r.out).findings.map((f: { id: string }) => f.id)).toContain("TW001");
  });
});

describe("tokenwarden plan --format json", () => {
  it("reads resources with [secret] values, finds the embedded declaration, places findings at the resource", async () => {
    const planDoc = {
      resources: [
        { type: "tokenwarden:index:AccessNeeds", name: "needs", inputs: {} },
        {
          type: "vault:index/policy:Policy",
          name: "tw-reports-read",
          parent: "needs",
          inputs: {
            name: "tw-reports-read",
            policy: 'path "secret/*" {\n  capabilities = ["read"]\n}\n',
          },
        },
        {
          type: "vault:kv/secretV2:SecretV2",
          name: "entry",
          inputs: {
            mount: "tokens",
            name: "x/y",
            dataJson: "[secret]",
            customMetadata: { data: { need: "reports-read" } },
          },
        },
      ],
      tokenwarden: declaration,
    };
    const file = write("pulumi-plan.json", planDoc);
    const loaded = await loadInput(file, { now: NOW });
    expect(loaded.input.vault.secrets[0].plain_token_fields).toBeUndefined();
    const r = await tw(["check", file, "--now", NOW, "--format", "json"]);
    const doc = JSON.parse(r.out);
    const wide = doc.findings.find((f: { id: string }) => f.id === "TW001");
    expect(wide.resource).toBe("needs$vault:index/policy:Policy::tw-reports-read");
    // at the resource's `policy` input, after the resource's URN
    const lines = fs.readFileSync(file, "utf8").split("\n");
    expect(lines[wide.line - 1]).toContain('"policy": "path \\"secret/*\\"');
    const urn = lines.findIndex((l) => l.includes('"name": "tw-reports-read"'));
    expect(urn).toBeGreaterThanOrEqual(0);
    expect(urn).toBeLessThan(wide.line - 1);
  });
});
