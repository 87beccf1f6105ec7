/**
 * The components on their own, fed hand-written plan pieces (no manifest): they render exactly
 * what they are given and add nothing of their own beyond the rotation clock's due date.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeEach, describe, expect, it } from "vitest";
import { ConsumerRole, NeedGrant, TokenStore, consumerRoleArgs } from "../../components";
import type { RolePlan } from "../../model/grant-plan-types";

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}
let registered: Registered[];

beforeEach(async () => {
  registered = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (a) => {
        registered.push({ type: a.type, name: a.name, inputs: a.inputs });
        return { id: `${a.name}-id`, state: a.inputs };
      },
      call: () => ({}),
    },
    "tokenwarden",
    "unit",
    true,
  );
});

const settle = (r: pulumi.Resource) =>
  new Promise<void>((resolve) => r.urn.apply(() => setTimeout(resolve, 20)));

describe("TokenStore", () => {
  it("creates nothing when the plan has no third-party needs and no audit device", async () => {
    const store = new TokenStore("s", {});
    await settle(store);
    expect(registered.map((r) => r.type)).toEqual(["tokenwarden:index:TokenStore"]);
    expect(store.mount).toBeUndefined();
  });
});

describe("ConsumerRole", () => {
  it("maps a hand-written approle plan onto the SDK's input names, value for value", async () => {
    const plan: RolePlan = {
      kind: "approle",
      consumer: "svc",
      roleName: "svc-role-name",
      backend: "approle-eu",
      tokenPolicies: ["p1", "p2"],
      tokenTtl: 111,
      tokenMaxTtl: 222,
      secretIdTtl: 333,
      secretIdNumUses: 4,
    };
    const role = new ConsumerRole("svc", consumerRoleArgs(plan));
    await settle(role.role);
    expect(registered.find((r) => r.name === "svc-role")?.inputs).toEqual({
      roleName: "svc-role-name",
      backend: "approle-eu",
      tokenPolicies: ["p1", "p2"],
      tokenTtl: 111,
      tokenMaxTtl: 222,
      secretIdTtl: 333,
      secretIdNumUses: 4,
    });
  });
});

describe("NeedGrant", () => {
  it("without a rotation period: no clock, and no next_rotation added to the token's metadata", async () => {
    const grant = new NeedGrant("n", {
      policy: { name: "pol", hcl: 'path "a" {\n  capabilities = ["read"]\n}\n' },
      token: {
        policies: ["pol"],
        ttl: 60,
        renewable: false,
        noParent: false,
        noDefaultPolicy: true,
        meta: { need: "n" },
        displayName: "n",
      },
    });
    await settle(grant.token as pulumi.Resource);
    expect(grant.rotation).toBeUndefined();
    expect(registered.map((r) => r.type).sort()).toEqual([
      "tokenwarden:index:NeedGrant",
      "vault:index/policy:Policy",
      "vault:index/token:Token",
    ]);
    expect(registered.find((r) => r.type === "vault:index/token:Token")?.inputs).toEqual({
      policies: ["pol"],
      ttl: "60s",
      renewable: false,
      noParent: false,
      noDefaultPolicy: true,
      metadata: { need: "n" },
      displayName: "n",
    });
  });

  it("stores a KV value as a secret even when it was handed in plain", async () => {
    const grant = new NeedGrant("k", {
      policy: { name: "pol", hcl: "" },
      kvEntry: {
        mount: "kv",
        name: "p/k",
        customMetadata: { need: "k" },
        maxVersions: 3,
        value: "plain-CANARY",
      },
    });
    const kv = grant.kvEntry as NonNullable<typeof grant.kvEntry>;
    await settle(kv);
    expect(await pulumi.isSecret(kv.dataJsonWo)).toBe(true);
    const inputs = registered.find((r) => r.type === "vault:kv/secretV2:SecretV2")?.inputs;
    expect(inputs?.customMetadata).toEqual({ maxVersions: 3, data: { need: "k" } });
    expect(inputs).toMatchObject({ dataJsonWoVersion: 1, disableRead: true });
  });

  it("without an initial value the entry starts empty ({}): never a placeholder token", async () => {
    const grant = new NeedGrant("e", {
      policy: { name: "pol", hcl: "" },
      kvEntry: { mount: "kv", name: "p/e", customMetadata: {}, maxVersions: 2 },
    });
    const kv = grant.kvEntry as NonNullable<typeof grant.kvEntry>;
    await settle(kv);
    expect(await pulumi.isSecret(kv.dataJsonWo)).toBe(true);
    expect(await new Promise((resolve) => kv.dataJsonWo.apply(resolve))).toBe("{}");
  });
});
