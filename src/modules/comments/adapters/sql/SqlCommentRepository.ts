import { Effect, Layer, Struct } from "effect"
import { SqlClient, SqlSchema } from "effect/sql"
import { ArticleId } from "../../../articles/public.ts"
import { Comment, CommentId } from "../../domain/Comment.ts"
import { CommentRepository } from "../../ports/CommentRepository.ts"

// No failure here is a domain outcome (the article was checked before any write): all are defects.

export const makeSqlCommentRepository = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const columns = sql.literal("id, article_id, author_id, body, created_at, updated_at")

  const insert = SqlSchema.findOne({
    Request: Comment.mapFields(Struct.pick(["articleId", "authorId", "body"])),
    Result: Comment,
    execute: (row) => sql`INSERT INTO comments ${sql.insert(row)} RETURNING ${columns}`
  })
  const findById = SqlSchema.findOneOption({
    Request: CommentId,
    Result: Comment,
    execute: (id) => sql`SELECT ${columns} FROM comments WHERE id = ${id}`
  })
  const listByArticle = SqlSchema.findAll({
    Request: ArticleId,
    Result: Comment,
    execute: (articleId) =>
      sql`SELECT ${columns} FROM comments WHERE article_id = ${articleId} ORDER BY created_at DESC, id DESC`
  })

  return CommentRepository.of({
    insert: (comment) => insert(comment).pipe(Effect.orDie, Effect.withSpan("CommentRepository.insert")),
    findById: (id) => findById(id).pipe(Effect.orDie, Effect.withSpan("CommentRepository.findById")),
    delete: (id) =>
      sql`DELETE FROM comments WHERE id = ${id}`.pipe(
        Effect.asVoid,
        Effect.orDie,
        Effect.withSpan("CommentRepository.delete")
      ),
    listByArticle: (articleId) =>
      listByArticle(articleId).pipe(Effect.orDie, Effect.withSpan("CommentRepository.listByArticle"))
  })
})

export const SqlCommentRepository = {
  layer: Layer.effect(CommentRepository, makeSqlCommentRepository)
}
