import { Schema } from "effect"
import { eventFields } from "../../../kernel/DomainEvent.ts"
import { UserId } from "../../users/public.ts"
import { ArticleId } from "./Article.ts"

const ArticleRef = { articleId: ArticleId, slug: Schema.String, authorId: UserId }

export class ArticlePublished extends Schema.Class<ArticlePublished>("ArticlePublished")({
  ...eventFields("article.published", 1),
  payload: Schema.Struct({ ...ArticleRef, title: Schema.String, tagList: Schema.Array(Schema.String) })
}) {}

export class ArticleUpdated extends Schema.Class<ArticleUpdated>("ArticleUpdated")({
  ...eventFields("article.updated", 1),
  /**
   * `slug` is the new one (it follows the title), `previousSlug` the one it replaced when the title
   * changed it; `changed` names the fields the edit set.
   */
  payload: Schema.Struct({ ...ArticleRef, previousSlug: Schema.optional(Schema.String), changed: Schema.Array(Schema.String) })
}) {}

/** The article is gone (its author deleted it, or their account went); comments on it go too. */
export class ArticleDeleted extends Schema.Class<ArticleDeleted>("ArticleDeleted")({
  ...eventFields("article.deleted", 1),
  payload: Schema.Struct(ArticleRef)
}) {}

export class ArticleFavorited extends Schema.Class<ArticleFavorited>("ArticleFavorited")({
  ...eventFields("article.favorited", 1),
  payload: Schema.Struct({ articleId: ArticleId, slug: Schema.String, userId: UserId })
}) {}

export class ArticleUnfavorited extends Schema.Class<ArticleUnfavorited>("ArticleUnfavorited")({
  ...eventFields("article.unfavorited", 1),
  payload: Schema.Struct({ articleId: ArticleId, slug: Schema.String, userId: UserId })
}) {}
