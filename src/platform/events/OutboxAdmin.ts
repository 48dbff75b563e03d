import { Context, type Duration, Effect, Layer, Schedule, Schema } from "effect"
import { SqlClient, SqlSchema } from "effect/sql"
import { EventMetrics } from "./EventMetrics.ts"
import { OUTBOX_TABLE } from "./Outbox.ts"

// The operator's view of the PostgreSQL outbox: per consumer what is pending, in flight and parked,
// the dead letters themselves, and putting them back in line. It reads PersistedQueue's table
// (columns `queue_name`, `state`, `attempts`, `last_failure`, …, pinned with the effect version).

export const ConsumerBacklog = Schema.Struct({
  consumer: Schema.String,
  pending: Schema.Int,
  inFlight: Schema.Int,
  deadLetters: Schema.Int,
  /** Age of the oldest event not handled yet, 0 when none is. */
  lagSeconds: Schema.Number
})
export type ConsumerBacklog = typeof ConsumerBacklog.Type

export const DeadLetter = Schema.Struct({
  id: Schema.String,
  consumer: Schema.String,
  eventType: Schema.NullOr(Schema.String),
  attempts: Schema.Int,
  parkedAt: Schema.Date,
  lastFailure: Schema.NullOr(Schema.String)
})
export type DeadLetter = typeof DeadLetter.Type

export class OutboxAdmin extends Context.Service<
  OutboxAdmin,
  {
    readonly backlog: Effect.Effect<ReadonlyArray<ConsumerBacklog>>
    readonly deadLetters: (limit: number) => Effect.Effect<ReadonlyArray<DeadLetter>>
    /** Puts parked events back in line with a fresh attempt budget; how many. */
    readonly retry: (filter: { readonly consumer?: string | undefined; readonly id?: string | undefined }) => Effect.Effect<number>
  }
>()("app/platform/events/OutboxAdmin") {
  static readonly layerSql = Layer.effect(
    OutboxAdmin,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const table = sql(OUTBOX_TABLE)

      const backlog = SqlSchema.findAll({
        Request: Schema.Void,
        Result: ConsumerBacklog,
        execute: () => sql`
          SELECT queue_name AS consumer,
                 count(*) FILTER (WHERE state = 'pending' AND acquired_by IS NULL)::int AS pending,
                 count(*) FILTER (WHERE state = 'pending' AND acquired_by IS NOT NULL)::int AS in_flight,
                 count(*) FILTER (WHERE state = 'failed')::int AS dead_letters,
                 coalesce(extract(epoch FROM localtimestamp - min(created_at) FILTER (WHERE state = 'pending')), 0)::float8 AS lag_seconds
          FROM ${table} WHERE state <> 'completed'
          GROUP BY queue_name ORDER BY queue_name`
      })
      const deadLetters = SqlSchema.findAll({
        Request: Schema.Int,
        Result: DeadLetter,
        execute: (limit) => sql`
          SELECT id, queue_name AS consumer, element::jsonb #>> '{event,type}' AS event_type, attempts,
                 updated_at AS parked_at, last_failure
          FROM ${table} WHERE state = 'failed'
          ORDER BY updated_at DESC LIMIT ${limit}`
      })
      const retry = (filter: { readonly consumer?: string | undefined; readonly id?: string | undefined }) =>
        sql<{ id: string }>`
          UPDATE ${table}
          SET state = 'pending', attempts = 0, visible_at = localtimestamp, updated_at = localtimestamp,
              acquired_at = NULL, acquired_by = NULL
          WHERE ${sql.and([
            sql`state = 'failed'`,
            ...(filter.consumer === undefined ? [] : [sql`queue_name = ${filter.consumer}`]),
            ...(filter.id === undefined ? [] : [sql`id = ${filter.id}`])
          ])}
          RETURNING id`.pipe(Effect.map((rows) => rows.length))

      return OutboxAdmin.of({
        backlog: backlog(undefined).pipe(Effect.orDie, Effect.withSpan("OutboxAdmin.backlog")),
        deadLetters: (limit) => deadLetters(limit).pipe(Effect.orDie, Effect.withSpan("OutboxAdmin.deadLetters")),
        retry: (filter) => retry(filter).pipe(Effect.orDie, Effect.withSpan("OutboxAdmin.retry"))
      })
    })
  )
}

/**
 * Publishes every consumer's lag and parked count as gauges, and forgets inbox records old enough
 * that their outbox rows are gone (completed rows are kept 7 days). Each replica reports the same
 * numbers; alerts take the max.
 */
export const layerBacklogMetrics = (consumers: ReadonlyArray<string>, interval: Duration.Input = "15 seconds") =>
  Layer.effectDiscard(
    Effect.gen(function* () {
      const admin = yield* OutboxAdmin
      const sql = yield* SqlClient.SqlClient
      const report = Effect.gen(function* () {
        const rows = new Map((yield* admin.backlog).map((row) => [row.consumer, row]))
        for (const consumer of consumers) {
          const row = rows.get(consumer)
          yield* EventMetrics.backlog(consumer, row?.lagSeconds ?? 0, row?.deadLetters ?? 0)
        }
      })
      yield* report.pipe(
        Effect.catchCause((cause) => Effect.logWarning("could not read the outbox backlog", cause)),
        Effect.repeat(Schedule.spaced(interval)),
        Effect.forkScoped
      )
      yield* sql`DELETE FROM event_inbox WHERE handled_at < now() - interval '8 days'`.pipe(
        Effect.catchCause((cause) => Effect.logWarning("could not trim the event inbox", cause)),
        Effect.repeat(Schedule.spaced("1 hour")),
        Effect.forkScoped
      )
    })
  )
