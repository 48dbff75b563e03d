import { assert, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import { ArticleRepository } from "../../../../src/modules/articles/ports/ArticleRepository.ts"
import { CommentRepository } from "../../../../src/modules/comments/ports/CommentRepository.ts"
import { MemoryAdapters, PostgresAdapters } from "../../../support/TestApp.ts"
import { anAccount } from "../../profiles/AccountMother.ts"
import { aCommentBody, anArticle } from "../CommentMother.ts"
import { commentRepositoryContract } from "./CommentRepository.contract.ts"

commentRepositoryContract("in-memory", MemoryAdapters)
commentRepositoryContract("PostgreSQL", PostgresAdapters)

// What only the database does: comments go with their article and with their author.
layer(PostgresAdapters, { timeout: "60 seconds" })("comments table on PostgreSQL", (it) => {
  it.effect("comments are deleted with their article", () =>
    Effect.gen(function* () {
      const comments = yield* CommentRepository
      const articles = yield* ArticleRepository
      const author = yield* anAccount()
      const article = yield* anArticle(author.id)
      const comment = yield* comments.insert({ articleId: article.id, authorId: author.id, body: aCommentBody() })
      yield* articles.delete(article.id)
      expect(yield* comments.listByArticle(article.id)).toEqual([])
      assert.isTrue((yield* comments.findById(comment.id))._tag === "None")
    }))

  it.effect("comments are deleted with their author's account", () =>
    Effect.gen(function* () {
      const comments = yield* CommentRepository
      const sql = yield* SqlClient.SqlClient
      const [articleAuthor, commenter] = [yield* anAccount(), yield* anAccount()]
      const article = yield* anArticle(articleAuthor.id)
      yield* comments.insert({ articleId: article.id, authorId: commenter.id, body: aCommentBody() })
      const kept = yield* comments.insert({ articleId: article.id, authorId: articleAuthor.id, body: aCommentBody() })
      yield* sql`DELETE FROM users WHERE id = ${commenter.id}`.pipe(Effect.orDie)
      expect((yield* comments.listByArticle(article.id)).map((comment) => comment.id)).toEqual([kept.id])
    }))
})
