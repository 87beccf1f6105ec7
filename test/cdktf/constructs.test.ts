/**
 * The CDKTF constructs, one by one and as a stack, through cdktf's Testing helpers: each auth kind
 * and each need kind renders to the Terraform resources and arguments the plan says, and nothing
 * secret or decided elsewhere enters the JSON.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { Testing } from "cdktf";
import { Audit } from "@cdktf/provider-vault/lib/audit";
import { ApproleAuthBackendRole } from "@cdktf/provider-vault/lib/approle-auth-backend-role";
import { JwtAuthBackendRole } from "@cdktf/provider-vault/lib/jwt-auth-backend-role";
import { KubernetesAuthBackendRole } from "@cdktf/provider-vault/lib/kubernetes-auth-backend-role";
import { KvSecretV2 } from "@cdktf/provider-vault/lib/kv-secret-v2";
import { Mount } from "@cdktf/provider-vault/lib/mount";
import { Policy } from "@cdktf/provider-vault/lib/policy";
import { Token } from "@cdktf/provider-vault/lib/token";
import { TokenAuthBackendRole } from "@cdktf/provider-vault/lib/token-auth-backend-role";
import { Rotating } from "@cdktf/provider-time/lib/rotating";
import {
  AccessNeedsStack,
  ConsumerRole,
  NeedGrant,
  TokenStore,
  tokenVariableName,
} from "../../components/cdktf";
import type { ConsumerPlan, NeedGrantPlan } from "../../model/grant-plan-types";
import { FIXTURE_PLAN } from "./fixtures";

type TfJson = {
  resource: Record<string, Record<string, Record<string, unknown>>>;
  variable?: Record<string, Record<string, unknown>>;
  provider: Record<string, Record<string, unknown>[]>;
  terraform: Record<string, unknown>;
};

function consumer(name: string): ConsumerPlan {
  const c = FIXTURE_PLAN.consumers.find((x) => x.consumer === name);
  if (!c) throw new Error(`fixture has no consumer ${name}`);
  return c;
}
function need(name: string): NeedGrantPlan {
  const n = FIXTURE_PLAN.consumers.flatMap((c) => c.needs).find((x) => x.need === name);
  if (!n) throw new Error(`fixture has no need ${name}`);
  return n;
}
function only(json: TfJson, type: string): Record<string, unknown> {
  const all = Object.values(json.resource[type] ?? {});
  expect(all, `exactly one ${type}`).toHaveLength(1);
  return all[0];
}
function idOf(json: TfJson, type: string): string {
  return Object.keys(json.resource[type] ?? {})[0];
}

describe("TokenStore", () => {
  it("mounts KV v2 at the plan's path and adds the file audit device", () => {
    const out = Testing.synthScope((s) => {
      new TokenStore(s, "store", { store: FIXTURE_PLAN.store });
    });
    expect(
      Testing.toHaveResourceWithProperties(out, Mount.tfResourceType, {
        path: "tokens",
        type: "kv",
        options: { version: "2" },
        description: "Third-party API tokens managed by tokenwarden",
      }),
    ).toBe(true);
    expect(
      Testing.toHaveResourceWithProperties(out, Audit.tfResourceType, {
        path: "tokenwarden-file",
        type: "file",
        options: { file_path: "/var/log/vault/audit.log" },
      }),
    ).toBe(true);
  });

  it("renders neither mount nor audit device when the plan has none", () => {
    const out = Testing.synthScope((s) => {
      new TokenStore(s, "store", { store: { authMounts: [] } });
    });
    expect(Testing.toHaveResource(out, Mount.tfResourceType)).toBe(false);
    expect(Testing.toHaveResource(out, Audit.tfResourceType)).toBe(false);
  });

  it("an existing KV mount is not created but checked: a postcondition names vault.kvMount", () => {
    const out = JSON.parse(
      Testing.synthScope((s) => {
        new TokenStore(s, "store", {
          store: { kvMount: { path: "secret", description: "x", create: false }, authMounts: [] },
        });
      }),
    ) as TfJson & { data: Record<string, Record<string, Record<string, unknown>>> };
    expect(out.resource?.[Mount.tfResourceType]).toBeUndefined();
    const check = Object.values(out.data.vault_generic_secret)[0] as {
      path: string;
      lifecycle: { postcondition: { condition: string; error_message: string }[] };
    };
    expect(check.path).toBe("sys/mounts");
    expect(check.lifecycle.postcondition[0].condition).toContain('["secret/"]');
    expect(check.lifecycle.postcondition[0].error_message).toContain("vault.kvMount");
  });

  it("auth mounts: existing ones checked (one data source), create: true ones enabled with their config", () => {
    const out = JSON.parse(
      Testing.synthScope((s) => {
        new TokenStore(s, "store", {
          store: {
            authMounts: [
              { kind: "approle", path: "approle" },
              {
                kind: "kubernetes",
                path: "k8s",
                setup: { kind: "kubernetes", kubernetesHost: "https://k8s.example.com" },
              },
              {
                kind: "jwt",
                path: "gha",
                setup: {
                  kind: "jwt",
                  oidcDiscoveryUrl: "https://token.actions.githubusercontent.com",
                },
              },
            ],
          },
        });
      }),
    ) as TfJson & { data: Record<string, Record<string, Record<string, unknown>>> };
    const check = Object.values(out.data.vault_auth_backends)[0] as {
      lifecycle: { postcondition: { condition: string; error_message: string }[] };
    };
    expect(check.lifecycle.postcondition).toHaveLength(1);
    expect(check.lifecycle.postcondition[0].condition).toContain('"approle"');
    expect(check.lifecycle.postcondition[0].error_message).toContain("vault.authMounts.approle");
    expect(only(out, "vault_auth_backend")).toMatchObject({ type: "kubernetes", path: "k8s" });
    expect(only(out, "vault_kubernetes_auth_backend_config")).toMatchObject({
      kubernetes_host: "https://k8s.example.com",
    });
    expect(only(out, "vault_jwt_auth_backend")).toMatchObject({
      path: "gha",
      type: "jwt",
      oidc_discovery_url: "https://token.actions.githubusercontent.com",
    });
  });
});

describe("ConsumerRole per auth kind", () => {
  const render = (name: string) =>
    Testing.synthScope((s) => {
      new ConsumerRole(s, "role", {
        role: consumer(name).role,
        credential: consumer(name).credential,
      });
    });

  it("approle: backend, policies, token TTLs and SecretID limits", () => {
    expect(
      Testing.toHaveResourceWithProperties(
        render("billing-api"),
        ApproleAuthBackendRole.tfResourceType,
        {
          backend: "approle",
          role_name: "billing-api",
          token_policies: [
            "tw-billing-api-billing-stripe-charges",
            "tw-billing-api-billing-vault-config",
          ],
          token_ttl: 900,
          token_max_ttl: 86_400,
          secret_id_ttl: 86_400,
          secret_id_num_uses: 0,
        },
      ),
    ).toBe(true);
  });

  it("kubernetes: bound service accounts, namespaces and audience", () => {
    const out = JSON.parse(render("web")) as TfJson;
    expect(only(out, KubernetesAuthBackendRole.tfResourceType)).toMatchObject({
      backend: "kubernetes",
      role_name: "web",
      bound_service_account_names: ["web"],
      bound_service_account_namespaces: ["prod"],
      audience: "vault",
      token_policies: ["tw-web-web-github-app"],
      token_ttl: 3_600,
      token_max_ttl: 86_400,
    });
  });

  it("jwt: a `jwt` role (not OIDC) with bound audiences, claims and user claim", () => {
    const out = JSON.parse(render("deploy-pipeline")) as TfJson;
    expect(only(out, JwtAuthBackendRole.tfResourceType)).toMatchObject({
      backend: "jwt",
      role_name: "deploy-pipeline",
      role_type: "jwt",
      bound_audiences: ["vault"],
      bound_claims: { repository: "example-org/deploy" },
      user_claim: "sub",
      token_policies: [
        "tw-deploy-pipeline-deploy-artifacts",
        "tw-deploy-pipeline-deploy-github-deployments",
      ],
      token_ttl: 600,
      token_max_ttl: 3_600,
    });
  });

  it("token: only what POST auth/token/roles/:name takes — allowed policies, explicit max TTL, type", () => {
    const out = JSON.parse(render("ops-cli")) as TfJson;
    const role = only(out, TokenAuthBackendRole.tfResourceType);
    expect(role).toEqual({
      role_name: "tw-ops-cli",
      allowed_policies: ["tw-ops-cli-ops-pki-admin"],
      token_explicit_max_ttl: 3_600,
      token_type: "service",
      renewable: true,
      orphan: false,
    });
  });

  it("approle: a response-wrapped SecretID, re-issued create-before-destroy by its clock", () => {
    const out = JSON.parse(render("billing-api")) as TfJson & {
      output: Record<string, Record<string, unknown>>;
    };
    const rotation = idOf(out, Rotating.tfResourceType);
    expect(only(out, Rotating.tfResourceType)).toMatchObject({ rotation_minutes: 10_080 });
    const secretId = only(out, "vault_approle_auth_backend_role_secret_id");
    expect(secretId).toMatchObject({
      backend: "approle",
      role_name: "billing-api",
      ttl: 86_400,
      num_uses: 3,
      wrapping_ttl: "3600s",
      with_wrapped_accessor: true,
      lifecycle: {
        create_before_destroy: true,
        replace_triggered_by: [`time_rotating.${rotation}.rotation_rfc3339`],
      },
    });
    expect(secretId.metadata).toBe(
      `{"consumer":"billing-api","owner":"team-billing@example.com","next_rotation":"\${time_rotating.${rotation}.rotation_rfc3339}"}`,
    );
    expect(out.output.tw_secret_id_billing_api).toMatchObject({ sensitive: true });
  });

  it("kubernetes and jwt consumers hold no long-lived credential: no SecretID, no clock", () => {
    for (const name of ["web", "deploy-pipeline"]) {
      const out = JSON.parse(render(name)) as TfJson;
      expect(out.resource[Rotating.tfResourceType]).toBeUndefined();
      expect(out.resource.vault_approle_auth_backend_role_secret_id).toBeUndefined();
    }
  });
});

describe("NeedGrant per need kind", () => {
  const render = (name: string) =>
    JSON.parse(
      Testing.synthScope((s) => {
        new NeedGrant(s, name, { grant: need(name) });
      }),
    ) as TfJson;

  it("vault-token need of a login consumer: only the policy (its consumer's login rotates)", () => {
    const out = render("billing-vault-config");
    expect(only(out, Policy.tfResourceType)).toMatchObject({
      name: "tw-billing-api-billing-vault-config",
      policy: need("billing-vault-config").policy.hcl,
    });
    expect(out.resource[Rotating.tfResourceType]).toBeUndefined();
    expect(out.resource[Token.tfResourceType]).toBeUndefined();
    expect(out.resource[KvSecretV2.tfResourceType]).toBeUndefined();
    expect(out.variable).toBeUndefined();
  });

  it("vault-token need without rotation: no clock, and a policy with several paths", () => {
    const out = render("deploy-artifacts");
    expect(only(out, Policy.tfResourceType).policy).toContain('path "secret/metadata/deploy/*"');
    expect(out.resource[Rotating.tfResourceType]).toBeUndefined();
  });

  it("token-auth need: a token with the plan's TTLs, meta and role, re-issued by its clock", () => {
    const out = render("ops-pki-admin");
    const rotation = idOf(out, Rotating.tfResourceType);
    expect(only(out, Rotating.tfResourceType)).toMatchObject({ rotation_minutes: 1_440 });
    const token = only(out, Token.tfResourceType);
    expect(token).toMatchObject({
      display_name: "tw-ops-pki-admin",
      policies: ["tw-ops-cli-ops-pki-admin"],
      ttl: "900s",
      renewable: true,
      no_parent: false,
      no_default_policy: true,
      role_name: "tw-ops-cli",
      metadata: {
        need: "ops-pki-admin",
        owner: "ops@example.com",
        consumer: "ops-cli",
        next_rotation: `\${time_rotating.${rotation}.rotation_rfc3339}`,
      },
      lifecycle: {
        create_before_destroy: true,
        replace_triggered_by: [`time_rotating.${rotation}.rotation_rfc3339`],
      },
    });
    // A refresh must never renew a token as a side effect; the role carries the explicit max TTL.
    expect(token).not.toHaveProperty("renew_min_lease");
    expect(token).not.toHaveProperty("explicit_max_ttl");
    expect(token.depends_on).toContain(`vault_policy.${idOf(out, Policy.tfResourceType)}`);
  });

  it("third-party need: a KV v2 entry with custom metadata, its value only via an ephemeral variable", () => {
    const out = render("billing-stripe-charges");
    const variable = tokenVariableName("billing-stripe-charges");
    expect(variable).toBe("tw_token_billing_stripe_charges");
    expect(only(out, KvSecretV2.tfResourceType)).toEqual(
      expect.objectContaining({
        mount: "tokens",
        name: "stripe/billing-stripe-charges",
        custom_metadata: {
          max_versions: 5,
          data: {
            owner: "team-billing@example.com",
            consumer: "billing-api",
            scopes: "charges:read",
            rotation_period: "30d",
            review_date: "2027-06-30",
          },
        },
        // Written once, when the entry is created: procurement owns the versions after that.
        data_json_wo: `\${jsonencode({"token" = var.${variable}})}`,
        data_json_wo_version: 1,
        disable_read: true,
        delete_all_versions: true,
      }),
    );
    const kv = only(out, KvSecretV2.tfResourceType);
    // Never `data_json` (kept in state) and never replaced (that would delete the new version).
    expect(kv).not.toHaveProperty("data_json");
    expect(kv).not.toHaveProperty("lifecycle");
    expect(out.variable?.[variable]).toMatchObject({
      type: "string",
      sensitive: true,
      ephemeral: true,
      nullable: false,
    });
    expect(out.variable?.[variable]).not.toHaveProperty("default");
    // Procurement rotates third-party tokens: the stack keeps no clock for them.
    expect(out.resource[Rotating.tfResourceType]).toBeUndefined();
  });

  it("oauth2-client-credentials need of a jwt consumer: KV entry and variable, no clock", () => {
    const out = render("deploy-github-deployments");
    expect(only(out, KvSecretV2.tfResourceType)).toMatchObject({
      mount: "tokens",
      name: "github-app/deploy-github-deployments",
      custom_metadata: { max_versions: 2 },
    });
    expect(Object.keys(out.variable ?? {})).toEqual(["tw_token_deploy_github_deployments"]);
    expect(out.resource[Rotating.tfResourceType]).toBeUndefined();
    expect(out.resource[Token.tfResourceType]).toBeUndefined();
  });

  it("third-party need of a kubernetes consumer renders the same shape (jwt-bearer provider)", () => {
    const out = render("web-github-app");
    expect(only(out, KvSecretV2.tfResourceType)).toMatchObject({
      mount: "tokens",
      name: "github/web-github-app",
    });
    expect(out.resource[Rotating.tfResourceType]).toBeUndefined();
  });
});

describe("AccessNeedsStack", () => {
  const stackJson = () => {
    const app = Testing.app();
    return JSON.parse(
      Testing.synth(new AccessNeedsStack(app, "access-needs", { plan: FIXTURE_PLAN })),
    ) as TfJson;
  };

  it("configures the providers from the environment only: no address, no token", () => {
    const out = stackJson();
    expect(out.provider.vault).toEqual([{ skip_child_token: true }]);
    expect(out.provider.time).toEqual([{}]);
  });

  it("is deterministic: the same plan synthesizes to the same bytes", () => {
    expect(JSON.stringify(stackJson())).toBe(JSON.stringify(stackJson()));
  });

  it("keeps state beside the configuration (relative local backend)", () => {
    expect(stackJson().terraform.backend).toEqual({ local: { path: "terraform.tfstate" } });
  });

  it("renders one policy per need and one role per consumer", () => {
    const out = stackJson();
    const needs = FIXTURE_PLAN.consumers.flatMap((c) => c.needs);
    expect(
      Object.values(out.resource.vault_policy)
        .map((p) => p.name)
        .sort(),
    ).toEqual(needs.map((n) => n.policy.name).sort());
    const roles = [
      ...Object.values(out.resource.vault_approle_auth_backend_role),
      ...Object.values(out.resource.vault_kubernetes_auth_backend_role),
      ...Object.values(out.resource.vault_jwt_auth_backend_role),
      ...Object.values(out.resource.vault_token_auth_backend_role),
    ];
    expect(roles.map((r) => r.role_name).sort()).toEqual(
      FIXTURE_PLAN.consumers.map((c) => c.role.roleName).sort(),
    );
    expect(Object.keys(out.variable ?? {}).sort()).toEqual([
      "tw_token_billing_stripe_charges",
      "tw_token_deploy_github_deployments",
      "tw_token_web_github_app",
    ]);
  });

  it("orders creation: policies before login roles, token role before its tokens, mount before KV", () => {
    const out = stackJson();
    const address = (type: string, key: string) => `${type}.${key}`;
    const policies = Object.keys(out.resource.vault_policy).map((k) => address("vault_policy", k));
    const approle = only(out, "vault_approle_auth_backend_role");
    const mountCheck = `data.vault_auth_backends.${Object.keys((out as unknown as { data: Record<string, object> }).data.vault_auth_backends)[0]}`;
    expect(approle.depends_on).toEqual([
      ...policies.filter((p) => p.includes("billing-api")),
      mountCheck,
    ]);
    const tokenRole = address(
      "vault_token_auth_backend_role",
      idOf(out, "vault_token_auth_backend_role"),
    );
    expect(only(out, "vault_token").depends_on).toContain(tokenRole);
    const mount = address("vault_mount", idOf(out, "vault_mount"));
    for (const kv of Object.values(out.resource.vault_kv_secret_v2)) {
      expect(kv.depends_on).toEqual([mount]);
    }
  });

  it("is a normal CDKTF app synth: manifest.json naming the stack's cdk.tf.json", () => {
    const stack = new AccessNeedsStack(Testing.app(), "access-needs", { plan: FIXTURE_PLAN });
    const dir = Testing.fullSynth(stack);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, "manifest.json"), "utf8")) as {
      stacks: Record<string, { synthesizedStackPath: string }>;
    };
    const stackFile = path.join(dir, manifest.stacks["access-needs"].synthesizedStackPath);
    const json = fs.readFileSync(stackFile, "utf8");
    expect(Testing.toHaveResource(json, Policy.tfResourceType)).toBe(true);
    expect(JSON.parse(json)["//"].metadata.stackName).toBe("access-needs");
  });
});
