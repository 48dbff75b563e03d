// The raw floor: what a hand-written service reaches on the same machine and database. Plain
// node:http, the `pg` driver with a pool of the app's size, named prepared statements (the app's
// driver prepares and caches its statements too), node:crypto HMAC for the same HS256 tokens,
// JSON.stringify. No framework, no schema decoding, no spans, no logging.
//
// FLOOR_STACK=effect runs the same code on the app's stack instead: effect's HTTP server and router
// (@effect/platform-node) and the @effect/sql-pg driver, still without schemas, spans, logging or
// middleware. Its distance to the raw floor is what the stack itself costs, before any code of the app.
//
// KEEP IN SYNC: the SQL below is copied, statement for statement, from the app's adapters
// (src/modules/articles/adapters/sql/SqlArticleRepository.ts, users/adapters/sql/SqlUserRepository.ts
// and SqlUserDirectory.ts, profiles/adapters/sql/SqlFollowRepository.ts) and the use cases' order of
// calls (articles/application/Articles.ts, profiles/application/FollowsProfileLookup.ts), and the
// outbox's offer of the write's event (platform/events/Outbox.ts over effect's PersistedQueue). `make bench`
// checks it: it runs one request per scenario against both through a SQL-recording proxy and
// refuses to report when the statements differ, and compares the JSON bodies.
//
//   DATABASE_URL=… JWT_SECRET=… PORT=… DATABASE_POOL_MAX=10 [FLOOR_STACK=effect] node bench/floor.ts
import { createHmac, createSecretKey, randomBytes, randomUUID, timingSafeEqual } from "node:crypto"
import { createServer, type IncomingMessage } from "node:http"
import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { PgClient } from "@effect/sql-pg"
import { Effect, Exit, Layer, ManagedRuntime, Redacted, Scope } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"
import { SqlClient } from "effect/sql"
import pg from "pg"
import { slugify } from "../src/modules/articles/domain/Slug.ts"

const url = process.env.DATABASE_URL
const secret = process.env.JWT_SECRET
if (url === undefined || secret === undefined) throw new Error("floor: DATABASE_URL and JWT_SECRET are required")
const port = Number(process.env.PORT ?? 3001)
const poolMax = Number(process.env.DATABASE_POOL_MAX ?? 10)
const onEffect = process.env.FLOOR_STACK === "effect"

const tagList = `COALESCE((
      SELECT array_agg(t.name ORDER BY at.position) FROM article_tags at JOIN tags t ON t.id = at.tag_id
      WHERE at.article_id = a.id), '{}') AS "tagList"`
const favoritesCount = `(SELECT count(*)::int FROM favorites f WHERE f.article_id = a.id) AS "favoritesCount"`
const favorited = (n: number) =>
  `EXISTS (SELECT 1 FROM favorites f WHERE f.article_id = a.id AND f.user_id = $${n}::int) AS favorited`
const summaryColumns =
  'a.id, a.slug, a.title, a.description, a.author_id AS "authorId", a.created_at AS "createdAt", a.updated_at AS "updatedAt"'
const page = (where: string, n: number) => `SELECT ${summaryColumns}, ${tagList}, ${favoritesCount}, ${favorited(1)}
          FROM (SELECT * FROM articles a WHERE ${where}
                ORDER BY a.created_at DESC, a.id DESC LIMIT $${n} OFFSET $${n + 1}) AS a
          ORDER BY a.created_at DESC, a.id DESC`

/** Every statement the scenarios run, named as pg's prepared-statement cache wants. */
const SQL = {
  userById:
    'SELECT id, email, username, password_hash AS "passwordHash", bio, image, token_version AS "tokenVersion" FROM users WHERE id = $1',
  tokenVersion: 'SELECT token_version AS "tokenVersion" FROM users WHERE id = $1',
  usersByIds: "SELECT id, username, bio, image FROM users WHERE id = ANY($1)",
  followedAmong: 'SELECT followee_id AS "followeeId" FROM follows WHERE follower_id = $1 AND followee_id = ANY($2)',
  followedBy: 'SELECT followee_id AS "followeeId" FROM follows WHERE follower_id = $1 ORDER BY followee_id',
  articleBySlug: `SELECT ${summaryColumns}, a.body, ${tagList}, ${favoritesCount}, ${favorited(1)}
          FROM articles a WHERE a.slug = $2`,
  countAll: "SELECT sum(total)::int AS total FROM article_count_shards",
  pageAll: page("1=1", 2),
  countByTag: "SELECT count(*)::int AS total FROM article_tags WHERE tag_id = (SELECT id FROM tags WHERE name = $1)",
  pageByTag: `SELECT ${summaryColumns}, ${tagList}, ${favoritesCount}, ${favorited(1)}
          FROM (SELECT a.* FROM article_tags t JOIN articles a ON a.id = t.article_id
                WHERE t.tag_id = (SELECT id FROM tags WHERE name = $2)
                ORDER BY t.created_at DESC, t.article_id DESC LIMIT $3 OFFSET $4) AS a
          ORDER BY a.created_at DESC, a.id DESC`,
  countByAuthors: "SELECT count(*)::int AS total FROM articles a WHERE a.author_id = ANY($1::int[])",
  pageByAuthors: page("a.author_id = ANY($2::int[])", 3),
  insertArticle: `INSERT INTO articles ("slug","title","description","body","author_id") VALUES ($1,$2,$3,$4,$5) RETURNING id, created_at, updated_at`,
  insertTags: `
          INSERT INTO tags (name) SELECT name FROM unnest($1::text[]) AS input(name) ORDER BY name
          ON CONFLICT (name) DO NOTHING`,
  insertArticleTags: `
          INSERT INTO article_tags (article_id, tag_id, position)
          SELECT $1, t.id, input.position - 1
          FROM unnest($2::text[]) WITH ORDINALITY AS input(name, position) JOIN tags t ON t.name = input.name`,
  // effect's PersistedQueue SQL store, as the outbox offers an event to one consumer's queue.
  offerEvent: `
        INSERT INTO "event_outbox" (id, queue_name, element, state, attempts, visible_at, created_at, updated_at)
        VALUES ($1, $2, $3, 'pending', 0, NOW(), NOW(), NOW())
        ON CONFLICT (id, queue_name) DO NOTHING`
} as const

type Row = Record<string, unknown>
/** A connection or the pool: what runs one statement, and (for a checked-out connection) gives it back. */
interface Queryable {
  readonly query: (text: string, values: ReadonlyArray<unknown>, name?: string) => Promise<ReadonlyArray<Row>>
}
interface Database extends Queryable {
  readonly connect: () => Promise<Queryable & { readonly release: () => Promise<void> }>
  readonly end: () => Promise<void>
}

/** pg's pool: statements prepared by name, as the app's driver prepares and caches its own. */
const pgDatabase = (): Database => {
  const pool = new pg.Pool({ connectionString: url, max: poolMax })
  const on = (client: pg.Pool | pg.PoolClient): Queryable => ({
    query: async (text, values, name) => (await client.query({ name, text, values: [...values] })).rows
  })
  return {
    ...on(pool),
    connect: async () => {
      const client = await pool.connect()
      return { ...on(client), release: async () => client.release() }
    },
    end: () => pool.end()
  }
}

/** @effect/sql-pg, the app's driver, run statement by statement from plain async code. */
const effectDatabase = (): Database => {
  const runtime = ManagedRuntime.make(PgClient.layer({ url: Redacted.make(url), maxConnections: poolMax }))
  const client = runtime.runPromise(SqlClient.SqlClient)
  return {
    query: async (text, values) => (await client).unsafe<Row>(text, [...values]).pipe(runtime.runPromise),
    connect: async () => {
      const scope = Scope.makeUnsafe()
      const connection = await runtime.runPromise(Scope.provide((await client).reserve, scope))
      return {
        query: (text, values) => runtime.runPromise(connection.execute(text, [...values], undefined)),
        release: () => runtime.runPromise(Scope.close(scope, Exit.void))
      }
    },
    end: () => runtime.dispose()
  }
}

const database = onEffect ? effectDatabase() : pgDatabase()

const query = (name: keyof typeof SQL, values: ReadonlyArray<unknown>, on: Queryable = database) =>
  on.query(SQL[name], values, name)

interface Profile {
  readonly username: unknown
  readonly bio: unknown
  readonly image: unknown
  readonly following: boolean
}

/** Profiles of these authors as the viewer sees them (FollowsProfileLookup forUsers; nobody follows themselves). */
const profiles = async (ids: ReadonlyArray<number>, viewer: number | null) => {
  const result = new Map<number, Profile>()
  if (ids.length === 0) return result
  const accounts = await query("usersByIds", [[...new Set(ids)]])
  const candidates = accounts.map((a) => a.id as number).filter((id) => id !== viewer)
  const followed =
    viewer === null || candidates.length === 0
      ? new Set<number>()
      : new Set((await query("followedAmong", [viewer, candidates])).map((r) => r.followeeId as number))
  for (const a of accounts)
    result.set(a.id as number, {
      username: a.username,
      bio: a.bio,
      image: a.image,
      following: followed.has(a.id as number)
    })
  return result
}

const listed = (row: Row, author: Profile) => ({
  slug: row.slug,
  title: row.title,
  description: row.description,
  tagList: row.tagList,
  createdAt: (row.createdAt as Date).toISOString(),
  updatedAt: (row.updatedAt as Date).toISOString(),
  favorited: row.favorited,
  favoritesCount: row.favoritesCount,
  author
})

const withAuthors = async (rows: ReadonlyArray<Row>, viewer: number | null) => {
  if (rows.length === 0) return []
  const authors = await profiles(
    rows.map((r) => r.authorId as number),
    viewer
  )
  return rows.flatMap((row) => {
    const author = authors.get(row.authorId as number)
    return author === undefined ? [] : [listed(row, author)]
  })
}

const bounds = (params: URLSearchParams) => ({
  limit: Math.min(Number(params.get("limit") ?? 20), 100),
  offset: Number(params.get("offset") ?? 0)
})

const listArticles = async (params: URLSearchParams, viewer: number | null) => {
  const { limit, offset } = bounds(params)
  const tag = params.get("tag")
  const [count, rows] =
    tag === null
      ? await Promise.all([query("countAll", []), query("pageAll", [viewer, limit, offset])])
      : await Promise.all([query("countByTag", [tag]), query("pageByTag", [viewer, tag, limit, offset])])
  return { articles: await withAuthors(rows, viewer), articlesCount: count[0]!.total }
}

const feed = async (params: URLSearchParams, viewer: number) => {
  const followed = (await query("followedBy", [viewer])).map((r) => r.followeeId as number)
  if (followed.length === 0) return { articles: [], articlesCount: 0 }
  const { limit, offset } = bounds(params)
  const [count, rows] = await Promise.all([
    query("countByAuthors", [followed]),
    query("pageByAuthors", [viewer, followed, limit, offset])
  ])
  return { articles: await withAuthors(rows, viewer), articlesCount: count[0]!.total }
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

const text = (value: unknown) => (typeof value === "string" && value.trim() !== "" ? value.trim() : undefined)
/** Long-form text (the body) is stored as sent; trimming only decides whether it is blank. */
const longText = (value: unknown) => (typeof value === "string" && value.trim() !== "" ? value : undefined)

/**
 * The outbox queues of the consumers subscribed to `article.published` (the harness reads them from
 * the app's composition, FLOOR_PUBLISHED_QUEUES): the app offers the event to each, in the write's
 * transaction, one row per queue. None subscribe by default, and then the app stores no row either.
 */
const publishedQueues = (process.env.FLOOR_PUBLISHED_QUEUES ?? "").split(",").filter((q) => q !== "")
const traceparent = () => `00-${randomBytes(16).toString("hex")}-${randomBytes(8).toString("hex")}-01`

/** POST /api/articles: the app's transaction (insert, tags, the event's outbox rows), then the author's profile. */
const createArticle = async (author: number, body: unknown) => {
  const input = (body as { article?: Record<string, unknown> } | null)?.article
  const [title, description, content] = [text(input?.title), text(input?.description), longText(input?.body)]
  const tags = input?.tagList ?? []
  if (title === undefined || description === undefined || content === undefined || !Array.isArray(tags))
    return undefined
  const tagList = [...new Set(tags.map(text).filter((t): t is string => t !== undefined))]
  const slug = slugify(title)
  const client = await database.connect()
  let inserted: Row
  try {
    await client.query("BEGIN", [])
    ;[inserted] = (await query("insertArticle", [slug, title, description, content, author], client)) as [Row]
    if (tagList.length > 0) {
      await query("insertTags", [tagList], client)
      await query("insertArticleTags", [inserted.id, tagList], client)
    }
    if (publishedQueues.length > 0) {
      const id = randomUUID()
      const event = {
        id,
        type: "article.published",
        version: 1,
        occurredAt: new Date().toISOString(),
        actorId: author,
        payload: { articleId: inserted.id, slug, authorId: author, title, tagList }
      }
      const element = JSON.stringify({ event, traceparent: traceparent() })
      for (const queue of publishedQueues) await query("offerEvent", [id, queue, element], client)
    }
    await client.query("COMMIT", [])
  } catch (error) {
    await client.query("ROLLBACK", []).catch(() => {})
    throw error
  } finally {
    await client.release()
  }
  const profile = (await profiles([author], author)).get(author)!
  const row = {
    createdAt: inserted.created_at,
    updatedAt: inserted.updated_at,
    slug,
    title,
    description,
    tagList,
    favorited: false,
    favoritesCount: 0
  }
  return { article: { ...listed(row, profile), body: content } }
}

const HEADER = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url")
const key = createSecretKey(Buffer.from(secret, "utf8"))

/**
 * The caller's id and raw token, null without a header; throws on a bad token (a 401): signature,
 * expiry, and (as the app does on every authenticated request) the account's current token version.
 */
const caller = async (header: string | undefined) => {
  if (header === undefined) return null
  const token = header.replace(/^Token /, "")
  const [head, payload, signature] = token.split(".")
  if (head !== HEADER || payload === undefined || signature === undefined) throw new Error("malformed token")
  const expected = Buffer.from(createHmac("sha256", key).update(`${head}.${payload}`).digest("base64url"))
  const given = Buffer.from(signature)
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new Error("bad signature")
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"))
  if (typeof claims.exp !== "number" || claims.exp <= Date.now() / 1000) throw new Error("expired")
  const id = Number(claims.sub)
  const [account] = await query("tokenVersion", [id])
  if (account === undefined || account.tokenVersion !== (claims.ver ?? 0)) throw new Error("revoked")
  return { id, token }
}

/** What both HTTP layers hand the floor's routes: the request's parts, the body read on demand. */
interface Request {
  readonly method: string
  readonly url: string
  readonly authorization: string | undefined
  readonly body: () => Promise<unknown>
}
type Reply = readonly [status: number, body: unknown]

const readBody = (request: IncomingMessage) => () =>
  new Promise<unknown>((resolve, reject) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")))
      } catch (error) {
        reject(error)
      }
    })
    request.on("error", reject)
  })

const notFound = { errors: { article: ["not found"] } }
const unauthorized = { errors: { token: ["is missing"] } }

const route = async (request: Request): Promise<Reply> => {
  const target = new URL(request.url, "http://floor")
  const path = target.pathname
  if (path === "/health/ready") {
    await database.query("SELECT 1", [])
    return [200, { status: "ready" }]
  }
  let who: Awaited<ReturnType<typeof caller>>
  try {
    who = await caller(request.authorization)
  } catch {
    return [401, { errors: { token: ["is invalid"] } }]
  }
  if (request.method === "POST" && path === "/api/articles") {
    if (who === null) return [401, unauthorized]
    const created = await createArticle(who.id, await request.body().catch(() => undefined))
    return created === undefined ? [422, { errors: { article: ["is invalid"] } }] : [201, created]
  }
  if (request.method !== "GET") return [405, {}]
  if (path === "/api/user") {
    if (who === null) return [401, unauthorized]
    const body = await currentUser(who.id, who.token)
    return body === undefined ? [401, unauthorized] : [200, body]
  }
  if (path === "/api/articles") return [200, await listArticles(target.searchParams, who?.id ?? null)]
  if (path === "/api/articles/feed") {
    if (who === null) return [401, unauthorized]
    return [200, await feed(target.searchParams, who.id)]
  }
  if (path.startsWith("/api/articles/")) {
    const body = await article(decodeURIComponent(path.slice("/api/articles/".length)), who?.id ?? null)
    return body === undefined ? [404, notFound] : [200, body]
  }
  return [404, {}]
}

const failed = (error: unknown): Reply => {
  console.error("[floor]", error)
  return [500, { errors: { server: ["failed"] } }]
}

const makeServer = () => {
  const server = createServer()
  server.keepAliveTimeout = 65_000
  return server
}

/** node:http: the reply written with JSON.stringify, as a hand-written service would. */
const serveRaw = () => {
  const server = makeServer()
  server.on("request", (request: IncomingMessage, response) => {
    const parts = {
      method: request.method ?? "GET",
      url: request.url ?? "/",
      authorization: request.headers.authorization,
      body: readBody(request)
    }
    void route(parts)
      .catch(failed)
      .then(([status, body]) => {
        const json = JSON.stringify(body)
        response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(json) })
        response.end(json)
      })
  })
  server.listen(port, "127.0.0.1", () => console.error(`[floor] listening on 127.0.0.1:${port}`))
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.on(signal, () => {
      server.close()
      server.closeAllConnections()
      void database.end().finally(() => process.exit(0))
    })
}

/** effect's HTTP server and router, one route for every request, the reply as effect's JSON response. */
const serveOnEffect = () => {
  const Routes = HttpRouter.use((router) =>
    router.add("*", "/*", (request) =>
      Effect.promise(() =>
        route({
          method: request.method,
          url: request.url,
          authorization: request.headers.authorization,
          body: () => Effect.runPromise(request.json)
        }).catch(failed)
      ).pipe(Effect.map(([status, body]) => HttpServerResponse.jsonUnsafe(body, { status })))
    )
  )
  HttpRouter.serve(Routes, { disableLogger: true }).pipe(
    Layer.provide(NodeHttpServer.layer(makeServer, { port, host: "127.0.0.1" })),
    Layer.launch,
    Effect.ensuring(Effect.promise(() => database.end())),
    NodeRuntime.runMain
  )
}

if (onEffect) serveOnEffect()
else serveRaw()
