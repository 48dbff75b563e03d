import { assert, expect, layer } from "@effect/vitest"
import { Effect, type Layer, Option } from "effect"
import type { ArticleRepository } from "../../../../src/modules/articles/ports/ArticleRepository.ts"
import type { CommentId } from "../../../../src/modules/comments/domain/Comment.ts"
import { CommentRepository } from "../../../../src/modules/comments/ports/CommentRepository.ts"
import type { UserRepository } from "../../../../src/modules/users/ports/UserRepository.ts"
import { anAccount } from "../../profiles/AccountMother.ts"
import { aCommentBody, anArticle } from "../CommentMother.ts"

/** What every CommentRepository adapter must do; run against each of them. */
export const commentRepositoryContract = (
  name: string,
  adapters: Layer.Layer<CommentRepository | ArticleRepository | UserRepository, unknown>
) =>
  layer(adapters, { timeout: "60 seconds" })(`CommentRepository contract: ${name}`, (it) => {
    it.effect("inserts a comment with its timestamps and finds it by id", () =>
      Effect.gen(function* () {
        const comments = yield* CommentRepository
        const author = yield* anAccount()
        const article = yield* anArticle(author.id)
        const body = aCommentBody()
        const comment = yield* comments.insert({ articleId: article.id, authorId: author.id, body })
        expect(comment).toMatchObject({ articleId: article.id, authorId: author.id, body })
        expect(Number.isInteger(comment.id)).toBe(true)
        expect(comment.createdAt).toBeInstanceOf(Date)
        expect(comment.updatedAt.getTime()).toBe(comment.createdAt.getTime())
        assert.deepStrictEqual(yield* comments.findById(comment.id), Option.some(comment))
      }))

    it.effect("lists an article's comments only, newest first", () =>
      Effect.gen(function* () {
        const comments = yield* CommentRepository
        const author = yield* anAccount()
        const [article, other] = [yield* anArticle(author.id), yield* anArticle(author.id)]
        const inserted = yield* Effect.forEach([1, 2, 3], () =>
          comments.insert({ articleId: article.id, authorId: author.id, body: aCommentBody() })
        )
        yield* comments.insert({ articleId: other.id, authorId: author.id, body: aCommentBody() })
        const listed = yield* comments.listByArticle(article.id)
        expect(listed.map((comment) => comment.id)).toEqual(inserted.map((comment) => comment.id).reverse())
        expect(yield* comments.listByArticle((other.id + 100_000) as typeof other.id)).toEqual([])
      }))

    it.effect("deletes a comment, idempotently, leaving the others", () =>
      Effect.gen(function* () {
        const comments = yield* CommentRepository
        const author = yield* anAccount()
        const article = yield* anArticle(author.id)
        const [kept, gone] = yield* Effect.forEach([1, 2], () =>
          comments.insert({ articleId: article.id, authorId: author.id, body: aCommentBody() })
        )
        yield* comments.delete(gone!.id)
        yield* comments.delete(gone!.id)
        assert.isTrue(Option.isNone(yield* comments.findById(gone!.id)))
        expect((yield* comments.listByArticle(article.id)).map((comment) => comment.id)).toEqual([kept!.id])
        assert.isTrue(Option.isNone(yield* comments.findById(987654 as CommentId)))
      }))

    it.effect("removes every comment of one author, or on one article, and says how many", () =>
      Effect.gen(function* () {
        const comments = yield* CommentRepository
        const [writer, other] = [yield* anAccount(), yield* anAccount()]
        const [first, second] = [yield* anArticle(other.id), yield* anArticle(other.id)]
        const add = (articleId: typeof first.id, authorId: typeof writer.id) =>
          comments.insert({ articleId, authorId, body: aCommentBody() })
        yield* add(first.id, writer.id)
        yield* add(second.id, writer.id)
        const kept = yield* add(first.id, other.id)
        const onSecond = yield* add(second.id, other.id)
        expect(yield* comments.deleteByAuthor(writer.id)).toBe(2)
        expect(yield* comments.deleteByAuthor(writer.id)).toBe(0)
        expect((yield* comments.listByArticle(first.id)).map((comment) => comment.id)).toEqual([kept.id])
        expect(yield* comments.deleteByArticle(second.id)).toBe(1)
        assert.isTrue(Option.isNone(yield* comments.findById(onSecond.id)))
        expect((yield* comments.listByArticle(first.id)).map((comment) => comment.id)).toEqual([kept.id])
      }))
  })
