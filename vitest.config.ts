import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // One throwaway PostgreSQL and redis-server per run (or TEST_DATABASE_URL / TEST_REDIS_URL); every
    // test file gets its own database and keeps to its own Redis keys.
    globalSetup: ["test/support/globalSetup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000
  }
})
