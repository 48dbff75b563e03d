import { Schema } from "effect"
import type { Registration } from "../../../src/modules/users/application/UserAccounts.ts"
import { Email, Password, Username } from "../../../src/modules/users/domain/User.ts"

// Object mother: valid users, unique per call, so each test states only what it cares about.
let sequence = 0

export const aRegistrationBody = (overrides: Partial<{ username: string; email: string; password: string }> = {}) => {
  const n = ++sequence
  return {
    username: `user${n}_${process.pid}`,
    email: `user${n}_${process.pid}@example.com`,
    password: "correct horse battery staple",
    ...overrides
  }
}

export const aRegistration = (overrides: Parameters<typeof aRegistrationBody>[0] = {}): Registration => {
  const body = aRegistrationBody(overrides)
  return {
    username: Schema.decodeSync(Username)(body.username),
    email: Schema.decodeSync(Email)(body.email),
    password: Schema.decodeSync(Password)(body.password)
  }
}
