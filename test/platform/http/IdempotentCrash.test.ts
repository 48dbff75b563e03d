import { type ChildProcess, spawn } from "node:child_process"
import { randomUUID } from "node:crypto"
import { fileURLToPath } from "node:url"
import { expect, layer } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import { call, PostgresAdapters, TestServer, testSettings } from "../../support/TestApp.ts"
import { TestDatabase } from "../../support/TestDatabase.ts"
import { aRegistrationBody } from "../../modules/users/UserMother.ts"

// A replica that dies in a keyed write: the client sees its connection reset and cannot tell whether
// the write was stored. Retried under the same key on another replica, the write is made exactly once:
// killed after the commit, the retry gets the stored answer; killed before it, nothing was stored (the
// write and its key commit together), and the retry makes it.

const fixture = fileURLToPath(new URL("./fixtures/CommitThenDie.ts", import.meta.url))

/** Starts the fixture on the suite's database; resolves with its port, and with its exit once it died. */
const startReplica = (url: string, fault: "after-commit" | "before-commit") =>
  Effect.acquireRelease(
    Effect.callback<{ port: number; exited: Promise<NodeJS.Signals | null>; child: ChildProcess }, Error>((resume) => {
      const child = spawn(process.execPath, [fixture], {
        env: { ...process.env, DATABASE_URL: url, FAULT: fault, JWT_SECRET: Redacted.value(testSettings().jwtSecret) },
        stdio: ["ignore", "pipe", "pipe"]
      })
      const exited = new Promise<NodeJS.Signals | null>((done) => child.once("exit", (_, signal) => done(signal)))
      let output = ""
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString()
        const port = /listening (\d+)/.exec(output)?.[1]
        if (port !== undefined) resume(Effect.succeed({ port: Number(port), exited, child }))
      })
      child.stderr.on("data", (chunk: Buffer) => {
        output += chunk.toString()
      })
      child.once("exit", () => resume(Effect.fail(new Error(`replica exited before listening: ${output}`))))
    }),
    (replica) => Effect.sync(() => replica.child.kill("SIGKILL"))
  )

layer(TestServer(PostgresAdapters), { timeout: "90 seconds", excludeTestServices: true })("a replica killed between commit and answer", (it) => {
  const attempt = (fault: "after-commit" | "before-commit") =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const user = aRegistrationBody()
      const registered = yield* call("POST", "/api/users", { body: { user } })
      const token = registered.body.user.token as string
      const key = randomUUID()
      const title = `Crashed ${key}`
      const article = { article: { title, description: "d", body: "b", tagList: [] } }
      const request = {
        method: "POST",
        headers: { authorization: `Token ${token}`, "content-type": "application/json", "idempotency-key": `"${key}"` },
        body: JSON.stringify(article)
      }
      const replica = yield* startReplica(yield* TestDatabase.url, fault).pipe(Effect.timeout("60 seconds"))
      const lost = yield* Effect.promise(() =>
        fetch(`http://127.0.0.1:${replica.port}/api/articles`, request).then(
          (response) => `answered ${response.status}`,
          (error: Error) => `no answer: ${error.message}`
        )
      )
      expect(lost).toMatch(/^no answer/)
      expect(yield* Effect.promise(() => replica.exited)).toBe("SIGKILL")
      const titled = Effect.map(
        Effect.orDie(sql<{ n: string }>`SELECT count(*) AS n FROM articles WHERE title = ${title}`),
        (rows) => Number(rows[0]?.n)
      )
      // Committed or not, the client could not know it.
      expect(yield* titled).toBe(fault === "after-commit" ? 1 : 0)

      const retried = yield* call("POST", "/api/articles", { token, headers: { "idempotency-key": `"${key}"` }, body: article })
      expect(retried.status).toBe(201)
      expect(retried.headers["idempotent-replayed"]).toBe(fault === "after-commit" ? "true" : undefined)
      expect(retried.body.article.title).toBe(title)
      expect(yield* titled).toBe(1)
    }).pipe(Effect.scoped)

  it.effect("killed after the commit: the retry under the same key gets the first answer, the article exists once", () =>
    attempt("after-commit"))
  it.effect("killed before the commit: nothing was stored, the retry under the same key writes it once", () =>
    attempt("before-commit"))
})
