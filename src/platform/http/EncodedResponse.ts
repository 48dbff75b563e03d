import type { Schema } from "effect"
import { HttpServerResponse } from "effect/http"

/**
 * Answers with `value`, already in the success schema's encoded (JSON) form, without running its
 * encoder: on a page of twenty articles encoding only walked every field of every item to copy it,
 * the largest per-request cost the app had over a hand-written server (bench/README.md). The type
 * ties the value to the schema's encoded form at compile time (dates as ISO strings, for instance);
 * build the value field by field, since JSON.stringify writes every own property it has.
 */
export const encodedResponse = <S extends Schema.Top>(_schema: S, value: NoInfer<S["Encoded"]>, status = 200) =>
  HttpServerResponse.jsonUnsafe(value, { status })
