import { Config, Context, Duration, Effect, Layer, Option, Schema, SchemaIssue } from "effect"
import { RateLimiter } from "effect/persistence"
import { RedisConfig, RedisStatus } from "../redis/RedisConnection.ts"

/** At most `limit` events per `window` for one key; `name` labels it in headers and logs. */
export interface LimitPolicy {
  readonly name: string
  readonly limit: number
  readonly window: Duration.Duration
}

export interface RateLimitSettings {
  readonly failedLoginsPerAccount: LimitPolicy
  readonly failedLoginsPerAddress: LimitPolicy
  readonly registrationsPerAddress: LimitPolicy
  readonly writesPerAddress: LimitPolicy
  /**
   * The request header a trusted reverse proxy puts the client's address in (`x-forwarded-for`:
   * its last entry, the one that proxy added). None: the address of the socket's peer.
   */
  readonly clientAddressHeader: Option.Option<string>
}

/** `"10 per 15 minutes"`: a count, then any duration effect reads. */
const parsePolicy = (name: string, raw: string): LimitPolicy | undefined => {
  const match = /^\s*(\d+)\s+per\s+(.+?)\s*$/.exec(raw)
  const window = Option.getOrUndefined(Duration.fromInput((match?.[2] ?? "") as Duration.Input))
  const limit = Number(match?.[1])
  return window === undefined || !(limit >= 1) || !Duration.isPositive(window) ? undefined : { name, limit, window }
}

type Policies = Omit<RateLimitSettings, "clientAddressHeader">

/** The defaults, each with its setting. */
const defaults: { readonly [K in keyof Policies]: readonly [name: string, key: string, raw: string] } = {
  failedLoginsPerAccount: ["login-account", "RATE_LIMIT_FAILED_LOGINS_PER_ACCOUNT", "10 per 15 minutes"],
  failedLoginsPerAddress: ["login-address", "RATE_LIMIT_FAILED_LOGINS_PER_ADDRESS", "50 per 15 minutes"],
  registrationsPerAddress: ["register-address", "RATE_LIMIT_REGISTRATIONS_PER_ADDRESS", "20 per 1 hour"],
  writesPerAddress: ["writes-address", "RATE_LIMIT_WRITES_PER_ADDRESS", "300 per 1 minute"]
}

export const defaultPolicies = Object.fromEntries(
  Object.entries(defaults).map(([field, [name, , raw]]) => [field, parsePolicy(name, raw)])
) as Policies

const policy = ([name, key, fallback]: readonly [string, string, string]): Config.Config<LimitPolicy> =>
  Config.String(key).pipe(
    Config.withDefault(fallback),
    Config.mapEffect((raw) => {
      const parsed = parsePolicy(name, raw)
      return parsed === undefined
        ? Effect.fail(
            new Config.ConfigError(
              new Schema.SchemaError(
                new SchemaIssue.Pointer(
                  [key],
                  new SchemaIssue.InvalidValue({ message: `must read like "10 per 15 minutes", not "${raw}"` })
                )
              )
            )
          )
        : Effect.succeed(parsed)
    })
  )

export const rateLimitSettings: Config.Config<RateLimitSettings> = Config.all({
  failedLoginsPerAccount: policy(defaults.failedLoginsPerAccount),
  failedLoginsPerAddress: policy(defaults.failedLoginsPerAddress),
  registrationsPerAddress: policy(defaults.registrationsPerAddress),
  writesPerAddress: policy(defaults.writesPerAddress),
  clientAddressHeader: Config.String("CLIENT_ADDRESS_HEADER").pipe(
    Config.option,
    Config.map(Option.flatMap((name) => Option.liftPredicate(name.trim().toLowerCase(), (n) => n !== "")))
  )
})

export class RateLimitConfig extends Context.Service<RateLimitConfig, RateLimitSettings>()(
  "app/platform/RateLimitConfig"
) {
  static readonly layer = Layer.effect(RateLimitConfig, Effect.gen(function* () {
    return yield* rateLimitSettings
  }))
}

/** A request refused by a limit, with how long until it would pass. */
export class RateLimited extends Schema.TaggedError<RateLimited>()("RateLimited", {
  policy: Schema.Struct({ name: Schema.String, limit: Schema.Number, window: Schema.Duration }),
  retryAfter: Schema.Duration
}) {}

/**
 * Counting limits over effect's RateLimiter (its fixed-window store: each event adds window/limit of
 * time, the count resets once that time has passed). `consume` counts an event and refuses it past
 * the limit; `check` refuses once the limit is reached, without counting (for failed logins, counted
 * only when they fail).
 */
export class RateLimits extends Context.Service<
  RateLimits,
  {
    readonly consume: (policy: LimitPolicy, key: string) => Effect.Effect<void, RateLimited>
    readonly check: (policy: LimitPolicy, key: string) => Effect.Effect<void, RateLimited>
  }
>()("app/platform/RateLimits") {
  /** Counts in this process: right for one replica. */
  static readonly layerMemory = Layer.effect(
    RateLimits,
    Effect.map(RateLimiter.make, (limiter) => fromLimiter((attempt) => attempt(limiter)))
  ).pipe(Layer.provide(RateLimiter.layerStoreMemory))

  /**
   * Counts in Redis, shared by every replica. Redis away or slow: counts fall back to this replica's
   * memory (limits hold per replica rather than not at all), with one warning and a counter.
   */
  static readonly layerRedis = Layer.effect(
    RateLimits,
    Effect.gen(function* () {
      const { keyPrefix, commandTimeout } = yield* RedisConfig
      const status = yield* RedisStatus
      const shared = yield* RateLimiter.make.pipe(
        Effect.provide(RateLimiter.layerStoreRedis({ prefix: `${keyPrefix}ratelimit:` }))
      )
      const local = yield* RateLimiter.make.pipe(Effect.provide(RateLimiter.layerStoreMemory))
      return fromLimiter((attempt) =>
        Effect.timeout(attempt(shared), commandTimeout).pipe(
          Effect.tap(() => status.succeeded),
          Effect.catch((error) =>
            isExceeded(error)
              ? Effect.fail(error)
              : Effect.andThen(status.failed("ratelimit", error), attempt(local))
          )
        )
      )
    })
  )
}

type Attempt = (limiter: RateLimiter.RateLimiter) => Effect.Effect<RateLimiter.ConsumeResult, RateLimiter.RateLimiterError>

const isExceeded = (error: unknown): error is RateLimiter.RateLimiterError =>
  error instanceof RateLimiter.RateLimiterError && error.reason._tag === "RateLimitExceeded"

const fromLimiter = (
  run: (attempt: Attempt) => Effect.Effect<RateLimiter.ConsumeResult, unknown>
): RateLimits["Service"] => {
  const refuse = (policy: LimitPolicy, retryAfter: Duration.Duration) =>
    new RateLimited({
      policy,
      // Never "retry after 0 seconds" for a refusal: at least one second.
      retryAfter: Duration.max(retryAfter, Duration.seconds(1))
    })
  const counted = (policy: LimitPolicy, key: string, tokens: number) =>
    run((limiter) =>
      limiter.consume({ key: `${policy.name}:${key}`, limit: policy.limit, window: policy.window, tokens })
    ).pipe(
      Effect.catch((error) =>
        isExceeded(error) && error.reason._tag === "RateLimitExceeded"
          ? Effect.fail(refuse(policy, error.reason.retryAfter))
          : Effect.die(error) // unreachable: the Redis adapter answers store failures from memory
      )
    )
  return RateLimits.of({
    consume: (policy, key) => Effect.asVoid(counted(policy, key, 1)),
    check: (policy, key) =>
      Effect.flatMap(counted(policy, key, 0), (result) =>
        result.remaining <= 0 ? Effect.fail(refuse(policy, result.resetAfter)) : Effect.void
      )
  })
}
