import { createHash } from "node:crypto"
import { promisify } from "node:util"
import { brotliCompress, constants, gzip } from "node:zlib"
import { Effect } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { type HttpApi, type HttpApiGroup, OpenApi } from "effect/http-api"

// The interactive API reference at /docs: effect's bundled Scalar (no CDN), configured for the
// contract's `Authorization: Token <jwt>` and for no requests beyond this server (no web fonts),
// rendered once, on the first request for it, and compressed once, in the background (the page is
// ~3 MB, mostly the Scalar bundle: compressing it takes a second or more). Rendered at start-up
// instead, the bundle, the page and the compressors' buffers cost every process ~30 MB of resident
// memory, and most replicas never serve the page.

/** effect ships Scalar's standalone bundle as an internal module; its exports map hides it, its file does not. */
const scalarBundle = Effect.promise(async () => {
  const file = new URL("./http-api/internal/httpApiScalar.js", import.meta.resolve("effect"))
  return ((await import(file.href)) as { readonly javascript: string }).javascript
})

/** `<` and the JS line terminators cannot appear raw inside an inline script. */
const scriptJson = (value: unknown) =>
  JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/[\u2028\u2029]/g, (c) => (c === "\u2028" ? "\\u2028" : "\\u2029"))

const escapeHtml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

const page = (spec: OpenApi.OpenAPISpec, bundle: string) => {
  const config = {
    _integration: "html",
    content: spec,
    withDefaultFonts: false,
    hideClientButton: true,
    // The scheme is an API key whose value carries the word: prefill it so a pasted token just works.
    authentication: { preferredSecurityScheme: "Token", securitySchemes: { Token: { value: "Token " } } },
    customCss: ":root { --scalar-font: system-ui, sans-serif; --scalar-font-code: ui-monospace, monospace; }"
  }
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${escapeHtml(spec.info.title)}</title>
    <meta name="viewport" content="width=device-width, initial-scale=1" />
  </head>
  <body>
    <div id="api-reference"></div>
    <script>${bundle}</script>
    <script>window.Scalar.createApiReference(document.getElementById("api-reference"), ${scriptJson(config)})</script>
  </body>
</html>`
}

/** The encodings the page is stored in, best first, as named in Accept-Encoding. */
type Encoding = "br" | "gzip" | "identity"

/** Which encoding to send: br, then gzip, if the client accepts it (q=0 refuses) and it is `available`; else identity. */
export const negotiate = (acceptEncoding: string | undefined, available: (encoding: Encoding) => boolean): Encoding => {
  const accepted = new Map<string, number>()
  for (const part of (acceptEncoding ?? "").split(",")) {
    const [name = "", ...params] = part.trim().toLowerCase().split(";")
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="))
    if (name !== "") accepted.set(name, q === undefined ? 1 : Number(q.slice(2)) || 0)
  }
  const ok = (name: Encoding) => available(name) && (accepted.get(name) ?? accepted.get("*") ?? 0) > 0
  return ok("br") ? "br" : ok("gzip") ? "gzip" : "identity"
}

const compressors: Record<Exclude<Encoding, "identity">, (html: Buffer) => Promise<Uint8Array>> = {
  gzip: (html) => promisify(gzip)(html, { level: 9 }),
  // Quality 5: within 15 % of quality 11 in size, at a few percent of its time.
  br: (html) =>
    promisify(brotliCompress)(html, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: html.length }
    })
}

/**
 * Serves the docs page of `api` at `path`: rendered and hashed once, when first asked for; each
 * compressed form is made once and served as soon as it exists (until then the page goes out in a
 * form that does).
 */
export const DocsPage = <Id extends string, Groups extends HttpApiGroup.Constraint>(
  api: HttpApi.HttpApi<Id, Groups>,
  path: `/${string}`
) =>
  HttpRouter.use(
    Effect.fnUntraced(function* (router) {
      // The compressions outlive the request that started them: they run in the server's scope.
      const scope = yield* Effect.scope
      const rendered = yield* Effect.cached(
        Effect.gen(function* () {
          const html = Buffer.from(page(OpenApi.fromApi(api), yield* scalarBundle))
          const bodies: Partial<Record<Encoding, Uint8Array>> = { identity: html }
          for (const [encoding, compress] of Object.entries(compressors))
            yield* Effect.forkIn(
              Effect.tryPromise(() => compress(html)).pipe(
                Effect.tap((body) => Effect.sync(() => (bodies[encoding as Encoding] = body))),
                Effect.catch((error) => Effect.logWarning(`docs page not compressed with ${encoding}`, error))
              ),
              scope
            )
          // One representation per encoding, so one strong validator per encoding.
          return { html, bodies, hash: createHash("sha256").update(html).digest("base64url").slice(0, 27) }
        })
      )
      yield* router.add(
        "GET",
        path,
        Effect.zipWith(rendered, HttpServerRequest.HttpServerRequest, ({ html, bodies, hash }, request) => {
          const etag = (encoding: Encoding) => `"${hash}${encoding === "identity" ? "" : `-${encoding}`}"`
          const encoding = negotiate(request.headers["accept-encoding"], (name) => bodies[name] !== undefined)
          const headers = {
            etag: etag(encoding),
            "cache-control": "public, max-age=300, must-revalidate",
            vary: "Accept-Encoding",
            ...(encoding === "identity" ? {} : { "content-encoding": encoding })
          }
          const known = request.headers["if-none-match"]?.split(",").some((tag) => tag.trim().startsWith(`"${hash}`))
          if (known === true) return HttpServerResponse.empty({ status: 304, headers })
          return HttpServerResponse.uint8Array(bodies[encoding] ?? html, { contentType: "text/html; charset=utf-8", headers })
        })
      )
    })
  )
