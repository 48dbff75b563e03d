import { Layer } from "effect"
import { Module } from "../../platform/Module.ts"
import { CommentsApi } from "./adapters/http/CommentsApi.ts"
import { CommentsHttp } from "./adapters/http/CommentsHttp.ts"
import { InMemoryComments } from "./adapters/memory/InMemoryComments.ts"
import { createComments } from "./adapters/sql/migrations.ts"
import { seedComments } from "./adapters/sql/seed.ts"
import { SqlCommentRepository } from "./adapters/sql/SqlCommentRepository.ts"
import { Comments } from "./application/Comments.ts"

/** The comments module as the composition root sees it. */
export const CommentsModule = Module.make({
  name: "comments",
  http: { groups: [CommentsApi], handlers: CommentsHttp },
  useCases: Comments.layer,
  publishes: Layer.empty,
  adapters: { sql: SqlCommentRepository.layer, memory: InMemoryComments.layer, services: Layer.empty },
  migrations: { "0004_create_comments": createComments },
  seed: seedComments,
  commands: []
})
