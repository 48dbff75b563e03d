import { Effect } from "effect"
import { invalidateAfter, readCacheShared } from "../../../../platform/cache/ReadCache.ts"
import { eventConsumer } from "../../../../platform/events/Outbox.ts"
import { PROFILE_FIELDS, ProfileCache, TIME_TO_LIVE } from "../../application/ProfileCache.ts"
import { UserDeleted, UserUpdated } from "../../domain/UserEvents.ts"

/**
 * The cached profiles an account change made stale (its names before and after, or the name of a
 * deleted account), once more and from whichever replica takes the event: the use case invalidated
 * them right after its commit, and this is what still reaches the shared cache when that replica
 * could not. Retried while Redis is away, until entries older than the change have expired on their
 * own. Runs only with a shared cache (one in process memory cannot miss an invalidation).
 */
export const RefreshCachedProfiles = eventConsumer({
  name: "users.refresh-cached-profiles",
  events: [UserUpdated, UserDeleted],
  enabled: readCacheShared,
  handler: Effect.gen(function* () {
    const profiles = yield* ProfileCache
    return (event: UserUpdated | UserDeleted) => {
      if (event.type === "user.updated" && !event.payload.changed.some((field) => PROFILE_FIELDS.includes(field)))
        return Effect.void
      const { username } = event.payload
      const names =
        event.type === "user.updated" && event.payload.previousUsername !== undefined
          ? [username, event.payload.previousUsername]
          : [username]
      return invalidateAfter(event.occurredAt, TIME_TO_LIVE, profiles.invalidate(names))
    }
  })
})

/** Every consumer the users module runs. */
export const UsersConsumers = [RefreshCachedProfiles] as const
