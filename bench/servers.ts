// The service as production starts it, and the floor (bench/floor.ts), on ports the harness picks.
import type { ChildProcess } from "node:child_process"
import { randomBytes } from "node:crypto"
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { ConfigProvider, Effect } from "effect"
import { waitReady } from "./http.ts"
import { startProcess, state } from "./processes.ts"
import { freePort, log, ROOT, settings } from "./settings.ts"

export interface Server {
  readonly name: string
  readonly base: string
  readonly child: ChildProcess
  readonly readyMs: number
}

export const jwtSecret = randomBytes(32).toString("hex")

/** Waits for the process to answer; if it never does, the error carries the end of its own log. */
const ready = (name: string, base: string, since: number, child: ChildProcess, logFile: string) =>
  waitReady(base, since, child).catch(async (error: unknown) => {
    const tail = (await readFile(logFile, "utf8").catch(() => "")).trim().split("\n").slice(-15).join("\n")
    throw new Error(
      `${name}: ${error instanceof Error ? error.message : String(error)}; last lines of its log:\n${tail}`
    )
  })

export const appEnv = (databaseUrl: string, port: number, extra: Record<string, string> = {}) => ({
  APP_ENV: "production",
  CORS_ORIGINS: "*",
  HOST: "127.0.0.1",
  PORT: String(port),
  DATABASE_URL: databaseUrl,
  DATABASE_POOL_MAX: String(settings.poolMax),
  JWT_SECRET: jwtSecret,
  LOG_LEVEL: "Info",
  LOG_FORMAT: "json",
  // The rows held to the floor are without the read cache (cache-on rows are reported separately),
  // and the load comes from one address, which the per-address write limit would otherwise refuse.
  READ_CACHE: "false",
  RATE_LIMIT_WRITES_PER_ADDRESS: "1000000000 per 1 minute",
  ...experimentEnv,
  ...extra
})

/** BENCH_APP_ENV="LOG_LEVEL=Warn,…": extra settings for the app, to measure what one of them costs. */
export const experimentEnv: Record<string, string> = Object.fromEntries(
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
export const productionNode = async () => {
  const dockerfile = await readFile(join(ROOT, "Dockerfile"), "utf8").catch(() => "")
  const entrypoint = /^\s*ENTRYPOINT\s+(\[.*\])\s*$/m.exec(dockerfile)?.[1]
  const parsed: Array<string> = entrypoint === undefined ? ["node"] : JSON.parse(entrypoint)
  const deployment = await readFile(join(ROOT, "k8s/base/app/deployment.yaml"), "utf8").catch(() => "")
  const nodeOptions = /name: NODE_OPTIONS\s+value: (.+)/
    .exec(deployment)?.[1]
    ?.trim()
    .replace(/^["']|["']$/g, "")
  const flags = process.env.BENCH_NODE_FLAGS?.split(" ").filter((f) => f !== "") ?? parsed.slice(1)
  // The allocator's settings the image sets (glibc reads them from the environment at start).
  const malloc = Object.fromEntries([...dockerfile.matchAll(/\b(MALLOC_[A-Z_]+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]))
  return { flags, nodeOptions: process.env.BENCH_NODE_OPTIONS ?? nodeOptions ?? "", malloc }
}
let setup: Awaited<ReturnType<typeof productionNode>> | undefined
/** How the app was started, once one was. */
export const nodeSetup = () => setup

/**
 * Starts the app as production does. A port picked free can be taken before the app binds it (by any
 * connection the machine opens meanwhile): the app then exits naming the port, and is started again
 * on another.
 */
export const startApp = async (
  name: string,
  databaseUrl: string,
  extraEnv: Record<string, string> = {},
  nodeArgs: Array<string> = [],
  attempt = 1
): Promise<Server> => {
  try {
    return await startAppOnce(name, databaseUrl, extraEnv, nodeArgs)
  } catch (error) {
    if (attempt >= 3 || !String(error).includes("is already in use")) throw error
    log(`${name}: its port was taken before it bound it; starting it again on another`)
    return startApp(name, databaseUrl, extraEnv, nodeArgs, attempt + 1)
  }
}

const startAppOnce = async (
  name: string,
  databaseUrl: string,
  extraEnv: Record<string, string>,
  nodeArgs: Array<string>
): Promise<Server> => {
  const port = await freePort()
  setup ??= await productionNode()
  const env = {
    ...appEnv(databaseUrl, port, extraEnv),
    ...(setup.nodeOptions === "" ? {} : { NODE_OPTIONS: setup.nodeOptions }),
    ...setup.malloc
  }
  const since = performance.now()
  const logFile = join(state.workDir!, `${name}.log`)
  const child = startProcess(name, [...setup.flags, ...nodeArgs, "dist/main.js"], env, logFile)
  const base = `http://127.0.0.1:${port}`
  const readyMs = await ready(name, base, since, child, logFile)
  log(`${name} ready in ${readyMs.toFixed(0)} ms`)
  return { name, base, child, readyMs }
}

/**
 * The consumers' queues an `article.published` event is offered to under the app's settings, from
 * the built app's own routing: the floor writes one outbox row to each, as the app does.
 */
const publishedQueues = async (env: Record<string, string>) => {
  const { routedConsumers } = await import(join(ROOT, "dist/app/Events.js"))
  const { typeOf } = await import(join(ROOT, "dist/kernel/DomainEvent.js"))
  const consumers: ReadonlyArray<{ name: string; events: ReadonlyArray<unknown> }> = await Effect.runPromise(
    Effect.provideService(routedConsumers, ConfigProvider.ConfigProvider, ConfigProvider.fromEnvRecord(env))
  )
  return consumers
    .filter((consumer) => consumer.events.some((event) => typeOf(event) === "article.published"))
    .map((consumer) => consumer.name)
}

/** The raw floor (bench/floor.ts); `{ FLOOR_STACK: "effect" }` runs it on the app's stack instead. */
export const startFloor = async (
  name: string,
  databaseUrl: string,
  extra: Record<string, string> = {}
): Promise<Server> => {
  const port = await freePort()
  const since = performance.now()
  const logFile = join(state.workDir!, `${name}.log`)
  const child = startProcess(
    name,
    ["bench/floor.ts"],
    {
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      JWT_SECRET: jwtSecret,
      DATABASE_POOL_MAX: String(settings.poolMax),
      FLOOR_PUBLISHED_QUEUES: (await publishedQueues(appEnv(databaseUrl, port))).join(","),
      ...extra
    },
    logFile
  )
  const base = `http://127.0.0.1:${port}`
  const readyMs = await ready(name, base, since, child, logFile)
  return { name, base, child, readyMs }
}
