import type { UserId } from "../../users/public.ts"

/** A user as another user sees them: public fields, and whether the viewer follows them. */
export interface Profile {
  readonly username: string
  readonly bio: string | null
  readonly image: string | null
  readonly following: boolean
}

/** What the profiles module needs to know about an account (the users module's public summary). */
export interface Account {
  readonly id: UserId
  readonly username: string
  readonly bio: string | null
  readonly image: string | null
}

export const profileOf = ({ username, bio, image }: Account, following: boolean): Profile => ({
  username,
  bio,
  image,
  following
})
