import { Schema } from "effect"
import { RequiredText } from "../../../kernel/Text.ts"
import { ArticleId } from "../../articles/public.ts"
import type { Profile } from "../../profiles/public.ts"
import { UserId } from "../../users/public.ts"

export const CommentId = Schema.Int.pipe(Schema.brand("CommentId"))
export type CommentId = typeof CommentId.Type

/** Not blank, bounded, storable; kept exactly as sent (it is Markdown, like article bodies). */
export const CommentBody = RequiredText(10_000, { keepEnds: true })
export type CommentBody = typeof CommentBody.Type

/** A comment as stored: on one article, by one author. */
export const Comment = Schema.Struct({
  id: CommentId,
  articleId: ArticleId,
  authorId: UserId,
  body: Schema.String,
  createdAt: Schema.Date,
  updatedAt: Schema.Date
})
export type Comment = typeof Comment.Type

/** A comment with its author as the viewer sees them: what readers get. */
export interface AuthoredComment {
  readonly comment: Comment
  readonly author: Profile
}

/** Only a comment's author may delete it (not the article's author: comments are their writers' words). */
export const mayDelete = (comment: Comment, caller: UserId) => comment.authorId === caller
