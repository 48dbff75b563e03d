import { randomUUID } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Duration, Effect, Exit, Fiber, Layer, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import { inject } from "vitest"
import { Database } from "../../../src/platform/sql/Database.ts"
import { awaitMigrations, type Migrations, nonTransactional, runMigrations, sqlState } from "../../../src/platform/sql/Migrator.ts"

const admin = () => Redacted.make(inject("adminDatabaseUrl"))
const onServer = (statement: string) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(statement)).pipe(Effect.provide(Database.layer(admin(), { maxConnections: 1 })), Effect.orDie)

/** A fresh empty database for one test, with a pool on it; dropped afterwards. */
const FreshDatabase = Layer.unwrap(
  Effect.gen(function* () {
    const name = `migrator_${randomUUID().replaceAll("-", "")}`
    yield* Effect.acquireRelease(onServer(`CREATE DATABASE ${name}`), () => onServer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
    const url = new URL(Redacted.value(admin()))
    url.pathname = `/${name}`
    return Database.layer(Redacted.make(url.toString()), { maxConnections: 4 })
  })
)

const statement = (text: string) => Effect.asVoid(Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(text)))
const recorded = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  sql<{ migrationId: number }>`SELECT migration_id FROM effect_sql_migrations ORDER BY migration_id`.pipe(
    Effect.map((rows) => rows.map((r) => r.migrationId))
  )
)
const fastLocks = ConfigProvider.layer(ConfigProvider.fromUnknown({ MIGRATION_LOCK_TIMEOUT: "200 millis" }))

describe("migrations", () => {
  it.effect("each applies once, in id order, and an unrecorded lower id still runs after a higher one", () =>
    Effect.gen(function* () {
      const first: Migrations = { "0002_b": statement("CREATE TABLE b (id int)"), "0001_a": statement("CREATE TABLE a (id int)") }
      expect(yield* runMigrations(first)).toEqual([
        [1, "a"],
        [2, "b"]
      ])
      expect(yield* runMigrations(first)).toEqual([])
      // A branch merged later brings an id below the latest applied one: it is not skipped.
      const merged = { ...first, "0003_c": statement("CREATE TABLE c (id int)"), "0000_zero": statement("CREATE TABLE z (id int)") }
      expect(yield* runMigrations(merged)).toEqual([
        [0, "zero"],
        [3, "c"]
      ])
      expect(yield* recorded).toEqual([0, 1, 2, 3])
    }).pipe(Effect.provide(FreshDatabase)))

  it.effect("a failing migration rolls back alone: the ones before it stay applied", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(
        runMigrations({
          "0001_ok": statement("CREATE TABLE kept (id int)"),
          "0002_broken": Effect.andThen(statement("CREATE TABLE half (id int)"), statement("SELECT * FROM no_such_table"))
        })
      )
      expect(Exit.isFailure(exit)).toBe(true)
      expect(yield* recorded).toEqual([1])
      const sql = yield* SqlClient.SqlClient
      const tables = yield* sql<{ name: string }>`SELECT tablename AS name FROM pg_tables WHERE tablename IN ('kept', 'half')`
      expect(tables.map((t) => t.name)).toEqual(["kept"])
    }).pipe(Effect.provide(FreshDatabase)))

  // Live clock: the migrator really waits between attempts.
  it.live("behind a lock held by live traffic it gives up after lock_timeout, retries, then fails naming the cause", () =>
    Effect.gen(function* () {
      yield* runMigrations({ "0001_table": statement("CREATE TABLE busy (id int)") })
      const sql = yield* SqlClient.SqlClient
      // A long transaction holding the table, as a slow request would.
      const holder = yield* Effect.forkChild(
        sql.withTransaction(Effect.andThen(sql`LOCK TABLE busy IN ACCESS SHARE MODE`, Effect.sleep("10 seconds")))
      )
      yield* Effect.sleep("200 millis")
      const failure = yield* Effect.flip(runMigrations({ "0001_table": statement(""), "0002_alter": statement("ALTER TABLE busy ADD COLUMN x int") }))
      yield* Fiber.interrupt(holder)
      expect(failure.message).toMatch(/migration 0002_alter gave up waiting for a lock \(MIGRATION_LOCK_TIMEOUT 200ms\) 3 times/)
      expect(sqlState(failure.cause)).toBe("55P03")
      expect(yield* recorded).toEqual([1])
    }).pipe(Effect.provide(FreshDatabase), Effect.provide(fastLocks)), 20_000)

  it.effect("CREATE INDEX CONCURRENTLY runs as a non-transactional migration, and is refused inside a transaction", () =>
    Effect.gen(function* () {
      yield* runMigrations({ "0001_table": statement("CREATE TABLE big (id int, name text)") })
      const inTransaction = yield* Effect.flip(
        runMigrations({ "0002_index": statement("CREATE INDEX CONCURRENTLY big_name_idx ON big (name)") })
      )
      expect(sqlState(inTransaction.cause)).toBe("25001") // active_sql_transaction
      expect(yield* runMigrations({ "0002_index": nonTransactional(statement("CREATE INDEX CONCURRENTLY big_name_idx ON big (name)")) })).toEqual([
        [2, "index"]
      ])
      const sql = yield* SqlClient.SqlClient
      const [index] = yield* sql<{ valid: boolean }>`
        SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'big_name_idx'`
      expect(index?.valid).toBe(true)
      // The session's timeouts do not leak into the pool.
      const [settings] = yield* sql<{ lock: string }>`SELECT current_setting('lock_timeout') AS lock`
      expect(settings?.lock).toBe("0")
    }).pipe(Effect.provide(FreshDatabase)))

  it.live("concurrent runners apply each migration once (pods starting together)", () =>
    Effect.gen(function* () {
      const migrations: Migrations = {
        "0001_slow": Effect.andThen(statement("CREATE TABLE once (id int)"), statement("SELECT pg_sleep(0.3)")),
        "0002_next": statement("CREATE TABLE twice (id int)")
      }
      const results = yield* Effect.all([runMigrations(migrations), runMigrations(migrations), runMigrations(migrations)], {
        concurrency: "unbounded"
      })
      expect(results.map((applied) => applied.length).sort()).toEqual([0, 0, 2])
      expect(yield* recorded).toEqual([1, 2])
    }).pipe(Effect.provide(FreshDatabase)))

  it.live("a server started beside the migration Job waits for it, and gives up naming what is missing", () =>
    Effect.gen(function* () {
      const wait = { timeout: Duration.seconds(2), interval: Duration.millis(50) }
      const migrations: Migrations = { "0001_a": statement("CREATE TABLE a (id int)"), "0002_b": statement("CREATE TABLE b (id int)") }
      const waiting = yield* Effect.forkChild(awaitMigrations(migrations, wait))
      yield* Effect.sleep("300 millis")
      expect(waiting.pollUnsafe()).toBeUndefined()
      yield* runMigrations(migrations)
      expect(Exit.isSuccess(yield* Fiber.await(waiting))).toBe(true)
      const failure = yield* Effect.flip(awaitMigrations({ ...migrations, "0003_c": statement("SELECT 1") }, wait))
      expect(failure.message).toBe("migrations 0003_c are not applied: run the migration Job first (scripts/deploy/deploy.sh does)")
    }).pipe(Effect.provide(FreshDatabase)))
})
