import { Cache, Clock, Config, Context, Duration, Effect, Exit, Layer, Option, Schema, type Scope } from "effect"
import { redisSettings } from "../redis/RedisConnection.ts"

/** Entries one read keeps in memory at most: an article is a few kB, so a few tens of MB per read. */
const MEMORY_CAPACITY = 10_000

/** One cached read: a lookup that cannot fail, memoised by a string key. */
export interface CachedRead<A> {
  /** The cached value, or the lookup's (which is then kept unless `keep` refuses it). */
  readonly get: (key: string) => Effect.Effect<A>
  /**
   * Drops the entry, so the next `get` here runs the lookup; other replicas follow within a second.
   * Fails when the shared store cannot be reached (this replica's copy is gone regardless), so an
   * event consumer can have the outbox retry it; a use case's own invalidation ignores that.
   */
  readonly invalidate: (key: string) => Effect.Effect<void, CacheUnavailable>
}

/** The shared store did not take an invalidation: the entry may live there until its time to live is up. */
export class CacheUnavailable extends Schema.TaggedError<CacheUnavailable>()("CacheUnavailable", {}) {}

/** Runs every invalidation, the rest too when one fails, and fails if any did. */
export const invalidateEach = (invalidations: Iterable<Effect.Effect<void, CacheUnavailable>>) =>
  Effect.flatMap(Effect.all(Array.from(invalidations, Effect.exit), { concurrency: "unbounded" }), (exits) =>
    exits.some(Exit.isFailure) ? Effect.fail(new CacheUnavailable()) : Effect.void
  )

/**
 * An event consumer's invalidation: while the shared store is away it fails, so the outbox retries
 * it, for as long as entries read before the event's change may still be there (a cache keeping
 * them `timeToLive` at most; twice that for a read that began before the change and filled after).
 * Past that nothing stale can be left, and the event is done rather than parked as a dead letter.
 */
export const invalidateAfter = (
  occurredAt: Date,
  timeToLive: Duration.Input,
  invalidation: Effect.Effect<void, CacheUnavailable>
): Effect.Effect<void, CacheUnavailable> =>
  Effect.catchTag(invalidation, "CacheUnavailable", (unavailable) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) =>
      now - occurredAt.getTime() < 2 * Duration.toMillis(Duration.fromInputUnsafe(timeToLive))
        ? Effect.fail(unavailable)
        : Effect.void
    )
  )

export interface CachedReadOptions<A, R> {
  /** Names the entries of this read; unique per read. */
  readonly name: string
  /** How the value travels to a shared store (JSON through this schema). */
  readonly schema: Schema.Codec<A, unknown>
  readonly lookup: (key: string) => Effect.Effect<A, never, R>
  /** How long an entry lives at most: a bound for a missed invalidation, not how invalidation works. */
  readonly timeToLive: Duration.Input
  /** Values not worth keeping (say, "not found", which anyone can ask for with any key). */
  readonly keep?: (value: A) => boolean
}

/**
 * The port for memoising reads that are costly to recompute. Adapters: a bounded in-process cache
 * (one replica), and Redis (shared by every replica, a short in-process layer in front).
 */
export class ReadCache extends Context.Service<
  ReadCache,
  {
    readonly make: <A, R>(options: CachedReadOptions<A, R>) => Effect.Effect<CachedRead<A>, never, R | Scope.Scope>
    /** False when nothing is kept (layerNone): callers then skip work that only pays off with a cache. */
    readonly keeps: boolean
  }
>()("app/platform/ReadCache") {
  /** No caching: every `get` runs the lookup. */
  static readonly layerNone = Layer.succeed(
    ReadCache,
    ReadCache.of({
      keeps: false,
      make: <A, R>(options: CachedReadOptions<A, R>) =>
        Effect.map(Effect.context<R>(), (context) => ({
          get: (key: string) => Effect.provideContext(options.lookup(key), context),
          invalidate: () => Effect.void
        }))
    })
  )

  /** Bounded (at most MEMORY_CAPACITY entries per read) and with TTLs, in this process only. */
  static readonly layerMemory = Layer.sync(ReadCache, () =>
      ReadCache.of({
        keeps: true,
        make: Effect.fnUntraced(function* <A, R>(options: CachedReadOptions<A, R>) {
          const timeToLive = Duration.fromInputUnsafe(options.timeToLive)
          const cache = yield* Cache.makeWith(options.lookup, {
            capacity: MEMORY_CAPACITY,
            timeToLive: (exit) => (kept(options, exit) ? timeToLive : Duration.zero)
          })
          return {
            get: (key) => Cache.get(cache, key),
            invalidate: (key) => Cache.invalidate(cache, key)
          }
        })
      })
  )
}

/**
 * READ_CACHE=false turns the read cache off: every read goes to the database (what the benchmark
 * measures against its floor, and a way to rule the cache out when something looks stale).
 */
export const readCacheEnabled = Config.Boolean("READ_CACHE").pipe(Config.withDefault(true))

/**
 * Whether replicas share the cache (REDIS_URL set, READ_CACHE on). Only then can an invalidation
 * miss (Redis away for the writer), so only then do the event consumers that retry them run.
 */
export const readCacheShared = Config.map(
  Config.all([readCacheEnabled, redisSettings]),
  ([enabled, redis]) => enabled && Option.isSome(redis.url)
)

/** Whether a lookup's outcome is a value worth keeping. */
export const kept = <A>(options: { readonly keep?: (value: A) => boolean }, exit: Exit.Exit<A, unknown>): boolean =>
  Exit.isSuccess(exit) && (options.keep === undefined || options.keep(exit.value))
