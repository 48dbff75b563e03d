import { Context, Effect, Layer, Option } from "effect"
import { EventPublisher, newEvent } from "../../../platform/events/EventPublisher.ts"
import { Transaction } from "../../../platform/Transaction.ts"
import { UserDirectory, type UserId } from "../../users/public.ts"
import { type Profile, profileOf } from "../domain/Profile.ts"
import { CannotFollowYourself, ProfileNotFound } from "../domain/ProfileErrors.ts"
import { UserFollowed, UserUnfollowed } from "../domain/ProfileEvents.ts"
import { FollowRepository } from "../ports/FollowRepository.ts"

/** The profiles module's use cases: read a profile as a viewer sees it, follow, unfollow, forget an account. */
export class Profiles extends Context.Service<
  Profiles,
  {
    readonly view: (username: string, viewer: Option.Option<UserId>) => Effect.Effect<Profile, ProfileNotFound>
    /** Idempotent; refuses the follower's own profile. */
    readonly follow: (follower: UserId, username: string) => Effect.Effect<Profile, ProfileNotFound | CannotFollowYourself>
    /** Idempotent: unfollowing someone not followed (oneself included) just answers the profile. */
    readonly unfollow: (follower: UserId, username: string) => Effect.Effect<Profile, ProfileNotFound>
    /** Removes the follows from and to an account that was deleted; idempotent. */
    readonly forgetAccount: (user: UserId) => Effect.Effect<void>
  }
>()("app/profiles/Profiles") {
  static readonly layer = Layer.effect(
    Profiles,
    Effect.gen(function* () {
      const directory = yield* UserDirectory
      const follows = yield* FollowRepository
      const transaction = yield* Transaction
      const events = yield* EventPublisher

      const account = (username: string) =>
        Effect.flatMap(directory.findByUsername(username), (found) =>
          Option.isSome(found) ? Effect.succeed(found.value) : Effect.fail(new ProfileNotFound())
        )

      const view = Effect.fn("Profiles.view")(function* (username: string, viewer: Option.Option<UserId>) {
        const user = yield* account(username)
        const following = Option.isSome(viewer) && (yield* follows.followedAmong(viewer.value, [user.id])).has(user.id)
        return profileOf(user, following)
      })

      const follow = Effect.fn("Profiles.follow")(function* (follower: UserId, username: string) {
        const user = yield* account(username)
        if (user.id === follower) return yield* new CannotFollowYourself()
        yield* transaction.run(
          Effect.gen(function* () {
            if (!(yield* follows.follow(follower, user.id))) return
            const payload = { followerId: follower, followeeId: user.id }
            yield* events.publish(yield* newEvent(UserFollowed, { actorId: follower, payload }))
          })
        )
        return profileOf(user, true)
      })

      const unfollow = Effect.fn("Profiles.unfollow")(function* (follower: UserId, username: string) {
        const user = yield* account(username)
        yield* transaction.run(
          Effect.gen(function* () {
            if (!(yield* follows.unfollow(follower, user.id))) return
            const payload = { followerId: follower, followeeId: user.id }
            yield* events.publish(yield* newEvent(UserUnfollowed, { actorId: follower, payload }))
          })
        )
        return profileOf(user, false)
      })

      const forgetAccount = Effect.fn("Profiles.forgetAccount")(function* (user: UserId) {
        yield* follows.removeAllOf(user)
      })

      return Profiles.of({ view, follow, unfollow, forgetAccount })
    })
  )
}
