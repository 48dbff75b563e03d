import { assert, describe, expect, it } from "@effect/vitest"
import { type Duration, Effect, type Layer } from "effect"
import { type BrokerMessage, MessageBroker } from "../../../../src/platform/events/broker/MessageBroker.ts"
import { eventually } from "../../../support/Eventually.ts"

const message = (n: number): BrokerMessage => ({ id: `event-${n}`, type: "test.pinged", body: JSON.stringify({ n }) })

/** A recording subscriber: what it received, in order; `fail` decides per message whether to refuse it. */
const recorder = (fail: (m: BrokerMessage, seen: number) => boolean = () => false) => {
  const received: Array<string> = []
  return {
    received,
    handle: (m: BrokerMessage) =>
      Effect.suspend(() => {
        const seen = received.filter((id) => id === m.id).length
        received.push(m.id)
        return fail(m, seen) ? Effect.fail(new Error(`refusing ${m.id}`)) : Effect.void
      })
  }
}

/**
 * What every MessageBroker adapter must do. `broker(redeliverAfter)` builds a fresh, empty broker
 * whose unacknowledged messages come back after that long.
 */
export const messageBrokerContract = (name: string, makeBroker: (redeliverAfter: Duration.Input) => Layer.Layer<MessageBroker, unknown>) =>
  describe(`MessageBroker contract: ${name}`, () => {
    const broker = () => makeBroker("300 millis")

    it.live("new messages arrive at once, not by redelivery", () =>
      Effect.gen(function* () {
        const brokerService = yield* MessageBroker
        const sub = recorder()
        yield* brokerService.subscribe({ group: "prompt", consumer: "a", handle: sub.handle })
        yield* brokerService.publish(message(1))
        // Well under the minute after which a lost delivery would come back.
        yield* eventually(Effect.sync(() => assert.deepStrictEqual(sub.received, ["event-1"])), "20 seconds")
      }).pipe(Effect.scoped, Effect.provide(makeBroker("1 minute"))))

    it.live("a group gets every message once, in order, and acknowledged ones never come back", () =>
      Effect.gen(function* () {
        const brokerService = yield* MessageBroker
        const sub = recorder()
        yield* brokerService.subscribe({ group: "g", consumer: "a", handle: sub.handle })
        for (const n of [1, 2, 3]) yield* brokerService.publish(message(n))
        yield* eventually(Effect.sync(() => assert.deepStrictEqual(sub.received, ["event-1", "event-2", "event-3"])))
        yield* Effect.sleep("900 millis")
        expect(sub.received).toEqual(["event-1", "event-2", "event-3"])
      }).pipe(Effect.scoped, Effect.provide(broker())))

    it.live("groups are durable: what was published while none of a group's members ran reaches it, and every group gets all", () =>
      Effect.gen(function* () {
        const brokerService = yield* MessageBroker
        const first = recorder()
        yield* Effect.scoped(
          Effect.gen(function* () {
            yield* brokerService.subscribe({ group: "durable", consumer: "a", handle: first.handle })
            yield* brokerService.publish(message(1))
            yield* eventually(Effect.sync(() => assert.deepStrictEqual(first.received, ["event-1"])))
          })
        )
        // The member is gone; the group stays.
        yield* brokerService.publish(message(2))
        yield* brokerService.publish(message(3))
        const again = recorder()
        const other = recorder()
        yield* brokerService.subscribe({ group: "durable", consumer: "a", handle: again.handle })
        yield* brokerService.subscribe({ group: "another", consumer: "x", handle: other.handle })
        yield* eventually(Effect.sync(() => assert.deepStrictEqual(again.received, ["event-2", "event-3"])))
        yield* eventually(Effect.sync(() => assert.deepStrictEqual(other.received, ["event-1", "event-2", "event-3"])))
      }).pipe(Effect.scoped, Effect.provide(broker())))

    it.live("a message the handler fails on is delivered again, with the same id, until it succeeds", () =>
      Effect.gen(function* () {
        const brokerService = yield* MessageBroker
        const sub = recorder((m, seen) => m.id === "event-1" && seen < 2)
        yield* brokerService.subscribe({ group: "retry", consumer: "a", handle: sub.handle })
        yield* brokerService.publish(message(1))
        yield* brokerService.publish(message(2))
        yield* eventually(
          Effect.sync(() => expect(sub.received.filter((id) => id === "event-1")).toEqual(["event-1", "event-1", "event-1"]))
        )
        yield* Effect.sleep("900 millis")
        expect(sub.received.filter((id) => id === "event-1")).toHaveLength(3)
        expect(sub.received.filter((id) => id === "event-2")).toEqual(["event-2"])
      }).pipe(Effect.scoped, Effect.provide(broker())))

    it.live("members of one group share its messages, each handled by one of them", () =>
      Effect.gen(function* () {
        const brokerService = yield* MessageBroker
        const [a, b] = [recorder(), recorder()]
        yield* brokerService.subscribe({ group: "shared", consumer: "a", handle: a.handle })
        yield* brokerService.subscribe({ group: "shared", consumer: "b", handle: b.handle })
        const ids = Array.from({ length: 20 }, (_, n) => n)
        for (const n of ids) yield* brokerService.publish(message(n))
        yield* eventually(Effect.sync(() => assert.strictEqual(a.received.length + b.received.length, 20)))
        yield* Effect.sleep("900 millis")
        expect([...a.received, ...b.received].sort()).toEqual(ids.map((n) => `event-${n}`).sort())
      }).pipe(Effect.scoped, Effect.provide(broker())))

    it.live("a message whose member died holding it goes to another member", () =>
      Effect.gen(function* () {
        const brokerService = yield* MessageBroker
        let took = false
        yield* Effect.scoped(
          Effect.gen(function* () {
            yield* brokerService.subscribe({
              group: "takeover",
              consumer: "dies",
              handle: () => Effect.andThen(Effect.sync(() => (took = true)), Effect.never)
            })
            yield* brokerService.publish(message(1))
            yield* eventually(Effect.sync(() => assert.isTrue(took)))
          })
        )
        const survivor = recorder()
        yield* brokerService.subscribe({ group: "takeover", consumer: "lives", handle: survivor.handle })
        yield* eventually(Effect.sync(() => assert.deepStrictEqual(survivor.received, ["event-1"])))
      }).pipe(Effect.scoped, Effect.provide(broker())))
  })
