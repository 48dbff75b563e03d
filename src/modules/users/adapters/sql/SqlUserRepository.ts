import { Effect, Layer, Option, Schema } from "effect"
import { SqlClient, type SqlError, SqlSchema } from "effect/sql"
import { Email, User, UserId } from "../../domain/User.ts"
import { EmailTaken, UsernameTaken, UserNotFound } from "../../domain/UserErrors.ts"
import { type UserChanges, UserRepository } from "../../ports/UserRepository.ts"


// Infrastructure failures (connection lost, bad rows) are not domain outcomes: they become defects,
// reported and answered with a 500. Only a unique violation means something to the use cases.

/** Which unique index a violation came from decides the domain error. */
const uniqueViolation = (error: SqlError.SqlError): Effect.Effect<never, EmailTaken | UsernameTaken> =>
  error.reason._tag === "UniqueViolation"
    ? error.reason.constraint.includes("email")
      ? Effect.fail(new EmailTaken())
      : Effect.fail(new UsernameTaken())
    : Effect.die(error)

export const makeSqlUserRepository = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const columns = sql.literal("id, email, username, password_hash, bio, image, token_version")

  const findById = SqlSchema.findOneOption({
    Request: UserId,
    Result: User,
    execute: (id) => sql`SELECT ${columns} FROM users WHERE id = ${id}`
  })
  const findByEmail = SqlSchema.findOneOption({
    Request: Email,
    Result: User,
    execute: (email) => sql`SELECT ${columns} FROM users WHERE lower(email) = ${email}`
  })
  const insert = SqlSchema.findOne({
    Request: Schema.Struct({ email: Schema.String, username: Schema.String, passwordHash: Schema.String }),
    Result: User,
    execute: (row) => sql`INSERT INTO users ${sql.insert(row)} RETURNING ${columns}`
  })
  const findTokenVersion = SqlSchema.findOneOption({
    Request: UserId,
    Result: Schema.Struct({ tokenVersion: Schema.Int }),
    execute: (id) => sql`SELECT token_version FROM users WHERE id = ${id}`
  })
  // A new password always counts as a change (its salt is fresh); an email only when it differs.
  const bump = (changes: UserChanges) =>
    changes.passwordHash !== undefined
      ? sql`1`
      : changes.email !== undefined
        ? sql`CASE WHEN email = ${changes.email} THEN 0 ELSE 1 END`
        : sql`0`
  const update = (id: UserId, changes: UserChanges) =>
    Object.keys(changes).length === 0
      ? findById(id)
      : SqlSchema.findOneOption({
          Request: Schema.Any,
          Result: User,
          execute: () =>
            sql`UPDATE users SET ${sql.update({ ...changes, updatedAt: new Date() })}, token_version = token_version + ${bump(changes)}
                WHERE id = ${id} RETURNING ${columns}`
        })(changes)

  return UserRepository.of({
    insert: (input) =>
      insert(input).pipe(
        Effect.catchTags({ SqlError: uniqueViolation, SchemaError: Effect.die, NoSuchElementError: Effect.die }),
        Effect.withSpan("UserRepository.insert")
      ),
    update: (id, changes) =>
      update(id, changes).pipe(
        Effect.catchTags({ SqlError: uniqueViolation, SchemaError: Effect.die }),
        Effect.flatMap(Option.match({ onNone: () => Effect.fail(new UserNotFound()), onSome: Effect.succeed })),
        Effect.withSpan("UserRepository.update")
      ),
    findById: (id) => findById(id).pipe(Effect.orDie, Effect.withSpan("UserRepository.findById")),
    findByEmail: (email) => findByEmail(email).pipe(Effect.orDie, Effect.withSpan("UserRepository.findByEmail")),
    findTokenVersion: (id) =>
      findTokenVersion(id).pipe(
        Effect.map(Option.map((row) => row.tokenVersion)),
        Effect.orDie,
        Effect.withSpan("UserRepository.findTokenVersion")
      )
  })
})

export const SqlUserRepository = {
  layer: Layer.effect(UserRepository, makeSqlUserRepository)
}
