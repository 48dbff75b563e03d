import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Redacted } from "effect"
import { problemsOf } from "../../../src/platform/config/Settings.ts"
import { databaseSettings } from "../../../src/platform/sql/Database.ts"

const load = (env: Record<string, string>) =>
  Effect.gen(function* () {
    return yield* databaseSettings
  }).pipe(Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnvRecord(env)))

const failureOf = (env: Record<string, string>) => Effect.map(Effect.flip(load(env)), (error) => String(error))
const problems = (env: Record<string, string>) => Effect.map(Effect.flip(load(env)), problemsOf)

describe("database settings", () => {
  it.effect("reads the URL and the pool size", () =>
    Effect.gen(function* () {
      const settings = yield* load({ DATABASE_URL: "postgres://app:pw@db:5432/conduit", DATABASE_POOL_MAX: "4" })
      expect(Redacted.value(settings.url)).toBe("postgres://app:pw@db:5432/conduit")
      expect(settings.maxConnections).toBe(4)
    }))

  it.effect("a missing URL and a pool of 0 are both reported, by key", () =>
    Effect.gen(function* () {
      expect(yield* problems({ DATABASE_POOL_MAX: "0" })).toEqual([
        { key: "DATABASE_URL", problem: expect.stringContaining("is required: a PostgreSQL URL") },
        { key: "DATABASE_POOL_MAX", problem: "must be at least 1, got 0" }
      ])
    }))

  it.effect("a URL that is not PostgreSQL's names the key and never echoes the value", () =>
    Effect.gen(function* () {
      for (const url of ["mysql://root:hunter2@db/app", "not a url hunter2"]) {
        const message = yield* failureOf({ DATABASE_URL: url })
        expect(message).toContain("DATABASE_URL")
        expect(message).not.toContain("hunter2")
      }
    }))
})
