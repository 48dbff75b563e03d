import { Config, Context, Duration, Effect, Layer, Redacted, Schema } from "effect"
import * as Settings from "./Settings.ts"

/** Stands in for JWT_SECRET in development and tests; refused in production. */
export const DEVELOPMENT_JWT_SECRET = "development-only-secret-change-me-0000000000"

export type AppEnv = "development" | "test" | "production"

export interface AppSettings {
  readonly env: AppEnv
  readonly host: string
  readonly port: number
  /** Serve `/metrics` on this port only, away from the public one (unset: on the public port). */
  readonly metricsPort?: number | undefined
  /** Which outbound adapters back the repositories: a real PostgreSQL, or memory for demos and tests. */
  readonly storage: "postgres" | "memory"
  readonly migrateOnStart: boolean
  readonly jwtSecret: Redacted.Redacted<string>
  readonly jwtTtl: Duration.Duration
  readonly shutdownTimeout: Duration.Duration
  /** An API request unanswered after this gets a 503 (a pool that never frees up, a database that stopped answering). */
  readonly requestTimeout: Duration.Duration
  /**
   * Browser origins allowed to call the API; `["*"]` means any (tokens travel in a header, not
   * cookies). Production must list them, or say `*` on purpose.
   */
  readonly corsOrigins: ReadonlyArray<string>
  /** Clients reach the service only over HTTPS (TLS terminated in front of it): responses carry HSTS. */
  readonly behindTls: boolean
}

const env = Settings.setting(
  "APP_ENV",
  `one of "development", "test", "production"`,
  Config.Literals(["development", "test", "production"], "APP_ENV").pipe(Config.withDefault("development"))
)

/** For the rules that depend on APP_ENV: the strictest when APP_ENV itself is invalid (reported on its own). */
export const envOrProduction: Config.Config<AppEnv> = env.pipe(Config.orElse(() => Config.succeed("production" as const)))

// A weak or placeholder secret lets anyone mint tokens: production must bring its own.
const jwtSecret = envOrProduction.pipe(
  Config.flatMap((appEnv) =>
    Settings.setting(
      "JWT_SECRET",
      "a random string of at least 32 characters (openssl rand -base64 48)",
      Config.Redacted("JWT_SECRET").pipe(
        appEnv === "production" ? (c) => c : Config.withDefault(Redacted.make(DEVELOPMENT_JWT_SECRET)),
        Config.mapEffect((secret) => {
          const value = Redacted.value(secret)
          if (value.length < 32) return Settings.invalid("JWT_SECRET", "must be at least 32 characters")
          if (appEnv === "production" && /change-?me|placeholder|development|example|^x+$/i.test(value))
            return Settings.invalid("JWT_SECRET", "is a placeholder: set a real secret in production")
          return Effect.succeed(secret)
        })
      ),
      { secret: true }
    )
  )
)

const DURATION = `a duration such as "90 seconds", "30 minutes", "24 hours" or "7 days"`

/** A duration longer than zero: a token or a drain of no time at all is a typo, not a choice. */
const positiveDuration = (key: string, fallback: Duration.Duration) =>
  Settings.setting(
    key,
    DURATION,
    Config.Duration(key).pipe(
      Config.withDefault(fallback),
      Config.mapEffect((duration) =>
        Duration.isZero(duration) ? Settings.invalid(key, `must be longer than zero: ${DURATION}`) : Effect.succeed(duration)
      )
    )
  )

// Any origin is fine for development; production names its front ends, or writes `*` to mean it.
const corsOrigins = (appEnv: AppEnv) =>
  Settings.setting(
    "CORS_ORIGINS",
    "a comma-separated list of the browser origins allowed to call the API, or * for any",
    Config.Array(Schema.String, "CORS_ORIGINS", { separator: "," }).pipe(
      appEnv === "production" ? (c) => c : Config.withDefault(["*"]),
      Config.map((origins) => origins.map((origin) => origin.trim()).filter((origin) => origin !== "")),
      Config.mapEffect((origins) =>
        origins.length === 0
          ? Settings.invalid("CORS_ORIGINS", "must list the browser origins allowed to call the API (or be * to allow any)")
          : origins.includes("*") && origins.length > 1
            ? Settings.invalid("CORS_ORIGINS", "is either * or a list of origins, not both")
            : origins.includes("null")
              ? Settings.invalid("CORS_ORIGINS", "may not allow the null origin (sandboxed and file: pages)")
              : Effect.succeed(origins)
      )
    ),
    { allowEmpty: true }
  )

/** Every key is read and every problem reported at once, each naming its key and what it must be. */
export const appSettings: Config.Config<AppSettings> = Settings.all({
  env,
  host: Settings.setting("HOST", "an address to listen on, such as 0.0.0.0", Config.String("HOST").pipe(Config.withDefault("0.0.0.0"))),
  port: Settings.setting("PORT", "a port number (1-65535)", Config.Port("PORT").pipe(Config.withDefault(3000))),
  metricsPort: Settings.setting(
    "METRICS_PORT",
    "a port number (1-65535) for /metrics, apart from the API",
    Config.Port("METRICS_PORT").pipe(Config.withDefault(undefined))
  ),
  storage: Settings.setting(
    "STORAGE",
    `"postgres" or "memory"`,
    Config.Literals(["postgres", "memory"], "STORAGE").pipe(Config.withDefault("postgres"))
  ),
  migrateOnStart: Settings.setting(
    "MIGRATE_ON_START",
    "true or false",
    Config.Boolean("MIGRATE_ON_START").pipe(Config.withDefault(true))
  ),
  jwtSecret,
  jwtTtl: positiveDuration("JWT_TTL", Duration.hours(24)),
  shutdownTimeout: positiveDuration("SHUTDOWN_TIMEOUT", Duration.seconds(20)),
  requestTimeout: positiveDuration("REQUEST_TIMEOUT", Duration.seconds(10)),
  corsOrigins: envOrProduction.pipe(Config.flatMap(corsOrigins)),
  behindTls: Settings.setting("BEHIND_TLS", "true or false", Config.Boolean("BEHIND_TLS").pipe(Config.withDefault(false)))
})

export class AppConfig extends Context.Service<AppConfig, AppSettings>()("app/platform/AppConfig") {
  /** Read once at start-up: a missing or invalid key stops the process with a message naming it. */
  static readonly layer = Layer.effect(
    AppConfig,
    Effect.gen(function* () {
      return yield* appSettings
    })
  )
}
