import { Effect, Layer, Logger, References } from "effect"
import { JwtTokenService } from "../modules/users/adapters/crypto/JwtTokenService.ts"
import { ScryptPasswordHasher } from "../modules/users/adapters/crypto/ScryptPasswordHasher.ts"
import { AppConfig } from "../platform/config/AppConfig.ts"
import { Persistence } from "./Persistence.ts"

/** Outbound adapters: storage (picked from config), password hashing, tokens. */
export const Infrastructure = Layer.mergeAll(Persistence, ScryptPasswordHasher.layer, JwtTokenService.layer)

/** JSON lines for machines (production default), readable lines for people. */
export const Logging = Layer.unwrap(
  Effect.gen(function* () {
    const { logFormat, logLevel } = yield* AppConfig
    return Layer.mergeAll(
      Logger.layer([logFormat === "json" ? Logger.consoleJson : Logger.consolePretty()]),
      Layer.succeed(References.MinimumLogLevel, logLevel)
    )
  })
)
