import { Duration, Effect, Layer, Schedule } from "effect"
import { Redis } from "effect/persistence"
import { type BrokerMessage, BrokerError, MessageBroker } from "./MessageBroker.ts"

// Redis Streams: one stream holds the events (XADD, trimmed to about `maxLength` entries), consumer
// groups are the durable subscribers (XGROUP), XREADGROUP hands each member new entries, XACK
// acknowledges, and XAUTOCLAIM hands entries left unacknowledged longer than `redeliverAfter` (a
// failed handler, a dead member) to a live member. Chosen over NATS JetStream because the service
// already runs Redis (cache, rate limits) and effect ships its client; JetStream would add a server.

export interface RedisStreamsOptions {
  /** The stream's key. */
  readonly stream?: string
  /** Entries kept, approximately (older ones are trimmed as new ones arrive). */
  readonly maxLength?: number
  readonly redeliverAfter?: Duration.Input
  /** How long one blocking read waits for new entries. */
  readonly block?: Duration.Input
}

type Entry = readonly [id: string, fields: ReadonlyArray<string> | null]

const toMessage = ([, fields]: Entry): BrokerMessage | undefined => {
  if (fields === null) return undefined // trimmed while pending
  const value = (name: string) => {
    const at = fields.indexOf(name)
    return at >= 0 && at % 2 === 0 ? fields[at + 1] : undefined
  }
  const id = value("id")
  const type = value("type")
  const body = value("body")
  return id === undefined || type === undefined || body === undefined ? undefined : { id, type, body }
}

/** XREADGROUP answers `[[stream, entries]]` over RESP2 and `{ stream: entries }` over RESP3; null when nothing came. */
type StreamsReply = ReadonlyArray<readonly [string, ReadonlyArray<Entry>]> | Readonly<Record<string, ReadonlyArray<Entry>>> | null
const entriesOf = (reply: StreamsReply): ReadonlyArray<Entry> =>
  reply === null ? [] : Array.isArray(reply) ? (reply[0]?.[1] ?? []) : (Object.values(reply)[0] ?? [])

const failure = (message: string) => (error: Redis.RedisError) => new BrokerError({ message, cause: error })

export const layer = (options: RedisStreamsOptions = {}) =>
  Layer.effect(
    MessageBroker,
    Effect.gen(function* () {
      const redis = yield* Redis.Redis
      const stream = options.stream ?? "conduit:events"
      const maxLength = String(options.maxLength ?? 100_000)
      const idleMillis = String(Duration.toMillis(Duration.fromInputUnsafe(options.redeliverAfter ?? "30 seconds")))
      const blockMillis = String(Duration.toMillis(Duration.fromInputUnsafe(options.block ?? "1 second")))

      const publish = (message: BrokerMessage) =>
        redis
          .send("XADD", stream, "MAXLEN", "~", maxLength, "*", "id", message.id, "type", message.type, "body", message.body)
          .pipe(Effect.asVoid, Effect.mapError(failure("could not publish to Redis")), Effect.withSpan("MessageBroker.publish"))

      /** Creates the group at the start of the stream (a new group reads what the stream still holds). */
      const ensureGroup = (group: string) =>
        redis.send("XGROUP", "CREATE", stream, group, "0", "MKSTREAM").pipe(
          Effect.asVoid,
          Effect.catch((error) => (String(error.cause ?? error).includes("BUSYGROUP") ? Effect.void : Effect.fail(error)))
        )

      const subscribe = ({ group, consumer, handle }: Parameters<MessageBroker["Service"]["subscribe"]>[0]) =>
        Effect.gen(function* () {
          yield* ensureGroup(group).pipe(Effect.mapError(failure(`could not create the consumer group ${group}`)))
          const deliver = (entries: ReadonlyArray<Entry>) =>
            Effect.forEach(
              entries,
              (entry) => {
                const message = toMessage(entry)
                const ack = redis.send("XACK", stream, group, entry[0])
                // An entry that is not one of ours can never be handled: acknowledge it away.
                if (message === undefined) return Effect.asVoid(ack)
                return handle(message).pipe(
                  Effect.matchCauseEffect({ onSuccess: () => Effect.asVoid(ack), onFailure: () => Effect.void })
                )
              },
              { discard: true }
            )
          const round = Effect.scoped(
            Effect.gen(function* () {
              // Entries others (or this member) left unacknowledged for too long, then new ones.
              const [, claimed] = yield* redis.send<[string, ReadonlyArray<Entry>]>(
                "XAUTOCLAIM", stream, group, consumer, idleMillis, "0-0", "COUNT", "10"
              )
              if (claimed.length > 0) return yield* deliver(claimed)
              // Blocking reads get a connection of their own, so they hold up no other command.
              const connection = yield* redis.reserve
              const read = yield* connection.send<StreamsReply>(
                "XREADGROUP", "GROUP", group, consumer, "COUNT", "10", "BLOCK", blockMillis, "STREAMS", stream, ">"
              )
              yield* deliver(entriesOf(read))
            })
          )
          // Redis gone degrades delivery, never ends it: keep trying, backing off to 5 s.
          yield* round.pipe(
            Effect.tapCause((cause) => Effect.logWarning("reading the Redis stream failed; retrying", cause)),
            Effect.retry(Schedule.min([Schedule.exponential("100 millis"), Schedule.spaced("5 seconds")])),
            Effect.forever,
            Effect.forkScoped
          )
        })

      return MessageBroker.of({ publish, subscribe })
    })
  )
