import { Effect, Layer, Option } from "effect"
import { brokerRelay, brokerUrl, layerRedis } from "../platform/events/broker/BrokerRelay.ts"
import { Inbox } from "../platform/events/Inbox.ts"
import { enabledConsumers, layerPublisher, layerRunner, layerStoreMemory, layerStoreSql } from "../platform/events/Outbox.ts"
import { layerBacklogMetrics, OutboxAdmin } from "../platform/events/OutboxAdmin.ts"
import { Transaction } from "../platform/Transaction.ts"
import { webhookSettings, type WebhookSettings } from "../platform/webhooks/WebhookConfig.ts"
import { webhookConsumers } from "../platform/webhooks/WebhookDelivery.ts"
import { WebhookSender } from "../platform/webhooks/WebhookSender.ts"
import { Application } from "./Application.ts"

// The domain events plumbing around the modules' consumers. Publishing routes by the consumers'
// subscriptions: an event no consumer takes is counted but not stored. With BROKER_URL set, one more
// consumer relays every event to the broker for systems outside the monolith; each WEBHOOK_URL is
// one more, POSTing every event to its endpoint.

const relay = brokerRelay(Application.events)

/** The modules' consumers that their settings enable, and one per webhook endpoint. */
const ownConsumers = (webhooks: WebhookSettings) =>
  Effect.map(enabledConsumers(Application.consumers), (modules) => [
    ...modules,
    ...webhookConsumers(webhooks.urls, Application.events)
  ])

/** Those, and the relay when a broker is configured. */
const consumersFor = Effect.fnUntraced(function* (broker: Option.Option<unknown>, webhooks: WebhookSettings) {
  const own = yield* ownConsumers(webhooks)
  return Option.isSome(broker) ? [...own, relay] : own
})

/** The consumers this process's settings route events to (the benchmark's floor writes their outbox rows too). */
export const routedConsumers = Effect.gen(function* () {
  return yield* consumersFor(yield* brokerUrl, yield* webhookSettings)
})

/** Outbox, unit of work and inbox on PostgreSQL, with the backlog gauges and the operator's view. */
export const SqlEvents = Layer.unwrap(
  Effect.gen(function* () {
    const consumers = yield* routedConsumers
    return Layer.mergeAll(layerPublisher(consumers), layerBacklogMetrics(consumers.map((c) => c.name))).pipe(
      Layer.provideMerge(Layer.mergeAll(layerStoreSql(), Transaction.layerSql, Inbox.layerSql, OutboxAdmin.layerSql))
    )
  })
)

/** The same in process memory (tests, demos): lost on exit, one process only. */
export const MemoryEvents = Layer.unwrap(
  Effect.gen(function* () {
    const consumers = yield* routedConsumers
    return layerPublisher(consumers).pipe(
      Layer.provideMerge(Layer.mergeAll(layerStoreMemory, Transaction.layerMemory, Inbox.layerMemory))
    )
  })
)

/** Runs every consumer: the modules' over the use cases, the relay over the broker, webhooks over the sender. */
export const EventConsumers = Layer.unwrap(
  Effect.gen(function* () {
    const url = yield* brokerUrl
    const webhooks = yield* webhookSettings
    const own = yield* ownConsumers(webhooks)
    const runner = Option.isSome(url)
      ? layerRunner([...own, relay]).pipe(Layer.provide(layerRedis(url.value)))
      : layerRunner(own)
    return runner.pipe(Layer.provide(WebhookSender.layer(webhooks)))
  })
).pipe(Layer.provide(Application.useCases))
