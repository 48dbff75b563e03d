import { Effect } from "effect"
import { HttpApi, HttpApiBuilder } from "effect/http-api"
import { fieldError, Forbidden, NotFound } from "../../../../platform/http/ContractErrors.ts"
import { encodedResponse } from "../../../../platform/http/EncodedResponse.ts"
import { API_ID } from "../../../../platform/http/ModuleApi.ts"
import { CurrentUser, viewerId } from "../../../users/public.ts"
import { type ArticleList, Articles, type AuthoredArticle, type AuthoredSummary } from "../../application/Articles.ts"
import { ArticleListResponse, ArticleResponse, ArticlesApi, TagsApi } from "./ArticlesApi.ts"

const listed = (article: AuthoredSummary) => ({
  slug: article.slug,
  title: article.title,
  description: article.description,
  tagList: article.tagList,
  createdAt: article.createdAt.toISOString(),
  updatedAt: article.updatedAt.toISOString(),
  favorited: article.favorited,
  favoritesCount: article.favoritesCount,
  author: {
    username: article.author.username,
    bio: article.author.bio,
    image: article.author.image,
    following: article.author.following
  }
})
// Hot responses skip the schema encoder: their success schemas are plain JSON (EncodedResponse.ts).
const single = (article: AuthoredArticle) => encodedResponse(ArticleResponse, { article: { ...listed(article), body: article.body } })
const created = (article: AuthoredArticle) =>
  encodedResponse(ArticleResponse, { article: { ...listed(article), body: article.body } }, 201)
const many = ({ articles, articlesCount }: ArticleList) =>
  encodedResponse(ArticleListResponse, { articles: articles.map(listed), articlesCount })

// Domain outcomes → the contract's statuses and bodies.
const notFound = { ArticleNotFound: () => Effect.fail(new NotFound(fieldError("article", "not found"))) }
const forbidden = { NotArticleAuthor: () => Effect.fail(new Forbidden(fieldError("article", "forbidden"))) }

const callerId = Effect.gen(function* () {
  return (yield* CurrentUser).id
})

export const ArticlesHttp = HttpApiBuilder.group(
  HttpApi.make(API_ID).add(ArticlesApi),
  "articles",
  Effect.fn(function* (handlers) {
    const articles = yield* Articles
    return handlers
      .handle("list", ({ query: { limit, offset, ...filters } }) =>
        Effect.flatMap(viewerId, (id) => articles.list(filters, { limit, offset }, id)).pipe(Effect.map(many))
      )
      .handle("feed", ({ query }) => Effect.flatMap(callerId, (id) => articles.feed(id, query)).pipe(Effect.map(many)))
      .handle("get", ({ params }) =>
        Effect.flatMap(viewerId, (id) => articles.get(params.slug, id)).pipe(Effect.map(single), Effect.catchTags(notFound))
      )
      .handle("create", ({ payload }) =>
        Effect.flatMap(callerId, (id) => articles.create(id, payload.article)).pipe(Effect.map(created))
      )
      .handle("update", ({ params, payload }) =>
        Effect.flatMap(callerId, (id) => articles.update(id, params.slug, payload.article)).pipe(
          Effect.map(single),
          Effect.catchTags({ ...notFound, ...forbidden })
        )
      )
      .handle("delete", ({ params }) =>
        Effect.flatMap(callerId, (id) => articles.delete(id, params.slug)).pipe(Effect.catchTags({ ...notFound, ...forbidden }))
      )
      .handle("favorite", ({ params }) =>
        Effect.flatMap(callerId, (id) => articles.favorite(id, params.slug)).pipe(Effect.map(single), Effect.catchTags(notFound))
      )
      .handle("unfavorite", ({ params }) =>
        Effect.flatMap(callerId, (id) => articles.unfavorite(id, params.slug)).pipe(
          Effect.map(single),
          Effect.catchTags(notFound)
        )
      )
  })
)

export const TagsHttp = HttpApiBuilder.group(
  HttpApi.make(API_ID).add(TagsApi),
  "tags",
  Effect.fn(function* (handlers) {
    const articles = yield* Articles
    return handlers.handle("list", () => Effect.map(articles.tags, (tags) => ({ tags })))
  })
)
