import { Context, Effect } from "effect"
import { HttpEffect, HttpServerRequest, HttpServerResponse } from "effect/http"

/**
 * The docs page's policy, the one place to adjust it when the page changes: the page (DocsPage.ts)
 * inlines Scalar's script, styles and the OpenAPI document, and fetches nothing but its own origin
 * (no web fonts either: it uses the system's).
 */
export const DocsContentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'unsafe-inline'",
  "style-src 'unsafe-inline'",
  "img-src 'self' data: https:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'"
].join("; ")

/** JSON responses render nothing, load nothing and may not be framed. */
export const ApiContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'"

export const DOCS_PATH = "/docs"

/** A year, with subdomains: only sent when every client reaches the service over HTTPS. */
const HSTS = "max-age=31536000; includeSubDomains"

/** Responses that carry a token, or that were answered for a token, are never stored by caches. */
const carriesCredentials = (request: HttpServerRequest.HttpServerRequest) =>
  request.headers.authorization !== undefined || /^\/api\/users(\/login)?\/?(\?|$)/.test(request.url)

export interface SecurityHeadersOptions {
  /** Clients reach the service only through TLS (terminated in front of it): send Strict-Transport-Security. */
  readonly behindTls: boolean
}

/**
 * Serve-level middleware: every response, whoever produced it (routes, fallbacks, the server's own
 * error answers), leaves with nosniff, a referrer policy, a content security policy, `no-store` when
 * credentials are involved, and HSTS when configured.
 */
export const SecurityHeaders =
  (options: SecurityHeadersOptions) =>
  <E, R>(app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>) =>
    Effect.withFiber<HttpServerResponse.HttpServerResponse, E, R | HttpServerRequest.HttpServerRequest>((fiber) => {
      const request = Context.getUnsafe(fiber.context, HttpServerRequest.HttpServerRequest)
      const isDocs = request.url === DOCS_PATH || request.url.startsWith(`${DOCS_PATH}?`)
      const headers: Record<string, string> = {
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
        "content-security-policy": isDocs ? DocsContentSecurityPolicy : ApiContentSecurityPolicy
      }
      if (carriesCredentials(request)) headers["cache-control"] = "no-store"
      if (options.behindTls) headers["strict-transport-security"] = HSTS
      HttpEffect.appendPreResponseHandlerUnsafe(fiber.context, (_, response) =>
        Effect.succeed(HttpServerResponse.setHeaders(response, headers))
      )
      return app
    })
