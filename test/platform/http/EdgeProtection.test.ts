import { connect } from "node:net"
import type { AddressInfo } from "node:net"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect } from "effect"
import { makeNodeServer } from "../../../src/platform/http/NodeServer.ts"
import { DocsContentSecurityPolicy } from "../../../src/platform/http/SecurityHeaders.ts"
import { aCaller } from "../../modules/profiles/AccountMother.ts"
import { aRegistrationBody } from "../../modules/users/UserMother.ts"
import { call, MemoryAdapters, PostgresAdapters, TestServer } from "../../support/TestApp.ts"

const envelope = { errors: expect.any(Object) }

layer(TestServer(PostgresAdapters), { timeout: "60 seconds" })("path, query and body text before SQL", (it) => {
  it.effect("NUL, invalid UTF-8 and lone surrogates in a path parameter are a 422 in the envelope, signed in or not", () =>
    Effect.gen(function* () {
      const caller = yield* aCaller
      for (const bad of ["%00", "a%00b", "%ED%A0%80", "%C0", "%E0%A4", "%"]) {
        for (const [method, path, token] of [
          ["GET", `/api/profiles/${bad}`, undefined],
          ["POST", `/api/profiles/${bad}/follow`, caller.token],
          ["DELETE", `/api/profiles/${bad}/follow`, caller.token],
          ["GET", `/api/articles/${bad}`, undefined],
          ["GET", `/api/articles/${bad}/comments`, undefined],
          ["DELETE", `/api/articles/${bad}/comments/1`, caller.token]
        ] as const) {
          const reply = yield* call(method, path, token === undefined ? {} : { token })
          expect(reply.status, `${method} ${path}`).toBe(422)
          expect(reply.body).toEqual({ errors: { path: ["is invalid"] } })
        }
      }
    }))

  it.effect("query parameters are checked the same way, naming the parameter", () =>
    Effect.gen(function* () {
      for (const query of ["tag=%00", "author=%ED%B0%80", "favorited=x%00", "limit=%FF"]) {
        const reply = yield* call("GET", `/api/articles?${query}`)
        expect(reply.status, query).toBe(422)
        expect(reply.body).toEqual({ errors: { [query.split("=")[0]!]: ["is invalid"] } })
      }
      const long = yield* call("GET", `/api/articles?tag=${"t".repeat(600)}`)
      expect(long.status).toBe(422)
      expect(long.body.errors.tag[0]).toContain("too long")
      expect((yield* call("GET", "/api/articles?tag=ok&limit=5")).status).toBe(200)
    }))

  it.effect("an overlong path segment is a 422 and an overlong URL a 414, both in the envelope", () =>
    Effect.gen(function* () {
      const segment = yield* call("GET", `/api/profiles/${"u".repeat(600)}`)
      expect(segment.status).toBe(422)
      expect(segment.body).toEqual(envelope)
      const url = yield* call("GET", `/api/articles?${Array.from({ length: 300 }, (_, i) => `tag${i}=x`).join("&")}`)
      expect(url.status).toBe(414)
      expect(url.body.errors.url[0]).toContain("too long")
    }))

  it.effect("a lone surrogate in a body field is a 422, never stored as U+FFFD", () =>
    Effect.gen(function* () {
      const user = aRegistrationBody()
      const raw = `{"user":{"username":"${user.username}\\ud800","email":"${user.email}","password":"${user.password}"}}`
      const reply = yield* call("POST", "/api/users", { raw, headers: { "content-type": "application/json" } })
      expect(reply.status).toBe(422)
      expect(reply.body).toEqual({ errors: { username: ["is invalid"] } })
      const login = `{"user":{"email":"${user.email}","password":"x\\udc00"}}`
      expect((yield* call("POST", "/api/users/login", { raw: login, headers: { "content-type": "application/json" } })).status).toBe(422)
      const caller = yield* aCaller
      const bio = yield* call("PUT", "/api/user", {
        token: caller.token,
        raw: '{"user":{"bio":"half a pair: \\ud83d"}}',
        headers: { "content-type": "application/json" }
      })
      expect(bio.status).toBe(422)
      // A whole pair is fine.
      const emoji = yield* call("PUT", "/api/user", { token: caller.token, body: { user: { bio: "skate 🛹" } } })
      expect(emoji.body.user.bio).toBe("skate 🛹")
    }))

  it.effect("security headers on every response; no-store where credentials are involved", () =>
    Effect.gen(function* () {
      const tags = yield* call("GET", "/api/tags")
      expect(tags.headers).toMatchObject({
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
        "content-security-policy": "default-src 'none'; frame-ancestors 'none'"
      })
      expect(tags.headers["cache-control"]).toBeUndefined()
      expect(tags.headers["strict-transport-security"]).toBeUndefined()
      const user = aRegistrationBody()
      const registered = yield* call("POST", "/api/users", { body: { user } })
      expect(registered.headers["cache-control"]).toBe("no-store")
      const login = yield* call("POST", "/api/users/login", { body: { user: { email: user.email, password: user.password } } })
      expect(login.headers["cache-control"]).toBe("no-store")
      const me = yield* call("GET", "/api/user", { token: registered.body.user.token })
      expect(me.headers["cache-control"]).toBe("no-store")
      const unauthorized = yield* call("GET", "/api/user", { token: "nope" })
      expect(unauthorized.headers).toMatchObject({ "cache-control": "no-store", "x-content-type-options": "nosniff" })
      const missing = yield* call("GET", "/no/such/route")
      expect(missing.status).toBe(404)
      expect(missing.headers["x-content-type-options"]).toBe("nosniff")
      const docs = yield* call("GET", "/docs")
      expect(docs.headers["content-security-policy"]).toBe(DocsContentSecurityPolicy)
    }))
})

layer(TestServer(MemoryAdapters, { behindTls: true, corsOrigins: ["https://app.example"] }), { timeout: "60 seconds" })(
  "behind TLS, with a list of origins",
  (it) => {
    it.effect("HSTS on every response", () =>
      Effect.gen(function* () {
        expect((yield* call("GET", "/api/tags")).headers["strict-transport-security"]).toBe("max-age=31536000; includeSubDomains")
      }))

    it.effect("the edge's own refusals leave with every response's headers (CORS, security, request id)", () =>
      Effect.gen(function* () {
        const origin = { origin: "https://app.example" }
        const refusals = [
          yield* call("GET", "/api/profiles/%00", { headers: origin }),
          yield* call("GET", `/api/tags?${"x".repeat(2100)}`, { headers: origin }),
          yield* call("POST", "/api/users", { headers: { ...origin, "idempotency-key": '""' }, body: { user: {} } })
        ]
        expect(refusals.map((reply) => reply.status)).toEqual([422, 414, 400])
        for (const reply of refusals) {
          expect(reply.headers).toMatchObject({
            "access-control-allow-origin": "https://app.example",
            "x-content-type-options": "nosniff",
            "strict-transport-security": "max-age=31536000; includeSubDomains"
          })
          expect(reply.headers["x-request-id"]).toBeDefined()
        }
      }))

    it.effect("CORS allows only the listed origins: never *, null or another one", () =>
      Effect.gen(function* () {
        const preflight = (origin: string) =>
          call("OPTIONS", "/api/user", { headers: { origin, "access-control-request-method": "PUT" } })
        expect((yield* preflight("https://app.example")).headers["access-control-allow-origin"]).toBe("https://app.example")
        // A browser compares the answer with its own origin: anything but that origin or * is a refusal.
        for (const origin of ["null", "https://evil.example"]) {
          for (const reply of [yield* preflight(origin), yield* call("GET", "/api/tags", { headers: { origin } })]) {
            expect([undefined, "https://app.example"], origin).toContain(reply.headers["access-control-allow-origin"])
          }
        }
      }))
  }
)

/** Raw bytes to the production server, and whatever comes back before it closes. */
const exchange = (port: number, request: string | Buffer) =>
  Effect.promise(
    () =>
      new Promise<{ text: string; reset: boolean }>((resolve) => {
        const socket = connect(port, "127.0.0.1")
        let text = ""
        let reset = false
        socket.on("data", (chunk) => (text += chunk.toString()))
        socket.on("error", () => (reset = true))
        socket.on("close", () => resolve({ text, reset }))
        socket.write(request)
      })
  )

describe("requests Node refuses before the app", () => {
  it.effect("oversized headers, a malformed request and a timeout answer in the envelope, with Connection: close", () =>
    Effect.acquireUseRelease(
      Effect.promise(
        () =>
          new Promise<ReturnType<typeof makeNodeServer>>((resolve) => {
            const server = makeNodeServer()
            server.on("request", (_, response) => response.end("ok"))
            server.listen(0, "127.0.0.1", () => resolve(server))
          })
      ),
      (server) =>
        Effect.gen(function* () {
          const port = (server.address() as AddressInfo).port
          const big = yield* exchange(port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(32 * 1024)}\r\n\r\n`)
          expect(big.text).toMatch(/^HTTP\/1.1 431 /)
          expect(big.text).toContain("Connection: close")
          expect(JSON.parse(big.text.slice(big.text.indexOf("\r\n\r\n") + 4))).toEqual({
            errors: { headers: ["are too large (maximum is 16384 bytes)"] }
          })
          const garbage = yield* exchange(port, "NOT HTTP AT ALL\r\n\r\n")
          expect(garbage.text).toMatch(/^HTTP\/1.1 400 /)
          expect(JSON.parse(garbage.text.slice(garbage.text.indexOf("\r\n\r\n") + 4))).toEqual({
            errors: { request: ["could not be parsed"] }
          })
          const fine = yield* exchange(port, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
          expect(fine.text).toMatch(/^HTTP\/1.1 200 /)
        }),
      (server) => Effect.promise(() => new Promise<void>((resolve) => server.close(() => resolve())))
    ))
})
