import { randomUUID } from "node:crypto"
import { Effect, Layer, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import { inject } from "vitest"
import { Application } from "../../src/app/Application.ts"
import { Database, runMigrations } from "../../src/platform/sql/Database.ts"

const adminUrl = () => Redacted.make(inject("adminDatabaseUrl"))

const onAdmin = (statement: (sql: SqlClient.SqlClient) => Effect.Effect<unknown, unknown>) =>
  Effect.flatMap(SqlClient.SqlClient, statement).pipe(Effect.provide(Database.layer(adminUrl(), { maxConnections: 1 })), Effect.orDie)

/**
 * A fresh, migrated database of its own for the suite that builds this layer, dropped when the layer
 * is released, so suites never see each other's rows and can run in parallel.
 */
const layer = Layer.unwrap(
  Effect.gen(function* () {
    const name = `test_${randomUUID().replaceAll("-", "")}`
    yield* Effect.acquireRelease(
      onAdmin((sql) => sql`CREATE DATABASE ${sql(name)}`),
      () => onAdmin((sql) => sql`DROP DATABASE IF EXISTS ${sql(name)} WITH (FORCE)`)
    )
    const url = new URL(Redacted.value(adminUrl()))
    url.pathname = `/${name}`
    const client = Database.layer(Redacted.make(url.toString()), { maxConnections: 5 })
    return Layer.provideMerge(Layer.effectDiscard(runMigrations(Application.migrations)), client)
  })
)

/** The URL of the suite's own database, for child processes that open their own pool on it. */
const url = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const [database] = yield* sql<{ name: string }>`SELECT current_database() AS name`
  const url = new URL(inject("adminDatabaseUrl"))
  url.pathname = `/${database?.name}`
  return url.toString()
})

export const TestDatabase = { layer, url }
