import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { assert, expect, it } from "@effect/vitest"
import { Effect, Layer, Schedule } from "effect"
import { SqlClient } from "effect/sql"
import { Inbox } from "../../../src/platform/events/Inbox.ts"
import { EventPublisher, newEvent } from "../../../src/platform/events/EventPublisher.ts"
import { eventConsumer, layerPublisher, layerRunner, layerStoreSql } from "../../../src/platform/events/Outbox.ts"
import { Transaction } from "../../../src/platform/Transaction.ts"
import { eventually } from "../../support/Eventually.ts"
import { TestDatabase } from "../../support/TestDatabase.ts"
import { Pinged } from "./TestEvents.ts"

const cliPath = fileURLToPath(new URL("../../../src/cli.ts", import.meta.url))

interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs `node src/cli.ts …args` on the suite's database, as an operator would. */
const cli = (url: string, ...args: ReadonlyArray<string>) =>
  Effect.callback<Run>((resume) => {
    const child = execFile(
      process.execPath,
      [cliPath, ...args],
      { env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: "Warn" }, timeout: 60_000 },
      (error, stdout, stderr) =>
        resume(Effect.succeed({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr }))
    )
    return Effect.sync(() => child.kill("SIGKILL"))
  })


it.live(
  "events status lists a dead letter and events retry puts it back in line; users delete publishes UserDeleted",
  () =>
    Effect.gen(function* () {
      const url = yield* TestDatabase.url
      const sql = yield* SqlClient.SqlClient
      const probe = { failing: true, handled: [] as Array<string> }
      const consumer = eventConsumer({
        name: "test.pings",
        events: [Pinged],
        handler: Effect.succeed((event: Pinged) =>
          probe.failing ? Effect.fail(new Error("the ping service is down")) : Effect.sync(() => probe.handled.push(event.id))
        )
      })
      // One attempt, then parked.
      const policy = { maxAttempts: 1, retrySchedule: Schedule.spaced("1 second"), workers: 1 }
      const replica = Layer.mergeAll(layerPublisher([consumer], policy), layerRunner([consumer], policy)).pipe(
        Layer.provideMerge(Layer.mergeAll(layerStoreSql({ pollInterval: "100 millis" }), Transaction.layerSql, Inbox.layerSql))
      )
      yield* Effect.gen(function* () {
        const event = yield* newEvent(Pinged, { actorId: null, payload: { n: 1 } })
        yield* (yield* Transaction).run((yield* EventPublisher).publish(event))
        yield* eventually(
          Effect.map(sql<{ state: string }>`SELECT state FROM event_outbox WHERE id = ${event.id}`, (rows) =>
            assert.deepStrictEqual(rows, [{ state: "failed" }])
          )
        )

        const status = yield* cli(url, "events", "status")
        expect(status.code, status.stderr).toBe(0)
        expect(status.stdout).toMatch(/test\.pings\s+0\s+0\s+1/)
        expect(status.stdout).toContain(event.id)
        expect(status.stdout).toContain("the ping service is down")

        probe.failing = false
        const retry = yield* cli(url, "events", "retry", "--consumer", "test.pings")
        expect(retry.code, retry.stderr).toBe(0)
        expect(retry.stdout).toContain("1 dead letter(s) back in line")
        yield* eventually(Effect.sync(() => assert.deepStrictEqual(probe.handled, [event.id])))
        expect((yield* cli(url, "events", "status")).stdout).toContain("no pending or parked events")
      }).pipe(Effect.provide(replica))

      // `users delete` commits the deletion and its event for every module's consumer.
      const [user] = yield* sql<{ id: number }>`
        INSERT INTO users (email, username, password_hash) VALUES ('cli@example.com', 'cli-user', 'x') RETURNING id`
      const deleted = yield* cli(url, "users", "delete", "cli-user")
      expect(deleted.code, deleted.stderr).toBe(0)
      expect(deleted.stdout).toContain(`deleted user cli-user (id ${user?.id})`)
      expect(yield* sql`SELECT 1 FROM users WHERE id = ${user?.id}`).toEqual([])
      const queued = yield* sql<{ queueName: string }>`
        SELECT queue_name FROM event_outbox WHERE element::jsonb #>> '{event,type}' = 'user.deleted' ORDER BY queue_name`
      expect(queued.map((row) => row.queueName)).toEqual([
        "articles.remove-deleted-accounts",
        "comments.remove-deleted-authors",
        "profiles.forget-deleted-accounts"
      ])
      const unknown = yield* cli(url, "users", "delete", "nobody-by-this-name")
      expect(unknown.code).toBe(1)
      expect(unknown.stderr).toContain("users delete: no user named nobody-by-this-name")
    }).pipe(Effect.provide(TestDatabase.layer)),
  120_000
)
