import { randomUUID } from "node:crypto"
import { expect, layer } from "@effect/vitest"
import { Duration, Effect, Fiber } from "effect"
import { SqlClient } from "effect/sql"
import { IdempotencyStore } from "../../../src/platform/idempotency/IdempotencyStore.ts"
import { aRegistrationBody } from "../../modules/users/UserMother.ts"
import { call, PostgresAdapters, registered, TestServer } from "../../support/TestApp.ts"

const keyed = (key: string, token?: string) => ({ headers: { "idempotency-key": `"${key}"` }, ...(token === undefined ? {} : { token }) })

/** Real time, whichever clock the suite runs on: the server's lock waits and timeouts are real. */
const pause = (millis: number) => Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, millis)))

const anArticle = (title: string) => ({ article: { title, description: "d", body: "b", tagList: ["retry"] } })

const count = (statement: (sql: SqlClient.SqlClient) => Effect.Effect<ReadonlyArray<{ n: unknown }>, unknown>) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => statement(sql)).pipe(
    Effect.map((rows) => Number(rows[0]?.n)),
    Effect.orDie
  )
const articlesTitled = (title: string) => count((sql) => sql`SELECT count(*) AS n FROM articles WHERE title = ${title}`)

layer(TestServer(PostgresAdapters), { timeout: "60 seconds" })("POST with an Idempotency-Key", (it) => {
  it.effect("a retry gets the first answer again and writes nothing", () =>
    Effect.gen(function* () {
      const author = yield* registered()
      const key = randomUUID()
      const title = `Retried ${key}`
      const first = yield* call("POST", "/api/articles", { ...keyed(key, author.token), body: anArticle(title) })
      const again = yield* call("POST", "/api/articles", { ...keyed(key, author.token), body: anArticle(title) })
      expect(first.status).toBe(201)
      expect(first.headers["idempotent-replayed"]).toBeUndefined()
      expect(again.status).toBe(201)
      expect(again.body).toEqual(first.body)
      expect(again.headers["content-type"]).toBe(first.headers["content-type"])
      expect(again.headers["idempotent-replayed"]).toBe("true")
      // The edge's headers are the replay's own, as on any response.
      expect(again.headers["cache-control"]).toBe("no-store")
      expect(yield* articlesTitled(title)).toBe(1)
    }))

  it.effect("every keyed POST: register, comment, favorite, follow replay; login ignores the key", () =>
    Effect.gen(function* () {
      const user = aRegistrationBody()
      const key = randomUUID()
      const signUp = yield* call("POST", "/api/users", { ...keyed(key), body: { user } })
      const reRegistered = yield* call("POST", "/api/users", { ...keyed(key), body: { user } })
      expect(signUp.status).toBe(201)
      expect(reRegistered.status).toBe(201)
      expect(reRegistered.body).toEqual(signUp.body)
      expect(yield* count((sql) => sql`SELECT count(*) AS n FROM users WHERE username = ${user.username}`)).toBe(1)
      const token = signUp.body.user.token as string

      const other = yield* registered()
      const article = yield* call("POST", "/api/articles", { token: other.token, body: anArticle(`Commented ${key}`) })
      const slug = article.body.article.slug as string
      const comment = { comment: { body: `said once ${key}` } }
      const said = yield* call("POST", `/api/articles/${slug}/comments`, { ...keyed(`c-${key}`, token), body: comment })
      const saidAgain = yield* call("POST", `/api/articles/${slug}/comments`, { ...keyed(`c-${key}`, token), body: comment })
      expect(said.status).toBe(201)
      expect(saidAgain.body).toEqual(said.body)
      expect(saidAgain.headers["idempotent-replayed"]).toBe("true")
      expect(yield* count((sql) => sql`SELECT count(*) AS n FROM comments WHERE body = ${comment.comment.body}`)).toBe(1)

      for (const path of [`/api/articles/${slug}/favorite`, `/api/profiles/${other.username}/follow`]) {
        const once = yield* call("POST", path, keyed(`${path}-${key}`, token))
        const twice = yield* call("POST", path, keyed(`${path}-${key}`, token))
        expect(once.status).toBe(200)
        expect(twice.body).toEqual(once.body)
        expect(twice.headers["idempotent-replayed"]).toBe("true")
      }

      // Logging in writes nothing: the key is not looked at, every login gets a fresh answer.
      const login = { user: { email: user.email, password: user.password } }
      const first = yield* call("POST", "/api/users/login", { ...keyed(`l-${key}`), body: login })
      const wrong = yield* call("POST", "/api/users/login", {
        ...keyed(`l-${key}`),
        body: { user: { ...login.user, password: "not the password" } }
      })
      expect(first.status).toBe(200)
      expect(first.headers["idempotent-replayed"]).toBeUndefined()
      expect(wrong.status).toBe(401)
    }))

  it.effect("the same key with a different request is a 422, and writes nothing", () =>
    Effect.gen(function* () {
      const author = yield* registered()
      const key = randomUUID()
      const first = yield* call("POST", "/api/articles", { ...keyed(key, author.token), body: anArticle(`First ${key}`) })
      expect(first.status).toBe(201)
      const changed = yield* call("POST", "/api/articles", { ...keyed(key, author.token), body: anArticle(`Changed ${key}`) })
      expect(changed.status).toBe(422)
      expect(changed.body).toEqual({
        errors: { "Idempotency-Key": ["was used for a different request: send a new key with a new request"] }
      })
      expect(yield* articlesTitled(`Changed ${key}`)).toBe(0)
      // Another route under the same key is a different request too.
      const elsewhere = yield* call("POST", `/api/articles/${first.body.article.slug}/favorite`, keyed(key, author.token))
      expect(elsewhere.status).toBe(422)
    }))

  it.effect("concurrent requests under one key: one writes, the others are told it is running (409) or replayed", () =>
    Effect.gen(function* () {
      const author = yield* registered()
      const key = randomUUID()
      const title = `Raced ${key}`
      const replies = yield* Effect.all(
        Array.from({ length: 12 }, () => call("POST", "/api/articles", { ...keyed(key, author.token), body: anArticle(title) })),
        { concurrency: "unbounded" }
      )
      const statuses = replies.map((reply) => reply.status)
      expect(statuses.every((status) => status === 201 || status === 409)).toBe(true)
      const fresh = replies.filter((reply) => reply.status === 201 && reply.headers["idempotent-replayed"] === undefined)
      expect(fresh).toHaveLength(1)
      for (const conflict of replies.filter((reply) => reply.status === 409)) {
        expect(conflict.headers["retry-after"]).toBe("1")
        expect(conflict.body.errors["Idempotency-Key"]).toHaveLength(1)
      }
      expect(yield* articlesTitled(title)).toBe(1)
      const later = yield* call("POST", "/api/articles", { ...keyed(key, author.token), body: anArticle(title) })
      expect(later.status).toBe(201)
      expect(later.body).toEqual(fresh[0]?.body)
    }))

  it.effect("keys are per account: another user's same key and payload is a request of its own", () =>
    Effect.gen(function* () {
      const alice = yield* registered()
      const bob = yield* registered()
      const key = randomUUID()
      const title = `Shared key ${key}`
      const byAlice = yield* call("POST", "/api/articles", { ...keyed(key, alice.token), body: anArticle(title) })
      const byBob = yield* call("POST", "/api/articles", { ...keyed(key, bob.token), body: anArticle(title) })
      expect(byAlice.status).toBe(201)
      expect(byBob.status).toBe(201)
      expect(byBob.headers["idempotent-replayed"]).toBeUndefined()
      expect(byBob.body.article.author.username).toBe(bob.username)
      expect(yield* articlesTitled(title)).toBe(2)
    }))

  it.effect("an expired key is free again, and pruning forgets it", () =>
    Effect.gen(function* () {
      const author = yield* registered()
      const key = randomUUID()
      const title = `Expiring ${key}`
      const sql = yield* SqlClient.SqlClient
      expect((yield* call("POST", "/api/articles", { ...keyed(key, author.token), body: anArticle(title) })).status).toBe(201)
      yield* Effect.orDie(sql`UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = ${key}`)
      const after = yield* call("POST", "/api/articles", { ...keyed(key, author.token), body: anArticle(title) })
      expect(after.status).toBe(201)
      expect(after.headers["idempotent-replayed"]).toBeUndefined()
      expect(yield* articlesTitled(title)).toBe(2)
      yield* Effect.orDie(sql`UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = ${key}`)
      const store = yield* IdempotencyStore
      expect(yield* Effect.orDie(store.prune)).toBeGreaterThanOrEqual(1)
      expect(yield* count((s) => s`SELECT count(*) AS n FROM idempotency_keys WHERE key = ${key}`)).toBe(0)
    }))

  it.effect("a refused request keeps nothing: the key stays free for the corrected request", () =>
    Effect.gen(function* () {
      const author = yield* registered()
      const key = randomUUID()
      const invalid = yield* call("POST", "/api/articles", {
        ...keyed(key, author.token),
        body: { article: { title: "", description: "d", body: "b" } }
      })
      expect(invalid.status).toBe(422)
      const valid = yield* call("POST", "/api/articles", { ...keyed(key, author.token), body: anArticle(`Corrected ${key}`) })
      expect(valid.status).toBe(201)
      expect(valid.headers["idempotent-replayed"]).toBeUndefined()
    }))

  it.effect("a malformed key is a 400 in the envelope, before anything runs", () =>
    Effect.gen(function* () {
      const author = yield* registered()
      for (const bad of ['""', "", "a b", "é", "x".repeat(256), '"unterminated', "a,b"]) {
        const title = `Malformed ${randomUUID()}`
        const reply = yield* call("POST", "/api/articles", {
          token: author.token,
          headers: { "idempotency-key": bad },
          body: anArticle(title)
        })
        expect(reply.status, JSON.stringify(bad)).toBe(400)
        expect(reply.body.errors["Idempotency-Key"]).toHaveLength(1)
        expect(yield* articlesTitled(title)).toBe(0)
      }
      // The longest allowed, and the bare (unquoted) form many clients send.
      for (const good of ["k".repeat(255), randomUUID()]) {
        const reply = yield* call("POST", "/api/articles", {
          token: author.token,
          headers: { "idempotency-key": good },
          body: anArticle(`Well-formed ${randomUUID()}`)
        })
        expect(reply.status).toBe(201)
      }
    }))

  it.effect("the answer and the write commit together: when the key cannot be stored, the write is rolled back", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const author = yield* registered()
      const key = `refused-${randomUUID()}`
      const title = `Unstored ${key}`
      yield* Effect.orDie(sql.unsafe(`
        CREATE FUNCTION refuse_key() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.key LIKE 'refused-%' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$`))
      yield* Effect.orDie(
        sql.unsafe("CREATE TRIGGER refuse_key BEFORE INSERT ON idempotency_keys FOR EACH ROW EXECUTE FUNCTION refuse_key()")
      )
      const failed = yield* call("POST", "/api/articles", { ...keyed(key, author.token), body: anArticle(title) })
      yield* Effect.orDie(sql.unsafe("DROP TRIGGER refuse_key ON idempotency_keys"))
      // An unexpected failure: a 500 in the envelope with the request id, and nothing stored.
      expect(failed.status).toBe(500)
      expect(failed.body.requestId).toBe(failed.headers["x-request-id"])
      expect(yield* articlesTitled(title)).toBe(0)
      const retried = yield* call("POST", "/api/articles", { ...keyed(key, author.token), body: anArticle(title) })
      expect(retried.status).toBe(201)
      expect(yield* articlesTitled(title)).toBe(1)
    }))

  it.effect("while the first request under a key runs, a retry is a 409; once it answered, the retry replays", () =>
    Effect.gen(function* () {
      const author = yield* registered()
      const key = randomUUID()
      const title = `Cut ${key}`
      // The articles table held for a while, so the first request is still running when the retry comes.
      const holder = yield* holdArticles(Duration.millis(1500))
      yield* pause(200)
      const first = yield* Effect.forkChild(call("POST", "/api/articles", { ...keyed(key, author.token), body: anArticle(title) }))
      yield* pause(300)
      const whileRunning = yield* call("POST", "/api/articles", { ...keyed(key, author.token), body: anArticle(title) })
      expect(whileRunning.status).toBe(409)
      yield* Fiber.join(holder)
      const answered = yield* Fiber.join(first)
      expect(answered.status).toBe(201)
      const retried = yield* call("POST", "/api/articles", { ...keyed(key, author.token), body: anArticle(title) })
      expect(retried.headers["idempotent-replayed"]).toBe("true")
      expect(yield* articlesTitled(title)).toBe(1)
    }))
})

/** Holds the articles table for `duration`, so a create waits behind it. */
const holdArticles = (duration: Duration.Duration) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.forkChild(
      sql.withTransaction(Effect.andThen(sql`LOCK TABLE articles IN EXCLUSIVE MODE`, pause(Duration.toMillis(duration)))).pipe(Effect.orDie)
    )
  )

// A live clock: the request timeout really cuts.
layer(TestServer(PostgresAdapters, { requestTimeout: Duration.millis(600) }), { timeout: "60 seconds", excludeTestServices: true })(
  "POST with an Idempotency-Key, cut by the request timeout",
  (it) => {
    it.effect("the 503 answer wrote nothing, and the retry under the same key writes once", () =>
      Effect.gen(function* () {
        const author = yield* registered()
        const key = randomUUID()
        const title = `Cut ${key}`
        const holder = yield* holdArticles(Duration.millis(1500))
        yield* pause(200)
        const cut = yield* call("POST", "/api/articles", { ...keyed(key, author.token), body: anArticle(title) })
        expect(cut.status).toBe(503)
        expect(cut.headers["retry-after"]).toBe("1")
        yield* Fiber.join(holder)
        // The cut request's transaction is gone with it: nothing is stored, the key is free.
        expect(yield* articlesTitled(title)).toBe(0)
        const retried = yield* call("POST", "/api/articles", { ...keyed(key, author.token), body: anArticle(title) })
        expect(retried.status).toBe(201)
        expect(retried.headers["idempotent-replayed"]).toBeUndefined()
        const again = yield* call("POST", "/api/articles", { ...keyed(key, author.token), body: anArticle(title) })
        expect(again.headers["idempotent-replayed"]).toBe("true")
        expect(yield* articlesTitled(title)).toBe(1)
      }))
  }
)
