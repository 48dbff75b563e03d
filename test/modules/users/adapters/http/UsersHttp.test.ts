import { expect, layer } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { SignJWT } from "jose"
import { call, PostgresAdapters, registered, TestServer, testSettings } from "../../../../support/TestApp.ts"
import { aRegistrationBody } from "../../UserMother.ts"

layer(TestServer(PostgresAdapters), { timeout: "60 seconds" })("users HTTP API on PostgreSQL", (it) => {
  it.effect("POST /api/users registers: 201 with the user envelope, bio and image null", () =>
    Effect.gen(function* () {
      const user = aRegistrationBody({ email: "  Mixed.Case@Example.com " })
      const reply = yield* call("POST", "/api/users", { body: { user } })
      expect(reply.status).toBe(201)
      expect(reply.body).toEqual({
        user: { email: "mixed.case@example.com", username: user.username, bio: null, image: null, token: expect.any(String) }
      })
      expect(JSON.stringify(reply.body)).not.toContain(user.password)
    }))

  it.effect("POST /api/users: 409 for a taken email (any case) or username", () =>
    Effect.gen(function* () {
      const first = yield* registered()
      const email = yield* call("POST", "/api/users", { body: { user: aRegistrationBody({ email: first.email.toUpperCase() }) } })
      expect(email.status).toBe(409)
      expect(email.body).toEqual({ errors: { email: ["has already been taken"] } })
      const username = yield* call("POST", "/api/users", { body: { user: aRegistrationBody({ username: first.username }) } })
      expect(username.status).toBe(409)
      expect(username.body).toEqual({ errors: { username: ["has already been taken"] } })
    }))

  it.effect("POST /api/users: 422 naming every invalid field", () =>
    Effect.gen(function* () {
      const reply = yield* call("POST", "/api/users", { body: { user: { username: "", email: "nope", password: "short" } } })
      expect(reply.status).toBe(422)
      expect(reply.body).toEqual({
        errors: {
          username: ["can't be blank"],
          email: ["is invalid"],
          password: ["is too short (minimum is 8 characters)"]
        }
      })
      const missing = yield* call("POST", "/api/users", { body: { user: {} } })
      expect(missing.status).toBe(422)
      expect(missing.body.errors).toEqual({
        username: ["can't be blank"],
        email: ["can't be blank"],
        password: ["can't be blank"]
      })
    }))

  it.effect("malformed requests get a 4xx in the contract's envelope, never a 500", () =>
    Effect.gen(function* () {
      const cases: Array<[string, Parameters<typeof call>[2], number]> = [
        ["not JSON", { raw: "{bad" }, 422],
        ["empty body", { raw: "" }, 422],
        ["a JSON array", { raw: "[]" }, 422],
        ["a JSON string", { raw: '"user"' }, 422],
        ["null user", { body: { user: null } }, 422],
        ["wrong types", { body: { user: { username: 1, email: true, password: [] } } }, 422],
        ["deeply nested junk", { body: { user: { username: { a: { b: [1, 2, 3] } } } } }, 422],
        ["a 2 MiB body", { raw: JSON.stringify({ user: { username: "x".repeat(2 * 1024 * 1024) } }) }, 413],
        ["text/plain", { raw: "hello", headers: { "content-type": "text/plain" } }, 415],
        ["a NUL character, which PostgreSQL cannot store", { body: { user: aRegistrationBody({ username: "nul\u0000byte" }) } }, 422]
      ]
      for (const [label, options, status] of cases) {
        const reply = yield* call("POST", "/api/users", options)
        expect(reply.status, label).toBe(status)
        expect(Object.keys(reply.body.errors ?? {}).length, label).toBeGreaterThan(0)
      }
    }))

  it.effect("POST /api/users/login: 200 with a token, 401 for bad credentials, 422 for missing ones", () =>
    Effect.gen(function* () {
      const user = yield* registered()
      const ok = yield* call("POST", "/api/users/login", { body: { user: { email: user.email, password: user.password } } })
      expect(ok.status).toBe(200)
      expect(ok.body.user).toMatchObject({ email: user.email, username: user.username, token: expect.any(String) })
      const bad = yield* call("POST", "/api/users/login", { body: { user: { email: user.email, password: "wrong password" } } })
      expect(bad.status).toBe(401)
      expect(bad.body).toEqual({ errors: { credentials: ["invalid"] } })
      const unknown = yield* call("POST", "/api/users/login", {
        body: { user: { email: "nobody@example.com", password: user.password } }
      })
      expect(unknown.status).toBe(401)
      const missing = yield* call("POST", "/api/users/login", { body: { user: { email: user.email } } })
      expect(missing.status).toBe(422)
      expect(missing.body).toEqual({ errors: { password: ["can't be blank"] } })
    }))

  it.effect("GET /api/user: the current user with the token it was called with", () =>
    Effect.gen(function* () {
      const user = yield* registered()
      const reply = yield* call("GET", "/api/user", { token: user.token })
      expect(reply.status).toBe(200)
      expect(reply.body).toEqual({
        user: { email: user.email, username: user.username, bio: null, image: null, token: user.token }
      })
    }))

  it.effect("GET /api/user: 401 when the token is missing, malformed, forged or expired", () =>
    Effect.gen(function* () {
      const missing = yield* call("GET", "/api/user")
      expect(missing.status).toBe(401)
      expect(missing.body).toEqual({ errors: { token: ["is missing"] } })
      const wrongScheme = yield* call("GET", "/api/user", { headers: { authorization: "Bearer abc" } })
      expect(wrongScheme.body).toEqual({ errors: { token: ["is missing"] } })
      const malformed = yield* call("GET", "/api/user", { token: "abc.def" })
      expect(malformed.status).toBe(401)
      expect(malformed.body).toEqual({ errors: { token: ["is invalid"] } })
      const forged = yield* Effect.promise(() =>
        new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject("1").setExpirationTime("1h")
          .sign(new TextEncoder().encode("some-other-secret-that-is-long-enough-xx"))
      )
      expect((yield* call("GET", "/api/user", { token: forged })).body).toEqual({ errors: { token: ["is invalid"] } })
      const unsigned = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from('{"sub":"1"}').toString("base64url")}.`
      expect((yield* call("GET", "/api/user", { token: unsigned })).status).toBe(401)
      const expired = yield* Effect.promise(() =>
        new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject("1").setIssuedAt(1_000).setExpirationTime(2_000)
          .sign(new TextEncoder().encode(Redacted.value(testSettings().jwtSecret)))
      )
      const reply = yield* call("GET", "/api/user", { token: expired })
      expect(reply.status).toBe(401)
      expect(reply.body).toEqual({ errors: { token: ["has expired"] } })
    }))

  it.effect("PUT /api/user: updates fields, stores blank bio/image as null, and a new password works", () =>
    Effect.gen(function* () {
      const user = yield* registered()
      const reply = yield* call("PUT", "/api/user", {
        token: user.token,
        body: { user: { bio: "I work at statefarm", image: "https://i.stack.imgur.com/xHWG8.jpg" } }
      })
      expect(reply.status).toBe(200)
      expect(reply.body.user).toMatchObject({ bio: "I work at statefarm", image: "https://i.stack.imgur.com/xHWG8.jpg" })
      const cleared = yield* call("PUT", "/api/user", { token: user.token, body: { user: { bio: "", image: null } } })
      expect(cleared.body.user).toMatchObject({ bio: null, image: null, email: user.email, token: user.token })
      yield* call("PUT", "/api/user", { token: user.token, body: { user: { password: "another long passphrase" } } })
      const login = yield* call("POST", "/api/users/login", {
        body: { user: { email: user.email, password: "another long passphrase" } }
      })
      expect(login.status).toBe(200)
    }))

  it.effect("PUT /api/user: 409 for another user's email or username, 422 for invalid values, 401 without a token", () =>
    Effect.gen(function* () {
      const a = yield* registered()
      const b = yield* registered()
      const email = yield* call("PUT", "/api/user", { token: a.token, body: { user: { email: b.email } } })
      expect(email.status).toBe(409)
      expect(email.body).toEqual({ errors: { email: ["has already been taken"] } })
      const username = yield* call("PUT", "/api/user", { token: a.token, body: { user: { username: b.username } } })
      expect(username.status).toBe(409)
      const invalid = yield* call("PUT", "/api/user", { token: a.token, body: { user: { email: "x", password: "short" } } })
      expect(invalid.status).toBe(422)
      expect(Object.keys(invalid.body.errors).sort()).toEqual(["email", "password"])
      const anonymous = yield* call("PUT", "/api/user", { body: { user: { bio: "x" } } })
      expect(anonymous.status).toBe(401)
      // Nothing already stored was lost by the failed updates.
      const current = yield* call("GET", "/api/user", { token: a.token })
      expect(current.body.user).toMatchObject({ email: a.email, username: a.username })
    }))

  it.effect("browsers on other origins may call the API (CORS preflight and response headers)", () =>
    Effect.gen(function* () {
      const preflight = yield* call("OPTIONS", "/api/user", {
        headers: {
          origin: "https://conduit.example",
          "access-control-request-method": "PUT",
          "access-control-request-headers": "authorization,content-type"
        }
      })
      expect(preflight.status).toBeLessThan(300)
      expect(preflight.headers["access-control-allow-origin"]).toBe("*")
      expect(preflight.headers["access-control-allow-headers"]).toContain("authorization")
      const reply = yield* call("GET", "/api/user", { headers: { origin: "https://conduit.example" } })
      expect(reply.headers["access-control-allow-origin"]).toBe("*")
    }))

  it.effect("an unknown route answers 404 in the envelope", () =>
    Effect.gen(function* () {
      const reply = yield* call("GET", "/api/nothing-here")
      expect(reply.status).toBe(404)
      expect(reply.body).toEqual({ errors: { route: ["not found"] } })
    }))

  it.effect("serves health probes, the OpenAPI document and the docs page", () =>
    Effect.gen(function* () {
      expect((yield* call("GET", "/health/live")).status).toBe(200)
      const ready = yield* call("GET", "/health/ready")
      expect(ready).toMatchObject({ status: 200, body: { status: "ready" } })
      const openapi = yield* call("GET", "/openapi.json")
      expect(openapi.status).toBe(200)
      expect(openapi.body.servers).toEqual([expect.objectContaining({ url: "/api" })])
      expect(Object.keys(openapi.body.paths)).toEqual(expect.arrayContaining(["/users", "/users/login", "/user"]))
      const docs = yield* call("GET", "/docs")
      expect(docs.status).toBe(200)
      expect(docs.headers["content-type"]).toContain("text/html")
    }))
})
