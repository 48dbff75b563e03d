import { Effect, Layer, Schema } from "effect"
import { SqlClient, SqlSchema } from "effect/sql"
import { UserId } from "../../../users/public.ts"
import { FollowRepository } from "../../ports/FollowRepository.ts"

// Every failure here is infrastructure (or a broken invariant, like a self-follow hitting the CHECK
// constraint): none is a domain outcome, so all become defects.

const Follow = Schema.Struct({ follower: UserId, followee: UserId })
const Followee = Schema.Struct({ followeeId: UserId })

export const makeSqlFollowRepository = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // Reads name their columns as the rows are typed: no result transform on these per-page queries.
  const read = sql.withoutTransforms()

  const follow = SqlSchema.void({
    Request: Follow,
    execute: ({ follower, followee }) =>
      sql`INSERT INTO follows ${sql.insert({ followerId: follower, followeeId: followee })} ON CONFLICT DO NOTHING`
  })
  const unfollow = SqlSchema.void({
    Request: Follow,
    execute: ({ follower, followee }) => sql`DELETE FROM follows WHERE follower_id = ${follower} AND followee_id = ${followee}`
  })
  const among = SqlSchema.findAll({
    Request: Schema.Struct({ follower: UserId, candidates: Schema.Array(UserId) }),
    Result: Followee,
    execute: ({ follower, candidates }) =>
      read`SELECT followee_id AS "followeeId" FROM follows WHERE follower_id = ${follower} AND followee_id = ANY(${candidates})`
  })
  const all = SqlSchema.findAll({
    Request: UserId,
    Result: Followee,
    execute: (follower) =>
      read`SELECT followee_id AS "followeeId" FROM follows WHERE follower_id = ${follower} ORDER BY followee_id`
  })

  return FollowRepository.of({
    follow: Effect.fn("FollowRepository.follow")((follower: UserId, followee: UserId) => follow({ follower, followee }), Effect.orDie),
    unfollow: Effect.fn("FollowRepository.unfollow")(
      (follower: UserId, followee: UserId) => unfollow({ follower, followee }),
      Effect.orDie
    ),
    // Nobody follows themselves (a CHECK constraint), so the follower is never asked about.
    followedAmong: Effect.fn("FollowRepository.followedAmong")(function* (follower: UserId, ids: ReadonlyArray<UserId>) {
      const candidates = [...new Set(ids)].filter((id) => id !== follower)
      if (candidates.length === 0) return new Set<UserId>()
      const rows = yield* among({ follower, candidates })
      return new Set(rows.map((row) => row.followeeId))
    }, Effect.orDie),
    followedBy: Effect.fn("FollowRepository.followedBy")(function* (follower: UserId) {
      const rows = yield* all(follower)
      return rows.map((row) => row.followeeId)
    }, Effect.orDie)
  })
})

export const SqlFollowRepository = {
  layer: Layer.effect(FollowRepository, makeSqlFollowRepository)
}
