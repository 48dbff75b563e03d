import { readFileSync } from "node:fs"
import { chmod, mkdtemp, readdir, readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { freePort, type RunningPostgres, startEmbeddedPostgres } from "../../scripts/embedded-postgres.ts"

/**
 * A PostgreSQL server of the test's own, which it may stop, start again on the same port and data,
 * and freeze (SIGSTOP: it keeps accepting connections and never answers) and thaw.
 */
export class PostgresCluster {
  private running: RunningPostgres | undefined
  private frozen: ReadonlyArray<number> = []

  private readonly dir: string
  private readonly port: number

  private constructor(dir: string, port: number) {
    this.dir = dir
    this.port = port
  }

  static async create(): Promise<PostgresCluster> {
    const dir = await mkdtemp(join(tmpdir(), "hexa-monolith-outage-"))
    await chmod(dir, 0o755)
    const cluster = new PostgresCluster(dir, await freePort())
    await cluster.start()
    return cluster
  }

  get url() {
    return `postgres://postgres:postgres@127.0.0.1:${this.port}/postgres`
  }

  async start() {
    this.running = await startEmbeddedPostgres({ dataDir: join(this.dir, "data"), port: this.port, persistent: true, durable: false })
  }

  async stop() {
    await this.running?.stop()
    this.running = undefined
  }

  /** The postmaster and every backend it forked. */
  private async processes(): Promise<ReadonlyArray<number>> {
    const postmaster = Number(readFileSync(join(this.dir, "data", "postmaster.pid"), "utf8").split("\n")[0])
    const children: Array<number> = []
    for (const entry of await readdir("/proc")) {
      if (!/^\d+$/.test(entry)) continue
      const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "")
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1])
      if (parent === postmaster) children.push(Number(entry))
    }
    return [postmaster, ...children]
  }

  async freeze() {
    this.frozen = await this.processes()
    for (const pid of this.frozen) process.kill(pid, "SIGSTOP")
  }

  thaw() {
    for (const pid of this.frozen) {
      try {
        process.kill(pid, "SIGCONT")
      } catch {
        // already gone
      }
    }
    this.frozen = []
  }

  async dispose() {
    this.thaw()
    await this.stop().catch(() => {})
    await rm(this.dir, { recursive: true, force: true })
  }
}
