import { spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import { fileURLToPath } from "node:url"
import { assert, expect, it } from "@effect/vitest"
import { Duration, Effect, Layer, Redacted, Schedule } from "effect"
import { SqlClient } from "effect/sql"
import { Webhook } from "standardwebhooks"
import { Inbox } from "../../../src/platform/events/Inbox.ts"
import { layerRunner, layerStoreSql } from "../../../src/platform/events/Outbox.ts"
import { defaultPolicy } from "../../../src/platform/http-client/ExternalHttp.ts"
import * as NodeExternalHttp from "../../../src/platform/http-client/NodeExternalHttp.ts"
import { Transaction } from "../../../src/platform/Transaction.ts"
import { webhookConsumers } from "../../../src/platform/webhooks/WebhookDelivery.ts"
import { WebhookSender } from "../../../src/platform/webhooks/WebhookSender.ts"
import { eventually } from "../../support/Eventually.ts"
import { TestDatabase } from "../../support/TestDatabase.ts"
import { Pinged } from "../events/TestEvents.ts"
import { receiver } from "../http-client/Receiver.ts"

const fixture = fileURLToPath(new URL("./fixtures/PublishAndDeliver.ts", import.meta.url))
const secret = `whsec_${randomBytes(32).toString("base64")}`

/** Starts the fixture; resolves with the committed event's id and a SIGKILL; the process keeps running. */
const startReplica = (databaseUrl: string, receiverUrl: string) =>
  Effect.callback<{ readonly id: string; readonly kill: () => Promise<string | null> }, Error>((resume) => {
    const child = spawn(process.execPath, [fixture], {
      env: { ...process.env, DATABASE_URL: databaseUrl, WEBHOOK_RECEIVER_URL: receiverUrl, WEBHOOK_SECRET: secret },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let output = ""
    let errors = ""
    const exited = new Promise<string | null>((resolve) => child.once("exit", (_code, signal) => resolve(signal)))
    child.stderr.on("data", (chunk) => (errors += chunk))
    child.stdout.on("data", (chunk) => {
      output += chunk
      const committed = /committed (\S+)/.exec(output)?.[1]
      const kill = () => {
        child.kill("SIGKILL")
        return exited
      }
      if (committed !== undefined) resume(Effect.succeed({ id: committed, kill }))
    })
    child.once("exit", (code) => resume(Effect.fail(new Error(`replica exited early (${code}): ${output}${errors}`))))
    return Effect.sync(() => child.kill("SIGKILL"))
  })

it.live(
  "a replica SIGKILLed with a delivery in flight: the restarted one delivers the event, same webhook-id",
  () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const url = yield* TestDatabase.url
      // The first request is never answered; the next are.
      const target = yield* receiver("hang")

      const replica = yield* startReplica(url, target.url).pipe(Effect.timeout("60 seconds"))
      yield* eventually(Effect.sync(() => assert.strictEqual(target.received.length, 1)), "30 seconds")
      expect(target.received[0]?.headers["webhook-id"]).toBe(replica.id)
      expect(yield* Effect.promise(replica.kill)).toBe("SIGKILL")

      // The restarted replica takes the row once the dead one's claim lapses (2 s).
      const consumers = webhookConsumers([target.url], [Pinged])
      const sender = WebhookSender.layerExternalHttp({ secret: Redacted.make(secret) }).pipe(
        Layer.provide(NodeExternalHttp.layer({ ...defaultPolicy, timeout: Duration.seconds(10), allowPrivateAddresses: true }))
      )
      const restarted = layerRunner(consumers, { maxAttempts: 5, retrySchedule: Schedule.spaced("1 second"), workers: 1 }).pipe(
        Layer.provide(sender),
        Layer.provide(Layer.mergeAll(layerStoreSql({ pollInterval: "100 millis", lockExpiration: "2 seconds" }), Transaction.layerSql, Inbox.layerSql))
      )
      yield* eventually(
        Effect.gen(function* () {
          assert.strictEqual(target.received.length, 2)
          const [row] = yield* sql<{ state: string }>`SELECT state FROM event_outbox WHERE id = ${replica.id}`
          assert.strictEqual(row?.state, "completed")
        }),
        "30 seconds"
      ).pipe(Effect.provide(restarted))
      const delivered = target.received[1]!
      expect(delivered.headers["webhook-id"]).toBe(replica.id)
      expect(
        new Webhook(secret).verify(delivered.body, {
          "webhook-id": delivered.headers["webhook-id"] as string,
          "webhook-timestamp": delivered.headers["webhook-timestamp"] as string,
          "webhook-signature": delivered.headers["webhook-signature"] as string
        })
      ).toMatchObject({ id: replica.id, type: "conduit.test.pinged", data: { n: 42 } })
    }).pipe(Effect.scoped, Effect.provide(TestDatabase.layer)),
  90_000
)
