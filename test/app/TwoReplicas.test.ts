import { type ChildProcess, spawn } from "node:child_process"
import { randomUUID } from "node:crypto"
import { rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { freePort } from "../../scripts/embedded-postgres.ts"
import { type RunningRedis, startRedisServer } from "../../scripts/redis-server.ts"

// Two app processes, as two replicas behind a load balancer: one PostgreSQL database, one Redis of
// this suite's own (so stopping it disturbs no other suite).

const root = resolve(import.meta.dirname, "../..")

interface Replica {
  readonly name: string
  readonly url: string
  readonly process: ChildProcess
  readonly output: Array<string>
  readonly exited: Promise<number | null>
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms))

const startReplica = async (name: string, env: Record<string, string>): Promise<Replica> => {
  const port = await freePort()
  const child = spawn(process.execPath, ["src/main.ts"], {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port), HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"]
  })
  const output: Array<string> = []
  child.stdout?.on("data", (chunk: Buffer) => output.push(chunk.toString()))
  child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()))
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)))
  const replica = { name, url: `http://127.0.0.1:${port}`, process: child, output, exited }
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break
    const ready = await fetch(`${replica.url}/health/ready`).then((r) => r.status === 200, () => false)
    if (ready) return replica
    await sleep(100)
  }
  child.kill("SIGKILL")
  throw new Error(`replica ${name} did not become ready:\n${output.join("")}`)
}

interface Reply {
  readonly status: number
  readonly body: any
  readonly headers: Headers
}

const call = async (replica: Replica, method: string, path: string, body?: unknown, token?: string): Promise<Reply> => {
  const response = await fetch(`${replica.url}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...(token === undefined ? {} : { authorization: `Token ${token}` })
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  const text = await response.text()
  return { status: response.status, body: text === "" ? undefined : JSON.parse(text), headers: response.headers }
}

let database: { readonly admin: pg.Client; readonly name: string; readonly url: string }
let redis: RunningRedis
let redisDir: string
let one: Replica
let two: Replica
let author: { readonly token: string; readonly email: string; readonly password: string }

beforeAll(async () => {
  const admin = new pg.Client({ connectionString: inject("adminDatabaseUrl") })
  await admin.connect()
  const name = `replicas_${randomUUID().replaceAll("-", "")}`
  await admin.query(`CREATE DATABASE ${name}`)
  const url = new URL(inject("adminDatabaseUrl"))
  url.pathname = `/${name}`
  database = { admin, name, url: url.toString() }
  redisDir = join(tmpdir(), `hexa-monolith-replicas-${randomUUID()}`)
  redis = await startRedisServer({ dir: redisDir })
  const env = {
    APP_ENV: "test",
    DATABASE_URL: database.url,
    DATABASE_POOL_MAX: "4",
    REDIS_URL: redis.url,
    LOG_LEVEL: "Error",
    SHUTDOWN_TIMEOUT: "5 seconds",
    RATE_LIMIT_FAILED_LOGINS_PER_ACCOUNT: "3 per 15 minutes"
  }
  // The first applies the migrations; the second starts on the migrated schema, as after a rollout.
  one = await startReplica("one", { ...env, MIGRATE_ON_START: "true" })
  two = await startReplica("two", { ...env, MIGRATE_ON_START: "false" })
  const user = { username: `writer_${process.pid}`, email: `writer_${process.pid}@example.com`, password: "correct horse battery staple" }
  const registered = await call(one, "POST", "/api/users", { user })
  expect(registered.status).toBe(201)
  author = { token: registered.body.user.token, email: user.email, password: user.password }
}, 90_000)

afterAll(async () => {
  for (const replica of [one, two]) {
    if (replica !== undefined && replica.process.exitCode === null) {
      replica.process.kill("SIGTERM")
      await replica.exited
    }
  }
  await redis?.stop()
  await rm(redisDir, { recursive: true, force: true })
  if (database !== undefined) {
    await database.admin.query(`DROP DATABASE IF EXISTS ${database.name} WITH (FORCE)`)
    await database.admin.end()
  }
}, 60_000)

describe("two replicas on one PostgreSQL and one Redis", () => {
  it("an article edited through one is served fresh by the other within a second", async () => {
    const created = await call(one, "POST", "/api/articles", { article: { title: `Shared ${randomUUID()}`, description: "d", body: "first" } }, author.token)
    expect(created.status).toBe(201)
    const slug: string = created.body.article.slug
    // Both replicas read it (anonymous reads fill the shared cache and each one's own short copy).
    expect((await call(two, "GET", `/api/articles/${slug}`)).body.article.body).toBe("first")
    expect((await call(one, "GET", `/api/articles/${slug}`)).body.article.body).toBe("first")
    const edited = await call(one, "PUT", `/api/articles/${slug}`, { article: { body: "second" } }, author.token)
    expect(edited.status).toBe(200)
    // The writer reads its own write at once; the other replica within a second.
    expect((await call(one, "GET", `/api/articles/${slug}`)).body.article.body).toBe("second")
    await sleep(1000)
    expect((await call(two, "GET", `/api/articles/${slug}`)).body.article.body).toBe("second")
    // The first page and the tags move with it.
    expect((await call(two, "GET", "/api/articles?limit=10")).body.articles[0].slug).toBe(slug)
  })

  it("a login limit reached on one answers 429 with Retry-After on the other", async () => {
    for (let i = 0; i < 3; i++) expect((await call(one, "POST", "/api/users/login", { user: { email: author.email, password: "wrong" } })).status).toBe(401)
    const refused = await call(two, "POST", "/api/users/login", { user: { email: author.email, password: author.password } })
    expect(refused.status).toBe(429)
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0)
    expect(refused.headers.get("ratelimit-policy")).toMatch(/^"login-account";q=3;w=900$/)
    expect(refused.body).toEqual({ errors: { requests: [expect.stringContaining("retry in")] } })
  })

  it("with Redis stopped both keep answering, with no 5xx, and stay ready", async () => {
    const created = await call(one, "POST", "/api/articles", { article: { title: `Outage ${randomUUID()}`, description: "d", body: "before", tagList: ["outage"] } }, author.token)
    const slug: string = created.body.article.slug
    await call(two, "GET", `/api/articles/${slug}`)
    await redis.stop()
    const statuses: Array<number> = []
    for (const replica of [one, two]) {
      statuses.push((await call(replica, "GET", `/api/articles/${slug}`)).status)
      statuses.push((await call(replica, "GET", "/api/articles")).status)
      statuses.push((await call(replica, "GET", "/api/tags")).status)
      statuses.push((await call(replica, "POST", "/api/users/login", { user: { email: "nobody@example.com", password: "x" } })).status)
      expect((await fetch(`${replica.url}/health/ready`)).status).toBe(200)
    }
    const edit = await call(one, "PUT", `/api/articles/${slug}`, { article: { body: "during" } }, author.token)
    statuses.push(edit.status)
    // Without Redis both read PostgreSQL: the edit shows on the other replica once its own short copy is gone.
    await sleep(1000)
    expect((await call(two, "GET", `/api/articles/${slug}`)).body.article.body).toBe("during")
    expect(statuses.filter((status) => status >= 500)).toEqual([])
    expect(statuses).toEqual([200, 200, 200, 401, 200, 200, 200, 401, 200])
    redis = await startRedisServer({ dir: redisDir, port: redis.port })
  }, 30_000)

  it("one replica SIGTERMed under load: the other keeps answering", async () => {
    const outcomes = { two: [] as Array<number | string>, one: [] as Array<number | string> }
    let stop = false
    let sent = 0
    const worker = async () => {
      while (!stop && sent < 2000) {
        sent++
        const target = sent % 2 === 0 ? one : two
        const outcome = await fetch(`${target.url}/api/articles?limit=5`).then(
          async (response) => {
            await response.arrayBuffer()
            return response.status
          },
          (error: Error) => error.message
        )
        outcomes[target.name as "one" | "two"].push(outcome)
      }
    }
    const workers = Array.from({ length: 8 }, worker)
    await sleep(300)
    one.process.kill("SIGTERM")
    const code = await one.exited
    await sleep(300)
    stop = true
    await Promise.all(workers)
    expect(code).toBe(0)
    expect(outcomes.two.length).toBeGreaterThan(20)
    expect(outcomes.two.filter((outcome) => outcome !== 200)).toEqual([])
    // The stopping one drains: it answers, or sends 503 on a kept-alive connection while closing (a
    // balancer retries that elsewhere), then its port is closed (a connection error). Never a 500.
    expect(outcomes.one.filter((outcome) => typeof outcome === "number" && outcome >= 500 && outcome !== 503)).toEqual([])
    expect((await fetch(`${two.url}/health/ready`)).status).toBe(200)
  }, 60_000)
})
