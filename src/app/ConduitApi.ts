import { OpenApi } from "effect/http-api"
import { documentIdempotency } from "../platform/http/IdempotentWrites.ts"
import { documentEdge } from "../platform/http/OpenApiContract.ts"
import { documentRateLimits } from "../platform/http/RateLimitHttp.ts"
import { Application } from "./Application.ts"

/** POSTs that take no Idempotency-Key: logging in changes nothing a retry could repeat. */
export const UNKEYED_POSTS = ["/api/users/login"]

/** The whole public HTTP contract: every module's groups, served under `/api` and described at `/openapi.json`. */
export class ConduitApi extends Application.api.annotateMerge(
  OpenApi.annotations({
    title: "Conduit API (hexa-monolith)",
    version: "2.0.0",
    description:
      "The RealWorld Conduit API served by a hexagonal modular monolith on Effect. Responses marked `x-extension` are statuses this server answers beyond the RealWorld contract.",
    license: { name: "MIT License", url: "https://opensource.org/licenses/MIT" },
    // The limits' 429s and the keys' refusals first, so the edge's pass sees every response (their error model included).
    transform: (spec) => documentEdge("/api")(documentIdempotency(UNKEYED_POSTS)(documentRateLimits(spec)))
  })
) {}
