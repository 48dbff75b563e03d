import { HttpApi, OpenApi } from "effect/http-api"
import { ArticlesApi, TagsApi } from "../modules/articles/adapters/http/ArticlesApi.ts"
import { CommentsApi } from "../modules/comments/adapters/http/CommentsApi.ts"
import { ProfilesApi } from "../modules/profiles/adapters/http/ProfilesApi.ts"
import { UsersApi } from "../modules/users/adapters/http/UsersApi.ts"
import { API_ID } from "../platform/http/ModuleApi.ts"
import { documentEdge } from "../platform/http/OpenApiContract.ts"

/** The whole public HTTP contract: every module's group, served under `/api` and described at `/openapi.json`. */
export class ConduitApi extends HttpApi.make(API_ID)
  .add(UsersApi)
  .add(ProfilesApi)
  .add(ArticlesApi)
  .add(TagsApi)
  .add(CommentsApi)
  .annotateMerge(
    OpenApi.annotations({
      title: "Conduit API (hexa-monolith)",
      version: "2.0.0",
      description:
        "The RealWorld Conduit API served by a hexagonal modular monolith on Effect. Responses marked `x-extension` are statuses this server answers beyond the RealWorld contract.",
      license: { name: "MIT License", url: "https://opensource.org/licenses/MIT" },
      servers: [{ url: "/", description: "This server (paths carry the /api prefix)" }],
      transform: documentEdge
    })
  ) {}
