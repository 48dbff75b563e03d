import { Effect, Layer, Schema } from "effect"
import { SqlClient, SqlSchema } from "effect/sql"
import { UserId } from "../../../users/public.ts"
import { FollowRepository } from "../../ports/FollowRepository.ts"

// Every failure here is infrastructure (or a broken invariant, like a self-follow hitting the CHECK
// constraint): none is a domain outcome, so all become defects.

const Followee = Schema.Struct({ followeeId: UserId })

export const makeSqlFollowRepository = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient

  const among = SqlSchema.findAll({
    Request: Schema.Struct({ follower: UserId, candidates: Schema.Array(UserId) }),
    Result: Followee,
    execute: ({ follower, candidates }) =>
      sql`SELECT followee_id FROM follows WHERE follower_id = ${follower} AND followee_id = ANY(${candidates})`
  })
  const all = SqlSchema.findAll({
    Request: UserId,
    Result: Followee,
    execute: (follower) => sql`SELECT followee_id FROM follows WHERE follower_id = ${follower} ORDER BY followee_id`
  })

  return FollowRepository.of({
    follow: (follower, followee) =>
      sql`INSERT INTO follows ${sql.insert({ followerId: follower, followeeId: followee })} ON CONFLICT DO NOTHING RETURNING 1 AS added`.pipe(
        Effect.map((rows) => rows.length > 0),
        Effect.orDie,
        Effect.withSpan("FollowRepository.follow")
      ),
    unfollow: (follower, followee) =>
      sql`DELETE FROM follows WHERE follower_id = ${follower} AND followee_id = ${followee} RETURNING 1 AS removed`.pipe(
        Effect.map((rows) => rows.length > 0),
        Effect.orDie,
        Effect.withSpan("FollowRepository.unfollow")
      ),
    removeAllOf: (user) =>
      sql`DELETE FROM follows WHERE follower_id = ${user} OR followee_id = ${user} RETURNING 1 AS removed`.pipe(
        Effect.map((rows) => rows.length),
        Effect.orDie,
        Effect.withSpan("FollowRepository.removeAllOf")
      ),
    followedAmong: (follower, candidates) =>
      (candidates.length === 0
        ? Effect.succeed(new Set<UserId>())
        : Effect.map(among({ follower, candidates: [...new Set(candidates)] }), (rows) => new Set(rows.map((row) => row.followeeId)))
      ).pipe(Effect.orDie, Effect.withSpan("FollowRepository.followedAmong")),
    followedBy: (follower) =>
      all(follower).pipe(
        Effect.map((rows) => rows.map((row) => row.followeeId)),
        Effect.orDie,
        Effect.withSpan("FollowRepository.followedBy")
      )
  })
})

export const SqlFollowRepository = {
  layer: Layer.effect(FollowRepository, makeSqlFollowRepository)
}
