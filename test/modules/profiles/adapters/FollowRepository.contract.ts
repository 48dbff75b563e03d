import { assert, expect, layer } from "@effect/vitest"
import { Effect, type Layer } from "effect"
import { FollowRepository } from "../../../../src/modules/profiles/ports/FollowRepository.ts"
import type { UserRepository } from "../../../../src/modules/users/ports/UserRepository.ts"
import { anAccount } from "../AccountMother.ts"

/** What every FollowRepository adapter must do; run against each of them. */
export const followRepositoryContract = (name: string, adapters: Layer.Layer<FollowRepository | UserRepository, unknown>) =>
  layer(adapters, { timeout: "60 seconds" })(`FollowRepository contract: ${name}`, (it) => {
    it.effect("follows and unfollows, one direction only", () =>
      Effect.gen(function* () {
        const follows = yield* FollowRepository
        const a = yield* anAccount()
        const b = yield* anAccount()
        yield* follows.follow(a.id, b.id)
        assert.deepStrictEqual([...(yield* follows.followedAmong(a.id, [b.id]))], [b.id])
        expect((yield* follows.followedAmong(b.id, [a.id])).size).toBe(0)
        yield* follows.unfollow(a.id, b.id)
        expect((yield* follows.followedAmong(a.id, [b.id])).size).toBe(0)
      }))

    it.effect("both writes are idempotent", () =>
      Effect.gen(function* () {
        const follows = yield* FollowRepository
        const a = yield* anAccount()
        const b = yield* anAccount()
        expect(yield* follows.follow(a.id, b.id)).toBe(true)
        expect(yield* follows.follow(a.id, b.id)).toBe(false)
        assert.deepStrictEqual(yield* follows.followedBy(a.id), [b.id])
        expect(yield* follows.unfollow(a.id, b.id)).toBe(true)
        expect(yield* follows.unfollow(a.id, b.id)).toBe(false)
        assert.deepStrictEqual(yield* follows.followedBy(a.id), [])
      }))

    it.effect("removes every follow from and to one account, and nobody else's", () =>
      Effect.gen(function* () {
        const follows = yield* FollowRepository
        const [a, b, c] = yield* Effect.forEach([1, 2, 3], () => anAccount())
        yield* follows.follow(a!.id, b!.id)
        yield* follows.follow(c!.id, a!.id)
        yield* follows.follow(b!.id, c!.id)
        expect(yield* follows.removeAllOf(a!.id)).toBe(2)
        expect(yield* follows.removeAllOf(a!.id)).toBe(0)
        assert.deepStrictEqual(yield* follows.followedBy(a!.id), [])
        assert.deepStrictEqual(yield* follows.followedBy(c!.id), [])
        assert.deepStrictEqual(yield* follows.followedBy(b!.id), [c!.id])
      }))

    it.effect("tells which of many candidates are followed, ignoring duplicates and unknown ids", () =>
      Effect.gen(function* () {
        const follows = yield* FollowRepository
        const viewer = yield* anAccount()
        const others = yield* Effect.forEach([1, 2, 3, 4], () => anAccount())
        yield* follows.follow(viewer.id, others[0]!.id)
        yield* follows.follow(viewer.id, others[2]!.id)
        const candidates = [...others.map((o) => o.id), others[0]!.id, (others[3]!.id + 100_000) as typeof viewer.id]
        const followed = yield* follows.followedAmong(viewer.id, candidates)
        expect([...followed].sort((x, y) => x - y)).toEqual([others[0]!.id, others[2]!.id].sort((x, y) => x - y))
        expect((yield* follows.followedAmong(viewer.id, [])).size).toBe(0)
      }))

    it.effect("lists everyone a user follows, in id order", () =>
      Effect.gen(function* () {
        const follows = yield* FollowRepository
        const viewer = yield* anAccount()
        const [a, b, c] = yield* Effect.forEach([1, 2, 3], () => anAccount())
        yield* follows.follow(viewer.id, c!.id)
        yield* follows.follow(viewer.id, a!.id)
        yield* follows.follow(b!.id, c!.id)
        assert.deepStrictEqual(yield* follows.followedBy(viewer.id), [a!.id, c!.id])
        assert.deepStrictEqual(yield* follows.followedBy(c!.id), [])
      }))

    it.effect("a self-follow never gets stored: it is a defect (the use cases refuse it first)", () =>
      Effect.gen(function* () {
        const follows = yield* FollowRepository
        const a = yield* anAccount()
        const exit = yield* Effect.exit(follows.follow(a.id, a.id))
        expect(exit._tag).toBe("Failure")
        assert.deepStrictEqual(yield* follows.followedBy(a.id), [])
      }))
  })
