import { Effect, Option, Schema, SchemaGetter, Struct } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import { atMost, isStorableText, notBlank } from "../../../../kernel/Text.ts"
import { Forbidden, NotFound, Unauthorized, Unprocessable } from "../../../../platform/http/ContractErrors.ts"
import { reportAllErrors } from "../../../../platform/http/ModuleApi.ts"
import { operation, Timestamp } from "../../../../platform/http/OpenApiContract.ts"
import { RequestValidation } from "../../../../platform/http/RequestValidation.ts"
import { Profile } from "../../../profiles/public.ts"
import { Authentication, OptionalAuthentication } from "../../../users/public.ts"
import { Article, ArticleDraft, ArticleEdit, FavoriteStats, Tag } from "../../domain/Article.ts"

// The articles, favorites and tags part of the RealWorld contract: envelopes exactly as specified.

const publicFields = ["slug", "title", "description", "body", "tagList", "createdAt", "updatedAt"] as const

/** An article as the contract shows it: the stored article's public fields, the reader's favorite stats, the author. */
export const ArticleJson = Article.mapFields((fields) => ({
  ...Struct.pick(fields, publicFields),
  slug: fields.slug.annotate({ examples: ["how-to-train-your-dragon"] }),
  title: fields.title.annotate({ examples: ["How to train your dragon"] }),
  description: fields.description.annotate({ examples: ["Ever wonder how?"] }),
  body: fields.body.annotate({ examples: ["You have to believe"] }),
  tagList: fields.tagList.annotate({ examples: [["dragons", "training"]] }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  favorited: FavoriteStats.fields.favorited,
  favoritesCount: FavoriteStats.fields.favoritesCount.annotate({ examples: [3] }),
  author: Profile
})).annotate({ identifier: "Article" })
/** A list entry: the article without its body. */
export const ArticleSummaryJson = ArticleJson.mapFields(Struct.omit(["body"])).annotate({ identifier: "ArticleSummary" })

export const ArticleResponse = Schema.Struct({ article: ArticleJson })
export const ArticleListResponse = Schema.Struct({
  articles: Schema.Array(ArticleSummaryJson),
  /** How many articles match in all, not on this page. */
  articlesCount: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)).annotate({ examples: [1] })
})
const draftExample = {
  title: "How to train your dragon",
  description: "Ever wonder how?",
  body: "You have to believe",
  tagList: ["dragons", "training"]
}
export const NewArticleRequest = Schema.Struct({
  article: ArticleDraft.annotate({ identifier: "NewArticle", examples: [draftExample] })
})
export const UpdateArticleRequest = Schema.Struct({
  article: ArticleEdit.annotate({ identifier: "UpdateArticle", examples: [{ body: "With two hands" }] })
})

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
/**
 * An optional filter sent empty (`?tag=`) counts as not sent: generated snippets and forms send every
 * parameter they list. Anything else goes through `schema` (so `?tag=%20` is still a 422).
 */
const optionalFilter = (schema: Schema.Codec<string, string>) =>
  Schema.optionalKey(Schema.String).pipe(
    Schema.decodeTo(Schema.optionalKey(schema), {
      decode: SchemaGetter.transformOptional(Option.filter((value: string) => value !== "")),
      encode: SchemaGetter.passthrough()
    })
  )

export const ListQuery = {
  ...Paging,
  tag: optionalFilter(Tag),
  author: optionalFilter(SlugParam),
  favorited: optionalFilter(SlugParam)
}

const slug = { slug: SlugParam }
const slugDoc = (what: string) => ({ slug: { description: `Slug of the article ${what}` } })

/** Query parameters arrive as strings; these are the values they must spell. */
const pagingDoc = {
  limit: {
    description: "How many articles to return",
    schema: { type: "integer", minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE }
  },
  offset: {
    description: "How many articles to skip before the first one returned",
    schema: { type: "integer", minimum: 0, default: 0 }
  }
}

export class ArticlesApi extends HttpApiGroup.make("articles")
  .add(
    HttpApiEndpoint.get("list", "/articles", {
      query: ListQuery,
      success: ArticleListResponse,
      error: [Unauthorized, Unprocessable]
    })
      .middleware(OptionalAuthentication)
      .annotateMerge(
        operation({
          id: "GetArticles",
          summary: "Get recent articles globally",
          description:
            "The most recent articles, newest first, without their bodies; filtered by tag, author or the user who favorited them. Auth is optional.",
          parameters: {
            ...pagingDoc,
            tag: { description: "Only articles with this tag" },
            author: { description: "Only articles by this user (username)" },
            favorited: { description: "Only articles this user (username) favorited" }
          },
          optionalAuth: true
        })
      ),
    HttpApiEndpoint.get("feed", "/articles/feed", {
      query: Paging,
      success: ArticleListResponse,
      error: [Unauthorized, Unprocessable]
    })
      .middleware(Authentication)
      .annotateMerge(
        operation({
          id: "GetArticlesFeed",
          summary: "Get recent articles from users you follow",
          description: "The most recent articles by the users the caller follows, newest first. Auth is required.",
          parameters: pagingDoc
        })
      ),
    HttpApiEndpoint.get("get", "/articles/:slug", {
      params: slug,
      success: ArticleResponse,
      error: [Unauthorized, NotFound, Unprocessable]
    })
      .middleware(OptionalAuthentication)
      .annotateMerge(
        operation({
          id: "GetArticle",
          summary: "Get an article",
          description: "One article, with `favorited` and the author's `following` as the caller sees them. Auth is optional.",
          parameters: slugDoc("to get"),
          optionalAuth: true,
          extensions: { 401: "A token was sent but is invalid or expired" }
        })
      ),
    HttpApiEndpoint.post("create", "/articles", {
      payload: NewArticleRequest,
      success: ArticleResponse.pipe(HttpApiSchema.status(201)),
      error: [Unauthorized, Unprocessable]
    })
      .middleware(Authentication)
      .annotateMerge(
        operation({
          id: "CreateArticle",
          summary: "Create an article",
          description:
            "Publishes an article. Its slug is made from the title; a title whose slug is taken gets a random suffix, so a new article never conflicts. Auth is required."
        })
      ),
    HttpApiEndpoint.put("update", "/articles/:slug", {
      params: slug,
      payload: UpdateArticleRequest,
      success: ArticleResponse,
      error: [Unauthorized, Forbidden, NotFound, Unprocessable]
    })
      .middleware(Authentication)
      .annotateMerge(
        operation({
          id: "UpdateArticle",
          summary: "Update an article",
          description: "Changes the caller's own article; a new title gives it a new slug. Auth is required.",
          parameters: slugDoc("to update")
        })
      ),
    HttpApiEndpoint.delete("delete", "/articles/:slug", {
      params: slug,
      success: HttpApiSchema.NoContent,
      error: [Unauthorized, Forbidden, NotFound, Unprocessable]
    })
      .middleware(Authentication)
      .annotateMerge(
        operation({
          id: "DeleteArticle",
          summary: "Delete an article",
          description: "Deletes the caller's own article with its comments and favorites. Auth is required.",
          parameters: slugDoc("to delete")
        })
      ),
    HttpApiEndpoint.post("favorite", "/articles/:slug/favorite", {
      params: slug,
      success: ArticleResponse,
      error: [Unauthorized, NotFound, Unprocessable]
    })
      .middleware(Authentication)
      .annotateMerge(
        operation({
          id: "CreateArticleFavorite",
          summary: "Favorite an article",
          description: "Marks the article as a favorite of the caller (idempotent). Auth is required.",
          tag: "Favorites",
          parameters: slugDoc("to favorite")
        })
      ),
    HttpApiEndpoint.delete("unfavorite", "/articles/:slug/favorite", {
      params: slug,
      success: ArticleResponse,
      error: [Unauthorized, NotFound, Unprocessable]
    })
      .middleware(Authentication)
      .annotateMerge(
        operation({
          id: "DeleteArticleFavorite",
          summary: "Unfavorite an article",
          description: "Removes the article from the caller's favorites (idempotent). Auth is required.",
          tag: "Favorites",
          parameters: slugDoc("to unfavorite")
        })
      )
  )
  .middleware(RequestValidation)
  .prefix("/api")
  .annotate(...reportAllErrors)
  .annotate(OpenApi.Title, "Articles")
  .annotate(OpenApi.Description, "Publishing, editing and reading articles, the global list and the feed.") {}

export class TagsApi extends HttpApiGroup.make("tags")
  .add(
    HttpApiEndpoint.get("list", "/tags", {
      success: Schema.Struct({ tags: Schema.Array(Schema.String).annotate({ examples: [["dragons", "training"]] }) })
    }).annotateMerge(
      operation({ id: "GetTags", summary: "Get tags", description: "Every tag in use on at least one article. Auth is not required." })
    )
  )
  .middleware(RequestValidation)
  .prefix("/api")
  .annotate(...reportAllErrors)
  .annotate(OpenApi.Title, "Tags")
  .annotate(OpenApi.Description, "The tags in use.") {}
