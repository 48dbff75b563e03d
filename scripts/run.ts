// Runs a command (the server, a CLI command) with a database: DATABASE_URL when set, otherwise an
// embedded PostgreSQL whose data lives in .data/postgres and survives restarts.
// Without REDIS_URL the app keeps its cache and rate limits in memory; REDIS=local starts Debian's
// redis-server (data in .data/redis) so one machine can run the app the way several replicas do.
//   node scripts/run.ts node src/main.ts
import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { resolve } from "node:path"
import { startEmbeddedPostgres } from "./embedded-postgres.ts"
import { startRedisServer } from "./redis-server.ts"

const [command, ...args] = process.argv.slice(2)
if (command === undefined) {
  console.error("usage: node scripts/run.ts <command> [args…]")
  process.exit(2)
}

// A local .env fills in what the environment leaves unset; the environment always wins.
if (existsSync(".env")) process.loadEnvFile(".env")

const needsDatabase = process.env.DATABASE_URL === undefined && process.env.STORAGE !== "memory"
const postgres = needsDatabase
  ? await startEmbeddedPostgres({
      dataDir: resolve(".data/postgres"),
      port: Number(process.env.EMBEDDED_PG_PORT ?? 54329),
      persistent: true,
      durable: true
    })
  : undefined
if (postgres) console.error(`[run] embedded PostgreSQL ready at ${postgres.url.replace(/:[^:@/]+@/, ":***@")}`)

const redis =
  process.env.REDIS === "local" && process.env.REDIS_URL === undefined
    ? await startRedisServer({
        dir: resolve(".data/redis"),
        port: Number(process.env.LOCAL_REDIS_PORT ?? 63790),
        persistent: true
      })
    : undefined
if (redis) console.error(`[run] local redis-server ready at ${redis.url}`)

const child = spawn(command, args, {
  stdio: "inherit",
  env: {
    ...process.env,
    ...(postgres ? { DATABASE_URL: postgres.url } : {}),
    ...(redis ? { REDIS_URL: redis.url } : {})
  }
})

// Ctrl-C and SIGTERM go to the app first, so it drains; the servers stop after it exits.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal))

child.on("exit", async (code, signal) => {
  await Promise.all([postgres?.stop(), redis?.stop()])
  process.exit(code ?? (signal ? 1 : 0))
})
