import { HttpClient, HttpClientRequest } from "effect/http"
import { HttpApiClient } from "effect/http-api"
import { ConduitApi } from "../app/ConduitApi.ts"

// A typed client of the Conduit API for TypeScript front ends and other services, derived from the
// very HttpApi definition the server serves: one method per endpoint (`client.articles.list`,
// `client.users.login`, …), requests encoded and responses decoded with the contract's schemas,
// failures typed as the contract's errors (NotFound, Unauthorized, Unprocessable, …).

export interface ConduitClientOptions {
  /** Where the API is served, e.g. `https://conduit.example.com` (the client adds `/api/…`). */
  readonly baseUrl?: string
  /** A token from `users.register` or `users.login`, sent as `Authorization: Token <jwt>`. */
  readonly token?: string
}

export type ConduitClient = HttpApiClient.ForApi<typeof ConduitApi>

/** Builds the client over whatever HttpClient is provided (FetchHttpClient.layer in a browser or Node). */
export const makeConduitClient = (options: ConduitClientOptions = {}) =>
  HttpApiClient.make(ConduitApi, {
    ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
    ...(options.token === undefined
      ? {}
      : { transformClient: HttpClient.mapRequest(HttpClientRequest.setHeader("authorization", `Token ${options.token}`)) })
  })
