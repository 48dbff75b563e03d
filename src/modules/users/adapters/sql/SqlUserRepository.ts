import { Effect, Layer, Option, Schema } from "effect"
import { SqlClient, type SqlError, SqlSchema } from "effect/sql"
import { Email, PasswordHash, User, UserId, Username } from "../../domain/User.ts"
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

const NewUserRow = Schema.Struct({ email: Email, username: Username, passwordHash: PasswordHash })
const ChangesRow = Schema.Struct({
  id: UserId,
  changes: Schema.Struct({
    email: Schema.optionalKey(Email),
    username: Schema.optionalKey(Username),
    passwordHash: Schema.optionalKey(PasswordHash),
    bio: Schema.optionalKey(Schema.NullOr(Schema.String)),
    image: Schema.optionalKey(Schema.NullOr(Schema.String))
  })
})

export const makeSqlUserRepository = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // Columns named as the rows are typed, so reads (one per authenticated request) skip the result transform.
  const read = sql.withoutTransforms()
  const columns = sql.literal('id, email, username, password_hash AS "passwordHash", bio, image, token_version AS "tokenVersion"')

  const byId = SqlSchema.findOneOption({
    Request: UserId,
    Result: User,
    execute: (id) => read`SELECT ${columns} FROM users WHERE id = ${id}`
  })
  const byEmail = SqlSchema.findOneOption({
    Request: Email,
    Result: User,
    execute: (email) => read`SELECT ${columns} FROM users WHERE lower(email) = ${email}`
  })
  const insert = SqlSchema.findOne({
    Request: NewUserRow,
    Result: User,
    execute: (row) => sql`INSERT INTO users ${sql.insert(row)} RETURNING ${columns}`
  })
  const tokenVersion = SqlSchema.findOneOption({
    Request: UserId,
    Result: Schema.Struct({ tokenVersion: Schema.Int }),
    execute: (id) => read`SELECT token_version AS "tokenVersion" FROM users WHERE id = ${id}`
  })
  // A new password always counts as a change (its salt is fresh); an email only when it differs.
  const bump = (changes: typeof ChangesRow.Encoded["changes"]) =>
    changes.passwordHash !== undefined
      ? sql`1`
      : changes.email !== undefined
        ? sql`CASE WHEN email = ${changes.email} THEN 0 ELSE 1 END`
        : sql`0`
  const update = SqlSchema.findOneOption({
    Request: ChangesRow,
    Result: User,
    execute: ({ id, changes }) =>
      sql`UPDATE users SET ${sql.update({ ...changes, updatedAt: new Date() })}, token_version = token_version + ${bump(changes)}
          WHERE id = ${id} RETURNING ${columns}`
  })

  return UserRepository.of({
    insert: Effect.fn("UserRepository.insert")(
      (user) => insert(user),
      Effect.catchTags({ SqlError: uniqueViolation, SchemaError: Effect.die, NoSuchElementError: Effect.die })
    ),
    update: Effect.fn("UserRepository.update")(
      (id: UserId, changes: UserChanges) => (Object.keys(changes).length === 0 ? byId(id) : update({ id, changes })),
      Effect.catchTags({ SqlError: uniqueViolation, SchemaError: Effect.die }),
      Effect.flatMap(Option.match({ onNone: () => Effect.fail(new UserNotFound()), onSome: Effect.succeed }))
    ),
    findById: Effect.fn("UserRepository.findById")((id: UserId) => byId(id), Effect.orDie),
    findByEmail: Effect.fn("UserRepository.findByEmail")((email: Email) => byEmail(email), Effect.orDie),
    findTokenVersion: Effect.fn("UserRepository.findTokenVersion")(function* (id: UserId) {
      const row = yield* tokenVersion(id)
      return Option.map(row, (found) => found.tokenVersion)
    }, Effect.orDie)
  })
})

export const SqlUserRepository = {
  layer: Layer.effect(UserRepository, makeSqlUserRepository)
}
