import { PgClient } from "@effect/sql-pg"
import { Config, Effect, Layer, String } from "effect"
import { Migrator, SqlClient } from "effect/sql"
import { Readiness } from "../http/Health.ts"

/** One pooled PostgreSQL client for the process. Columns are snake_case in SQL and camelCase in code. */
export const PgLive = PgClient.layerConfig({
  url: Config.Redacted("DATABASE_URL"),
  maxConnections: Config.Int("DATABASE_POOL_MAX").pipe(Config.withDefault(10)),
  applicationName: Config.succeed("hexa-monolith"),
  transformQueryNames: Config.succeed(String.camelToSnake),
  transformResultNames: Config.succeed(String.snakeToCamel)
})

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
export const PgReadiness = Layer.effect(
  Readiness,
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    return Readiness.of({ check: Effect.asVoid(sql`SELECT 1`) })
  })
)

export const layerMigrations = (migrations: Migrations) => Layer.effectDiscard(runMigrations(migrations))
