import { expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { RedisReadCache } from "../../../../../src/platform/cache/RedisReadCache.ts"
import { call, PostgresAdapters, registered, TestServer, TestSharedState, testRateLimits } from "../../../../support/TestApp.ts"
import { testRedis } from "../../../../support/TestRedis.ts"
import { anArticleBody } from "../../../articles/ArticleMother.ts"

// Every change to an account shows at once, on the replica that made it, in its profile and as the
// author of its articles, with the in-memory cache and with Redis; `following` is each viewer's own.

const profile = (username: string, token?: string) =>
  Effect.map(call("GET", `/api/profiles/${encodeURIComponent(username)}`, token === undefined ? {} : { token }), (reply) => reply)

const redisShared = TestSharedState.layer(testRateLimits(), RedisReadCache.layer.pipe(Layer.provide(testRedis())))

for (const [name, shared] of [
  ["in memory", TestSharedState.layer()],
  ["in Redis", redisShared]
] as const) {
  layer(TestServer(PostgresAdapters, {}, shared), { timeout: "60 seconds" })(`cached profiles, ${name}`, (it) => {
    it.effect("bio, image, username and deletion show in the very next read; following never comes from another reader", () =>
      Effect.gen(function* () {
        const writer = yield* registered()
        const reader = yield* registered()
        const article = yield* call("POST", "/api/articles", { token: writer.token, body: { article: anArticleBody() } })
        const slug: string = article.body.article.slug
        // Fill the cache, under another case too.
        expect((yield* profile(writer.username.toUpperCase())).body.profile).toEqual({
          username: writer.username,
          bio: null,
          image: null,
          following: false
        })
        expect((yield* call("GET", `/api/articles/${slug}`)).body.article.author.bio).toBe(null)

        yield* call("POST", `/api/profiles/${writer.username}/follow`, { token: reader.token })
        expect((yield* profile(writer.username, reader.token)).body.profile.following).toBe(true)
        expect((yield* profile(writer.username)).body.profile.following).toBe(false)
        expect((yield* profile(writer.username, writer.token)).body.profile.following).toBe(false)

        const image = "https://example.com/writer.png"
        yield* call("PUT", "/api/user", { token: writer.token, body: { user: { bio: "fresh", image } } })
        expect((yield* profile(writer.username.toUpperCase())).body.profile).toMatchObject({ bio: "fresh", image })
        expect((yield* call("GET", `/api/articles/${slug}`)).body.article.author).toMatchObject({ bio: "fresh", image })
        expect((yield* call("GET", "/api/articles?limit=10")).body.articles[0].author).toMatchObject({ bio: "fresh", image })

        const renamed = `${writer.username}_2`
        yield* call("PUT", "/api/user", { token: writer.token, body: { user: { username: renamed } } })
        expect((yield* profile(writer.username)).status).toBe(404)
        expect((yield* profile(renamed, reader.token)).body.profile).toMatchObject({ username: renamed, following: true })
        expect((yield* call("GET", `/api/articles/${slug}`)).body.article.author.username).toBe(renamed)
        expect((yield* call("GET", `/api/articles?author=${renamed}`)).body.articlesCount).toBe(1)

        expect((yield* call("DELETE", "/api/user", { token: writer.token })).status).toBe(204)
        expect((yield* profile(renamed)).status).toBe(404)
      }))
  })
}
