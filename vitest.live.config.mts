import { defineConfig } from "vitest/config";

// Live tier: runs against a real Vault (VAULT_ADDR/VAULT_TOKEN) and the pulumi CLI where present.
export default defineConfig({
  test: {
    include: ["test/live/**/*.test.ts"],
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
