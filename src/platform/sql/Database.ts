import { PgClient } from "@effect/sql-pg"
import { Config, Duration, Effect, Layer, type Redacted, String } from "effect"
import { Migrator, type SqlClient } from "effect/sql"
import { DbPoolMetrics } from "../observability/DbPoolMetrics.ts"

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

/** The process's pool, from DATABASE_URL, DATABASE_POOL_MAX and the timeouts. */
const layerConfig = Layer.unwrap(
  Effect.gen(function* () {
    const url = yield* Config.Redacted("DATABASE_URL")
    const maxConnections = yield* Config.Int("DATABASE_POOL_MAX").pipe(Config.withDefault(10))
    const connectTimeout = yield* Config.Duration("DATABASE_CONNECT_TIMEOUT").pipe(Config.withDefault(Duration.seconds(2)))
    const statementTimeout = yield* Config.Duration("DATABASE_STATEMENT_TIMEOUT").pipe(
      Config.withDefault(Duration.seconds(5))
    )
    return layer(url, { maxConnections, connectTimeout, statementTimeout })
  })
)

/** Migration effects keyed `<id>_<name>`; ids are global across modules and applied in order, once. */
export type Migrations = Record<string, Effect.Effect<void, unknown, SqlClient.SqlClient>>

/** Applies pending migrations under the migrator's table lock, so concurrent starters wait instead of racing. */
export const runMigrations = (migrations: Migrations) =>
  Migrator.make({})({ loader: Migrator.fromRecord(migrations) }).pipe(
    Effect.tap((applied) =>
      applied.length === 0
        ? Effect.logDebug("database schema is up to date")
        : Effect.logInfo("applied migrations", applied.map(([id, name]) => `${id}_${name}`).join(", "))
    ),
    Effect.withSpan("Database.migrate")
  )

/** Applies pending migrations when the layer is built, before anything that depends on it. */
const layerMigrations = (migrations: Migrations) => Layer.effectDiscard(runMigrations(migrations))

/** The PostgreSQL pool: for a URL, from config, and migrated. */
export const Database = { layer, layerConfig, layerMigrations }
