import { Layer } from "effect"
import { JwtTokenService } from "../modules/users/adapters/crypto/JwtTokenService.ts"
import { ScryptPasswordHasher } from "../modules/users/adapters/crypto/ScryptPasswordHasher.ts"
import { Persistence } from "./Persistence.ts"

/** Outbound adapters: storage (picked from config), password hashing, tokens. */
export const Infrastructure = Layer.mergeAll(Persistence, ScryptPasswordHasher.layer, JwtTokenService.layer)
