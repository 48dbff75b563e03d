import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { assert, expect, it } from "@effect/vitest"
import { Effect, Layer, Schedule } from "effect"
import { SqlClient } from "effect/sql"
import { Inbox } from "../../../src/platform/events/Inbox.ts"
import { eventConsumer, layerRunner, layerStoreSql } from "../../../src/platform/events/Outbox.ts"
import { Transaction } from "../../../src/platform/Transaction.ts"
import { eventually } from "../../support/Eventually.ts"
import { TestDatabase } from "../../support/TestDatabase.ts"
import { Pinged } from "./TestEvents.ts"

const fixture = fileURLToPath(new URL("./fixtures/PublishAndHang.ts", import.meta.url))

/** Starts the fixture on `url` and resolves with the event id once it is being delivered; the process keeps running. */
const startReplica = (url: string) =>
  Effect.callback<{ readonly id: string; readonly kill: () => Promise<number | null> }, Error>((resume) => {
    const child = spawn(process.execPath, [fixture], { env: { ...process.env, DATABASE_URL: url }, stdio: ["ignore", "pipe", "pipe"] })
    let output = ""
    let errors = ""
    const exited = new Promise<number | null>((resolve) => child.once("exit", (_code, signal) => resolve(signal === null ? _code : -1)))
    child.stderr.on("data", (chunk) => (errors += chunk))
    child.stdout.on("data", (chunk) => {
      output += chunk
      const handling = /handling (\S+)/.exec(output)
      if (handling?.[1] !== undefined && output.includes(`committed ${handling[1]}`))
        resume(Effect.succeed({ id: handling[1], kill: () => {
          child.kill("SIGKILL")
          return exited
        } }))
    })
    child.once("exit", (code) => resume(Effect.fail(new Error(`replica exited early (${code}): ${output}${errors}`))))
    return Effect.sync(() => child.kill("SIGKILL"))
  })

it.live(
  "an event whose replica is SIGKILLed between the commit and the delivery is delivered after a restart",
  () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const url = yield* TestDatabase.url

      const replica = yield* startReplica(url).pipe(Effect.timeout("60 seconds"))
      expect(yield* Effect.promise(replica.kill)).toBe(-1)
      const [row] = yield* sql<{ state: string }>`SELECT state FROM event_outbox WHERE id = ${replica.id}`
      expect(row?.state).toBe("pending")

      // The restarted replica takes the row once the dead one's claim lapses (2 s).
      const handled: Array<string> = []
      const consumer = eventConsumer({
        name: "test.pings",
        events: [Pinged],
        handler: Effect.succeed((event: Pinged) => Effect.sync(() => handled.push(event.id)))
      })
      const policy = { maxAttempts: 5, retrySchedule: Schedule.spaced("1 second"), workers: 1 }
      const settled = Effect.gen(function* () {
        assert.deepStrictEqual(handled, [replica.id])
        // The acknowledgement follows the handler.
        const [after] = yield* sql<{ state: string; attempts: number }>`SELECT state, attempts FROM event_outbox WHERE id = ${replica.id}`
        assert.deepStrictEqual(after, { state: "completed", attempts: 2 })
      })
      yield* eventually(settled, "30 seconds").pipe(
        Effect.provide(
          layerRunner([consumer], policy).pipe(
            Layer.provide(Layer.mergeAll(layerStoreSql({ pollInterval: "100 millis", lockExpiration: "2 seconds" }), Transaction.layerSql, Inbox.layerSql))
          )
        )
      )
    }).pipe(Effect.provide(TestDatabase.layer)),
  60_000
)
