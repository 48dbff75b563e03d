import { randomBytes, scrypt, timingSafeEqual } from "node:crypto"
import { Effect, Layer, Semaphore } from "effect"
import { PasswordHash } from "../../domain/User.ts"
import { HasherBusy } from "../../domain/UserErrors.ts"
import { PasswordHasher } from "../../ports/PasswordHasher.ts"

export interface ScryptCost {
  /** CPU/memory cost, a power of two. Memory per hash is 128 · N · r bytes. */
  readonly N: number
  readonly r: number
  readonly p: number
}

/**
 * N = 2^13, r = 8, p = 10: 8 MiB per hash, one of the equivalent minimum configurations the OWASP
 * Password Storage Cheat Sheet lists for scrypt (N = 2^17 at p = 1, 2^16 at p = 2, 2^15 at p = 3,
 * 2^14 at p = 5, 2^13 at p = 10, all with r = 8): the one with the least memory, so a burst of logins
 * holds 16 MiB rather than the 64 MiB of the earlier N = 2^15, p = 1 (which met none of them), for
 * ~1.75× its CPU (~130 ms here; 2^15 at p = 3 takes ~2.3×). Parameters are stored with each hash, so
 * changing them re-hashes nothing and older hashes still verify with their own.
 */
export const PRODUCTION_COST: ScryptCost = { N: 2 ** 13, r: 8, p: 10 }

const KEY_LENGTH = 32

const derive = (password: string, salt: Buffer, cost: ScryptCost) =>
  Effect.callback<Buffer>((resume) => {
    scrypt(password.normalize("NFKC"), salt, KEY_LENGTH, { ...cost, maxmem: 256 * cost.N * cost.r }, (error, key) =>
      resume(error ? Effect.die(error) : Effect.succeed(key))
    )
  })

/**
 * At most two hashes at a time: a login burst then holds 2 × 8 MiB rather than one per libuv thread,
 * and two of the four pool threads stay free for everything else that uses them (token signing, DNS).
 */
export const CONCURRENT_HASHES = 2

/**
 * At most this many hashes wait for a permit: at ~130 ms a hash and two at a time, the last in line
 * starts within ~0.5 s. Beyond it a caller is refused at once
 * (503 + Retry-After), so a flood of logins from one client cannot queue everyone else behind it.
 */
export const MAX_WAITING_HASHES = 8

/** Format: `scrypt$N$r$p$salt$key`, salt and key in base64. */
export const makeScryptPasswordHasher = Effect.fnUntraced(function* (cost: ScryptCost, maxWaiting = MAX_WAITING_HASHES) {
  const permits = yield* Semaphore.make(CONCURRENT_HASHES)
  let admitted = 0
  const bounded = (password: string, salt: Buffer, parameters: ScryptCost) =>
    Effect.suspend(() => {
      if (admitted >= CONCURRENT_HASHES + maxWaiting) return Effect.fail(new HasherBusy())
      admitted++
      return permits.withPermits(1)(derive(password, salt, parameters)).pipe(Effect.ensuring(Effect.sync(() => admitted--)))
    })
  return PasswordHasher.of({
    hash: Effect.fn("PasswordHasher.hash")(function* (password) {
      const salt = randomBytes(16)
      const key = yield* bounded(password, salt, cost)
      return PasswordHash.make(
        ["scrypt", cost.N, cost.r, cost.p, salt.toString("base64"), key.toString("base64")].join("$")
      )
    }),
    verify: Effect.fn("PasswordHasher.verify")(function* (password, hash) {
      const [scheme, N, r, p, salt, key] = hash.split("$")
      if (scheme !== "scrypt" || salt === undefined || key === undefined) return false
      const expected = Buffer.from(key, "base64")
      const actual = yield* bounded(password, Buffer.from(salt, "base64"), { N: Number(N), r: Number(r), p: Number(p) })
      return actual.length === expected.length && timingSafeEqual(actual, expected)
    })
  })
})

export const ScryptPasswordHasher = {
  layer: Layer.effect(PasswordHasher, makeScryptPasswordHasher(PRODUCTION_COST)),
  /** Cheap parameters for tests, where thousands of hashes would otherwise dominate the run. */
  layerTest: Layer.effect(PasswordHasher, makeScryptPasswordHasher({ N: 2 ** 10, r: 8, p: 1 }))
}
