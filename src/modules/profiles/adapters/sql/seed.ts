import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import { rowCount, type SeedStep } from "../../../../platform/sql/Seed.ts"

/** Each demo user follows up to `--follows` random demo users of the same run (never themselves). */
export const seedFollows: SeedStep = {
  sizes: { follows: { default: 10, description: "follows per demo user (random demo users)" } },
  write: Effect.fn("Seed.follows")(function* ({ size, ids }) {
    const sql = yield* SqlClient.SqlClient
    const users = ids.users ?? []
    const follows =
      users.length === 0
        ? 0
        : yield* sql`
            INSERT INTO follows (follower_id, followee_id)
            SELECT follower, followee FROM (
              SELECT u.id AS follower, ids[1 + floor(random() * cardinality(ids))::int] AS followee
              FROM unnest(${users}::int[]) AS u(id), generate_series(1, ${size.follows ?? 0}) AS k,
                   (SELECT ${users}::int[] AS ids) AS p
            ) AS pairs
            WHERE follower <> followee
            ON CONFLICT DO NOTHING`.raw.pipe(Effect.map(rowCount))
    return { wrote: [{ what: "follows", count: follows }] }
  })
}
