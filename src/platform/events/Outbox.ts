import { Cause, type Config, Context, Deferred, Duration, Effect, Layer, Option, Schedule, Schema } from "effect"
import { Headers, HttpTraceContext } from "effect/http"
import { PersistedQueue } from "effect/persistence"
import { SqlClient } from "effect/sql"
import { type DomainEvent, type EventClass, typeOf } from "../../kernel/DomainEvent.ts"
import { recordedSpan } from "../observability/Spans.ts"
import { Transaction } from "../Transaction.ts"
import { EventMetrics } from "./EventMetrics.ts"
import { EventPublisher } from "./EventPublisher.ts"
import { nonTransactional } from "../sql/Migrator.ts"
import { createEventInbox, Inbox } from "./Inbox.ts"

// The transactional outbox, on effect's PersistedQueue. Every consumer owns one persisted queue,
// named after it; publishing an event offers it (its id as the queue id) to the queue of every
// consumer subscribed to its type, inside the caller's transaction. PersistedQueue gives the rest:
// rows claimed with FOR UPDATE SKIP LOCKED (several replicas share a queue, each row goes to one),
// retries on a schedule, and rows parked as `failed` (the dead letters) after the last attempt.
// Fan-out costs one row per subscribed consumer, which is what lets each consumer retry, park and
// lag on its own: a consumer that keeps failing never holds back the others.

/** A consumer: a name that is stable across releases (its queue's), the event types it takes, and its handler. */
export interface EventConsumer<R = never> {
  readonly name: string
  readonly events: ReadonlyArray<EventClass>
  /** Built once at start-up with the module's services; handles one event and fails to have it retried. */
  readonly handler: Effect.Effect<(event: never) => Effect.Effect<void, unknown>, never, R>
  /** A setting that leaves the consumer out, events and all, when false (say, work only a shared cache needs). */
  readonly enabled?: Config.Config<boolean>
}

/** What a list of consumers' handlers need. */
type ServicesOf<Consumers extends ReadonlyArray<EventConsumer<unknown>>> = Consumers[number] extends EventConsumer<infer R> ? R : never

/** Declares a consumer of the given event classes; `handler` sees exactly their union. */
export const eventConsumer = <const Events extends ReadonlyArray<EventClass>, R>(options: {
  readonly name: string
  readonly events: Events
  readonly handler: Effect.Effect<(event: Events[number]["Type"]) => Effect.Effect<void, unknown>, never, R>
  readonly enabled?: Config.Config<boolean>
}): EventConsumer<R> => options

/** The consumers whose `enabled` setting holds (every one without such a setting). */
export const enabledConsumers = Effect.fnUntraced(function* <C extends EventConsumer<unknown>>(consumers: ReadonlyArray<C>) {
  const enabled: Array<C> = []
  for (const consumer of consumers) if (consumer.enabled === undefined || (yield* consumer.enabled)) enabled.push(consumer)
  return enabled
})

/** What the queue stores: the event and the W3C trace context of the request that published it. */
const envelopeOf = (consumer: EventConsumer<unknown>) =>
  Schema.Struct({
    event: Schema.Union(consumer.events as unknown as ReadonlyArray<Schema.Top>),
    traceparent: Schema.optional(Schema.String)
  })
interface Envelope {
  readonly event: DomainEvent
  readonly traceparent?: string | undefined
}

export interface DeliveryPolicy {
  /** Attempts before an event is parked as a dead letter. */
  readonly maxAttempts: number
  /** Delay before attempt n + 1, from the failed attempt's number (the SQL store rounds up to seconds). */
  readonly retrySchedule: Schedule.Schedule<unknown, number>
  /** Events of one consumer handled at once by one process. */
  readonly workers: number
}

/** About 17 minutes of retries (1 s, 2 s, … 4 min, ± jitter), then a dead letter. */
export const defaultPolicy: DeliveryPolicy = {
  maxAttempts: 10,
  retrySchedule: Schedule.min([Schedule.exponential("1 second"), Schedule.spaced("4 minutes")]).pipe(Schedule.jittered),
  workers: 2
}

const queueOf = (consumer: EventConsumer<unknown>, policy: DeliveryPolicy) =>
  PersistedQueue.make({
    name: consumer.name,
    schema: envelopeOf(consumer),
    maxAttempts: policy.maxAttempts,
    retrySchedule: policy.retrySchedule
  }) as Effect.Effect<PersistedQueue.PersistedQueue<Envelope>, never, PersistedQueue.PersistedQueueFactory>

/** The request's trace context, so the consumer's span can link back to it; none with the tracer off. */
const currentTraceparent = Effect.map(Effect.option(Effect.currentSpan), (option) => {
  const span = recordedSpan(Option.getOrUndefined(option))
  return span === undefined ? undefined : HttpTraceContext.toHeaders(span).traceparent
})

/** EventPublisher over the outbox: one offer per subscribed consumer, in the caller's transaction. */
export const layerPublisher = (consumers: ReadonlyArray<EventConsumer<unknown>>, policy: DeliveryPolicy = defaultPolicy) =>
  Layer.effect(
    EventPublisher,
    Effect.gen(function* () {
      const transaction = yield* Transaction
      const routes = new Map<string, Array<PersistedQueue.PersistedQueue<Envelope>>>()
      for (const consumer of consumers) {
        const queue = yield* queueOf(consumer, policy)
        for (const eventClass of consumer.events) {
          const type = typeOf(eventClass)
          routes.set(type, [...(routes.get(type) ?? []), queue])
        }
      }
      return EventPublisher.of({
        publish: (...events) =>
          Effect.gen(function* () {
            const traceparent = yield* currentTraceparent
            for (const event of events) {
              for (const queue of routes.get(event.type) ?? []) yield* queue.offer({ event, traceparent }, { id: event.id })
              yield* transaction.afterCommit(EventMetrics.published(event.type))
            }
          }).pipe(Effect.orDie, Effect.withSpan("EventPublisher.publish"))
      })
    })
  )

const linkTo = (traceparent: string | undefined) =>
  traceparent === undefined
    ? []
    : Option.match(HttpTraceContext.fromHeaders(Headers.fromInput({ traceparent })), {
        onNone: () => [],
        onSome: (span) => [{ span, attributes: { "link.reason": "published by" } }]
      })

/**
 * Runs every consumer: `policy.workers` fibers per consumer taking from its queue for as long as the
 * layer lives. Each delivery runs the handler once per event (Inbox), in a span of its own linked to
 * the publishing request's, and is counted; a failure is retried by the queue with backoff until the
 * last attempt parks it.
 */
export const layerRunner = <const Consumers extends ReadonlyArray<EventConsumer<unknown>>>(
  consumers: Consumers,
  policy: DeliveryPolicy = defaultPolicy
): Layer.Layer<never, never, Inbox | PersistedQueue.PersistedQueueFactory | ServicesOf<Consumers>> =>
  Layer.effectDiscard(
    Effect.gen(function* () {
      const inbox = yield* Inbox
      for (const consumer of consumers) {
        const handle = yield* consumer.handler
        const queue = yield* queueOf(consumer, policy)
        const deliver = (envelope: Envelope, meta: { readonly id: string; readonly attempts: number }) =>
          inbox.once(consumer.name, envelope.event.id, handle(envelope.event as never)).pipe(
            Effect.onExit((exit) => {
              if (exit._tag === "Success") return EventMetrics.delivered(consumer.name)
              if (Cause.hasInterruptsOnly(exit.cause)) return Effect.void
              const parked = meta.attempts >= policy.maxAttempts
              return Effect.andThen(
                EventMetrics.failed(consumer.name, parked),
                parked
                  ? Effect.logError("event parked as a dead letter", exit.cause)
                  : Effect.logWarning("event delivery failed; will retry", exit.cause)
              )
            }),
            Effect.withSpan(`EventConsumer ${consumer.name}`, {
              root: true,
              kind: "consumer",
              links: linkTo(envelope.traceparent),
              attributes: { "event.id": envelope.event.id, "event.type": envelope.event.type, "event.attempt": meta.attempts }
            }),
            Effect.annotateLogs({ consumer: consumer.name, eventId: envelope.event.id, eventType: envelope.event.type })
          )
        const work = queue.take(deliver).pipe(
          // The queue has already scheduled the retry or parked the event; take the next one.
          Effect.catchCause((cause) => (Cause.hasInterruptsOnly(cause) ? Effect.failCause(cause) : Effect.void)),
          Effect.forever
        )
        for (let i = 0; i < policy.workers; i++) yield* Effect.forkScoped(work)
      }
    })
  ) as Layer.Layer<never, never, Inbox | PersistedQueue.PersistedQueueFactory | ServicesOf<Consumers>>

export interface StoreOptions {
  /** How often an idle worker looks for rows other processes committed (its own commits wake it at once). */
  readonly pollInterval?: Duration.Input
  /** How long a claimed row stays invisible to other processes without a heartbeat (a crashed worker's rows come back after it). */
  readonly lockExpiration?: Duration.Input
}

/** The outbox table. Its name is part of the operator interface: `events status|retry` read and reset it. */
export const OUTBOX_TABLE = "event_outbox"

/**
 * The events plumbing's tables, as migrations of the service: the app's database role may change rows
 * but never the schema, so the outbox's tables are made here, by PersistedQueue's own migrator (in a
 * transaction of its own, so outside the runner's; it records what it did and repeats safely), and
 * the store's migrator finds nothing left to do when the app starts.
 */
export const eventMigrations = (outboxId: number, inboxId: number) => ({
  [`${String(outboxId).padStart(4, "0")}_create_event_outbox`]: nonTransactional(
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      // Off the runner's session: PersistedQueue's migrator opens transactions of its own.
      yield* Effect.scoped(Effect.asVoid(PersistedQueue.makeStoreSql({ tableName: OUTBOX_TABLE }))).pipe(
        Effect.updateContext(Context.omit(sql.transactionService))
      ) as Effect.Effect<void, unknown, SqlClient.SqlClient>
    })
  ),
  [`${String(inboxId).padStart(4, "0")}_create_event_inbox`]: createEventInbox
})

/**
 * PersistedQueue's SQL store, built in the background: its constructor runs its migrator against the
 * database, and the server must start (and answer 503) while PostgreSQL is down. Calls wait for it;
 * while the database is down they fail on their own statements first.
 */
const layerStoreSqlInBackground = (options: Parameters<typeof PersistedQueue.makeStoreSql>[0]) =>
  Layer.effect(
    PersistedQueue.PersistedQueueStore,
    Effect.gen(function* () {
      const ready = yield* Deferred.make<PersistedQueue.PersistedQueueStore["Service"]>()
      yield* PersistedQueue.makeStoreSql(options).pipe(
        Effect.sandbox,
        Effect.retry(Schedule.spaced("1 second")),
        Effect.flatMap((store) => Deferred.succeed(ready, store)),
        Effect.forkScoped
      )
      const store = Deferred.await(ready)
      return PersistedQueue.PersistedQueueStore.of({
        offer: (request) => Effect.flatMap(store, (s) => s.offer(request)),
        take: (request) => Effect.flatMap(store, (s) => s.take(request)),
        cleanup: (request) => Effect.flatMap(store, (s) => s.cleanup(request))
      })
    })
  )

/** The outbox in PostgreSQL, completed rows kept a week for de-duplication. */
export const layerStoreSql = (options: StoreOptions = {}) =>
  Layer.mergeAll(PersistedQueue.layer, PersistedQueue.layerCleanup({ timeToLive: "7 days" })).pipe(
    Layer.provideMerge(
      layerStoreSqlInBackground({
        tableName: OUTBOX_TABLE,
        pollInterval: options.pollInterval ?? "1 second",
        // Heartbeats three times per expiry, so only a dead worker's claims lapse.
        lockRefreshInterval: Duration.divideUnsafe(Duration.fromInputUnsafe(options.lockExpiration ?? "30 seconds"), 3),
        lockExpiration: options.lockExpiration ?? "30 seconds"
      })
    )
  )

/** The outbox in process memory: for tests and demos (lost on exit, one process only). */
export const layerStoreMemory = PersistedQueue.layer.pipe(Layer.provideMerge(PersistedQueue.layerStoreMemory))
