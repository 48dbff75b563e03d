import { Effect } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"

/** Longer request targets are refused with 414 (Node's header limit bounds them at 16 KiB anyway). */
export const MAX_URL_LENGTH = 2048
/** No path segment or query value of the contract comes near this; longer ones never reach SQL. */
export const MAX_PARAMETER_LENGTH = 512

const envelope = (status: number, field: string, message: string) =>
  HttpServerResponse.jsonUnsafe({ errors: { [field]: [message] } }, { status })

/**
 * Percent-decoding that refuses what text columns cannot hold and what would silently change:
 * malformed escapes and invalid UTF-8 (which would become U+FFFD), NUL, and lone surrogates.
 */
const decodes = (raw: string): string | undefined => {
  let text: string
  try {
    text = decodeURIComponent(raw)
  } catch {
    return undefined
  }
  return text.includes("\u0000") || /\p{Cs}/u.test(text) ? undefined : text
}

/** The first offending part of the target, as `[status, field, message]`, or undefined when it is fine. */
export const urlProblem = (url: string): readonly [number, string, string] | undefined => {
  if (url.length > MAX_URL_LENGTH) return [414, "url", `is too long (maximum is ${MAX_URL_LENGTH} characters)`]
  const queryAt = url.indexOf("?")
  const path = queryAt === -1 ? url : url.slice(0, queryAt)
  for (const segment of path.split("/")) {
    const text = decodes(segment)
    if (text === undefined) return [422, "path", "is invalid"]
    if (text.length > MAX_PARAMETER_LENGTH) return [422, "path", `is too long (maximum is ${MAX_PARAMETER_LENGTH} characters)`]
  }
  if (queryAt === -1) return undefined
  for (const pair of url.slice(queryAt + 1).split("&")) {
    if (pair === "") continue
    const equals = pair.indexOf("=")
    const name = decodes((equals === -1 ? pair : pair.slice(0, equals)).replaceAll("+", " "))
    if (name === undefined || name.length > MAX_PARAMETER_LENGTH) return [422, "query", "is invalid"]
    const value = decodes((equals === -1 ? "" : pair.slice(equals + 1)).replaceAll("+", " "))
    if (value === undefined) return [422, name, "is invalid"]
    if (value.length > MAX_PARAMETER_LENGTH)
      return [422, name, `is too long (maximum is ${MAX_PARAMETER_LENGTH} characters)`]
  }
  return undefined
}

/**
 * Every path segment and query parameter is checked like body text before routing, so no handler
 * (and no SQL statement) ever sees NUL, a lone surrogate or an oversized value. Inside the router,
 * so the refusal leaves with the headers every response gets (security, CORS, request id).
 */
export const UrlValidation = HttpRouter.middleware(
  Effect.succeed((httpEffect) =>
    Effect.gen(function* () {
      const problem = urlProblem((yield* HttpServerRequest.HttpServerRequest).url)
      return problem === undefined ? yield* httpEffect : envelope(...problem)
    })
  ),
  { global: true }
)
