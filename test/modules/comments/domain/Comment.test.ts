import { describe, expect, it } from "@effect/vitest"
import { Exit, Schema } from "effect"
import type { ArticleId } from "../../../../src/modules/articles/public.ts"
import { type Comment, CommentBody, CommentId, mayDelete } from "../../../../src/modules/comments/domain/Comment.ts"
import type { UserId } from "../../../../src/modules/users/public.ts"

const decode = Schema.decodeUnknownExit(CommentBody)

describe("CommentBody", () => {
  it("is kept exactly as sent: Markdown's leading indentation and trailing newline carry meaning", () => {
    expect(decode("    indented code\n")).toEqual(Exit.succeed("    indented code\n"))
  })

  it("refuses blank, too long and unstorable text", () => {
    for (const bad of ["", "   ", "x".repeat(10_001), "nul\u0000byte", 42]) expect(Exit.isFailure(decode(bad))).toBe(true)
    expect(Exit.isSuccess(decode("x".repeat(10_000)))).toBe(true)
  })
})

describe("mayDelete", () => {
  const comment: Comment = {
    id: CommentId.make(1),
    articleId: 1 as ArticleId,
    authorId: 7 as UserId,
    body: "hi",
    createdAt: new Date(0),
    updatedAt: new Date(0)
  }

  it("lets the comment's author delete it, and nobody else", () => {
    expect(mayDelete(comment, 7 as UserId)).toBe(true)
    expect(mayDelete(comment, 8 as UserId)).toBe(false)
  })
})
