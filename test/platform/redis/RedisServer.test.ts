import { NodeRedis } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Redis } from "effect/persistence"
import { inject } from "vitest"

// The suite's Redis: TEST_REDIS_URL, or the Debian redis-server the global set-up started.
const redis = NodeRedis.layer({ url: inject("redisUrl") })

describe("the test Redis server", () => {
  it.effect("answers commands and keeps what it is given", () =>
    Effect.gen(function* () {
      const client = yield* Redis.Redis
      const key = `test:server:${crypto.randomUUID()}`
      expect(yield* client.send("PING")).toBe("PONG")
      yield* client.send("SET", key, "value", "PX", "10000")
      expect(yield* client.send("GET", key)).toBe("value")
      expect(yield* client.send("DEL", key)).toBe(1)
    }).pipe(Effect.provide(redis)))
})
