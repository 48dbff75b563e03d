import { assert, expect, layer } from "@effect/vitest"
import { Effect, type Layer, Option } from "effect"
import { ArticleLookup } from "../../../../src/modules/articles/ports/ArticleLookup.ts"
import { ArticleRepository, FavoriteRepository } from "../../../../src/modules/articles/ports/ArticleRepository.ts"
import { ArticleId } from "../../../../src/modules/articles/domain/Article.ts"
import { PasswordHash } from "../../../../src/modules/users/domain/User.ts"
import { UserRepository } from "../../../../src/modules/users/ports/UserRepository.ts"
import { aRegistration } from "../../users/UserMother.ts"
import { aNewArticle } from "../ArticleMother.ts"

const anAuthor = Effect.gen(function* () {
  const users = yield* UserRepository
  const { username, email } = aRegistration()
  return (yield* users.insert({ username, email, passwordHash: PasswordHash.make("scrypt$1$1$1$salt$key") })).id
})

const page = { limit: 20, offset: 0 }
const unique = () => `tag-${Math.random().toString(36).slice(2, 10)}`

type Ports = ArticleRepository | FavoriteRepository | ArticleLookup | UserRepository

/** What every articles storage adapter must do; run against each of them. */
export const articleRepositoryContract = (name: string, adapters: Layer.Layer<Ports, unknown>) =>
  layer(adapters, { timeout: "60 seconds" })(`ArticleRepository contract: ${name}`, (it) => {
    it.effect("inserts an article with its tags in order and finds it by slug", () =>
      Effect.gen(function* () {
        const articles = yield* ArticleRepository
        const author = yield* anAuthor
        const input = aNewArticle(author, { tagList: ["zeta", "alpha", "mu"] })
        const article = yield* articles.insert(input)
        expect(article).toMatchObject({ ...input, tagList: ["zeta", "alpha", "mu"] })
        expect(article.createdAt).toBeInstanceOf(Date)
        const found = Option.getOrThrow(yield* articles.findBySlug(input.slug, Option.none()))
        expect(found).toEqual({ ...article, favoritesCount: 0, favorited: false })
        assert.isTrue(Option.isNone(yield* articles.findBySlug("no-such-slug", Option.none())))
      }))

    it.effect("refuses a slug that is taken, and stores nothing of the refused article", () =>
      Effect.gen(function* () {
        const articles = yield* ArticleRepository
        const author = yield* anAuthor
        const first = yield* articles.insert(aNewArticle(author))
        const tag = unique()
        const refused = yield* Effect.flip(articles.insert(aNewArticle(author, { slug: first.slug, tagList: [tag] })))
        expect(refused._tag).toBe("SlugTaken")
        expect((yield* articles.list({ tag }, page, Option.none())).total).toBe(0)
        const other = yield* articles.insert(aNewArticle(author))
        expect((yield* Effect.flip(articles.update(other.id, { slug: first.slug })))._tag).toBe("SlugTaken")
      }))

    it.effect("updates given fields, replaces or clears tags, and reports a missing article", () =>
      Effect.gen(function* () {
        const articles = yield* ArticleRepository
        const author = yield* anAuthor
        const article = yield* articles.insert(aNewArticle(author, { tagList: ["a", "b"] }))
        const retitled = yield* articles.update(article.id, { title: "New title", slug: `${article.slug}-new` })
        expect(retitled).toMatchObject({ title: "New title", slug: `${article.slug}-new`, body: article.body, tagList: ["a", "b"] })
        expect(retitled.updatedAt.getTime()).toBeGreaterThanOrEqual(article.updatedAt.getTime())
        expect((yield* articles.update(article.id, { tagList: ["c", "a"] })).tagList).toEqual(["c", "a"])
        expect((yield* articles.update(article.id, { tagList: [] })).tagList).toEqual([])
        expect((yield* Effect.flip(articles.update(ArticleId.make(987654), { title: "x" })))._tag).toBe("ArticleNotFound")
      }))

    it.effect("deletes an article with its tags and favorites", () =>
      Effect.gen(function* () {
        const articles = yield* ArticleRepository
        const favorites = yield* FavoriteRepository
        const author = yield* anAuthor
        const tag = unique()
        const article = yield* articles.insert(aNewArticle(author, { tagList: [tag] }))
        yield* favorites.add(author, article.id)
        yield* articles.delete(article.id)
        assert.isTrue(Option.isNone(yield* articles.findBySlug(article.slug, Option.none())))
        expect(yield* articles.tags).not.toContain(tag)
        expect((yield* articles.list({ favoritedBy: author }, page, Option.none())).total).toBe(0)
        yield* articles.delete(article.id) // deleting twice is harmless
      }))

    it.effect("favorites are idempotent, counted, and seen by the viewer who made them", () =>
      Effect.gen(function* () {
        const articles = yield* ArticleRepository
        const favorites = yield* FavoriteRepository
        const author = yield* anAuthor
        const reader = yield* anAuthor
        const article = yield* articles.insert(aNewArticle(author))
        yield* favorites.add(reader, article.id)
        yield* favorites.add(reader, article.id)
        yield* favorites.add(author, article.id)
        const asReader = Option.getOrThrow(yield* articles.findBySlug(article.slug, Option.some(reader)))
        expect(asReader).toMatchObject({ favoritesCount: 2, favorited: true })
        yield* favorites.remove(reader, article.id)
        yield* favorites.remove(reader, article.id)
        const after = Option.getOrThrow(yield* articles.findBySlug(article.slug, Option.some(reader)))
        expect(after).toMatchObject({ favoritesCount: 1, favorited: false })
        const other = yield* articles.insert(aNewArticle(author))
        expect([...(yield* favorites.favoritedAmong(author, [article.id, other.id]))]).toEqual([article.id])
        expect((yield* favorites.favoritedAmong(reader, [article.id, other.id])).size).toBe(0)
        expect((yield* favorites.favoritedAmong(author, [])).size).toBe(0)
        yield* favorites.add(reader, ArticleId.make(987654)) // an article gone meanwhile: nothing to do
      }))

    it.effect("lists newest first without bodies, with the total count, paged", () =>
      Effect.gen(function* () {
        const articles = yield* ArticleRepository
        const author = yield* anAuthor
        const inserted = []
        for (let i = 0; i < 5; i++) inserted.push(yield* articles.insert(aNewArticle(author)))
        const first = yield* articles.list({ authorIds: [author] }, { limit: 2, offset: 0 }, Option.none())
        expect(first.total).toBe(5)
        expect(first.articles.map((a) => a.slug)).toEqual([inserted[4]?.slug, inserted[3]?.slug])
        expect(first.articles[0]).not.toHaveProperty("body")
        expect(first.articles[0]).toMatchObject({ tagList: ["dragons", "training"], favoritesCount: 0, favorited: false })
        const last = yield* articles.list({ authorIds: [author] }, { limit: 2, offset: 4 }, Option.none())
        expect(last.articles.map((a) => a.slug)).toEqual([inserted[0]?.slug])
        const beyond = yield* articles.list({ authorIds: [author] }, { limit: 2, offset: 10 }, Option.none())
        expect(beyond).toEqual({ articles: [], total: 5 })
      }))

    it.effect("the unfiltered total stays exact through inserts, refused inserts and deletes", () =>
      Effect.gen(function* () {
        const articles = yield* ArticleRepository
        const author = yield* anAuthor
        const total = Effect.map(articles.list({}, page, Option.none()), (result) => result.total)
        const before = yield* total
        const a = yield* articles.insert(aNewArticle(author))
        yield* articles.insert(aNewArticle(author))
        expect(yield* total).toBe(before + 2)
        yield* Effect.flip(articles.insert(aNewArticle(author, { slug: a.slug })))
        expect(yield* total).toBe(before + 2)
        yield* articles.delete(a.id)
        expect(yield* total).toBe(before + 1)
      }))

    it.effect("filters by tag, by authors and by who favorited, all at once", () =>
      Effect.gen(function* () {
        const articles = yield* ArticleRepository
        const favorites = yield* FavoriteRepository
        const [a, b, fan] = [yield* anAuthor, yield* anAuthor, yield* anAuthor]
        const tag = unique()
        const a1 = yield* articles.insert(aNewArticle(a, { tagList: [tag, "x"] }))
        const a2 = yield* articles.insert(aNewArticle(a, { tagList: ["x"] }))
        const b1 = yield* articles.insert(aNewArticle(b, { tagList: [tag] }))
        yield* favorites.add(fan, a2.id)
        yield* favorites.add(fan, b1.id)
        const slugs = (result: { articles: ReadonlyArray<{ slug: string }> }) => result.articles.map((x) => x.slug)
        expect(slugs(yield* articles.list({ tag }, page, Option.none()))).toEqual([b1.slug, a1.slug])
        expect(slugs(yield* articles.list({ authorIds: [a] }, page, Option.none()))).toEqual([a2.slug, a1.slug])
        expect(slugs(yield* articles.list({ authorIds: [a, b] }, page, Option.none()))).toEqual([b1.slug, a2.slug, a1.slug])
        expect(slugs(yield* articles.list({ authorIds: [] }, page, Option.none()))).toEqual([])
        const faved = yield* articles.list({ favoritedBy: fan }, page, Option.some(fan))
        expect(slugs(faved)).toEqual([b1.slug, a2.slug])
        expect(faved.articles.every((x) => x.favorited && x.favoritesCount === 1)).toBe(true)
        expect(slugs(yield* articles.list({ tag, authorIds: [b], favoritedBy: fan }, page, Option.none()))).toEqual([b1.slug])
      }))

    it.effect("tags: every tag in use, each once, in code-point order", () =>
      Effect.gen(function* () {
        const articles = yield* ArticleRepository
        const author = yield* anAuthor
        const [b, a] = [`b-${unique()}`, `a-${unique()}`]
        yield* articles.insert(aNewArticle(author, { tagList: [b, a] }))
        yield* articles.insert(aNewArticle(author, { tagList: [b] }))
        const tags = yield* articles.tags
        expect(tags.filter((t) => t === a || t === b)).toEqual([a, b])
        expect([...tags].sort()).toEqual(tags)
      }))

    it.effect("lookup: finds an article's id and author by slug", () =>
      Effect.gen(function* () {
        const articles = yield* ArticleRepository
        const lookup = yield* ArticleLookup
        const author = yield* anAuthor
        const article = yield* articles.insert(aNewArticle(author))
        assert.deepStrictEqual(yield* lookup.findBySlug(article.slug), Option.some({ id: article.id, authorId: author }))
        assert.isTrue(Option.isNone(yield* lookup.findBySlug("no-such-slug")))
      }))
  })
