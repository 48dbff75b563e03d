import { Context, Effect, Layer, Option } from "effect"
import { BusinessMetrics } from "../../../platform/observability/Metrics.ts"
import { ArticleLookup, ArticleNotFound } from "../../articles/public.ts"
import { ProfileLookup } from "../../profiles/public.ts"
import type { UserId } from "../../users/public.ts"
import { type AuthoredComment, type Comment, type CommentBody, type CommentId, mayDelete } from "../domain/Comment.ts"
import { CommentNotFound, NotCommentAuthor } from "../domain/CommentErrors.ts"
import { CommentRepository } from "../ports/CommentRepository.ts"

/** The comments module's use cases: read an article's comments, comment, delete one's own comment. */
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
  }
>()("app/comments/Comments") {
  static readonly layer = Layer.effect(
    Comments,
    Effect.gen(function* () {
      const articles = yield* ArticleLookup
      const profiles = yield* ProfileLookup
      const comments = yield* CommentRepository

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
        const comment = yield* comments.insert({ articleId, authorId: author, body })
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
        yield* comments.delete(id)
      })

      return Comments.of({ list, add, remove })
    })
  )
}
