import { chmod, mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { TestProject } from "vitest/node"
import { startEmbeddedPostgres } from "../../scripts/embedded-postgres.ts"

declare module "vitest" {
  export interface ProvidedContext {
    /** A server the tests may create and drop databases on. */
    readonly adminDatabaseUrl: string
  }
}

/** TEST_DATABASE_URL, or a throwaway embedded PostgreSQL removed at the end, failures included. */
export default async function setup(project: TestProject) {
  const given = process.env.TEST_DATABASE_URL
  if (given !== undefined && given !== "") {
    project.provide("adminDatabaseUrl", given)
    return
  }
  const dir = await mkdtemp(join(tmpdir(), "hexa-monolith-pg-"))
  await chmod(dir, 0o755) // as root, the server runs as the `postgres` user, which must reach its folder
  const postgres = await startEmbeddedPostgres({ dataDir: join(dir, "data"), persistent: false, durable: false })
  project.provide("adminDatabaseUrl", postgres.url)
  return async () => {
    await postgres.stop()
    await rm(dir, { recursive: true, force: true })
  }
}
