import { createHmac } from "node:crypto"
import { Redacted } from "effect"

// Standard Webhooks (standardwebhooks.com): the receiver checks
// `v1,base64(HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>"))` with the key it shares,
// written `whsec_<base64 of the key bytes>`, and refuses timestamps too far from its clock.

const PREFIX = "whsec_"

/** Whether `secret` is written as the specification writes one: `whsec_` and a non-empty base64 key. */
export const isWebhookSecret = (secret: string): boolean =>
  secret.startsWith(PREFIX) && /^[A-Za-z0-9+/]+={0,2}$/.test(secret.slice(PREFIX.length)) && keyOf(secret).length >= 16

const keyOf = (secret: string): Buffer => Buffer.from(secret.slice(PREFIX.length), "base64")

/** The three headers of one delivery attempt: the same id on every attempt, a fresh timestamp and signature. */
export const signatureHeaders = (
  secret: Redacted.Redacted<string>,
  message: { readonly id: string; readonly timestampSeconds: number; readonly body: string }
): Record<"webhook-id" | "webhook-timestamp" | "webhook-signature", string> => {
  const signed = `${message.id}.${message.timestampSeconds}.${message.body}`
  const signature = createHmac("sha256", keyOf(Redacted.value(secret))).update(signed).digest("base64")
  return {
    "webhook-id": message.id,
    "webhook-timestamp": String(message.timestampSeconds),
    "webhook-signature": `v1,${signature}`
  }
}
