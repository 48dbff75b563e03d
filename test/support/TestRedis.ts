import { randomUUID } from "node:crypto"
import { Duration, Layer, Option, Redacted } from "effect"
import { inject } from "vitest"
import { RedisConfig, RedisConnection, RedisStatus } from "../../src/platform/redis/RedisConnection.ts"

/** Settings for the run's Redis (or another URL) under a key prefix of the suite's own. */
export const testRedisConfig = (url: string = inject("redisUrl"), keyPrefix = `test:${randomUUID()}:`) =>
  Layer.succeed(RedisConfig, {
    url: Option.some(Redacted.make(url)),
    keyPrefix,
    commandTimeout: Duration.millis(500)
  })

/** What a Redis adapter needs: the connection, its settings and status. One per call, like one replica. */
export const testRedis = (config: Layer.Layer<RedisConfig> = testRedisConfig()) =>
  Layer.mergeAll(RedisConnection.layer, RedisStatus.layer).pipe(Layer.provideMerge(config))
