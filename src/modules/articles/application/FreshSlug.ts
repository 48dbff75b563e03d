import { Effect, Random, Ref } from "effect"
import { SlugTaken } from "../domain/ArticleErrors.ts"
import { slugify, withSuffix } from "../domain/Slug.ts"

/** How many random suffixes to try when a title's slug is taken (36^6 of them: running out is a defect). */
const SLUG_ATTEMPTS = 5

const randomSuffix = Effect.map(Random.nextIntBetween(0, 36 ** 6), (n) => n.toString(36).padStart(6, "0"))

/**
 * Writes under the title's own slug, then under random suffixes while the slug is taken. The
 * database's unique index decides, so two writers racing for the same title both succeed with
 * different slugs. A SlugTaken after the last attempt is left to the caller.
 */
export const withFreshSlug = <A, E>(title: string, write: (slug: string) => Effect.Effect<A, E>) =>
  Effect.gen(function* () {
    const base = slugify(title)
    const tries = yield* Ref.make(0)
    const candidate = Effect.flatMap(Ref.getAndUpdate(tries, (n) => n + 1), (n) =>
      n === 0 ? Effect.succeed(base) : Effect.map(randomSuffix, (suffix) => withSuffix(base, suffix))
    )
    return yield* Effect.flatMap(candidate, write).pipe(
      Effect.retry({ while: (error) => error instanceof SlugTaken, times: SLUG_ATTEMPTS })
    )
  })
