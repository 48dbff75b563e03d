import { Effect } from "effect"
import { SqlClient } from "effect/sql"

export const createUsers = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    CREATE TABLE users (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      email text NOT NULL,
      username text NOT NULL,
      password_hash text NOT NULL,
      bio text,
      image text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`
  // Case-insensitive uniqueness; these indexes also serve the lookups by email and username.
  yield* sql`CREATE UNIQUE INDEX users_email_key ON users (lower(email))`
  yield* sql`CREATE UNIQUE INDEX users_username_key ON users (lower(username))`
})

/** Tokens carry the version they were issued under; changing the email or password bumps it. */
export const addTokenVersion = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE users ADD COLUMN token_version integer NOT NULL DEFAULT 0`
})
