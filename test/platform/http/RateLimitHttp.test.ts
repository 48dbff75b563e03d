import { expect, layer } from "@effect/vitest"
import { Duration, Effect, Option } from "effect"
import { aRegistrationBody } from "../../modules/users/UserMother.ts"
import { call, MemoryAdapters, TestServer, TestSharedState, testRateLimits } from "../../support/TestApp.ts"

const minute = Duration.minutes(1)

const limited = TestSharedState.layer(
  testRateLimits({
    failedLoginsPerAccount: { name: "login-account", limit: 3, window: Duration.minutes(15) },
    failedLoginsPerAddress: { name: "login-address", limit: 5, window: Duration.minutes(15) },
    registrationsPerAddress: { name: "register-address", limit: 4, window: Duration.hours(1) }
  })
)

const login = (email: string, password: string) => call("POST", "/api/users/login", { body: { user: { email, password } } })

const expectRefusal = (reply: { status: number; body: unknown; headers: Readonly<Record<string, string>> }, name: string) => {
  expect(reply.status).toBe(429)
  expect(reply.body).toEqual({ errors: { requests: [expect.stringMatching(/^are too many: retry in \d+ seconds$/)] } })
  const retryAfter = Number(reply.headers["retry-after"])
  expect(retryAfter).toBeGreaterThanOrEqual(1)
  expect(reply.headers["ratelimit-policy"]).toMatch(new RegExp(`^"${name}";q=\\d+;w=\\d+$`))
  expect(reply.headers.ratelimit).toBe(`"${name}";r=0;t=${retryAfter}`)
}

layer(TestServer(MemoryAdapters, {}, limited), { timeout: "60 seconds" })("rate limits over HTTP", (it) => {
  it.effect("failed logins per account: past the limit even the right password gets 429 with Retry-After", () =>
    Effect.gen(function* () {
      const user = aRegistrationBody()
      expect((yield* call("POST", "/api/users", { body: { user } })).status).toBe(201)
      for (let i = 0; i < 3; i++) expect((yield* login(user.email, "wrong password")).status).toBe(401)
      expectRefusal(yield* login(user.email, user.password), "login-account")
      // Another account from the same address is not held back by this one's failures.
      const other = aRegistrationBody()
      expect((yield* call("POST", "/api/users", { body: { user: other } })).status).toBe(201)
      expect((yield* login(other.email, other.password)).status).toBe(200)
    }))

  it.effect("failed logins per address: many accounts from one address", () =>
    Effect.gen(function* () {
      // The previous case spent 3 of this address's 5.
      for (let i = 0; i < 2; i++) expect((yield* login(`nobody${i}@example.com`, "guess")).status).toBe(401)
      expectRefusal(yield* login("nobody-else@example.com", "guess"), "login-address")
    }))

  it.effect("registrations per address", () =>
    Effect.gen(function* () {
      // Two registered above; two more pass, the fifth is refused.
      for (let i = 0; i < 2; i++) expect((yield* call("POST", "/api/users", { body: { user: aRegistrationBody() } })).status).toBe(201)
      expectRefusal(yield* call("POST", "/api/users", { body: { user: aRegistrationBody() } }), "register-address")
    }))
})

const fewWrites = (clientAddressHeader: Option.Option<string>) =>
  TestSharedState.layer(
    testRateLimits({ writesPerAddress: { name: "writes-address", limit: 2, window: minute }, clientAddressHeader })
  )

layer(TestServer(MemoryAdapters, {}, fewWrites(Option.none())), { timeout: "60 seconds" })(
  "writes per address, by the socket's address",
  (it) => {
    it.effect("counts every write, leaves reads alone, and ignores a forwarded address it was not told to trust", () =>
      Effect.gen(function* () {
        const headers = { "x-forwarded-for": `203.0.113.${Math.floor(Math.random() * 200)}` }
        expect((yield* call("POST", "/api/users", { body: { user: aRegistrationBody() }, headers })).status).toBe(201)
        expect((yield* call("POST", "/api/articles", { body: {} })).status).toBe(401)
        expectRefusal(yield* call("POST", "/api/users", { body: { user: aRegistrationBody() }, headers }), "writes-address")
        expect((yield* call("GET", "/api/tags")).status).toBe(200)
      }))
  }
)

layer(TestServer(MemoryAdapters, {}, fewWrites(Option.some("x-forwarded-for"))), { timeout: "60 seconds" })(
  "writes per address, behind a trusted proxy",
  (it) => {
    it.effect("takes the address the proxy appended, so clients behind it count apart", () =>
      Effect.gen(function* () {
        const from = (address: string) => ({ "x-forwarded-for": `198.51.100.7, ${address}` })
        for (let i = 0; i < 2; i++) expect((yield* call("DELETE", "/api/user", { headers: from("192.0.2.1") })).status).not.toBe(429)
        expect((yield* call("DELETE", "/api/user", { headers: from("192.0.2.1") })).status).toBe(429)
        expect((yield* call("DELETE", "/api/user", { headers: from("192.0.2.2") })).status).not.toBe(429)
      }))
  }
)
