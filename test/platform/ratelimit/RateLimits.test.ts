import { assert, expect, it, layer } from "@effect/vitest"
import { Context, Duration, Effect, Exit, Layer } from "effect"
import { type RunningRedis, startRedisServer } from "../../../scripts/redis-server.ts"
import { type LimitPolicy, RateLimits } from "../../../src/platform/ratelimit/RateLimits.ts"
import { testRedis, testRedisConfig } from "../../support/TestRedis.ts"

const policy = (limit: number, window = Duration.minutes(1)): LimitPolicy => ({ name: "test", limit, window })

/** What every RateLimits adapter must do. */
const rateLimitsContract = (name: string, adapter: Layer.Layer<RateLimits, unknown>) =>
  layer(adapter, { timeout: "30 seconds", excludeTestServices: true })(`RateLimits contract: ${name}`, (it) => {
    it.effect("allows up to the limit, then refuses with how long to wait", () =>
      Effect.gen(function* () {
        const limits = yield* RateLimits
        const key = crypto.randomUUID()
        const three = policy(3)
        for (let i = 0; i < 3; i++) yield* limits.consume(three, key)
        const refused = yield* Effect.flip(limits.consume(three, key))
        expect(refused._tag).toBe("RateLimited")
        expect(Duration.toMillis(refused.retryAfter)).toBeGreaterThan(0)
        expect(Duration.toMillis(refused.retryAfter)).toBeLessThanOrEqual(60_000)
      }))

    it.effect("check refuses once the limit is reached and counts nothing itself", () =>
      Effect.gen(function* () {
        const limits = yield* RateLimits
        const key = crypto.randomUUID()
        const two = policy(2)
        for (let i = 0; i < 5; i++) yield* limits.check(two, key)
        yield* limits.consume(two, key)
        yield* limits.check(two, key)
        yield* limits.consume(two, key)
        assert.isTrue(Exit.isFailure(yield* Effect.exit(limits.check(two, key))))
      }))

    it.effect("keys and policies count apart", () =>
      Effect.gen(function* () {
        const limits = yield* RateLimits
        const [a, b] = [crypto.randomUUID(), crypto.randomUUID()]
        const one = policy(1)
        yield* limits.consume(one, a)
        yield* limits.consume(one, b)
        yield* limits.consume({ ...one, name: "other" }, a)
        assert.isTrue(Exit.isFailure(yield* Effect.exit(limits.consume(one, a))))
      }))

    it.effect("a spent limit passes again once its window is over", () =>
      Effect.gen(function* () {
        const limits = yield* RateLimits
        const key = crypto.randomUUID()
        const brief = policy(2, Duration.millis(300))
        yield* limits.consume(brief, key)
        yield* limits.consume(brief, key)
        assert.isTrue(Exit.isFailure(yield* Effect.exit(limits.consume(brief, key))))
        yield* Effect.sleep("400 millis")
        yield* limits.consume(brief, key)
      }))
  })

rateLimitsContract("in-memory", RateLimits.layerMemory)
rateLimitsContract("Redis", RateLimits.layerRedis.pipe(Layer.provide(testRedis())))

const replica = (config: ReturnType<typeof testRedisConfig>) =>
  Effect.map(Layer.build(RateLimits.layerRedis.pipe(Layer.provide(testRedis(config)))), Context.get(RateLimits))

it.live("replicas on one Redis share their counts", () =>
  Effect.gen(function* () {
    const config = testRedisConfig()
    const [one, two] = [yield* replica(config), yield* replica(config)]
    const key = crypto.randomUUID()
    yield* one.consume(policy(2), key)
    yield* two.consume(policy(2), key)
    assert.isTrue(Exit.isFailure(yield* Effect.exit(one.consume(policy(2), key))))
    assert.isTrue(Exit.isFailure(yield* Effect.exit(two.check(policy(2), key))))
  }).pipe(Effect.scoped))

it.live("with Redis gone limits count in this replica's memory instead of failing", () =>
  Effect.gen(function* () {
    const dir = `${process.env.TMPDIR ?? "/tmp"}/hexa-monolith-redis-${crypto.randomUUID()}`
    const server: RunningRedis = yield* Effect.promise(() => startRedisServer({ dir }))
    const limits = yield* replica(testRedisConfig(server.url))
    const key = crypto.randomUUID()
    yield* limits.consume(policy(2), key)
    yield* Effect.promise(() => server.stop())
    yield* limits.consume(policy(2), key)
    yield* limits.consume(policy(2), key)
    const refused = yield* Effect.exit(limits.consume(policy(2), key))
    assert.isTrue(Exit.isFailure(refused))
  }).pipe(Effect.scoped))
