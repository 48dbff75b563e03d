import { Effect, Schema, Struct } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema } from "effect/http-api"
import { atMost, isStorableText, notBlank } from "../../../../kernel/Text.ts"
import { Forbidden, NotFound, Unauthorized, Unprocessable } from "../../../../platform/http/ContractErrors.ts"
import { reportAllErrors } from "../../../../platform/http/ModuleApi.ts"
import { RequestValidation } from "../../../../platform/http/RequestValidation.ts"
import { Profile } from "../../../profiles/public.ts"
import { Authentication, OptionalAuthentication } from "../../../users/public.ts"
import { Article, ArticleDraft, ArticleEdit, FavoriteStats, Tag } from "../../domain/Article.ts"

// The articles, favorites and tags part of the RealWorld contract: envelopes exactly as specified.

const publicFields = ["slug", "title", "description", "body", "tagList", "createdAt", "updatedAt"] as const

/** An article as the contract shows it: the stored article's public fields, the reader's favorite stats, the author. */
export const ArticleJson = Article.mapFields((fields) => ({
  ...Struct.pick(fields, publicFields),
  ...FavoriteStats.fields,
  author: Profile
})).annotate({ identifier: "Article" })
/** A list entry: the article without its body. */
export const ArticleSummaryJson = ArticleJson.mapFields(Struct.omit(["body"])).annotate({ identifier: "ArticleSummary" })

export const ArticleResponse = Schema.Struct({ article: ArticleJson })
export const ArticleListResponse = Schema.Struct({ articles: Schema.Array(ArticleSummaryJson), articlesCount: Schema.Int })
export const NewArticleRequest = Schema.Struct({ article: ArticleDraft })
export const UpdateArticleRequest = Schema.Struct({ article: ArticleEdit })

/** A slug as found in a URL: never trusted to be one we made, only bounded. */
export const SlugParam = Schema.String.pipe(Schema.check(notBlank, atMost(512), isStorableText))

export const MAX_PAGE_SIZE = 100
export const DEFAULT_PAGE_SIZE = 20

/** A whole number from the query string, within bounds; anything else is a 422 naming the parameter. */
const boundedInt = (min: number, max: number, message: string) =>
  Schema.NumberFromString.pipe(
    Schema.check(Schema.makeFilter((n: number) => (Number.isInteger(n) && n >= min && n <= max) || message))
  )

/** The page bounds every list endpoint shares; absent ones take their defaults, so handlers get a whole page. */
export const Paging = {
  limit: boundedInt(1, MAX_PAGE_SIZE, `must be a whole number from 1 to ${MAX_PAGE_SIZE}`).pipe(
    Schema.withDecodingDefaultKey(Effect.succeed(String(DEFAULT_PAGE_SIZE)))
  ),
  offset: boundedInt(0, Number.MAX_SAFE_INTEGER, "must be a whole number, 0 or more").pipe(
    Schema.withDecodingDefaultKey(Effect.succeed("0"))
  )
}
export const ListQuery = {
  ...Paging,
  tag: Schema.optionalKey(Tag),
  author: Schema.optionalKey(SlugParam),
  favorited: Schema.optionalKey(SlugParam)
}

const slug = { slug: SlugParam }

export class ArticlesApi extends HttpApiGroup.make("articles")
  .add(
    HttpApiEndpoint.get("list", "/articles", {
      query: ListQuery,
      success: ArticleListResponse,
      error: [Unauthorized, Unprocessable]
    }).middleware(OptionalAuthentication),
    HttpApiEndpoint.get("feed", "/articles/feed", {
      query: Paging,
      success: ArticleListResponse,
      error: [Unauthorized, Unprocessable]
    }).middleware(Authentication),
    HttpApiEndpoint.get("get", "/articles/:slug", {
      params: slug,
      success: ArticleResponse,
      error: [Unauthorized, NotFound, Unprocessable]
    }).middleware(OptionalAuthentication),
    HttpApiEndpoint.post("create", "/articles", {
      payload: NewArticleRequest,
      success: ArticleResponse.pipe(HttpApiSchema.status(201)),
      error: [Unauthorized, Unprocessable]
    }).middleware(Authentication),
    HttpApiEndpoint.put("update", "/articles/:slug", {
      params: slug,
      payload: UpdateArticleRequest,
      success: ArticleResponse,
      error: [Unauthorized, Forbidden, NotFound, Unprocessable]
    }).middleware(Authentication),
    HttpApiEndpoint.delete("delete", "/articles/:slug", {
      params: slug,
      success: HttpApiSchema.NoContent,
      error: [Unauthorized, Forbidden, NotFound, Unprocessable]
    }).middleware(Authentication),
    HttpApiEndpoint.post("favorite", "/articles/:slug/favorite", {
      params: slug,
      success: ArticleResponse,
      error: [Unauthorized, NotFound, Unprocessable]
    }).middleware(Authentication),
    HttpApiEndpoint.delete("unfavorite", "/articles/:slug/favorite", {
      params: slug,
      success: ArticleResponse,
      error: [Unauthorized, NotFound, Unprocessable]
    }).middleware(Authentication)
  )
  .middleware(RequestValidation)
  .prefix("/api")
  .annotate(...reportAllErrors) {}

export class TagsApi extends HttpApiGroup.make("tags")
  .add(HttpApiEndpoint.get("list", "/tags", { success: Schema.Struct({ tags: Schema.Array(Schema.String) }) }))
  .middleware(RequestValidation)
  .prefix("/api")
  .annotate(...reportAllErrors) {}
