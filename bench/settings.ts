// What one run measures and how: sizes, durations, knobs (bench/README.md lists them).
import { createServer } from "node:net"
import { dirname, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { freePort as anyFreePort } from "../scripts/embedded-postgres.ts"

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..")
export const RESULTS_DIR = resolve(ROOT, process.env.BENCH_RESULTS_DIR ?? "bench/results")

export const number = (name: string, fallback: number) => {
  const raw = process.env[name]
  if (raw === undefined || raw === "") return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got ${raw}`)
  return value
}

export const settings = {
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
  deadlineSeconds: number("BENCH_DEADLINE", 900),
  /** "1": profile PROFILE_SCENARIO; "0": never; unset: profile the furthest hot read when one misses its target. */
  profile: process.env.PROFILE ?? "auto",
  profileScenario: process.env.PROFILE_SCENARIO ?? "article",
  tracingRounds: number("BENCH_TRACING_ROUNDS", 2),
  /** The busiest list and the cheapest point read: tracing costs most, relatively, where the request costs least. */
  tracingScenarios: (process.env.BENCH_TRACING_SCENARIOS ?? "articles-anon,article").split(","),
  /** Connection counts of the write sweep: throughput must rise with them, not flatten on a lock. */
  writeConnections: (process.env.BENCH_WRITE_CONNECTIONS ?? "1,10,50,100").split(",").map(Number),
  only: process.env.BENCH_ONLY?.split(",").filter((s) => s !== "")
}

export const log = (message: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`)
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * A port for the next server the run starts: BENCH_PORTS="41200-41299" keeps them in a range (on a
 * shared machine), otherwise any free port. Either way the port is checked free before it is used.
 */
const portRange = (() => {
  const raw = process.env.BENCH_PORTS
  if (raw === undefined || raw === "") return undefined
  const match = /^(\d+)-(\d+)$/.exec(raw)
  if (match === null) throw new Error(`BENCH_PORTS must look like 41200-41299, got ${raw}`)
  return { first: Number(match[1]), last: Number(match[2]), next: Number(match[1]) }
})()

const listenable = (port: number) =>
  new Promise<number | undefined>((resolvePort) => {
    const server = createServer()
    server.once("error", () => resolvePort(undefined))
    server.listen(port, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => resolvePort(typeof address === "object" && address !== null ? address.port : undefined))
    })
  })

export const freePort = async (): Promise<number> => {
  if (portRange === undefined) return anyFreePort()
  for (let tried = 0; tried <= portRange.last - portRange.first; tried++) {
    const candidate = portRange.next
    portRange.next = candidate >= portRange.last ? portRange.first : candidate + 1
    if ((await listenable(candidate)) !== undefined) return candidate
  }
  throw new Error(`no free port in BENCH_PORTS ${portRange.first}-${portRange.last}`)
}
