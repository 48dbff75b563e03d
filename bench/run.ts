// `make bench`: an embedded PostgreSQL, a seeded dataset, the service as built for production, the raw
// floor (bench/floor.ts) on the same database, autocannon on loopback, and a report in bench/results/.
// Everything it starts it stops, on success, failure, Ctrl-C or its own deadline. See bench/README.md.
import { type ChildProcess, spawn } from "node:child_process"
import { randomBytes, scryptSync } from "node:crypto"
import { closeSync, existsSync, openSync, rmSync } from "node:fs"
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises"
import { request } from "node:http"
import { cpus, freemem, loadavg, tmpdir, totalmem } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import autocannon from "autocannon"
import pg from "pg"
import { freePort, type RunningPostgres, startEmbeddedPostgres } from "../scripts/embedded-postgres.ts"
import { summariseCpuProfile } from "./profile.ts"
import { TARGETS, writeReport } from "./report.ts"
import type { BenchResults, LoadResult, ScenarioResult, TracingResult, TracingVariant } from "./results.ts"
import { startSqlCapture } from "./sql-capture.ts"

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..")
const RESULTS_DIR = resolve(ROOT, process.env.BENCH_RESULTS_DIR ?? "bench/results")

const number = (name: string, fallback: number) => {
  const raw = process.env[name]
  if (raw === undefined || raw === "") return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got ${raw}`)
  return value
}

const settings = {
  durationSeconds: number("BENCH_DURATION", 10),
  warmupSeconds: number("BENCH_WARMUP", 3),
  connections: number("BENCH_CONNECTIONS", 50),
  poolMax: number("DATABASE_POOL_MAX", 10),
  // Seed sizes (flags of `node dist/cli.js seed`).
  users: number("BENCH_USERS", 5_000),
  articles: number("BENCH_ARTICLES", 50_000),
  follows: number("BENCH_FOLLOWS", 20),
  favorites: number("BENCH_FAVORITES", 100_000),
  comments: number("BENCH_COMMENTS", 50_000),
  deadlineSeconds: number("BENCH_DEADLINE", 540),
  /** "1": profile PROFILE_SCENARIO; "0": never; unset: profile the furthest hot read when one misses its target. */
  profile: process.env.PROFILE ?? "auto",
  profileScenario: process.env.PROFILE_SCENARIO ?? "article",
  tracingRounds: number("BENCH_TRACING_ROUNDS", 2),
  /** GET /api/articles as the issue asks (bound by PostgreSQL's count), and the app-bound GET /api/articles/:slug. */
  tracingScenarios: (process.env.BENCH_TRACING_SCENARIOS ?? "articles-anon,article").split(","),
  only: process.env.BENCH_ONLY?.split(",").filter((s) => s !== "")
}

const log = (message: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

// ---------------------------------------------------------------------------------------------
// Processes: every child is tracked and killed however the run ends.
// ---------------------------------------------------------------------------------------------

const children = new Set<ChildProcess>()
let postgres: RunningPostgres | undefined
let workDir: string | undefined

const startProcess = (name: string, args: ReadonlyArray<string>, env: Record<string, string>, logFile: string) => {
  // The log file is the child's stdout itself: the access log never waits on this (busy) process.
  const fd = openSync(logFile, "a")
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", fd, fd]
  })
  closeSync(fd)
  children.add(child)
  child.on("exit", () => children.delete(child))
  log(`started ${name} (pid ${child.pid}), log ${logFile}`)
  return child
}

const stopProcess = async (child: ChildProcess, timeoutMs = 8_000) => {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((r) => child.once("exit", () => r()))
  child.kill("SIGTERM")
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs)
  await exited
  clearTimeout(timer)
}

/** Runs a command to completion, failing with its output when it fails. */
const runToEnd = async (args: ReadonlyArray<string>, env: Record<string, string>, timeoutMs: number) => {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? "", ...env } })
  children.add(child)
  let output = ""
  child.stdout.on("data", (d) => (output += d))
  child.stderr.on("data", (d) => (output += d))
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs)
  const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)))
  clearTimeout(timer)
  children.delete(child)
  if (code !== 0) throw new Error(`${args.join(" ")} exited with ${code}:\n${output}`)
  return output
}

let cleaning: Promise<void> | undefined
const cleanup = () =>
  (cleaning ??= (async () => {
    await Promise.all([...children].map((c) => stopProcess(c, 3_000)))
    await postgres?.stop().catch(() => {})
    if (workDir !== undefined) await rm(workDir, { recursive: true, force: true }).catch(() => {})
  })())

// Last resort, synchronous: embedded-postgres's own exit hook may end the process on a signal before
// the async clean-up above finishes.
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL")
  if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true })
})
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.on(signal, () => {
    log(`${signal}: stopping`)
    void cleanup().finally(() => process.exit(130))
  })

// ---------------------------------------------------------------------------------------------
// HTTP helpers
// ---------------------------------------------------------------------------------------------

interface Reply {
  readonly status: number
  readonly body: string
}

const call = (base: string, method: string, path: string, headers: Record<string, string> = {}, body?: string, timeoutMs = 10_000) =>
  new Promise<Reply>((resolveReply, reject) => {
    const req = request(`${base}${path}`, { method, headers, timeout: timeoutMs, agent: false }, (res) => {
      let data = ""
      res.setEncoding("utf8")
      res.on("data", (chunk) => (data += chunk))
      res.on("end", () => resolveReply({ status: res.statusCode ?? 0, body: data }))
    })
    req.on("error", reject)
    req.on("timeout", () => req.destroy(new Error(`timeout on ${method} ${path}`)))
    req.end(body)
  })

/**
 * Milliseconds from `since` to the first 200 on /health/ready. Each probe gives up after 200 ms: the
 * app's port accepts connections before its routes are installed, and a request in that window is
 * never answered (see bench/README.md).
 */
const waitReady = async (base: string, since: number, child: ChildProcess, limitMs = 30_000) => {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode} before it was ready`)
    const reply = await call(base, "GET", "/health/ready", {}, undefined, 200).catch(() => undefined)
    if (reply?.status === 200) return performance.now() - since
    if (performance.now() - since > limitMs) throw new Error(`${base} not ready after ${limitMs} ms`)
    await sleep(5)
  }
}

/** Peak resident set (VmHWM) of a live process, in MiB. */
const peakRssMb = async (pid: number | undefined) => {
  if (pid === undefined) return null
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "")
  const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1]
  return kb === undefined ? null : Math.round((Number(kb) / 1024) * 10) / 10
}

// ---------------------------------------------------------------------------------------------
// The service and the floor
// ---------------------------------------------------------------------------------------------

interface Server {
  readonly name: string
  readonly base: string
  readonly child: ChildProcess
  readonly readyMs: number
}

const jwtSecret = randomBytes(32).toString("hex")

const appEnv = (databaseUrl: string, port: number, extra: Record<string, string> = {}) => ({
  APP_ENV: "production",
  CORS_ORIGINS: "*",
  HOST: "127.0.0.1",
  PORT: String(port),
  DATABASE_URL: databaseUrl,
  DATABASE_POOL_MAX: String(settings.poolMax),
  JWT_SECRET: jwtSecret,
  LOG_LEVEL: "Info",
  LOG_FORMAT: "json",
  ...experimentEnv,
  ...extra
})

/** BENCH_APP_ENV="LOG_LEVEL=Warn,…": extra settings for the app, to measure what one of them costs. */
const experimentEnv: Record<string, string> = Object.fromEntries(
  (process.env.BENCH_APP_ENV ?? "")
    .split(",")
    .filter((kv) => kv.includes("="))
    .map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)])
)

/**
 * How production starts node: the image's ENTRYPOINT (and any flags in it) and the
 * Deployment's NODE_OPTIONS, read from the files themselves so the benchmark follows them.
 * BENCH_NODE_FLAGS replaces the flags (to try e.g. --max-semi-space-size=16).
 */
const productionNode = async () => {
  const dockerfile = await readFile(join(ROOT, "Dockerfile"), "utf8").catch(() => "")
  const entrypoint = /^\s*ENTRYPOINT\s+(\[.*\])\s*$/m.exec(dockerfile)?.[1]
  const parsed: Array<string> = entrypoint === undefined ? ["node"] : JSON.parse(entrypoint)
  const deployment = await readFile(join(ROOT, "k8s/base/app/deployment.yaml"), "utf8").catch(() => "")
  const nodeOptions = /name: NODE_OPTIONS\s+value: (.+)/.exec(deployment)?.[1]?.trim().replace(/^["']|["']$/g, "")
  const flags = process.env.BENCH_NODE_FLAGS?.split(" ").filter((f) => f !== "") ?? parsed.slice(1)
  return { flags, nodeOptions: process.env.BENCH_NODE_OPTIONS ?? nodeOptions ?? "" }
}
let nodeSetup: Awaited<ReturnType<typeof productionNode>> | undefined

const startApp = async (name: string, databaseUrl: string, extraEnv: Record<string, string> = {}, nodeArgs: Array<string> = []) => {
  const port = await freePort()
  nodeSetup ??= await productionNode()
  const env = { ...appEnv(databaseUrl, port, extraEnv), ...(nodeSetup.nodeOptions === "" ? {} : { NODE_OPTIONS: nodeSetup.nodeOptions }) }
  const since = performance.now()
  const child = startProcess(name, [...nodeSetup.flags, ...nodeArgs, "dist/main.js"], env, join(workDir!, `${name}.log`))
  const base = `http://127.0.0.1:${port}`
  const readyMs = await waitReady(base, since, child)
  log(`${name} ready in ${readyMs.toFixed(0)} ms`)
  return { name, base, child, readyMs }
}

const startFloor = async (name: string, databaseUrl: string) => {
  const port = await freePort()
  const since = performance.now()
  const child = startProcess(
    name,
    ["bench/floor.ts"],
    { DATABASE_URL: databaseUrl, PORT: String(port), JWT_SECRET: jwtSecret, DATABASE_POOL_MAX: String(settings.poolMax) },
    join(workDir!, `${name}.log`)
  )
  const base = `http://127.0.0.1:${port}`
  const readyMs = await waitReady(base, since, child)
  return { name, base, child, readyMs }
}

// ---------------------------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------------------------

interface Fixtures {
  /** Token of the feed user: follows several authors (chosen from the seeded follows). */
  readonly readerToken: string
  readonly readerFollows: number
  /** Slugs the article scenario rotates through. */
  readonly slugs: ReadonlyArray<string>
  readonly login: { readonly email: string; readonly password: string }
}

interface Scenario {
  readonly id: string
  readonly title: string
  /** Reads are also run against the floor; hot reads carry the ≥ 85 % target. */
  readonly kind: "hot-read" | "read" | "write"
  readonly needsArticles: boolean
  /** Login has none: requests left in flight at the end of a warm-up are 100 ms hashes that would eat the window. */
  readonly warmup?: false
  /**
   * Login needs a longer window: at 50 connections a login waits for ~50 hashes on libuv's four
   * threads, and the JWT signature queues behind them on the same pool, so answers arrive in waves
   * seconds apart.
   */
  readonly minDurationSeconds?: number
  readonly request: (f: Fixtures) => {
    readonly method: "GET" | "POST"
    readonly paths: ReadonlyArray<string>
    readonly headers?: Record<string, string>
    readonly body?: string
  }
}

const auth = (token: string) => ({ authorization: `Token ${token}` })
const json = { "content-type": "application/json" }

const SCENARIOS: ReadonlyArray<Scenario> = [
  {
    id: "articles-anon",
    title: "GET /api/articles (anonymous)",
    kind: "hot-read",
    needsArticles: true,
    request: () => ({ method: "GET", paths: ["/api/articles?limit=20&offset=0"] })
  },
  {
    id: "articles-auth",
    title: "GET /api/articles (authenticated)",
    kind: "hot-read",
    needsArticles: true,
    request: (f) => ({ method: "GET", paths: ["/api/articles?limit=20&offset=0"], headers: auth(f.readerToken) })
  },
  {
    id: "feed",
    title: "GET /api/articles/feed",
    kind: "read",
    needsArticles: true,
    request: (f) => ({ method: "GET", paths: ["/api/articles/feed?limit=20&offset=0"], headers: auth(f.readerToken) })
  },
  {
    id: "article",
    title: "GET /api/articles/:slug",
    kind: "hot-read",
    needsArticles: true,
    request: (f) => ({ method: "GET", paths: f.slugs.map((s) => `/api/articles/${encodeURIComponent(s)}`) })
  },
  {
    id: "user",
    title: "GET /api/user",
    kind: "hot-read",
    needsArticles: false,
    request: (f) => ({ method: "GET", paths: ["/api/user"], headers: auth(f.readerToken) })
  },
  {
    id: "create-article",
    title: "POST /api/articles",
    kind: "write",
    needsArticles: true,
    request: (f) => ({
      method: "POST",
      paths: ["/api/articles"],
      headers: { ...auth(f.readerToken), ...json },
      body: JSON.stringify({
        article: {
          title: "Benchmark article [<id>]",
          description: "Written by the benchmark",
          body: "A short body, as most are. ".repeat(20),
          tagList: ["benchmark", "performance"]
        }
      })
    })
  },
  {
    id: "login",
    title: "POST /api/users/login",
    kind: "write",
    needsArticles: false,
    warmup: false,
    minDurationSeconds: 10,
    request: (f) => ({
      method: "POST",
      paths: ["/api/users/login"],
      headers: json,
      body: JSON.stringify({ user: f.login })
    })
  }
]

/** One autocannon run: `warmup` seconds discarded, then `duration` seconds measured. */
const load = async (base: string, spec: ReturnType<Scenario["request"]>, duration: number, warmup: number): Promise<LoadResult> => {
  const run = (seconds: number) => {
    let next = 0
    return autocannon({
      url: base,
      connections: settings.connections,
      duration: seconds,
      method: spec.method,
      headers: spec.headers ?? {},
      idReplacement: spec.body?.includes("[<id>]") ?? false,
      timeout: 10,
      requests: [
        {
          method: spec.method,
          ...(spec.body === undefined ? {} : { body: spec.body }),
          setupRequest: (req) => {
            req.path = spec.paths[next++ % spec.paths.length]!
            return req
          }
        }
      ]
    })
  }
  if (warmup > 0) await run(warmup)
  const r = await run(duration)
  return {
    rps: Math.round(r.requests.total / r.duration),
    p50: r.latency.p50,
    p99: r.latency.p99,
    max: r.latency.max,
    requests: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts
  }
}

// ---------------------------------------------------------------------------------------------
// Dataset
// ---------------------------------------------------------------------------------------------

const cli = (databaseUrl: string, args: ReadonlyArray<string>, timeoutMs = 120_000) =>
  runToEnd(["dist/cli.js", ...args], { DATABASE_URL: databaseUrl, APP_ENV: "production", CORS_ORIGINS: "*", JWT_SECRET: jwtSecret }, timeoutMs)

const hasSeedCommand = async (databaseUrl: string) => {
  const help = await cli(databaseUrl, ["--help"]).catch((e: Error) => e.message)
  return /\bseed\b/.test(help)
}

const articleCount = async (databaseUrl: string) => {
  const db = new pg.Client({ connectionString: databaseUrl })
  await db.connect()
  try {
    return (await db.query("SELECT count(*)::int AS n FROM articles")).rows[0].n as number
  } finally {
    await db.end()
  }
}

const datasetCounts = async (db: pg.Client) => {
  const tables = ["users", "articles", "tags", "article_tags", "favorites", "follows", "comments"]
  const counts: Record<string, number> = {}
  for (const table of tables) {
    const exists = await db.query("SELECT to_regclass($1) IS NOT NULL AS ok", [table])
    if (exists.rows[0].ok) counts[table] = (await db.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n
  }
  return counts
}

// ---------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------

const main = async () => {
  const startedAt = new Date()
  const deadline = setTimeout(() => {
    log(`deadline of ${settings.deadlineSeconds} s reached: stopping`)
    void cleanup().finally(() => process.exit(124))
  }, settings.deadlineSeconds * 1000)
  deadline.unref()

  if (!existsSync(join(ROOT, "dist/main.js"))) throw new Error("dist/main.js is missing: run `make build` (or `make bench`)")
  workDir = await mkdtemp(join(tmpdir(), "hexa-bench-"))
  await chmod(workDir, 0o755) // as root, PostgreSQL runs as the `postgres` user, which must reach its folder
  await mkdir(RESULTS_DIR, { recursive: true })
  const notes: Array<string> = []

  // BENCH_DATABASE_URL: an existing database instead (seeded once, reused: for iterating on the harness).
  const given = process.env.BENCH_DATABASE_URL
  if (given === undefined || given === "") {
    log("starting PostgreSQL (embedded)")
    postgres = await startEmbeddedPostgres({ dataDir: join(workDir, "pg"), persistent: false, durable: true })
  }
  const databaseUrl = postgres?.url ?? given!

  await cli(databaseUrl, ["migrate"])
  const seedAvailable = await hasSeedCommand(databaseUrl)
  let seedSeconds: number | null = null
  let seedCommand: string | null = null
  const alreadySeeded = postgres === undefined && (await articleCount(databaseUrl)) > 0
  if (alreadySeeded) notes.push("Ran on an existing database (BENCH_DATABASE_URL), seeded before this run.")
  if (seedAvailable && !alreadySeeded) {
    const args = ["seed", ...["users", "articles", "follows", "favorites", "comments"].flatMap((k) => [`--${k}`, String(settings[k as "users"])])]
    seedCommand = `node dist/cli.js ${args.join(" ")}`
    log(`seeding: ${seedCommand}`)
    const t = performance.now()
    await cli(databaseUrl, args, 300_000)
    seedSeconds = Math.round((performance.now() - t) / 100) / 10
    log(`seeded in ${seedSeconds} s`)
  } else if (!seedAvailable) {
    notes.push("The `seed` CLI command is not in this build: article scenarios were skipped, users scenarios ran on one registered account.")
  }

  const db = new pg.Client({ connectionString: databaseUrl })
  await db.connect()
  // Steady state, as autovacuum would leave it: statistics and the visibility map (index-only count).
  await db.query("VACUUM ANALYZE")
  const counts = await datasetCounts(db)
  const hasArticles = (counts.articles ?? 0) > 0

  // The app under test: production build, production settings, tracing off.
  const app = await startApp("app", databaseUrl)

  // Accounts: the seed's, or one registered now when there is no seed.
  const fixtures = await prepareFixtures(db, app.base, seedAvailable && hasArticles)
  await db.end()

  const floor = await startFloor("floor", databaseUrl)
  const scenarios = SCENARIOS.filter((s) => (settings.only === undefined || settings.only.includes(s.id)))
  const runnable = scenarios.filter((s) => !s.needsArticles || hasArticles)
  for (const s of scenarios.filter((s) => !runnable.includes(s))) notes.push(`${s.title}: skipped (no articles seeded).`)

  // Same SQL, same bodies: the floor is only a floor if it does the app's work.
  const parity = await checkParity(databaseUrl, app, floor, runnable.filter((s) => s.kind !== "write"), fixtures)

  const results: Array<ScenarioResult> = []
  const { durationSeconds: d, warmupSeconds: w } = settings
  for (const scenario of runnable.filter((s) => s.kind !== "write")) {
    const spec = scenario.request(fixtures)
    log(`${scenario.id}: app`)
    const appRun = await load(app.base, spec, d, w)
    const appPeak = await peakRssMb(app.child.pid)
    log(`${scenario.id}: floor`)
    const floorRun = await load(floor.base, spec, d, w)
    results.push(scenarioResult(scenario, appRun, floorRun, appPeak))
    log(`${scenario.id}: app ${appRun.rps} req/s p99 ${appRun.p99} ms | floor ${floorRun.rps} req/s p99 ${floorRun.p99} ms`)
  }
  const appPeakAfterReads = await peakRssMb(app.child.pid)
  const floorPeak = await peakRssMb(floor.child.pid)
  await stopProcess(floor.child)

  // Tracing cost on GET /api/articles: off (the app above) against sampled at 10 % to an OTLP sink.
  const tracing: Array<TracingResult> = []
  if (hasArticles && (settings.only === undefined || settings.only.includes("tracing")))
    for (const id of settings.tracingScenarios) tracing.push(await measureTracing(databaseUrl, fixtures, id))
  else notes.push("Tracing overhead: not measured (no articles seeded, or not selected by BENCH_ONLY).")

  // Profile one scenario on a separate instance started with --cpu-prof.
  // The report must explain a missed target: by default the hot read furthest below its floor is profiled.
  const worst = results
    .filter((r) => r.kind === "hot-read" && r.ratio !== null && r.ratio < TARGETS.hotReadRatio)
    .sort((a, b) => a.ratio! - b.ratio!)[0]
  const profileTarget = settings.profile === "1" ? settings.profileScenario : settings.profile === "auto" ? worst?.id : undefined
  const profile = profileTarget === undefined ? null : await profileScenario(databaseUrl, fixtures, runnable, profileTarget)

  // Writes last: they add articles the read scenarios would otherwise page through.
  for (const scenario of runnable.filter((s) => s.kind === "write")) {
    log(`${scenario.id}: app`)
    const appRun = await load(app.base, scenario.request(fixtures), Math.max(d, scenario.minDurationSeconds ?? 0), scenario.warmup === false ? 0 : w)
    results.push(scenarioResult(scenario, appRun, null, await peakRssMb(app.child.pid)))
    log(`${scenario.id}: app ${appRun.rps} req/s p50 ${appRun.p50} ms p99 ${appRun.p99} ms`)
  }
  const appPeakAfterAll = await peakRssMb(app.child.pid)
  await stopProcess(app.child)

  const finishedAt = new Date()
  const output: BenchResults = {
    version: 1,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    wallSeconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? "unknown",
      memoryGb: Math.round(totalmem() / 2 ** 30),
      freeMemoryGbAtStart: Math.round((freemem() / 2 ** 30) * 10) / 10,
      loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
      node: process.version
    },
    settings: {
      durationSeconds: d,
      warmupSeconds: w,
      connections: settings.connections,
      poolMax: settings.poolMax,
      node:
        `node ${nodeSetup?.flags.join(" ") ?? ""} dist/main.js${nodeSetup?.nodeOptions ? ` with NODE_OPTIONS=${nodeSetup.nodeOptions}` : ""}`.replace(/ {2,}/g, " ") +
        (Object.keys(experimentEnv).length === 0 ? "" : ` and ${JSON.stringify(experimentEnv)} (BENCH_APP_ENV)`),
      database: "embedded PostgreSQL 18 (embedded-postgres), fsync on, loopback"
    },
    dataset: { counts, seedSeconds, seedCommand, readerFollows: fixtures.readerFollows, slugsRotated: fixtures.slugs.length },
    app: { readyMs: Math.round(app.readyMs), peakRssMbAfterReads: appPeakAfterReads, peakRssMbAfterAll: appPeakAfterAll },
    floor: { peakRssMb: floorPeak },
    passwordHash: await passwordHashCost(),
    parity,
    scenarios: results,
    tracing,
    profile,
    notes
  }
  await writeFile(join(RESULTS_DIR, "results.json"), `${JSON.stringify(output, null, 2)}\n`)
  await writeReport(output, RESULTS_DIR)
  log(`wrote ${RESULTS_DIR}/results.json, report.md, chart.svg in ${output.wallSeconds} s`)
}

const scenarioResult = (scenario: Scenario, app: LoadResult, floor: LoadResult | null, appPeakRssMb: number | null): ScenarioResult => ({
  id: scenario.id,
  appPeakRssMb,
  title: scenario.title,
  kind: scenario.kind,
  app,
  floor,
  ratio: floor === null || floor.rps === 0 ? null : Math.round((app.rps / floor.rps) * 1000) / 1000
})

// ---------------------------------------------------------------------------------------------
// Fixtures, parity, tracing, profile
// ---------------------------------------------------------------------------------------------

/** The seed's shared demo password, read from the build so it cannot drift. */
const seedPassword = async () => {
  const source = await readFile(join(ROOT, "dist/modules/users/adapters/sql/seed.js"), "utf8").catch(() => "")
  const found = /DEMO_PASSWORD = "([^"]+)"/.exec(source)?.[1]
  if (found === undefined) throw new Error("DEMO_PASSWORD not found in dist/modules/users/adapters/sql/seed.js: the seed's accounts cannot log in")
  return found
}

const prepareFixtures = async (db: pg.Client, base: string, seeded: boolean): Promise<Fixtures> => {
  const reader = seeded
    ? (
        await db.query(
          // The median follower among those who follow at least five authors: a typical feed, not the extreme one.
          `WITH f AS (SELECT follower_id, count(*)::int AS n FROM follows GROUP BY follower_id HAVING count(*) >= 5)
           SELECT u.email, f.n FROM f JOIN users u ON u.id = f.follower_id
           ORDER BY f.n, f.follower_id OFFSET (SELECT count(*) / 2 FROM f) LIMIT 1`
        )
      ).rows[0]
    : undefined
  let login: { email: string; password: string }
  let follows = 0
  if (reader !== undefined) {
    login = { email: reader.email, password: await seedPassword() }
    follows = reader.n
  } else {
    login = { email: `bench-${randomBytes(4).toString("hex")}@example.com`, password: "benchmark-password-1" }
    const reply = await call(base, "POST", "/api/users", json, JSON.stringify({ user: { ...login, username: login.email.split("@")[0] } }))
    if (reply.status !== 201) throw new Error(`register failed: ${reply.status} ${reply.body}`)
  }
  const reply = await call(base, "POST", "/api/users/login", json, JSON.stringify({ user: login }))
  if (reply.status !== 200) throw new Error(`login as ${login.email} failed: ${reply.status} ${reply.body}`)
  const readerToken = JSON.parse(reply.body).user.token as string
  const slugs = seeded
    ? (await db.query("SELECT slug FROM articles ORDER BY md5(id::text) LIMIT 1000")).rows.map((r) => r.slug as string)
    : []
  return { readerToken, readerFollows: follows, slugs, login }
}

/** Canonical JSON (sorted keys) so two bodies compare by content. */
const canonical = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(canonical)
    : value !== null && typeof value === "object"
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, canonical(v)]))
      : value

const checkParity = async (
  databaseUrl: string,
  app: Server,
  floor: Server,
  reads: ReadonlyArray<Scenario>,
  fixtures: Fixtures
) => {
  const capture = await startSqlCapture(databaseUrl)
  const capturedApp = await startApp("app-sql-capture", capture.url)
  const capturedFloor = await startFloor("floor-sql-capture", capture.url)
  const scenarios = []
  try {
    for (const scenario of reads) {
      const spec = scenario.request(fixtures)
      const path = spec.paths[0]!
      const statementsOf = async (server: Server) => {
        const mark = capture.mark()
        const reply = await call(server.base, spec.method, path, spec.headers ?? {})
        await sleep(50)
        return { reply, statements: [...capture.since(mark)].sort() }
      }
      const a = await statementsOf(capturedApp)
      const f = await statementsOf(capturedFloor)
      // Bodies from the measured instances, not the captured ones: what the load sees.
      const appBody = await call(app.base, spec.method, path, spec.headers ?? {})
      const floorBody = await call(floor.base, spec.method, path, spec.headers ?? {})
      const sameBody =
        appBody.status === floorBody.status &&
        JSON.stringify(canonical(JSON.parse(appBody.body))) === JSON.stringify(canonical(JSON.parse(floorBody.body)))
      // Executed statements as multisets: the same statements, as many times each.
      const minus = (xs: ReadonlyArray<string>, ys: ReadonlyArray<string>) => {
        const left = [...ys]
        return xs.filter((x) => {
          const i = left.indexOf(x)
          if (i === -1) return true
          left.splice(i, 1)
          return false
        })
      }
      const onlyApp = minus(a.statements, f.statements)
      const onlyFloor = minus(f.statements, a.statements)
      scenarios.push({
        id: scenario.id,
        status: appBody.status,
        sameSql: onlyApp.length === 0 && onlyFloor.length === 0,
        sameBody,
        statements: a.statements.length,
        onlyApp,
        onlyFloor
      })
      if (!sameBody) log(`${scenario.id}: bodies differ\n  app:   ${appBody.body.slice(0, 400)}\n  floor: ${floorBody.body.slice(0, 400)}`)
      if (onlyApp.length + onlyFloor.length > 0)
        log(`${scenario.id}: SQL differs\n  app only:   ${onlyApp.join("\n              ")}\n  floor only: ${onlyFloor.join("\n              ")}`)
    }
  } finally {
    await Promise.all([stopProcess(capturedApp.child), stopProcess(capturedFloor.child)])
    await capture.close()
  }
  const ok = scenarios.every((s) => s.sameSql && s.sameBody)
  if (!ok && process.env.BENCH_ALLOW_DRIFT !== "1")
    throw new Error("the floor does not run the app's SQL or answer its bodies (see above): update bench/floor.ts, or BENCH_ALLOW_DRIFT=1")
  return { ok, scenarios }
}

/** A loopback OTLP/HTTP sink: accepts every export and discards it, counting bytes. */
const startOtlpSink = async () => {
  const { createServer } = await import("node:http")
  let requests = 0
  let bytes = 0
  const server = createServer((req, res) => {
    req.on("data", (chunk: Buffer) => (bytes += chunk.length))
    req.on("end", () => {
      requests++
      res.writeHead(200, { "content-type": "application/json" })
      res.end("{}")
    })
  })
  const port = await freePort()
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r))
  return { url: `http://127.0.0.1:${port}`, stats: () => ({ requests, bytes }), close: () => new Promise<void>((r) => server.close(() => r())) }
}

/** Which environment the app reads to export traces; undefined while the build has no OTLP export. */
const tracingSupport = async () => {
  const files = await readdir(join(ROOT, "dist/platform/observability")).catch(() => [] as Array<string>)
  if (files.length === 0) return undefined
  const sources = await Promise.all(files.filter((f) => f.endsWith(".js")).map((f) => readFile(join(ROOT, "dist/platform/observability", f), "utf8")))
  const text = sources.join("\n")
  return text.includes("OTEL_EXPORTER_OTLP_ENDPOINT") && text.includes("OTEL_TRACES_SAMPLER") ? text : undefined
}

const measureTracing = async (databaseUrl: string, fixtures: Fixtures, scenarioId: string) => {
  if ((await tracingSupport()) === undefined)
    return {
      status: "skipped" as const,
      scenario: scenarioId,
      note: "this build has no OTLP trace export yet (src/platform/observability reading OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_TRACES_SAMPLER): not measured.",
      variants: [] as Array<TracingVariant>
    }
  const scenario = SCENARIOS.find((s) => s.id === scenarioId)!
  const spec = scenario.request(fixtures)
  const sink = await startOtlpSink()
  const configs: ReadonlyArray<readonly [string, Record<string, string>]> = [
    ["tracing off (no exporter: the default)", {}],
    ["exporter on, sampler always_off", { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_TRACES_SAMPLER: "always_off" }],
    [
      "exporter on, sampled at 10 % (parentbased_traceidratio 0.1)",
      { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: "0.1" }
    ]
  ]
  // Every variant on a fresh instance, in alternating order over the rounds, so drift in the machine's
  // load falls on all of them alike.
  const runs = new Map<string, Array<LoadResult & { peakRssMb: number | null }>>()
  try {
    for (let round = 0; round < settings.tracingRounds; round++) {
      for (const [label, env] of round % 2 === 0 ? configs : [...configs].reverse()) {
        const app = await startApp(`app-tracing-${scenarioId}-${round}-${configs.findIndex(([l]) => l === label)}`, databaseUrl, env)
        log(`tracing ${scenarioId}, round ${round + 1}: ${label}`)
        const run = await load(app.base, spec, settings.durationSeconds, settings.warmupSeconds)
        runs.set(label, [...(runs.get(label) ?? []), { ...run, peakRssMb: await peakRssMb(app.child.pid) }])
        await stopProcess(app.child)
        log(`  ${run.rps} req/s, p99 ${run.p99} ms`)
      }
    }
  } finally {
    await sink.close()
  }
  const mean = (xs: ReadonlyArray<number>) => Math.round(xs.reduce((a, b) => a + b, 0) / xs.length)
  const variants: Array<TracingVariant> = configs.map(([label]) => {
    const r = runs.get(label)!
    return {
      label,
      rps: mean(r.map((x) => x.rps)),
      p50: mean(r.map((x) => x.p50)),
      p99: Math.max(...r.map((x) => x.p99)),
      max: Math.max(...r.map((x) => x.max)),
      requests: r.reduce((a, x) => a + x.requests, 0),
      non2xx: r.reduce((a, x) => a + x.non2xx, 0),
      errors: r.reduce((a, x) => a + x.errors, 0),
      peakRssMb: Math.max(...r.map((x) => x.peakRssMb ?? 0)),
      rounds: r.map((x) => x.rps)
    }
  })
  for (const v of variants) v.relative = Math.round((v.rps / variants[0]!.rps) * 1000) / 1000
  const { requests, bytes } = sink.stats()
  return {
    status: "measured" as const,
    scenario: scenario.title,
    note: `${settings.tracingRounds} rounds of fresh instances, mean req/s; the OTLP sink received ${requests} exports, ${Math.round(bytes / 1024)} KiB`,
    variants
  }
}

/** The scrypt parameters the build uses, and one hash timed on this machine. */
const passwordHashCost = async () => {
  const source = await readFile(join(ROOT, "dist/modules/users/adapters/crypto/ScryptPasswordHasher.js"), "utf8").catch(() => "")
  const m = /PRODUCTION_COST = \{ N: 2 \*\* (\d+), r: (\d+), p: (\d+) \}/.exec(source)
  const concurrent = Number(/CONCURRENT_HASHES = (\d+)/.exec(source)?.[1] ?? 4)
  if (m === null) return { cost: "Password hash parameters not found in the build", why: "", msPerHash: null }
  const [log2N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const N = 2 ** log2N
  const mib = (128 * N * r) / 2 ** 20
  const t = performance.now()
  scryptSync("benchmark-password", randomBytes(16), 32, { N, r, p, maxmem: 256 * N * r })
  const msPerHash = Math.round(performance.now() - t)
  return {
    cost: `scrypt N = 2^${log2N}, r = ${r}, p = ${p}: ${mib} MiB and ${msPerHash} ms of one core per hash on this machine`,
    why:
      "scrypt's cost is memory as much as time, which is what makes guessing expensive on GPUs; N sets both. " +
      `At ${mib} MiB per hash and at most ${concurrent} hashes at a time (a semaphore in the hasher), a login burst needs ${concurrent * mib} MiB on top of the idle process (what the allocator then keeps shows in the peak RSS after the login scenario); ` +
      `OWASP's floor for r = 8 is N = 2^17 at p = 1 (128 MiB per hash, ${concurrent * 128} MiB for ${concurrent} concurrent logins) or N = 2^15 at p = 3 (same memory as now, three times the CPU). ` +
      "Parameters are stored with each hash, so raising p or N later re-hashes nothing.",
    msPerHash
  }
}

const profileScenario = async (databaseUrl: string, fixtures: Fixtures, runnable: ReadonlyArray<Scenario>, id: string) => {
  const scenario = runnable.find((s) => s.id === id) ?? runnable.find((s) => s.id === "user")!
  const dir = join(workDir!, "profile")
  await mkdir(dir, { recursive: true })
  const profiled = await startApp("app-profiled", databaseUrl, {}, ["--cpu-prof", `--cpu-prof-dir=${dir}`])
  log(`profile: ${scenario.id}`)
  const run = await load(profiled.base, scenario.request(fixtures), settings.durationSeconds, settings.warmupSeconds)
  await stopProcess(profiled.child, 15_000)
  const file = (await readdir(dir)).find((f) => f.endsWith(".cpuprofile"))
  if (file === undefined) return { scenario: scenario.id, rps: run.rps, error: "no .cpuprofile written (did the app exit cleanly?)" }
  await mkdir(join(RESULTS_DIR, "profile"), { recursive: true })
  const kept = join(RESULTS_DIR, "profile", `${scenario.id}.cpuprofile`)
  const raw = await readFile(join(dir, file), "utf8")
  await writeFile(kept, raw)
  // Start-up and warm-up are left out of the summary (not of the file).
  const skipMs = profiled.readyMs + settings.warmupSeconds * 1000
  return { scenario: scenario.id, rps: run.rps, file: `profile/${scenario.id}.cpuprofile`, ...summariseCpuProfile(JSON.parse(raw), ROOT, skipMs) }
}

main()
  .catch(async (error: unknown) => {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
    if (workDir !== undefined)
      for (const name of ["app.log", "floor.log"]) {
        const text = await readFile(join(workDir, name), "utf8").catch(() => "")
        if (text !== "") log(`last lines of ${name}:\n${text.split("\n").slice(-20).join("\n")}`)
      }
    process.exitCode = 1
  })
  .finally(async () => {
    await cleanup()
    process.exit()
  })
