// A real redis-server for `make test` (and `make run REDIS=local`) when no Redis URL is given: Debian's
// redis-server package, fetched with `apt-get download` and unpacked with `dpkg -x` into .tools/redis
// (nothing installed, no service registered), started as an ordinary process. Development tooling only.
import { spawn } from "node:child_process"
import { mkdir } from "node:fs/promises"
import { connect } from "node:net"
import { join, resolve } from "node:path"
import { ensureDebianPackages } from "./debian-packages.ts"
import { freePort } from "./embedded-postgres.ts"

const PACKAGES = ["redis-server", "redis-tools", "libjemalloc2", "liblzf1"]
const TOOLS = resolve(import.meta.dirname, "../.tools/redis")
const SERVER = join(TOOLS, "root/usr/bin/redis-server")
const LIBS = join(TOOLS, "root/usr/lib/x86_64-linux-gnu")

export interface RedisServerOptions {
  /** Where the server keeps its files; created if missing. */
  readonly dir: string
  /** Defaults to a free port. A fixed one lets a stopped server come back at the same address. */
  readonly port?: number
  /** Keep an append-only file in `dir` across restarts (`make run`) or keep nothing (tests). */
  readonly persistent?: boolean
}

export interface RunningRedis {
  readonly url: string
  readonly port: number
  readonly stop: () => Promise<void>
}

/** Debian's redis-server, unpacked once. */
export async function ensureRedisServer(): Promise<string> {
  await ensureDebianPackages({ name: "redis-server", packages: PACKAGES, dir: TOOLS, marker: SERVER })
  return SERVER
}

export async function startRedisServer(options: RedisServerOptions): Promise<RunningRedis> {
  const server = await ensureRedisServer()
  await mkdir(options.dir, { recursive: true })
  const port = options.port ?? (await freePort())
  const args = [
    "--bind",
    "127.0.0.1",
    "--port",
    String(port),
    "--dir",
    options.dir,
    "--save",
    "",
    "--appendonly",
    options.persistent ? "yes" : "no",
    "--daemonize",
    "no",
    "--logfile",
    "",
    "--loglevel",
    "warning"
  ]
  const child = spawn(server, args, {
    env: { ...process.env, LD_LIBRARY_PATH: LIBS },
    stdio: ["ignore", "pipe", "pipe"]
  })
  const killOnExit = () => child.kill("SIGKILL")
  process.once("exit", killOnExit)
  let output = ""
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk
  })
  child.stderr.on("data", (chunk: Buffer) => {
    output += chunk
  })
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  await waitUntilAnswering(port, exited).catch((error: unknown) => {
    child.kill("SIGKILL")
    throw new Error(`redis-server did not start on port ${port}: ${output.trim()}`, { cause: error })
  })
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: async () => {
      process.off("exit", killOnExit)
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM")
      await exited
    }
  }
}

/** Polls with an inline PING until the server answers PONG, the process exits, or 10 s pass. */
async function waitUntilAnswering(port: number, exited: Promise<void>): Promise<void> {
  const ping = () =>
    new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1")
      socket.setTimeout(500)
      socket.once("connect", () => socket.write("PING\r\n"))
      socket.once("data", (data) => {
        socket.destroy()
        resolve(data.toString().startsWith("+PONG"))
      })
      socket.once("error", () => resolve(false))
      socket.once("timeout", () => {
        socket.destroy()
        resolve(false)
      })
    })
  let gone = false
  void exited.then(() => {
    gone = true
  })
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    if (gone) throw new Error("exited")
    if (await ping()) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error("timed out")
}
