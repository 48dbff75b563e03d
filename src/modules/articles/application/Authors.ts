import { Effect, type Option } from "effect"
import type { Profile, ProfileLookup } from "../../profiles/public.ts"
import type { UserId } from "../../users/public.ts"

/** Something an author wrote, with that author as the viewer sees them. */
export type Authored<A> = A & { readonly author: Profile }

/**
 * Attaches authors to a page of items in one batched profile lookup, never one per item. An author
 * removed between the two reads takes their articles along (ON DELETE CASCADE): their items are left out.
 */
export const withAuthors = (profiles: ProfileLookup["Service"]) =>
  Effect.fnUntraced(function* <A extends { readonly authorId: UserId }>(
    items: ReadonlyArray<A>,
    viewer: Option.Option<UserId>
  ) {
    if (items.length === 0) return [] as ReadonlyArray<Authored<A>>
    const authors = yield* profiles.forUsers([...new Set(items.map((item) => item.authorId))], viewer)
    return items.flatMap((item): ReadonlyArray<Authored<A>> => {
      const author = authors.get(item.authorId)
      return author === undefined ? [] : [{ ...item, author }]
    })
  })
