import { Cause, Clock, Config, Data, Duration, Effect, Exit } from "effect"
import { SqlClient } from "effect/sql"

/** A schema change: runs in its own transaction with the migration's lock and statement timeouts. */
export type MigrationEffect = Effect.Effect<void, unknown, SqlClient.SqlClient>

/** A schema change PostgreSQL refuses inside a transaction, such as `CREATE INDEX CONCURRENTLY`. */
export interface NonTransactional {
  readonly _tag: "NonTransactional"
  readonly run: MigrationEffect
  /** Overrides MIGRATION_STATEMENT_TIMEOUT: building an index on a large table takes long, but locks nothing. */
  readonly statementTimeout?: Duration.Duration
}

export type Migration = MigrationEffect | NonTransactional

/** Migrations keyed `<id>_<name>`; ids are global across modules, each applied once, in id order. */
export type Migrations = Record<string, Migration>

/**
 * Runs `run` outside a transaction, on a session of its own. Keep it to statements that are safe to
 * repeat or that fail without leaving anything behind but what the runbook says (an INVALID index
 * after a failed `CREATE INDEX CONCURRENTLY`): it is recorded only after it succeeded.
 */
export const nonTransactional = (
  run: MigrationEffect,
  options: { readonly statementTimeout?: Duration.Duration } = {}
): NonTransactional => ({ _tag: "NonTransactional", run, ...options })

export class MigrationFailed extends Data.TaggedError("MigrationFailed")<{
  readonly migration: string
  readonly message: string
  readonly cause: unknown
}> {}

export interface MigrationSettings {
  /** How long a statement waits for a lock before giving up (and the migration is retried). */
  readonly lockTimeout: Duration.Duration
  /** How long one statement may run. */
  readonly statementTimeout: Duration.Duration
  /** Tries per transactional migration that gave up waiting for a lock. */
  readonly attempts: number
}

/** MIGRATION_LOCK_TIMEOUT (default 5 seconds), MIGRATION_STATEMENT_TIMEOUT (default 1 minute). */
export const migrationSettings: Config.Config<MigrationSettings> = Config.all({
  lockTimeout: Config.Duration("MIGRATION_LOCK_TIMEOUT").pipe(Config.withDefault(Duration.seconds(5))),
  statementTimeout: Config.Duration("MIGRATION_STATEMENT_TIMEOUT").pipe(Config.withDefault(Duration.minutes(1))),
  attempts: Config.succeed(3)
})

const table = "effect_sql_migrations"

/** The SQLSTATE of a failure, wherever the driver error sits in its cause chain. */
export const sqlState = (error: unknown, depth = 0): string | undefined => {
  if (depth > 6 || typeof error !== "object" || error === null) return undefined
  const e = error as { code?: unknown; cause?: unknown; reason?: unknown }
  if (typeof e.code === "string" && /^[0-9A-Z]{5}$/.test(e.code)) return e.code
  return sqlState(e.cause, depth + 1) ?? sqlState(e.reason, depth + 1)
}
const lockNotAvailable = "55P03"

const ms = (d: Duration.Duration) => `${Math.round(Duration.toMillis(d))}ms`

/**
 * Applies every migration not yet recorded in `effect_sql_migrations` (the table effect's own migrator
 * keeps, so databases it migrated carry on), in id order, each in its own transaction:
 * - a session advisory lock serialises concurrent runners (pods starting together, a Job beside a pod);
 * - every statement runs under `lock_timeout` and `statement_timeout`, so a migration that would queue
 *   behind live traffic (and make every request queue behind it) gives up and is retried, then fails;
 * - one transaction per migration, so its locks are held only while it runs, and a failure keeps the
 *   migrations before it;
 * - `nonTransactional` migrations run without a transaction, for `CREATE INDEX CONCURRENTLY`.
 */
export const runMigrations = (migrations: Migrations) =>
  Effect.gen(function* () {
    const settings = yield* migrationSettings
    const sql = yield* SqlClient.SqlClient
    const session = yield* sql.reserve
    const raw = (statement: string) => session.executeUnprepared(statement, [], undefined)
    /** Statements of `effect` run on the reserved session (depth 1: inside the transaction opened on it). */
    const onSession = <A, E, R>(effect: Effect.Effect<A, E, R>, depth: number) =>
      Effect.provideService(effect, sql.transactionService, [session, depth])

    yield* raw(`SELECT pg_advisory_lock(hashtext('${table}'))`)
    yield* Effect.addFinalizer(() =>
      raw(`SELECT pg_advisory_unlock(hashtext('${table}'))`).pipe(
        Effect.andThen(raw("RESET ALL")),
        Effect.ignore
      )
    )
    yield* raw(
      `CREATE TABLE IF NOT EXISTS ${table} (migration_id integer PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now(), name text NOT NULL)`
    )
    const recorded = new Set(
      (yield* session.execute(`SELECT migration_id FROM ${table}`, [], undefined)).map((row) => Number(row.migration_id))
    )
    const pending = Object.entries(migrations)
      .flatMap(([key, migration]) => {
        const m = /^(\d+)_(.+)$/.exec(key)
        return m ? [{ id: Number(m[1]), name: m[2] ?? "", key, migration }] : []
      })
      .filter(({ id }) => !recorded.has(id))
      .sort((a, b) => a.id - b.id)

    const record = (id: number, name: string) =>
      session.execute(`INSERT INTO ${table} (migration_id, name) VALUES ($1, $2)`, [id, name], undefined)

    const failed = (key: string, cause: unknown) =>
      new MigrationFailed({
        migration: key,
        cause,
        message:
          sqlState(cause) === lockNotAvailable
            ? `migration ${key} gave up waiting for a lock (MIGRATION_LOCK_TIMEOUT ${ms(settings.lockTimeout)}) ${settings.attempts} times: live traffic holds the table; run it again at a quieter time`
            : `migration ${key} failed`
      })

    const transactional = (key: string, id: number, name: string, effect: MigrationEffect) =>
      Effect.gen(function* () {
        for (let attempt = 1; ; attempt++) {
          yield* raw("BEGIN")
          const exit = yield* Effect.exit(
            onSession(
              Effect.gen(function* () {
                yield* raw(`SET LOCAL lock_timeout = '${ms(settings.lockTimeout)}'`)
                yield* raw(`SET LOCAL statement_timeout = '${ms(settings.statementTimeout)}'`)
                yield* effect
                yield* record(id, name)
              }),
              1
            )
          )
          if (Exit.isSuccess(exit)) return yield* raw("COMMIT")
          yield* raw("ROLLBACK")
          const error = Cause.squash(exit.cause)
          if (sqlState(error) !== lockNotAvailable || attempt >= settings.attempts) return yield* failed(key, error)
          yield* Effect.logWarning(`migration ${key} waited too long for a lock; trying again`, { attempt })
          yield* Effect.sleep(Duration.times(settings.lockTimeout, attempt))
        }
      })

    const outside = (key: string, id: number, name: string, migration: NonTransactional) =>
      Effect.gen(function* () {
        yield* raw(`SET lock_timeout = '${ms(settings.lockTimeout)}'`)
        yield* raw(`SET statement_timeout = '${ms(migration.statementTimeout ?? settings.statementTimeout)}'`)
        const exit = yield* Effect.exit(onSession(migration.run, 0))
        yield* raw("RESET lock_timeout")
        yield* raw("RESET statement_timeout")
        if (Exit.isFailure(exit)) return yield* failed(key, Cause.squash(exit.cause))
        yield* record(id, name)
      })

    for (const { id, name, key, migration } of pending) {
      yield* (Effect.isEffect(migration) ? transactional(key, id, name, migration) : outside(key, id, name, migration)).pipe(
        Effect.withSpan(`Migrator ${key}`)
      )
    }
    const applied = pending.map(({ id, name }) => [id, name] as const)
    yield* applied.length === 0
      ? Effect.logDebug("database schema is up to date")
      : Effect.logInfo("applied migrations", applied.map(([id, name]) => `${id}_${name}`).join(", "))
    return applied
  }).pipe(Effect.scoped, Effect.withSpan("Database.migrate"))

/**
 * Waits (by default up to two minutes) until every migration is recorded: with migrations left to a separate Job, a
 * pod that starts first (a plain `kubectl apply -k` rolls the Deployment beside the Job) does not serve
 * code newer than its schema, and one that outwaits the Job exits naming what is missing while the
 * previous pods keep serving. Reads only the migrations' record, which the app role may select.
 */
export const awaitMigrations = (
  migrations: Migrations,
  wait: { readonly timeout: Duration.Duration; readonly interval: Duration.Duration } = {
    timeout: Duration.minutes(2),
    interval: Duration.seconds(2)
  }
) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const wanted = Object.keys(migrations).flatMap((key) => {
      const m = /^(\d+)_/.exec(key)
      return m ? [[Number(m[1]), key] as const] : []
    })
    const missing = Effect.gen(function* () {
      const exists = yield* sql`SELECT to_regclass(${table}) IS NOT NULL AS present`.withoutTransform
      if (exists[0]?.present !== true) return wanted.map(([, key]) => key)
      const rows = yield* sql`SELECT migration_id FROM ${sql(table)}`.withoutTransform
      const recorded = new Set(rows.map((row) => Number(row.migration_id)))
      return wanted.filter(([id]) => !recorded.has(id)).map(([, key]) => key)
    })
    const deadline = (yield* Clock.currentTimeMillis) + Duration.toMillis(wait.timeout)
    for (;;) {
      const pending = yield* missing
      if (pending.length === 0) return
      if ((yield* Clock.currentTimeMillis) > deadline) {
        return yield* new MigrationFailed({
          migration: pending.join(", "),
          cause: undefined,
          message: `migrations ${pending.join(", ")} are not applied: run the migration Job first (scripts/deploy/deploy.sh does)`
        })
      }
      yield* Effect.logWarning("waiting for migrations to be applied", pending.join(", "))
      yield* Effect.sleep(wait.interval)
    }
  }).pipe(Effect.withSpan("Database.awaitMigrations"))
