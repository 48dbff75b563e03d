import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { HttpServer } from "effect/http"
import fc from "fast-check"
import { aCaller } from "../modules/profiles/AccountMother.ts"
import { call, PostgresAdapters, TestServer } from "../support/TestApp.ts"

// A property-based fuzz of every operation in the served OpenAPI document: path and query parameters
// and bodies drawn from the document's own schemas, then mangled (NUL, lone surrogates, invalid
// UTF-8, huge values, wrong types, broken JSON) and sent with no, a valid, a forged or a stranger's
// token, and on keyed POSTs with no, a reused, a fresh or a malformed Idempotency-Key. Whatever comes in, the answer is never a 5xx, and every 4xx is in the contract's envelope.

type JsonSchema = {
  readonly type?: string | ReadonlyArray<string>
  readonly properties?: Record<string, JsonSchema>
  readonly items?: JsonSchema
  readonly anyOf?: ReadonlyArray<JsonSchema>
  readonly $ref?: string
  readonly enum?: ReadonlyArray<unknown>
}

interface Operation {
  readonly method: string
  readonly path: string
  readonly pathParams: ReadonlyArray<string>
  readonly query: ReadonlyArray<string>
  /** Takes an Idempotency-Key header. */
  readonly keyed: boolean
  readonly body: JsonSchema | undefined
}

const isWellFormed = (s: string) => !/\p{Cs}/u.test(s)

/** Text that PostgreSQL and percent-decoding have trouble with, besides ordinary Unicode. */
const nastyText = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.constantFrom("\u0000", "a\u0000b", "\ud800", "x\udc00y", "\ud83d", "🛹", "'; DROP TABLE users; --", "%00", "../../etc", ""),
  fc.string({ maxLength: 3 }).map((s) => s.repeat(400))
)

/**
 * An Idempotency-Key header: none, a key reused across requests (so replays and 422s for another
 * payload come up), a fresh one, or any printable ASCII text (what fetch can send), over-long included.
 */
const idempotencyKey = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom("fuzz-reused-key", '"fuzz-reused-key"'),
  fc.uuid(),
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 300 })
)

/** A value for a schema: mostly of the declared shape (so it gets past the first checks), sometimes anything. */
const valueFor = (schema: JsonSchema | undefined, defs: Record<string, JsonSchema>, depth = 0): fc.Arbitrary<unknown> => {
  if (schema === undefined || depth > 5) return fc.anything({ maxDepth: 2 })
  if (schema.$ref !== undefined) return valueFor(defs[schema.$ref.split("/").pop()!], defs, depth + 1)
  if (schema.anyOf !== undefined) return fc.oneof(...schema.anyOf.map((s) => valueFor(s, defs, depth + 1)))
  if (schema.enum !== undefined) return fc.constantFrom(...schema.enum)
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type
  const shaped = (() => {
    switch (type) {
      case "string":
        return nastyText
      case "integer":
      case "number":
        return fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -1, 2 ** 53, 1e308))
      case "boolean":
        return fc.boolean()
      case "null":
        return fc.constant(null)
      case "array":
        return fc.array(valueFor(schema.items, defs, depth + 1), { maxLength: 5 })
      case "object":
        return fc.record(
          Object.fromEntries(Object.entries(schema.properties ?? {}).map(([key, s]) => [key, valueFor(s, defs, depth + 1)])),
          { requiredKeys: [] }
        )
      default:
        return fc.anything({ maxDepth: 2 })
    }
  })()
  return fc.oneof({ weight: 6, arbitrary: shaped }, { weight: 1, arbitrary: fc.anything({ maxDepth: 2 }) })
}

/** Percent-encoded, including byte sequences that are not UTF-8 at all. */
const pathSegment = (known: ReadonlyArray<string>) =>
  fc.oneof(
    fc.constantFrom(...known).map(encodeURIComponent),
    nastyText.map((s) => (isWellFormed(s) ? encodeURIComponent(s) : "%ED%A0%80")),
    fc.uint8Array({ minLength: 1, maxLength: 8 }).map((bytes) => [...bytes].map((b) => `%${b.toString(16).padStart(2, "0")}`).join(""))
  )

const operationsOf = (document: any): ReadonlyArray<Operation> =>
  Object.entries(document.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => ["get", "post", "put", "delete"].includes(method))
      .map(([method, operation]) => ({
        method: method.toUpperCase(),
        path,
        pathParams: (operation.parameters ?? []).filter((p: any) => p.in === "path").map((p: any) => p.name),
        query: (operation.parameters ?? []).filter((p: any) => p.in === "query").map((p: any) => p.name),
        keyed: (operation.parameters ?? []).some((p: any) => p.in === "header" && p.name === "Idempotency-Key"),
        body: operation.requestBody?.content?.["application/json"]?.schema
      }))
  )

layer(TestServer(PostgresAdapters), { timeout: "120 seconds" })("contract fuzz", (it) => {
  it.effect("no operation of the OpenAPI document answers 5xx, and every 4xx is in the envelope", () =>
    Effect.gen(function* () {
      const document = (yield* call("GET", "/openapi.json")).body
      const operations = operationsOf(document)
      expect(operations.length).toBeGreaterThan(15)
      const defs: Record<string, JsonSchema> = document.components?.schemas ?? {}
      const server = yield* HttpServer.HttpServer
      const base = `http://127.0.0.1:${(server.address as { port: number }).port}`

      const caller = yield* aCaller
      const author = yield* aCaller
      const article = yield* call("POST", "/api/articles", {
        token: author.token,
        body: { article: { title: "Fuzz target", description: "d", body: "b", tagList: ["fuzz"] } }
      })
      const slug = article.body.article.slug as string
      const comment = yield* call("POST", `/api/articles/${slug}/comments`, { token: caller.token, body: { comment: { body: "c" } } })
      const known: Record<string, ReadonlyArray<string>> = {
        username: [caller.username, author.username],
        slug: [slug],
        id: [String(comment.body.comment.id), "0", "-1", "99999999999"]
      }
      const tokens = fc.constantFrom(undefined, caller.token, author.token, "garbage", `${caller.token.slice(0, -4)}AAAA`)

      const failures: Array<string> = []
      let sent = 0
      for (const operation of operations) {
        const request = fc.record({
          params: fc.tuple(...operation.pathParams.map((name) => pathSegment(known[name] ?? ["x"]))),
          query: fc.array(fc.tuple(fc.constantFrom(...operation.query, "unknown"), nastyText), { maxLength: 3 }),
          body: fc.oneof(
            { weight: 4, arbitrary: valueFor(operation.body, defs).map((value) => JSON.stringify(value) ?? "null") },
            { weight: 1, arbitrary: fc.constantFrom("{", "nul", '{"user":', "[]", "", '{"a":"\\ud800"}') }
          ),
          token: tokens,
          key: operation.keyed ? idempotencyKey : fc.constant(undefined)
        })
        yield* Effect.promise(() =>
          fc.assert(
            fc.asyncProperty(request, async ({ params, query, body, token, key }) => {
              let i = 0
              const path = operation.path.replace(/\{[^}]+\}/g, () => (params as Array<string>)[i++]!)
              const search = query.length === 0 ? "" : `?${query.map(([k, v]) => `${k}=${isWellFormed(v) ? encodeURIComponent(v) : "%ED%B0%80"}`).join("&")}`
              const hasBody = operation.method === "POST" || operation.method === "PUT"
              const response = await fetch(`${base}${path}${search}`, {
                method: operation.method,
                headers: {
                  ...(token === undefined ? {} : { authorization: `Token ${token}` }),
                  ...(key === undefined ? {} : { "idempotency-key": key }),
                  ...(hasBody ? { "content-type": "application/json" } : {})
                },
                ...(hasBody ? { body } : {})
              })
              const text = await response.text()
              sent++
              const where = `${operation.method} ${path}${search} ${hasBody ? body.slice(0, 200) : ""}`
              if (response.status >= 500) failures.push(`${response.status} ${where}: ${text.slice(0, 200)}`)
              if (response.status >= 400) {
                const parsed = (() => {
                  try {
                    return JSON.parse(text)
                  } catch {
                    return undefined
                  }
                })()
                const envelope =
                  parsed !== undefined &&
                  typeof parsed.errors === "object" &&
                  Object.values(parsed.errors).every((messages) => Array.isArray(messages) && messages.every((m) => typeof m === "string"))
                if (!envelope) failures.push(`${response.status} outside the envelope: ${where}: ${text.slice(0, 200)}`)
              }
            }),
            { numRuns: 12, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) }
          )
        )
      }
      console.log(`[fuzz] ${sent} requests over ${operations.length} operations, ${failures.length} failures`)
      expect(failures).toEqual([])
    }))
})
