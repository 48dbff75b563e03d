import type { Schema } from "effect"
import { HttpServerResponse } from "effect/http"

/**
 * Answers with `value` as the endpoint's success schema would, without running its encoder. For a
 * success schema whose encoded form is its type (plain JSON fields, no transformations) encoding only
 * walks every field of every item to copy it: on a page of twenty articles that was the largest
 * per-request cost the app had over a hand-written server (bench/README.md). The type ties the value
 * to the schema at compile time; build the value field by field, since JSON.stringify writes every
 * own property it has.
 */
export const encodedResponse = <A>(_schema: Schema.Codec<A, A>, value: NoInfer<A>, status = 200) =>
  HttpServerResponse.jsonUnsafe(value, { status })
