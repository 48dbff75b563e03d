import { Clock, Effect, Layer, Option } from "effect"
import { type Comment, CommentId } from "../../domain/Comment.ts"
import { CommentRepository } from "../../ports/CommentRepository.ts"

const newestFirst = (a: Comment, b: Comment) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id

/** A process-local store with the same rules as the SQL adapter (both pass the same contract suite). */
export const makeInMemoryComments = Effect.sync(() => {
  const rows = new Map<CommentId, Comment>()
  let nextId = 1
  const removeWhere = (predicate: (comment: Comment) => boolean) => {
    let removed = 0
    for (const [id, comment] of rows) if (predicate(comment) && rows.delete(id)) removed++
    return removed
  }

  return CommentRepository.of({
    insert: Effect.fn("CommentRepository.insert")(function* (input) {
      const now = new Date(yield* Clock.currentTimeMillis)
      const comment: Comment = { id: CommentId.make(nextId++), ...input, createdAt: now, updatedAt: now }
      rows.set(comment.id, comment)
      return comment
    }),
    findById: (id) => Effect.sync(() => Option.fromUndefinedOr(rows.get(id))),
    delete: (id) =>
      Effect.sync(() => {
        rows.delete(id)
      }),
    deleteByAuthor: (authorId) => Effect.sync(() => removeWhere((comment) => comment.authorId === authorId)),
    deleteByArticle: (articleId) => Effect.sync(() => removeWhere((comment) => comment.articleId === articleId)),
    listByArticle: (articleId) =>
      Effect.sync(() => [...rows.values()].filter((comment) => comment.articleId === articleId).sort(newestFirst))
  })
})

export const InMemoryComments = {
  layer: Layer.effect(CommentRepository, makeInMemoryComments)
}
