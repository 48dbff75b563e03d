import { type ChildProcess, spawn } from "node:child_process"
import { randomBytes, randomUUID } from "node:crypto"
import { Agent, request } from "node:http"
import { describe, expect, it } from "@effect/vitest"
import pg from "pg"
import { inject } from "vitest"
import { freePort } from "../../../scripts/embedded-postgres.ts"

// The server as the Deployment runs it (a child process, production settings), SIGTERMed while 50
// keep-alive clients keep it busy: nothing is reset mid-request, every answered write is stored,
// no write that was stored is answered with an error, and the process exits 0 by itself.

interface Outcome {
  readonly method: string
  readonly title?: string
  /** Sent after SIGTERM. */
  readonly afterSigterm: boolean
  /** Its answer (or failure) arrived after SIGTERM. */
  readonly endedAfterSigterm: boolean
  readonly status?: number
  readonly connection?: string
  readonly body?: string
  /** The connection failed; `midResponse` when some of the response had arrived. */
  readonly error?: string
  readonly midResponse?: boolean
}

const send = (agent: Agent, port: number, method: string, path: string, token: string, body?: unknown) =>
  new Promise<Omit<Outcome, "method" | "afterSigterm" | "endedAfterSigterm" | "title">>((resolve) => {
    const payload = body === undefined ? undefined : JSON.stringify(body)
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method,
        path,
        agent,
        headers: {
          authorization: `Token ${token}`,
          ...(payload === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) })
        }
      },
      (res) => {
        let text = ""
        res.setEncoding("utf8")
        res.on("data", (chunk) => (text += chunk))
        res.on("end", () =>
          resolve({ status: res.statusCode!, body: text, ...(res.headers.connection === undefined ? {} : { connection: res.headers.connection }) })
        )
        res.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message, midResponse: true }))
      }
    )
    req.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message, midResponse: false }))
    req.end(payload)
  })

const waitForReady = async (port: number, child: ChildProcess) => {
  for (let i = 0; i < 1200 && child.exitCode === null; i++) {
    const ready = await send(new Agent(), port, "GET", "/health/ready", "")
    if (ready.status === 200) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error("the server did not become ready")
}

describe("SIGTERM under keep-alive load", () => {
  it("drains: no reset mid-request, every answered write stored, no stored write answered with an error, exit 0", async () => {
    const admin = new pg.Client({ connectionString: inject("adminDatabaseUrl") })
    await admin.connect()
    const name = `drain_${randomUUID().replaceAll("-", "")}`
    await admin.query(`CREATE DATABASE ${name}`)
    const url = new URL(inject("adminDatabaseUrl"))
    url.pathname = `/${name}`
    const port = await freePort()
    const child = spawn(process.execPath, ["src/main.ts"], {
      env: {
        PATH: process.env.PATH,
        APP_ENV: "production",
        CORS_ORIGINS: "*",
        JWT_SECRET: randomBytes(32).toString("hex"),
        DATABASE_URL: url.toString(),
        HOST: "127.0.0.1",
        PORT: String(port),
        MIGRATE_ON_START: "true",
        SHUTDOWN_TIMEOUT: "15 seconds",
        LOG_LEVEL: "Warn"
      },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let logs = ""
    child.stdout!.on("data", (chunk) => (logs += chunk))
    child.stderr!.on("data", (chunk) => (logs += chunk))
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    try {
      await waitForReady(port, child)
      const agent = new Agent({ keepAlive: true, maxSockets: 50 })
      const user = { username: `drain${process.pid}`, email: `drain${process.pid}@example.com`, password: "correct horse battery" }
      const registered = await send(agent, port, "POST", "/api/users", "", { user })
      expect(registered.status).toBe(201)
      const token = JSON.parse(registered.body!).user.token as string

      const outcomes: Array<Outcome> = []
      let sigtermAt: number | undefined
      let n = 0
      const client = async (id: number) => {
        for (let i = 0; ; i++) {
          const afterSigterm = sigtermAt !== undefined
          if (afterSigterm && performance.now() - sigtermAt! > 20_000) return
          const write = (id + i) % 2 === 0
          const title = `drain ${id} ${i} ${++n}`
          const outcome = write
            ? await send(agent, port, "POST", "/api/articles", token, { article: { title, description: "d", body: "b", tagList: [] } })
            : await send(agent, port, "GET", "/api/articles?limit=5", token)
          outcomes.push({
            method: write ? "POST" : "GET",
            ...(write ? { title } : {}),
            afterSigterm,
            endedAfterSigterm: sigtermAt !== undefined,
            ...outcome
          })
          done[id] = (done[id] ?? 0) + 1
          // After SIGTERM a client stops at its first failed connection: the server is gone for it.
          if (outcome.error !== undefined) return
        }
      }
      const done: Array<number> = []
      const clients = Array.from({ length: 50 }, (_, id) => client(id))
      // Every client has its connection open and has been served twice: the load is steady, whatever the machine's.
      const warmUp = performance.now()
      while (done.filter((count) => count >= 2).length < 50 && performance.now() - warmUp < 60_000)
        await new Promise((resolve) => setTimeout(resolve, 50))
      await new Promise((resolve) => setTimeout(resolve, 300))
      sigtermAt = performance.now()
      child.kill("SIGTERM")
      await Promise.all(clients)
      const code = await exited
      const exitMs = Math.round(performance.now() - sigtermAt)

      const { rows } = await admin.query<{ title: string }>(`SELECT title FROM ${name}.public.articles`).catch(async () => {
        const db = new pg.Client({ connectionString: url.toString() })
        await db.connect()
        try {
          return await db.query<{ title: string }>("SELECT title FROM articles")
        } finally {
          await db.end()
        }
      })
      const stored = new Set(rows.map((row) => row.title))
      const after = outcomes.filter((o) => o.afterSigterm)
      const answered = outcomes.filter((o) => o.status !== undefined)
      const failed = outcomes.filter((o) => o.error !== undefined)
      const summary = {
        requests: outcomes.length,
        afterSigterm: after.length,
        answeredAfterSigterm: after.filter((o) => o.status !== undefined).length,
        answeredDuringDrain: outcomes.filter((o) => o.endedAfterSigterm && o.status !== undefined).length,
        connectionCloseDuringDrain: outcomes.filter((o) => o.endedAfterSigterm && o.connection === "close").length,
        statuses: Object.fromEntries(
          [...new Set(answered.map((o) => o.status))].map((status) => [status, answered.filter((o) => o.status === status).length])
        ),
        connectionErrors: Object.fromEntries(
          [...new Set(failed.map((o) => o.error))].map((error) => [error, failed.filter((o) => o.error === error).length])
        ),
        exitCode: code,
        exitMs
      }
      console.log(`[drain] ${JSON.stringify(summary)}`)

      expect(code).toBe(0)
      expect(failed.filter((o) => o.midResponse)).toEqual([])
      expect(answered.filter((o) => o.status! >= 500)).toEqual([])
      expect(failed.filter((o) => !o.afterSigterm)).toEqual([])
      for (const o of answered.filter((o) => o.method === "POST")) expect(stored.has(o.title!), o.title).toBe(o.status === 201)
      for (const o of failed.filter((o) => o.method === "POST")) expect(stored.has(o.title!), `${o.title}: ${o.error}`).toBe(false)
      // Answers sent while draining tell their client the connection closes (a few that were already on
      // their way when the signal arrived may not).
      expect(summary.connectionCloseDuringDrain).toBeGreaterThan(0)
    } catch (error) {
      console.error(logs.slice(-4_000))
      throw error
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL")
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await admin.end()
    }
  }, 120_000)
})
