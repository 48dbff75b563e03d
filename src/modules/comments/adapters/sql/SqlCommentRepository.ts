import { Effect, Layer, Struct } from "effect"
import { SqlClient, SqlSchema } from "effect/sql"
import { ArticleId } from "../../../articles/public.ts"
import type { UserId } from "../../../users/public.ts"
import { Comment, CommentId } from "../../domain/Comment.ts"
import { CommentRepository } from "../../ports/CommentRepository.ts"

// No failure here is a domain outcome (the article was checked before any write): all are defects.

const NewCommentRow = Comment.mapFields(Struct.pick(["articleId", "authorId", "body"]))

export const makeSqlCommentRepository = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const columns = sql.literal("id, article_id, author_id, body, created_at, updated_at")

  const insert = SqlSchema.findOne({
    Request: NewCommentRow,
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

  const remove = SqlSchema.void({ Request: CommentId, execute: (id) => sql`DELETE FROM comments WHERE id = ${id}` })

  return CommentRepository.of({
    insert: Effect.fn("CommentRepository.insert")((comment: typeof NewCommentRow.Type) => insert(comment), Effect.orDie),
    findById: Effect.fn("CommentRepository.findById")((id: CommentId) => findById(id), Effect.orDie),
    delete: Effect.fn("CommentRepository.delete")((id: CommentId) => remove(id), Effect.orDie),
    deleteByAuthor: Effect.fn("CommentRepository.deleteByAuthor")(
      (authorId: UserId) => Effect.map(sql`DELETE FROM comments WHERE author_id = ${authorId} RETURNING 1 AS removed`, (rows) => rows.length),
      Effect.orDie
    ),
    deleteByArticle: Effect.fn("CommentRepository.deleteByArticle")(
      (articleId: ArticleId) => Effect.map(sql`DELETE FROM comments WHERE article_id = ${articleId} RETURNING 1 AS removed`, (rows) => rows.length),
      Effect.orDie
    ),
    listByArticle: Effect.fn("CommentRepository.listByArticle")((articleId: ArticleId) => listByArticle(articleId), Effect.orDie)
  })
})

export const SqlCommentRepository = {
  layer: Layer.effect(CommentRepository, makeSqlCommentRepository)
}
