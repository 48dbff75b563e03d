import { describe, expect, it } from "@effect/vitest"
import { Clock, Duration, Effect, Layer, Option } from "effect"
import { RefreshCachedProfiles } from "../../../../../src/modules/users/adapters/events/UsersConsumers.ts"
import { ProfileCache } from "../../../../../src/modules/users/application/ProfileCache.ts"
import { UserId, type UserSummary } from "../../../../../src/modules/users/domain/User.ts"
import { UserDeleted, UserUpdated } from "../../../../../src/modules/users/domain/UserEvents.ts"
import { UserDirectory } from "../../../../../src/modules/users/ports/UserDirectory.ts"
import type { CacheUnavailable } from "../../../../../src/platform/cache/ReadCache.ts"
import { Transaction } from "../../../../../src/platform/Transaction.ts"
import { recordingReadCache } from "../../../../support/RecordingReadCache.ts"

// The consumer that retries profile invalidations through the outbox: which names an event makes
// stale, and when a shared cache that is away still owes the invalidation.

/** The handler as the runner calls it, typed for the events under test. */
type Handler = (event: UserUpdated | UserDeleted) => Effect.Effect<void, CacheUnavailable>

const setUp = () => {
  const accounts = new Map<string, UserSummary>()
  const directory = Layer.succeed(
    UserDirectory,
    UserDirectory.of({
      findByUsername: (username) => Effect.sync(() => Option.fromUndefinedOr(accounts.get(username.toLowerCase()))),
      findByIds: () => Effect.succeed(new Map())
    })
  )
  const cache = recordingReadCache()
  return { accounts, cache, layer: ProfileCache.layer.pipe(Layer.provide([directory, cache.layer, Transaction.layerMemory])) }
}

const id = UserId.make(7)
const at = (ago: Duration.Input) =>
  Effect.map(Clock.currentTimeMillis, (now) => new Date(now - Duration.toMillis(Duration.fromInputUnsafe(ago))))

const renamed = (occurredAt: Date) =>
  UserUpdated.make({
    id: crypto.randomUUID(),
    occurredAt,
    actorId: id,
    payload: { userId: id, username: "Alicia", previousUsername: "Alice", changed: ["username"] }
  })

describe("users.refresh-cached-profiles", () => {
  it.effect("drops the old and the new name of a renamed account, and a deleted account's", () => {
    const { accounts, cache, layer } = setUp()
    return Effect.gen(function* () {
      const profiles = yield* ProfileCache
      const handle = (yield* RefreshCachedProfiles.handler) as Handler
      accounts.set("alice", { id, username: "Alice", bio: null, image: null })
      expect(Option.isSome(yield* profiles.byUsername("ALICE"))).toBe(true)
      // Renamed behind the cache's back: only the consumer's invalidation makes it show.
      accounts.delete("alice")
      accounts.set("alicia", { id, username: "Alicia", bio: null, image: null })
      yield* handle(renamed(yield* at(0)))
      expect(cache.state.invalidated.sort()).toEqual(["profiles-by-username:alice", "profiles-by-username:alicia"])
      expect(yield* profiles.byUsername("Alice")).toEqual(Option.none())

      expect(Option.isSome(yield* profiles.byUsername("alicia"))).toBe(true)
      accounts.delete("alicia")
      yield* handle(
        UserDeleted.make({ id: crypto.randomUUID(), occurredAt: yield* at(0), actorId: null, payload: { userId: id, username: "Alicia" } })
      )
      expect(yield* profiles.byUsername("alicia")).toEqual(Option.none())

      // An email or password change is not on the profile.
      cache.state.invalidated.length = 0
      yield* handle(
        UserUpdated.make({
          id: crypto.randomUUID(),
          occurredAt: yield* at(0),
          actorId: id,
          payload: { userId: id, username: "Alicia", changed: ["email", "password"] }
        })
      )
      expect(cache.state.invalidated).toEqual([])
    }).pipe(Effect.provide(layer))
  })

  it.effect("fails, to be retried, while the shared cache is away and may still hold older entries; not once they expired", () => {
    const { cache, layer } = setUp()
    return Effect.gen(function* () {
      const handle = (yield* RefreshCachedProfiles.handler) as Handler
      cache.state.unavailable = true
      const recent = yield* Effect.flip(handle(renamed(yield* at("30 seconds"))))
      expect(recent._tag).toBe("CacheUnavailable")
      yield* handle(renamed(yield* at("3 minutes")))
      cache.state.unavailable = false
      yield* handle(renamed(yield* at("30 seconds")))
    }).pipe(Effect.provide(layer))
  })
})
