import { describe, expect, it, vi } from "@effect/vitest"
import { ConfigProvider, Duration, Effect, Redacted } from "effect"
import { appSettings, DEVELOPMENT_JWT_SECRET } from "../../../src/platform/config/AppConfig.ts"
import { problemsOf } from "../../../src/platform/config/Settings.ts"

const REAL_SECRET = "k7Yq2w9Vb3Nm8Lp4Xz6Rt1Hs5Jd0Fg2A"

const load = (env: Record<string, string>) =>
  Effect.gen(function* () {
    return yield* appSettings
  }).pipe(Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromEnvRecord(env)))

const failureOf = (env: Record<string, string>) => Effect.map(Effect.flip(load(env)), (error) => String(error))
const problems = (env: Record<string, string>) =>
  Effect.map(Effect.flip(load(env)), (error) => Object.fromEntries(problemsOf(error).map(({ key, problem }) => [key, problem])))

describe("AppConfig", () => {
  it.effect("runs in development with defaults and nothing set", () =>
    Effect.gen(function* () {
      const settings = yield* load({})
      expect(settings).toMatchObject({ env: "development", port: 3000, storage: "postgres" })
      expect(Redacted.value(settings.jwtSecret)).toBe(DEVELOPMENT_JWT_SECRET)
      expect(Duration.toHours(settings.jwtTtl)).toBe(24)
    }))

  it.effect("reads every key it documents", () =>
    Effect.gen(function* () {
      const settings = yield* load({
        APP_ENV: "production",
        PORT: "8080",
        HOST: "127.0.0.1",
        STORAGE: "memory",
        MIGRATE_ON_START: "false",
        JWT_SECRET: REAL_SECRET,
        JWT_TTL: "2 hours",
        SHUTDOWN_TIMEOUT: "5 seconds",
        CORS_ORIGINS: "https://a.example, https://b.example",
        BEHIND_TLS: "true"
      })
      expect(settings).toMatchObject({ env: "production", port: 8080, host: "127.0.0.1", storage: "memory" })
      expect(settings).toMatchObject({ migrateOnStart: false })
      expect(Duration.toHours(settings.jwtTtl)).toBe(2)
      expect(Duration.toSeconds(settings.shutdownTimeout)).toBe(5)
      expect(settings).toMatchObject({ corsOrigins: ["https://a.example", "https://b.example"], behindTls: true })
    }))

  it.effect("CORS: any origin outside production; production lists them or says * on purpose, never null", () =>
    Effect.gen(function* () {
      expect((yield* load({})).corsOrigins).toEqual(["*"])
      const production = { APP_ENV: "production", JWT_SECRET: REAL_SECRET }
      expect(yield* failureOf(production)).toContain("CORS_ORIGINS")
      expect(yield* failureOf({ ...production, CORS_ORIGINS: " , " })).toContain("CORS_ORIGINS")
      expect(yield* failureOf({ ...production, CORS_ORIGINS: "*,https://a.example" })).toContain("CORS_ORIGINS")
      expect(yield* failureOf({ ...production, CORS_ORIGINS: "null" })).toContain("CORS_ORIGINS")
      expect((yield* load({ ...production, CORS_ORIGINS: "*" })).corsOrigins).toEqual(["*"])
    }))

  it.effect("an invalid value stops start-up with a message naming the key", () =>
    Effect.gen(function* () {
      expect(yield* failureOf({ PORT: "not-a-port" })).toContain("PORT")
      expect(yield* failureOf({ PORT: "70000" })).toContain("PORT")
      expect(yield* failureOf({ APP_ENV: "staging" })).toContain("APP_ENV")
      expect(yield* failureOf({ STORAGE: "mongo" })).toContain("STORAGE")
      expect(yield* failureOf({ JWT_TTL: "soon" })).toContain("JWT_TTL")
    }))

  it.effect("every problem is reported at once, each with its key and what it must be", () =>
    Effect.gen(function* () {
      expect(yield* problems({ PORT: "x", JWT_TTL: "forever", STORAGE: "mongo" })).toEqual({
        PORT: 'must be a port number (1-65535), got "x"',
        JWT_TTL: 'must be a duration such as "90 seconds", "30 minutes", "24 hours" or "7 days", got "forever"',
        STORAGE: 'must be "postgres" or "memory", got "mongo"'
      })
    }))

  it.effect("an invalid APP_ENV does not hide the other problems", () =>
    Effect.gen(function* () {
      expect(yield* problems({ APP_ENV: "staging", SHUTDOWN_TIMEOUT: "0 seconds" })).toEqual({
        APP_ENV: 'must be one of "development", "test", "production", got "staging"',
        // production's rules apply while APP_ENV is wrong: a secret of its own, origins named
        JWT_SECRET: expect.stringContaining("is required"),
        CORS_ORIGINS: expect.stringContaining("is required"),
        SHUTDOWN_TIMEOUT: expect.stringContaining("must be longer than zero")
      })
    }))

  it.effect("a key set to an empty value is a problem, not the default", () =>
    Effect.gen(function* () {
      vi.stubEnv("PORT", "")
      try {
        expect(yield* problems({})).toEqual({ PORT: "is empty: set a port number (1-65535), or unset it for the default" })
      } finally {
        vi.unstubAllEnvs()
      }
    }))

  it.effect("production requires a JWT_SECRET", () =>
    Effect.gen(function* () {
      expect(yield* failureOf({ APP_ENV: "production" })).toContain("JWT_SECRET")
    }))

  it.effect("production refuses a placeholder or short JWT_SECRET, without echoing it", () =>
    Effect.gen(function* () {
      for (const secret of [DEVELOPMENT_JWT_SECRET, "change-me-change-me-change-me-change-me", "too-short"]) {
        const message = yield* failureOf({ APP_ENV: "production", JWT_SECRET: secret })
        expect(message).toContain("JWT_SECRET")
        expect(message).not.toContain(secret)
      }
    }))

  it.effect("the secret stays redacted when the settings are printed", () =>
    Effect.gen(function* () {
      const settings = yield* load({ APP_ENV: "production", JWT_SECRET: REAL_SECRET, CORS_ORIGINS: "*" })
      expect(String(settings.jwtSecret)).not.toContain(REAL_SECRET)
      expect(JSON.stringify(settings)).not.toContain(REAL_SECRET)
    }))
})
