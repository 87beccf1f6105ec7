import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // the built-in families, handed to the registry (its lazy require cannot read .ts sources)
    setupFiles: [
      "test/support/provide-builtin-families.ts",
      "test/support/provide-engine-parts.ts",
    ],
    exclude: ["test/live/**", "node_modules/**", "dist/**"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
