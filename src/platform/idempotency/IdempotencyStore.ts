import { Clock, Context, Duration, Effect, Layer, Option } from "effect"
import type { SqlError } from "effect/sql"

/** How long a key and its answer are kept: a retry after that runs as a new request. */
export const IDEMPOTENCY_KEY_TTL = Duration.hours(24)

/** A request's claim on a key: whose it is, the key, and a fingerprint of what was asked. */
export interface Claim {
  /** Whose keys these are (an account, or every anonymous client together). */
  readonly scope: string
  readonly key: string
  /** Tells a retry of the same request from a different request under the same key. */
  readonly fingerprint: string
}

/** The answer given the first time, replayed to retries. */
export interface StoredResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

export type Outcome<A> =
  /** The work ran now; `A` is its result (stored or not, as `keep` said). */
  | { readonly _tag: "Ran"; readonly value: A }
  /** The key was used before for the same request: its first answer. */
  | { readonly _tag: "Replay"; readonly response: StoredResponse }
  /** The key was used before for a different request. */
  | { readonly _tag: "Mismatch" }
  /** A request under the key is still running. */
  | { readonly _tag: "InFlight" }

/**
 * Keys of idempotent requests and their first answers. `once` runs the work at most once per key:
 * on PostgreSQL the work, the key and its answer commit in one transaction (the use cases' own
 * transactions nest inside it), so an answer is stored exactly when the writes behind it are.
 * The work's result is stored only when `keep` gives an answer for it; otherwise whatever it wrote
 * is rolled back too and the key stays free.
 */
export class IdempotencyStore extends Context.Service<
  IdempotencyStore,
  {
    readonly once: <A, E, R>(
      claim: Claim,
      work: Effect.Effect<A, E, R>,
      keep: (value: A) => Option.Option<StoredResponse>
    ) => Effect.Effect<Outcome<A>, E | SqlError.SqlError, R>
    /** Forgets expired keys; how many. */
    readonly prune: Effect.Effect<number, SqlError.SqlError>
  }
>()("app/platform/IdempotencyStore") {
  /** In process memory, for tests and demos: one replica, lost on exit, nothing to roll back. */
  static readonly layerMemory = Layer.sync(IdempotencyStore, () => {
    const stored = new Map<string, { readonly fingerprint: string; readonly response: StoredResponse; readonly expiresAt: number }>()
    const running = new Set<string>()
    const prune = Effect.map(Clock.currentTimeMillis, (now) => {
      let removed = 0
      // Entries are kept in insertion order with one TTL, so the expired ones come first.
      for (const [id, entry] of stored) {
        if (entry.expiresAt > now) break
        stored.delete(id)
        removed++
      }
      return removed
    })
    return IdempotencyStore.of({
      prune,
      once: (claim, work, keep) =>
        Effect.gen(function* () {
          const id = `${claim.scope}\u0000${claim.key}`
          if (running.has(id)) return { _tag: "InFlight" } as const
          yield* prune
          const previous = stored.get(id)
          if (previous !== undefined)
            return previous.fingerprint === claim.fingerprint
              ? ({ _tag: "Replay", response: previous.response } as const)
              : ({ _tag: "Mismatch" } as const)
          running.add(id)
          return yield* work.pipe(
            Effect.flatMap((value) =>
              Effect.map(Clock.currentTimeMillis, (now) => {
                const response = keep(value)
                if (Option.isSome(response))
                  stored.set(id, {
                    fingerprint: claim.fingerprint,
                    response: response.value,
                    expiresAt: now + Duration.toMillis(IDEMPOTENCY_KEY_TTL)
                  })
                return { _tag: "Ran", value } as const
              })
            ),
            Effect.ensuring(Effect.sync(() => running.delete(id)))
          )
        })
    })
  })
}
