import { NodeRedis } from "@effect/platform-node"
import { Layer } from "effect"
import { inject } from "vitest"
import { layerMemory } from "../../../../src/platform/events/broker/MemoryBroker.ts"
import { layer as layerRedisStreams } from "../../../../src/platform/events/broker/RedisStreamsBroker.ts"
import { messageBrokerContract } from "./MessageBroker.contract.ts"

messageBrokerContract("in-memory", (redeliverAfter) => layerMemory({ redeliverAfter }))

// The Redis the global set-up started (or TEST_REDIS_URL), a stream of its own per test.
messageBrokerContract("Redis Streams", (redeliverAfter) =>
  layerRedisStreams({ stream: `test:events:${crypto.randomUUID()}`, redeliverAfter, block: "200 millis" }).pipe(
    Layer.provide(NodeRedis.layer({ url: inject("redisUrl") }))
  )
)
