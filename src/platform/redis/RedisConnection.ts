import { NodeRedis } from "@effect/platform-node"
import { Config, Context, Deferred, Duration, Effect, Layer, Metric, Option, Redacted, References } from "effect"
import { Redis } from "effect/persistence"

export interface RedisSettings {
  /** REDIS_URL: set, the cache and the rate limits live in Redis and replicas share them; unset, in memory. */
  readonly url: Option.Option<Redacted.Redacted<string>>
  /** Put before every key, so several apps (or test suites) can share one Redis. */
  readonly keyPrefix: string
  /** How long one cache or limiter command may take before the request goes on without Redis. */
  readonly commandTimeout: Duration.Duration
}

export const redisSettings: Config.Config<RedisSettings> = Config.all({
  url: Config.Redacted("REDIS_URL").pipe(
    Config.option,
    Config.map(Option.filter((url) => Redacted.value(url).trim() !== ""))
  ),
  keyPrefix: Config.String("REDIS_KEY_PREFIX").pipe(Config.withDefault("conduit:")),
  commandTimeout: Config.Duration("REDIS_COMMAND_TIMEOUT").pipe(Config.withDefault(Duration.millis(500)))
})

export class RedisConfig extends Context.Service<RedisConfig, RedisSettings>()("app/platform/RedisConfig") {
  static readonly layer = Layer.effect(RedisConfig, Effect.gen(function* () {
    return yield* redisSettings
  }))
}

const available = Metric.gauge("redis_available", {
  description: "1 while the cache and rate limits reach Redis, 0 while they fall back (PostgreSQL reads, per-replica limits)"
})
const fallbacks = Metric.counter("redis_fallbacks_total", {
  description: "Cache reads and rate-limit checks that went on without Redis, by use",
  incremental: true
})

/**
 * Whether Redis answers, as seen by the commands the app sends: one warning when it stops answering,
 * one line when it is back, a gauge for both and a counter of every operation that went on without it.
 */
export class RedisStatus extends Context.Service<
  RedisStatus,
  {
    readonly failed: (use: "cache" | "ratelimit", cause: unknown) => Effect.Effect<void>
    readonly succeeded: Effect.Effect<void>
  }
>()("app/platform/RedisStatus") {
  static readonly layer = Layer.effect(
    RedisStatus,
    Effect.gen(function* () {
      let up = true
      yield* Metric.update(available, 1)
      return RedisStatus.of({
        failed: (use, cause) =>
          Effect.suspend(() => {
            const count = Metric.update(Metric.withAttributes(fallbacks, { use }), 1)
            if (!up) return count
            up = false
            return Effect.all([
              count,
              Metric.update(available, 0),
              Effect.logWarning("Redis unavailable: cache reads go to PostgreSQL, rate limits count per replica", {
                cause: String(cause)
              })
            ])
          }),
        succeeded: Effect.suspend(() => {
          if (up) return Effect.void
          up = true
          return Effect.all([Metric.update(available, 1), Effect.logInfo("Redis available again")])
        })
      })
    })
  )
}

/** Reconnect forever with capped, jittered backoff: a cache that gave up would stay off until a restart. */
const reconnectStrategy = (retries: number) => Math.min(50 * 2 ** retries, 2000) + Math.floor(Math.random() * 200)

const notConnected = new Redis.RedisError({ cause: new Error("not connected to Redis yet") })

/**
 * effect's `Redis` service over NodeRedis, shaped for a cache and limiters that must never hold up a
 * request: start-up does not wait for Redis (the client connects in the background, commands fail
 * until then), commands fail at once while it is away instead of queueing, and it reconnects by itself.
 */
export const RedisConnection = {
  layer: Layer.effect(
    Redis.Redis,
    Effect.gen(function* () {
      const { url } = yield* RedisConfig
      if (Option.isNone(url)) return yield* Effect.die(new Error("RedisConnection needs REDIS_URL"))
      const client = NodeRedis.layer({
        url: Redacted.value(url.value),
        disableOfflineQueue: true,
        socket: { reconnectStrategy, connectTimeout: 2000 }
      }).pipe(
        // NodeRedis warns on every failed reconnect attempt; RedisStatus warns once per outage instead.
        Layer.provide(Layer.succeed(References.MinimumLogLevel, "Error"))
      )
      const connected = yield* Deferred.make<Redis.Redis["Service"]>()
      let ready: Redis.Redis["Service"] | undefined
      const scope = yield* Effect.scope
      yield* Layer.buildWithScope(client, scope).pipe(
        Effect.flatMap((context) => {
          ready = Context.get(context, Redis.Redis)
          return Deferred.succeed(connected, ready)
        }),
        Effect.catchCause((cause) => Effect.logError("Redis client could not be created", cause)),
        Effect.forkIn(scope)
      )
      // A reachable Redis is usually there within milliseconds: serve the first requests with it.
      yield* Deferred.await(connected).pipe(
        Effect.timeout(Duration.seconds(2)),
        Effect.catch(() => Effect.logWarning("Redis unreachable at start-up; connecting in the background"))
      )
      const current = Effect.suspend(() => (ready === undefined ? Effect.fail(notConnected) : Effect.succeed(ready)))
      return Redis.Redis.of({
        send: (command, ...args) => Effect.flatMap(current, (redis) => redis.send(command, ...args)),
        eval: (script) => (...params) => Effect.flatMap(current, (redis) => redis.eval(script)(...params)),
        subscribe: (channel) => Effect.flatMap(Deferred.await(connected), (redis) => redis.subscribe(channel)),
        reserve: Effect.flatMap(current, (redis) => redis.reserve)
      })
    })
  )
}
