import { Layer } from "effect"
import { Inbox } from "../platform/events/Inbox.ts"
import { layerPublisher, layerRunner, layerStoreMemory, layerStoreSql } from "../platform/events/Outbox.ts"
import { layerBacklogMetrics, OutboxAdmin } from "../platform/events/OutboxAdmin.ts"
import { Transaction } from "../platform/Transaction.ts"
import { Application } from "./Application.ts"

// The domain events plumbing, around the modules' consumers. Publishing routes by the consumers'
// subscriptions: an event no consumer takes is counted but not stored.

const { consumers } = Application

/** Outbox, unit of work and inbox on PostgreSQL, with the backlog gauges and the operator's view. */
export const SqlEvents = Layer.mergeAll(layerPublisher(consumers), layerBacklogMetrics(consumers.map((c) => c.name))).pipe(
  Layer.provideMerge(Layer.mergeAll(layerStoreSql(), Transaction.layerSql, Inbox.layerSql, OutboxAdmin.layerSql))
)

/** The same in process memory (tests, demos): lost on exit, one process only. */
export const MemoryEvents = layerPublisher(consumers).pipe(
  Layer.provideMerge(Layer.mergeAll(layerStoreMemory, Transaction.layerMemory, Inbox.layerMemory))
)

/** Runs every module's consumers, over the use cases. */
export const EventConsumers = layerRunner(consumers).pipe(Layer.provide(Application.useCases))
