import { NodeRedis } from "@effect/platform-node"
import { assert, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { inject } from "vitest"
import { brokerRelay } from "../../../../src/platform/events/broker/BrokerRelay.ts"
import { type BrokerMessage, MessageBroker } from "../../../../src/platform/events/broker/MessageBroker.ts"
import { layer as layerRedisStreams } from "../../../../src/platform/events/broker/RedisStreamsBroker.ts"
import { EventPublisher, newEvent } from "../../../../src/platform/events/EventPublisher.ts"
import { Inbox } from "../../../../src/platform/events/Inbox.ts"
import { layerPublisher, layerRunner, layerStoreSql } from "../../../../src/platform/events/Outbox.ts"
import { Transaction } from "../../../../src/platform/Transaction.ts"
import { eventually } from "../../../support/Eventually.ts"
import { TestDatabase } from "../../../support/TestDatabase.ts"
import { Pinged } from "../TestEvents.ts"

const relay = brokerRelay([Pinged])
const broker = layerRedisStreams({ stream: `test:relay:${crypto.randomUUID()}`, block: "200 millis" }).pipe(
  Layer.provide(NodeRedis.layer({ url: inject("redisUrl") }))
)
const replica = Layer.mergeAll(layerPublisher([relay]), layerRunner([relay])).pipe(
  Layer.provideMerge(Layer.mergeAll(layerStoreSql({ pollInterval: "100 millis" }), Transaction.layerSql, Inbox.layerSql)),
  Layer.provideMerge(broker),
  Layer.provideMerge(TestDatabase.layer)
)

it.live("committed events reach the Redis stream through the outbox, rolled-back ones never do", () =>
  Effect.gen(function* () {
    const transaction = yield* Transaction
    const events = yield* EventPublisher
    const received: Array<BrokerMessage> = []
    yield* (yield* MessageBroker).subscribe({
      group: "downstream",
      consumer: "a",
      handle: (message) => Effect.sync(() => received.push(message))
    })
    const doomed = yield* newEvent(Pinged, { actorId: 7, payload: { n: 1 } })
    yield* Effect.exit(transaction.run(Effect.andThen(events.publish(doomed), Effect.fail("refused"))))
    const kept = yield* newEvent(Pinged, { actorId: 7, payload: { n: 2 } })
    yield* transaction.run(events.publish(kept))
    yield* eventually(Effect.sync(() => assert.strictEqual(received.length, 1)))
    const [message] = received
    expect(message).toMatchObject({ id: kept.id, type: "test.pinged" })
    expect(JSON.parse(message?.body ?? "{}")).toEqual({
      id: kept.id,
      type: "test.pinged",
      version: 1,
      occurredAt: kept.occurredAt.toISOString(),
      actorId: 7,
      payload: { n: 2 }
    })
    yield* Effect.sleep("500 millis")
    expect(received.map((m) => m.id)).toEqual([kept.id])
  }).pipe(Effect.scoped, Effect.provide(replica)))
