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
 * N = 2^15, r = 8: 32 MiB and ~50 ms per hash on one core. Above OWASP's scrypt floor for r = 8
 * at p = 1 would be 2^17 (128 MiB), which four concurrent logins would turn into half a gigabyte;
 * 2^15 keeps the service inside its memory budget. Parameters are stored with each hash, so raising
 * them later re-hashes nothing and old hashes still verify.
 */
export const PRODUCTION_COST: ScryptCost = { N: 2 ** 15, r: 8, p: 1 }

const KEY_LENGTH = 32

const derive = (password: string, salt: Buffer, cost: ScryptCost) =>
  Effect.callback<Buffer>((resume) => {
    scrypt(password.normalize("NFKC"), salt, KEY_LENGTH, { ...cost, maxmem: 256 * cost.N * cost.r }, (error, key) =>
      resume(error ? Effect.die(error) : Effect.succeed(key))
    )
  })

/**
 * At most two hashes at a time: a login burst then holds 2 × 32 MiB rather than one per libuv thread,
 * and two of the four pool threads stay free for everything else that uses them (token signing, DNS).
 */
export const CONCURRENT_HASHES = 2

/**
 * At most this many hashes wait for a permit: at ~50 ms a hash and two at a time, the last in line
 * starts within ~0.2 s (well under a second on a busy machine). Beyond it a caller is refused at once
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
