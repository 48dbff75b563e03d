import { Schema, SchemaGetter } from "effect"
import { OpenApi } from "effect/http-api"
import { MAX_URL_LENGTH } from "./UrlValidation.ts"

// What the served OpenAPI document states beyond what effect derives from the schemas: the
// operations' names and prose, the parameters' real types (query and path parameters arrive as
// strings, so effect documents them as strings), optional authentication, and the responses the
// server's edge answers on every route. Each is stated next to the code that makes it true.

/** An instant in JSON: an ISO 8601 UTC string (`format: date-time`), a Date inside. */
export const Timestamp = Schema.Date.pipe(
  Schema.encodeTo(Schema.String.annotate({ format: "date-time", examples: ["2026-01-15T09:30:00.000Z"] }), {
    decode: SchemaGetter.transform((iso: string) => new Date(iso)),
    encode: SchemaGetter.transform((date: Date) => date.toISOString())
  })
)

/** The vendor key that marks a response this server answers beyond the RealWorld contract. */
export const EXTENSION = "x-extension"

type JsonObject = Record<string, unknown>

/** A parameter as documented: its prose and, for string-coded ones, the type its value must have. */
export interface ParameterDoc {
  readonly description: string
  readonly schema?: JsonObject
}

export interface OperationDoc {
  /** The operationId of the RealWorld contract (client generators name their methods after it). */
  readonly id: string
  readonly summary: string
  readonly description: string
  /** When the operation belongs under another tag than its group's. */
  readonly tag?: string
  readonly parameters?: Readonly<Record<string, ParameterDoc>>
  /** A token is accepted (and changes `following`/`favorited`) but not required. */
  readonly optionalAuth?: boolean
  /** Statuses this operation answers beyond the contract, each with why. */
  readonly extensions?: Readonly<Record<number, string>>
}

interface Operation extends JsonObject {
  parameters?: Array<JsonObject>
  security?: Array<Record<string, Array<string>>>
  responses?: Record<string, JsonObject>
}

/** The annotations of one operation; put on an endpoint with `.annotateMerge(operation({…}))`. */
export const operation = (doc: OperationDoc) =>
  OpenApi.annotations({
    identifier: doc.id,
    summary: doc.summary,
    description: doc.description,
    transform: (input) => {
      const op = input as Operation
      const parameters = op.parameters?.map((parameter) => {
        const given = doc.parameters?.[String(parameter.name)]
        return given === undefined
          ? parameter
          : { ...parameter, description: given.description, ...(given.schema === undefined ? {} : { schema: given.schema }) }
      })
      const responses = { ...op.responses }
      for (const [status, why] of Object.entries(doc.extensions ?? {})) {
        const response = responses[status]
        if (response !== undefined) responses[status] = { ...response, description: `${why} (extension)`, [EXTENSION]: true }
      }
      return {
        ...op,
        ...(doc.tag === undefined ? {} : { tags: [doc.tag] }),
        ...(parameters === undefined ? {} : { parameters }),
        // Either requirement may be met: a token, or nothing at all.
        ...(doc.optionalAuth === true ? { security: [...(op.security ?? []), {}] } : {}),
        responses
      }
    }
  })

const genericError = { $ref: "#/components/schemas/GenericErrorModel" }
const extension = (description: string, example: JsonObject, schema: JsonObject = genericError) => ({
  description: `${description} (extension)`,
  [EXTENSION]: true,
  content: { "application/json": { schema, example } }
})

/**
 * What the server's edge answers on any route, whatever the operation: Node's parser (NodeServer.ts),
 * the URL check (UrlValidation.ts) and the last-resort fallback (ErrorFallback.ts).
 */
const edgeResponses = {
  "400": extension("The request could not be parsed", { errors: { request: ["could not be parsed"] } }),
  "408": extension("The request took too long to arrive", { errors: { request: ["took too long to arrive"] } }),
  "414": extension(`The URL is over ${MAX_URL_LENGTH} characters`, {
    errors: { url: [`is too long (maximum is ${MAX_URL_LENGTH} characters)`] }
  }),
  "431": extension("The headers are too large", { errors: { headers: ["are too large"] } }),
  "500": extension(
    "Unexpected failure: logged and reported, answered with the request id",
    { errors: { server: ["an unexpected error occurred"] }, requestId: "5f0c7a3e-1b2d-4c8e-9f10-2a3b4c5d6e7f" },
    {
      type: "object",
      required: ["errors"],
      properties: {
        errors: { $ref: "#/components/schemas/GenericErrorModel/properties/errors" },
        requestId: { type: "string", description: "The request's id, as in the X-Request-Id header and the logs" }
      }
    }
  )
}
/** …and on the operations that read a JSON body. */
const bodyResponses = {
  "400": extension("The request or its body could not be read", { errors: { body: ["could not be read"] } }),
  "413": extension("The body is over 1 MiB", { errors: { body: ["is too large"] } }),
  "415": extension("The body is not sent as application/json", { errors: { body: ["must be sent as application/json"] } })
}

/**
 * The document-wide part: one error model (every error body is `{"errors": {field: [message]}}`),
 * the edge's responses on every operation, the statuses in ascending order, and paths relative to
 * the server URL that ends in `prefix`, as the RealWorld document has them (`/api` + `/users`).
 */
export const documentEdge = (prefix: `/${string}`) => (input: JsonObject): JsonObject => {
  const spec = input as { paths: Record<string, Record<string, Operation>>; components: { schemas: JsonObject } }
  const errorModels = new Set(Object.keys(spec.components.schemas).filter((name) => name.endsWith("Encoded")))
  const schemas: JsonObject = {
    GenericErrorModel: {
      type: "object",
      required: ["errors"],
      properties: {
        errors: {
          type: "object",
          description: "Messages by field (or by resource: `article`, `comment`, `profile`, `token`, …)",
          additionalProperties: { type: "array", items: { type: "string" } }
        }
      }
    }
  }
  for (const [name, schema] of Object.entries(spec.components.schemas)) if (!errorModels.has(name)) schemas[name] = schema
  const retarget = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(retarget)
      : value !== null && typeof value === "object"
        ? Object.fromEntries(
            Object.entries(value).map(([key, inner]) =>
              key === "$ref" && typeof inner === "string" && errorModels.has(inner.replace("#/components/schemas/", ""))
                ? [key, "#/components/schemas/GenericErrorModel"]
                : [key, retarget(inner)]
            )
          )
        : value
  const paths: Record<string, Record<string, Operation>> = {}
  for (const [prefixed, item] of Object.entries(spec.paths)) {
    const path = prefixed.startsWith(`${prefix}/`) ? prefixed.slice(prefix.length) : prefixed
    paths[path] = {}
    for (const [method, op] of Object.entries(item)) {
      const responses: Record<string, JsonObject> = {
        ...op.responses,
        ...edgeResponses,
        ...(op.requestBody === undefined ? {} : bodyResponses)
      }
      // A dependency that is down (the password hasher's queue, the database) is not in the RealWorld contract.
      const unavailable = responses["503"]
      if (unavailable !== undefined) responses["503"] = { ...unavailable, [EXTENSION]: true }
      const sorted = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => Number(a) - Number(b)))
      paths[path][method] = retarget({ ...op, responses: sorted }) as Operation
    }
  }
  return { ...spec, servers: [{ url: prefix, description: "This server" }], paths, components: { ...spec.components, schemas } }
}
