import { Config, Duration, Effect, Option, Redacted, Schema, SchemaIssue } from "effect"
import { isWebhookSecret } from "./StandardWebhooks.ts"

export interface WebhookSettings {
  /** WEBHOOK_URL, comma-separated: every endpoint that receives every domain event. Empty: none. */
  readonly urls: ReadonlyArray<string>
  /** WEBHOOK_SECRET, `whsec_<base64>`: the key deliveries are signed with. Required with a URL. */
  readonly secret: Redacted.Redacted<string>
  /** WEBHOOK_ALLOW_PRIVATE=true lets endpoints resolve to loopback, link-local or private addresses. */
  readonly allowPrivate: boolean
  /** WEBHOOK_TIMEOUT: one attempt's budget. Default 10 seconds. */
  readonly timeout: Duration.Duration
}

// Names the key, never the value (a URL may carry a token, the secret is one).
const invalid = (key: string, message: string) =>
  new Config.ConfigError(new Schema.SchemaError(new SchemaIssue.Pointer([key], new SchemaIssue.InvalidValue({ message }))))

const urls = Config.String("WEBHOOK_URL").pipe(
  Config.withDefault(""),
  Config.mapEffect((value) => {
    const list = value.split(",").map((url) => url.trim()).filter((url) => url !== "")
    for (const url of list) {
      const parsed = URL.canParse(url) ? new URL(url) : undefined
      if (parsed === undefined || (parsed.protocol !== "https:" && parsed.protocol !== "http:")) {
        return Effect.fail(invalid("WEBHOOK_URL", "must be http(s) URLs separated by commas"))
      }
    }
    return Effect.succeed(list)
  })
)

export const webhookSettings: Config.Config<WebhookSettings> = Config.all({
  urls,
  secret: Config.Redacted("WEBHOOK_SECRET").pipe(Config.withDefault(Redacted.make(""))),
  allowPrivate: Config.Boolean("WEBHOOK_ALLOW_PRIVATE").pipe(Config.withDefault(false)),
  timeout: Config.Duration("WEBHOOK_TIMEOUT").pipe(Config.withDefault(Duration.seconds(10)))
}).pipe(
  Config.mapEffect((settings) =>
    settings.urls.length > 0 && !isWebhookSecret(Redacted.value(settings.secret))
      ? Effect.fail(invalid("WEBHOOK_SECRET", "must be whsec_ and a base64 key of at least 16 bytes when WEBHOOK_URL is set"))
      : Effect.succeed(settings)
  )
)

/** The configured endpoints, or none. */
export const webhookUrls = Config.map(webhookSettings, (settings) => (settings.urls.length === 0 ? Option.none() : Option.some(settings)))
