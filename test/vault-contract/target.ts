/**
 * Where the contract tests run: a real Vault when VAULT_ADDR and VAULT_TOKEN are set (e.g.
 * `vault server -dev`; part of `npm run test:live`), otherwise the Vault API double. The tests are
 * the same either way; only time differs — `elapse` advances the double's clock, and really waits
 * against a real Vault (so tests that need it keep their TTLs to a few seconds).
 */
import { randomBytes } from "node:crypto";
import { startVaultDouble, type VaultDouble } from "../vault-double";
import { type VaultCall, vaultHttp } from "../vault-double/http";

export interface Target {
  readonly name: "vault" | "double";
  readonly address: string;
  readonly rootToken: string;
  /** Calls as the root token (override with an X-Vault-Token header or use `as`). */
  readonly call: VaultCall;
  as(token: string): VaultCall;
  /** A fresh prefix for mounts, policies and roles so runs never collide on a shared Vault. */
  readonly prefix: string;
  elapse(seconds: number): Promise<void>;
  /** The double, when that is the target (for its request log only; tests must not need it). */
  readonly double?: VaultDouble;
  close(): Promise<void>;
}

export async function openTarget(): Promise<Target> {
  const prefix = `twc-${randomBytes(3).toString("hex")}`;
  const addr = process.env.VAULT_ADDR;
  const token = process.env.VAULT_TOKEN;
  if (addr && token) {
    return {
      name: "vault",
      address: addr,
      rootToken: token,
      call: vaultHttp(addr, token),
      as: (t) => vaultHttp(addr, t),
      prefix,
      elapse: (s) => new Promise((r) => setTimeout(r, s * 1000 + 250)),
      close: async () => {},
    };
  }
  const double = await startVaultDouble();
  return {
    name: "double",
    address: double.address,
    rootToken: double.rootToken,
    call: vaultHttp(double.address, double.rootToken),
    as: (t) => vaultHttp(double.address, t),
    prefix,
    elapse: async (s) => double.clock.advance(s + 0.25),
    double,
    close: () => double.close(),
  };
}
