import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import { UserDirectory } from "../../../../src/modules/users/ports/UserDirectory.ts"
import { RecordingTracer, statementsDuring } from "../../../support/SqlStatements.ts"
import { PostgresAdapters } from "../../../support/TestApp.ts"

// Usernames are unique regardless of case through an index on lower(username); the lookup by
// username must be written so that index serves it, or every profile read scans the users table.

layer(PostgresAdapters, { timeout: "60 seconds" })("username lookup (PostgreSQL)", (it) => {
  it.effect("the directory's lookup by username is served by the lower(username) index", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const directory = yield* UserDirectory
      const { statements } = yield* statementsDuring(directory.findByUsername("Someone")).pipe(
        Effect.provide(RecordingTracer.layer)
      )
      expect(statements).toHaveLength(1)
      // A table this small is scanned whatever the indexes; with scans priced out, the plan shows
      // whether an index can answer the statement at all.
      const plan = yield* sql.withTransaction(
        Effect.gen(function* () {
          yield* sql`SET LOCAL enable_seqscan = off`
          const rows = yield* sql.unsafe<{ "QUERY PLAN": unknown }>(`EXPLAIN (FORMAT JSON) ${statements[0]}`, ["Someone"])
          return JSON.stringify(rows[0]?.["QUERY PLAN"] ?? rows[0])
        })
      )
      expect(plan).toContain('"Index Name":"users_username_key"')
      expect(plan).not.toContain('"Node Type":"Seq Scan"')
    }))
})
