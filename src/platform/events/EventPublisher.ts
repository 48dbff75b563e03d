import { Clock, Context, Effect } from "effect"
import type { DomainEvent } from "../../kernel/DomainEvent.ts"

/**
 * The port use cases publish domain events through. Call it inside the same `Transaction.run` as
 * the change the event describes: on PostgreSQL the event is then stored with the change or not at
 * all, and delivered to every consumer subscribed to its type after the commit, at least once.
 */
export class EventPublisher extends Context.Service<
  EventPublisher,
  { readonly publish: (...events: ReadonlyArray<DomainEvent>) => Effect.Effect<void> }
>()("app/platform/EventPublisher") {}

type EventInput<C extends { readonly make: (input: never) => DomainEvent }> = Omit<
  Parameters<C["make"]>[0],
  "id" | "type" | "version" | "occurredAt"
>

/** A new event of the given class: a fresh id and the current time around the caller's actor and payload. */
export const newEvent = <C extends { readonly make: (input: never) => DomainEvent }>(
  eventClass: C,
  input: EventInput<C>
): Effect.Effect<ReturnType<C["make"]>> =>
  Effect.map(Clock.currentTimeMillis, (now) =>
    eventClass.make({ ...input, id: crypto.randomUUID(), occurredAt: new Date(now) } as never) as ReturnType<C["make"]>
  )
