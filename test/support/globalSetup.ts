import { chmod, mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { TestProject } from "vitest/node"
import { startEmbeddedPostgres } from "../../scripts/embedded-postgres.ts"
import { startRedisServer } from "../../scripts/redis-server.ts"

declare module "vitest" {
  export interface ProvidedContext {
    /** A server the tests may create and drop databases on. */
    readonly adminDatabaseUrl: string
    /** A Redis server the tests share; each test keeps to its own key prefix. */
    readonly redisUrl: string
  }
}

const given = (name: string) => {
  const value = process.env[name]
  return value === undefined || value === "" ? undefined : value
}

/**
 * TEST_DATABASE_URL and TEST_REDIS_URL, or a throwaway embedded PostgreSQL and Debian redis-server,
 * removed at the end, failures included.
 */
export default async function setup(project: TestProject) {
  const stops: Array<() => Promise<void>> = []
  const dir = await mkdtemp(join(tmpdir(), "hexa-monolith-test-"))
  const teardown = async () => {
    await Promise.allSettled(stops.map((stop) => stop()))
    await rm(dir, { recursive: true, force: true })
  }
  try {
    const databaseUrl = given("TEST_DATABASE_URL")
    if (databaseUrl !== undefined) {
      project.provide("adminDatabaseUrl", databaseUrl)
    } else {
      await chmod(dir, 0o755) // as root, the server runs as the `postgres` user, which must reach its folder
      const postgres = await startEmbeddedPostgres({ dataDir: join(dir, "pg"), persistent: false, durable: false })
      stops.push(postgres.stop)
      project.provide("adminDatabaseUrl", postgres.url)
    }
    const redisUrl = given("TEST_REDIS_URL")
    if (redisUrl !== undefined) {
      project.provide("redisUrl", redisUrl)
    } else {
      const redis = await startRedisServer({ dir: join(dir, "redis") })
      stops.push(redis.stop)
      project.provide("redisUrl", redis.url)
    }
  } catch (error) {
    await teardown()
    throw error
  }
  return teardown
}
