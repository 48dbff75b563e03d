import { expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { makeScryptPasswordHasher, PRODUCTION_COST } from "../../../../../src/modules/users/adapters/crypto/ScryptPasswordHasher.ts"
import type { Password } from "../../../../../src/modules/users/domain/User.ts"

const password = "correct horse battery staple" as Password

/** The OWASP Password Storage Cheat Sheet's scrypt minimums, equivalent to one another (r = 8). */
const OWASP_MINIMUMS = [
  { N: 2 ** 17, p: 1 },
  { N: 2 ** 16, p: 2 },
  { N: 2 ** 15, p: 3 },
  { N: 2 ** 14, p: 5 },
  { N: 2 ** 13, p: 10 }
]

it("the production parameters meet one of OWASP's scrypt minimums", () => {
  expect(PRODUCTION_COST.r).toBeGreaterThanOrEqual(8)
  expect(OWASP_MINIMUMS.some(({ N, p }) => PRODUCTION_COST.N >= N && PRODUCTION_COST.p >= p)).toBe(true)
})

it.live("a hash keeps the parameters it was made with: older hashes verify after the parameters change", () =>
  Effect.gen(function* () {
    const before = yield* makeScryptPasswordHasher({ N: 2 ** 11, r: 8, p: 1 })
    const after = yield* makeScryptPasswordHasher({ N: 2 ** 10, r: 8, p: 3 })
    const old = yield* before.hash(password)
    expect(old).toMatch(/^scrypt\$2048\$8\$1\$/)
    expect(yield* after.verify(password, old)).toBe(true)
    expect(yield* after.verify("another password" as Password, old)).toBe(false)
    expect(yield* after.hash(password)).toMatch(/^scrypt\$1024\$8\$3\$/)
  }))
