import { expect, layer } from "@effect/vitest"
import { Duration, Effect, Layer, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import { Application } from "../../../src/app/Application.ts"
import { SqlAdapters } from "../../../src/app/Infrastructure.ts"
import { Database } from "../../../src/platform/sql/Database.ts"
import { freePort } from "../../../scripts/embedded-postgres.ts"
import { aRegistrationBody } from "../../modules/users/UserMother.ts"
import { PostgresCluster } from "../../support/PostgresCluster.ts"
import { call, type Reply, TestServer } from "../../support/TestApp.ts"

// PostgreSQL stopped, restarted and frozen under a running server: API requests get 503 with
// Retry-After in the envelope, never a 500 or a hang; service comes back by itself; no answered write
// is lost, and none refused as "nothing was changed" was stored. Timings are printed, not asserted
// tightly: the bounds are generous for a busy machine (speed targets live in bench/).

let cluster: PostgresCluster

const Cluster = Layer.effectDiscard(
  Effect.acquireRelease(
    Effect.promise(async () => {
      cluster = await PostgresCluster.create()
    }),
    () => Effect.promise(() => cluster.dispose())
  )
)

const OnCluster = Layer.unwrap(
  Effect.sync(() => {
    const pool = Database.layer(Redacted.make(cluster.url), { maxConnections: 4, connectTimeout: Duration.seconds(1) })
    return SqlAdapters.pipe(Layer.provideMerge(Layer.provideMerge(Database.layerMigrations(Application.migrations), pool)))
  })
).pipe(Layer.provide(Cluster))

const REQUEST_TIMEOUT = Duration.seconds(3)

const timed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const started = performance.now()
    const result = yield* effect
    return { result, ms: Math.round(performance.now() - started) }
  })

const expectUnavailable = (reply: Reply) => {
  expect(reply.status).toBe(503)
  expect(reply.headers["retry-after"]).toBe("1")
  expect(reply.body).toEqual({ errors: { service: [expect.any(String)] } })
}

/** Polls until `GET /api/tags` is 200 again; the time from `since` until then. */
const recovery = (since: number) =>
  Effect.gen(function* () {
    while (performance.now() - since < 30_000) {
      if ((yield* call("GET", "/api/tags")).status === 200) return Math.round(performance.now() - since)
      yield* Effect.sleep(Duration.millis(20))
    }
    return yield* Effect.die(new Error("no recovery within 30 s"))
  })

interface Write {
  readonly title: string
  readonly reply: Reply
}

layer(TestServer(OnCluster, { requestTimeout: REQUEST_TIMEOUT }), { timeout: "120 seconds", excludeTestServices: true })(
  "PostgreSQL outages under a running server",
  (it) => {
    const writes: Array<Write> = []
    let token = ""
    let n = 0
    const write = Effect.gen(function* () {
      const title = `outage write ${++n} ${process.pid}`
      const reply = yield* call("POST", "/api/articles", {
        token,
        body: { article: { title, description: "d", body: "b", tagList: ["outage"] } }
      })
      writes.push({ title, reply })
      return reply
    })

    it.effect("stopped: 503 + Retry-After at once (also readiness), back by itself after the restart", () =>
      Effect.gen(function* () {
        const user = aRegistrationBody()
        token = (yield* call("POST", "/api/users", { body: { user } })).body.user.token
        expect((yield* write).status).toBe(201)

        yield* Effect.promise(() => cluster.stop())
        const latencies: Array<number> = []
        for (let i = 0; i < 10; i++) {
          const tags = yield* timed(call("GET", "/api/tags"))
          expectUnavailable(tags.result)
          const posted = yield* timed(write)
          expectUnavailable(posted.result)
          latencies.push(tags.ms, posted.ms)
        }
        const ready = yield* timed(call("GET", "/health/ready"))
        expect(ready.result.status).toBe(503)
        expect(ready.ms).toBeLessThan(2_500)
        expect(Math.max(...latencies)).toBeLessThan(5_000)

        yield* Effect.promise(() => cluster.start())
        const back = yield* recovery(performance.now())
        expect((yield* write).status).toBe(201)
        expect((yield* call("GET", "/health/ready")).status).toBe(200)
        console.log(`[outage] stopped: 503 latency max ${Math.max(...latencies)} ms; recovered ${back} ms after PostgreSQL accepted again`)
      }))

    it.effect("frozen: unanswered requests end in 503 within the request timeout, then at once; back after the thaw", () =>
      Effect.gen(function* () {
        yield* Effect.promise(() => cluster.freeze())
        const started = performance.now()
        try {
          const first = yield* timed(call("GET", "/api/tags"))
          expectUnavailable(first.result)
          expect(first.ms).toBeLessThan(Duration.toMillis(REQUEST_TIMEOUT) + 5_000)
          const posted = yield* timed(write)
          expectUnavailable(posted.result)
          // Once the probe has noticed, requests are refused without waiting.
          while ((yield* call("GET", "/health/ready")).status !== 503) yield* Effect.sleep(Duration.millis(50))
          const noticed = Math.round(performance.now() - started)
          const gated = yield* timed(call("GET", "/api/tags"))
          expectUnavailable(gated.result)
          expect(gated.ms).toBeLessThan(1_000)
          console.log(`[outage] frozen: first 503 after ${first.ms} ms, outage noticed after ${noticed} ms, then 503 in ${gated.ms} ms`)
        } finally {
          cluster.thaw()
        }
        const back = yield* recovery(performance.now())
        expect((yield* write).status).toBe(201)
        console.log(`[outage] frozen: recovered ${back} ms after the thaw`)
      }))

    it.effect("no write answered 201 is lost, and none refused before it ran was stored", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const stored = new Set(
          (yield* sql<{ title: string }>`SELECT title FROM articles`).map((row) => row.title)
        )
        const created = writes.filter((w) => w.reply.status === 201)
        const refused = writes.filter((w) => w.reply.status === 503 && w.reply.body.errors.service[0].includes("nothing was changed"))
        const unknown = writes.filter((w) => w.reply.status === 503 && !refused.includes(w))
        expect(writes.every((w) => w.reply.status === 201 || w.reply.status === 503)).toBe(true)
        for (const w of created) expect(stored.has(w.title), w.title).toBe(true)
        for (const w of refused) expect(stored.has(w.title), w.title).toBe(false)
        console.log(
          `[outage] writes: ${created.length} created (all stored), ${refused.length} refused before running (none stored), ${unknown.length} outcome unknown (${unknown.filter((w) => stored.has(w.title)).length} stored)`
        )
      }))
  }
)

const Unreachable = Layer.unwrap(
  Effect.promise(async () => {
    const url = `postgres://postgres:postgres@127.0.0.1:${await freePort()}/postgres`
    return SqlAdapters.pipe(Layer.provideMerge(Database.layer(Redacted.make(url), { connectTimeout: Duration.seconds(1) })))
  })
)

layer(TestServer(Unreachable), { timeout: "60 seconds", excludeTestServices: true })(
  "started while PostgreSQL is down, without migrating",
  (it) => {
    it.effect("API routes are 503, not 500; liveness stays 200 and readiness 503", () =>
      Effect.gen(function* () {
        for (const path of ["/api/tags", "/api/articles", "/api/profiles/someone"]) expectUnavailable(yield* call("GET", path))
        expectUnavailable(yield* call("POST", "/api/users/login", { body: { user: { email: "a@b.co", password: "x" } } }))
        expect((yield* call("GET", "/health/live")).status).toBe(200)
        expect((yield* call("GET", "/health/ready")).status).toBe(503)
        // The refusal leaves with every response's headers: a browser front end can read it (CORS).
        const refused = yield* call("GET", "/api/tags", { headers: { origin: "https://app.example" } })
        expect(refused.headers).toMatchObject({ "access-control-allow-origin": "*", "x-content-type-options": "nosniff" })
        expect(refused.headers["x-request-id"]).toBeDefined()
      }))
  }
)
