import { randomUUID } from "node:crypto"
import { Context } from "effect"

/** The request id of the HTTP request being served (undefined outside one). */
export const CurrentRequestId = Context.Reference<string | undefined>("app/platform/CurrentRequestId", {
  defaultValue: () => undefined
})

// Ids from clients or proxies are echoed into logs and headers: only a safe, bounded shape is kept.
const acceptable = /^[A-Za-z0-9._:@+=/-]{1,128}$/

/** The caller's `X-Request-Id` when it is a sane token, a fresh UUID otherwise. */
export const requestIdFrom = (header: string | undefined): string =>
  header !== undefined && acceptable.test(header) ? header : randomUUID()
