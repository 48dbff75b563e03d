import { Effect } from "effect"
import { eventConsumer } from "../../../../platform/events/Outbox.ts"
import { UserDeleted } from "../../../users/public.ts"
import { Profiles } from "../../application/Profiles.ts"

/** A deleted account's follows go, in both directions. */
export const ForgetDeletedAccounts = eventConsumer({
  name: "profiles.forget-deleted-accounts",
  events: [UserDeleted],
  handler: Effect.gen(function* () {
    const profiles = yield* Profiles
    return (event: UserDeleted) => profiles.forgetAccount(event.payload.userId)
  })
})

/** Every consumer the profiles module runs. */
export const ProfilesConsumers = [ForgetDeletedAccounts] as const
