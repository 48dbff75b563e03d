import { defineConfig } from "vitest/config"

// The validator's self-test: run by `make validate` (not `make test`), since the checks it exercises
// need the Debian tools scripts/validate/tools.sh unpacks (kubectl, promtool, amtool, shellcheck).
export default defineConfig({
  test: {
    include: ["scripts/validate/**/*.test.ts"],
    testTimeout: 120_000
  }
})
