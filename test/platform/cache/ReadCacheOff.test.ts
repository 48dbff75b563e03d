import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Schema } from "effect"
import { ReadCache, readCacheEnabled } from "../../../src/platform/cache/ReadCache.ts"

describe("read cache off (READ_CACHE=false)", () => {
  it.effect("every get runs the lookup, and invalidating does nothing", () =>
    Effect.gen(function* () {
      let lookups = 0
      const cache = yield* ReadCache
      const read = yield* cache.make({
        name: "counted",
        schema: Schema.Number,
        lookup: () => Effect.sync(() => ++lookups),
        timeToLive: "1 hour"
      })
      expect([yield* read.get("a"), yield* read.get("a"), yield* read.get("a")]).toEqual([1, 2, 3])
      yield* read.invalidate("a")
      expect(yield* read.get("a")).toBe(4)
    }).pipe(Effect.scoped, Effect.provide(ReadCache.layerNone)))

  it.effect("is read from READ_CACHE, on by default", () =>
    Effect.gen(function* () {
      const read = (env: Record<string, string>) =>
        Effect.provideService(
          Effect.gen(function* () {
            return yield* readCacheEnabled
          }),
          ConfigProvider.ConfigProvider,
          ConfigProvider.fromEnvRecord(env)
        )
      expect(yield* read({})).toBe(true)
      expect(yield* read({ READ_CACHE: "false" })).toBe(false)
    }))
})
