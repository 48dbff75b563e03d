import { Context, type Effect, type Option, Schema, Struct } from "effect"
import type { UserId } from "../../users/public.ts"
import { Article, type ArticleEdit, type ArticleId, ArticleSummary, FavoriteStats, type Page } from "../domain/Article.ts"
import type { ArticleNotFound, SlugTaken } from "../domain/ArticleErrors.ts"

/** An article before it is stored: the store assigns its id and timestamps. */
export type NewArticle = Omit<Article, "id" | "createdAt" | "updatedAt">

/** An author's edit, plus the new slug when the title's slug changed. */
export type ArticleChanges = ArticleEdit & { readonly slug?: string }

/** An article as one viewer reads it: what is stored plus the favorite counts as that viewer sees them. */
export const ArticleView = Article.mapFields(Struct.assign(FavoriteStats.fields))
export type ArticleView = typeof ArticleView.Type
/** A list entry as one viewer reads it. */
export const ArticleSummaryView = ArticleSummary.mapFields(Struct.assign(FavoriteStats.fields))
export type ArticleSummaryView = typeof ArticleSummaryView.Type

/** Every given criterion must hold; an empty filter matches every article. */
export interface ArticleFilter {
  readonly tag?: string
  /** Written by one of these (the author filter passes one, the feed the followed users). */
  readonly authorIds?: ReadonlyArray<UserId>
  readonly favoritedBy?: UserId
}

/** A page of a list, and how many articles match the filter in all, not on this page. */
export const ArticlePage = Schema.Struct({ articles: Schema.Array(ArticleSummaryView), total: Schema.Int })
export type ArticlePage = typeof ArticlePage.Type

/**
 * Persistence of articles with their tags, and the read side of favorites. Reads take the viewer so
 * `favorited` comes with the article, and a page of any size costs the same number of statements.
 */
export class ArticleRepository extends Context.Service<
  ArticleRepository,
  {
    /** Stores the article and its tags together, or nothing. */
    readonly insert: (article: NewArticle) => Effect.Effect<Article, SlugTaken>
    readonly update: (id: ArticleId, changes: ArticleChanges) => Effect.Effect<Article, SlugTaken | ArticleNotFound>
    readonly delete: (id: ArticleId) => Effect.Effect<void>
    /** Removes every article of the author (with their tags and favorites); what was removed. */
    readonly deleteByAuthor: (authorId: UserId) => Effect.Effect<ReadonlyArray<Pick<Article, "id" | "slug">>>
    readonly findBySlug: (slug: string, viewer: Option.Option<UserId>) => Effect.Effect<Option.Option<ArticleView>>
    /** Newest first (creation time, then id). */
    readonly list: (filter: ArticleFilter, page: Page, viewer: Option.Option<UserId>) => Effect.Effect<ArticlePage>
    /** Every tag in use (on at least one article), in code-point order. */
    readonly tags: Effect.Effect<ReadonlyArray<string>>
  }
>()("app/articles/ArticleRepository") {}

/** Who favorited what. Both writes are idempotent and tell whether they changed anything. */
export class FavoriteRepository extends Context.Service<
  FavoriteRepository,
  {
    readonly add: (userId: UserId, articleId: ArticleId) => Effect.Effect<boolean>
    readonly remove: (userId: UserId, articleId: ArticleId) => Effect.Effect<boolean>
    /** Removes every favorite of the user (each article's count drops with it); the slugs of those articles. */
    readonly removeAllBy: (userId: UserId) => Effect.Effect<ReadonlyArray<string>>
    /** Which of these articles the user favorited: one statement for any number of ids. */
    readonly favoritedAmong: (userId: UserId, articleIds: ReadonlyArray<ArticleId>) => Effect.Effect<ReadonlySet<ArticleId>>
  }
>()("app/articles/FavoriteRepository") {}
