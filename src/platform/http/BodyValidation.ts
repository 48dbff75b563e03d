import { Effect, Option } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"

const strictUtf8 = new TextDecoder("utf-8", { fatal: true })
const withBody = new Set(["POST", "PUT", "PATCH", "DELETE"])

/** Whether the route's decoder reads the body as JSON text: JSON, or no content type (JSON by default). */
const isJson = (contentType: string | undefined) => contentType === undefined || /^application\/([^;]+\+)?json\b/i.test(contentType)

/**
 * An API request body that is not valid UTF-8 is a 400 in the envelope, around every route. Decoded
 * leniently, each invalid byte would become U+FFFD, so two different byte strings would be stored
 * as the same text (and collide on unique columns). The body is read once: the route's decoder gets
 * the same buffered bytes.
 */
export const BodyValidation = HttpRouter.middleware(
  Effect.succeed((httpEffect) =>
    Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      if (!withBody.has(request.method) || !request.url.startsWith("/api/") || !isJson(request.headers["content-type"]))
        return yield* httpEffect
      const body = yield* Effect.option(request.arrayBuffer)
      // An unreadable body (too large, cut off) is the route's to refuse.
      if (Option.isSome(body) && !isUtf8(body.value))
        return HttpServerResponse.jsonUnsafe({ errors: { body: ["is not valid UTF-8"] } }, { status: 400 })
      return yield* httpEffect
    })
  ),
  { global: true }
)

const isUtf8 = (bytes: ArrayBuffer) => {
  try {
    strictUtf8.decode(bytes)
    return true
  } catch {
    return false
  }
}
