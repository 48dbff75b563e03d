import { Layer } from "effect"
import { Module } from "../../platform/Module.ts"
import { CommentsApi } from "./adapters/http/CommentsApi.ts"
import { CommentsHttp } from "./adapters/http/CommentsHttp.ts"
import { InMemoryComments } from "./adapters/memory/InMemoryComments.ts"
import { CommentsConsumers } from "./adapters/events/CommentsConsumers.ts"
import { createComments, detachComments } from "./adapters/sql/migrations.ts"
import { seedComments } from "./adapters/sql/seed.ts"
import { SqlCommentRepository } from "./adapters/sql/SqlCommentRepository.ts"
import { Comments } from "./application/Comments.ts"
import { CommentAdded, CommentDeleted } from "./domain/CommentEvents.ts"

/** The comments module as the composition root sees it. */
export const CommentsModule = Module.make({
  name: "comments",
  http: { groups: [CommentsApi], handlers: CommentsHttp },
  useCases: Comments.layer,
  publishes: Layer.empty,
  adapters: { sql: SqlCommentRepository.layer, memory: InMemoryComments.layer, services: Layer.empty },
  events: { publishes: [CommentAdded, CommentDeleted], consumers: CommentsConsumers },
  migrations: { "0004_create_comments": createComments, "0012_detach_comments": detachComments },
  seed: seedComments,
  commands: []
})
