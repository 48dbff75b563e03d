import { expect, it } from "@effect/vitest"
import { Effect, Result } from "effect"
import { makeScryptPasswordHasher, MAX_WAITING_HASHES } from "../../../../../src/modules/users/adapters/crypto/ScryptPasswordHasher.ts"
import type { Password } from "../../../../../src/modules/users/domain/User.ts"

const password = "correct horse battery staple" as Password

it.live("a flood beyond the hasher's bounded queue is refused at once, and the hasher serves again afterwards", () =>
  Effect.gen(function* () {
    const hasher = yield* makeScryptPasswordHasher({ N: 2 ** 12, r: 8, p: 1 })
    const flood = 2 + MAX_WAITING_HASHES + 20
    const results = yield* Effect.all(
      Array.from({ length: flood }, () => Effect.result(hasher.hash(password))),
      { concurrency: "unbounded" }
    )
    const refused = results.filter((r) => Result.isFailure(r))
    expect(refused).toHaveLength(20)
    for (const r of refused) expect(Result.isFailure(r) && r.failure._tag).toBe("HasherBusy")
    // The queue drained: a later caller is served.
    const hash = yield* hasher.hash(password)
    expect(yield* hasher.verify(password, hash)).toBe(true)
  }))
