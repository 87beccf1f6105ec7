/**
 * The policy HCL each need's vault.Policy carries, read back with a real HCL parser: it reaches
 * exactly the need's paths with exactly its capabilities — nothing more, nothing less.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { collectResources, type PlannedResource } from "../../components/mock-run";
import { loadManifest } from "../../model";
import { NOW, T, manifestObject, only } from "./fixtures";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parse } = require("@cdktf/hcl2json") as {
  parse(file: string, text: string): Promise<Record<string, unknown>>;
};

interface Rule {
  path: string;
  capabilities: string[];
}

/** `path "<p>" { capabilities = [...] }` blocks → rules; anything else in the policy is an error. */
async function rulesOf(hcl: string): Promise<Rule[]> {
  const doc = await parse("policy.hcl", hcl);
  expect(Object.keys(doc)).toEqual(["path"]);
  const rules: Rule[] = [];
  for (const [path, blocks] of Object.entries(doc.path as Record<string, unknown[]>)) {
    for (const block of blocks as Record<string, unknown>[]) {
      expect(Object.keys(block)).toEqual(["capabilities"]);
      rules.push({ path, capabilities: block.capabilities as string[] });
    }
  }
  return rules.sort((a, b) => a.path.localeCompare(b.path));
}

interface RawNeed {
  name: string;
  provider: string;
  paths?: Rule[];
}

function expectedRules(need: RawNeed, kvMount: string): Rule[] {
  const rules =
    need.provider === "vault"
      ? (need.paths ?? []).map((p) => ({ path: p.path, capabilities: [...p.capabilities] }))
      : [{ path: `${kvMount}/data/${need.provider}/${need.name}`, capabilities: ["read"] }];
  return rules.sort((a, b) => a.path.localeCompare(b.path));
}

describe("policy HCL, parsed", () => {
  let resources: PlannedResource[];
  beforeAll(async () => {
    ({ resources } = await collectResources(manifestObject(), { now: NOW }));
  });

  it("every need's policy reaches exactly its declared paths and capabilities", async () => {
    const needs = manifestObject().needs as RawNeed[];
    for (const need of needs) {
      const policy = only(resources, T.policy, `${need.name}-policy`);
      expect(policy.inputs.name).toBe(`tw-${need.name}`);
      expect(await rulesOf(policy.inputs.policy as string), need.name).toEqual(
        expectedRules(need, "tokens"),
      );
    }
  });

  it("third-party needs can read only their own KV entry, and not its metadata or siblings", async () => {
    const rules = await rulesOf(
      only(resources, T.policy, "billing-stripe-policy").inputs.policy as string,
    );
    expect(rules).toEqual([{ path: "tokens/data/stripe/billing-stripe", capabilities: ["read"] }]);
    expect(rules.some((r) => r.path.includes("*") || r.path.includes("+"))).toBe(false);
  });
});

describe("the bundled example's policies", () => {
  it("match its needs when parsed (paths without capabilities get their access level's set)", async () => {
    const manifest = loadManifest("examples/access-needs.yaml");
    const { resources } = await collectResources("examples/access-needs.yaml", { now: NOW });
    const byLevel: Record<string, string[]> = {
      read: ["read", "list"],
      write: ["create", "read", "update", "patch", "delete", "list"],
    };
    for (const need of manifest.needs) {
      const provider = manifest.providers.find((p) => p.name === need.provider);
      const expected =
        provider?.kind === "vault-token"
          ? need.paths.map((p) => ({
              path: p.path,
              capabilities: p.capabilities.length > 0 ? [...p.capabilities] : byLevel[need.access],
            }))
          : [
              {
                path: `${manifest.vault.kvMount}/data/${need.provider}/${need.name}`,
                capabilities: ["read"],
              },
            ];
      const policy = only(resources, T.policy, `${need.name}-policy`);
      expect(await rulesOf(policy.inputs.policy as string), need.name).toEqual(
        expected.sort((a, b) => a.path.localeCompare(b.path)),
      );
    }
  });
});
