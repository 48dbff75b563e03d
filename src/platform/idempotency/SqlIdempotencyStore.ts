import { Config, Data, Duration, Effect, Layer, Option, Schedule, Schema, Semaphore } from "effect"
import { SqlClient, type SqlError } from "effect/sql"
import { type Claim, IDEMPOTENCY_KEY_TTL, IdempotencyStore, type Outcome, type StoredResponse } from "./IdempotencyStore.ts"

/** The table of keys and first answers, as a migration of the service. */
export const idempotencyMigrations = (id: number) => ({
  [`${String(id).padStart(4, "0")}_create_idempotency_keys`]: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql`
      CREATE TABLE idempotency_keys (
        scope text NOT NULL,
        key text NOT NULL,
        fingerprint text NOT NULL,
        status smallint NOT NULL,
        headers text NOT NULL,
        body text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (scope, key)
      )`
    // Serves the periodic prune of expired keys.
    yield* sql`CREATE INDEX idempotency_keys_expires_at_idx ON idempotency_keys (expires_at)`
  })
})

const Row = Schema.Struct({ fingerprint: Schema.String, status: Schema.Int, headers: Schema.String, body: Schema.String })
const Headers = Schema.fromJsonString(Schema.Record(Schema.String, Schema.String))
const decodeRow = Schema.decodeUnknownEffect(Row)
const decodeHeaders = Schema.decodeUnknownEffect(Headers)

/** The work's result when it is not to be stored: carried out of the transaction so that it rolls back. */
class NotKept<A> extends Data.TaggedError("NotKept")<{ readonly value: A }> {}

// The advisory-lock namespace of idempotency keys (the two-key form, apart from the migrator's one-key lock).
const LOCK_CLASS = 0x1de0

export interface SqlStoreOptions {
  /** How often expired keys are deleted (by every replica; each delete is cheap and they do not conflict). */
  readonly pruneEvery?: Duration.Duration
  /** Keyed requests running at once; by default half of DATABASE_POOL_MAX (10), so they never hold the whole pool. */
  readonly maxConcurrent?: number
}

/**
 * Keys in PostgreSQL. A request holds a transaction-scoped advisory lock on its key while it runs, so
 * a concurrent request under the same key (on any replica) is told at once that it is in flight,
 * and the lock goes with the transaction, whatever ends it (commit, rollback, a lost connection).
 * A keyed request holds its connection for its whole run (a registration's password hashing
 * included), so at most `maxConcurrent` run at once; the others wait for a turn, holding none.
 */
export const layerSql = (options: SqlStoreOptions = {}) =>
  Layer.effect(
    IdempotencyStore,
    Effect.gen(function* () {
      const sql = (yield* SqlClient.SqlClient).withoutTransforms()
      const pool = yield* Config.Int("DATABASE_POOL_MAX").pipe(Config.withDefault(10))
      const turns = yield* Semaphore.make(options.maxConcurrent ?? Math.max(1, Math.floor(pool / 2)))
      const ttl = `${Duration.toMillis(IDEMPOTENCY_KEY_TTL)} milliseconds`

      const prune = Effect.map(
        sql`DELETE FROM idempotency_keys WHERE expires_at <= now() RETURNING 1`,
        (rows) => rows.length
      )
      yield* prune.pipe(
        Effect.tap((removed) => (removed > 0 ? Effect.logDebug("expired idempotency keys removed", { removed }) : Effect.void)),
        Effect.ignore,
        Effect.repeat(Schedule.spaced(options.pruneEvery ?? Duration.minutes(10))),
        Effect.forkScoped
      )

      const once = <A, E, R>(
        claim: Claim,
        work: Effect.Effect<A, E, R>,
        keep: (value: A) => Option.Option<StoredResponse>
      ): Effect.Effect<Outcome<A>, E | SqlError.SqlError, R> =>
        sql
          .withTransaction(
            Effect.gen(function* () {
              const [lock] =
                yield* sql`SELECT pg_try_advisory_xact_lock(${LOCK_CLASS}, hashtext(${claim.scope} || ' ' || ${claim.key})) AS locked`
              if (lock?.locked !== true) return { _tag: "InFlight" } as const
              const [found] = yield* sql`
                SELECT fingerprint, status, headers, body FROM idempotency_keys
                WHERE scope = ${claim.scope} AND key = ${claim.key} AND expires_at > now()`
              if (found !== undefined) {
                const row = yield* Effect.orDie(decodeRow(found))
                if (row.fingerprint !== claim.fingerprint) return { _tag: "Mismatch" } as const
                const headers = yield* Effect.orDie(decodeHeaders(row.headers))
                return { _tag: "Replay", response: { status: row.status, headers, body: row.body } } as const
              }
              const value = yield* work
              const response = keep(value)
              if (Option.isNone(response)) return yield* new NotKept({ value })
              // An expired row of the same key is replaced; the lock keeps live ones from racing here.
              yield* sql`
                INSERT INTO idempotency_keys (scope, key, fingerprint, status, headers, body, expires_at)
                VALUES (${claim.scope}, ${claim.key}, ${claim.fingerprint}, ${response.value.status},
                  ${JSON.stringify(response.value.headers)}, ${response.value.body}, now() + ${ttl}::interval)
                ON CONFLICT (scope, key) DO UPDATE SET
                  fingerprint = excluded.fingerprint, status = excluded.status, headers = excluded.headers,
                  body = excluded.body, created_at = now(), expires_at = excluded.expires_at`
              return { _tag: "Ran", value } as const
            })
          )
          .pipe(
            Effect.catchIf(
              (error): error is NotKept<A> => error instanceof NotKept,
              (notKept): Effect.Effect<Outcome<A>> => Effect.succeed({ _tag: "Ran", value: notKept.value })
            ),
            turns.withPermits(1)
          )

      return IdempotencyStore.of({ prune, once })
    })
  )
