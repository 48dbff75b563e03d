import { Effect } from "effect"
import { SqlClient } from "effect/sql"

/** Who follows whom; a follow disappears with either account. */
export const createFollows = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    CREATE TABLE follows (
      follower_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      followee_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (follower_id, followee_id),
      CONSTRAINT follows_not_self CHECK (follower_id <> followee_id)
    )`
  // The primary key serves "whom does X follow" (profiles, the feed); this one serves the cascade
  // when a followed account is deleted.
  yield* sql`CREATE INDEX follows_followee_idx ON follows (followee_id)`
})

/** Follows stop hanging off `users` by foreign key: a deleted account's follows go through this module's consumer of UserDeleted. */
export const detachFollowsFromUsers = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE follows DROP CONSTRAINT IF EXISTS follows_follower_id_fkey`
  yield* sql`ALTER TABLE follows DROP CONSTRAINT IF EXISTS follows_followee_id_fkey`
})
