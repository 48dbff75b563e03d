import type { DomainEvent } from "../../kernel/DomainEvent.ts"

// CloudEvents 1.0 in its JSON format: the envelope webhook receivers (and most event routers) read.

/** Identifies this service as the producer (`source`). */
export const SOURCE = "urn:hexa-monolith:conduit"

/**
 * The event as a CloudEvent: `type` is `conduit.<event type>`, `data` its payload; the event's
 * version and acting user ride along as the extension attributes `eventversion` and `actorid`.
 */
export const toCloudEvent = (event: DomainEvent) => ({
  specversion: "1.0",
  id: event.id,
  type: `conduit.${event.type}`,
  source: SOURCE,
  time: event.occurredAt.toISOString(),
  datacontenttype: "application/json",
  eventversion: event.version,
  ...(event.actorId === null ? {} : { actorid: String(event.actorId) }),
  data: event.payload
})
