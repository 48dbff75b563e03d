import { Effect, Layer, Schema } from "effect"
import { SqlClient, SqlSchema } from "effect/sql"
import { UserId, UserSummary } from "../../domain/User.ts"
import { UserDirectory } from "../../ports/UserDirectory.ts"

export const makeSqlUserDirectory = Effect.gen(function* () {
  // Plain column names and no result transform: these run for every page of articles.
  const sql = (yield* SqlClient.SqlClient).withoutTransforms()

  // Usernames are unique regardless of case (users_username_key on lower(username)), so they are
  // looked up the same way, and that index serves the lookup.
  const byUsername = SqlSchema.findOneOption({
    Request: Schema.String,
    Result: UserSummary,
    execute: (username) => sql`SELECT id, username, bio, image FROM users WHERE lower(username) = lower(${username})`
  })
  // One statement for any number of ids: `= ANY($1)` keeps it a single prepared statement.
  const byIds = SqlSchema.findAll({
    Request: Schema.Array(UserId),
    Result: UserSummary,
    execute: (ids) => sql`SELECT id, username, bio, image FROM users WHERE id = ANY(${ids})`
  })

  return UserDirectory.of({
    findByUsername: Effect.fn("UserDirectory.findByUsername")((username: string) => byUsername(username), Effect.orDie),
    findByIds: Effect.fn("UserDirectory.findByIds")(function* (ids: ReadonlyArray<UserId>) {
      if (ids.length === 0) return new Map<UserId, UserSummary>()
      const rows = yield* byIds([...new Set(ids)])
      return new Map(rows.map((row) => [row.id, row] as const))
    }, Effect.orDie)
  })
})

export const SqlUserDirectory = {
  layer: Layer.effect(UserDirectory, makeSqlUserDirectory)
}
