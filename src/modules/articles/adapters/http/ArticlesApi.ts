import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema } from "effect/http-api"
import { Forbidden, NotFound, Unauthorized, Unprocessable } from "../../../../platform/http/ContractErrors.ts"
import { reportAllErrors } from "../../../../platform/http/ModuleApi.ts"
import { RequestValidation } from "../../../../platform/http/RequestValidation.ts"
import { Authentication, OptionalAuthentication } from "../../../users/public.ts"
import {
  Body,
  DEFAULT_PAGE_SIZE,
  Description,
  MAX_PAGE_SIZE,
  SlugParam,
  Tag,
  TagList,
  Title
} from "../../domain/Article.ts"

// The articles, favorites and tags part of the RealWorld contract: envelopes exactly as specified.

const Author = Schema.Struct({
  username: Schema.String,
  bio: Schema.NullOr(Schema.String),
  image: Schema.NullOr(Schema.String),
  following: Schema.Boolean
})

const listedFields = {
  slug: Schema.String,
  title: Schema.String,
  description: Schema.String,
  tagList: Schema.Array(Schema.String),
  /** ISO 8601, UTC. */
  createdAt: Schema.String,
  updatedAt: Schema.String,
  favorited: Schema.Boolean,
  favoritesCount: Schema.Int,
  author: Author
}

export const ArticleBody = Schema.Struct({ ...listedFields, body: Schema.String })
export const ArticleResponse = Schema.Struct({ article: ArticleBody })
/** Lists leave the body out: a page of twenty long articles would otherwise be megabytes. */
export const ArticleListResponse = Schema.Struct({
  articles: Schema.Array(Schema.Struct(listedFields)),
  articlesCount: Schema.Int
})

export const NewArticleRequest = Schema.Struct({
  article: Schema.Struct({ title: Title, description: Description, body: Body, tagList: Schema.optionalKey(TagList) })
})
export const UpdateArticleRequest = Schema.Struct({
  article: Schema.Struct({
    title: Schema.optionalKey(Title),
    description: Schema.optionalKey(Description),
    body: Schema.optionalKey(Body),
    tagList: Schema.optionalKey(TagList)
  })
})

/** A whole number from the query string, within bounds; anything else is a 422 naming the parameter. */
const boundedInt = (min: number, max: number, message: string) =>
  Schema.NumberFromString.pipe(
    Schema.check(Schema.makeFilter((n: number) => (Number.isInteger(n) && n >= min && n <= max) || message))
  )

export const Paging = {
  limit: Schema.optionalKey(boundedInt(1, MAX_PAGE_SIZE, `must be a whole number from 1 to ${MAX_PAGE_SIZE}`)),
  offset: Schema.optionalKey(boundedInt(0, Number.MAX_SAFE_INTEGER, "must be a whole number, 0 or more"))
}
export const ListQuery = {
  ...Paging,
  tag: Schema.optionalKey(Tag),
  author: Schema.optionalKey(SlugParam),
  favorited: Schema.optionalKey(SlugParam)
}

export const pageOf = (query: { readonly limit?: number | undefined; readonly offset?: number | undefined }) => ({
  limit: query.limit ?? DEFAULT_PAGE_SIZE,
  offset: query.offset ?? 0
})

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
