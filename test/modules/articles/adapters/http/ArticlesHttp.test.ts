import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { call, MemoryAdapters, PostgresAdapters, registered, TestServer } from "../../../../support/TestApp.ts"
import { anArticleBody } from "../../ArticleMother.ts"

const publish = (token: string, overrides: Parameters<typeof anArticleBody>[0] = {}) =>
  Effect.gen(function* () {
    const reply = yield* call("POST", "/api/articles", { token, body: { article: anArticleBody(overrides) } })
    expect(reply.status).toBe(201)
    return reply.body.article
  })

const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
const notFound = { errors: { article: ["not found"] } }
const forbidden = { errors: { article: ["forbidden"] } }
const unique = () => `t${Math.random().toString(36).slice(2, 10)}`

/** The HTTP contract through the real server, once per storage. */
const articlesHttpSuite = (name: string, adapters: typeof PostgresAdapters | typeof MemoryAdapters) =>
  layer(TestServer(adapters), { timeout: "60 seconds" })(`articles HTTP API on ${name}`, (it) => {
    it.effect("POST /api/articles: 201 with the article, tags in the order sent, ISO dates", () =>
      Effect.gen(function* () {
        const author = yield* registered()
        const body = anArticleBody({ title: "How to train your dragon", tagList: ["zeta", "alpha", "zeta", " mu "] })
        const reply = yield* call("POST", "/api/articles", { token: author.token, body: { article: body } })
        expect(reply.status).toBe(201)
        expect(reply.body).toEqual({
          article: {
            slug: "how-to-train-your-dragon",
            title: "How to train your dragon",
            description: body.description,
            body: body.body,
            tagList: ["zeta", "alpha", "mu"],
            createdAt: expect.stringMatching(iso),
            updatedAt: expect.stringMatching(iso),
            favorited: false,
            favoritesCount: 0,
            author: { username: author.username, bio: null, image: null, following: false }
          }
        })
        const same = yield* publish(author.token, { title: "How to train your dragon" })
        expect(same.slug).toMatch(/^how-to-train-your-dragon-[a-z0-9]{6}$/)
        const untagged = yield* call("POST", "/api/articles", {
          token: author.token,
          body: { article: { title: "No tags", description: "d", body: "b" } }
        })
        expect(untagged.status).toBe(201)
        expect(untagged.body.article.tagList).toEqual([])
      }))

    it.effect("POST /api/articles: 401 without a token, 422 naming each invalid field", () =>
      Effect.gen(function* () {
        const author = yield* registered()
        const anonymous = yield* call("POST", "/api/articles", { body: { article: anArticleBody() } })
        expect(anonymous.status).toBe(401)
        expect(anonymous.body).toEqual({ errors: { token: ["is missing"] } })
        const invalid = yield* call("POST", "/api/articles", {
          token: author.token,
          body: { article: { title: " ", body: 3, tagList: null } }
        })
        expect(invalid.status).toBe(422)
        expect(Object.keys(invalid.body.errors).sort()).toEqual(["body", "description", "tagList", "title"])
        const badTag = yield* call("POST", "/api/articles", {
          token: author.token,
          body: { article: anArticleBody({ tagList: ["ok", ""] }) }
        })
        expect(badTag.status).toBe(422)
        expect(Object.keys(badTag.body.errors)).toEqual(["tagList"])
      }))

    it.effect("GET /api/articles/:slug: 200 for anyone, favorited and following filled for the caller; 404 otherwise", () =>
      Effect.gen(function* () {
        const author = yield* registered()
        const reader = yield* registered()
        const article = yield* publish(author.token)
        const anonymous = yield* call("GET", `/api/articles/${article.slug}`)
        expect(anonymous.status).toBe(200)
        expect(anonymous.body.article).toEqual(article)
        expect((yield* call("POST", `/api/profiles/${author.username}/follow`, { token: reader.token })).status).toBe(200)
        expect((yield* call("POST", `/api/articles/${article.slug}/favorite`, { token: reader.token })).status).toBe(200)
        const asReader = yield* call("GET", `/api/articles/${article.slug}`, { token: reader.token })
        expect(asReader.body.article).toMatchObject({ favorited: true, favoritesCount: 1, author: { following: true } })
        const missing = yield* call("GET", "/api/articles/no-such-article")
        expect(missing.status).toBe(404)
        expect(missing.body).toEqual(notFound)
        expect((yield* call("GET", `/api/articles/${article.slug}`, { token: "not-a-jwt" })).status).toBe(401)
      }))

    it.effect("PUT /api/articles/:slug: the author edits (slug follows the title); others get 403, unknown 404", () =>
      Effect.gen(function* () {
        const author = yield* registered()
        const other = yield* registered()
        const article = yield* publish(author.token, { title: `Original ${unique()}`, tagList: ["a", "b"] })
        const edited = yield* call("PUT", `/api/articles/${article.slug}`, {
          token: author.token,
          body: { article: { body: "New body", tagList: ["b", "c"] } }
        })
        expect(edited.status).toBe(200)
        expect(edited.body.article).toMatchObject({ slug: article.slug, body: "New body", title: article.title, tagList: ["b", "c"] })
        const title = `Retitled ${unique()}`
        const retitled = yield* call("PUT", `/api/articles/${article.slug}`, {
          token: author.token,
          body: { article: { title, tagList: [] } }
        })
        expect(retitled.status).toBe(200)
        expect(retitled.body.article).toMatchObject({ title, slug: title.toLowerCase().replace(" ", "-"), tagList: [] })
        const newSlug = retitled.body.article.slug
        expect((yield* call("GET", `/api/articles/${article.slug}`)).status).toBe(404)

        const theirs = yield* call("PUT", `/api/articles/${newSlug}`, { token: other.token, body: { article: { body: "x" } } })
        expect(theirs.status).toBe(403)
        expect(theirs.body).toEqual(forbidden)
        const missing = yield* call("PUT", "/api/articles/no-such-article", { token: author.token, body: { article: { body: "x" } } })
        expect(missing.status).toBe(404)
        expect(missing.body).toEqual(notFound)
        const anonymous = yield* call("PUT", `/api/articles/${newSlug}`, { body: { article: { body: "x" } } })
        expect(anonymous.status).toBe(401)
        const nullTags = yield* call("PUT", `/api/articles/${newSlug}`, { token: author.token, body: { article: { tagList: null } } })
        expect(nullTags.status).toBe(422)
        expect(Object.keys(nullTags.body.errors)).toEqual(["tagList"])
        const blankTitle = yield* call("PUT", `/api/articles/${newSlug}`, { token: author.token, body: { article: { title: "" } } })
        expect(blankTitle.status).toBe(422)
        expect(blankTitle.body).toEqual({ errors: { title: ["can't be blank"] } })
      }))

    it.effect("DELETE /api/articles/:slug: 204 for the author, 403 for others, 404 unknown, 401 anonymous", () =>
      Effect.gen(function* () {
        const author = yield* registered()
        const other = yield* registered()
        const article = yield* publish(author.token)
        const anonymous = yield* call("DELETE", `/api/articles/${article.slug}`)
        expect(anonymous.status).toBe(401)
        const theirs = yield* call("DELETE", `/api/articles/${article.slug}`, { token: other.token })
        expect(theirs.status).toBe(403)
        expect(theirs.body).toEqual(forbidden)
        const deleted = yield* call("DELETE", `/api/articles/${article.slug}`, { token: author.token })
        expect(deleted.status).toBe(204)
        expect(deleted.body).toBeUndefined()
        const again = yield* call("DELETE", `/api/articles/${article.slug}`, { token: author.token })
        expect(again.status).toBe(404)
        expect(again.body).toEqual(notFound)
      }))

    it.effect("POST|DELETE /api/articles/:slug/favorite: 200 with the article, with or without an empty body", () =>
      Effect.gen(function* () {
        const author = yield* registered()
        const reader = yield* registered()
        const article = yield* publish(author.token)
        const path = `/api/articles/${article.slug}/favorite`
        const faved = yield* call("POST", path, { token: reader.token })
        expect(faved.status).toBe(200)
        expect(faved.body.article).toMatchObject({ slug: article.slug, favorited: true, favoritesCount: 1, body: article.body })
        const again = yield* call("POST", path, { token: reader.token, body: {} })
        expect(again.status).toBe(200)
        expect(again.body.article.favoritesCount).toBe(1)
        const unfaved = yield* call("DELETE", path, { token: reader.token, body: {} })
        expect(unfaved.status).toBe(200)
        expect(unfaved.body.article).toMatchObject({ favorited: false, favoritesCount: 0 })
        expect((yield* call("DELETE", path, { token: reader.token })).status).toBe(200)
        expect((yield* call("POST", path)).status).toBe(401)
        expect((yield* call("DELETE", path)).status).toBe(401)
        const missing = yield* call("POST", "/api/articles/no-such-article/favorite", { token: reader.token })
        expect(missing.status).toBe(404)
        expect(missing.body).toEqual(notFound)
        expect((yield* call("DELETE", "/api/articles/no-such-article/favorite", { token: reader.token })).status).toBe(404)
      }))

    it.effect("GET /api/articles: newest first, no body, articlesCount is the total; filters by tag, author, favorited", () =>
      Effect.gen(function* () {
        const author = yield* registered()
        const fan = yield* registered()
        const tag = unique()
        const first = yield* publish(author.token, { tagList: [tag] })
        const second = yield* publish(author.token, { tagList: [tag, "other"] })
        const third = yield* publish(author.token, { tagList: ["other"] })
        yield* call("POST", `/api/articles/${second.slug}/favorite`, { token: fan.token })

        const byTag = yield* call("GET", `/api/articles?tag=${tag}`)
        expect(byTag.status).toBe(200)
        expect(byTag.body.articlesCount).toBe(2)
        expect(byTag.body.articles.map((a: { slug: string }) => a.slug)).toEqual([second.slug, first.slug])
        expect(byTag.body.articles[0]).not.toHaveProperty("body")

        const byAuthor = yield* call("GET", `/api/articles?author=${author.username}&limit=2`)
        expect(byAuthor.body.articlesCount).toBe(3)
        expect(byAuthor.body.articles.map((a: { slug: string }) => a.slug)).toEqual([third.slug, second.slug])
        const next = yield* call("GET", `/api/articles?author=${author.username}&limit=2&offset=2`)
        expect(next.body.articles.map((a: { slug: string }) => a.slug)).toEqual([first.slug])

        const faved = yield* call("GET", `/api/articles?favorited=${fan.username}`, { token: fan.token })
        expect(faved.body).toMatchObject({ articlesCount: 1, articles: [{ slug: second.slug, favorited: true, favoritesCount: 1 }] })
        const nobody = yield* call("GET", "/api/articles?author=nobody-by-this-name")
        expect(nobody.body).toEqual({ articles: [], articlesCount: 0 })

        const all = yield* call("GET", "/api/articles")
        expect(all.status).toBe(200)
        expect(all.body.articles.length).toBeLessThanOrEqual(20)
        expect(all.body.articlesCount).toBeGreaterThanOrEqual(3)
        // Filters sent empty, as generated snippets send them, are no filters; blank ones are still refused.
        const emptyFilters = yield* call("GET", "/api/articles?tag=&author=&favorited=")
        expect(emptyFilters.status).toBe(200)
        expect(emptyFilters.body.articlesCount).toBe(all.body.articlesCount)
        expect((yield* call("GET", "/api/articles?tag=%20")).status).toBe(422)
      }))

    it.effect("GET /api/articles: limit and offset out of range or not numbers are a 422 naming the parameter", () =>
      Effect.gen(function* () {
        for (const query of ["limit=0", "limit=101", "limit=abc", "limit=1.5", "limit=", "offset=-1", "offset=x"]) {
          const reply = yield* call("GET", `/api/articles?${query}`)
          expect(reply.status, query).toBe(422)
          expect(Object.keys(reply.body.errors), query).toEqual([query.split("=")[0]])
        }
        expect((yield* call("GET", "/api/articles?limit=100&offset=0")).status).toBe(200)
        expect((yield* call("GET", "/api/articles/feed?limit=0")).status).toBe(401)
      }))

    it.effect("GET /api/articles/feed: 401 anonymous; articles by followed users only, paged", () =>
      Effect.gen(function* () {
        const reader = yield* registered()
        const followed = yield* registered()
        const stranger = yield* registered()
        expect((yield* call("GET", "/api/articles/feed")).status).toBe(401)
        const empty = yield* call("GET", "/api/articles/feed", { token: reader.token })
        expect(empty.body).toEqual({ articles: [], articlesCount: 0 })
        const a = yield* publish(followed.token)
        const b = yield* publish(followed.token)
        yield* publish(stranger.token)
        yield* call("POST", `/api/profiles/${followed.username}/follow`, { token: reader.token })
        const feed = yield* call("GET", "/api/articles/feed?limit=1", { token: reader.token })
        expect(feed.status).toBe(200)
        expect(feed.body.articlesCount).toBe(2)
        expect(feed.body.articles).toMatchObject([{ slug: b.slug, author: { username: followed.username, following: true } }])
        const rest = yield* call("GET", "/api/articles/feed?limit=1&offset=1", { token: reader.token })
        expect(rest.body.articles.map((x: { slug: string }) => x.slug)).toEqual([a.slug])
        expect((yield* call("GET", "/api/articles/feed?offset=-1", { token: reader.token })).status).toBe(422)
      }))

    it.effect("GET /api/tags: the tags in use, each once", () =>
      Effect.gen(function* () {
        const author = yield* registered()
        const tag = unique()
        const article = yield* publish(author.token, { tagList: [tag] })
        const reply = yield* call("GET", "/api/tags")
        expect(reply.status).toBe(200)
        expect(reply.body.tags).toContain(tag)
        expect(new Set(reply.body.tags).size).toBe(reply.body.tags.length)
        yield* call("DELETE", `/api/articles/${article.slug}`, { token: author.token })
        expect((yield* call("GET", "/api/tags")).body.tags).not.toContain(tag)
      }))
  })

articlesHttpSuite("PostgreSQL", PostgresAdapters)
articlesHttpSuite("in-memory storage", MemoryAdapters)
