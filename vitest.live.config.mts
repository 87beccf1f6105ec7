import { defineConfig } from "vitest/config";

// Live tier: runs against a real Vault (VAULT_ADDR/VAULT_TOKEN) and the pulumi CLI where present.
// test/vault-contract runs here against that Vault, and in the default tier against the Vault API
// double (test/vault-double) when VAULT_ADDR/VAULT_TOKEN are not set.
export default defineConfig({
  test: {
    include: ["test/live/**/*.test.ts", "test/vault-contract/**/*.test.ts"],
    // the built-in families, handed to the registry (its lazy require cannot read .ts sources)
    setupFiles: [
      "test/support/provide-builtin-families.ts",
      "test/support/provide-engine-parts.ts",
    ],
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
