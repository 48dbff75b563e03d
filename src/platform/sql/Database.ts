import { PgClient } from "@effect/sql-pg"
import { Config, Duration, Effect, Layer, Redacted, String } from "effect"
import * as Settings from "../config/Settings.ts"
import { DbPoolMetrics } from "../observability/DbPoolMetrics.ts"
import { awaitMigrations, type Migrations, runMigrations } from "./Migrator.ts"

export { type Migrations, runMigrations }

/** Columns are snake_case in SQL and camelCase in code. */
const naming = { transformQueryNames: String.camelToSnake, transformResultNames: String.snakeToCamel }

export interface PoolOptions {
  readonly maxConnections?: number
  /** Opening a connection, TCP and authentication included. */
  readonly connectTimeout?: Duration.Duration
  /** The server cancels a statement running longer (its `statement_timeout`). */
  readonly statementTimeout?: Duration.Duration
}

/** A pooled client for the given URL (tests point it at their own database), with its pool gauges. */
const layer = (url: Redacted.Redacted, options: PoolOptions = {}) => {
  const maxConnections = options.maxConnections ?? 10
  return Layer.merge(
    PgClient.layer({
      url,
      maxConnections,
      connectTimeout: options.connectTimeout ?? Duration.seconds(2),
      startupParameters: {
        statement_timeout: `${Duration.toMillis(options.statementTimeout ?? Duration.seconds(5))}`
      },
      applicationName: "hexa-monolith",
      ...naming
    }),
    DbPoolMetrics.layer(maxConnections)
  )
}

const URL_EXPECTED = "a PostgreSQL URL such as postgres://user:password@host:5432/database"

/** DATABASE_URL (never echoed: it holds the password) and DATABASE_POOL_MAX, both checked at once. */
export const databaseSettings = Settings.all({
  url: Settings.setting(
    "DATABASE_URL",
    URL_EXPECTED,
    Config.Redacted("DATABASE_URL").pipe(
      Config.mapEffect((url) => {
        const parsed = URL.parse(Redacted.value(url))
        return parsed !== null && /^postgres(ql)?:$/.test(parsed.protocol) && parsed.hostname !== ""
          ? Effect.succeed(url)
          : Settings.invalid("DATABASE_URL", `must be ${URL_EXPECTED} (the value is not shown: it may hold a password)`)
      })
    ),
    { secret: true }
  ),
  connectTimeout: Settings.setting(
    "DATABASE_CONNECT_TIMEOUT",
    "a duration such as \"2 seconds\"",
    Config.Duration("DATABASE_CONNECT_TIMEOUT").pipe(Config.withDefault(Duration.seconds(2)))
  ),
  statementTimeout: Settings.setting(
    "DATABASE_STATEMENT_TIMEOUT",
    "a duration such as \"5 seconds\"",
    Config.Duration("DATABASE_STATEMENT_TIMEOUT").pipe(Config.withDefault(Duration.seconds(5)))
  ),
  maxConnections: Settings.setting(
    "DATABASE_POOL_MAX",
    "a whole number of connections, at least 1",
    Config.Int("DATABASE_POOL_MAX").pipe(
      Config.withDefault(10),
      Config.mapEffect((size) =>
        size >= 1 ? Effect.succeed(size) : Settings.invalid("DATABASE_POOL_MAX", `must be at least 1, got ${size}`)
      )
    )
  )
})

/** The process's pool, from DATABASE_URL, DATABASE_POOL_MAX and the timeouts. */
const layerConfig = Layer.unwrap(
  Effect.gen(function* () {
    const { url, ...options } = yield* databaseSettings
    return layer(url, options)
  })
)


/** Applies pending migrations when the layer is built, before anything that depends on it. */
const layerMigrations = (migrations: Migrations) => Layer.effectDiscard(runMigrations(migrations))

/** Waits when the layer is built until a separate job applied every migration. */
const layerAwaitMigrations = (migrations: Migrations) => Layer.effectDiscard(awaitMigrations(migrations))

/** The PostgreSQL pool: for a URL, from config, migrated, or waiting for migrations. */
export const Database = { layer, layerConfig, layerMigrations, layerAwaitMigrations }
