/**
 * The root program (`pulumi up` from the repository root): reads `tokenwarden:manifest` and the
 * secret `tokenwarden:thirdPartyTokens`, provisions the manifest, exports a plain inventory.
 */
import * as pulumi from "@pulumi/pulumi";
import { afterEach, describe, expect, it } from "vitest";
import {
  THIRD_PARTY_TOKENS_KEY,
  childTokenWarning,
  readProgramConfig,
} from "../../components/pulumi-program/config";
import { loadManifest, planGrants } from "../../model";

const valueOf = <V>(o: pulumi.Output<V>): Promise<V> => new Promise((resolve) => o.apply(resolve));
const CANARY = "CANARY-sk_live_root_program";

// The bundled example's grants, so the test follows the example as it grows.
const EXAMPLE_GRANTS = planGrants(loadManifest("examples/access-needs.yaml")).consumers.flatMap(
  (c) => c.needs,
);
const EXAMPLE_TOKENS = Object.fromEntries(
  EXAMPLE_GRANTS.filter((g) => g.kvEntry).map((g, i) => [g.need, `${CANARY}-${i}`]),
);

function setConfig(values: Record<string, string>, secretKeys: string[]): void {
  pulumi.runtime.setAllConfig(values, secretKeys);
}
afterEach(() => setConfig({}, []));

describe("program config", () => {
  it("defaults the manifest to the bundled example, resolved from the project directory", () => {
    setConfig({}, []);
    expect(readProgramConfig("/repo").manifestPath).toBe("/repo/examples/access-needs.yaml");
    setConfig({ "tokenwarden:manifest": "needs/prod.yaml" }, []);
    expect(readProgramConfig("/repo").manifestPath).toBe("/repo/needs/prod.yaml");
  });

  it("wraps every third-party token as a Pulumi secret", async () => {
    setConfig({ [THIRD_PARTY_TOKENS_KEY]: JSON.stringify({ a: CANARY }) }, [
      THIRD_PARTY_TOKENS_KEY,
    ]);
    const { thirdPartyTokens } = readProgramConfig("/repo");
    expect(Object.keys(thirdPartyTokens)).toEqual(["a"]);
    expect(await pulumi.isSecret(thirdPartyTokens.a)).toBe(true);
    expect(await valueOf(thirdPartyTokens.a)).toBe(CANARY);
  });

  it("refuses tokens stored in plain config, without echoing them", () => {
    setConfig({ [THIRD_PARTY_TOKENS_KEY]: JSON.stringify({ a: CANARY }) }, []);
    expect(() => readProgramConfig("/repo")).toThrow(/stored in plain text/);
    try {
      readProgramConfig("/repo");
    } catch (err) {
      expect(pulumi.RunError.isInstance(err)).toBe(true);
      expect(String((err as Error).message)).not.toContain(CANARY);
    }
  });

  it("refuses a malformed token object without echoing it", () => {
    setConfig({ [THIRD_PARTY_TOKENS_KEY]: CANARY }, [THIRD_PARTY_TOKENS_KEY]);
    expect(() => readProgramConfig("/repo")).toThrow(/must be an object/);
    setConfig({ [THIRD_PARTY_TOKENS_KEY]: JSON.stringify({ a: 7 }) }, [THIRD_PARTY_TOKENS_KEY]);
    expect(() => readProgramConfig("/repo")).toThrow(/\["a"\] must be a non-empty string/);
  });

  it("warns about the provider's child token only when tokens are issued and it is not skipped", () => {
    setConfig({}, []);
    expect(childTokenWarning(false)).toBeUndefined();
    expect(childTokenWarning(true)).toMatch(/vault:skipChildToken/);
    setConfig({ "vault:skipChildToken": "true" }, []);
    expect(childTokenWarning(true)).toBeUndefined();
  });
});

describe("the root program under mocks", () => {
  it("provisions the example and exports a plain inventory and token accessors", async () => {
    const registered: { type: string; inputs: Record<string, unknown> }[] = [];
    await pulumi.runtime.setMocks(
      {
        newResource: (a) => {
          registered.push({ type: a.type, inputs: a.inputs });
          const extra = a.type === "vault:index/token:Token" ? { clientToken: "hvs.CANARY" } : {};
          return { id: `${a.name}-accessor`, state: { ...a.inputs, ...extra } };
        },
        // A Vault with the example's auth mounts enabled: the program checks they exist.
        call: (a) =>
          a.token === "vault:index/getAuthBackends:getAuthBackends"
            ? { paths: ["approle/", "kubernetes/", "jwt/", "token/"], id: "x" }
            : a.inputs,
      },
      "tokenwarden",
      "test",
      true,
    );
    setConfig(
      { [THIRD_PARTY_TOKENS_KEY]: JSON.stringify(EXAMPLE_TOKENS), "vault:skipChildToken": "true" },
      [THIRD_PARTY_TOKENS_KEY],
    );
    const program = (await import("../../index")) as unknown as {
      inventory: pulumi.Output<{ need: string; kvPath: string | null }[]>;
      tokenAccessors: pulumi.Output<Record<string, string>>;
    };
    const inventory = await valueOf(program.inventory);
    expect(await pulumi.isSecret(program.inventory)).toBe(false);
    expect(EXAMPLE_GRANTS.some((g) => g.kvEntry) && EXAMPLE_GRANTS.some((g) => g.token)).toBe(true);
    for (const g of EXAMPLE_GRANTS) {
      const entry = inventory.find((e) => e.need === g.need);
      expect(entry?.kvPath).toBe(g.kvEntry ? `${g.kvEntry.mount}/${g.kvEntry.name}` : null);
    }
    expect(JSON.stringify(inventory)).not.toContain("CANARY");
    expect(await valueOf(program.tokenAccessors)).toEqual(
      Object.fromEntries(
        EXAMPLE_GRANTS.filter((g) => g.token).map((g) => [g.need, `${g.need}-token-accessor`]),
      ),
    );
    expect(registered.some((r) => r.type === "vault:kv/secretV2:SecretV2")).toBe(true);
  });
});
