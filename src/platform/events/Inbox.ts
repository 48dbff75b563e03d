import { Context, Effect, Layer } from "effect"
import { SqlClient, SqlError } from "effect/sql"

/**
 * Makes a consumer's handler run once per event, however often the outbox delivers it (delivery is
 * at least once: a crash between the handler's commit and the acknowledgement delivers again).
 * On PostgreSQL the handled event's id is recorded in the handler's own transaction, so the record
 * and the handler's writes commit together or not at all.
 */
export class Inbox extends Context.Service<
  Inbox,
  {
    /** Runs `effect` unless `consumer` already handled `eventId`; true when it ran. */
    readonly once: <E, R>(consumer: string, eventId: string, effect: Effect.Effect<void, E, R>) => Effect.Effect<boolean, E, R>
  }
>()("app/platform/events/Inbox") {
  static readonly layerSql = Layer.effect(
    Inbox,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      return Inbox.of({
        once: (consumer, eventId, effect) =>
          sql
            .withTransaction(
              Effect.gen(function* () {
                const claimed = yield* sql`
                  INSERT INTO event_inbox (consumer, event_id) VALUES (${consumer}, ${eventId})
                  ON CONFLICT DO NOTHING RETURNING 1 AS claimed`
                if (claimed.length === 0) return false
                yield* effect
                return true
              })
            )
            .pipe(Effect.catchIf(SqlError.isSqlError, Effect.die)) as Effect.Effect<boolean, never, never>
      })
    })
  )

  static readonly layerMemory = Layer.sync(Inbox, () => {
    const handled = new Set<string>()
    return Inbox.of({
      once: (consumer, eventId, effect) =>
        Effect.suspend(() => {
          const key = `${consumer}\u0000${eventId}`
          if (handled.has(key)) return Effect.succeed(false)
          return Effect.as(Effect.tap(effect, () => Effect.sync(() => handled.add(key))), true)
        })
    })
  })
}

/** The inbox's table: which consumer handled which event, kept as long as the outbox keeps completed rows. */
export const createEventInbox = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    CREATE TABLE event_inbox (
      consumer text NOT NULL,
      event_id text NOT NULL,
      handled_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (consumer, event_id)
    )`
  yield* sql`CREATE INDEX event_inbox_handled_at_idx ON event_inbox (handled_at)`
})
