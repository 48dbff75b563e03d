import { Schema } from "effect"
import { RequiredText } from "../../../kernel/Text.ts"
import type { ArticleId } from "../../articles/public.ts"
import type { Profile } from "../../profiles/public.ts"
import type { UserId } from "../../users/public.ts"

export const CommentId = Schema.Int.pipe(Schema.brand("CommentId"))
export type CommentId = typeof CommentId.Type

/** Trimmed, not blank, bounded, storable. */
export const CommentBody = RequiredText(10_000)
export type CommentBody = typeof CommentBody.Type

/** A comment as stored: on one article, by one author. */
export interface Comment {
  readonly id: CommentId
  readonly articleId: ArticleId
  readonly authorId: UserId
  readonly body: string
  readonly createdAt: Date
  readonly updatedAt: Date
}

/** A comment with its author as the viewer sees them: what readers get. */
export interface AuthoredComment {
  readonly comment: Comment
  readonly author: Profile
}

/** Only a comment's author may delete it (not the article's author: comments are their writers' words). */
export const mayDelete = (comment: Comment, caller: UserId) => comment.authorId === caller
