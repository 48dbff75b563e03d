import { countArticles, createArticles, detachArticlesFromUsers } from "../modules/articles/adapters/sql/migrations.ts"
import { createComments, detachComments } from "../modules/comments/adapters/sql/migrations.ts"
import { createFollows, detachFollowsFromUsers } from "../modules/profiles/adapters/sql/migrations.ts"
import { createUsers } from "../modules/users/adapters/sql/migrations.ts"
import { createEventInbox } from "../platform/events/Inbox.ts"
import type { Migrations } from "../platform/sql/Database.ts"

/** Every module's schema changes in one global order. Append only: never edit or renumber an applied one. */
export const migrations: Migrations = {
  "0001_create_users": createUsers,
  "0002_create_articles": createArticles,
  "0003_create_follows": createFollows,
  "0004_create_comments": createComments,
  "0005_count_articles": countArticles,
  "0006_create_event_inbox": createEventInbox,
  "0007_detach_articles_from_users": detachArticlesFromUsers,
  "0008_detach_follows_from_users": detachFollowsFromUsers,
  "0009_detach_comments": detachComments
}
