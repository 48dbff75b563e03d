import { Effect, Layer, Option } from "effect"
import { ReadCache, readCacheEnabled } from "../platform/cache/ReadCache.ts"
import { RedisReadCache } from "../platform/cache/RedisReadCache.ts"
import { AppConfig } from "../platform/config/AppConfig.ts"
import { Availability } from "../platform/Availability.ts"
import { IdempotencyStore } from "../platform/idempotency/IdempotencyStore.ts"
import * as SqlIdempotencyStore from "../platform/idempotency/SqlIdempotencyStore.ts"
import { Readiness } from "../platform/Readiness.ts"
import { RateLimitConfig, RateLimits } from "../platform/ratelimit/RateLimits.ts"
import { RedisConfig, RedisConnection, RedisStatus } from "../platform/redis/RedisConnection.ts"
import { Database } from "../platform/sql/Database.ts"
import { DatabaseAvailability } from "../platform/sql/DatabaseAvailability.ts"
import { Application } from "./Application.ts"
import { MemoryEvents, SqlEvents } from "./Events.ts"

/** PostgreSQL, migrated before anything else touches it, or, when a separate job owns migrations, once that job is done. */
export const Postgres = Layer.unwrap(
  Effect.gen(function* () {
    const { migrateOnStart } = yield* AppConfig
    const ready = migrateOnStart ? Database.layerMigrations : Database.layerAwaitMigrations
    return Layer.provideMerge(ready(Application.migrations), Database.layerConfig)
  })
)

/**
 * Every module's SQL adapters, the events outbox and the idempotency keys, over whatever SqlClient is
 * provided, and availability and readiness from the database.
 */
export const SqlAdapters = Layer.mergeAll(Application.sql, SqlEvents, SqlIdempotencyStore.layerSql(), DatabaseAvailability.layer())

export const PostgresPersistence = SqlAdapters.pipe(Layer.provide(Postgres))

/** Every module's in-memory adapters, an in-memory outbox and idempotency keys: always ready. */
export const InMemoryPersistence = Layer.mergeAll(
  Application.memory,
  MemoryEvents,
  IdempotencyStore.layerMemory,
  Readiness.layerAlways,
  Availability.layerAlways
)

/** The one place that picks the storage adapters, from STORAGE. */
export const Persistence = Layer.unwrap(
  Effect.gen(function* () {
    const { storage } = yield* AppConfig
    return storage === "postgres" ? PostgresPersistence : InMemoryPersistence
  })
)

/**
 * The read cache and the rate limits, picked from REDIS_URL: in Redis, shared by every replica, or in
 * this process's memory (one replica, nothing to set up); READ_CACHE=false turns the cache off.
 * Readiness never depends on Redis: without it reads go to PostgreSQL and limits count per replica.
 */
export const SharedState = Layer.unwrap(
  Effect.gen(function* () {
    const { url } = yield* RedisConfig
    const cached = yield* readCacheEnabled
    if (Option.isNone(url)) return Layer.merge(cached ? ReadCache.layerMemory : ReadCache.layerNone, RateLimits.layerMemory)
    return Layer.merge(cached ? RedisReadCache.layer : ReadCache.layerNone, RateLimits.layerRedis).pipe(
      Layer.provide([RedisConnection.layer, RedisStatus.layer])
    )
  })
).pipe(Layer.provide(RedisConfig.layer), Layer.provideMerge(RateLimitConfig.layer))

/** Every outbound adapter: storage (picked from config), the cache and limits, and the modules' other services. */
export const Infrastructure = Layer.mergeAll(Persistence, SharedState, Application.services)
