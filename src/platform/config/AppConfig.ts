import { Config, Context, Duration, Effect, Layer, Redacted, Schema, SchemaIssue } from "effect"

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

const env = Config.Literals(["development", "test", "production"], "APP_ENV").pipe(Config.withDefault("development"))

// A weak or placeholder secret lets anyone mint tokens: production must bring its own.
const jwtSecret = (appEnv: AppEnv) =>
  Config.Redacted("JWT_SECRET").pipe(
    appEnv === "production" ? (c) => c : Config.withDefault(Redacted.make(DEVELOPMENT_JWT_SECRET)),
    Config.mapEffect((secret) => {
      const value = Redacted.value(secret)
      if (value.length < 32) return invalid("JWT_SECRET", "must be at least 32 characters")
      if (appEnv === "production" && /change-?me|placeholder|development|example|^x+$/i.test(value))
        return invalid("JWT_SECRET", "is a placeholder: set a real secret in production")
      return Effect.succeed(secret)
    })
  )

/** A config failure that names the key but never echoes the (secret) value. */
export const invalid = (key: string, message: string) =>
  Effect.fail(
    new Config.ConfigError(
      new Schema.SchemaError(new SchemaIssue.Pointer([key], new SchemaIssue.InvalidValue({ message })))
    )
  )

// Any origin is fine for development; production names its front ends, or writes `*` to mean it.
const corsOrigins = (appEnv: AppEnv) =>
  Config.Array(Schema.String, "CORS_ORIGINS", { separator: "," }).pipe(
    appEnv === "production" ? (c) => c : Config.withDefault(["*"]),
    Config.map((origins) => origins.map((origin) => origin.trim()).filter((origin) => origin !== "")),
    Config.mapEffect((origins) =>
      origins.length === 0
        ? invalid("CORS_ORIGINS", "must list the browser origins allowed to call the API (or be * to allow any)")
        : origins.includes("*") && origins.length > 1
          ? invalid("CORS_ORIGINS", "is either * or a list of origins, not both")
          : origins.includes("null")
            ? invalid("CORS_ORIGINS", "may not allow the null origin (sandboxed and file: pages)")
            : Effect.succeed(origins)
    )
  )

export const appSettings: Config.Config<AppSettings> = env.pipe(
  Config.flatMap((appEnv) =>
    Config.all({
      env: Config.succeed(appEnv),
      host: Config.String("HOST").pipe(Config.withDefault("0.0.0.0")),
      port: Config.Port("PORT").pipe(Config.withDefault(3000)),
      metricsPort: Config.Port("METRICS_PORT").pipe(Config.withDefault(undefined)),
      storage: Config.Literals(["postgres", "memory"], "STORAGE").pipe(Config.withDefault("postgres")),
      migrateOnStart: Config.Boolean("MIGRATE_ON_START").pipe(Config.withDefault(true)),
      jwtSecret: jwtSecret(appEnv),
      jwtTtl: Config.Duration("JWT_TTL").pipe(Config.withDefault(Duration.hours(24))),
      shutdownTimeout: Config.Duration("SHUTDOWN_TIMEOUT").pipe(Config.withDefault(Duration.seconds(20))),
      requestTimeout: Config.Duration("REQUEST_TIMEOUT").pipe(Config.withDefault(Duration.seconds(10))),
      corsOrigins: corsOrigins(appEnv),
      behindTls: Config.Boolean("BEHIND_TLS").pipe(Config.withDefault(false))
    })
  )
)

export class AppConfig extends Context.Service<AppConfig, AppSettings>()("app/platform/AppConfig") {
  /** Read once at start-up: a missing or invalid key stops the process with a message naming it. */
  static readonly layer = Layer.effect(
    AppConfig,
    Effect.gen(function* () {
      return yield* appSettings
    })
  )
}
