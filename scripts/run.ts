// Runs a command (the server, a CLI command) with a database: DATABASE_URL when set, otherwise an
// embedded PostgreSQL whose data lives in .data/postgres and survives restarts.
//   node scripts/run.ts node src/main.ts
import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { resolve } from "node:path"
import { startEmbeddedPostgres } from "./embedded-postgres.ts"

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

const child = spawn(command, args, {
  stdio: "inherit",
  env: postgres ? { ...process.env, DATABASE_URL: postgres.url } : process.env
})

// Ctrl-C and SIGTERM go to the app first, so it drains; the database stops after it exits.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal))

child.on("exit", async (code, signal) => {
  await postgres?.stop()
  process.exit(code ?? (signal ? 1 : 0))
})
