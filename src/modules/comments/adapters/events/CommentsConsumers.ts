import { Effect } from "effect"
import { eventConsumer } from "../../../../platform/events/Outbox.ts"
import { ArticleDeleted } from "../../../articles/public.ts"
import { UserDeleted } from "../../../users/public.ts"
import { Comments } from "../../application/Comments.ts"

/** A deleted account's comments go. */
export const RemoveDeletedAuthors = eventConsumer({
  name: "comments.remove-deleted-authors",
  events: [UserDeleted],
  handler: Effect.gen(function* () {
    const comments = yield* Comments
    return (event: UserDeleted) => comments.removeByAuthor(event.payload.userId)
  })
})

/** A deleted article's comments go, whoever wrote them. */
export const RemoveDeletedArticles = eventConsumer({
  name: "comments.remove-deleted-articles",
  events: [ArticleDeleted],
  handler: Effect.gen(function* () {
    const comments = yield* Comments
    return (event: ArticleDeleted) => comments.removeOnArticle(event.payload.articleId)
  })
})

/** Every consumer the comments module runs. */
export const CommentsConsumers = [RemoveDeletedAuthors, RemoveDeletedArticles] as const
