import { Effect, Exit, Layer } from "effect"
import { type CachedReadOptions, CacheUnavailable, kept, ReadCache } from "../../src/platform/cache/ReadCache.ts"

/**
 * A ReadCache in process memory that records every invalidation as `<read>:<key>` and, while
 * `unavailable` is set, fails them as the Redis adapter does when Redis is away (after dropping the entry).
 */
export const recordingReadCache = () => {
  const state = { invalidated: [] as Array<string>, unavailable: false }
  const layer = Layer.succeed(
    ReadCache,
    ReadCache.of({
      keeps: true,
      make: <A, R>(options: CachedReadOptions<A, R>) =>
        Effect.map(Effect.context<R>(), (context) => {
          const entries = new Map<string, A>()
          return {
            get: (key: string) =>
              Effect.suspend(() =>
                entries.has(key)
                ? Effect.succeed(entries.get(key) as A)
                : Effect.provideContext(options.lookup(key), context).pipe(
                    Effect.tap((value) =>
                      Effect.sync(() => {
                        if (kept(options, Exit.succeed(value))) entries.set(key, value)
                      })
                    )
                  )
              ),
            invalidate: (key: string) =>
              Effect.suspend(() => {
                entries.delete(key)
                state.invalidated.push(`${options.name}:${key}`)
                return state.unavailable ? Effect.fail(new CacheUnavailable()) : Effect.void
              })
          }
        })
    })
  )
  return { state, layer }
}
