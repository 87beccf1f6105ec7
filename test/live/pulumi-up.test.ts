/**
 * Live tier: a real `pulumi up` of the root project (Pulumi.yaml → dist/index.js) against a real
 * Vault, through the Automation API with a local file backend in a temp dir. Reads every object
 * back over Vault's HTTP API, then `refresh` (nothing changes, no token is renewed), `preview`
 * (no diff), `destroy` (everything gone, the token revoked). Skips, saying why, without the
 * `pulumi` CLI or VAULT_ADDR/VAULT_TOKEN.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Stack } from "@pulumi/pulumi/automation";
import { loadManifest, planGrants, type GrantPlan } from "../../model";
import { VaultClient } from "../../vault";
import { liveManifestYaml, liveMounts, livePrefix } from "./manifest";

const ROOT = resolve(__dirname, "../..");

function skipReason(): string | undefined {
  const missing = ["VAULT_ADDR", "VAULT_TOKEN"].filter((k) => !process.env[k]);
  if (missing.length > 0)
    return `${missing.join(" and ")} not set (point them at a Vault, e.g. \`vault server -dev\`)`;
  const pulumi = spawnSync("pulumi", ["version"], { encoding: "utf8" });
  if (pulumi.error || pulumi.status !== 0) return "the `pulumi` CLI is not on PATH";
  if (!existsSync(join(ROOT, "dist/index.js")))
    return "dist/index.js is missing (npm run test:live builds it)";
  return undefined;
}
const reason = skipReason();
if (reason) console.log(`live tier skipped: ${reason}`);

const id = randomBytes(3).toString("hex");
const P = livePrefix(id);
const CANARY = `CANARY-live-${randomBytes(8).toString("hex")}`;
const mounts = liveMounts(P);
const ROTATING_NEED = `${P}-cron-report`;

describe.skipIf(reason !== undefined)(
  "pulumi up → read back from Vault → refresh → destroy",
  () => {
    const vault = reason ? undefined : VaultClient.fromEnv(process.env);
    let tmp = "";
    let plan: GrantPlan;
    let stack: Stack;
    const stackName = `tw-live-${id}`;

    beforeAll(async () => {
      if (!vault) return;
      tmp = mkdtempSync(join(tmpdir(), "tw-live-"));
      const manifestFile = join(tmp, "access-needs.yaml");
      writeFileSync(manifestFile, liveManifestYaml(P));
      plan = planGrants(loadManifest(manifestFile));
      // The auth mounts are the platform team's in real use; here the test brings its own.
      for (const [type, path] of Object.entries(mounts))
        await vault.write(`sys/auth/${path}`, { type });
      const { LocalWorkspace } = await import("@pulumi/pulumi/automation");
      stack = await LocalWorkspace.createOrSelectStack(
        { stackName, workDir: ROOT },
        {
          envVars: {
            PULUMI_BACKEND_URL: `file://${tmp}`,
            PULUMI_CONFIG_PASSPHRASE: randomBytes(16).toString("hex"),
            PULUMI_SKIP_UPDATE_CHECK: "true",
          },
        },
      );
      await stack.setConfig("tokenwarden:manifest", { value: manifestFile });
      await stack.setConfig("vault:skipChildToken", { value: "true" });
      await stack.setConfig("tokenwarden:thirdPartyTokens", {
        value: JSON.stringify({ [`${P}-app-stripe`]: CANARY }),
        secret: true,
      });
    });

    afterAll(async () => {
      if (!vault) return;
      try {
        await stack?.destroy().catch(() => undefined);
        await stack?.workspace.removeStack(stackName, { force: true }).catch(() => undefined);
      } finally {
        rmSync(join(ROOT, `Pulumi.${stackName}.yaml`), { force: true });
        for (const path of Object.values(mounts))
          await vault.delete(`sys/auth/${path}`).catch(() => undefined);
        if (tmp) rmSync(tmp, { recursive: true, force: true });
      }
    });

    it("up creates every planned object, and Vault holds exactly what the plan says", async () => {
      if (!vault) return;
      const up = await stack.up();
      expect(up.summary.result).toBe("succeeded");
      const output = JSON.stringify(up.outputs.inventory.value);
      expect(output).not.toContain(CANARY);
      expect(up.stdout + up.stderr).not.toContain(CANARY);

      for (const c of plan.consumers) {
        const role =
          c.role.kind === "token"
            ? await vault.readTokenRole(c.role.roleName)
            : await vault.readAuthRole(c.role.backend, c.role.roleName);
        expect(role, c.role.roleName).toBeDefined();
        const policies = (
          c.role.kind === "token" ? role?.allowed_policies : role?.token_policies
        ) as string[];
        expect([...policies].sort()).toEqual(
          [...(c.role.kind === "token" ? c.role.allowedPolicies : c.role.tokenPolicies)].sort(),
        );
        if (c.role.kind !== "token") {
          expect(role?.token_ttl).toBe(c.role.tokenTtl);
          expect(role?.token_max_ttl).toBe(c.role.tokenMaxTtl);
        } else {
          // The token role's TTL is the cap Vault applies to every token created against it;
          // token_ttl/token_max_ttl are not token-role parameters and must not appear.
          expect(role?.token_explicit_max_ttl).toBe(c.role.tokenExplicitMaxTtl);
          expect(role?.token_type).toBe("service");
          expect(role).not.toHaveProperty("token_ttl");
        }

        for (const g of c.needs) {
          expect((await vault.readPolicy(g.policy.name))?.trim()).toBe(g.policy.hcl.trim());
          if (g.kvEntry) {
            const md = await vault.readKvMetadata(g.kvEntry.mount, g.kvEntry.name);
            expect(md?.max_versions).toBe(g.kvEntry.maxVersions);
            const custom = md?.custom_metadata as Record<string, string>;
            expect(custom).toMatchObject(g.kvEntry.customMetadata);
            // The stack writes the value once; procurement rotates it (no clock here).
            expect(custom).not.toHaveProperty("next_rotation");
            expect(await vault.readKvData(g.kvEntry.mount, g.kvEntry.name)).toEqual({
              token: CANARY,
            });
          }
          if (g.token) {
            const accessor = (up.outputs.tokenAccessors.value as Record<string, string>)[g.need];
            const info = await vault.lookupAccessor(accessor);
            expect(info?.policies).toEqual(expect.arrayContaining([g.policy.name]));
            expect(info?.policies).not.toContain("default");
            expect(info?.meta).toMatchObject(g.token.meta);
            expect(info?.explicit_max_ttl).toBe(g.token.explicitMaxTtl);
            expect(info?.renewable).toBe(true);
            expect(info?.display_name).toBe(`token-${g.token.displayName}`);
          }
        }
      }
    });

    it("an AppRole consumer unwraps its SecretID once and logs in with exactly its policies", async () => {
      if (!vault) return;
      const logins = (await stack.outputs()).approleLogins;
      expect(logins.secret).toBe(true);
      const app = plan.consumers.find((c) => c.auth === "approle");
      if (!app || app.role.kind !== "approle")
        throw new Error("the live manifest has an approle consumer");
      const login = (logins.value as Record<string, { roleId: string; wrappedSecretId: string }>)[
        app.consumer
      ];
      const address = process.env.VAULT_ADDR ?? "";
      const post = async (path: string, token: string | undefined, body: object) => {
        const res = await fetch(`${address}/v1/${path}`, {
          method: "POST",
          headers: {
            ...(token ? { "X-Vault-Token": token } : {}),
            "Content-Type": "application/json",
          },
          body: JSON.stringify(body),
        });
        return (await res.json()) as {
          data?: Record<string, unknown>;
          auth?: Record<string, unknown>;
        };
      };
      const unwrapped = await post("sys/wrapping/unwrap", login.wrappedSecretId, {});
      const secretId = String(unwrapped.data?.secret_id);
      const auth = (
        await post(`auth/${app.role.backend}/login`, undefined, {
          role_id: login.roleId,
          secret_id: secretId,
        })
      ).auth;
      expect([...((auth?.token_policies as string[]) ?? [])].sort()).toEqual(
        [...app.role.tokenPolicies, "default"].sort(),
      );
      expect(auth?.lease_duration).toBe(app.role.tokenTtl);
    });

    it("an up after a procurement leaves the procured token in place", async () => {
      if (!vault) return;
      const g = plan.consumers.flatMap((c) => c.needs).find((n) => n.kvEntry);
      if (!g?.kvEntry) throw new Error("the live manifest has a third-party need");
      const procured = `CANARY-procured-${randomBytes(6).toString("hex")}`;
      await vault.write(`${g.kvEntry.mount}/data/${g.kvEntry.name}`, {
        data: { token: procured },
      });
      const up = await stack.up();
      expect(up.summary.result).toBe("succeeded");
      expect(await vault.readKvData(g.kvEntry.mount, g.kvEntry.name)).toEqual({ token: procured });
    });

    it("refresh finds nothing changed and renews nothing; a preview then shows no diff", async () => {
      if (!vault) return;
      const accessor = Object.values(
        (await stack.outputs()).tokenAccessors.value as Record<string, string>,
      )[0];
      const before = await vault.lookupAccessor(accessor);
      const refresh = await stack.refresh();
      expect(refresh.summary.result).toBe("succeeded");
      const ops = refresh.summary.resourceChanges ?? {};
      expect(ops.delete ?? 0).toBe(0);
      expect(ops.update ?? 0).toBe(0);
      const after = await vault.lookupAccessor(accessor);
      // A renewal would have moved last_renewal_time / expire_time.
      expect(after?.last_renewal_time).toEqual(before?.last_renewal_time);
      expect(after?.expire_time).toEqual(before?.expire_time);
      const preview = await stack.preview();
      const changes = Object.entries(preview.changeSummary).filter(
        ([op, n]) => op !== "same" && (n ?? 0) > 0,
      );
      expect(changes).toEqual([]);
    });

    it("the up after a rotation falls due re-issues the token: the new one first, then the old one revoked", async () => {
      if (!vault) return;
      const before = (await stack.outputs()).tokenAccessors.value as Record<string, string>;
      const old = await vault.lookupAccessor(before[ROTATING_NEED]);
      const due = Date.parse((old?.meta as Record<string, string>).next_rotation);
      await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now()) + 5_000));
      const up = await stack.up();
      expect(up.summary.result).toBe("succeeded");
      const after = up.outputs.tokenAccessors.value as Record<string, string>;
      expect(after[ROTATING_NEED]).not.toBe(before[ROTATING_NEED]);
      const fresh = await vault.lookupAccessor(after[ROTATING_NEED]);
      expect(Date.parse((fresh?.meta as Record<string, string>).next_rotation)).toBeGreaterThan(
        due,
      );
      expect(await vault.lookupAccessor(before[ROTATING_NEED])).toBeUndefined();
      // Needs that were not due kept their tokens.
      for (const [need, accessor] of Object.entries(before)) {
        if (need !== ROTATING_NEED) expect(after[need]).toBe(accessor);
      }
    });

    it("destroy removes every object and revokes the token", async () => {
      if (!vault) return;
      const accessors = (await stack.outputs()).tokenAccessors.value as Record<string, string>;
      const destroy = await stack.destroy();
      expect(destroy.summary.result).toBe("succeeded");
      for (const c of plan.consumers) {
        for (const g of c.needs) {
          expect(await vault.readPolicy(g.policy.name)).toBeUndefined();
          if (g.token) expect(await vault.lookupAccessor(accessors[g.need])).toBeUndefined();
        }
        if (c.role.kind !== "token")
          expect(await vault.readAuthRole(c.role.backend, c.role.roleName)).toBeUndefined();
        else expect(await vault.readTokenRole(c.role.roleName)).toBeUndefined();
      }
    });
  },
);
