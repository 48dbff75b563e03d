import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // One throwaway PostgreSQL and redis-server per run (or TEST_DATABASE_URL / TEST_REDIS_URL); every
    // test file gets its own database and keeps to its own Redis keys.
    globalSetup: ["test/support/globalSetup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // `make test` measures it (`vitest run --coverage`); a run below these floors fails. They sit about
    // three points under what the suite reaches (91 / 79 / 88 / 92 %), so untested new code shows up.
    coverage: {
      provider: "v8",
      include: ["src/**/*.ts"],
      reporter: ["text-summary", "html"],
      thresholds: { statements: 88, branches: 75, functions: 85, lines: 88 }
    }
  }
})
