import { expect, it } from "@effect/vitest"
import { Context, Effect, Fiber, Layer, Option, Schema } from "effect"
import { type RunningRedis, startRedisServer } from "../../../scripts/redis-server.ts"
import { ReadCache } from "../../../src/platform/cache/ReadCache.ts"
import { RedisReadCache } from "../../../src/platform/cache/RedisReadCache.ts"
import { testRedis, testRedisConfig } from "../../support/TestRedis.ts"
import { countedLookup, readCacheContract } from "./ReadCache.contract.ts"

readCacheContract("in-memory", ReadCache.layerMemory)
readCacheContract("Redis", RedisReadCache.layer.pipe(Layer.provide(testRedis())))

const Value = Schema.Option(Schema.Finite)

/** One replica's cache: its own connection and in-process layer, over a Redis (and key prefix) others share. */
const replica = (config: ReturnType<typeof testRedisConfig>) => RedisReadCache.layer.pipe(Layer.provide(testRedis(config)))

/** A cached read on that replica, which lives as long as the test's scope. */
const readOn = (replicaLayer: Layer.Layer<ReadCache>, name: string, lookup: ReturnType<typeof countedLookup>["lookup"]) =>
  Effect.gen(function* () {
    const cache = Context.get(yield* Layer.build(replicaLayer), ReadCache)
    return yield* cache.make({ name, schema: Value, lookup, timeToLive: "1 minute" })
  })

it.live("replicas share entries, and see another replica's invalidation within a second", () =>
  Effect.gen(function* () {
    const config = testRedisConfig()
    const { source, state, lookup } = countedLookup()
    source.set("a", 1)
    const one = yield* readOn(replica(config), "shared", lookup)
    const two = yield* readOn(replica(config), "shared", lookup)
    expect(yield* one.get("a")).toEqual(Option.some(1))
    expect(yield* two.get("a")).toEqual(Option.some(1))
    expect(state.calls).toBe(1)
    source.set("a", 2)
    yield* one.invalidate("a")
    expect(yield* one.get("a")).toEqual(Option.some(2))
    yield* Effect.sleep("1 second")
    expect(yield* two.get("a")).toEqual(Option.some(2))
  }).pipe(Effect.scoped))

it.live("a read that began before a write cannot put the old value back after the write's invalidation", () =>
  Effect.gen(function* () {
    const config = testRedisConfig()
    const source = new Map([["a", 1]])
    const slow = (key: string) =>
      Effect.sync(() => Option.fromUndefinedOr(source.get(key))).pipe(Effect.tap(() => Effect.sleep("300 millis")))
    const fast = (key: string) => Effect.sync(() => Option.fromUndefinedOr(source.get(key)))
    const reader = yield* readOn(replica(config), "race", slow)
    const writer = yield* readOn(replica(config), "race", fast)
    const stale = yield* Effect.forkChild(reader.get("a"))
    yield* Effect.sleep("100 millis")
    source.set("a", 2)
    yield* writer.invalidate("a")
    yield* Fiber.join(stale)
    const late = yield* readOn(replica(config), "race", fast)
    expect(yield* late.get("a")).toEqual(Option.some(2))
  }).pipe(Effect.scoped))

it.live("with Redis gone reads go to the lookup, and the cache comes back with Redis by itself", () =>
  Effect.gen(function* () {
    const dir = `${process.env.TMPDIR ?? "/tmp"}/hexa-monolith-redis-${crypto.randomUUID()}`
    let server: RunningRedis = yield* Effect.promise(() => startRedisServer({ dir }))
    yield* Effect.addFinalizer(() => Effect.promise(() => server.stop()))
    const { source, state, lookup } = countedLookup()
    source.set("a", 1)
    const read = yield* readOn(replica(testRedisConfig(server.url)), "outage", lookup)
    yield* read.get("a")
    yield* Effect.promise(() => server.stop())
    source.set("a", 2)
    // The invalidation says Redis did not take it (for a consumer to retry), but drops the local copy.
    expect((yield* Effect.flip(read.invalidate("a")))._tag).toBe("CacheUnavailable")
    expect(yield* read.get("a")).toEqual(Option.some(2))
    expect(yield* read.get("a")).toEqual(Option.some(2))
    const duringOutage = state.calls
    server = yield* Effect.promise(() => startRedisServer({ dir, port: server.port }))
    // The client reconnects with backoff (at most about two seconds between attempts).
    yield* Effect.sleep("3 seconds")
    yield* read.get("a")
    yield* Effect.sleep("600 millis") // past the in-process copy: the next read must come from Redis
    const afterFill = state.calls
    expect(yield* read.get("a")).toEqual(Option.some(2))
    expect(state.calls).toBe(afterFill)
    expect(duringOutage).toBeGreaterThanOrEqual(2)
  }).pipe(Effect.scoped), 20_000)
