// The users module's public surface. Other modules import from this file only (checked by
// dependency-cruiser): the ports they may call and the HTTP security they may put on their routes.
export { UserId, UserSummary } from "./domain/User.ts"
export { UserDeleted, UserRegistered, UserUpdated } from "./domain/UserEvents.ts"
export { UserDirectory } from "./ports/UserDirectory.ts"
export {
  Authentication,
  type Caller,
  CurrentUser,
  OptionalAuthentication,
  OptionalUser,
  viewerId
} from "./adapters/http/Authentication.ts"
