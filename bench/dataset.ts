// The dataset: the app's own migrate and seed commands, counts, and the accounts scenarios use.
import { randomBytes } from "node:crypto"
import { readdir, readFile } from "node:fs/promises"
import { join } from "node:path"
import pg from "pg"
import { call } from "./http.ts"
import { runToEnd } from "./processes.ts"
import type { Fixtures } from "./scenarios.ts"
import { json } from "./scenarios.ts"
import { jwtSecret } from "./servers.ts"
import { ROOT } from "./settings.ts"

export const cli = (databaseUrl: string, args: ReadonlyArray<string>, timeoutMs = 120_000) =>
  runToEnd(
    ["dist/cli.js", ...args],
    { DATABASE_URL: databaseUrl, APP_ENV: "production", CORS_ORIGINS: "*", JWT_SECRET: jwtSecret },
    timeoutMs
  )

export const hasSeedCommand = async (databaseUrl: string) => {
  const help = await cli(databaseUrl, ["--help"]).catch((e: Error) => e.message)
  return /\bseed\b/.test(help)
}

export const articleCount = async (databaseUrl: string) => {
  const db = new pg.Client({ connectionString: databaseUrl })
  await db.connect()
  try {
    return (await db.query("SELECT count(*)::int AS n FROM articles")).rows[0].n as number
  } finally {
    await db.end()
  }
}

export const datasetCounts = async (db: pg.Client) => {
  const tables = ["users", "articles", "tags", "article_tags", "favorites", "follows", "comments"]
  const counts: Record<string, number> = {}
  for (const table of tables) {
    const exists = await db.query("SELECT to_regclass($1) IS NOT NULL AS ok", [table])
    if (exists.rows[0].ok) counts[table] = (await db.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n
  }
  return counts
}

/** The seed's shared demo password, read from the build (wherever the seed lives) so it cannot drift. */
export const seedPassword = async () => {
  const files = await readdir(join(ROOT, "dist"), { recursive: true }).catch(() => [] as Array<string>)
  for (const file of files.filter((f) => f.endsWith(".js"))) {
    const source = await readFile(join(ROOT, "dist", file), "utf8").catch(() => "")
    const found = /DEMO_PASSWORD = "([^"]+)"/.exec(source)?.[1]
    if (found !== undefined) return found
  }
  throw new Error("DEMO_PASSWORD not found in dist/: the seed's accounts cannot log in")
}

export const prepareFixtures = async (db: pg.Client, base: string, seeded: boolean): Promise<Fixtures> => {
  const reader = seeded
    ? (
        await db.query(
          // The median follower among those who follow at least five authors: a typical feed, not the extreme one.
          `WITH f AS (SELECT follower_id, count(*)::int AS n FROM follows GROUP BY follower_id HAVING count(*) >= 5)
           SELECT u.email, f.n FROM f JOIN users u ON u.id = f.follower_id
           ORDER BY f.n, f.follower_id OFFSET (SELECT count(*) / 2 FROM f) LIMIT 1`
        )
      ).rows[0]
    : undefined
  let login: { email: string; password: string }
  let follows = 0
  if (reader !== undefined) {
    login = { email: reader.email, password: await seedPassword() }
    follows = reader.n
  } else {
    login = { email: `bench-${randomBytes(4).toString("hex")}@example.com`, password: "benchmark-password-1" }
    const reply = await call(
      base,
      "POST",
      "/api/users",
      json,
      JSON.stringify({ user: { ...login, username: login.email.split("@")[0] } })
    )
    if (reply.status !== 201) throw new Error(`register failed: ${reply.status} ${reply.body}`)
  }
  const reply = await call(base, "POST", "/api/users/login", json, JSON.stringify({ user: login }))
  if (reply.status !== 200) throw new Error(`login as ${login.email} failed: ${reply.status} ${reply.body}`)
  const readerToken = JSON.parse(reply.body).user.token as string
  const slugs = seeded
    ? (await db.query("SELECT slug FROM articles ORDER BY md5(id::text) LIMIT 1000")).rows.map((r) => r.slug as string)
    : []
  // The tag of median frequency: a typical filtered list, neither the rarest nor the commonest tag.
  const tag = seeded
    ? (((
        await db.query(
          `WITH c AS (SELECT t.name, count(*) AS n FROM article_tags at JOIN tags t ON t.id = at.tag_id GROUP BY t.name)
           SELECT name FROM c ORDER BY n, name OFFSET (SELECT count(*) / 2 FROM c) LIMIT 1`
        )
      ).rows[0]?.name as string | undefined) ?? "none")
    : "none"
  return { readerToken, readerFollows: follows, slugs, tag, login }
}
