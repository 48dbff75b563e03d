import { randomBytes, scrypt, timingSafeEqual } from "node:crypto"
import { Effect, Layer, Semaphore } from "effect"
import { PasswordHash } from "../../domain/User.ts"
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
const CONCURRENT_HASHES = 2

/** Format: `scrypt$N$r$p$salt$key`, salt and key in base64. */
export const makeScryptPasswordHasher = Effect.fnUntraced(function* (cost: ScryptCost) {
  const permits = yield* Semaphore.make(CONCURRENT_HASHES)
  const bounded = (password: string, salt: Buffer, parameters: ScryptCost) =>
    permits.withPermits(1)(derive(password, salt, parameters))
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
