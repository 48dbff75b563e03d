import { Effect, SchemaIssue } from "effect"
import { HttpApiMiddleware } from "effect/http-api"
import { type FieldErrors, Unprocessable } from "./ContractErrors.ts"

/**
 * Turns request decoding failures (params, query, headers, body, malformed JSON) into the contract's
 * 422 body naming every offending field, instead of effect's empty 400.
 */
export class RequestValidation extends HttpApiMiddleware.Service<RequestValidation>()("app/http/RequestValidation", {
  error: Unprocessable
}) {
  static readonly layer = HttpApiMiddleware.layerSchemaErrorTransform(RequestValidation, (error) =>
    error.kind === "Body" || error.kind === "ResponseHeaders"
      ? Effect.die(error) // our own response failed to encode: a bug, reported as a 500
      : Effect.fail(new Unprocessable({ errors: toFieldErrors(error.cause.issue) }))
  )
}

const formatter = SchemaIssue.makeFormatterStandardSchemaV1({
  leafHook: (issue) => {
    switch (issue._tag) {
      case "MissingKey":
        return "can't be blank"
      case "UnexpectedKey":
        return "is unknown"
      case "InvalidValue":
        return issue.annotations?.message?.toString() ?? "is invalid"
      default:
        return "is invalid"
    }
  }
})

/** Field = the innermost named key of the issue's path; a body that is not an object at all reports `body`. */
export const toFieldErrors = (issue: SchemaIssue.Issue): FieldErrors => {
  const errors: Record<string, Array<string>> = {}
  for (const { path, message } of formatter(issue).issues) {
    const keys = (path ?? []).map((segment) => (typeof segment === "object" ? segment.key : segment))
    const field = [...keys].reverse().find((key) => typeof key === "string") ?? "body"
    const messages = errors[String(field)] ?? []
    if (!messages.includes(message)) errors[String(field)] = [...messages, message]
  }
  return errors
}
