import { PgClient } from "@effect/sql-pg"
import { Config, Effect, Layer, type Redacted, String } from "effect"
import { SqlClient } from "effect/sql"
import { Readiness } from "../Readiness.ts"
import { DbPoolMetrics } from "../observability/DbPoolMetrics.ts"
import { awaitMigrations, type Migrations, runMigrations } from "./Migrator.ts"

export { type Migrations, runMigrations }

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

/** Waits when the layer is built until a separate job applied every migration. */
const layerAwaitMigrations = (migrations: Migrations) => Layer.effectDiscard(awaitMigrations(migrations))

/** The PostgreSQL pool: for a URL, from config, migrated, or waiting for migrations. */
export const Database = { layer, layerConfig, layerMigrations, layerAwaitMigrations }

/** Readiness of a service over SQL. */
export const SqlReadiness = { layer: readiness }
