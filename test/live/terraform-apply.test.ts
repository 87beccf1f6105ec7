/**
 * Live tier, Terraform route: `tokenwarden synth` output applied with the real `terraform` CLI to
 * a real Vault (VAULT_ADDR/VAULT_TOKEN), then a second `terraform plan` must show no change, the
 * wrapped SecretID output must unwrap and log in, and `terraform destroy` must leave nothing.
 * Skips, saying why, without the `terraform` CLI or those variables. `terraform init` downloads
 * the vault and time providers, so it needs the registry (or a configured mirror).
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseManifestText, planGrants, type GrantPlan } from "../../model";
import { synthesizeToDirectory, tokenVariableName } from "../../components/cdktf";
import { secretIdOutputName } from "../../components/cdktf/terraform-names";
import { VaultClient } from "../../vault";
import { liveManifestYaml, liveMounts, livePrefix } from "./manifest";

function skipReason(): string | undefined {
  const missing = ["VAULT_ADDR", "VAULT_TOKEN"].filter((k) => !process.env[k]);
  if (missing.length > 0)
    return `${missing.join(" and ")} not set (point them at a Vault, e.g. \`vault server -dev\`)`;
  const tf = spawnSync("terraform", ["version"], { encoding: "utf8" });
  if (tf.error || tf.status !== 0) return "the `terraform` CLI is not on PATH";
  return undefined;
}
const reason = skipReason();
if (reason) console.log(`live tier (terraform) skipped: ${reason}`);

const id = randomBytes(3).toString("hex");
const P = livePrefix(`tf${id}`);
const CANARY = `CANARY-tf-${randomBytes(8).toString("hex")}`;
const mounts = liveMounts(P);

describe.skipIf(reason !== undefined)("terraform apply → plan shows no change → destroy", () => {
  const vault = reason ? undefined : VaultClient.fromEnv(process.env);
  let dir = "";
  let plan: GrantPlan;
  const env = () => ({
    ...process.env,
    TF_IN_AUTOMATION: "1",
    [`TF_VAR_${tokenVariableName(`${P}-app-stripe`)}`]: CANARY,
  });
  const tf = (...args: string[]) =>
    spawnSync("terraform", [`-chdir=${dir}`, ...args, "-no-color"], {
      encoding: "utf8",
      env: env(),
      timeout: 600_000,
    });

  beforeAll(async () => {
    if (!vault) return;
    dir = mkdtempSync(join(tmpdir(), "tw-live-tf-"));
    plan = planGrants(parseManifestText(liveManifestYaml(P), "live.yaml"));
    synthesizeToDirectory(plan, dir);
    for (const [type, path] of Object.entries(mounts))
      await vault.write(`sys/auth/${path}`, { type });
    const init = tf("init", "-input=false");
    expect(init.status, init.stderr).toBe(0);
  });

  afterAll(async () => {
    if (!vault) return;
    try {
      tf("destroy", "-auto-approve", "-input=false");
    } finally {
      for (const path of Object.values(mounts))
        await vault.delete(`sys/auth/${path}`).catch(() => undefined);
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  });

  it("apply succeeds, and the token value never shows in Terraform's output", () => {
    if (!vault) return;
    const apply = tf("apply", "-auto-approve", "-input=false");
    expect(apply.status, apply.stderr).toBe(0);
    expect(apply.stdout + apply.stderr).not.toContain(CANARY);
  });

  it("a second plan shows no change (every read matches what was declared)", () => {
    if (!vault) return;
    const again = tf("plan", "-detailed-exitcode", "-input=false");
    // 0: no changes; 2: changes present.
    expect(again.status, again.stdout).toBe(0);
  });

  it("token roles hold what was declared: allowed policies and the explicit max TTL cap", async () => {
    if (!vault) return;
    for (const c of plan.consumers) {
      if (c.role.kind !== "token") continue;
      const role = await vault.readTokenRole(c.role.roleName);
      expect(role?.token_explicit_max_ttl).toBe(c.role.tokenExplicitMaxTtl);
      expect([...((role?.allowed_policies as string[]) ?? [])].sort()).toEqual(
        [...c.role.allowedPolicies].sort(),
      );
    }
  });

  it("the wrapped SecretID output unwraps once", async () => {
    if (!vault) return;
    const app = plan.consumers.find((c) => c.auth === "approle");
    if (!app) throw new Error("the live manifest has an approle consumer");
    const out = tf("output", "-raw", secretIdOutputName(app.consumer));
    expect(out.status, out.stderr).toBe(0);
    const res = await fetch(`${process.env.VAULT_ADDR}/v1/sys/wrapping/unwrap`, {
      method: "POST",
      headers: { "X-Vault-Token": out.stdout.trim() },
    });
    expect(res.status).toBe(200);
  });

  it("destroy removes every policy and role", async () => {
    if (!vault) return;
    const destroy = tf("destroy", "-auto-approve", "-input=false");
    expect(destroy.status, destroy.stderr).toBe(0);
    for (const c of plan.consumers) {
      for (const g of c.needs) expect(await vault.readPolicy(g.policy.name)).toBeUndefined();
      if (c.role.kind === "token")
        expect(await vault.readTokenRole(c.role.roleName)).toBeUndefined();
      else expect(await vault.readAuthRole(c.role.backend, c.role.roleName)).toBeUndefined();
    }
  });
});
