import { randomUUID } from "node:crypto"
import { describe, expect, layer } from "@effect/vitest"
import { Deferred, Duration, Effect, Fiber, Layer, Option } from "effect"
import { SqlClient } from "effect/sql"
import { TestClock } from "effect/testing"
import { IDEMPOTENCY_KEY_TTL, IdempotencyStore, type StoredResponse } from "../../../src/platform/idempotency/IdempotencyStore.ts"
import * as SqlIdempotencyStore from "../../../src/platform/idempotency/SqlIdempotencyStore.ts"
import { TestDatabase } from "../../support/TestDatabase.ts"

// One contract for both stores: at most one run per key, the first kept answer replayed, a different
// fingerprint refused, a running key refused, and nothing kept when `keep` declines or the work fails.

const answer = (body: string): StoredResponse => ({ status: 201, headers: { "content-type": "application/json" }, body })
const claim = (overrides: Partial<{ scope: string; key: string; fingerprint: string }> = {}) => ({
  scope: "account:1",
  key: randomUUID(),
  fingerprint: "f1",
  ...overrides
})

const contract = <E>(name: string, store: Layer.Layer<IdempotencyStore, E>) =>
  layer(store, { timeout: "60 seconds" })(`${name} idempotency store`, (it) => {
    it.effect("runs the work once and replays its kept answer; another fingerprint is a mismatch", () =>
      Effect.gen(function* () {
        const store = yield* IdempotencyStore
        const c = claim()
        let runs = 0
        const work = Effect.sync(() => ++runs)
        const first = yield* store.once(c, work, (n) => Option.some(answer(`run ${n}`)))
        expect(first).toEqual({ _tag: "Ran", value: 1 })
        expect(yield* store.once(c, work, () => Option.none())).toEqual({ _tag: "Replay", response: answer("run 1") })
        expect(yield* store.once({ ...c, fingerprint: "f2" }, work, () => Option.none())).toEqual({ _tag: "Mismatch" })
        // The same key in another scope is another key.
        expect((yield* store.once({ ...c, scope: "account:2" }, work, () => Option.none()))._tag).toBe("Ran")
        expect(runs).toBe(2)
      }))

    it.effect("keeps nothing when the answer is not kept or the work fails: the key stays free", () =>
      Effect.gen(function* () {
        const store = yield* IdempotencyStore
        const c = claim()
        expect(yield* store.once(c, Effect.succeed("refused"), () => Option.none())).toEqual({ _tag: "Ran", value: "refused" })
        const failed = yield* Effect.flip(store.once(c, Effect.fail("boom" as const), () => Option.some(answer("never"))))
        expect(failed).toBe("boom")
        expect(yield* store.once(c, Effect.succeed("done"), () => Option.some(answer("done")))).toEqual({ _tag: "Ran", value: "done" })
      }))

    it.effect("a second request under a running key is told it is in flight", () =>
      Effect.gen(function* () {
        const store = yield* IdempotencyStore
        const c = claim()
        const started = yield* Deferred.make<void>()
        const release = yield* Deferred.make<void>()
        const first = yield* Effect.forkChild(
          store.once(c, Effect.andThen(Deferred.succeed(started, undefined), Deferred.await(release)), () => Option.some(answer("first")))
        )
        yield* Deferred.await(started)
        expect(yield* store.once(c, Effect.succeed(undefined), () => Option.some(answer("second")))).toEqual({ _tag: "InFlight" })
        yield* Deferred.succeed(release, undefined)
        expect((yield* Fiber.join(first))._tag).toBe("Ran")
        expect(yield* store.once(c, Effect.succeed(undefined), () => Option.none())).toEqual({ _tag: "Replay", response: answer("first") })
      }))
  })

contract("in-memory", IdempotencyStore.layerMemory)
contract("PostgreSQL", SqlIdempotencyStore.layerSql().pipe(Layer.provide(TestDatabase.layer)))

describe("expiry", () => {
  layer(IdempotencyStore.layerMemory)("in memory", (it) => {
    it.effect("a key is free again after its time to live, and pruned", () =>
      Effect.gen(function* () {
        const store = yield* IdempotencyStore
        const c = claim()
        yield* store.once(c, Effect.void, () => Option.some(answer("old")))
        yield* TestClock.adjust(Duration.sum(IDEMPOTENCY_KEY_TTL, Duration.seconds(1)))
        expect(yield* store.prune).toBe(1)
        expect((yield* store.once(c, Effect.void, () => Option.none()))._tag).toBe("Ran")
      }))
  })

  layer(SqlIdempotencyStore.layerSql().pipe(Layer.provideMerge(TestDatabase.layer)), { timeout: "60 seconds" })("in PostgreSQL", (it) => {
    it.effect("a key is free again once expired, and pruned", () =>
      Effect.gen(function* () {
        const store = yield* IdempotencyStore
        const sql = yield* SqlClient.SqlClient
        const c = claim()
        yield* store.once(c, Effect.void, () => Option.some(answer("old")))
        const [row] = yield* sql<{ hours: number }>`
          SELECT round(extract(epoch FROM expires_at - created_at) / 3600) AS hours FROM idempotency_keys WHERE key = ${c.key}`
        expect(Number(row?.hours)).toBe(24)
        yield* sql`UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = ${c.key}`
        expect((yield* store.once(c, Effect.void, () => Option.some(answer("new"))))._tag).toBe("Ran")
        yield* sql`UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = ${c.key}`
        expect(yield* store.prune).toBe(1)
      }).pipe(Effect.orDie))
  })
})

layer(SqlIdempotencyStore.layerSql({ maxConcurrent: 1 }).pipe(Layer.provide(TestDatabase.layer)), { timeout: "60 seconds" })(
  "PostgreSQL idempotency store, one keyed request at a time",
  (it) => {
    it.effect("a keyed request waits for a turn (holding no connection) instead of taking more of the pool", () =>
      Effect.gen(function* () {
        const store = yield* IdempotencyStore
        const release = yield* Deferred.make<void>()
        const started = yield* Deferred.make<void>()
        const secondRan = yield* Deferred.make<void>()
        const first = yield* Effect.forkChild(
          store.once(claim(), Effect.andThen(Deferred.succeed(started, undefined), Deferred.await(release)), () => Option.none())
        )
        yield* Deferred.await(started)
        const second = yield* Effect.forkChild(store.once(claim(), Deferred.succeed(secondRan, undefined), () => Option.none()))
        yield* TestClock.withLive(Effect.sleep(Duration.millis(200)))
        expect(yield* Deferred.isDone(secondRan)).toBe(false)
        yield* Deferred.succeed(release, undefined)
        yield* Fiber.join(first)
        yield* Fiber.join(second)
        expect(yield* Deferred.isDone(secondRan)).toBe(true)
      }))
  }
)
