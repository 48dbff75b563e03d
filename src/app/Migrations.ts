import { countArticles, createArticles } from "../modules/articles/adapters/sql/migrations.ts"
import { createComments } from "../modules/comments/adapters/sql/migrations.ts"
import { createFollows } from "../modules/profiles/adapters/sql/migrations.ts"
import { addTokenVersion, createUsers } from "../modules/users/adapters/sql/migrations.ts"
import type { Migrations } from "../platform/sql/Database.ts"

/** Every module's schema changes in one global order. Append only: never edit or renumber an applied one. */
export const migrations: Migrations = {
  "0001_create_users": createUsers,
  "0002_create_articles": createArticles,
  "0003_create_follows": createFollows,
  "0004_create_comments": createComments,
  "0005_count_articles": countArticles,
  "0006_users_token_version": addTokenVersion
}
