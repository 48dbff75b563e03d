import { Effect } from "effect"
import { HttpApi, HttpApiBuilder } from "effect/http-api"
import { fieldError, Forbidden, NotFound } from "../../../../platform/http/ContractErrors.ts"
import { API_ID } from "../../../../platform/http/ModuleApi.ts"
import { CurrentUser, viewerId } from "../../../users/public.ts"
import { Comments } from "../../application/Comments.ts"
import type { AuthoredComment } from "../../domain/Comment.ts"
import { CommentsApi } from "./CommentsApi.ts"

/** The response schema picks the public fields; the comment's own ids stay out. */
const toJson = ({ comment, author }: AuthoredComment) => ({ ...comment, author })

// Domain outcomes → the contract's statuses and bodies.
const articleNotFound = { ArticleNotFound: () => Effect.fail(new NotFound(fieldError("article", "not found"))) }

export const CommentsHttp = HttpApiBuilder.group(
  HttpApi.make(API_ID).add(CommentsApi),
  "comments",
  Effect.fn(function* (handlers) {
    const comments = yield* Comments
    return handlers
      .handle("list", ({ params }) =>
        Effect.gen(function* () {
          const viewer = yield* viewerId
          const found = yield* comments.list(params.slug, viewer)
          return { comments: found.map(toJson) }
        }).pipe(Effect.catchTags(articleNotFound))
      )
      .handle("add", ({ params, payload }) =>
        Effect.gen(function* () {
          const caller = yield* CurrentUser
          return { comment: toJson(yield* comments.add(params.slug, caller.id, payload.comment.body)) }
        }).pipe(Effect.catchTags(articleNotFound))
      )
      .handle("remove", ({ params }) =>
        Effect.gen(function* () {
          const caller = yield* CurrentUser
          yield* comments.remove(params.slug, params.id, caller.id)
        }).pipe(
          Effect.catchTags({
            ...articleNotFound,
            CommentNotFound: () => Effect.fail(new NotFound(fieldError("comment", "not found"))),
            NotCommentAuthor: () => Effect.fail(new Forbidden(fieldError("comment", "forbidden")))
          })
        )
      )
  })
)
