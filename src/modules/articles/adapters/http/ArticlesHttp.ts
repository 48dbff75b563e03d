import { Effect } from "effect"
import { HttpApi, HttpApiBuilder } from "effect/http-api"
import { fieldError, Forbidden, NotFound } from "../../../../platform/http/ContractErrors.ts"
import { API_ID } from "../../../../platform/http/ModuleApi.ts"
import { CurrentUser, viewerId } from "../../../users/public.ts"
import { Articles, type AuthoredArticle } from "../../application/Articles.ts"
import { ArticlesApi, TagsApi } from "./ArticlesApi.ts"

// The response schemas pick the public fields of what the use cases return (ids stay out, dates
// become ISO 8601 strings), so the handlers only choose envelopes and statuses.

const single = (article: AuthoredArticle) => ({ article })

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
        Effect.flatMap(viewerId, (id) => articles.list(filters, { limit, offset }, id))
      )
      .handle("feed", ({ query }) => Effect.flatMap(callerId, (id) => articles.feed(id, query)))
      .handle("get", ({ params }) =>
        Effect.flatMap(viewerId, (id) => articles.get(params.slug, id)).pipe(Effect.map(single), Effect.catchTags(notFound))
      )
      .handle("create", ({ payload }) =>
        Effect.flatMap(callerId, (id) => articles.create(id, payload.article)).pipe(Effect.map(single))
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
