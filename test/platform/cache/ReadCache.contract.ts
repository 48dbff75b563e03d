import { expect, layer } from "@effect/vitest"
import { Effect, type Layer, Option, Schema } from "effect"
import { ReadCache } from "../../../src/platform/cache/ReadCache.ts"

/** A lookup that counts its calls and answers whatever `source` holds at the time. */
export const countedLookup = () => {
  const source = new Map<string, number>()
  const state = { calls: 0 }
  const lookup = (key: string) =>
    Effect.sync(() => {
      state.calls++
      return Option.fromUndefinedOr(source.get(key))
    })
  return { source, state, lookup }
}

const Value = Schema.Option(Schema.Finite)

/** What every ReadCache adapter must do; run against each of them. */
export const readCacheContract = (name: string, adapter: Layer.Layer<ReadCache, unknown>) =>
  layer(adapter, { timeout: "30 seconds", excludeTestServices: true })(`ReadCache contract: ${name}`, (it) => {
    const make = (lookup: ReturnType<typeof countedLookup>["lookup"], keep?: (value: Option.Option<number>) => boolean) =>
      Effect.flatMap(ReadCache, (cache) =>
        cache.make({
          name: `contract-${crypto.randomUUID()}`,
          schema: Value,
          lookup,
          timeToLive: "1 minute",
          ...(keep === undefined ? {} : { keep })
        })
      )

    it.effect("answers from the cache after the first lookup", () =>
      Effect.gen(function* () {
        const { source, state, lookup } = countedLookup()
        source.set("a", 1)
        const read = yield* make(lookup)
        expect(yield* read.get("a")).toEqual(Option.some(1))
        source.set("a", 2)
        expect(yield* read.get("a")).toEqual(Option.some(1))
        expect(state.calls).toBe(1)
      }).pipe(Effect.scoped))

    it.effect("reads the lookup again right after an invalidation", () =>
      Effect.gen(function* () {
        const { source, state, lookup } = countedLookup()
        source.set("a", 1)
        const read = yield* make(lookup)
        yield* read.get("a")
        source.set("a", 2)
        yield* read.invalidate("a")
        expect(yield* read.get("a")).toEqual(Option.some(2))
        expect(state.calls).toBe(2)
      }).pipe(Effect.scoped))

    it.effect("keeps keys apart", () =>
      Effect.gen(function* () {
        const { source, lookup } = countedLookup()
        source.set("a", 1)
        source.set("b", 2)
        const read = yield* make(lookup)
        expect([yield* read.get("a"), yield* read.get("b")]).toEqual([Option.some(1), Option.some(2)])
        yield* read.invalidate("a")
        source.set("b", 3)
        expect(yield* read.get("b")).toEqual(Option.some(2))
      }).pipe(Effect.scoped))

    it.effect("does not keep what `keep` refuses", () =>
      Effect.gen(function* () {
        const { source, state, lookup } = countedLookup()
        const read = yield* make(lookup, Option.isSome)
        expect(yield* read.get("a")).toEqual(Option.none())
        source.set("a", 1)
        expect(yield* read.get("a")).toEqual(Option.some(1))
        expect(state.calls).toBe(2)
      }).pipe(Effect.scoped))

    it.effect("forgets an entry when its time to live is up", () =>
      Effect.gen(function* () {
        const { source, lookup } = countedLookup()
        source.set("a", 1)
        const cache = yield* ReadCache
        const read = yield* cache.make({ name: `ttl-${crypto.randomUUID()}`, schema: Value, lookup, timeToLive: "100 millis" })
        yield* read.get("a")
        source.set("a", 2)
        // The Redis adapter's in-process copy lives up to half a second on its own.
        yield* Effect.sleep("700 millis")
        expect(yield* read.get("a")).toEqual(Option.some(2))
      }).pipe(Effect.scoped))
  })
