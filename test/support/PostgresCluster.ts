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

  /** The backends the postmaster forked. */
  private async children(postmaster: number): Promise<ReadonlyArray<number>> {
    const children: Array<number> = []
    for (const entry of await readdir("/proc")) {
      if (!/^\d+$/.test(entry)) continue
      const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "")
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1])
      if (parent === postmaster) children.push(Number(entry))
    }
    return children
  }

  async freeze() {
    const postmaster = Number(readFileSync(join(this.dir, "data", "postmaster.pid"), "utf8").split("\n")[0])
    // The postmaster first: stopped, it forks no backend that the list below would miss.
    process.kill(postmaster, "SIGSTOP")
    const children = await this.children(postmaster)
    for (const pid of children) {
      try {
        process.kill(pid, "SIGSTOP")
      } catch {
        // exited since the listing
      }
    }
    this.frozen = [postmaster, ...children]
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
