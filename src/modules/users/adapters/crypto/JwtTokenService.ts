import { createHmac, createSecretKey, timingSafeEqual } from "node:crypto"
import { Duration, Effect, Layer, Redacted } from "effect"
import { AppConfig } from "../../../../platform/config/AppConfig.ts"
import { UserId } from "../../domain/User.ts"
import { InvalidToken } from "../../domain/UserErrors.ts"
import { TokenService, type TokenSubject } from "../../ports/TokenService.ts"

// HS256 JWTs (RFC 7519) with node:crypto's HMAC: synchronous and a few microseconds, where WebCrypto
// cost a thread-pool hop per request. Only this one algorithm is ever accepted (no `alg: none`, no
// key confusion), the signature is compared in constant time, `sub` and `exp` are required. `ver` is
// the account's credentials version (absent in tokens from before versions existed: version 0).

const ALGORITHM = "HS256"
const HEADER = Buffer.from(JSON.stringify({ alg: ALGORITHM, typ: "JWT" })).toString("base64url")
const SEGMENT = /^[A-Za-z0-9_-]+$/

const invalid = (reason: InvalidToken["reason"]) => Effect.fail(new InvalidToken({ reason }))

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const decodeSegment = (segment: string): Record<string, unknown> | undefined => {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"))
    return isRecord(value) ? value : undefined
  } catch {
    return undefined
  }
}

/** Token expiry is wall-clock time shared with clients and other replicas, not a fiber's clock. */
const nowSeconds = () => Math.floor(Date.now() / 1000)

export const makeJwtTokenService = (secret: Redacted.Redacted<string>, ttl: Duration.Duration) => {
  // One KeyObject for the process: handing createHmac raw bytes builds a new key object on every call.
  const key = createSecretKey(Buffer.from(Redacted.value(secret), "utf8"))
  const ttlSeconds = Math.max(1, Math.floor(Duration.toSeconds(ttl)))
  const sign = (input: string) => createHmac("sha256", key).update(input).digest("base64url")

  return TokenService.of({
    issue: ({ id, tokenVersion }) =>
      Effect.sync(() => {
        const iat = nowSeconds()
        const claims = { ver: tokenVersion, sub: String(id), iat, exp: iat + ttlSeconds }
        const payload = Buffer.from(JSON.stringify(claims)).toString("base64url")
        const input = `${HEADER}.${payload}`
        return `${input}.${sign(input)}`
      }),
    verify: (token) =>
      Effect.suspend(() => {
        const parts = Redacted.value(token).split(".")
        if (parts.length !== 3 || !parts.every((part) => SEGMENT.test(part))) return invalid("malformed")
        const [encodedHeader, encodedPayload, signature] = parts as [string, string, string]
        const header = decodeSegment(encodedHeader)
        // Unknown critical extensions must be refused (RFC 7515 §4.1.11); none are understood here.
        if (header === undefined || header.alg !== ALGORITHM || header.crit !== undefined) return invalid("malformed")
        const expected = Buffer.from(sign(`${encodedHeader}.${encodedPayload}`))
        const given = Buffer.from(signature)
        if (given.length !== expected.length || !timingSafeEqual(given, expected)) return invalid("signature")
        const claims = decodeSegment(encodedPayload)
        if (claims === undefined || typeof claims.sub !== "string" || typeof claims.exp !== "number") return invalid("malformed")
        const now = nowSeconds()
        if (claims.nbf !== undefined && (typeof claims.nbf !== "number" || claims.nbf > now)) return invalid("malformed")
        if (claims.exp <= now) return invalid("expired")
        const id = Number(claims.sub)
        const version = claims.ver ?? 0
        if (!/^[1-9][0-9]*$/.test(claims.sub) || !Number.isSafeInteger(id) || !Number.isSafeInteger(version))
          return invalid("malformed")
        return Effect.succeed<TokenSubject>({ id: UserId.make(id), tokenVersion: version as number })
      })
  })
}

/**
 * HS256 JWTs signed with JWT_SECRET, carrying the user id as `sub`, the credentials version as `ver`
 * (absent in tokens from before versions existed: version 0), and expiring after JWT_TTL.
 */
export const JwtTokenService = {
  layer: Layer.effect(
    TokenService,
    Effect.gen(function* () {
      const { jwtSecret, jwtTtl } = yield* AppConfig
      return makeJwtTokenService(jwtSecret, jwtTtl)
    })
  )
}
