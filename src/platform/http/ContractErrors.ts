import { Schema } from "effect"

// The RealWorld error envelope, `{"errors": {"<field>": ["<message>"]}}`, one class per status.
// Domain errors stay free of HTTP; each module's HTTP adapter maps its errors onto these.

const Envelope = { errors: Schema.Record(Schema.String, Schema.Array(Schema.String)) }
export type FieldErrors = Readonly<Record<string, ReadonlyArray<string>>>

/** `{ field: [message] }`: the common one-field body. */
export const fieldError = (field: string, message: string) => ({ errors: { [field]: [message] } })

export class Unauthorized extends Schema.Error<Unauthorized>("Unauthorized")(Envelope, { httpApiStatus: 401 }) {}
export class Forbidden extends Schema.Error<Forbidden>("Forbidden")(Envelope, { httpApiStatus: 403 }) {}
export class NotFound extends Schema.Error<NotFound>("NotFound")(Envelope, { httpApiStatus: 404 }) {}
export class Conflict extends Schema.Error<Conflict>("Conflict")(Envelope, { httpApiStatus: 409 }) {}
export class Unprocessable extends Schema.Error<Unprocessable>("Unprocessable")(Envelope, { httpApiStatus: 422 }) {}
/** An extension to the contract: a rate limit refused the request (see the `x-rate-limits` extension). */
export class ServiceUnavailable extends Schema.Error<ServiceUnavailable>("ServiceUnavailable")(Envelope, {
  httpApiStatus: 503
}) {}
export class TooManyRequests extends Schema.Error<TooManyRequests>("TooManyRequests")(Envelope, { httpApiStatus: 429 }) {}
