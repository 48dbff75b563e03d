import { Context, Effect, Layer, Option } from "effect"
import { EventPublisher, newEvent } from "../../../platform/events/EventPublisher.ts"
import { BusinessMetrics } from "../../../platform/observability/Metrics.ts"
import { Transaction } from "../../../platform/Transaction.ts"
import { type ArticleId, ArticleLookup, ArticleNotFound } from "../../articles/public.ts"
import { ProfileLookup } from "../../profiles/public.ts"
import type { UserId } from "../../users/public.ts"
import { type AuthoredComment, type Comment, type CommentBody, type CommentId, mayDelete } from "../domain/Comment.ts"
import { CommentNotFound, NotCommentAuthor } from "../domain/CommentErrors.ts"
import { CommentAdded, CommentDeleted } from "../domain/CommentEvents.ts"
import { CommentRepository } from "../ports/CommentRepository.ts"

/**
 * The comments module's use cases: read an article's comments, comment, delete one's own comment, and
 * remove the comments of a deleted account or article.
 */
export class Comments extends Context.Service<
  Comments,
  {
    /**
     * Newest first, each author as the viewer sees them. A constant number of statements whatever the
     * number of comments: the article, its comments, then every author in one batch.
     */
    readonly list: (slug: string, viewer: Option.Option<UserId>) => Effect.Effect<ReadonlyArray<AuthoredComment>, ArticleNotFound>
    readonly add: (slug: string, author: UserId, body: CommentBody) => Effect.Effect<AuthoredComment, ArticleNotFound>
    readonly remove: (
      slug: string,
      id: CommentId,
      caller: UserId
    ) => Effect.Effect<void, ArticleNotFound | CommentNotFound | NotCommentAuthor>
    /** Removes every comment a deleted account wrote; idempotent. */
    readonly removeByAuthor: (author: UserId) => Effect.Effect<void>
    /** Removes every comment on a deleted article; idempotent. */
    readonly removeOnArticle: (articleId: ArticleId) => Effect.Effect<void>
  }
>()("app/comments/Comments") {
  static readonly layer = Layer.effect(
    Comments,
    Effect.gen(function* () {
      const articles = yield* ArticleLookup
      const profiles = yield* ProfileLookup
      const comments = yield* CommentRepository
      const transaction = yield* Transaction
      const events = yield* EventPublisher

      const article = (slug: string) =>
        Effect.flatMap(articles.findBySlug(slug), (found) =>
          Option.isSome(found) ? Effect.succeed(found.value) : Effect.fail(new ArticleNotFound())
        )

      /** Attaches authors in one batch; a comment whose author vanished meanwhile is left out. */
      const withAuthors = (found: ReadonlyArray<Comment>, viewer: Option.Option<UserId>) =>
        Effect.map(profiles.forUsers([...new Set(found.map((comment) => comment.authorId))], viewer), (authors) =>
          found.flatMap((comment) => {
            const author = authors.get(comment.authorId)
            return author === undefined ? [] : [{ comment, author }]
          })
        )

      const list = Effect.fn("Comments.list")(function* (slug: string, viewer: Option.Option<UserId>) {
        const { id } = yield* article(slug)
        return yield* withAuthors(yield* comments.listByArticle(id), viewer)
      })

      const add = Effect.fn("Comments.add")(function* (slug: string, author: UserId, body: CommentBody) {
        const { id: articleId } = yield* article(slug)
        const comment = yield* transaction.run(
          Effect.tap(comments.insert({ articleId, authorId: author, body }), (comment) =>
            Effect.flatMap(
              newEvent(CommentAdded, { actorId: author, payload: { commentId: comment.id, articleId, authorId: author } }),
              events.publish
            )
          )
        )
        yield* BusinessMetrics.increment(BusinessMetrics.commentsPosted)
        const [authored] = yield* withAuthors([comment], Option.some(author))
        // The author was authenticated a moment ago; an account deleted in between is not an outcome.
        if (authored === undefined) return yield* Effect.die(new Error("comment author not found"))
        return authored
      })

      const remove = Effect.fn("Comments.remove")(function* (slug: string, id: CommentId, caller: UserId) {
        const { id: articleId } = yield* article(slug)
        const found = yield* comments.findById(id)
        // A comment on another article is not found here: ids are not a way to reach other articles.
        if (Option.isNone(found) || found.value.articleId !== articleId) return yield* new CommentNotFound()
        if (!mayDelete(found.value, caller)) return yield* new NotCommentAuthor()
        yield* transaction.run(
          Effect.andThen(
            comments.delete(id),
            Effect.flatMap(
              newEvent(CommentDeleted, { actorId: caller, payload: { commentId: id, articleId, authorId: found.value.authorId } }),
              events.publish
            )
          )
        )
      })

      const removeByAuthor = Effect.fn("Comments.removeByAuthor")(function* (author: UserId) {
        yield* comments.deleteByAuthor(author)
      })
      const removeOnArticle = Effect.fn("Comments.removeOnArticle")(function* (articleId: ArticleId) {
        yield* comments.deleteByArticle(articleId)
      })

      return Comments.of({ list, add, remove, removeByAuthor, removeOnArticle })
    })
  )
}
