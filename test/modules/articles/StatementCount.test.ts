import { expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { ReadCache } from "../../../src/platform/cache/ReadCache.ts"
import { RecordingTracer, statementsDuring } from "../../support/SqlStatements.ts"
import { call, PostgresAdapters, registered, TestServer, TestSharedState, testRateLimits } from "../../support/TestApp.ts"
import { anArticleBody } from "./ArticleMother.ts"

// No N+1: a page of twenty articles must cost the same number of SQL statements as a page of one.
// Every statement effect/sql runs opens a client span carrying `db.query.text`; a test tracer on the
// server (test/support/SqlStatements.ts) counts them per request, so the count covers everything a request does: the article page,
// its count, tags, favorites, and the authors' profiles fetched through the profiles module's port.

/** The SQL statements one request runs. */
const statementsOf = (path: string, token?: string) =>
  Effect.gen(function* () {
    const { result: reply, statements } = yield* statementsDuring(call("GET", path, token === undefined ? {} : { token }))
    expect(reply.status, path).toBe(200)
    return { count: statements.length, texts: statements, articles: reply.body.articles.length as number }
  })

const PAGE = 20

// The read cache is off: a cached first page would cost fewer statements than an uncached one.
const noCache = TestSharedState.layer(testRateLimits(), ReadCache.layerNone)

layer(TestServer(Layer.merge(PostgresAdapters, RecordingTracer.layer), {}, noCache), { timeout: "120 seconds" })(
  "statement count per page (PostgreSQL)",
  (it) => {
    it.effect("lists, filters and the feed cost as many statements for a page of 20 as for a page of 1", () =>
      Effect.gen(function* () {
        // Twenty-one authors with one article each, and one author with twenty-one articles; every
        // article tagged and favorited, every author followed by the viewer, so a per-article lookup of
        // tags, counts, favorited or author profile would show up as extra statements.
        const viewer = yield* registered()
        const fan = yield* registered()
        const prolific = yield* registered()
        const tag = `count-${process.pid}`
        const writers = [prolific, ...(yield* Effect.all(Array.from({ length: PAGE + 1 }, () => registered())))]
        const slugs: Array<string> = []
        for (const [i, writer] of writers.entries()) {
          for (let n = 0; n < (i === 0 ? PAGE + 1 : 1); n++) {
            const reply = yield* call("POST", "/api/articles", {
              token: writer.token,
              body: { article: anArticleBody({ tagList: [tag, `t${i}`, `n${n}`] }) }
            })
            slugs.push(reply.body.article.slug)
          }
          yield* call("POST", `/api/profiles/${writer.username}/follow`, { token: viewer.token })
        }
        for (const slug of slugs) {
          yield* call("POST", `/api/articles/${slug}/favorite`, { token: fan.token })
          yield* call("POST", `/api/articles/${slug}/favorite`, { token: viewer.token })
        }

        const cases: Array<[string, string | undefined]> = [
          ["/api/articles", undefined],
          ["/api/articles", viewer.token],
          [`/api/articles?tag=${tag}`, viewer.token],
          [`/api/articles?author=${prolific.username}`, viewer.token],
          [`/api/articles?favorited=${fan.username}`, viewer.token],
          ["/api/articles/feed", viewer.token]
        ]
        const report: Array<string> = []
        for (const [path, token] of cases) {
          const separator = path.includes("?") ? "&" : "?"
          const one = yield* statementsOf(`${path}${separator}limit=1`, token)
          const twenty = yield* statementsOf(`${path}${separator}limit=${PAGE}`, token)
          const label = `${path}${token === undefined ? " (anonymous)" : ""}`
          expect(one.articles, label).toBe(1)
          expect(twenty.articles, label).toBe(PAGE)
          expect(twenty.count, `${label}\n${twenty.texts.join("\n---\n")}`).toBe(one.count)
          expect(twenty.count, label).toBeLessThanOrEqual(6)
          report.push(`${label}: ${one.count} statements for 1 article, ${twenty.count} for ${PAGE}`)
        }
        console.log(report.join("\n"))
      }))
  }
)
