import { Effect, Layer, Schema } from "effect"
import { SqlClient, SqlSchema } from "effect/sql"
import { UserId, UserSummary } from "../../domain/User.ts"
import { UserDirectory } from "../../ports/UserDirectory.ts"

export const makeSqlUserDirectory = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient

  const byUsername = SqlSchema.findOneOption({
    Request: Schema.String,
    Result: UserSummary,
    execute: (username) => sql`SELECT id, username, bio, image FROM users WHERE username = ${username}`
  })
  // One statement for any number of ids: `= ANY($1)` keeps it a single prepared statement.
  const byIds = SqlSchema.findAll({
    Request: Schema.Array(UserId),
    Result: UserSummary,
    execute: (ids) => sql`SELECT id, username, bio, image FROM users WHERE id = ANY(${ids})`
  })

  return UserDirectory.of({
    findByUsername: (username) =>
      byUsername(username).pipe(Effect.orDie, Effect.withSpan("UserDirectory.findByUsername")),
    findByIds: (ids) =>
      (ids.length === 0
        ? Effect.succeed(new Map<UserId, UserSummary>())
        : Effect.map(byIds([...new Set(ids)]), (rows) => new Map(rows.map((row) => [row.id, row] as const)))
      ).pipe(Effect.orDie, Effect.withSpan("UserDirectory.findByIds"))
  })
})

export const SqlUserDirectory = {
  layer: Layer.effect(UserDirectory, makeSqlUserDirectory)
}
