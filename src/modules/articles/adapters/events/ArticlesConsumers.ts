import { Effect } from "effect"
import { eventConsumer } from "../../../../platform/events/Outbox.ts"
import { UserDeleted } from "../../../users/public.ts"
import { Articles } from "../../application/Articles.ts"

/** A deleted account's favorites go (every count drops with them), and its articles with their tags and favorites. */
export const RemoveDeletedAccounts = eventConsumer({
  name: "articles.remove-deleted-accounts",
  events: [UserDeleted],
  handler: Effect.gen(function* () {
    const articles = yield* Articles
    return (event: UserDeleted) => articles.removeAccount(event.payload.userId, event.actorId)
  })
})

/** Every consumer the articles module runs. */
export const ArticlesConsumers = [RemoveDeletedAccounts] as const
