import { Context, type Effect, type Option } from "effect"
import type { ArticleId } from "../../articles/public.ts"
import type { UserId } from "../../users/public.ts"
import type { Comment, CommentBody, CommentId } from "../domain/Comment.ts"

export interface NewComment {
  readonly articleId: ArticleId
  readonly authorId: UserId
  readonly body: CommentBody
}

/** Persistence of comments. The article is known to exist (the use cases checked it through ArticleLookup). */
export class CommentRepository extends Context.Service<
  CommentRepository,
  {
    readonly insert: (comment: NewComment) => Effect.Effect<Comment>
    readonly findById: (id: CommentId) => Effect.Effect<Option.Option<Comment>>
    /** Idempotent: deleting a comment that is gone is not an error. */
    readonly delete: (id: CommentId) => Effect.Effect<void>
    /** Removes every comment the author wrote; how many. */
    readonly deleteByAuthor: (authorId: UserId) => Effect.Effect<number>
    /** Removes every comment on the article; how many. */
    readonly deleteByArticle: (articleId: ArticleId) => Effect.Effect<number>
    /** Every comment on the article, newest first (creation time, then id), in one statement. */
    readonly listByArticle: (articleId: ArticleId) => Effect.Effect<ReadonlyArray<Comment>>
  }
>()("app/comments/CommentRepository") {}
