// `make bench`: an embedded PostgreSQL, a seeded dataset, the service as built for production, the raw
// floor (bench/floor.ts) on the same database, autocannon on loopback, and a report in bench/results/.
// Everything it starts it stops, on success, failure, Ctrl-C or its own deadline. See bench/README.md.
import { existsSync } from "node:fs"
import { chmod, mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises"
import { cpus, freemem, loadavg, tmpdir, totalmem } from "node:os"
import { join } from "node:path"
import pg from "pg"
import { startEmbeddedPostgres } from "../scripts/embedded-postgres.ts"
import { startRedisServer } from "../scripts/redis-server.ts"
import { articleCount, cli, datasetCounts, hasSeedCommand, prepareFixtures } from "./dataset.ts"
import { peakRssMb } from "./http.ts"
import { checkParity } from "./parity.ts"
import { passwordHashCost } from "./password-hash.ts"
import { cleanup, state, stopProcess } from "./processes.ts"
import { profileScenario } from "./profile.ts"
import { TARGETS, writeReport } from "./report.ts"
import type { BenchResults, LoadResult, ScenarioResult, SweepPoint, TracingResult } from "./results.ts"
import { load, SCENARIOS, type Scenario } from "./scenarios.ts"
import { experimentEnv, nodeSetup, type Server, startApp, startFloor } from "./servers.ts"
import { freePort, log, RESULTS_DIR, ROOT, settings } from "./settings.ts"
import { measureTracing } from "./tracing.ts"

const ratioOf = (app: LoadResult, floor: LoadResult | null) =>
  floor === null || floor.rps === 0 ? null : Math.round((app.rps / floor.rps) * 1000) / 1000

const scenarioResult = (
  scenario: Scenario,
  app: LoadResult,
  floor: LoadResult | null,
  appPeakRssMb: number | null,
  stack: LoadResult | null = null
): ScenarioResult => ({
  id: scenario.id,
  appPeakRssMb,
  title: scenario.title,
  kind: scenario.kind,
  app,
  floor,
  stack,
  p99TargetMs: scenario.p99TargetMs ?? null,
  ratio: ratioOf(app, floor)
})

/** App then floor (then the stack floor, when given) on the same scenario, so machine noise falls on all alike. */
const appThenFloor = async (
  app: Server,
  floor: Server,
  spec: ReturnType<Scenario["request"]>,
  duration: number,
  warmup: number,
  connections = settings.connections,
  stack?: Server
) => {
  const appRun = await load(app.base, spec, duration, warmup, connections, app.child.pid)
  const appPeak = await peakRssMb(app.child.pid)
  const floorRun = await load(floor.base, spec, duration, warmup, connections, floor.child.pid)
  const stackRun =
    stack === undefined ? null : await load(stack.base, spec, duration, warmup, connections, stack.child.pid)
  return { appRun, appPeak, floorRun, stackRun }
}

const summary = (id: string, app: LoadResult, floor: LoadResult, stack: LoadResult | null) =>
  `${id}: app ${app.rps} req/s p99 ${app.p99} ms | floor ${floor.rps} req/s p99 ${floor.p99} ms` +
  (stack === null ? "" : ` | stack floor ${stack.rps} req/s p99 ${stack.p99} ms`)

/** The hot reads measured again with the read cache on (in Redis), each reported beside its no-cache row. */
const CACHED_READS = ["articles-anon", "articles-auth", "article"]

const main = async () => {
  const startedAt = new Date()
  const deadline = setTimeout(() => {
    log(`deadline of ${settings.deadlineSeconds} s reached: stopping`)
    void cleanup().finally(() => process.exit(124))
  }, settings.deadlineSeconds * 1000)
  deadline.unref()

  if (!existsSync(join(ROOT, "dist/main.js")))
    throw new Error("dist/main.js is missing: run `make build` (or `make bench`)")
  const workDir = await mkdtemp(join(tmpdir(), "hexa-bench-"))
  state.workDir = workDir
  await chmod(workDir, 0o755) // as root, PostgreSQL runs as the `postgres` user, which must reach its folder
  await mkdir(RESULTS_DIR, { recursive: true })
  const notes: Array<string> = []

  // BENCH_DATABASE_URL: an existing database instead (seeded once, reused: for iterating on the harness).
  const given = process.env.BENCH_DATABASE_URL
  if (given === undefined || given === "") {
    log("starting PostgreSQL (embedded)")
    state.postgres = await startEmbeddedPostgres({
      dataDir: join(workDir, "pg"),
      persistent: false,
      durable: true,
      port: await freePort()
    })
  }
  const databaseUrl = state.postgres?.url ?? given!

  await cli(databaseUrl, ["migrate"])
  const seedAvailable = await hasSeedCommand(databaseUrl)
  let seedSeconds: number | null = null
  let seedCommand: string | null = null
  const alreadySeeded = state.postgres === undefined && (await articleCount(databaseUrl)) > 0
  if (alreadySeeded) notes.push("Ran on an existing database (BENCH_DATABASE_URL), seeded before this run.")
  if (seedAvailable && !alreadySeeded) {
    const args = [
      "seed",
      ...["users", "articles", "follows", "favorites", "comments"].flatMap((k) => [
        `--${k}`,
        String(settings[k as "users"])
      ])
    ]
    seedCommand = `node dist/cli.js ${args.join(" ")}`
    log(`seeding: ${seedCommand}`)
    const t = performance.now()
    await cli(databaseUrl, args, 300_000)
    seedSeconds = Math.round((performance.now() - t) / 100) / 10
    log(`seeded in ${seedSeconds} s`)
  } else if (!seedAvailable) {
    notes.push(
      "The `seed` CLI command is not in this build: article scenarios were skipped, users scenarios ran on one registered account."
    )
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
  // The same floor on effect's HTTP server and driver: the share of the gap that is the stack's, not the app's.
  const stackFloor = await startFloor("stack-floor", databaseUrl, { FLOOR_STACK: "effect" })
  const scenarios = SCENARIOS.filter((s) => settings.only === undefined || settings.only.includes(s.id))
  const runnable = scenarios.filter((s) => !s.needsArticles || hasArticles)
  for (const s of scenarios.filter((s) => !runnable.includes(s)))
    notes.push(`${s.title}: skipped (no articles seeded).`)

  // Same SQL, same bodies: the floor is only a floor if it does the app's work.
  const parity = await checkParity(
    databaseUrl,
    app,
    floor,
    runnable.filter((s) => s.floor),
    fixtures
  )

  const results: Array<ScenarioResult> = []
  const { durationSeconds: d, warmupSeconds: w } = settings
  for (const scenario of runnable.filter((s) => s.kind !== "write")) {
    log(`${scenario.id}: app, floor, stack floor`)
    const { appRun, appPeak, floorRun, stackRun } = await appThenFloor(
      app,
      floor,
      scenario.request(fixtures),
      d,
      w,
      settings.connections,
      stackFloor
    )
    results.push(scenarioResult(scenario, appRun, floorRun, appPeak, stackRun))
    log(summary(scenario.id, appRun, floorRun, stackRun))
  }
  const appPeakAfterReads = await peakRssMb(app.child.pid)

  // The same reads with the cache on, in a redis-server as replicas share it (no floor: it has no cache).
  if (settings.only === undefined || settings.only.includes("cache")) {
    const redis = await startRedisServer({ dir: join(state.workDir!, "redis") })
    const cached = await startApp("app-cache", databaseUrl, { READ_CACHE: "true", REDIS_URL: redis.url })
    for (const scenario of runnable.filter((s) => CACHED_READS.includes(s.id))) {
      log(`${scenario.id}: app, cache on`)
      const run = await load(cached.base, scenario.request(fixtures), d, w, settings.connections, cached.child.pid)
      const row = { ...scenario, id: `${scenario.id}-cache`, title: `${scenario.title}, cache on (Redis)` }
      results.splice(
        results.findIndex((r) => r.id === scenario.id) + 1,
        0,
        scenarioResult(row, run, null, await peakRssMb(cached.child.pid))
      )
      log(`${scenario.id}: app, cache on ${run.rps} req/s p99 ${run.p99} ms`)
    }
    await stopProcess(cached.child)
    await redis.stop()
  }

  // Tracing cost: off (the default) against exporting with always_off and sampled at 10 % to an OTLP sink.
  const tracing: Array<TracingResult> = []
  if (hasArticles && (settings.only === undefined || settings.only.includes("tracing")))
    for (const id of settings.tracingScenarios) tracing.push(await measureTracing(databaseUrl, fixtures, id))
  else notes.push("Tracing overhead: not measured (no articles seeded, or not selected by BENCH_ONLY).")

  // Profile one scenario on a separate instance started with --cpu-prof.
  // The report must explain a missed target: by default the read furthest below its floor is profiled.
  const worst = results
    .filter((r) => r.ratio !== null && r.ratio < TARGETS.floorRatio)
    .sort((a, b) => a.ratio! - b.ratio!)[0]
  const profileTarget =
    settings.profile === "1" ? settings.profileScenario : settings.profile === "auto" ? worst?.id : undefined
  const profile =
    profileTarget === undefined ? null : await profileScenario(databaseUrl, fixtures, runnable, profileTarget)

  // Writes last: they add articles the read scenarios would otherwise page through. The article
  // write runs at rising connection counts against app and floor; the run's own count is its row.
  const writeSweep: Array<SweepPoint> = []
  for (const scenario of runnable.filter((s) => s.kind === "write")) {
    const spec = scenario.request(fixtures)
    if (scenario.floor) {
      const sweepSeconds = Math.max(3, Math.round(d / 2))
      for (const connections of settings.writeConnections) {
        log(`${scenario.id} at ${connections} connections: app, then floor`)
        const { appRun, floorRun } = await appThenFloor(app, floor, spec, sweepSeconds, 1, connections)
        writeSweep.push({ connections, app: appRun, floor: floorRun, ratio: ratioOf(appRun, floorRun) })
        log(`  app ${appRun.rps} req/s p99 ${appRun.p99} ms | floor ${floorRun.rps} req/s p99 ${floorRun.p99} ms`)
      }
      const { appRun, appPeak, floorRun, stackRun } = await appThenFloor(
        app,
        floor,
        spec,
        d,
        w,
        settings.connections,
        stackFloor
      )
      results.push(scenarioResult(scenario, appRun, floorRun, appPeak, stackRun))
      log(summary(scenario.id, appRun, floorRun, stackRun))
      continue
    }
    log(`${scenario.id}: app`)
    const appRun = await load(
      app.base,
      spec,
      Math.max(d, scenario.minDurationSeconds ?? 0),
      scenario.warmup === false ? 0 : w,
      scenario.connections ?? settings.connections,
      app.child.pid
    )
    results.push(scenarioResult(scenario, appRun, null, await peakRssMb(app.child.pid)))
    log(`${scenario.id}: app ${appRun.rps} req/s p50 ${appRun.p50} ms p99 ${appRun.p99} ms`)
  }
  const appPeakAfterAll = await peakRssMb(app.child.pid)
  const floorPeak = await peakRssMb(floor.child.pid)
  await Promise.all([stopProcess(app.child), stopProcess(floor.child), stopProcess(stackFloor.child)])

  // articlesCount must have stayed exact through every write above.
  const check = new pg.Client({ connectionString: databaseUrl })
  await check.connect()
  const exact = (
    await check
      .query(
        "SELECT (SELECT count(*) FROM articles)::int AS counted, (SELECT sum(total) FROM article_count_shards)::int AS kept"
      )
      .catch(() => ({ rows: [] as Array<{ counted: number; kept: number }> }))
  ).rows[0]
  await check.end()
  if (exact !== undefined)
    notes.push(
      `articlesCount after the writes: ${exact.kept} kept by the counter rows, ${exact.counted} counted${exact.kept === exact.counted ? " (exact)" : " — **drifted**"}.`
    )

  const finishedAt = new Date()
  const setup = nodeSetup()
  const output: BenchResults = {
    version: 2,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    wallSeconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? "unknown",
      memoryGb: Math.round(totalmem() / 2 ** 30),
      freeMemoryGbAtStart: Math.round((freemem() / 2 ** 30) * 10) / 10,
      loadAverageAtStart: loadAverageAtStart.map((l) => Math.round(l * 100) / 100),
      node: process.version
    },
    settings: {
      durationSeconds: d,
      warmupSeconds: w,
      connections: settings.connections,
      poolMax: settings.poolMax,
      node:
        `${Object.entries(setup?.malloc ?? {})
          .map(([k, v]) => `${k}=${v} `)
          .join(
            ""
          )}node ${setup?.flags.join(" ") ?? ""} dist/main.js${setup?.nodeOptions ? ` with NODE_OPTIONS=${setup.nodeOptions}` : ""}`.replace(
          / {2,}/g,
          " "
        ) + (Object.keys(experimentEnv).length === 0 ? "" : ` and ${JSON.stringify(experimentEnv)} (BENCH_APP_ENV)`),
      database: "embedded PostgreSQL 18 (embedded-postgres), fsync on, loopback"
    },
    dataset: {
      counts,
      seedSeconds,
      seedCommand,
      readerFollows: fixtures.readerFollows,
      slugsRotated: fixtures.slugs.length
    },
    app: {
      readyMs: Math.round(app.readyMs),
      peakRssMbAfterReads: appPeakAfterReads,
      peakRssMbAfterAll: appPeakAfterAll
    },
    floor: { peakRssMb: floorPeak },
    passwordHash: await passwordHashCost(),
    parity,
    scenarios: results,
    writeSweep,
    tracing,
    profile,
    notes
  }
  await writeFile(join(RESULTS_DIR, "results.json"), `${JSON.stringify(output, null, 2)}\n`)
  await writeReport(output, RESULTS_DIR)
  log(`wrote ${RESULTS_DIR}/results.json, report.md, chart.svg in ${output.wallSeconds} s`)
}

const loadAverageAtStart = loadavg()

main()
  .catch(async (error: unknown) => {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
    if (state.workDir !== undefined)
      for (const name of ["app.log", "floor.log", "stack-floor.log"]) {
        const text = await readFile(join(state.workDir, name), "utf8").catch(() => "")
        if (text !== "") log(`last lines of ${name}:\n${text.split("\n").slice(-20).join("\n")}`)
      }
    process.exitCode = 1
  })
  .finally(async () => {
    await cleanup()
    process.exit()
  })
