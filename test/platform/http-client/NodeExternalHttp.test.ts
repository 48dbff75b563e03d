import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber } from "effect"
import { isPrivateAddress } from "../../../src/platform/http-client/AddressGuard.ts"
import { defaultPolicy, ExternalHttp, type ExternalHttpPolicy } from "../../../src/platform/http-client/ExternalHttp.ts"
import * as NodeExternalHttp from "../../../src/platform/http-client/NodeExternalHttp.ts"
import { receiver } from "./Receiver.ts"

// Every test talks to a real server on loopback, so the policy allows private addresses unless
// the test is about refusing them. Waits are lower bounds (a retry comes no earlier than…), never
// upper bounds, so a busy machine slows the suite down without failing it.

const policy: ExternalHttpPolicy = {
  ...defaultPolicy,
  timeout: Duration.seconds(2),
  retryBase: Duration.millis(20),
  allowPrivateAddresses: true
}

const withHttp = (overrides: Partial<ExternalHttpPolicy> = {}) =>
  <A, E, R>(self: Effect.Effect<A, E, R>) => self.pipe(Effect.provide(NodeExternalHttp.layer({ ...policy, ...overrides })), Effect.scoped)

const post = (url: string) =>
  Effect.gen(function* () {
    const http = yield* ExternalHttp
    return yield* http.send({ method: "POST", url, body: { contentType: "application/json", text: '{"hello":"world"}' } })
  })

describe("the external HTTP adapter", () => {
  it.live("sends the request with a traceparent and returns a 2xx answer", () =>
    Effect.gen(function* () {
      const target = yield* receiver({ status: 200, body: "ok" })
      const response = yield* post(target.url)
      expect(response).toEqual({ status: 200, body: "ok" })
      expect(target.received).toHaveLength(1)
      expect(target.received[0]?.body).toBe('{"hello":"world"}')
      expect(target.received[0]?.headers["content-type"]).toBe("application/json")
      expect(target.received[0]?.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/)
    }).pipe(withHttp()))

  it.live("with the tracer off (no exporter) the request goes out without a traceparent", () =>
    Effect.gen(function* () {
      const target = yield* receiver({ status: 200, body: "ok" })
      const response = yield* post(target.url)
      expect(response).toEqual({ status: 200, body: "ok" })
      expect(target.received[0]?.headers.traceparent).toBeUndefined()
      expect(target.received[0]?.headers.b3).toBeUndefined()
    }).pipe(withHttp(), Effect.withTracerEnabled(false)))

  it.live("retries a 503 and a 500, then succeeds", () =>
    Effect.gen(function* () {
      const target = yield* receiver({ status: 503 }, { status: 500 }, { status: 200 })
      const response = yield* post(target.url)
      expect(response.status).toBe(200)
      expect(target.received).toHaveLength(3)
    }).pipe(withHttp()))

  it.live("an attempt that gets no answer times out and is retried", () =>
    Effect.gen(function* () {
      const target = yield* receiver("hang", { status: 200 })
      const response = yield* post(target.url)
      expect(response.status).toBe(200)
      expect(target.received).toHaveLength(2)
      expect(target.received[1]!.at - target.received[0]!.at).toBeGreaterThanOrEqual(500)
    }).pipe(withHttp({ timeout: Duration.millis(500) })))

  it.live("after the last attempt the call fails with the reason and the attempts", () =>
    Effect.gen(function* () {
      const target = yield* receiver({ status: 502 }, { status: 502 }, { status: 502 })
      const error = yield* Effect.flip(post(target.url))
      expect(error).toMatchObject({ _tag: "ExternalCallFailed", endpoint: target.origin, reason: "Status", status: 502, attempts: 3 })
      expect(target.received).toHaveLength(3)
    }).pipe(withHttp()))

  it.live("429 waits at least Retry-After before the next attempt", () =>
    Effect.gen(function* () {
      const target = yield* receiver({ status: 429, headers: { "retry-after": "1" } }, { status: 200 })
      expect((yield* post(target.url)).status).toBe(200)
      expect(target.received[1]!.at - target.received[0]!.at).toBeGreaterThanOrEqual(950)
    }).pipe(withHttp()))

  it.live("a Retry-After longer than the call may wait ends the call at once, for the caller to retry later", () =>
    Effect.gen(function* () {
      const target = yield* receiver({ status: 503, headers: { "retry-after": "120" } })
      const error = yield* Effect.flip(post(target.url))
      expect(error).toMatchObject({ reason: "Status", status: 503, retryAfterSeconds: 120, attempts: 1 })
      expect(target.received).toHaveLength(1)
    }).pipe(withHttp()))

  it.live("a 4xx other than 429 is not retried", () =>
    Effect.gen(function* () {
      const target = yield* receiver({ status: 400 }, { status: 200 })
      const error = yield* Effect.flip(post(target.url))
      expect(error).toMatchObject({ reason: "Status", status: 400, attempts: 1 })
      expect(target.received).toHaveLength(1)
    }).pipe(withHttp()))

  it.live("a network error is retried", () =>
    Effect.gen(function* () {
      // A port nothing listens on any more: connection refused on every attempt.
      const gone = yield* Effect.scoped(Effect.map(receiver(), (target) => target.url))
      const error = yield* Effect.flip(post(gone))
      expect(error).toMatchObject({ reason: "Unreachable", attempts: 3 })
    }).pipe(withHttp()))

  it.live("redirects are not followed", () =>
    Effect.gen(function* () {
      const elsewhere = yield* receiver({ status: 200 })
      const target = yield* receiver({ status: 302, headers: { location: elsewhere.url } })
      const error = yield* Effect.flip(post(target.url))
      expect(error).toMatchObject({ reason: "Status", status: 302, attempts: 1 })
      expect(elsewhere.received).toHaveLength(0)
    }).pipe(withHttp()))

  it.live("keeps at most the capped number of bytes of a response body", () =>
    Effect.gen(function* () {
      const target = yield* receiver({ status: 200, body: "x".repeat(1024 * 1024) })
      const response = yield* post(target.url)
      expect(response.body).toHaveLength(1000)
    }).pipe(withHttp({ maxResponseBytes: 1000 })))

  it.live("consecutive failed calls open the endpoint's circuit; after the open time one probe goes through and closes it", () =>
    Effect.gen(function* () {
      const target = yield* receiver({ status: 500 }, { status: 500 }, { status: 200 }, { status: 200 })
      const other = yield* receiver({ status: 200 })
      expect(yield* Effect.flip(post(target.url))).toMatchObject({ reason: "Status", status: 500 })
      expect(yield* Effect.flip(post(target.url))).toMatchObject({ reason: "Status", status: 500 })
      // Open: refused without a request, and only this endpoint's circuit.
      const refused = yield* Effect.flip(post(target.url))
      expect(refused).toMatchObject({ reason: "CircuitOpen", attempts: 0 })
      expect(refused.retryAfterSeconds).toBeGreaterThan(0)
      expect(target.received).toHaveLength(2)
      expect((yield* post(other.url)).status).toBe(200)
      // Half-open after the open time: the next call is the probe; its success closes the circuit.
      yield* Effect.sleep("700 millis")
      expect((yield* post(target.url)).status).toBe(200)
      expect((yield* post(target.url)).status).toBe(200)
      expect(target.received).toHaveLength(4)
    }).pipe(withHttp({ attempts: 1, tripAfter: 2, openFor: Duration.millis(600) })))

  it.live("an endpoint that never answers holds only its own calls: another endpoint is served meanwhile", () =>
    Effect.gen(function* () {
      const silent = yield* receiver(...Array.from({ length: 12 }, () => "hang" as const))
      const healthy = yield* receiver()
      // More calls than the silent endpoint's concurrency bound, all stuck until their timeout.
      const stuck = yield* Effect.forkChild(Effect.all(Array.from({ length: 8 }, () => Effect.flip(post(silent.url))), { concurrency: "unbounded" }))
      for (let i = 0; i < 5; i++) expect((yield* post(healthy.url)).status).toBe(204)
      expect(stuck.pollUnsafe()).toBeUndefined()
      const errors = yield* Fiber.join(stuck)
      expect(errors.every((error) => error.reason === "Timeout")).toBe(true)
      // Bounded: never more than four of its requests in flight at once, so 8 calls × 1 attempt.
      expect(silent.received.length).toBe(8)
    }).pipe(withHttp({ attempts: 1, timeout: Duration.seconds(3), concurrencyPerEndpoint: 4, tripAfter: 100 })))
})

describe("the private-address guard", () => {
  it("knows loopback, link-local, private, mapped and reserved addresses from public ones", () => {
    for (const address of ["127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "::", "fe80::1", "fd12:3456::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "[::1]"]) {
      expect(isPrivateAddress(address), address).toBe(true)
    }
    for (const address of ["8.8.8.8", "1.1.1.1", "172.32.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]) {
      expect(isPrivateAddress(address), address).toBe(false)
    }
  })

  it.live("refuses an IP literal and a name that resolves to loopback, before any request", () =>
    Effect.gen(function* () {
      const target = yield* receiver()
      const byName = target.url.replace("127.0.0.1", "localhost")
      expect(yield* Effect.flip(post(target.url))).toMatchObject({ reason: "Refused", attempts: 1 })
      expect(yield* Effect.flip(post(byName))).toMatchObject({ reason: "Refused", attempts: 1 })
      expect(target.received).toHaveLength(0)
    }).pipe(withHttp({ allowPrivateAddresses: false })))
})
