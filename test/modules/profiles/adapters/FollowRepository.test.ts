import { expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import { InMemoryFollows } from "../../../../src/modules/profiles/adapters/memory/InMemoryFollows.ts"
import { FollowRepository } from "../../../../src/modules/profiles/ports/FollowRepository.ts"
import { InMemoryUsers } from "../../../../src/modules/users/adapters/memory/InMemoryUsers.ts"
import { PostgresAdapters } from "../../../support/TestApp.ts"
import { anAccount } from "../AccountMother.ts"
import { followRepositoryContract } from "./FollowRepository.contract.ts"

followRepositoryContract("in-memory", Layer.mergeAll(InMemoryFollows.layer, InMemoryUsers.layer))
followRepositoryContract("PostgreSQL", PostgresAdapters)

// What only the database does: a follow goes with either account.
layer(PostgresAdapters, { timeout: "60 seconds" })("follows table on PostgreSQL", (it) => {
  it.effect("follows are deleted with the follower's or the followee's account", () =>
    Effect.gen(function* () {
      const follows = yield* FollowRepository
      const sql = yield* SqlClient.SqlClient
      const [a, b, c] = yield* Effect.forEach([1, 2, 3], () => anAccount())
      yield* follows.follow(a!.id, b!.id)
      yield* follows.follow(a!.id, c!.id)
      yield* follows.follow(b!.id, c!.id)
      yield* sql`DELETE FROM users WHERE id = ${c!.id}`.pipe(Effect.orDie)
      expect(yield* follows.followedBy(a!.id)).toEqual([b!.id])
      yield* sql`DELETE FROM users WHERE id = ${a!.id}`.pipe(Effect.orDie)
      const [{ count }] = (yield* sql`SELECT count(*)::int AS count FROM follows WHERE follower_id = ${a!.id}`.pipe(
        Effect.orDie
      )) as unknown as [{ count: number }]
      expect(count).toBe(0)
    }))
})
