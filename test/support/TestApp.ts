import { NodeHttpServer } from "@effect/platform-node"
import { expect } from "@effect/vitest"
import { Duration, Effect, Layer, Option, Redacted } from "effect"
import { HttpClient, HttpClientRequest } from "effect/http"
import { Application } from "../../src/app/Application.ts"
import { HttpAppServer } from "../../src/app/HttpApp.ts"
import { InMemoryPersistence, SqlAdapters } from "../../src/app/Infrastructure.ts"
import { ScryptPasswordHasher } from "../../src/modules/users/adapters/crypto/ScryptPasswordHasher.ts"
import { ReadCache } from "../../src/platform/cache/ReadCache.ts"
import { AppConfig, type AppSettings } from "../../src/platform/config/AppConfig.ts"
import { ErrorReporter } from "../../src/platform/observability/ErrorReporter.ts"
import { RateLimitConfig, type RateLimitSettings, RateLimits } from "../../src/platform/ratelimit/RateLimits.ts"
import { aRegistrationBody } from "../modules/users/UserMother.ts"
import { TestDatabase } from "./TestDatabase.ts"

export const testSettings = (overrides: Partial<AppSettings> = {}): AppSettings => ({
  env: "test",
  host: "127.0.0.1",
  port: 0,
  storage: "postgres",
  migrateOnStart: false,
  jwtSecret: Redacted.make("test-secret-that-is-long-enough-0123456789"),
  jwtTtl: Duration.hours(1),
  shutdownTimeout: Duration.seconds(1),
  requestTimeout: Duration.seconds(10),
  corsOrigins: ["*"],
  behindTls: false,
  ...overrides
})

export const TestConfig = {
  layer: (overrides: Partial<AppSettings> = {}) => Layer.succeed(AppConfig, AppConfig.of(testSettings(overrides)))
}

/** Real adapters on a fresh PostgreSQL database of the suite's own (SqlClient stays visible to tests). */
export const PostgresAdapters = SqlAdapters.pipe(Layer.provideMerge(TestDatabase.layer))
export const MemoryAdapters = InMemoryPersistence

/** The modules' own services (real crypto), with a cheap scrypt cost so suites can register hundreds of users quickly. */
export const TestServices = Layer.merge(Application.services, ScryptPasswordHasher.layerTest)

const unlimited = (name: string) => ({ name, limit: 1_000_000, window: Duration.minutes(1) })

/**
 * Limits no suite reaches by accident (suites register and write far more than a person would);
 * the suites of the limits themselves pass low ones.
 */
export const testRateLimits = (overrides: Partial<RateLimitSettings> = {}): RateLimitSettings => ({
  failedLoginsPerAccount: unlimited("login-account"),
  failedLoginsPerAddress: unlimited("login-address"),
  registrationsPerAddress: unlimited("register-address"),
  writesPerAddress: unlimited("writes-address"),
  clientAddressHeader: Option.none(),
  ...overrides
})

/** The in-memory cache and limits of a single replica (or no cache, for suites that count statements). */
export const TestSharedState = {
  layer: (limits: RateLimitSettings = testRateLimits(), cache: Layer.Layer<ReadCache> = ReadCache.layerMemory) =>
    Layer.mergeAll(cache, RateLimits.layerMemory, Layer.succeed(RateLimitConfig, limits))
}

/** The whole HTTP app on an ephemeral port, with an HttpClient pointed at it. */
export const TestServer = <E, R>(
  adapters: Layer.Layer<R, E>,
  overrides: Partial<AppSettings> = {},
  shared: Layer.Layer<ReadCache | RateLimits | RateLimitConfig> = TestSharedState.layer()
) =>
  HttpAppServer.pipe(
    Layer.provide([TestServices, ErrorReporter.layerNone, shared]),
    Layer.provideMerge(adapters),
    Layer.provideMerge(NodeHttpServer.layerTest),
    Layer.provideMerge(TestConfig.layer(overrides))
  )

export interface Reply {
  readonly status: number
  readonly body: any
  readonly headers: Readonly<Record<string, string>>
}

export interface RequestOptions {
  readonly body?: unknown
  /** Sent as is, for malformed payloads. */
  readonly raw?: string
  readonly token?: string
  readonly headers?: Record<string, string>
}

/** One HTTP round trip to the test server; a JSON body comes back parsed, any other as text. */
export const call = (method: "GET" | "POST" | "PUT" | "DELETE" | "OPTIONS", path: string, options: RequestOptions = {}) =>
  Effect.gen(function* () {
    const client = yield* HttpClient.HttpClient
    let request = HttpClientRequest.make(method)(path).pipe(HttpClientRequest.setHeaders(options.headers ?? {}))
    if (options.token !== undefined) request = HttpClientRequest.setHeader(request, "authorization", `Token ${options.token}`)
    if (options.body !== undefined) request = HttpClientRequest.bodyJsonUnsafe(request, options.body)
    if (options.raw !== undefined)
      request = HttpClientRequest.bodyText(request, options.raw, options.headers?.["content-type"] ?? "application/json")
    const response = yield* client.execute(request)
    const text = yield* response.text
    const json = (response.headers["content-type"] ?? "").includes("json") && text !== ""
    return { status: response.status, body: json ? JSON.parse(text) : text || undefined, headers: response.headers } as Reply
  }).pipe(Effect.orDie)

/** A new account, registered through the test server's API: what it registered with, and its token. */
export const registered = (overrides: Parameters<typeof aRegistrationBody>[0] = {}) =>
  Effect.gen(function* () {
    const user = aRegistrationBody(overrides)
    const reply = yield* call("POST", "/api/users", { body: { user } })
    expect(reply.status).toBe(201)
    return { ...user, token: reply.body.user.token as string }
  })
