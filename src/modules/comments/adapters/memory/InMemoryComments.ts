import { Clock, Effect, Layer, Option } from "effect"
import { type Comment, CommentId } from "../../domain/Comment.ts"
import { CommentRepository } from "../../ports/CommentRepository.ts"

const newestFirst = (a: Comment, b: Comment) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id

/**
 * A process-local store with the same rules as the SQL adapter (both pass the same contract suite).
 * It cannot see the articles store, so comments of a deleted article stay behind; they are never
 * shown, because every read starts from an article found by slug.
 */
export const makeInMemoryComments = Effect.sync(() => {
  const rows = new Map<CommentId, Comment>()
  let nextId = 1

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
    listByArticle: (articleId) =>
      Effect.sync(() => [...rows.values()].filter((comment) => comment.articleId === articleId).sort(newestFirst))
  })
})

export const InMemoryComments = {
  layer: Layer.effect(CommentRepository, makeInMemoryComments)
}
