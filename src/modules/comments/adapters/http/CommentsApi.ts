import { Schema, Struct } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema } from "effect/http-api"
import { isStorableText } from "../../../../kernel/Text.ts"
import { Forbidden, NotFound, Unauthorized, Unprocessable } from "../../../../platform/http/ContractErrors.ts"
import { reportAllErrors } from "../../../../platform/http/ModuleApi.ts"
import { RequestValidation } from "../../../../platform/http/RequestValidation.ts"
import { Profile } from "../../../profiles/public.ts"
import { Authentication, OptionalAuthentication } from "../../../users/public.ts"
import { Comment, CommentBody, CommentId } from "../../domain/Comment.ts"

// The comments part of the RealWorld contract: request and response envelopes exactly as specified.

/** A comment as the contract shows it: the stored comment's public fields and its author's profile. */
export const CommentJson = Comment.mapFields((fields) => ({
  ...Struct.pick(fields, ["id", "createdAt", "updatedAt", "body"]),
  author: Profile
})).annotate({ identifier: "Comment" })
export const SingleCommentResponse = Schema.Struct({ comment: CommentJson })
export const MultipleCommentsResponse = Schema.Struct({ comments: Schema.Array(CommentJson) })
export const NewCommentRequest = Schema.Struct({ comment: Schema.Struct({ body: CommentBody }) })

/** Any slug may be asked for (unknown ones are 404); only text PostgreSQL cannot hold is refused. */
const slug = Schema.String.pipe(Schema.check(isStorableText))

export class CommentsApi extends HttpApiGroup.make("comments")
  .add(
    HttpApiEndpoint.get("list", "/articles/:slug/comments", {
      params: { slug },
      success: MultipleCommentsResponse,
      error: [NotFound, Unauthorized]
    }).middleware(OptionalAuthentication),
    HttpApiEndpoint.post("add", "/articles/:slug/comments", {
      params: { slug },
      payload: NewCommentRequest,
      success: SingleCommentResponse.pipe(HttpApiSchema.status(201)),
      error: [NotFound, Unauthorized, Unprocessable]
    }).middleware(Authentication),
    HttpApiEndpoint.delete("remove", "/articles/:slug/comments/:id", {
      params: { slug, id: CommentId },
      success: HttpApiSchema.NoContent,
      error: [NotFound, Forbidden, Unauthorized]
    }).middleware(Authentication)
  )
  .middleware(RequestValidation)
  .prefix("/api")
  .annotate(...reportAllErrors) {}
