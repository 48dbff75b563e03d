import { Effect, Layer } from "effect"
import type { UserId } from "../../../users/public.ts"
import { FollowRepository } from "../../ports/FollowRepository.ts"

/** A process-local store with the same rules as the SQL adapter (both pass the same contract suite). */
export const makeInMemoryFollows = Effect.sync(() => {
  const following = new Map<UserId, Set<UserId>>()
  const of = (follower: UserId) => following.get(follower) ?? new Set<UserId>()

  return FollowRepository.of({
    follow: (follower, followee) =>
      follower === followee
        ? Effect.die(new Error("a user cannot follow themselves")) // the CHECK constraint in SQL
        : Effect.sync(() => {
            const added = !of(follower).has(followee)
            following.set(follower, of(follower).add(followee))
            return added
          }),
    unfollow: (follower, followee) => Effect.sync(() => following.get(follower)?.delete(followee) ?? false),
    removeAllOf: (user) =>
      Effect.sync(() => {
        let removed = following.get(user)?.size ?? 0
        following.delete(user)
        for (const followees of following.values()) if (followees.delete(user)) removed++
        return removed
      }),
    followedAmong: (follower, candidates) =>
      Effect.sync(() => new Set(candidates.filter((candidate) => of(follower).has(candidate)))),
    followedBy: (follower) => Effect.sync(() => [...of(follower)].sort((a, b) => a - b))
  })
})

export const InMemoryFollows = {
  layer: Layer.effect(FollowRepository, makeInMemoryFollows)
}
