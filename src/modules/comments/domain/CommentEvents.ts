import { Schema } from "effect"
import { eventFields } from "../../../kernel/DomainEvent.ts"
import { ArticleId } from "../../articles/public.ts"
import { UserId } from "../../users/public.ts"
import { CommentId } from "./Comment.ts"

export class CommentAdded extends Schema.Class<CommentAdded>("CommentAdded")({
  ...eventFields("comment.added", 1),
  payload: Schema.Struct({ commentId: CommentId, articleId: ArticleId, authorId: UserId })
}) {}

export class CommentDeleted extends Schema.Class<CommentDeleted>("CommentDeleted")({
  ...eventFields("comment.deleted", 1),
  payload: Schema.Struct({ commentId: CommentId, articleId: ArticleId, authorId: UserId })
}) {}
