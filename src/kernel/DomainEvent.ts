import { Schema } from "effect"

// The envelope every domain event shares. Events are facts a module states about itself ("an
// article was published"), versioned so a consumer written against version 1 can refuse version 2
// instead of misreading it. Ids are UUIDs, one per event, and consumers de-duplicate by them.

/** Fields every domain event carries besides its payload. */
export const eventFields = <const Type extends string, const Version extends number>(type: Type, version: Version) => ({
  id: Schema.String,
  type: Schema.tag(type),
  version: Schema.tag(version),
  /** When the change happened, by the publishing use case's clock. */
  occurredAt: Schema.Date,
  /** The user whose request caused the change; null when an operator or the system acted. */
  actorId: Schema.NullOr(Schema.Int)
})

/** What the outbox, consumers and relays know of any event. */
export interface DomainEvent {
  readonly id: string
  readonly type: string
  readonly version: number
  readonly occurredAt: Date
  readonly actorId: number | null
  readonly payload: unknown
}

/** An event class: a schema whose values are events of one `type`, as consumers subscribe to it. */
export interface EventClass<E extends DomainEvent = DomainEvent> extends Schema.Codec<E, unknown> {
  readonly fields: { readonly type: Schema.tag<string> }
}

/** The `type` an event class declares (`"user.deleted"`). */
export const typeOf = (eventClass: EventClass): string => eventClass.fields.type.ast.literal as string
