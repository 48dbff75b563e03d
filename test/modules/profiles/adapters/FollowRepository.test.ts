import { Layer } from "effect"
import { InMemoryFollows } from "../../../../src/modules/profiles/adapters/memory/InMemoryFollows.ts"
import { InMemoryUsers } from "../../../../src/modules/users/adapters/memory/InMemoryUsers.ts"
import { PostgresAdapters } from "../../../support/TestApp.ts"
import { followRepositoryContract } from "./FollowRepository.contract.ts"

followRepositoryContract("in-memory", Layer.mergeAll(InMemoryFollows.layer, InMemoryUsers.layer))
followRepositoryContract("PostgreSQL", PostgresAdapters)
