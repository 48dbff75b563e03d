import { MemoryEvents } from "../../../../src/app/Events.ts"
import type { EventPublisher } from "../../../../src/platform/events/EventPublisher.ts"
import type { Transaction } from "../../../../src/platform/Transaction.ts"
import { assert, expect, layer } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { InMemoryArticles } from "../../../../src/modules/articles/adapters/memory/InMemoryArticles.ts"
import { ReadCache } from "../../../../src/platform/cache/ReadCache.ts"
import { Articles } from "../../../../src/modules/articles/application/Articles.ts"
import { ArticleCache } from "../../../../src/modules/articles/application/ArticleCache.ts"
import { InMemoryUsers } from "../../../../src/modules/users/adapters/memory/InMemoryUsers.ts"
import { PasswordHash } from "../../../../src/modules/users/domain/User.ts"
import type { ArticleRepository, FavoriteRepository } from "../../../../src/modules/articles/ports/ArticleRepository.ts"
import type { UserDirectory } from "../../../../src/modules/users/public.ts"
import { UserRepository } from "../../../../src/modules/users/ports/UserRepository.ts"
import { PostgresAdapters } from "../../../support/TestApp.ts"
import { aRegistration } from "../../users/UserMother.ts"
import { aDraft } from "../ArticleMother.ts"
import { FakeProfiles, TestFollows } from "../FakeProfiles.ts"

type Storage = Layer.Layer<UserRepository | UserDirectory | ArticleRepository | FavoriteRepository | EventPublisher | Transaction, unknown>

const aUser = Effect.gen(function* () {
  const users = yield* UserRepository
  const { username, email } = aRegistration()
  return yield* users.insert({ username, email, passwordHash: PasswordHash.make("scrypt$1$1$1$salt$key") })
})

const page = { limit: 20, offset: 0 }

/** The use cases over a stand-in for the profiles port, run once per storage adapter. */
const articlesSuite = (name: string, storage: Storage) =>
  layer(Articles.layer.pipe(Layer.provide(ArticleCache.layer), Layer.provide(ReadCache.layerMemory), Layer.provideMerge(FakeProfiles.layer), Layer.provideMerge(storage)), { timeout: "60 seconds" })(
    `Articles use cases on ${name}`,
    (it) => {
      it.effect("create makes the slug from the title and answers with the author's profile", () =>
        Effect.gen(function* () {
          const articles = yield* Articles
          const author = yield* aUser
          const article = yield* articles.create(author.id, aDraft({ title: "Hello, Wörld! Again" }))
          expect(article).toMatchObject({
            slug: "hello-world-again",
            favorited: false,
            favoritesCount: 0,
            author: { username: author.username, bio: null, image: null, following: false }
          })
        }))

      it.effect("two articles with the same title get different slugs", () =>
        Effect.gen(function* () {
          const articles = yield* Articles
          const author = yield* aUser
          const first = yield* articles.create(author.id, aDraft({ title: "Same title" }))
          const second = yield* articles.create(author.id, aDraft({ title: "Same title" }))
          expect(first.slug).toBe("same-title")
          expect(second.slug).toMatch(/^same-title-[a-z0-9]{6}$/)
        }))

      it.effect("writers racing with one title and the same new tags all succeed, with distinct slugs", () =>
        Effect.gen(function* () {
          const articles = yield* Articles
          const author = yield* aUser
          const tags = [`race-a-${process.pid}`, `race-b-${process.pid}`, `race-c-${process.pid}`]
          const created = yield* Effect.all(
            Array.from({ length: 6 }, (_, i) =>
              articles.create(author.id, aDraft({ title: "Racing title", tagList: i % 2 === 0 ? tags : [...tags].reverse() }))
            ),
            { concurrency: "unbounded" }
          )
          expect(new Set(created.map((a) => a.slug)).size).toBe(6)
          expect(created.map((a) => a.slug)).toContain("racing-title")
          expect(created[1]?.tagList).toEqual([...tags].reverse())
        }))

      it.effect("update: the slug follows a new title, stays for a title making the same slug", () =>
        Effect.gen(function* () {
          const articles = yield* Articles
          const author = yield* aUser
          const article = yield* articles.create(author.id, aDraft({ title: "Before edit" }))
          const same = yield* articles.update(author.id, article.slug, { title: "BEFORE  edit!" })
          expect(same.slug).toBe("before-edit")
          const moved = yield* articles.update(author.id, article.slug, { title: "After edit", tagList: [] })
          expect(moved).toMatchObject({ slug: "after-edit", title: "After edit", tagList: [], body: article.body })
          expect((yield* Effect.flip(articles.get("before-edit", Option.none())))._tag).toBe("ArticleNotFound")
        }))

      it.effect("only the author may update or delete; unknown slugs are not found", () =>
        Effect.gen(function* () {
          const articles = yield* Articles
          const author = yield* aUser
          const other = yield* aUser
          const article = yield* articles.create(author.id, aDraft())
          expect((yield* Effect.flip(articles.update(other.id, article.slug, { body: "mine now" })))._tag).toBe("NotArticleAuthor")
          expect((yield* Effect.flip(articles.delete(other.id, article.slug)))._tag).toBe("NotArticleAuthor")
          expect((yield* Effect.flip(articles.delete(author.id, "no-such-article")))._tag).toBe("ArticleNotFound")
          yield* articles.delete(author.id, article.slug)
          expect((yield* Effect.flip(articles.get(article.slug, Option.none())))._tag).toBe("ArticleNotFound")
        }))

      it.effect("favorite and unfavorite are idempotent and seen by the caller", () =>
        Effect.gen(function* () {
          const articles = yield* Articles
          const author = yield* aUser
          const reader = yield* aUser
          const article = yield* articles.create(author.id, aDraft())
          yield* articles.favorite(reader.id, article.slug)
          const twice = yield* articles.favorite(reader.id, article.slug)
          expect(twice).toMatchObject({ favorited: true, favoritesCount: 1 })
          expect(yield* articles.get(article.slug, Option.none())).toMatchObject({ favorited: false, favoritesCount: 1 })
          const undone = yield* articles.unfavorite(reader.id, article.slug)
          expect(undone).toMatchObject({ favorited: false, favoritesCount: 0 })
          expect((yield* Effect.flip(articles.favorite(reader.id, "no-such-article")))._tag).toBe("ArticleNotFound")
        }))

      it.effect("list filters by author and favorited username; unknown usernames match nothing", () =>
        Effect.gen(function* () {
          const articles = yield* Articles
          const author = yield* aUser
          const fan = yield* aUser
          const a = yield* articles.create(author.id, aDraft())
          const b = yield* articles.create(author.id, aDraft())
          yield* articles.favorite(fan.id, a.slug)
          const byAuthor = yield* articles.list({ author: author.username }, page, Option.none())
          expect(byAuthor.articlesCount).toBe(2)
          expect(byAuthor.articles.map((x) => x.slug)).toEqual([b.slug, a.slug])
          const faved = yield* articles.list({ favorited: fan.username }, page, Option.some(fan.id))
          expect(faved.articles.map((x) => [x.slug, x.favorited])).toEqual([[a.slug, true]])
          assert.deepStrictEqual(yield* articles.list({ author: "nobody-here" }, page, Option.none()), {
            articles: [],
            articlesCount: 0
          })
        }))

      it.effect("the feed holds articles by followed users only, with following = true", () =>
        Effect.gen(function* () {
          const articles = yield* Articles
          const follows = yield* TestFollows
          const reader = yield* aUser
          const followed = yield* aUser
          const stranger = yield* aUser
          expect((yield* articles.feed(reader.id, page)).articlesCount).toBe(0)
          const mine = yield* articles.create(followed.id, aDraft())
          yield* articles.create(stranger.id, aDraft())
          yield* follows.follow(reader.id, followed.id)
          const feed = yield* articles.feed(reader.id, page)
          expect(feed.articlesCount).toBe(1)
          expect(feed.articles[0]).toMatchObject({ slug: mine.slug, author: { username: followed.username, following: true } })
        }))

      it.effect("tags lists the tags in use", () =>
        Effect.gen(function* () {
          const articles = yield* Articles
          const author = yield* aUser
          yield* articles.create(author.id, aDraft({ tagList: ["uc-one", "uc-two"] }))
          expect(yield* articles.tags).toEqual(expect.arrayContaining(["uc-one", "uc-two"]))
        }))
    }
  )

articlesSuite("in-memory storage", Layer.mergeAll(InMemoryUsers.layer, InMemoryArticles.layer, MemoryEvents))
articlesSuite("PostgreSQL", PostgresAdapters)
