// The articles module's public surface. Other modules import from this file only (checked by
// dependency-cruiser).
export { ArticleId } from "./domain/Article.ts"
export { ArticleNotFound } from "./domain/ArticleErrors.ts"
export {
  ArticleDeleted,
  ArticleFavorited,
  ArticlePublished,
  ArticleUnfavorited,
  ArticleUpdated
} from "./domain/ArticleEvents.ts"
export { ArticleLookup, type ArticleRef } from "./ports/ArticleLookup.ts"
