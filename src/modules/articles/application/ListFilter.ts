import { Effect, Option } from "effect"
import type { UserDirectory } from "../../users/public.ts"
import type { ArticleFilter } from "../ports/ArticleRepository.ts"

/** The list filters of `GET /api/articles`, by username as clients send them; each one is optional. */
export interface ListQuery {
  readonly tag?: string
  readonly author?: string
  readonly favorited?: string
}

/**
 * What a query selects: `Matching` a filter (an empty one matches every article), or `Nothing` when
 * it names a user who does not exist, so no article can match and no store needs asking.
 */
export type ListSelection =
  | { readonly _tag: "Matching"; readonly filter: ArticleFilter }
  | { readonly _tag: "Nothing" }

const nothing: ListSelection = { _tag: "Nothing" }
const matching = (filter: ArticleFilter): ListSelection => ({ _tag: "Matching", filter })

/** Resolves the usernames of a query to user ids. */
export const selectionOf = (directory: UserDirectory["Service"]) =>
  Effect.fnUntraced(function* (query: ListQuery) {
    let filter: ArticleFilter = query.tag === undefined ? {} : { tag: query.tag }
    if (query.author !== undefined) {
      const author = yield* directory.findByUsername(query.author)
      if (Option.isNone(author)) return nothing
      filter = { ...filter, authorIds: [author.value.id] }
    }
    if (query.favorited !== undefined) {
      const fan = yield* directory.findByUsername(query.favorited)
      if (Option.isNone(fan)) return nothing
      filter = { ...filter, favoritedBy: fan.value.id }
    }
    return matching(filter)
  })
