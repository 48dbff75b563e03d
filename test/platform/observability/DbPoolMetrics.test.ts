import { expect, layer } from "@effect/vitest"
import { Effect, Fiber, Metric } from "effect"
import { SqlClient } from "effect/sql"
import { TestDatabase } from "../../support/TestDatabase.ts"

// The pool gauges are derived from statements in flight: they must read the pool's real occupancy
// while statements run, and fall back to zero when they are done. TestDatabase's pool has 5 connections.

const gauge = (name: string) =>
  Effect.map(Metric.snapshot, (snapshots) => {
    const found = snapshots.find((snapshot) => snapshot.id === name)
    return (found?.state as { value?: number } | undefined)?.value
  })

layer(TestDatabase.layer, { timeout: "60 seconds" })("database pool gauges", (it) => {
  it.effect("count statements using and waiting for the pool's connections, then none", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const running = yield* Effect.forEach(
        Array.from({ length: 7 }, () => sql`SELECT pg_sleep(1)`),
        (statement) => Effect.forkChild(statement)
      )
      // Real time, not the test clock: the statements run in PostgreSQL.
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 400)))
      expect(yield* gauge("db_pool_connections_in_use")).toBe(5)
      expect(yield* gauge("db_pool_connections_waiting")).toBe(2)
      yield* Fiber.joinAll(running)
      expect(yield* gauge("db_pool_connections_in_use")).toBe(0)
      expect(yield* gauge("db_pool_connections_waiting")).toBe(0)
    }))
})
