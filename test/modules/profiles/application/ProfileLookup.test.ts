import { expect, layer } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { InMemoryFollows } from "../../../../src/modules/profiles/adapters/memory/InMemoryFollows.ts"
import { FollowsProfileLookup } from "../../../../src/modules/profiles/application/FollowsProfileLookup.ts"
import { FollowRepository } from "../../../../src/modules/profiles/ports/FollowRepository.ts"
import { ProfileLookup } from "../../../../src/modules/profiles/ports/ProfileLookup.ts"
import { InMemoryUsers } from "../../../../src/modules/users/adapters/memory/InMemoryUsers.ts"
import { UserDirectory } from "../../../../src/modules/users/ports/UserDirectory.ts"
import { anAccount } from "../AccountMother.ts"

// Each port method is one statement in the SQL adapters, so counting port calls counts statements.

const calls = { directory: 0, follows: 0 }

const counted =
  <A extends ReadonlyArray<unknown>, B>(key: keyof typeof calls, f: (...args: A) => B) =>
  (...args: A): B => {
    calls[key]++
    return f(...args)
  }

/** The in-memory ports, every read counted. */
const CountedPorts = Layer.unwrap(
  Effect.gen(function* () {
    const directory = yield* UserDirectory
    const follows = yield* FollowRepository
    return Layer.mergeAll(
      Layer.succeed(UserDirectory, {
        findByUsername: counted("directory", directory.findByUsername),
        findByIds: counted("directory", directory.findByIds)
      }),
      Layer.succeed(FollowRepository, {
        ...follows,
        followedAmong: counted("follows", follows.followedAmong),
        followedBy: counted("follows", follows.followedBy)
      })
    )
  })
)

const statementsFor = (size: number) =>
  Effect.gen(function* () {
    const lookup = yield* ProfileLookup
    const follows = yield* FollowRepository
    const viewer = yield* anAccount()
    const authors = yield* Effect.forEach(Array.from({ length: size }), () => anAccount())
    for (const author of authors.filter((_, i) => i % 2 === 0)) yield* follows.follow(viewer.id, author.id)
    calls.directory = 0
    calls.follows = 0
    const profiles = yield* lookup.forUsers(
      authors.map((author) => author.id),
      Option.some(viewer.id)
    )
    expect(profiles.size).toBe(size)
    return { ...calls }
  })

layer(
  FollowsProfileLookup.layer.pipe(Layer.provide(CountedPorts), Layer.provideMerge(Layer.mergeAll(InMemoryUsers.layer, InMemoryFollows.layer)))
)("ProfileLookup cost", (it) => {
  it.effect("one directory read and one follows read, for one author or fifty", () =>
    Effect.gen(function* () {
      expect(yield* statementsFor(1)).toEqual({ directory: 1, follows: 1 })
      expect(yield* statementsFor(50)).toEqual({ directory: 1, follows: 1 })
    }))

  it.effect("no follows read for an anonymous viewer, none at all for no ids", () =>
    Effect.gen(function* () {
      const lookup = yield* ProfileLookup
      const author = yield* anAccount()
      calls.directory = 0
      calls.follows = 0
      yield* lookup.forUsers([author.id], Option.none())
      expect(calls).toEqual({ directory: 1, follows: 0 })
      yield* lookup.forUsers([], Option.none())
      expect(calls).toEqual({ directory: 1, follows: 0 })
    }))
})
