import { Context, type Effect, type Option } from "effect"
import type { UserId } from "../../users/public.ts"
import type { Profile } from "../domain/Profile.ts"

/**
 * The profiles module's published port: authors as a viewer sees them, in batches, so a page of N
 * articles or comments costs the same few statements as a page of one.
 */
export class ProfileLookup extends Context.Service<
  ProfileLookup,
  {
    /** Profiles of these users as seen by the viewer; a constant number of statements whatever ids.length. */
    readonly forUsers: (ids: ReadonlyArray<UserId>, viewer: Option.Option<UserId>) => Effect.Effect<ReadonlyMap<UserId, Profile>>
    /** Ids of the users the viewer follows (for the articles feed). */
    readonly followedBy: (viewer: UserId) => Effect.Effect<ReadonlyArray<UserId>>
  }
>()("app/profiles/ProfileLookup") {}
