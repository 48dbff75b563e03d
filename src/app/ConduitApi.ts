import { OpenApi } from "effect/http-api"
import { documentRateLimits } from "../platform/http/RateLimitHttp.ts"
import { Application } from "./Application.ts"

/** The whole public HTTP contract: every module's groups, served under `/api` and described at `/openapi.json`. */
export class ConduitApi extends Application.api.annotateMerge(
  OpenApi.annotations({
    title: "Conduit API (hexa-monolith)",
    version: "2.0.0",
    description: "The RealWorld Conduit API served by a hexagonal modular monolith on Effect.",
    transform: documentRateLimits
  })
) {}
