import { Context, Effect, Layer, Option } from "effect"
import { ProfileLookup } from "../../../src/modules/profiles/public.ts"
import { UserDirectory, type UserId } from "../../../src/modules/users/public.ts"

/** Lets a use-case test say who follows whom without the profiles module. */
export class TestFollows extends Context.Service<TestFollows, { readonly follow: (follower: UserId, followee: UserId) => Effect.Effect<void> }>()(
  "test/articles/TestFollows"
) {}

/**
 * ProfileLookup as the articles module sees it through its port, over the users directory and an
 * in-process follow set: the use cases are tested without depending on how profiles are built.
 */
const layer = Layer.effectContext(
  Effect.gen(function* () {
    const directory = yield* UserDirectory
    const follows = new Set<string>()
    const lookup = ProfileLookup.of({
      forUsers: (ids, viewer) =>
        Effect.map(directory.findByIds(ids), (users) => {
          const profiles = new Map()
          for (const [id, user] of users) {
            const following = Option.isSome(viewer) && follows.has(`${viewer.value}:${id}`)
            profiles.set(id, { username: user.username, bio: user.bio, image: user.image, following })
          }
          return profiles
        }),
      followedBy: (viewer) =>
        Effect.sync(() =>
          [...follows].filter((key) => key.startsWith(`${viewer}:`)).map((key) => Number(key.split(":")[1]) as UserId)
        )
    })
    const testFollows = TestFollows.of({
      follow: (follower, followee) =>
        Effect.sync(() => {
          follows.add(`${follower}:${followee}`)
        })
    })
    return Context.make(ProfileLookup, lookup).pipe(Context.add(TestFollows, testFollows))
  })
)

export const FakeProfiles = { layer }
