// The raw floor: what a hand-written service reaches on the same machine and database. Plain
// node:http, the `pg` driver with a pool of the app's size, named prepared statements (the app's
// driver prepares and caches its statements too), `jose` for the same HS256 tokens, JSON.stringify.
// No framework, no schema decoding, no spans, no logging.
//
// KEEP IN SYNC: the SQL below is copied, statement for statement, from the app's adapters
// (src/modules/articles/adapters/sql/SqlArticleRepository.ts, users/adapters/sql/SqlUserRepository.ts
// and SqlUserDirectory.ts, profiles/adapters/sql/SqlFollowRepository.ts) and the use cases' order of
// calls (articles/application/Articles.ts, profiles/application/FollowsProfileLookup.ts). `make bench`
// checks it: it runs one request per read scenario against both through a SQL-recording proxy and
// refuses to report when the statements differ, and compares the JSON bodies.
//
//   DATABASE_URL=… JWT_SECRET=… PORT=… DATABASE_POOL_MAX=10 node bench/floor.ts
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import { jwtVerify } from "jose"
import pg from "pg"

const url = process.env.DATABASE_URL
const secret = process.env.JWT_SECRET
if (url === undefined || secret === undefined) throw new Error("floor: DATABASE_URL and JWT_SECRET are required")
const port = Number(process.env.PORT ?? 3001)
const key = new TextEncoder().encode(secret)
const pool = new pg.Pool({ connectionString: url, max: Number(process.env.DATABASE_POOL_MAX ?? 10) })

const tagList = `COALESCE((
      SELECT array_agg(t.name ORDER BY at.position) FROM article_tags at JOIN tags t ON t.id = at.tag_id
      WHERE at.article_id = a.id), '{}') AS tag_list`
const favoritesCount = "(SELECT count(*)::int FROM favorites f WHERE f.article_id = a.id) AS favorites_count"
const favorited = (n: number) => `EXISTS (SELECT 1 FROM favorites f WHERE f.article_id = a.id AND f.user_id = $${n}::int) AS favorited`
const summaryColumns = "a.id, a.slug, a.title, a.description, a.author_id, a.created_at, a.updated_at"

/** Every statement the read scenarios run, named as pg's prepared-statement cache wants. */
const SQL = {
  userById: "SELECT id, email, username, password_hash, bio, image FROM users WHERE id = $1",
  usersByIds: "SELECT id, username, bio, image FROM users WHERE id = ANY($1)",
  followedAmong: "SELECT followee_id FROM follows WHERE follower_id = $1 AND followee_id = ANY($2)",
  followedBy: "SELECT followee_id FROM follows WHERE follower_id = $1 ORDER BY followee_id",
  articleBySlug: `SELECT ${summaryColumns}, a.body, ${tagList}, ${favoritesCount}, ${favorited(1)}
          FROM articles a WHERE a.slug = $2`,
  countAll: "SELECT total::int AS total FROM article_count",
  pageAll: `SELECT ${summaryColumns}, ${tagList}, ${favoritesCount}, ${favorited(1)}
          FROM (SELECT * FROM articles a WHERE 1=1
                ORDER BY a.created_at DESC, a.id DESC LIMIT $2 OFFSET $3) AS a
          ORDER BY a.created_at DESC, a.id DESC`,
  countByAuthors: "SELECT count(*)::int AS total FROM articles a WHERE a.author_id = ANY($1::int[])",
  pageByAuthors: `SELECT ${summaryColumns}, ${tagList}, ${favoritesCount}, ${favorited(1)}
          FROM (SELECT * FROM articles a WHERE a.author_id = ANY($2::int[])
                ORDER BY a.created_at DESC, a.id DESC LIMIT $3 OFFSET $4) AS a
          ORDER BY a.created_at DESC, a.id DESC`
} as const

type Row = Record<string, unknown>
const query = async (name: keyof typeof SQL, values: ReadonlyArray<unknown>): Promise<Array<Row>> =>
  (await pool.query({ name, text: SQL[name], values: [...values] })).rows

interface Profile {
  readonly username: unknown
  readonly bio: unknown
  readonly image: unknown
  readonly following: boolean
}

/** Profiles of these authors as the viewer sees them (FollowsProfileLookup.layer.forUsers). */
const profiles = async (ids: ReadonlyArray<number>, viewer: number | null) => {
  const result = new Map<number, Profile>()
  if (ids.length === 0) return result
  const accounts = await query("usersByIds", [[...new Set(ids)]])
  const followed =
    viewer === null
      ? new Set<number>()
      : new Set((await query("followedAmong", [viewer, accounts.map((a) => a.id)])).map((r) => r.followee_id as number))
  for (const a of accounts)
    result.set(a.id as number, { username: a.username, bio: a.bio, image: a.image, following: followed.has(a.id as number) })
  return result
}

const listed = (row: Row, author: Profile) => ({
  slug: row.slug,
  title: row.title,
  description: row.description,
  tagList: row.tag_list,
  createdAt: (row.created_at as Date).toISOString(),
  updatedAt: (row.updated_at as Date).toISOString(),
  favorited: row.favorited,
  favoritesCount: row.favorites_count,
  author
})

const withAuthors = async (rows: ReadonlyArray<Row>, viewer: number | null) => {
  if (rows.length === 0) return []
  const authors = await profiles(
    rows.map((r) => r.author_id as number),
    viewer
  )
  return rows.flatMap((row) => {
    const author = authors.get(row.author_id as number)
    return author === undefined ? [] : [listed(row, author)]
  })
}

const bounds = (params: URLSearchParams) => ({
  limit: Math.min(Number(params.get("limit") ?? 20), 100),
  offset: Number(params.get("offset") ?? 0)
})

const listArticles = async (params: URLSearchParams, viewer: number | null) => {
  const { limit, offset } = bounds(params)
  const [count, page] = await Promise.all([query("countAll", []), query("pageAll", [viewer, limit, offset])])
  return { articles: await withAuthors(page, viewer), articlesCount: count[0]!.total }
}

const feed = async (params: URLSearchParams, viewer: number) => {
  const followed = (await query("followedBy", [viewer])).map((r) => r.followee_id as number)
  if (followed.length === 0) return { articles: [], articlesCount: 0 }
  const { limit, offset } = bounds(params)
  const [count, page] = await Promise.all([
    query("countByAuthors", [followed]),
    query("pageByAuthors", [viewer, followed, limit, offset])
  ])
  return { articles: await withAuthors(page, viewer), articlesCount: count[0]!.total }
}

const article = async (slug: string, viewer: number | null) => {
  const [row] = await query("articleBySlug", [viewer, slug])
  if (row === undefined) return undefined
  const [item] = await withAuthors([row], viewer)
  return item === undefined ? undefined : { article: { ...item, body: row.body } }
}

const currentUser = async (id: number, token: string) => {
  const [row] = await query("userById", [id])
  return row === undefined
    ? undefined
    : { user: { email: row.email, token, username: row.username, bio: row.bio, image: row.image } }
}

/** The caller's id and raw token, null without a header; throws on a bad token (a 401). */
const caller = async (request: IncomingMessage) => {
  const header = request.headers.authorization
  if (header === undefined) return null
  const token = header.replace(/^Token /, "")
  const { payload } = await jwtVerify(token, key, { algorithms: ["HS256"], requiredClaims: ["sub", "exp"] })
  return { id: Number(payload.sub), token }
}

const send = (response: ServerResponse, status: number, body: unknown) => {
  const json = JSON.stringify(body)
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(json) })
  response.end(json)
}

const notFound = { errors: { article: ["not found"] } }
const unauthorized = { errors: { token: ["is missing"] } }

const route = async (request: IncomingMessage, response: ServerResponse) => {
  const target = new URL(request.url ?? "/", "http://floor")
  const path = target.pathname
  if (request.method !== "GET") return send(response, 405, {})
  if (path === "/health/ready") {
    await pool.query("SELECT 1")
    return send(response, 200, { status: "ready" })
  }
  const who = await caller(request).catch(() => undefined)
  if (who === undefined) return send(response, 401, { errors: { token: ["is invalid"] } })
  if (path === "/api/user") {
    if (who === null) return send(response, 401, unauthorized)
    const body = await currentUser(who.id, who.token)
    return body === undefined ? send(response, 401, unauthorized) : send(response, 200, body)
  }
  if (path === "/api/articles") return send(response, 200, await listArticles(target.searchParams, who?.id ?? null))
  if (path === "/api/articles/feed") {
    if (who === null) return send(response, 401, unauthorized)
    return send(response, 200, await feed(target.searchParams, who.id))
  }
  if (path.startsWith("/api/articles/")) {
    const body = await article(decodeURIComponent(path.slice("/api/articles/".length)), who?.id ?? null)
    return body === undefined ? send(response, 404, notFound) : send(response, 200, body)
  }
  return send(response, 404, {})
}

const server = createServer((request, response) => {
  route(request, response).catch((error: unknown) => {
    console.error("[floor]", error)
    if (!response.headersSent) send(response, 500, { errors: { server: ["failed"] } })
  })
})
server.keepAliveTimeout = 65_000
server.listen(port, "127.0.0.1", () => console.error(`[floor] listening on 127.0.0.1:${port}`))

for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.on(signal, () => {
    server.close()
    server.closeAllConnections()
    void pool.end().finally(() => process.exit(0))
  })
