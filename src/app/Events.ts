import { Layer } from "effect"
import { ArticlesConsumers } from "../modules/articles/adapters/events/ArticlesConsumers.ts"
import { CommentsConsumers } from "../modules/comments/adapters/events/CommentsConsumers.ts"
import { ProfilesConsumers } from "../modules/profiles/adapters/events/ProfilesConsumers.ts"
import { Inbox } from "../platform/events/Inbox.ts"
import { layerPublisher, layerRunner, layerStoreMemory, layerStoreSql } from "../platform/events/Outbox.ts"
import { layerBacklogMetrics, OutboxAdmin } from "../platform/events/OutboxAdmin.ts"
import { Transaction } from "../platform/Transaction.ts"

/** Every consumer the process runs. Publishing routes by these: an event no consumer takes is not stored. */
export const consumers = [...ProfilesConsumers, ...ArticlesConsumers, ...CommentsConsumers]

/** Outbox, unit of work and inbox on PostgreSQL, with the backlog gauges and the operator's view. */
export const SqlEvents = Layer.mergeAll(layerPublisher(consumers), layerBacklogMetrics(consumers.map((c) => c.name))).pipe(
  Layer.provideMerge(Layer.mergeAll(layerStoreSql(), Transaction.layerSql, Inbox.layerSql, OutboxAdmin.layerSql))
)

/** The same in process memory (tests, demos). */
export const MemoryEvents = layerPublisher(consumers).pipe(
  Layer.provideMerge(Layer.mergeAll(layerStoreMemory, Transaction.layerMemory, Inbox.layerMemory))
)

/** Runs every consumer over the module services it needs. */
export const EventConsumers = layerRunner(consumers)
