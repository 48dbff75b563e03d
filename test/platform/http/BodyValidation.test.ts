import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { HttpClient, HttpClientRequest } from "effect/http"
import { call, PostgresAdapters, TestServer } from "../../support/TestApp.ts"
import { aRegistrationBody } from "../../modules/users/UserMother.ts"

/** A request whose body is these exact bytes. */
const sendBytes = (method: "POST" | "PUT", path: string, bytes: Uint8Array, headers: Record<string, string> = {}) =>
  Effect.gen(function* () {
    const client = yield* HttpClient.HttpClient
    const request = HttpClientRequest.make(method)(path).pipe(
      HttpClientRequest.setHeaders(headers),
      HttpClientRequest.bodyUint8Array(bytes, headers["content-type"] ?? "application/json")
    )
    const response = yield* client.execute(request)
    return { status: response.status, body: (yield* response.json) as any }
  }).pipe(Effect.orDie)

/** A registration whose username holds `raw` bytes in the middle of otherwise valid JSON. */
const registrationWith = (raw: ReadonlyArray<number>) => {
  const user = aRegistrationBody()
  const [before, after] = JSON.stringify({ user: { ...user, username: `${user.username}\u0000` } }).split("\\u0000")
  const encoder = new TextEncoder()
  return { user, bytes: new Uint8Array([...encoder.encode(before), ...raw, ...encoder.encode(after)]) }
}

const notUtf8 = { errors: { body: ["is not valid UTF-8"] } }

layer(TestServer(PostgresAdapters), { timeout: "60 seconds" })("request bodies that are not UTF-8", (it) => {
  it.effect("are a 400 in the envelope, never decoded to U+FFFD and stored", () =>
    Effect.gen(function* () {
      // A lone continuation byte, a truncated sequence, an overlong encoding, a UTF-16 surrogate in UTF-8 form.
      for (const raw of [[0x80], [0xe2, 0x82], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xff]]) {
        const { user, bytes } = registrationWith(raw)
        const reply = yield* sendBytes("POST", "/api/users", bytes)
        expect(reply.status, raw.join(",")).toBe(400)
        expect(reply.body).toEqual(notUtf8)
        // Nothing was stored under the lenient decoding either.
        const login = yield* call("POST", "/api/users/login", { body: { user: { email: user.email, password: user.password } } })
        expect(login.status).toBe(401)
      }
      const withCharset = registrationWith([0xfe])
      const charset = yield* sendBytes("POST", "/api/users", withCharset.bytes, { "content-type": "application/json; charset=utf-8" })
      expect(charset).toEqual({ status: 400, body: notUtf8 })
    }))

  it.effect("valid multi-byte UTF-8 passes, and updates are checked too", () =>
    Effect.gen(function* () {
      const { user, bytes } = registrationWith([0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80]) // é € 😀
      const reply = yield* sendBytes("POST", "/api/users", bytes)
      expect(reply.status).toBe(201)
      expect(reply.body.user.username).toBe(`${user.username}é€😀`)
      const token = reply.body.user.token as string
      const update = new Uint8Array([...new TextEncoder().encode('{"user":{"bio":"'), 0xc3, 0x28, ...new TextEncoder().encode('"}}')])
      const refused = yield* sendBytes("PUT", "/api/user", update, { authorization: `Token ${token}` })
      expect(refused).toEqual({ status: 400, body: notUtf8 })
      const current = yield* call("GET", "/api/user", { token })
      expect(current.body.user.bio).toBeNull()
    }))
})
