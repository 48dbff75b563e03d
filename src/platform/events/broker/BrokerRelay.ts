import { NodeRedis } from "@effect/platform-node"
import { Config, Effect, Layer, Option, Redacted, Schema, SchemaIssue } from "effect"
import type { DomainEvent, EventClass } from "../../../kernel/DomainEvent.ts"
import { eventConsumer } from "../Outbox.ts"
import { MessageBroker } from "./MessageBroker.ts"
import * as RedisStreamsBroker from "./RedisStreamsBroker.ts"

/**
 * The outbox consumer that relays every event of the given classes to the broker: an event reaches
 * it only once committed, and a broker that is down only delays it (the outbox retries, then parks).
 */
export const brokerRelay = (events: ReadonlyArray<EventClass>) =>
  eventConsumer({
    name: "broker.relay",
    events,
    handler: Effect.gen(function* () {
      const broker = yield* MessageBroker
      return (event: DomainEvent) => broker.publish({ id: event.id, type: event.type, body: JSON.stringify(event) })
    })
  })

/** BROKER_URL (`redis://…` or `rediss://…`): where events are relayed; unset, nothing is. */
export const brokerUrl = Config.Redacted("BROKER_URL").pipe(
  Config.option,
  Config.mapEffect((url): Effect.Effect<Option.Option<Redacted.Redacted>, Config.ConfigError> => {
    // Empty is unset, as a Secret's empty optional key is.
    if (Option.isNone(url) || Redacted.value(url.value) === "") return Effect.succeed(Option.none())
    const scheme = /^([a-z]+):\/\//.exec(Redacted.value(url.value))?.[1]
    if (scheme === "redis" || scheme === "rediss") return Effect.succeed(url)
    // Names the key, never the (secret-bearing) value.
    const issue = new SchemaIssue.InvalidValue({ message: "must be a redis:// or rediss:// URL" })
    return Effect.fail(new Config.ConfigError(new Schema.SchemaError(new SchemaIssue.Pointer(["BROKER_URL"], issue))))
  })
)

/** The Redis Streams broker at `url`. */
export const layerRedis = (url: Redacted.Redacted) =>
  RedisStreamsBroker.layer().pipe(Layer.provide(NodeRedis.layer({ url: Redacted.value(url) })))
