import { Context, type Effect } from "effect"
import type { UserId } from "../../users/public.ts"

/**
 * Who follows whom. Both writes are idempotent: following twice or unfollowing someone not followed
 * is not an error. Self-follows are refused by the use cases before they get here (a defect if they do).
 */
export class FollowRepository extends Context.Service<
  FollowRepository,
  {
    /** True when the follow is new. */
    readonly follow: (follower: UserId, followee: UserId) => Effect.Effect<boolean>
    /** True when there was a follow to remove. */
    readonly unfollow: (follower: UserId, followee: UserId) => Effect.Effect<boolean>
    /** Removes every follow from or to the user; how many. */
    readonly removeAllOf: (user: UserId) => Effect.Effect<number>
    /** Which of these candidates the follower follows, in one statement. */
    readonly followedAmong: (follower: UserId, candidates: ReadonlyArray<UserId>) => Effect.Effect<ReadonlySet<UserId>>
    /** Everyone the follower follows. */
    readonly followedBy: (follower: UserId) => Effect.Effect<ReadonlyArray<UserId>>
  }
>()("app/profiles/FollowRepository") {}
