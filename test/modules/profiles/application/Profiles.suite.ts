import { assert, expect, layer } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { FollowsProfileLookup } from "../../../../src/modules/profiles/application/FollowsProfileLookup.ts"
import { Profiles } from "../../../../src/modules/profiles/application/Profiles.ts"
import type { FollowRepository } from "../../../../src/modules/profiles/ports/FollowRepository.ts"
import { ProfileLookup } from "../../../../src/modules/profiles/ports/ProfileLookup.ts"
import type { UserId } from "../../../../src/modules/users/domain/User.ts"
import type { UserDirectory } from "../../../../src/modules/users/ports/UserDirectory.ts"
import type { UserRepository } from "../../../../src/modules/users/ports/UserRepository.ts"
import { anAccount } from "../AccountMother.ts"

/** The profiles use cases and the ProfileLookup port, run once per storage adapter. */
export const profilesSuite = (
  name: string,
  storage: Layer.Layer<FollowRepository | UserDirectory | UserRepository, unknown>
) =>
  layer(Layer.mergeAll(Profiles.layer, FollowsProfileLookup.layer).pipe(Layer.provideMerge(storage)), { timeout: "60 seconds" })(
    `Profiles on ${name}`,
    (it) => {
      it.effect("views a profile: public fields, not followed by an anonymous viewer", () =>
        Effect.gen(function* () {
          const profiles = yield* Profiles
          const user = yield* anAccount({ bio: "I write", image: "https://example.com/me.png" })
          const profile = yield* profiles.view(user.username, Option.none())
          assert.deepStrictEqual(profile, {
            username: user.username,
            bio: "I write",
            image: "https://example.com/me.png",
            following: false
          })
        }))

      it.effect("follow then unfollow changes `following` for that viewer only", () =>
        Effect.gen(function* () {
          const profiles = yield* Profiles
          const [viewer, other, celebrity] = yield* Effect.forEach([1, 2, 3], () => anAccount())
          const followed = yield* profiles.follow(viewer!.id, celebrity!.username)
          expect(followed.following).toBe(true)
          expect((yield* profiles.view(celebrity!.username, Option.some(viewer!.id))).following).toBe(true)
          expect((yield* profiles.view(celebrity!.username, Option.some(other!.id))).following).toBe(false)
          expect((yield* profiles.view(celebrity!.username, Option.none())).following).toBe(false)
          const unfollowed = yield* profiles.unfollow(viewer!.id, celebrity!.username)
          expect(unfollowed.following).toBe(false)
          expect((yield* profiles.view(celebrity!.username, Option.some(viewer!.id))).following).toBe(false)
        }))

      it.effect("following twice and unfollowing someone not followed are harmless", () =>
        Effect.gen(function* () {
          const profiles = yield* Profiles
          const [viewer, target] = yield* Effect.forEach([1, 2], () => anAccount())
          expect((yield* profiles.unfollow(viewer!.id, target!.username)).following).toBe(false)
          yield* profiles.follow(viewer!.id, target!.username)
          expect((yield* profiles.follow(viewer!.id, target!.username)).following).toBe(true)
        }))

      it.effect("an unknown username is ProfileNotFound for every use case", () =>
        Effect.gen(function* () {
          const profiles = yield* Profiles
          const viewer = yield* anAccount()
          for (const attempt of [
            profiles.view("nobody-by-this-name", Option.none()),
            profiles.follow(viewer.id, "nobody-by-this-name"),
            profiles.unfollow(viewer.id, "nobody-by-this-name")
          ]) {
            expect((yield* Effect.flip(attempt))._tag).toBe("ProfileNotFound")
          }
        }))

      it.effect("refuses to follow oneself; unfollowing oneself is a harmless no-op", () =>
        Effect.gen(function* () {
          const profiles = yield* Profiles
          const me = yield* anAccount()
          expect((yield* Effect.flip(profiles.follow(me.id, me.username)))._tag).toBe("CannotFollowYourself")
          expect((yield* profiles.unfollow(me.id, me.username)).following).toBe(false)
          expect((yield* profiles.view(me.username, Option.some(me.id))).following).toBe(false)
        }))

      it.effect("ProfileLookup: a batch of profiles as the viewer sees them, unknown ids left out", () =>
        Effect.gen(function* () {
          const profiles = yield* Profiles
          const lookup = yield* ProfileLookup
          const viewer = yield* anAccount()
          const [a, b] = yield* Effect.forEach([1, 2], () => anAccount())
          yield* profiles.follow(viewer.id, a!.username)
          const unknown = (b!.id + 100_000) as UserId
          const seen = yield* lookup.forUsers([a!.id, b!.id, a!.id, unknown], Option.some(viewer.id))
          expect([...seen.keys()].sort((x, y) => x - y)).toEqual([a!.id, b!.id].sort((x, y) => x - y))
          assert.deepStrictEqual(seen.get(a!.id), { username: a!.username, bio: null, image: null, following: true })
          expect(seen.get(b!.id)?.following).toBe(false)
          const anonymous = yield* lookup.forUsers([a!.id], Option.none())
          expect(anonymous.get(a!.id)?.following).toBe(false)
          expect((yield* lookup.forUsers([], Option.some(viewer.id))).size).toBe(0)
        }))

      it.effect("ProfileLookup: whom a viewer follows", () =>
        Effect.gen(function* () {
          const profiles = yield* Profiles
          const lookup = yield* ProfileLookup
          const [viewer, a, b] = yield* Effect.forEach([1, 2, 3], () => anAccount())
          yield* profiles.follow(viewer!.id, b!.username)
          yield* profiles.follow(viewer!.id, a!.username)
          expect([...(yield* lookup.followedBy(viewer!.id))].sort((x, y) => x - y)).toEqual(
            [a!.id, b!.id].sort((x, y) => x - y)
          )
          expect(yield* lookup.followedBy(a!.id)).toEqual([])
        }))
    }
  )
