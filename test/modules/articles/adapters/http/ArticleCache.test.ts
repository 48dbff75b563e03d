import { expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { RedisReadCache } from "../../../../../src/platform/cache/RedisReadCache.ts"
import { call, PostgresAdapters, registered, TestServer, TestSharedState, testRateLimits } from "../../../../support/TestApp.ts"
import { testRedis } from "../../../../support/TestRedis.ts"
import { anArticleBody } from "../../ArticleMother.ts"

// Every write that changes what an anonymous reader sees shows at once on the replica that wrote it,
// with the in-memory cache and with Redis.

const anonymous = (path: string) => Effect.map(call("GET", path), (reply) => reply.body)

const redisShared = TestSharedState.layer(testRateLimits(), RedisReadCache.layer.pipe(Layer.provide(testRedis())))

for (const [name, shared] of [
  ["in memory", TestSharedState.layer()],
  ["in Redis", redisShared]
] as const) {
  layer(TestServer(PostgresAdapters, {}, shared), { timeout: "60 seconds" })(`cached anonymous reads, ${name}`, (it) => {
    it.effect("edits, favorites, new articles, deletions and tags show in the very next read", () =>
      Effect.gen(function* () {
        const { token } = yield* registered()
        const tag = `t${Math.random().toString(36).slice(2, 10)}`
        const created = yield* call("POST", "/api/articles", { token, body: { article: anArticleBody({ tagList: [tag] }) } })
        const slug: string = created.body.article.slug
        // Fill every cached read.
        expect((yield* anonymous(`/api/articles/${slug}`)).article.favoritesCount).toBe(0)
        expect((yield* anonymous("/api/articles")).articles[0].slug).toBe(slug)
        expect((yield* anonymous("/api/tags")).tags).toContain(tag)

        yield* call("PUT", `/api/articles/${slug}`, { token, body: { article: { body: "edited", tagList: [] } } })
        expect((yield* anonymous(`/api/articles/${slug}`)).article.body).toBe("edited")
        expect((yield* anonymous("/api/tags")).tags).not.toContain(tag)
        expect((yield* anonymous("/api/articles?limit=10")).articles[0].tagList).toEqual([])

        const { token: fan } = yield* registered()
        yield* call("POST", `/api/articles/${slug}/favorite`, { token: fan })
        expect((yield* anonymous(`/api/articles/${slug}`)).article).toMatchObject({ favoritesCount: 1, favorited: false })
        expect((yield* anonymous("/api/articles")).articles[0].favoritesCount).toBe(1)
        // A reader's own fields come from PostgreSQL over the shared entry, never from another reader's.
        expect((yield* call("GET", `/api/articles/${slug}`, { token: fan })).body.article.favorited).toBe(true)
        expect((yield* call("GET", "/api/articles", { token: fan })).body.articles[0].favorited).toBe(true)
        expect((yield* call("GET", `/api/articles/${slug}`, { token })).body.article.favorited).toBe(false)
        expect((yield* call("GET", "/api/articles", { token })).body.articles[0].favorited).toBe(false)
        expect((yield* anonymous(`/api/articles/${slug}`)).article.favorited).toBe(false)

        const retitled = yield* call("PUT", `/api/articles/${slug}`, { token, body: { article: { title: `Renamed ${tag}` } } })
        const newSlug: string = retitled.body.article.slug
        expect((yield* call("GET", `/api/articles/${slug}`)).status).toBe(404)
        expect((yield* anonymous(`/api/articles/${newSlug}`)).article.title).toBe(`Renamed ${tag}`)

        const newer = yield* call("POST", "/api/articles", { token, body: { article: anArticleBody() } })
        expect((yield* anonymous("/api/articles")).articles[0].slug).toBe(newer.body.article.slug)
        yield* call("DELETE", `/api/articles/${newer.body.article.slug}`, { token })
        expect((yield* anonymous("/api/articles")).articles[0].slug).toBe(newSlug)
        expect((yield* call("GET", `/api/articles/${newer.body.article.slug}`)).status).toBe(404)
      }))
  })
}
