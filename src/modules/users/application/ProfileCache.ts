import { Context, Effect, Layer, Option, Schema } from "effect"
import { type CacheUnavailable, invalidateEach, ReadCache } from "../../../platform/cache/ReadCache.ts"
import { Transaction } from "../../../platform/Transaction.ts"
import { UserSummary } from "../domain/User.ts"
import { UserDirectory } from "../ports/UserDirectory.ts"

// Public profiles (username, bio, image) by username, as anyone sees them: `following` is the
// viewer's own and the profiles module reads it from the follows beside this, never from an entry.
// Keys are lower-cased, as usernames compare. Writes to an account invalidate the names it had and has.

/** An upper bound on how long an entry lives should an invalidation be lost (Redis away during a write). */
export const TIME_TO_LIVE = "1 minute"

/** The lookup's answer and whether it may be kept: only under the name's own lower-case spelling. */
const Entry = Schema.Struct({ account: Schema.Option(UserSummary), kept: Schema.Boolean })

const keyOf = (username: string) => username.toLowerCase()

/** What a profile shows of an account: a change to any of them makes its cached profile stale. */
export const PROFILE_FIELDS: ReadonlyArray<string> = ["username", "bio", "image"]

export class ProfileCache extends Context.Service<
  ProfileCache,
  {
    /** The account under this username, regardless of case (what UserDirectory.findByUsername answers). */
    readonly byUsername: (username: string) => Effect.Effect<Option.Option<UserSummary>>
    /**
     * After a write, by the use case that made it: these names, once the outermost unit of work has
     * committed (at once outside one), before the response. Never fails (see `invalidate`).
     */
    readonly changed: (usernames: ReadonlyArray<string>) => Effect.Effect<void>
    /** The same from an event consumer: fails while the shared store is away, so the outbox retries it. */
    readonly invalidate: (usernames: ReadonlyArray<string>) => Effect.Effect<void, CacheUnavailable>
  }
>()("app/users/ProfileCache") {
  /** Over the directory's adapter (the storage's UserDirectory). */
  static readonly layer = Layer.effect(
    ProfileCache,
    Effect.gen(function* () {
      const directory = yield* UserDirectory
      const cache = yield* ReadCache
      const transaction = yield* Transaction
      const read = yield* cache.make({
        name: "profiles-by-username",
        schema: Entry,
        // PostgreSQL's lower() and JavaScript's toLowerCase() differ on a few letters (İ, say): an
        // account found under another spelling than its own name's is answered but not kept, since
        // the invalidation of its name would not reach that key.
        lookup: (key) =>
          Effect.map(directory.findByUsername(key), (account) => ({
            account,
            kept: Option.isSome(account) && keyOf(account.value.username) === key
          })),
        timeToLive: TIME_TO_LIVE,
        keep: (entry) => entry.kept
      })
      const invalidate = (usernames: ReadonlyArray<string>) =>
        invalidateEach([...new Set(usernames.map(keyOf))].map(read.invalidate))
      return ProfileCache.of({
        byUsername: (username) => Effect.map(read.get(keyOf(username)), (entry) => entry.account),
        changed: (usernames) => transaction.afterCommit(Effect.ignore(invalidate(usernames))),
        invalidate
      })
    })
  )

  /** UserDirectory with this cache in front of its lookups by username (those by id are a batch of their own). */
  static readonly directory = Layer.effect(
    UserDirectory,
    Effect.gen(function* () {
      const directory = yield* UserDirectory
      const cache = yield* ProfileCache
      return UserDirectory.of({ ...directory, findByUsername: cache.byUsername })
    })
  )
}
