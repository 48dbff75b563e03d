import { type ChildProcess, spawn } from "node:child_process"
import { randomUUID } from "node:crypto"
import { rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import pg from "pg"
import { createClient } from "redis"
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

/** Retries `check` (an assertion) every 100 ms until it passes or `within` ms pass, then throws its last error. */
const until = async (check: () => Promise<void>, within = 20_000) => {
  const deadline = Date.now() + within
  for (;;) {
    try {
      return await check()
    } catch (error) {
      if (Date.now() > deadline) throw error
      await sleep(100)
    }
  }
}

/** A counter or gauge from a replica's /metrics, summed over its series that carry `label`. */
const metric = async (replica: Replica, name: string, label = "") => {
  const text = await fetch(`${replica.url}/metrics`).then((response) => response.text())
  let total = 0
  for (const line of text.split("\n"))
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `))
      if (line.includes(label)) total += Number(line.slice(line.lastIndexOf(" ") + 1))
  return total
}

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
  redis = await startRedisServer({ dir: redisDir, persistent: true })
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

  it("a profile edited through one is served fresh by the other within a second, as itself and as an author; its event consumed once", async () => {
    const user = { username: `profiled_${process.pid}`, email: `profiled_${process.pid}@example.com`, password: "correct horse battery staple" }
    const registered = await call(one, "POST", "/api/users", { user })
    const token: string = registered.body.user.token
    const created = await call(one, "POST", "/api/articles", { article: { title: `By ${user.username}`, description: "d", body: "b" } }, token)
    const slug: string = created.body.article.slug
    for (const replica of [one, two]) {
      expect((await call(replica, "GET", `/api/profiles/${user.username}`)).body.profile.bio).toBe(null)
      expect((await call(replica, "GET", `/api/articles/${slug}`)).body.article.author.bio).toBe(null)
    }
    expect((await call(two, "PUT", "/api/user", { user: { bio: "edited on two" } }, token)).status).toBe(200)
    expect((await call(two, "GET", `/api/profiles/${user.username}`)).body.profile.bio).toBe("edited on two")
    await sleep(1000)
    expect((await call(one, "GET", `/api/profiles/${user.username}`)).body.profile.bio).toBe("edited on two")
    expect((await call(one, "GET", `/api/articles/${slug}`)).body.article.author.bio).toBe("edited on two")

    const renamed = `${user.username}_renamed`
    expect((await call(one, "PUT", "/api/user", { user: { username: renamed } }, token)).status).toBe(200)
    expect((await call(one, "GET", `/api/profiles/${user.username}`)).status).toBe(404)
    await sleep(1000)
    expect((await call(two, "GET", `/api/profiles/${user.username}`)).status).toBe(404)
    expect((await call(two, "GET", `/api/profiles/${renamed}`)).body.profile).toMatchObject({ username: renamed, bio: "edited on two" })
    expect((await call(two, "GET", `/api/articles/${slug}`)).body.article.author.username).toBe(renamed)

    // Both replicas run the consumer that invalidates once more through the outbox; each of the two
    // events is handled by one of them.
    const delivered = async () => {
      const counts = await Promise.all([one, two].map((replica) => metric(replica, "events_delivered_total", '"users.refresh-cached-profiles"')))
      return counts[0]! + counts[1]!
    }
    await until(async () => expect(await delivered()).toBe(2))
    await sleep(1500)
    expect(await delivered()).toBe(2)
  })

  it("a login limit reached on one answers 429 with Retry-After on the other", async () => {
    for (let i = 0; i < 3; i++) expect((await call(one, "POST", "/api/users/login", { user: { email: author.email, password: "wrong" } })).status).toBe(401)
    const refused = await call(two, "POST", "/api/users/login", { user: { email: author.email, password: author.password } })
    expect(refused.status).toBe(429)
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0)
    expect(refused.headers.get("ratelimit-policy")).toMatch(/^"login-account";q=3;w=900$/)
    expect(refused.body).toEqual({ errors: { requests: [expect.stringContaining("retry in")] } })
  })

  it("with Redis stopped both keep answering, with no 5xx, and stay ready; back, the cache resumes with nothing stale", async () => {
    const created = await call(one, "POST", "/api/articles", { article: { title: `Outage ${randomUUID()}`, description: "d", body: "before", tagList: ["outage"] } }, author.token)
    const slug: string = created.body.article.slug
    const username: string = created.body.article.author.username
    await call(two, "GET", `/api/articles/${slug}`)
    await call(two, "GET", `/api/profiles/${username}`)
    await redis.stop()
    const statuses: Array<number> = []
    for (const replica of [one, two]) {
      statuses.push((await call(replica, "GET", `/api/articles/${slug}`)).status)
      statuses.push((await call(replica, "GET", "/api/articles")).status)
      statuses.push((await call(replica, "GET", "/api/tags")).status)
      statuses.push((await call(replica, "GET", `/api/profiles/${username}`)).status)
      statuses.push((await call(replica, "POST", "/api/users/login", { user: { email: "nobody@example.com", password: "x" } })).status)
      expect((await fetch(`${replica.url}/health/ready`)).status).toBe(200)
      // The fall-back is counted (and warned about once per outage).
      expect(await metric(replica, "redis_available")).toBe(0)
      expect(await metric(replica, "redis_fallbacks_total", 'use="cache"')).toBeGreaterThan(0)
    }
    statuses.push((await call(one, "PUT", `/api/articles/${slug}`, { article: { body: "during" } }, author.token)).status)
    statuses.push((await call(one, "PUT", "/api/user", { user: { bio: "during" } }, author.token)).status)
    // Without Redis both read PostgreSQL: the edits show on the other replica once its own short copy is gone.
    await sleep(1000)
    expect((await call(two, "GET", `/api/articles/${slug}`)).body.article.body).toBe("during")
    expect((await call(two, "GET", `/api/profiles/${username}`)).body.profile.bio).toBe("during")
    expect(statuses.filter((status) => status >= 500)).toEqual([])
    expect(statuses).toEqual([200, 200, 200, 200, 401, 200, 200, 200, 200, 401, 200, 200])

    // Redis returns with what it held before the outage, the entries the edits made stale among them:
    // the writer's invalidation could not reach it, the events' consumers retry until one does.
    redis = await startRedisServer({ dir: redisDir, port: redis.port, persistent: true })
    await until(async () => {
      for (const replica of [one, two]) {
        expect((await call(replica, "GET", `/api/articles/${slug}`)).body.article.body).toBe("during")
        expect((await call(replica, "GET", `/api/profiles/${username}`)).body.profile.bio).toBe("during")
        expect(await metric(replica, "redis_available")).toBe(1)
      }
    })
    // And the cache is in use again: the reads filled Redis.
    const client = createClient({ url: redis.url })
    await client.connect()
    try {
      expect(await client.keys(`*profiles-by-username*${username.toLowerCase()}*`)).not.toEqual([])
      expect(await client.keys(`*articles-by-slug*${slug}*`)).not.toEqual([])
    } finally {
      await client.quit()
    }
  }, 60_000)

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
