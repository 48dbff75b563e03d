import { ArticlesModule } from "../modules/articles/module.ts"
import { CommentsModule } from "../modules/comments/module.ts"
import { ProfilesModule } from "../modules/profiles/module.ts"
import { UsersModule } from "../modules/users/module.ts"

/**
 * Every module of the service, each by its manifest. The order is the order of the API's groups,
 * of `make seed` and of the module list in `--help`; a module comes after those whose tables it
 * references. `make module NAME=…` appends here.
 */
export const modules = [UsersModule, ProfilesModule, ArticlesModule, CommentsModule] as const
