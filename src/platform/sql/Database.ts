import { PgClient } from "@effect/sql-pg"
import { Config, Effect, Layer, type Redacted, String } from "effect"
import { SqlClient } from "effect/sql"
import { Readiness } from "../http/Health.ts"
import { DbPoolMetrics } from "../observability/DbPoolMetrics.ts"
import { type Migrations, runMigrations } from "./Migrator.ts"

export { type Migrations, runMigrations }

/** Columns are snake_case in SQL and camelCase in code. */
const naming = { transformQueryNames: String.camelToSnake, transformResultNames: String.snakeToCamel }

/** A pooled client for the given URL (tests point it at their own database), with its pool gauges. */
export const pgLayer = (url: Redacted.Redacted, maxConnections = 10) =>
  Layer.merge(
    PgClient.layer({ url, maxConnections, applicationName: "hexa-monolith", ...naming }),
    DbPoolMetrics(maxConnections)
  )

/** The process's pool, from DATABASE_URL and DATABASE_POOL_MAX. */
export const PgLive = Layer.unwrap(
  Effect.gen(function* () {
    const url = yield* Config.Redacted("DATABASE_URL")
    const maxConnections = yield* Config.Int("DATABASE_POOL_MAX").pipe(Config.withDefault(10))
    return pgLayer(url, maxConnections)
  })
)

/** Ready when the cheapest round trip through the pool succeeds. */
export const PgReadiness = Layer.effect(
  Readiness,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    return Readiness.of({ check: Effect.asVoid(sql`SELECT 1`) })
  })
)

export const layerMigrations = (migrations: Migrations) => Layer.effectDiscard(runMigrations(migrations))
