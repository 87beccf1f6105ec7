/**
 * Manifest names and strings that are valid but awkward for Terraform: a leading digit, dots,
 * needs whose names differ only in `-`, `_` or `.`, and free text that looks like a Terraform
 * template. Every need must still get its own variable, every address must be a valid Terraform
 * name, and every string must reach Vault as written — never evaluated as an expression.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
  synthesizeToDirectory,
  synthesizeToString,
  tokenVariableName,
} from "../../components/cdktf";
import type { GrantPlan, NeedGrantPlan } from "../../model/grant-plan-types";
import { FIXTURE_PLAN } from "./fixtures";
import { hasTerraform, PROVIDERS_UNAVAILABLE, terraformInitOffline } from "./terraform-cli";
import { fromTerraform } from "./vault-objects";

const template = FIXTURE_PLAN.consumers[0].needs[0]; // a third-party need with a KV entry

function thirdParty(need: string, consumer: string): NeedGrantPlan {
  return {
    ...template,
    need,
    consumer,
    policy: { ...template.policy, name: `tw-${need}` },
    kvEntry: template.kvEntry && { ...template.kvEntry, name: `stripe/${need}` },
  };
}

const NAMES = ["a-b", "a_b", "a.b", "1st"];
const AWKWARD: GrantPlan = {
  store: FIXTURE_PLAN.store,
  consumers: [
    {
      ...FIXTURE_PLAN.consumers[0],
      consumer: "9lives",
      role: { ...FIXTURE_PLAN.consumers[0].role, consumer: "9lives", roleName: "9lives" },
      needs: NAMES.map((n) => thirdParty(n, "9lives")),
    },
  ],
};

describe("awkward manifest names", () => {
  it("give each need its own shell-safe variable", () => {
    const names = NAMES.map(tokenVariableName);
    expect(new Set(names).size).toBe(NAMES.length);
    for (const n of names) expect(n).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
    expect(tokenVariableName("billing-stripe-charges")).toBe("tw_token_billing_stripe_charges");
  });

  it("synthesize to valid, distinct Terraform addresses and variables", () => {
    const json = JSON.parse(synthesizeToString(AWKWARD)) as {
      resource: Record<string, Record<string, unknown>>;
      variable: Record<string, unknown>;
    };
    expect(Object.keys(json.variable).sort()).toEqual(NAMES.map(tokenVariableName).sort());
    for (const byId of Object.values(json.resource)) {
      for (const id of Object.keys(byId)) expect(id).toMatch(/^[A-Za-z_][A-Za-z0-9_-]*$/);
    }
    expect(Object.keys(json.resource.vault_kv_secret_v2)).toHaveLength(NAMES.length);
  });

  it.skipIf(!hasTerraform)("are accepted by terraform init", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tw-names-"));
    try {
      synthesizeToDirectory(AWKWARD, path.join(dir, "tf"));
      const { errors, text } = terraformInitOffline(path.join(dir, "tf"));
      expect(new Set(errors), text).toEqual(new Set([PROVIDERS_UNAVAILABLE]));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("manifest strings that look like Terraform templates", () => {
  const sneaky = "${var.tw_token_web_github_app}";
  const directive = "repo:%{ if true }x";
  const kvNeed = FIXTURE_PLAN.consumers[0].needs[0];
  const plan: GrantPlan = {
    ...FIXTURE_PLAN,
    consumers: [
      {
        ...FIXTURE_PLAN.consumers[0],
        needs: [
          {
            ...kvNeed,
            kvEntry: kvNeed.kvEntry && {
              ...kvNeed.kvEntry,
              customMetadata: { owner: sneaky, scopes: directive },
            },
          },
        ],
      },
      ...FIXTURE_PLAN.consumers.slice(1),
    ],
  };

  it("are written as escaped literals, and read back as written", async () => {
    const text = synthesizeToString(plan);
    expect(text).toContain('"owner": "$${var.tw_token_web_github_app}"');
    expect(text).toContain('"scopes": "repo:%%{ if true }x"');
    const kv = (await fromTerraform(text)).find((o) => o.kind === "kv" && o.key.includes("stripe"));
    expect(kv?.settings.customMetadata).toMatchObject({ owner: sneaky, scopes: directive });
  });

  it.skipIf(!hasTerraform)("are accepted by terraform init", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tw-literals-"));
    try {
      synthesizeToDirectory(plan, path.join(dir, "tf"));
      const { errors, text } = terraformInitOffline(path.join(dir, "tf"));
      expect(new Set(errors), text).toEqual(new Set([PROVIDERS_UNAVAILABLE]));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
