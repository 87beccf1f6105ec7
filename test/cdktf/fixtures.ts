/**
 * A hand-written grant plan with one consumer of every auth kind and needs of every provider kind,
 * so the constructs are tested without depending on how the model derives a plan.
 */
import type { GrantPlan, NeedGrantPlan } from "../../model/grant-plan-types";

const stripeCharges: NeedGrantPlan = {
  need: "billing-stripe-charges",
  consumer: "billing-api",
  provider: "stripe",
  providerKind: "static",
  access: "read",
  owner: "team-billing@example.com",
  policy: {
    name: "tw-billing-api-billing-stripe-charges",
    hcl: 'path "tokens/data/stripe/billing-stripe-charges" {\n  capabilities = ["read"]\n}\n',
    rules: [{ path: "tokens/data/stripe/billing-stripe-charges", capabilities: ["read"] }],
  },
  kvEntry: {
    mount: "tokens",
    name: "stripe/billing-stripe-charges",
    maxVersions: 5,
    customMetadata: {
      owner: "team-billing@example.com",
      consumer: "billing-api",
      scopes: "charges:read",
      rotation_period: "30d",
      review_date: "2027-06-30",
    },
  },
};

const billingConfig: NeedGrantPlan = {
  need: "billing-vault-config",
  consumer: "billing-api",
  provider: "vault",
  providerKind: "vault-token",
  access: "read",
  owner: "team-billing@example.com",
  policy: {
    name: "tw-billing-api-billing-vault-config",
    hcl: 'path "secret/data/billing/config" {\n  capabilities = ["read"]\n}\n',
    rules: [{ path: "secret/data/billing/config", capabilities: ["read"] }],
  },
};

const deployWrite: NeedGrantPlan = {
  need: "deploy-artifacts",
  consumer: "deploy-pipeline",
  provider: "vault",
  providerKind: "vault-token",
  access: "write",
  owner: "platform@example.com",
  policy: {
    name: "tw-deploy-pipeline-deploy-artifacts",
    hcl:
      'path "secret/data/deploy/*" {\n  capabilities = ["create", "read", "update"]\n}\n\n' +
      'path "secret/metadata/deploy/*" {\n  capabilities = ["list"]\n}\n',
    rules: [
      { path: "secret/data/deploy/*", capabilities: ["create", "read", "update"] },
      { path: "secret/metadata/deploy/*", capabilities: ["list"] },
    ],
  },
};

const webGithub: NeedGrantPlan = {
  need: "web-github-app",
  consumer: "web",
  provider: "github",
  providerKind: "jwt-bearer",
  access: "read",
  owner: "web@example.com",
  policy: {
    name: "tw-web-web-github-app",
    hcl: 'path "tokens/data/github/web-github-app" {\n  capabilities = ["read"]\n}\n',
    rules: [{ path: "tokens/data/github/web-github-app", capabilities: ["read"] }],
  },
  kvEntry: {
    mount: "tokens",
    name: "github/web-github-app",
    maxVersions: 5,
    customMetadata: { owner: "web@example.com", consumer: "web", scopes: "contents:read" },
  },
};

const deployGithub: NeedGrantPlan = {
  need: "deploy-github-deployments",
  consumer: "deploy-pipeline",
  provider: "github-app",
  providerKind: "oauth2-client-credentials",
  access: "write",
  owner: "platform@example.com",
  policy: {
    name: "tw-deploy-pipeline-deploy-github-deployments",
    hcl: 'path "tokens/data/github-app/deploy-github-deployments" {\n  capabilities = ["read"]\n}\n',
    rules: [{ path: "tokens/data/github-app/deploy-github-deployments", capabilities: ["read"] }],
  },
  kvEntry: {
    mount: "tokens",
    name: "github-app/deploy-github-deployments",
    maxVersions: 2,
    customMetadata: { owner: "platform@example.com", scopes: "deployments:write" },
  },
};

const opsAdmin: NeedGrantPlan = {
  need: "ops-pki-admin",
  consumer: "ops-cli",
  provider: "vault",
  providerKind: "vault-token",
  access: "admin",
  owner: "ops@example.com",
  policy: {
    name: "tw-ops-cli-ops-pki-admin",
    hcl: 'path "pki/roles/internal" {\n  capabilities = ["create", "read", "update", "delete", "list", "sudo"]\n}\n',
    rules: [
      {
        path: "pki/roles/internal",
        capabilities: ["create", "read", "update", "delete", "list", "sudo"],
      },
    ],
  },
  token: {
    name: "ops-cli-ops-pki-admin",
    policies: ["tw-ops-cli-ops-pki-admin"],
    ttl: 900,
    explicitMaxTtl: 3_600,
    renewable: true,
    noParent: false,
    noDefaultPolicy: true,
    roleName: "tw-ops-cli",
    meta: { need: "ops-pki-admin", owner: "ops@example.com", consumer: "ops-cli" },
    displayName: "tw-ops-pki-admin",
  },
  rotation: { periodSeconds: 86_400, rotationMinutes: 1_440 },
};

export const FIXTURE_PLAN: GrantPlan = {
  store: {
    kvMount: {
      path: "tokens",
      description: "Third-party API tokens managed by tokenwarden",
      create: true,
    },
    authMounts: [
      { kind: "approle", path: "approle" },
      { kind: "jwt", path: "jwt" },
      { kind: "kubernetes", path: "kubernetes" },
    ],
    audit: { path: "tokenwarden-file", filePath: "/var/log/vault/audit.log" },
  },
  consumers: [
    {
      consumer: "billing-api",
      auth: "approle",
      owner: "team-billing@example.com",
      role: {
        kind: "approle",
        consumer: "billing-api",
        backend: "approle",
        roleName: "billing-api",
        tokenPolicies: [stripeCharges.policy.name, billingConfig.policy.name],
        tokenTtl: 900,
        tokenMaxTtl: 86_400,
        secretIdTtl: 86_400,
        secretIdNumUses: 0,
      },
      credential: {
        kind: "secret-id",
        wrappingTtl: 3_600,
        ttl: 86_400,
        numUses: 3,
        metadata: { consumer: "billing-api", owner: "team-billing@example.com" },
        rotation: { periodSeconds: 7 * 86_400, rotationMinutes: 10_080 },
      },
      needs: [stripeCharges, billingConfig],
    },
    {
      consumer: "deploy-pipeline",
      auth: "jwt",
      owner: "platform@example.com",
      role: {
        kind: "jwt",
        consumer: "deploy-pipeline",
        backend: "jwt",
        roleName: "deploy-pipeline",
        tokenPolicies: [deployWrite.policy.name, deployGithub.policy.name],
        tokenTtl: 600,
        tokenMaxTtl: 3_600,
        boundAudiences: ["vault"],
        boundClaims: { repository: "example-org/deploy" },
        userClaim: "sub",
      },
      credential: { kind: "none", reason: "CI OIDC token" },
      needs: [deployWrite, deployGithub],
    },
    {
      consumer: "web",
      auth: "kubernetes",
      owner: "web@example.com",
      role: {
        kind: "kubernetes",
        consumer: "web",
        backend: "kubernetes",
        roleName: "web",
        tokenPolicies: [webGithub.policy.name],
        tokenTtl: 3_600,
        tokenMaxTtl: 86_400,
        boundServiceAccountNames: ["web"],
        boundServiceAccountNamespaces: ["prod"],
        audience: "vault",
      },
      credential: { kind: "none", reason: "service-account token" },
      needs: [webGithub],
    },
    {
      consumer: "ops-cli",
      auth: "token",
      owner: "ops@example.com",
      role: {
        kind: "token",
        consumer: "ops-cli",
        roleName: "tw-ops-cli",
        allowedPolicies: [opsAdmin.policy.name],
        tokenExplicitMaxTtl: 3_600,
        tokenType: "service",
        renewable: true,
        orphan: false,
      },
      credential: { kind: "token-per-need" },
      needs: [opsAdmin],
    },
  ],
};
