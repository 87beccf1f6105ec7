/**
 * Parity on the bundled example: the Vault objects the Pulumi program registers (run under mocks)
 * and the ones the synthesized Terraform JSON declares are the same objects with the same settings.
 */
import * as path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { run as plan } from "../../cli/commands/plan";
import { collectResources } from "../../components/mock-run";
import { loadManifest, planGrants } from "../../model";
import { synthesizeToString } from "../../components/cdktf";
import { captureIO } from "../support/capture-io";
import { fromPulumi, fromTerraform, policyRules, type VaultObject } from "./vault-objects";

const EXAMPLE = path.resolve(__dirname, "../../examples/access-needs.yaml");
const NOW = new Date("2026-06-01T12:00:00Z");

async function bothSides(manifestFile: string): Promise<[VaultObject[], VaultObject[]]> {
  const terraform = await fromTerraform(synthesizeToString(planGrants(loadManifest(manifestFile))));
  const run = await collectResources(manifestFile, { now: NOW });
  const pulumi = await fromPulumi(run.resources, NOW);
  return [terraform, pulumi];
}

describe("parity on examples/access-needs.yaml", () => {
  it("declares the same Vault objects with the same settings", async () => {
    const [terraform, pulumi] = await bothSides(EXAMPLE);
    expect(terraform).toEqual(pulumi);
    // The example covers every kind of object, so the equality above compares each of them.
    expect(new Set(terraform.map((o) => o.kind))).toEqual(
      new Set([
        "mount",
        "secret-id",
        "audit",
        "policy",
        "role:approle",
        "role:kubernetes",
        "role:jwt",
        "role:token",
        "token",
        "kv",
        "rotation",
      ]),
    );
  });
});

describe("parity with `tokenwarden plan --format json`", () => {
  afterEach(() => void vi.useRealTimers());

  it("describes the same Vault objects as the synthesized configuration", async () => {
    // Only Date is frozen (Pulumi's own timers keep running): the mocked rotation clocks read NOW.
    vi.useFakeTimers({ toFake: ["Date"], now: NOW });
    const { io, out } = captureIO();
    expect(await plan([EXAMPLE, "--format", "json"], io)).toBe(0);
    const printed = JSON.parse(out()) as {
      resources: { type: string; inputs: Record<string, unknown> }[];
    };
    const terraform = await fromTerraform(synthesizeToString(planGrants(loadManifest(EXAMPLE))));
    expect(terraform).toEqual(await fromPulumi(printed.resources, NOW));
  });
});

describe("the parity comparison notices a difference", () => {
  type Json = { resource: Record<string, Record<string, Record<string, unknown>>> };
  const synthesized = () =>
    JSON.parse(synthesizeToString(planGrants(loadManifest(EXAMPLE)))) as Json;
  const first = (json: Json, type: string) => Object.values(json.resource[type])[0];
  let pulumi: VaultObject[];
  const pulumiSide = async () =>
    (pulumi ??= await fromPulumi((await collectResources(EXAMPLE, { now: NOW })).resources, NOW));

  const mutations: [string, (json: Json) => void][] = [
    [
      "a capability added to a policy",
      (j) => {
        const p = first(j, "vault_policy");
        p.policy = String(p.policy).replace('"read"', '"read", "delete"');
      },
    ],
    ["a role's token TTL", (j) => void (first(j, "vault_approle_auth_backend_role").token_ttl = 1)],
    [
      "a token role's explicit max TTL",
      (j) => void (first(j, "vault_token_auth_backend_role").token_explicit_max_ttl = 1),
    ],
    ["a token's TTL", (j) => void (first(j, "vault_token").ttl = "1s")],
    [
      "a SecretID's wrapping TTL",
      (j) => void (first(j, "vault_approle_auth_backend_role_secret_id").wrapping_ttl = "1s"),
    ],
    [
      "a KV entry's custom metadata",
      (j) => {
        const kv = first(j, "vault_kv_secret_v2") as { custom_metadata: { data: object } };
        kv.custom_metadata.data = { ...kv.custom_metadata.data, owner: "someone-else" };
      },
    ],
    [
      "next_rotation wired to another need's clock",
      (j) => {
        const token = first(j, "vault_token") as { metadata: Record<string, string> };
        const own = /time_rotating\.([^.]+)\./.exec(token.metadata.next_rotation)?.[1] ?? "";
        const ownMinutes = j.resource.time_rotating[own].rotation_minutes;
        const other = Object.entries(j.resource.time_rotating).find(
          ([, c]) => c.rotation_minutes !== ownMinutes,
        );
        if (!other) throw new Error("the example should have clocks of different periods");
        token.metadata.next_rotation = `\${time_rotating.${other[0]}.rotation_rfc3339}`;
      },
    ],
    ["a rotation period", (j) => void (first(j, "time_rotating").rotation_minutes = 61)],
    ["a missing role", (j) => void delete j.resource.vault_jwt_auth_backend_role],
  ];
  for (const [what, mutate] of mutations) {
    it(`fails on ${what}`, async () => {
      const json = synthesized();
      mutate(json);
      expect(await fromTerraform(json)).not.toEqual(await pulumiSide());
    });
  }

  it("compares policies as parsed HCL: formatting and rule order do not matter", async () => {
    const a =
      'path "a/b" {\n  capabilities = ["read", "list"]\n}\n\npath "c/*" {\n  capabilities = ["list"]\n}\n';
    const b =
      'path "c/*" { capabilities = ["list"] }\npath "a/b" {\n capabilities = [\n "list",\n "read"\n ]\n}';
    expect(await policyRules(a)).toEqual(await policyRules(b));
    expect(await policyRules(a)).not.toEqual(await policyRules(a.replace('"list"]', '"update"]')));
  });
});
