import { Effect, Layer, Option } from "effect"
import { brokerRelay, brokerUrl, layerRedis } from "../platform/events/broker/BrokerRelay.ts"
import { Inbox } from "../platform/events/Inbox.ts"
import { layerPublisher, layerRunner, layerStoreMemory, layerStoreSql } from "../platform/events/Outbox.ts"
import { layerBacklogMetrics, OutboxAdmin } from "../platform/events/OutboxAdmin.ts"
import { Transaction } from "../platform/Transaction.ts"
import { Application } from "./Application.ts"

// The domain events plumbing around the modules' consumers. Publishing routes by the consumers'
// subscriptions: an event no consumer takes is counted but not stored. With BROKER_URL set, one more
// consumer relays every event to the broker for systems outside the monolith.

const relay = brokerRelay(Application.events)

/** The modules' consumers, and the relay when a broker is configured. */
const consumersFor = (broker: Option.Option<unknown>) =>
  Option.isSome(broker) ? [...Application.consumers, relay] : Application.consumers

/** Outbox, unit of work and inbox on PostgreSQL, with the backlog gauges and the operator's view. */
export const SqlEvents = Layer.unwrap(
  Effect.gen(function* () {
    const consumers = consumersFor(yield* brokerUrl)
    return Layer.mergeAll(layerPublisher(consumers), layerBacklogMetrics(consumers.map((c) => c.name))).pipe(
      Layer.provideMerge(Layer.mergeAll(layerStoreSql(), Transaction.layerSql, Inbox.layerSql, OutboxAdmin.layerSql))
    )
  })
)

/** The same in process memory (tests, demos): lost on exit, one process only. */
export const MemoryEvents = Layer.unwrap(
  Effect.gen(function* () {
    const consumers = consumersFor(yield* brokerUrl)
    return layerPublisher(consumers).pipe(
      Layer.provideMerge(Layer.mergeAll(layerStoreMemory, Transaction.layerMemory, Inbox.layerMemory))
    )
  })
)

/** Runs every consumer: the modules' over the use cases, the relay over the broker. */
export const EventConsumers = Layer.unwrap(
  Effect.gen(function* () {
    const url = yield* brokerUrl
    return Option.isSome(url)
      ? layerRunner([...Application.consumers, relay]).pipe(Layer.provide(layerRedis(url.value)))
      : layerRunner(Application.consumers)
  })
).pipe(Layer.provide(Application.useCases))
