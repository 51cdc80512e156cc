import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: { weir: fileURLToPath(new URL("./src/index.ts", import.meta.url)) },
  },
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests share one PostgreSQL; each test uses its own schema, so files can run in parallel.
    pool: "forks",
    // The policy keys every test process (and every weir process a test starts) uses, so a
    // digest computed in a test equals the pipeline's; a home's generated secrets.env is not read then.
    env: {
      WEIR_PII_HASH_KEY: "weir-test-pii-hash-key-0123456789",
      WEIR_TOKEN_KEY: "weir-test-token-key-0123456789abcdef",
    },
    reporters: ["default", "./test/support/summary-reporter.ts"],
  },
});
