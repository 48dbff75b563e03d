import { readFileSync } from "node:fs"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { parse } from "yaml"
import { call, MemoryAdapters, TestServer } from "../support/TestApp.ts"

// The served /openapi.json, operation by operation, against the RealWorld contract: paths, methods,
// parameters and their types, security, status codes, request and response shapes. Whatever the
// server answers beyond the contract must be listed here AND marked `x-extension` in the document.

type Json = any

const official: Json = parse(readFileSync(new URL("realworld-openapi.yml", import.meta.url), "utf8"))

/** Statuses every operation may answer beyond the contract: unparsable, slow, too long a URL or headers, a failure. */
const EVERYWHERE = ["400", "408", "414", "431", "500"]
/** …and every operation that reads a JSON body: too large, not JSON. */
const WITH_BODY = ["413", "415"]
/** …and every write (POST, PUT, DELETE): the per-address rate limits. */
const WRITE = ["429"]
/**
 * Every POST but logging in takes an `Idempotency-Key` header (an extension parameter) and may answer
 * 409 (a request under the key still running) and 422 (the key used for another request).
 */
const KEYED = (key: string) => key.startsWith("post ") && key !== "post /users/login"
const KEYED_STATUSES = ["409", "422"]
/** Statuses particular operations answer beyond the contract. */
const EXTENSIONS: Record<string, ReadonlyArray<string>> = {
  "put /user": ["409"], // a new email or username someone else has
  "get /articles/{slug}": ["401"] // a token sent but invalid: the contract lists it for every other optional-auth read
}
/**
 * The RealWorld paths: under them, operations beyond the contract's must be listed here. Modules of
 * one's own (`make module`) serve their own paths and their own contract.
 */
const CONDUIT_PATHS = /^\/(users?|profiles|articles|tags)(\/|$)/
// Account deletion: `DELETE /user`, documented as an extension.
const EXTRA_OPERATIONS: ReadonlyArray<string> = ["delete /user"]
/** Statuses the contract lists that this server never answers, each with why. */
const NEVER: Record<string, ReadonlyArray<string>> = {}
/**
 * Statuses the contract lists that this server answers only for an extension's reason, so they are
 * marked as extensions all the same.
 */
const EXTENSION_ONLY: Record<string, ReadonlyArray<string>> = {
  "post /articles": ["409"] // a taken slug gets a random suffix, so publishing conflicts only with a running Idempotency-Key
}

const deref = (doc: Json, node: Json): Json => {
  let current = node
  while (current?.$ref !== undefined) {
    current = (current.$ref as string)
      .replace(/^#\//, "")
      .split("/")
      .reduce((at: Json, key: string) => at?.[key], doc)
  }
  return current
}

/** A schema reduced to what a client relies on: types (null included), properties, required keys, items, formats. */
const shape = (doc: Json, node: Json): Json => {
  const schema = deref(doc, node)
  if (schema === undefined) return undefined
  if (schema.anyOf !== undefined || schema.oneOf !== undefined) {
    const branches = (schema.anyOf ?? schema.oneOf).map((branch: Json) => shape(doc, branch))
    const types = branches.flatMap((branch: Json) => branch.type).sort()
    const rest = Object.assign({}, ...branches.map(({ type: _, ...other }: Json) => other))
    return { ...rest, type: types }
  }
  const type = [schema.type ?? (schema.properties !== undefined ? "object" : undefined)].flat().filter(Boolean).sort()
  const out: Json = { type }
  if (schema.format !== undefined && schema.format !== "password") out.format = schema.format
  if (schema.properties !== undefined) {
    out.properties = Object.fromEntries(
      Object.entries(schema.properties).map(([key, value]) => [key, shape(doc, value)])
    )
    out.required = [...(schema.required ?? [])].sort()
  }
  if (typeof schema.additionalProperties === "object") out.additionalProperties = shape(doc, schema.additionalProperties)
  if (schema.items !== undefined) out.items = shape(doc, schema.items)
  return out
}

const bodySchema = (doc: Json, holder: Json) => deref(doc, holder)?.content?.["application/json"]?.schema

const parameters = (doc: Json, op: Json) =>
  Object.fromEntries(
    (op.parameters ?? []).map((raw: Json) => {
      const parameter = deref(doc, raw)
      const { type, minimum, default: fallback } = parameter.schema
      return [`${parameter.in} ${parameter.name}`, { required: parameter.required === true, type, minimum, default: fallback }]
    })
  )

const requiresToken = (op: Json) =>
  (op.security ?? official.security ?? []).length > 0 && !(op.security ?? []).some((req: Json) => Object.keys(req).length === 0)

const operations = (doc: Json) =>
  Object.entries(doc.paths as Record<string, Json>).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ key: `${method} ${path}`, op: op as Json }))
  )

layer(TestServer(MemoryAdapters), { timeout: "60 seconds" })("the served OpenAPI document", (it) => {
  const served = Effect.map(call("GET", "/openapi.json"), (reply) => {
    expect(reply.status).toBe(200)
    return reply.body as Json
  })

  it.effect("has exactly the contract's operations under the contract's paths", () =>
    Effect.gen(function* () {
      const doc = yield* served
      const conduit = operations(doc).filter((o) => CONDUIT_PATHS.test(o.key.split(" ")[1] as string))
      expect(conduit.map((o) => o.key).sort()).toEqual([...operations(official).map((o) => o.key), ...EXTRA_OPERATIONS].sort())
    }))

  it.effect("describes the token as the contract does: an API key in the Authorization header", () =>
    Effect.gen(function* () {
      const doc = yield* served
      const { type, name, in: where } = doc.components.securitySchemes.Token
      expect({ type, name, in: where }).toEqual({ type: "apiKey", name: "Authorization", in: "header" })
      expect(doc.info.license?.name).toBe(official.info.license.name)
      // The contract's server URL ends in /api, its paths start after it: this server's the same way.
      expect(doc.servers).toEqual([{ url: "/api", description: "This server" }])
    }))

  for (const { key, op: contract } of operations(official)) {
    it.effect(`${key}: parameters, security, statuses and shapes as the contract states`, () =>
      Effect.gen(function* () {
        const doc = yield* served
        const [method, path] = key.split(" ")
        const op = doc.paths[path as string]?.[method as string]
        expect(op, key).toBeDefined()
        expect(op.summary, `${key} has a summary`).toBeTruthy()
        expect(op.description, `${key} has a description`).toBeTruthy()
        expect(op.tags?.length, `${key} is tagged`).toBeGreaterThan(0)

        // Parameters: the contract's, with their types (offset and limit are integers with bounds),
        // and on keyed POSTs the Idempotency-Key header, optional and marked as an extension.
        const { "header Idempotency-Key": idempotencyKey, ...mine } = parameters(doc, op)
        const keyHeader = (op.parameters ?? []).find((p: Json) => p.name === "Idempotency-Key")
        expect(idempotencyKey !== undefined, `${key} takes an Idempotency-Key`).toBe(KEYED(key))
        if (keyHeader !== undefined) expect([keyHeader.required, keyHeader["x-extension"]], `${key} Idempotency-Key`).toEqual([false, true])
        for (const [name, expected] of Object.entries(parameters(official, contract))) {
          const actual = mine[name] as Json
          expect(actual, `${key} ${name}`).toBeDefined()
          expect(actual.type, `${key} ${name} type`).toBe((expected as Json).type)
          expect(actual.required, `${key} ${name} required`).toBe((expected as Json).required)
          for (const bound of ["minimum", "default"] as const)
            if ((expected as Json)[bound] !== undefined) expect(actual[bound], `${key} ${name} ${bound}`).toBe((expected as Json)[bound])
        }
        expect(Object.keys(mine).sort(), `${key} parameters`).toEqual(Object.keys(parameters(official, contract)).sort())

        // Security: required exactly where the contract requires it, through the same scheme.
        expect(requiresToken(op), `${key} requires a token`).toBe(requiresToken(contract))
        if (requiresToken(contract)) expect(op.security).toEqual(contract.security)

        // Statuses: the contract's, less the listed ones never answered, plus the listed extensions.
        const extensions = [
          ...EVERYWHERE,
          ...(op.requestBody === undefined ? [] : WITH_BODY),
          ...(method === "get" ? [] : WRITE),
          ...(EXTENSIONS[key] ?? []),
          ...(KEYED(key) ? KEYED_STATUSES : []),
          // Where the server says so: a dependency down (503 with Retry-After).
          ...("503" in op.responses ? ["503"] : [])
        ]
        const expected = [...Object.keys(contract.responses).filter((s) => !(NEVER[key] ?? []).includes(s)), ...extensions]
        expect(Object.keys(op.responses).sort(), `${key} statuses`).toEqual([...new Set(expected)].sort())
        for (const status of Object.keys(op.responses)) {
          const isExtension = !(status in contract.responses) || (EXTENSION_ONLY[key] ?? []).includes(status)
          expect(op.responses[status]["x-extension"] === true, `${key} ${status} marked as an extension`).toBe(isExtension)
        }

        // Shapes of the request body and of every response the contract describes.
        if (contract.requestBody !== undefined)
          expect(shape(doc, bodySchema(doc, op.requestBody)), `${key} request body`).toEqual(
            shape(official, bodySchema(official, contract.requestBody))
          )
        for (const [status, response] of Object.entries(contract.responses)) {
          if ((NEVER[key] ?? []).includes(status)) continue
          const expectedBody = bodySchema(official, response)
          const actualBody = bodySchema(doc, op.responses[status])
          expect(shape(doc, actualBody), `${key} ${status} body`).toEqual(shape(official, expectedBody))
        }
      }))
  }
})
