import { randomBytes } from "node:crypto"
import { assert, expect, it } from "@effect/vitest"
import { Duration, Effect, Layer, Redacted, Schedule } from "effect"
import { Webhook } from "standardwebhooks"
import { EventPublisher, newEvent } from "../../../src/platform/events/EventPublisher.ts"
import { Inbox } from "../../../src/platform/events/Inbox.ts"
import { layerPublisher, layerRunner, layerStoreSql } from "../../../src/platform/events/Outbox.ts"
import { OutboxAdmin } from "../../../src/platform/events/OutboxAdmin.ts"
import { defaultPolicy } from "../../../src/platform/http-client/ExternalHttp.ts"
import * as NodeExternalHttp from "../../../src/platform/http-client/NodeExternalHttp.ts"
import { Transaction } from "../../../src/platform/Transaction.ts"
import { consumerName, webhookConsumers } from "../../../src/platform/webhooks/WebhookDelivery.ts"
import { WebhookSender } from "../../../src/platform/webhooks/WebhookSender.ts"
import { eventually } from "../../support/Eventually.ts"
import { TestDatabase } from "../../support/TestDatabase.ts"
import { Pinged } from "../events/TestEvents.ts"
import { type Receiver, receiver } from "../http-client/Receiver.ts"

// Deliveries as outbox consumers on PostgreSQL: a failed delivery is retried by the outbox (after the
// sender's own retries), the last failure parks it for the operator, and one endpoint's trouble never
// holds back another's.

const secret = `whsec_${randomBytes(32).toString("base64")}`
// Fast outbox retries so the suite does not wait minutes; three outbox attempts of two calls each.
const policy = { maxAttempts: 3, retrySchedule: Schedule.spaced("200 millis"), workers: 2 }

/** A replica publishing to and delivering for one consumer per receiver. */
const replica = (receivers: ReadonlyArray<Receiver>) => {
  const consumers = webhookConsumers(
    receivers.map((r) => r.url),
    [Pinged]
  )
  const sender = WebhookSender.layerExternalHttp({ secret: Redacted.make(secret) }).pipe(
    Layer.provide(
      NodeExternalHttp.layer({
        ...defaultPolicy,
        attempts: 2,
        retryBase: Duration.millis(20),
        timeout: Duration.seconds(2),
        tripAfter: 100,
        allowPrivateAddresses: true
      })
    )
  )
  return Layer.mergeAll(layerPublisher(consumers, policy), layerRunner(consumers, policy), OutboxAdmin.layerSql).pipe(
    Layer.provideMerge(Layer.mergeAll(layerStoreSql({ pollInterval: "100 millis" }), Transaction.layerSql, Inbox.layerSql)),
    Layer.provide(sender),
    Layer.provideMerge(TestDatabase.layer)
  )
}

const publish = (n: number) =>
  Effect.gen(function* () {
    const transaction = yield* Transaction
    const events = yield* EventPublisher
    const event = yield* newEvent(Pinged, { actorId: 3, payload: { n } })
    yield* transaction.run(events.publish(event))
    return event
  })

const verified = (target: Receiver, index: number) => {
  const request = target.received[index]!
  return new Webhook(secret).verify(request.body, {
    "webhook-id": request.headers["webhook-id"] as string,
    "webhook-timestamp": request.headers["webhook-timestamp"] as string,
    "webhook-signature": request.headers["webhook-signature"] as string
  }) as { id: string; type: string; data: unknown }
}

it.live("a committed event reaches the endpoint as a verifiable CloudEvent; a rolled-back one never does", () =>
  Effect.gen(function* () {
    const target = yield* receiver()
    yield* Effect.gen(function* () {
      const transaction = yield* Transaction
      const events = yield* EventPublisher
      const doomed = yield* newEvent(Pinged, { actorId: 3, payload: { n: 0 } })
      yield* Effect.exit(transaction.run(Effect.andThen(events.publish(doomed), Effect.fail("refused"))))
      const kept = yield* publish(1)
      yield* eventually(Effect.sync(() => assert.strictEqual(target.received.length, 1)))
      expect(verified(target, 0)).toMatchObject({ id: kept.id, type: "conduit.test.pinged", data: { n: 1 } })
      yield* Effect.sleep("500 millis")
      expect(target.received).toHaveLength(1)
    }).pipe(Effect.provide(replica([target])))
  }).pipe(Effect.scoped))

it.live("an endpoint answering 503 for a while gets the event once it is back, with the same webhook-id on every attempt", () =>
  Effect.gen(function* () {
    // Two outbox attempts of two calls each fail; the third attempt's first call succeeds.
    const target = yield* receiver({ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 }, { status: 200 })
    yield* Effect.gen(function* () {
      const event = yield* publish(2)
      yield* eventually(Effect.sync(() => assert.strictEqual(target.received.length, 5)))
      expect(new Set(target.received.map((request) => request.headers["webhook-id"]))).toEqual(new Set([event.id]))
      for (let i = 0; i < 5; i++) expect(verified(target, i).id).toBe(event.id)
      yield* Effect.sleep("500 millis")
      expect(target.received).toHaveLength(5)
    }).pipe(Effect.provide(replica([target])))
  }).pipe(Effect.scoped))

it.live("after the retry budget the delivery is a dead letter, and the operator's retry delivers it", () =>
  Effect.gen(function* () {
    const target = yield* receiver(...Array.from({ length: 6 }, () => ({ status: 500 })))
    yield* Effect.gen(function* () {
      const admin = yield* OutboxAdmin
      const event = yield* publish(3)
      const name = consumerName(target.url)
      yield* eventually(
        Effect.map(admin.deadLetters(100), (parked) => assert.isTrue(parked.some((letter) => letter.id === event.id && letter.consumer === name)))
      )
      expect(target.received).toHaveLength(6)
      expect(yield* admin.retry({ consumer: name, id: event.id })).toBe(1)
      yield* eventually(Effect.sync(() => assert.strictEqual(target.received.length, 7)))
      expect(verified(target, 6).id).toBe(event.id)
    }).pipe(Effect.provide(replica([target])))
  }).pipe(Effect.scoped))

it.live("an endpoint that never answers holds back neither the other endpoint nor later events", () =>
  Effect.gen(function* () {
    const silent = yield* receiver(...Array.from({ length: 20 }, () => "hang" as const))
    const healthy = yield* receiver()
    yield* Effect.gen(function* () {
      const events = [yield* publish(4), yield* publish(5), yield* publish(6)]
      yield* eventually(Effect.sync(() => assert.strictEqual(healthy.received.length, 3)))
      expect(new Set(healthy.received.map((request) => request.headers["webhook-id"]))).toEqual(new Set(events.map((e) => e.id)))
      // Meanwhile the silent endpoint has the first deliveries in flight, nothing more.
      expect(silent.received.length).toBeLessThanOrEqual(2)
    }).pipe(Effect.provide(replica([silent, healthy])))
  }).pipe(Effect.scoped))
