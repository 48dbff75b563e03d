import { assert, describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option, Schedule, type Tracer } from "effect"
import { SqlClient } from "effect/sql"
import { Inbox } from "../../../src/platform/events/Inbox.ts"
import { type DeliveryPolicy, eventConsumer, layerPublisher, layerRunner, layerStoreSql } from "../../../src/platform/events/Outbox.ts"
import { OutboxAdmin } from "../../../src/platform/events/OutboxAdmin.ts"
import { EventPublisher, newEvent } from "../../../src/platform/events/EventPublisher.ts"
import { Transaction } from "../../../src/platform/Transaction.ts"
import { eventually } from "../../support/Eventually.ts"
import { TestDatabase } from "../../support/TestDatabase.ts"
import { Pinged } from "./TestEvents.ts"

const fast: DeliveryPolicy = { maxAttempts: 3, retrySchedule: Schedule.spaced("10 millis"), workers: 2 }

/** What the test consumer saw, and whether it should fail right now. */
const makeProbe = () => ({ handled: [] as Array<{ id: string; n: number }>, failing: false })
type Probe = ReturnType<typeof makeProbe>

/** Writes a row per handled event in the handler's transaction, so the inbox's once-only guarantee shows in SQL. */
const pings = (probe: Probe) =>
  eventConsumer({
    name: "test.pings",
    events: [Pinged],
    handler: Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      return (event: Pinged) =>
        Effect.gen(function* () {
          if (probe.failing) return yield* Effect.fail(new Error(`refusing ping ${event.payload.n}`))
          yield* sql`INSERT INTO pings (event_id, n) VALUES (${event.id}, ${event.payload.n})`
          probe.handled.push({ id: event.id, n: event.payload.n })
        })
    })
  })

/** Publisher, runner and admin over one SqlClient: one replica of the app. */
const replica = (probe: Probe) => {
  const consumer = pings(probe)
  const store = layerStoreSql({ pollInterval: "100 millis" })
  return Layer.mergeAll(layerPublisher([consumer], fast), layerRunner([consumer], fast), OutboxAdmin.layerSql).pipe(
    Layer.provideMerge(Layer.mergeAll(store, Transaction.layerSql, Inbox.layerSql))
  )
}

const setUp = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE pings (event_id text NOT NULL, n integer NOT NULL)`
})

const ping = (n: number) => newEvent(Pinged, { actorId: null, payload: { n } })

const publishCommitted = (n: number) =>
  Effect.gen(function* () {
    const transaction = yield* Transaction
    const events = yield* EventPublisher
    const event = yield* ping(n)
    yield* transaction.run(events.publish(event))
    return event
  })

const rowsFor = (id: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql<{ state: string }>`SELECT state FROM event_outbox WHERE id = ${id}`)

const pingRows = Effect.flatMap(SqlClient.SqlClient, (sql) => sql<{ eventId: string; n: number }>`SELECT event_id, n FROM pings`)

describe("the outbox on PostgreSQL", () => {
  it.live("an event published in a committed transaction is delivered once", () =>
    Effect.gen(function* () {
      const probe = makeProbe()
      yield* Effect.gen(function* () {
        const event = yield* publishCommitted(1)
        yield* eventually(Effect.sync(() => assert.deepStrictEqual(probe.handled, [{ id: event.id, n: 1 }])))
        yield* eventually(Effect.map(rowsFor(event.id), (rows) => assert.deepStrictEqual(rows, [{ state: "completed" }])))
      }).pipe(Effect.provide(replica(probe)))
    }).pipe(Effect.provide(Layer.effectDiscard(setUp).pipe(Layer.provideMerge(TestDatabase.layer)))))

  it.live("an event published in a rolled-back transaction is never stored nor delivered", () =>
    Effect.gen(function* () {
      const probe = makeProbe()
      yield* Effect.gen(function* () {
        const transaction = yield* Transaction
        const events = yield* EventPublisher
        const sql = yield* SqlClient.SqlClient
        const doomed = yield* ping(1)
        const exit = yield* Effect.exit(
          transaction.run(
            Effect.gen(function* () {
              yield* sql`INSERT INTO pings (event_id, n) VALUES ('the change', 0)`
              yield* events.publish(doomed)
              // The offer joined this transaction: its row is visible here, before the commit.
              expect(yield* rowsFor(doomed.id)).toHaveLength(1)
              return yield* Effect.fail("the change is refused")
            })
          )
        )
        expect(exit._tag).toBe("Failure")
        expect(yield* rowsFor(doomed.id)).toEqual([])
        expect(yield* pingRows).toEqual([])
        // A later committed event goes through, the rolled-back one never does.
        const later = yield* publishCommitted(2)
        yield* eventually(Effect.sync(() => assert.deepStrictEqual(probe.handled.map((h) => h.id), [later.id])))
      }).pipe(Effect.provide(replica(probe)))
    }).pipe(Effect.provide(Layer.effectDiscard(setUp).pipe(Layer.provideMerge(TestDatabase.layer)))))

  it.live("a redelivered event (its acknowledgement lost) changes nothing twice", () =>
    Effect.gen(function* () {
      const probe = makeProbe()
      yield* Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const event = yield* publishCommitted(7)
        yield* eventually(Effect.map(rowsFor(event.id), (rows) => assert.deepStrictEqual(rows, [{ state: "completed" }])))
        // As if the process died after the handler committed but before the queue recorded it.
        yield* sql`UPDATE event_outbox SET state = 'pending', visible_at = localtimestamp WHERE id = ${event.id}`
        yield* eventually(Effect.map(rowsFor(event.id), (rows) => assert.deepStrictEqual(rows, [{ state: "completed" }])))
        expect(yield* pingRows).toEqual([{ eventId: event.id, n: 7 }])
        expect(probe.handled).toHaveLength(1)
      }).pipe(Effect.provide(replica(probe)))
    }).pipe(Effect.provide(Layer.effectDiscard(setUp).pipe(Layer.provideMerge(TestDatabase.layer)))))

  it.live("two replicas consuming one outbox handle each event once", () =>
    Effect.gen(function* () {
      const first = makeProbe()
      const second = makeProbe()
      yield* Effect.gen(function* () {
        // The second replica: its own store (its own claims and locks) and runner on the same database.
        yield* Effect.forkScoped(Effect.provide(Effect.never, replica(second)))
        const events = yield* Effect.forEach(Array.from({ length: 40 }, (_, n) => n), publishCommitted, { concurrency: 4 })
        yield* eventually(Effect.map(pingRows, (rows) => assert.strictEqual(rows.length, 40)), "30 seconds")
        const ids = [...first.handled, ...second.handled].map((h) => h.id).sort()
        expect(ids).toEqual(events.map((e) => e.id).sort())
        expect(new Set((yield* pingRows).map((row) => row.eventId)).size).toBe(40)
      }).pipe(Effect.provide(replica(first)), Effect.scoped)
    }).pipe(Effect.provide(Layer.effectDiscard(setUp).pipe(Layer.provideMerge(TestDatabase.layer)))))

  it.live("a consumer that keeps failing parks the event as a dead letter, retried by the operator", () =>
    Effect.gen(function* () {
      const probe = makeProbe()
      probe.failing = true
      yield* Effect.gen(function* () {
        const admin = yield* OutboxAdmin
        const event = yield* publishCommitted(3)
        // 3 attempts, a second apart (the SQL store rounds retry delays up to whole seconds).
        const [parked] = yield* eventually(
          Effect.map(admin.deadLetters(10), (letters) => {
            assert.strictEqual(letters.length, 1)
            return letters
          })
        )
        expect(parked).toMatchObject({ id: event.id, consumer: "test.pings", eventType: "test.pinged", attempts: 3 })
        expect(parked?.lastFailure).toContain("refusing ping 3")
        expect(yield* admin.backlog).toEqual([{ consumer: "test.pings", pending: 0, inFlight: 0, deadLetters: 1, lagSeconds: 0 }])
        expect(probe.handled).toEqual([])

        probe.failing = false
        expect(yield* admin.retry({ consumer: "test.pings" })).toBe(1)
        yield* eventually(Effect.sync(() => assert.deepStrictEqual(probe.handled, [{ id: event.id, n: 3 }])))
        expect(yield* admin.deadLetters(10)).toEqual([])
        expect(yield* admin.retry({})).toBe(0)
      }).pipe(Effect.provide(replica(probe)))
    }).pipe(Effect.provide(Layer.effectDiscard(setUp).pipe(Layer.provideMerge(TestDatabase.layer)))))
})

describe("trace context", () => {
  it.live("a consumer's span is a root span of its own, linked to the span of the request that published", () =>
    Effect.gen(function* () {
      const seen: Array<{ traceId: string; parent: boolean; links: ReadonlyArray<{ traceId: string; spanId: string }> }> = []
      const consumer = eventConsumer({
        name: "test.traced",
        events: [Pinged],
        handler: Effect.succeed(() =>
          Effect.gen(function* () {
            // The handler runs inside the delivery's transaction span; the delivery span is its ancestor.
            let span: Tracer.AnySpan | undefined = yield* Effect.currentSpan
            while (span?._tag === "Span" && !span.name.startsWith("EventConsumer ")) span = Option.getOrUndefined(span.parent)
            if (span?._tag !== "Span") return yield* Effect.die(new Error("no delivery span"))
            seen.push({
              traceId: span.traceId,
              parent: Option.isSome(span.parent),
              links: span.links.map((link) => ({ traceId: link.span.traceId, spanId: link.span.spanId }))
            })
          }).pipe(Effect.orDie)
        )
      })
      const layer = Layer.mergeAll(layerPublisher([consumer], fast), layerRunner([consumer], fast)).pipe(
        Layer.provideMerge(Layer.mergeAll(layerStoreSql({ pollInterval: "100 millis" }), Transaction.layerSql, Inbox.layerSql))
      )
      yield* Effect.gen(function* () {
        const request = yield* Effect.gen(function* () {
          yield* publishCommitted(1)
          return yield* Effect.currentSpan
        }).pipe(Effect.withSpan("POST /api/things"))
        yield* eventually(Effect.sync(() => assert.strictEqual(seen.length, 1)))
        const [delivery] = seen
        // Linked into the request's trace (to the publish span within it).
        expect(delivery?.links).toEqual([{ traceId: request.traceId, spanId: expect.any(String) }])
        expect(delivery?.traceId).not.toBe(request.traceId)
        expect(delivery?.parent).toBe(false)
      }).pipe(Effect.provide(layer))
    }).pipe(Effect.provide(TestDatabase.layer)))

  it.live("with the tracer off an event is stored without a traceparent and still delivered", () =>
    Effect.gen(function* () {
      const probe = makeProbe()
      yield* Effect.gen(function* () {
        const event = yield* publishCommitted(4).pipe(Effect.withSpan("POST /api/things"))
        yield* eventually(Effect.sync(() => assert.deepStrictEqual(probe.handled, [{ id: event.id, n: 4 }])))
        const sql = yield* SqlClient.SqlClient
        const rows = yield* sql<{ traceparent: string | null }>`
          SELECT element::jsonb ->> 'traceparent' AS traceparent FROM event_outbox WHERE id = ${event.id}`
        expect(rows).toEqual([{ traceparent: null }])
      }).pipe(Effect.provide(replica(probe)))
    }).pipe(
      Effect.provide(Layer.effectDiscard(setUp).pipe(Layer.provideMerge(TestDatabase.layer))),
      Effect.withTracerEnabled(false)
    ))
})
