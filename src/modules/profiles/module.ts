import { Layer } from "effect"
import { Module } from "../../platform/Module.ts"
import { ProfilesApi } from "./adapters/http/ProfilesApi.ts"
import { ProfilesHttp } from "./adapters/http/ProfilesHttp.ts"
import { InMemoryFollows } from "./adapters/memory/InMemoryFollows.ts"
import { createFollows } from "./adapters/sql/migrations.ts"
import { seedFollows } from "./adapters/sql/seed.ts"
import { SqlFollowRepository } from "./adapters/sql/SqlFollowRepository.ts"
import { FollowsProfileLookup } from "./application/FollowsProfileLookup.ts"
import { Profiles } from "./application/Profiles.ts"

/** The profiles module as the composition root sees it. */
export const ProfilesModule = Module.make({
  name: "profiles",
  http: { groups: [ProfilesApi], handlers: ProfilesHttp },
  useCases: Profiles.layer,
  // Built over UserDirectory and the follows, whatever stores stand behind them.
  publishes: FollowsProfileLookup.layer,
  adapters: { sql: SqlFollowRepository.layer, memory: InMemoryFollows.layer, services: Layer.empty },
  migrations: { "0003_create_follows": createFollows },
  seed: seedFollows,
  commands: []
})
