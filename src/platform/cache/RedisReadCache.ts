import { Array as Arr, Cache, Duration, Effect, Layer, type Schema } from "effect"
import { Persistable, PersistedCache, Persistence, Redis } from "effect/persistence"
import { RedisConfig, RedisStatus } from "../redis/RedisConnection.ts"
import { type CachedReadOptions, CacheUnavailable, kept, ReadCache } from "./ReadCache.ts"

/**
 * How long an entry may sit in a replica's own memory in front of Redis: the most a replica lags
 * behind a write another one made (the writer itself drops its copy at once).
 */
const LOCAL_TTL = Duration.millis(500)
const LOCAL_CAPACITY = 1000

/**
 * What an invalidation leaves behind instead of nothing, for longer than a read takes: a read that
 * began before the write and ends after it cannot put the old value back (fills are SET NX).
 */
const TOMBSTONE = "~invalidated"
const TOMBSTONE_TTL = Duration.seconds(10)

const failure = (message: string) => (cause: unknown) => new Persistence.PersistenceError({ message, cause })

/**
 * Persistence's Redis backing, with invalidations that stick. Own code because `layerBackingRedis`
 * deletes on remove and fills with a plain SET, so a slow read could restore what a write replaced;
 * every command is also bounded by REDIS_COMMAND_TIMEOUT, so a Redis that hangs costs a request no more.
 */
const BackingRedis = Layer.effect(
  Persistence.BackingPersistence,
  Effect.gen(function* () {
    const redis = yield* Redis.Redis
    const { keyPrefix, commandTimeout } = yield* RedisConfig
    const send = <A>(message: string, command: string, ...args: ReadonlyArray<string>) =>
      redis.send<A>(command, ...args).pipe(
        Effect.timeout(commandTimeout),
        Effect.mapError(failure(message))
      )
    const decode = (raw: string | null): object | undefined => {
      if (raw === null || raw === TOMBSTONE) return undefined
      try {
        return JSON.parse(raw)
      } catch {
        return undefined // a value this version cannot read is a miss, and the next fill replaces it
      }
    }
    return Persistence.BackingPersistence.of({
      make: (storeId) =>
        Effect.sync(() => {
          const prefixed = (key: string) => `${keyPrefix}cache:${storeId}:${key}`
          const set = (key: string, value: object, ttl: Duration.Duration | undefined) =>
            send(
              "cache fill",
              "SET",
              prefixed(key),
              JSON.stringify(value),
              "PX",
              String(Math.max(1, Math.ceil(Duration.toMillis(ttl ?? Duration.hours(1))))),
              "NX"
            ).pipe(Effect.asVoid)
          return {
            get: (key) => Effect.map(send<string | null>("cache read", "GET", prefixed(key)), decode),
            getMany: (keys) =>
              Effect.map(send<Array<string | null>>("cache read", "MGET", ...keys.map(prefixed)), (values) =>
                Arr.map(keys, (_, i) => decode(values[i] ?? null))
              ),
            set,
            setMany: (entries) => Effect.forEach(entries, ([key, value, ttl]) => set(key, value, ttl), { discard: true }),
            remove: (key) =>
              send(
                "cache invalidation",
                "SET",
                prefixed(key),
                TOMBSTONE,
                "PX",
                String(Duration.toMillis(TOMBSTONE_TTL))
              ).pipe(Effect.asVoid),
            clear: Effect.fail(new Persistence.PersistenceError({ message: "clearing a shared cache is not supported" }))
          }
        })
    })
  })
)

/** The key type PersistedCache wants: one string, which is its primary key. */
const keyClass = <A>(name: string, schema: Schema.Codec<A, unknown>) =>
  Persistable.Class<{ payload: { readonly key: string } }>()(name, {
    primaryKey: ({ key }) => key,
    success: schema as Schema.Codec<A, unknown> & Schema.Top
  })

/**
 * The cache in Redis, shared by every replica, through effect's PersistedCache (a short in-process
 * layer in front of a Persistence store). Redis away or slow: the read goes to the lookup (PostgreSQL),
 * RedisStatus warns once and counts, and the next read tries Redis again (the client reconnects).
 */
export const RedisReadCache = {
  layer: Layer.effect(
    ReadCache,
    Effect.gen(function* () {
      const persistence = yield* Persistence.Persistence
      const status = yield* RedisStatus
      return ReadCache.of({
        keeps: true,
        make: Effect.fnUntraced(function* <A, R>(options: CachedReadOptions<A, R>) {
          const Key = keyClass(options.name, options.schema)
          const context = yield* Effect.context<R>()
          const lookup = (key: string) => Effect.provideContext(options.lookup(key), context)
          const timeToLive = Duration.fromInputUnsafe(options.timeToLive)
          const cache = yield* PersistedCache.make((key: InstanceType<typeof Key>) => options.lookup(key.key), {
            storeId: options.name,
            timeToLive: (exit) => (kept(options, exit) ? timeToLive : Duration.zero),
            inMemoryTTL: (exit) => (kept(options, exit) ? LOCAL_TTL : Duration.zero),
            inMemoryCapacity: LOCAL_CAPACITY
          }).pipe(Effect.provideService(Persistence.Persistence, persistence))
          return {
            get: (key: string) =>
              (cache.get(new Key({ key })) as Effect.Effect<A, Persistence.PersistenceError | Schema.SchemaError>).pipe(
                Effect.tap(() => status.succeeded),
                Effect.catch((error) => Effect.andThen(status.failed("cache", error), lookup(key)))
              ),
            // The local copy goes first and regardless: the writer must read its own write even without Redis.
            invalidate: (key: string) =>
              Cache.invalidate(cache.inMemory, new Key({ key })).pipe(
                Effect.andThen(cache.invalidate(new Key({ key }))),
                Effect.tap(() => status.succeeded),
                Effect.catch((error) => Effect.andThen(status.failed("cache", error), new CacheUnavailable()))
              )
          }
        })
      })
    })
  ).pipe(Layer.provide(Persistence.layer.pipe(Layer.provide(BackingRedis))))
}
