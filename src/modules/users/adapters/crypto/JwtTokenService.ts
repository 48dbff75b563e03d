import { Duration, Effect, Layer, Redacted } from "effect"
import { errors, jwtVerify, SignJWT } from "jose"
import { AppConfig } from "../../../../platform/config/AppConfig.ts"
import { UserId } from "../../domain/User.ts"
import { InvalidToken } from "../../domain/UserErrors.ts"
import { TokenService } from "../../ports/TokenService.ts"

const ALGORITHM = "HS256"

/**
 * HS256 JWTs signed with JWT_SECRET, carrying the user id as `sub`, the credentials version as `ver`
 * (absent in tokens from before versions existed: version 0), and expiring after JWT_TTL.
 */
export const JwtTokenService = {
  layer: Layer.effect(
    TokenService,
    Effect.gen(function* () {
      const { jwtSecret, jwtTtl } = yield* AppConfig
      const key = new TextEncoder().encode(Redacted.value(jwtSecret))
      const ttlSeconds = Math.max(1, Math.floor(Duration.toSeconds(jwtTtl)))

      return TokenService.of({
        issue: Effect.fn("TokenService.issue")(function* ({ id, tokenVersion }) {
          return yield* Effect.promise(() =>
            new SignJWT({ ver: tokenVersion })
              .setProtectedHeader({ alg: ALGORITHM, typ: "JWT" })
              .setSubject(String(id))
              .setIssuedAt()
              .setExpirationTime(`${ttlSeconds}s`)
              .sign(key)
          )
        }),
        verify: Effect.fn("TokenService.verify")(function* (token) {
          const { payload } = yield* Effect.tryPromise({
            try: () => jwtVerify(Redacted.value(token), key, { algorithms: [ALGORITHM], requiredClaims: ["sub", "exp"] }),
            catch: (error) =>
              new InvalidToken({
                reason:
                  error instanceof errors.JWTExpired
                    ? "expired"
                    : error instanceof errors.JWSSignatureVerificationFailed
                      ? "signature"
                      : "malformed"
              })
          })
          const id = Number(payload.sub)
          const version = payload.ver ?? 0
          if (!Number.isSafeInteger(id) || id <= 0 || !Number.isSafeInteger(version))
            return yield* new InvalidToken({ reason: "malformed" })
          return { id: UserId.make(id), tokenVersion: version as number }
        })
      })
    })
  )
}
