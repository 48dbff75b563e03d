import { PgClient } from "@effect/sql-pg"
import { Config, Duration, Effect, Layer, type Redacted, String } from "effect"
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


/** Applies pending migrations when the layer is built, before anything that depends on it. */
const layerMigrations = (migrations: Migrations) => Layer.effectDiscard(runMigrations(migrations))

/** Waits when the layer is built until a separate job applied every migration. */
const layerAwaitMigrations = (migrations: Migrations) => Layer.effectDiscard(awaitMigrations(migrations))

/** The PostgreSQL pool: for a URL, from config, migrated, or waiting for migrations. */
export const Database = { layer, layerConfig, layerMigrations, layerAwaitMigrations }
