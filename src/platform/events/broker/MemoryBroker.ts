import { Clock, Duration, Effect, Latch, Layer } from "effect"
import { type BrokerMessage, MessageBroker } from "./MessageBroker.ts"

/**
 * A broker in process memory with the Redis Streams adapter's semantics (both pass the same
 * contract suite): one log, durable groups that each read all of it, redelivery of what a member
 * failed on after `redeliverAfter`. For tests and demos; lost on exit.
 */
export const layerMemory = (options: { readonly redeliverAfter?: Duration.Input } = {}) =>
  Layer.sync(MessageBroker, () => {
    const redeliverAfter = Duration.toMillis(Duration.fromInputUnsafe(options.redeliverAfter ?? "30 seconds"))
    const log: Array<BrokerMessage> = []
    const wake = Latch.makeUnsafe(false)
    interface Group {
      /** The next position of the log no member has read. */
      next: number
      /** Positions delivered and not acknowledged, with when. */
      readonly pending: Map<number, number>
    }
    const groups = new Map<string, Group>()

    /** A position to deliver to the group now: an expired unacknowledged one first, then the next unread. */
    const claim = (group: Group, now: number): number | undefined => {
      for (const [position, at] of group.pending) if (now - at >= redeliverAfter) return position
      return group.next < log.length ? group.next++ : undefined
    }

    return MessageBroker.of({
      publish: (message) =>
        Effect.sync(() => {
          log.push(message)
          wake.openUnsafe()
        }),
      subscribe: ({ group: name, handle }) =>
        Effect.gen(function* () {
          const group = groups.get(name) ?? { next: 0, pending: new Map() }
          groups.set(name, group)
          const step = Effect.gen(function* () {
            const now = yield* Clock.currentTimeMillis
            const position = claim(group, now)
            if (position === undefined) {
              wake.closeUnsafe()
              yield* Effect.race(wake.await, Effect.sleep(Math.max(10, Math.min(redeliverAfter, 1000))))
              return
            }
            group.pending.set(position, now)
            const message = log[position]
            if (message === undefined) return
            yield* handle(message).pipe(
              Effect.tap(() => Effect.sync(() => group.pending.delete(position))),
              Effect.catchCause(() => Effect.void)
            )
          })
          yield* Effect.forkScoped(Effect.forever(step))
        })
    })
  })
