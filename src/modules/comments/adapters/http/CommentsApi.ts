import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import { isStorableText } from "../../../../kernel/Text.ts"
import { Forbidden, NotFound, Unauthorized, Unprocessable } from "../../../../platform/http/ContractErrors.ts"
import { reportAllErrors } from "../../../../platform/http/ModuleApi.ts"
import { operation, Timestamp } from "../../../../platform/http/OpenApiContract.ts"
import { RequestValidation } from "../../../../platform/http/RequestValidation.ts"
import { Profile } from "../../../profiles/public.ts"
import { Authentication, OptionalAuthentication } from "../../../users/public.ts"
import { Comment, CommentBody, CommentId } from "../../domain/Comment.ts"

// The comments part of the RealWorld contract: request and response envelopes exactly as specified.

/** A comment as the contract shows it: the stored comment's public fields and its author's profile. */
export const CommentJson = Comment.mapFields((fields) => ({
  id: fields.id.annotate({ examples: [CommentId.make(1)] }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  body: fields.body.annotate({ examples: ["It takes a Jacobian"] }),
  author: Profile
})).annotate({ identifier: "Comment" })
export const SingleCommentResponse = Schema.Struct({ comment: CommentJson })
export const MultipleCommentsResponse = Schema.Struct({ comments: Schema.Array(CommentJson) })
export const NewCommentRequest = Schema.Struct({
  comment: Schema.Struct({ body: CommentBody }).annotate({ identifier: "NewComment", examples: [{ body: "It takes a Jacobian" }] })
})

/** Any slug may be asked for (unknown ones are 404); only text PostgreSQL cannot hold is refused. */
const slug = Schema.String.pipe(Schema.check(isStorableText))
const slugDoc = { slug: { description: "Slug of the article the comments are on" } }

export class CommentsApi extends HttpApiGroup.make("comments")
  .add(
    HttpApiEndpoint.get("list", "/articles/:slug/comments", {
      params: { slug },
      success: MultipleCommentsResponse,
      error: [NotFound, Unauthorized]
    })
      .middleware(OptionalAuthentication)
      .annotateMerge(
        operation({
          id: "GetArticleComments",
          summary: "Get comments for an article",
          description: "The article's comments, newest first, each author as the caller sees them. Auth is optional.",
          parameters: slugDoc,
          optionalAuth: true
        })
      ),
    HttpApiEndpoint.post("add", "/articles/:slug/comments", {
      params: { slug },
      payload: NewCommentRequest,
      success: SingleCommentResponse.pipe(HttpApiSchema.status(201)),
      error: [NotFound, Unauthorized, Unprocessable]
    })
      .middleware(Authentication)
      .annotateMerge(
        operation({
          id: "CreateArticleComment",
          summary: "Create a comment for an article",
          description: "Comments on the article; the body is stored as sent. Auth is required.",
          parameters: slugDoc
        })
      ),
    HttpApiEndpoint.delete("remove", "/articles/:slug/comments/:id", {
      params: { slug, id: CommentId },
      success: HttpApiSchema.NoContent,
      error: [NotFound, Forbidden, Unauthorized]
    })
      .middleware(Authentication)
      .annotateMerge(
        operation({
          id: "DeleteArticleComment",
          summary: "Delete a comment for an article",
          description: "Deletes one of the caller's own comments. Auth is required.",
          parameters: {
            ...slugDoc,
            id: { description: "Id of the comment to delete", schema: { type: "integer" } }
          }
        })
      )
  )
  .middleware(RequestValidation)
  .prefix("/api")
  .annotate(...reportAllErrors)
  .annotate(OpenApi.Title, "Comments")
  .annotate(OpenApi.Description, "Comments on articles.") {}
