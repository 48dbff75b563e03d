import { Context, type Effect, Schema, type Scope } from "effect"

// The port that carries domain events to systems outside the monolith. Delivery is at least once:
// a message a subscriber fails on (or never acknowledges, because it died) is delivered again, to
// the same group, so subscribers de-duplicate by `id` (the event's id).

export interface BrokerMessage {
  /** The event's id: the same on every delivery. */
  readonly id: string
  /** The event's type (`article.published`). */
  readonly type: string
  /** The event as JSON. */
  readonly body: string
}

export class BrokerError extends Schema.TaggedError<BrokerError>()("BrokerError", {
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}

export class MessageBroker extends Context.Service<
  MessageBroker,
  {
    readonly publish: (message: BrokerMessage) => Effect.Effect<void, BrokerError>
    /**
     * Consumes as `consumer`, a member of the durable `group`, for as long as the scope lives: every
     * group gets every message (those published while none of its members ran included), each
     * member of a group a share of them. A message is acknowledged when `handle` succeeds; one it
     * fails on, or whose member died holding it, is delivered again after `redeliverAfter`.
     */
    readonly subscribe: (options: {
      readonly group: string
      readonly consumer: string
      readonly handle: (message: BrokerMessage) => Effect.Effect<void, unknown>
    }) => Effect.Effect<void, BrokerError, Scope.Scope>
  }
>()("app/platform/events/MessageBroker") {}
