import { createHmac } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Redacted } from "effect"
import { decodeProtectedHeader, jwtVerify, SignJWT } from "jose"
import { makeJwtTokenService } from "../../../../../src/modules/users/adapters/crypto/JwtTokenService.ts"
import { UserId } from "../../../../../src/modules/users/domain/User.ts"

// The token service is hand-written over node:crypto, so it is checked against an independent,
// well-kept implementation (jose) in both directions, and on every way a token can be wrong.

const SECRET = "a-test-secret-that-is-long-enough-0123456789"
const key = new TextEncoder().encode(SECRET)
const tokens = makeJwtTokenService(Redacted.make(SECRET), Duration.hours(2))

const verify = (token: string) => tokens.verify(Redacted.make(token))
const reasonOf = (token: string) => Effect.map(Effect.flip(verify(token)), (error) => error.reason)
const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")
const now = () => Math.floor(Date.now() / 1000)

describe("JwtTokenService (HS256 over node:crypto)", () => {
  it.effect("issues standard HS256 JWTs: alg pinned, sub the user id, ver its version, exp = iat + JWT_TTL", () =>
    Effect.gen(function* () {
      const token = yield* tokens.issue({ id: UserId.make(42), tokenVersion: 3 })
      expect(decodeProtectedHeader(token)).toEqual({ alg: "HS256", typ: "JWT" })
      const { payload } = yield* Effect.promise(() =>
        jwtVerify(token, key, { algorithms: ["HS256"], requiredClaims: ["sub", "exp"] })
      )
      expect(payload.sub).toBe("42")
      expect(payload.ver).toBe(3)
      expect(payload.exp! - payload.iat!).toBe(2 * 60 * 60)
      expect(Math.abs(payload.iat! - now())).toBeLessThanOrEqual(2)
      expect(yield* verify(token)).toEqual({ id: 42, tokenVersion: 3 })
    }))

  it.effect("accepts HS256 tokens made elsewhere with the same secret", () =>
    Effect.gen(function* () {
      const token = yield* Effect.promise(() =>
        new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject("7").setExpirationTime("1h").sign(key)
      )
      // A token without `ver` is from before versions existed: version 0.
      expect(yield* verify(token)).toEqual({ id: 7, tokenVersion: 0 })
    }))

  it.effect("refuses other algorithms, including none and a correctly signed HS512", () =>
    Effect.gen(function* () {
      const unsigned = `${segment({ alg: "none" })}.${segment({ sub: "1", exp: now() + 60 })}.`
      expect(yield* reasonOf(unsigned)).toBe("malformed")
      const hs512 = yield* Effect.promise(() =>
        new SignJWT({}).setProtectedHeader({ alg: "HS512" }).setSubject("1").setExpirationTime("1h").sign(key)
      )
      expect(yield* reasonOf(hs512)).toBe("malformed")
    }))

  it.effect("refuses another secret's signature and any change to a signed token", () =>
    Effect.gen(function* () {
      const forged = yield* Effect.promise(() =>
        new SignJWT({})
          .setProtectedHeader({ alg: "HS256" })
          .setSubject("1")
          .setExpirationTime("1h")
          .sign(new TextEncoder().encode("some-other-secret-that-is-long-enough-xx"))
      )
      expect(yield* reasonOf(forged)).toBe("signature")
      const [header, , signature] = (yield* tokens.issue({ id: UserId.make(1), tokenVersion: 0 })).split(".")
      expect(yield* reasonOf(`${header}.${segment({ sub: "2", exp: now() + 60 })}.${signature}`)).toBe("signature")
      expect(yield* reasonOf(`${header}.${segment({ sub: "1", exp: now() + 60 })}.${signature}x`)).toBe("signature")
    }))

  it.effect("refuses expired tokens as expired, and tokens without sub or exp as malformed", () =>
    Effect.gen(function* () {
      const sign = (build: (jwt: SignJWT) => SignJWT) =>
        Effect.promise(() => build(new SignJWT({}).setProtectedHeader({ alg: "HS256" })).sign(key))
      expect(yield* reasonOf(yield* sign((jwt) => jwt.setSubject("1").setIssuedAt(1_000).setExpirationTime(2_000)))).toBe(
        "expired"
      )
      expect(yield* reasonOf(yield* sign((jwt) => jwt.setSubject("1").setExpirationTime(now())))).toBe("expired")
      expect(yield* reasonOf(yield* sign((jwt) => jwt.setSubject("1")))).toBe("malformed")
      expect(yield* reasonOf(yield* sign((jwt) => jwt.setExpirationTime("1h")))).toBe("malformed")
      expect(yield* reasonOf(yield* sign((jwt) => jwt.setSubject("abc").setExpirationTime("1h")))).toBe("malformed")
      expect(yield* reasonOf(yield* sign((jwt) => jwt.setSubject("1").setNotBefore("1h").setExpirationTime("2h")))).toBe(
        "malformed"
      )
    }))

  it.effect("refuses what is not a JWT at all, and unknown critical header extensions", () =>
    Effect.gen(function* () {
      for (const token of ["", "abc", "abc.def", "a.b.c.d", "@@@.###.$$$", `${segment([1])}.${segment({})}.x`])
        expect(yield* reasonOf(token)).toBe("malformed")
      // Signed correctly, so only the header can be the reason (jose refuses to make such a token).
      const input = `${segment({ alg: "HS256", crit: ["x-policy"], "x-policy": 1 })}.${segment({ sub: "1", exp: now() + 60 })}`
      const critical = `${input}.${createHmac("sha256", SECRET).update(input).digest("base64url")}`
      expect(yield* reasonOf(critical)).toBe("malformed")
    }))
})
