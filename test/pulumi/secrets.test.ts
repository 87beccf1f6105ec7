/**
 * Secrets stay secret: canary token values — third-party tokens handed in, and the Vault token the
 * mocked Vault issues — never appear in plain outputs, the inventory, or `plan` output.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { renderJson, renderText } from "../../cli/commands/plan";
import { collectResources, type CollectedRun } from "../../components/mock-run";
import { NOW, T, THIRD_PARTY_CANARIES, manifestObject, only } from "./fixtures";

const ISSUED_CANARY = "hvs.CANARY-issued-token-0000";
const CANARIES = [...Object.values(THIRD_PARTY_CANARIES), ISSUED_CANARY];

const valueOf = <V>(o: pulumi.Output<V>): Promise<V> => new Promise((resolve) => o.apply(resolve));
const expectNoCanary = (text: string) => {
  for (const c of CANARIES) expect(text).not.toContain(c);
};

let run: CollectedRun;
beforeAll(async () => {
  run = await collectResources(manifestObject(), {
    now: NOW,
    thirdPartyTokens: THIRD_PARTY_CANARIES,
    issuedTokenValue: ISSUED_CANARY,
  });
});

describe("third-party tokens", () => {
  it("reach Vault once, as the KV entry's secret write-only value (the value is really there)", async () => {
    const kv = run.component.grants.get("billing-stripe")?.kvEntry;
    if (!kv) throw new Error("no KV entry for billing-stripe");
    expect(await pulumi.isSecret(kv.dataJsonWo)).toBe(true);
    expect(JSON.parse((await valueOf(kv.dataJsonWo)) ?? "")).toEqual({
      token: THIRD_PARTY_CANARIES["billing-stripe"],
    });
  });

  it("show only as [secret] in the registered inputs", () => {
    expect(only(run.resources, T.kv, "billing-stripe-kv").inputs.dataJsonWo).toBe("[secret]");
    expectNoCanary(JSON.stringify(run.resources));
  });
});

describe("AppRole logins", () => {
  it("the wrapped SecretID is a secret output (approleLogins), never a plain value", async () => {
    expect(await pulumi.isSecret(run.component.approleLogins)).toBe(true);
    const logins = await valueOf(run.component.approleLogins);
    expect(Object.keys(logins ?? {})).toEqual(["billing-api"]);
    expect(logins?.["billing-api"]).toMatchObject({
      roleId: "billing-api-role-role-id",
      wrappedSecretId: ISSUED_CANARY,
    });
    expectNoCanary(JSON.stringify(run.resources));
  });
});

describe("issued Vault tokens", () => {
  it("are secret outputs of the need's grant and of the component", async () => {
    const grant = run.component.grants.get("cron-warehouse");
    if (!grant) throw new Error("no grant cron-warehouse");
    expect(await pulumi.isSecret(grant.clientToken)).toBe(true);
    expect(await valueOf(grant.clientToken)).toBe(ISSUED_CANARY);
    expect(await pulumi.isSecret(run.component.clientTokens)).toBe(true);
    expect(await valueOf(run.component.clientTokens)).toEqual({
      "cron-warehouse": ISSUED_CANARY,
      "cron-reports-write": ISSUED_CANARY,
    });
  });

  it("leave only their accessor in plain view", async () => {
    const grant = run.component.grants.get("cron-warehouse");
    if (!grant) throw new Error("no grant cron-warehouse");
    expect(await pulumi.isSecret(grant.tokenAccessor)).toBe(false);
    expectNoCanary(String(await valueOf(grant.tokenAccessor)));
  });
});

describe("the inventory", () => {
  it("is a plain output listing every need without any token value", async () => {
    expect(await pulumi.isSecret(run.component.inventory)).toBe(false);
    const inventory = await valueOf(run.component.inventory);
    expect(inventory.map((e) => e.need).sort()).toEqual(
      (manifestObject().needs as { name: string }[]).map((n) => n.name).sort(),
    );
    expect(inventory.find((e) => e.need === "billing-stripe")).toEqual({
      need: "billing-stripe",
      consumer: "billing-api",
      provider: "stripe",
      providerKind: "static",
      access: "read",
      owner: "billing-api@example.com",
      policy: "tw-billing-stripe",
      role: "approle/billing-api",
      kvPath: "tokens/stripe/billing-stripe",
      token: null,
      rotationSeconds: 30 * 86400,
      reviewDate: "2026-12-31",
    });
    expect(inventory.find((e) => e.need === "cron-warehouse")).toMatchObject({
      role: "token/cron",
      token: "cron-cron-warehouse",
      kvPath: null,
    });
    expectNoCanary(JSON.stringify(inventory));
  });
});

describe("plan output", () => {
  it("never contains a token value, in JSON or text", () => {
    const json = renderJson(run.resources);
    const text = renderText(run.resources);
    expectNoCanary(json);
    expectNoCanary(text);
    expect(json).toContain('"dataJsonWo": "[secret]"');
    expect(text).toContain("dataJsonWo: [secret]");
  });
});
