import { createHmac } from "node:crypto"
import { Context, Duration, Effect, Option, Redacted } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { AppConfig } from "../config/AppConfig.ts"
import { IDEMPOTENCY_KEY_TTL, IdempotencyStore, type StoredResponse } from "../idempotency/IdempotencyStore.ts"
import { RETRY_AFTER_SECONDS } from "./DependencyGuard.ts"
import { EXTENSION } from "./OpenApiContract.ts"

/** The request header (draft-ietf-httpapi-idempotency-key-header), as Node lower-cases it. */
const IDEMPOTENCY_HEADER = "idempotency-key"
/** Set on a replayed answer, so a client can tell it from a fresh one. */
const REPLAYED_HEADER = "idempotent-replayed"
const MAX_KEY_LENGTH = 255

/**
 * Who sent a request, by its credentials, for scoping keys: an account id, or none without valid
 * credentials (anonymous clients share one scope; the route itself refuses bad credentials). The
 * module that issues credentials implements it.
 */
export class RequestPrincipal extends Context.Service<
  RequestPrincipal,
  { readonly of: (authorization: string) => Effect.Effect<Option.Option<string>> }
>()("app/platform/RequestPrincipal") {}

/** One to 255 visible ASCII characters, without quotes, backslashes or commas. */
const KEY = /^[\x21\x23-\x2b\x2d-\x5b\x5d-\x7e]{1,255}$/

/**
 * The key of a header value: the draft's structured-field string (`"…"`) or the bare key many
 * clients send; undefined when it is neither.
 */
const parseKey = (value: string): string | undefined => {
  const trimmed = value.trim()
  const key = trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1) : trimmed
  return KEY.test(key) ? key : undefined
}

const envelope = (status: number, message: string, headers: Record<string, string> = {}) =>
  HttpServerResponse.jsonUnsafe({ errors: { "Idempotency-Key": [message] } }, { status, headers })

const refusals = {
  malformed: `must be 1 to ${MAX_KEY_LENGTH} visible ASCII characters (no quotes, backslashes or commas), such as a UUID`,
  mismatch: "was used for a different request: send a new key with a new request",
  inFlight: "is in use by a request that is still running: retry later"
}

/** The answer of a successful write, as it is stored for retries; none for anything else. */
const storable = (response: HttpServerResponse.HttpServerResponse): Option.Option<StoredResponse> => {
  if (response.status < 200 || response.status > 299) return Option.none()
  const body = response.body
  const headers = { ...response.headers }
  if (body._tag === "Empty") return Option.some({ status: response.status, headers, body: "" })
  if (body._tag !== "Uint8Array") return Option.none()
  return Option.some({
    status: response.status,
    headers: { ...headers, "content-type": body.contentType },
    body: body.text ?? new TextDecoder().decode(body.body)
  })
}

const replay = (stored: StoredResponse) => {
  const { "content-type": contentType, ...headers } = stored.headers
  const options = { status: stored.status, headers: { ...headers, [REPLAYED_HEADER]: "true" } }
  return contentType === undefined
    ? HttpServerResponse.empty(options)
    : HttpServerResponse.text(stored.body, { ...options, contentType })
}

const isApiPost = (request: HttpServerRequest.HttpServerRequest) =>
  request.method === "POST" && (request.url.startsWith("/api/") || request.url === "/api")

/**
 * `Idempotency-Key` on the API's POSTs, around every route (inside the router, so it sees each
 * answer before it is sent). The first request under a key runs inside the key's transaction (see
 * IdempotencyStore): its answer is stored only if it is a 2xx, together with its writes, so a retry
 * after a reset, a timeout or a 503 gets that answer again (marked `Idempotent-Replayed: true`) and
 * writes nothing; if no 2xx was stored, nothing was written and the retry runs afresh. The same key
 * with a different request is a 422; while the first is still running, a 409 with Retry-After.
 * `exempt` lists POST paths that take no key (they change nothing a retry could repeat).
 */
export const IdempotentWrites = (exempt: ReadonlyArray<string>) =>
  HttpRouter.middleware(
    Effect.gen(function* () {
      const store = yield* IdempotencyStore
      const principal = yield* RequestPrincipal
      // Fingerprints are keyed, so stored ones reveal nothing of the payloads (passwords among them).
      const secret = createHmac("sha256", Redacted.value((yield* AppConfig).jwtSecret)).update("idempotency-fingerprint").digest()
      const fingerprint = (request: HttpServerRequest.HttpServerRequest, body: ArrayBuffer) =>
        createHmac("sha256", secret)
          .update(`${request.method} ${request.url}\n${request.headers["content-type"] ?? ""}\n`)
          .update(new Uint8Array(body))
          .digest("base64url")

      return (httpEffect) =>
        Effect.gen(function* () {
          const request = yield* HttpServerRequest.HttpServerRequest
          const header = request.headers[IDEMPOTENCY_HEADER]
          if (header === undefined || !isApiPost(request) || exempt.includes(request.url.split("?")[0] ?? "")) return yield* httpEffect
          const key = parseKey(header)
          if (key === undefined) return envelope(400, refusals.malformed)
          const body = yield* Effect.option(request.arrayBuffer)
          // An unreadable body (too large, cut off) is the route's to refuse, as without a key.
          if (Option.isNone(body)) return yield* httpEffect
          const caller = yield* principal.of(request.headers.authorization ?? "")
          const claim = {
            scope: Option.match(caller, { onNone: () => "anonymous", onSome: (id) => `account:${id}` }),
            key,
            fingerprint: fingerprint(request, body.value)
          }
          let unstorable = false
          // A failure of the key's own statements (its COMMIT among them) is the fallback's to answer: a 503
          // when the database went away (the outcome may be unknown; a retry under the key is safe), else a 500.
          const outcome = yield* store
            .once(claim, httpEffect, (response) => {
              const stored = storable(response)
              unstorable = Option.isNone(stored) && response.status >= 200 && response.status <= 299
              return stored
            })
            .pipe(Effect.catchTag("SqlError", Effect.die))
          switch (outcome._tag) {
            case "Ran":
              // A success that could not be stored was rolled back: an error says so, a 2xx would be repeated by a retry.
              if (unstorable) return yield* Effect.die(new Error("the answer to an idempotent request could not be stored"))
              return outcome.value
            case "Replay":
              return replay(outcome.response)
            case "Mismatch":
              return envelope(422, refusals.mismatch)
            case "InFlight":
              return envelope(409, refusals.inFlight, { "retry-after": String(RETRY_AFTER_SECONDS) })
          }
        })
    }),
    { global: true }
  )

type JsonObject = Record<string, unknown>
interface Operation extends JsonObject {
  parameters?: Array<JsonObject>
  responses?: Record<string, JsonObject>
}

const ttlHours = Math.round(Duration.toHours(IDEMPOTENCY_KEY_TTL))
const errorBody = (message: string) => ({
  "application/json": {
    schema: { $ref: "#/components/schemas/GenericErrorModel" },
    example: { errors: { "Idempotency-Key": [message] } }
  }
})

/**
 * The header on every keyed POST of the OpenAPI document, and its refusals (an extension to the
 * RealWorld contract): 409 while the first request under the key runs, 422 for a different request
 * under a used key. Where the operation already answers the status, its description says both.
 */
export const documentIdempotency =
  (exempt: ReadonlyArray<string>) =>
  (input: JsonObject): JsonObject => {
    const spec = input as { paths: Record<string, Record<string, Operation>> }
    const header = {
      name: "Idempotency-Key",
      in: "header",
      required: false,
      [EXTENSION]: true,
      description:
        `Makes a retry of this request safe (draft-ietf-httpapi-idempotency-key-header): a request repeated with the same key within ${ttlHours} hours ` +
        "gets the first request's answer again, with `Idempotent-Replayed: true`, and changes nothing. Only successful answers are kept: after an " +
        "error, a reset connection or a 503, retrying with the same key is safe. Keys are per account (per token's user), and shared by anonymous " +
        `registrations: use a fresh random one (a UUID) per request. A string of 1 to ${MAX_KEY_LENGTH} visible ASCII characters, quoted or not; anything else is a 400.`,
      schema: { type: "string", minLength: 1, maxLength: MAX_KEY_LENGTH, examples: ['"8e03978e-40d5-43e8-bc93-6894a57f9324"'] }
    }
    const statuses = {
      "409": ["A request under the same Idempotency-Key is still running: retry after Retry-After seconds", refusals.inFlight],
      "422": ["The Idempotency-Key was used for a different request", refusals.mismatch]
    } as const
    const paths: Record<string, Record<string, Operation>> = {}
    for (const [path, item] of Object.entries(spec.paths)) {
      paths[path] = { ...item }
      const op = item.post
      if (op === undefined || exempt.includes(path)) continue
      const responses = { ...op.responses }
      for (const [status, [why, message]] of Object.entries(statuses)) {
        const existing = responses[status]
        responses[status] =
          existing === undefined
            ? { description: `${why} (extension)`, [EXTENSION]: true, content: errorBody(message) }
            : { ...existing, description: `${String(existing.description ?? "")}; or (extension): ${why}` }
      }
      paths[path].post = { ...op, parameters: [...(op.parameters ?? []), header], responses }
    }
    return { ...spec, paths }
  }
