// Runs a command (the server, a CLI command) with a database: DATABASE_URL when set, otherwise the
// development cluster, an embedded PostgreSQL whose data survives restarts.
//   node scripts/run.ts node src/main.ts
// Commands started meanwhile (`make seed` while `make run` serves, a second `make run`) share the
// running cluster; the last one to end stops it. One left behind by a killed run is taken over.
// Without REDIS_URL the app keeps its cache and rate limits in memory; REDIS=local starts Debian's
// redis-server (data in .data/redis) so one machine can run the app the way several replicas do.
import { spawn } from "node:child_process"
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { resolve } from "node:path"
import {
  devDataDir,
  EmbeddedPostgresError,
  freePort,
  livePostmaster,
  PortTaken,
  portTaken,
  startEmbeddedPostgres,
  stopPostmaster,
  urlFor
} from "./embedded-postgres.ts"
import { startRedisServer } from "./redis-server.ts"

const DEFAULT_PORT = 54329

const say = (line: string) => console.error(`[run] ${line}`)
const fail = (line: string): never => {
  say(line)
  process.exit(1)
}

const [command, ...args] = process.argv.slice(2)
if (command === undefined) fail("usage: node scripts/run.ts <command> [args…]")

// A local .env fills in what the environment leaves unset; the environment always wins.
if (existsSync(".env")) process.loadEnvFile(".env")

let stopping = false
let child: ReturnType<typeof spawn> | undefined
// Ctrl-C and SIGTERM go to the command first, so the server drains; the database stops after it exits.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const)
  process.on(signal, () => {
    if (!stopping) say(`${signal}: stopping ${child ? "the server, then the database" : "the database"}`)
    stopping = true
    child?.kill(signal)
  })

// --- The shared development cluster -------------------------------------------------------------

/** Whether `pid` is another `scripts/run.ts` still alive (a reused pid is not). */
const isRunner = (pid: number) => {
  try {
    process.kill(pid, 0)
    return existsSync(`/proc/${pid}`) ? readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("scripts/run.ts") : true
  } catch {
    return false
  }
}

const clientsOf = (dataDir: string) => {
  const file = `${dataDir}.clients`
  const others = () =>
    (existsSync(file) ? readFileSync(file, "utf8").split("\n") : [])
      .map(Number)
      .filter((pid) => pid > 0 && pid !== process.pid && isRunner(pid))
  return {
    /** Whether another run uses the cluster now. */
    shared: () => others().length > 0,
    join: () => writeFileSync(file, [...others(), process.pid].join("\n")),
    /** Leaves; true when nobody else still uses the cluster. */
    leave: () => {
      const rest = others()
      writeFileSync(file, rest.join("\n"))
      return rest.length === 0
    }
  }
}

const portToUse = async () => {
  const given = process.env.EMBEDDED_PG_PORT
  if (given !== undefined && given !== "") {
    const port = Number(given)
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      return fail(`EMBEDDED_PG_PORT must be a port number (1-65535), got "${given}"`)
    if (await portTaken(port))
      return fail(`port ${port} is taken by another process: set EMBEDDED_PG_PORT to a free port`)
    return port
  }
  if (!(await portTaken(DEFAULT_PORT))) return DEFAULT_PORT
  const port = await freePort()
  say(
    `port ${DEFAULT_PORT} is taken (another PostgreSQL?): the embedded one listens on ${port}; EMBEDDED_PG_PORT picks the port`
  )
  return port
}

interface Database {
  readonly url: string
  readonly leave: () => Promise<void>
}

const developmentDatabase = async (): Promise<Database> => {
  const dataDir = await devDataDir()
  const clients = clientsOf(dataDir)
  const leave = async () => {
    const last = clients.leave()
    const running = livePostmaster(dataDir)
    if (last && running) await stopPostmaster(running.pid)
  }
  const running = livePostmaster(dataDir)
  if (running) {
    const shared = clients.shared()
    clients.join()
    say(
      shared
        ? `using the embedded PostgreSQL another run started on port ${running.port}`
        : `taking over the embedded PostgreSQL left running on port ${running.port}; it stops when this run ends`
    )
    return { url: urlFor(running.port), leave }
  }
  const port = await portToUse()
  try {
    const postgres = await startEmbeddedPostgres({ dataDir, port, persistent: true, durable: true })
    clients.join()
    say(`embedded PostgreSQL ready on 127.0.0.1:${port} (data in ${dataDir})`)
    return { url: postgres.url, leave }
  } catch (error) {
    if (error instanceof PortTaken)
      return fail(`port ${error.port} is taken by another process: set EMBEDDED_PG_PORT to a free port`)
    if (error instanceof EmbeddedPostgresError) return fail(error.message)
    throw error
  }
}

// --- The command --------------------------------------------------------------------------------

const needsDatabase = (process.env.DATABASE_URL ?? "") === "" && process.env.STORAGE !== "memory"
const database = needsDatabase ? await developmentDatabase() : undefined

const redis =
  process.env.REDIS === "local" && process.env.REDIS_URL === undefined
    ? await startRedisServer({
        dir: resolve(".data/redis"),
        port: Number(process.env.LOCAL_REDIS_PORT ?? 63790),
        persistent: true
      })
    : undefined
if (redis) say(`local redis-server ready at ${redis.url}`)

const finish = async (code: number) => {
  await Promise.all([database?.leave(), redis?.stop()])
  if (stopping) say("stopped")
  process.exit(code)
}

if (stopping) await finish(0)

child = spawn(command!, args, {
  stdio: "inherit",
  env: {
    ...process.env,
    ...(database ? { DATABASE_URL: database.url } : {}),
    ...(redis ? { REDIS_URL: redis.url } : {})
  }
})
child.on("error", (error) => {
  say(`cannot start ${command}: ${error.message}`)
  void finish(127)
})
child.on("exit", (code) => void finish(code ?? 1))
