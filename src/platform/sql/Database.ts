import { PgClient } from "@effect/sql-pg"
import { Config, Effect, Layer, Redacted, String } from "effect"
import { SqlClient } from "effect/sql"
import * as Settings from "../config/Settings.ts"
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

/** The process's pool, from DATABASE_URL and DATABASE_POOL_MAX. */
const layerConfig = Layer.unwrap(
  Effect.gen(function* () {
    const { url, maxConnections } = yield* databaseSettings
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
