import { Duration, Effect } from "effect"
import { HttpEffect, HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { defaultPolicies, type LimitPolicy, RateLimitConfig, type RateLimited, RateLimits } from "../ratelimit/RateLimits.ts"
import { TooManyRequests } from "./ContractErrors.ts"
import { EXTENSION } from "./OpenApiContract.ts"

/** The client's address: the socket's peer, or the last entry of the trusted proxy's header when one is named. */
export const clientAddress = Effect.gen(function* () {
  const request = yield* HttpServerRequest.HttpServerRequest
  const { clientAddressHeader } = yield* RateLimitConfig
  if (clientAddressHeader._tag === "Some") {
    const forwarded = request.headers[clientAddressHeader.value]?.split(",").at(-1)?.trim()
    if (forwarded !== undefined && forwarded !== "") return forwarded
  }
  return request.remoteAddress._tag === "Some" ? request.remoteAddress.value : "unknown"
})

const seconds = (duration: Duration.Duration) => Math.max(1, Math.ceil(Duration.toSeconds(duration)))

/** Retry-After, and the IETF RateLimit / RateLimit-Policy fields (draft-ietf-httpapi-ratelimit-headers). */
const refusalHeaders = ({ policy, retryAfter }: RateLimited) => ({
  "retry-after": String(seconds(retryAfter)),
  "ratelimit-policy": `"${policy.name}";q=${policy.limit};w=${seconds(policy.window)}`,
  ratelimit: `"${policy.name}";r=0;t=${seconds(retryAfter)}`
})

const refusalBody = (refusal: RateLimited) => ({
  errors: { requests: [`are too many: retry in ${seconds(refusal.retryAfter)} seconds`] }
})

/** A refusal as the contract's 429, its headers added to the response whichever way it is sent. */
export const tooManyRequests = (refusal: RateLimited) =>
  HttpEffect.appendPreResponseHandler((_, response) =>
    Effect.succeed(HttpServerResponse.setHeaders(response, refusalHeaders(refusal)))
  ).pipe(Effect.andThen(Effect.fail(new TooManyRequests(refusalBody(refusal)))))

const writes = new Set(["POST", "PUT", "PATCH", "DELETE"])

/** Every write to the API counts against the client address's limit, before any handler runs. */
export const WriteRateLimit = HttpRouter.middleware(
  Effect.gen(function* () {
    const limits = yield* RateLimits
    const settings = yield* RateLimitConfig
    return (httpEffect) =>
      Effect.gen(function* () {
        const request = yield* HttpServerRequest.HttpServerRequest
        if (!writes.has(request.method) || !request.url.startsWith("/api/")) return yield* httpEffect
        const address = yield* Effect.provideService(clientAddress, RateLimitConfig, settings)
        return yield* limits.consume(settings.writesPerAddress, address).pipe(
          Effect.andThen(httpEffect),
          Effect.catchTag("RateLimited", (refusal) =>
            Effect.succeed(
              HttpServerResponse.jsonUnsafe(refusalBody(refusal), { status: 429, headers: refusalHeaders(refusal) })
            )
          )
        )
      })
  }),
  { global: true }
)

const describe = (policy: LimitPolicy, counts: string) => ({
  name: policy.name,
  limit: policy.limit,
  windowSeconds: seconds(policy.window),
  counts
})

/**
 * The OpenAPI document's account of the limits (an extension to the RealWorld contract): a 429 on
 * every write, and an `x-rate-limits` list of each limit with its default numbers (RATE_LIMIT_* change them).
 */
type Operations = Record<string, { responses?: Record<string, unknown> }>

export const documentRateLimits = (spec: Record<string, unknown>): Record<string, unknown> => {
  const settings = defaultPolicies
  const response = {
    description:
      "Too many requests (an extension to the RealWorld contract): Retry-After says when to try again; RateLimit and RateLimit-Policy follow draft-ietf-httpapi-ratelimit-headers",
    [EXTENSION]: true,
    headers: {
      "Retry-After": { schema: { type: "integer" }, description: "Seconds until the request would pass" },
      RateLimit: { schema: { type: "string" } },
      "RateLimit-Policy": { schema: { type: "string" } }
    },
    content: { "application/json": { schema: { $ref: "#/components/schemas/TooManyRequestsEncoded" } } }
  }
  for (const operations of Object.values((spec.paths ?? {}) as Record<string, Operations>)) {
    for (const [method, operation] of Object.entries(operations)) {
      if (writes.has(method.toUpperCase())) operation.responses = { ...operation.responses, 429: response }
    }
  }
  return {
    ...spec,
    "x-rate-limits": [
      describe(settings.failedLoginsPerAccount, "failed logins per account (email); refused before the password is checked"),
      describe(settings.failedLoginsPerAddress, "failed logins per client address"),
      describe(settings.registrationsPerAddress, "registrations per client address"),
      describe(settings.writesPerAddress, "writes (POST, PUT, DELETE) per client address")
    ]
  }
}
