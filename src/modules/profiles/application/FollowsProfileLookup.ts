import { Effect, Layer, Option } from "effect"
import { UserDirectory, type UserId } from "../../users/public.ts"
import { type Profile, profileOf } from "../domain/Profile.ts"
import { FollowRepository } from "../ports/FollowRepository.ts"
import { ProfileLookup } from "../ports/ProfileLookup.ts"

/**
 * ProfileLookup over whatever stores back the users directory and the follows: two statements for
 * any number of ids (the accounts, then which of them the viewer follows), one without a viewer.
 */
const layer = Layer.effect(
  ProfileLookup,
  Effect.gen(function* () {
    const directory = yield* UserDirectory
    const follows = yield* FollowRepository

    const forUsers = Effect.fn("ProfileLookup.forUsers")(function* (
      ids: ReadonlyArray<UserId>,
      viewer: Option.Option<UserId>
    ) {
      if (ids.length === 0) return new Map<UserId, Profile>()
      const accounts = yield* directory.findByIds(ids)
      const followed = Option.isSome(viewer)
        ? yield* follows.followedAmong(viewer.value, [...accounts.keys()])
        : new Set<UserId>()
      const profiles = new Map<UserId, Profile>()
      for (const [id, account] of accounts) profiles.set(id, profileOf(account, followed.has(id)))
      return profiles
    })

    return ProfileLookup.of({
      forUsers,
      followedBy: (viewer) => follows.followedBy(viewer).pipe(Effect.withSpan("ProfileLookup.followedBy"))
    })
  })
)

export const FollowsProfileLookup = { layer }
