import { PgClient } from "@effect/sql-pg"
import { Config, Effect, Layer, type Redacted, String } from "effect"
import { Migrator, SqlClient } from "effect/sql"
import { Readiness } from "../Readiness.ts"
import { DbPoolMetrics } from "../observability/DbPoolMetrics.ts"

/** Columns are snake_case in SQL and camelCase in code. */
const naming = { transformQueryNames: String.camelToSnake, transformResultNames: String.snakeToCamel }

/** A pooled client for the given URL (tests point it at their own database), with its pool gauges. */
const layer = (url: Redacted.Redacted, maxConnections = 10) =>
  Layer.merge(
    PgClient.layer({ url, maxConnections, applicationName: "hexa-monolith", ...naming }),
    DbPoolMetrics.layer(maxConnections)
  )

/** The process's pool, from DATABASE_URL and DATABASE_POOL_MAX. */
const layerConfig = Layer.unwrap(
  Effect.gen(function* () {
    const url = yield* Config.Redacted("DATABASE_URL")
    const maxConnections = yield* Config.Int("DATABASE_POOL_MAX").pipe(Config.withDefault(10))
    return layer(url, maxConnections)
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

/** Ready when the cheapest round trip through the pool succeeds. */
const readiness = Layer.effect(
  Readiness,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    return Readiness.of({ check: Effect.asVoid(sql`SELECT 1`) })
  })
)

/** Applies pending migrations when the layer is built, before anything that depends on it. */
const layerMigrations = (migrations: Migrations) => Layer.effectDiscard(runMigrations(migrations))

/** The PostgreSQL pool: for a URL, from config, and migrated. */
export const Database = { layer, layerConfig, layerMigrations }

/** Readiness of a service over SQL. */
export const SqlReadiness = { layer: readiness }
