import { HttpApi } from "effect/http-api"

/**
 * The id of the one HTTP API every module contributes a group to. A module builds its handlers
 * against `HttpApi.make(API_ID).add(ItsGroup)`, the API as that module sees it, so it never imports
 * the composed API (or, through it, other modules); the composition root merges the groups.
 */
export const API_ID = "conduit"

/** Report every invalid field of a request, not only the first. */
export const reportAllErrors = [HttpApi.ParseOptions, { errors: "all" }] as const
