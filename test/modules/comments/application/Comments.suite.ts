import { assert, expect, layer } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import type { ArticleLookup } from "../../../../src/modules/articles/public.ts"
import type { ArticleRepository } from "../../../../src/modules/articles/ports/ArticleRepository.ts"
import { Comments } from "../../../../src/modules/comments/application/Comments.ts"
import type { CommentId } from "../../../../src/modules/comments/domain/Comment.ts"
import type { CommentRepository } from "../../../../src/modules/comments/ports/CommentRepository.ts"
import { FollowsProfileLookup } from "../../../../src/modules/profiles/application/FollowsProfileLookup.ts"
import { Profiles } from "../../../../src/modules/profiles/application/Profiles.ts"
import type { FollowRepository } from "../../../../src/modules/profiles/ports/FollowRepository.ts"
import type { UserDirectory } from "../../../../src/modules/users/ports/UserDirectory.ts"
import type { UserRepository } from "../../../../src/modules/users/ports/UserRepository.ts"
import { anAccount } from "../../profiles/AccountMother.ts"
import { aCommentBody, anArticle } from "../CommentMother.ts"

type Storage = ArticleLookup | ArticleRepository | CommentRepository | FollowRepository | UserDirectory | UserRepository

/** The comments use cases over the real ProfileLookup, run once per storage adapter. */
export const commentsSuite = (name: string, storage: Layer.Layer<Storage, unknown>) =>
  layer(
    Layer.mergeAll(Comments.layer, Profiles.layer).pipe(Layer.provideMerge(FollowsProfileLookup.layer), Layer.provideMerge(storage)),
    { timeout: "60 seconds" }
  )(`Comments on ${name}`, (it) => {
    it.effect("adds a comment and answers it with its author's profile", () =>
      Effect.gen(function* () {
        const comments = yield* Comments
        const author = yield* anAccount({ bio: "commenter" })
        const article = yield* anArticle(author.id)
        const body = aCommentBody("Great article!")
        const { comment, author: profile } = yield* comments.add(article.slug, author.id, body)
        expect(comment).toMatchObject({ articleId: article.id, authorId: author.id, body: "Great article!" })
        assert.deepStrictEqual(profile, { username: author.username, bio: "commenter", image: null, following: false })
      }))

    it.effect("lists newest first, each author as the viewer sees them", () =>
      Effect.gen(function* () {
        const comments = yield* Comments
        const profiles = yield* Profiles
        const [writer, followed, stranger, viewer] = yield* Effect.forEach([1, 2, 3, 4], () => anAccount())
        const article = yield* anArticle(writer!.id)
        const first = yield* comments.add(article.slug, followed!.id, aCommentBody())
        const second = yield* comments.add(article.slug, stranger!.id, aCommentBody())
        const third = yield* comments.add(article.slug, followed!.id, aCommentBody())
        yield* profiles.follow(viewer!.id, followed!.username)

        const seen = yield* comments.list(article.slug, Option.some(viewer!.id))
        expect(seen.map(({ comment }) => comment.id)).toEqual([third, second, first].map(({ comment }) => comment.id))
        expect(seen.map(({ author }) => [author.username, author.following])).toEqual([
          [followed!.username, true],
          [stranger!.username, false],
          [followed!.username, true]
        ])
        const anonymous = yield* comments.list(article.slug, Option.none())
        expect(anonymous.every(({ author }) => !author.following)).toBe(true)
      }))

    it.effect("an article without comments lists none", () =>
      Effect.gen(function* () {
        const comments = yield* Comments
        const article = yield* anArticle((yield* anAccount()).id)
        expect(yield* comments.list(article.slug, Option.none())).toEqual([])
      }))

    it.effect("an unknown slug is ArticleNotFound for every use case", () =>
      Effect.gen(function* () {
        const comments = yield* Comments
        const me = yield* anAccount()
        for (const attempt of [
          comments.list("no-such-article", Option.none()),
          comments.add("no-such-article", me.id, aCommentBody()),
          comments.remove("no-such-article", 1 as CommentId, me.id)
        ]) {
          expect((yield* Effect.flip(attempt))._tag).toBe("ArticleNotFound")
        }
      }))

    it.effect("the comment's author deletes it; nobody else may, not even the article's author", () =>
      Effect.gen(function* () {
        const comments = yield* Comments
        const [articleAuthor, commenter] = [yield* anAccount(), yield* anAccount()]
        const article = yield* anArticle(articleAuthor.id)
        const { comment } = yield* comments.add(article.slug, commenter.id, aCommentBody())
        const refused = yield* Effect.flip(comments.remove(article.slug, comment.id, articleAuthor.id))
        expect(refused._tag).toBe("NotCommentAuthor")
        yield* comments.remove(article.slug, comment.id, commenter.id)
        expect(yield* comments.list(article.slug, Option.none())).toEqual([])
        const again = yield* Effect.flip(comments.remove(article.slug, comment.id, commenter.id))
        expect(again._tag).toBe("CommentNotFound")
      }))

    it.effect("a comment is not found through another article's slug", () =>
      Effect.gen(function* () {
        const comments = yield* Comments
        const me = yield* anAccount()
        const [article, other] = [yield* anArticle(me.id), yield* anArticle(me.id)]
        const { comment } = yield* comments.add(article.slug, me.id, aCommentBody())
        expect((yield* Effect.flip(comments.remove(other.slug, comment.id, me.id)))._tag).toBe("CommentNotFound")
        expect((yield* comments.list(article.slug, Option.none())).length).toBe(1)
      }))
  })
