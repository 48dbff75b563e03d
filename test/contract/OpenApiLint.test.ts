import { execFile } from "node:child_process"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { call, MemoryAdapters, TestServer } from "../support/TestApp.ts"

const run = promisify(execFile)
const redocly = new URL("../../node_modules/@redocly/cli/bin/cli.js", import.meta.url).pathname

/** Redocly's recommended rules over the served document: no error and no warning. */
layer(TestServer(MemoryAdapters), { timeout: "60 seconds" })("the served OpenAPI document, linted", (it) => {
  it.effect("passes Redocly's recommended rules", () =>
    Effect.gen(function* () {
      const reply = yield* call("GET", "/openapi.json")
      expect(reply.status).toBe(200)
      const report = yield* Effect.acquireUseRelease(
        Effect.promise(() => mkdtemp(join(tmpdir(), "openapi-lint-"))),
        (dir) =>
          Effect.promise(async () => {
            const file = join(dir, "openapi.json")
            await writeFile(file, JSON.stringify(reply.body))
            // Exits non-zero on errors; the JSON report on stdout says what they were either way.
            const { stdout } = await run(process.execPath, [redocly, "lint", file, "--format=json"], {
              env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" }
            }).catch((failure: { stdout?: string }) => ({ stdout: failure.stdout ?? "" }))
            return JSON.parse(stdout) as { totals: { errors: number; warnings: number }; problems: Array<unknown> }
          }),
        (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
      )
      expect(report.problems).toEqual([])
      expect(report.totals).toMatchObject({ errors: 0, warnings: 0 })
    }))
})
