import { MemoryEvents } from "../../../../src/app/Events.ts"
import { Layer } from "effect"
import { InMemoryFollows } from "../../../../src/modules/profiles/adapters/memory/InMemoryFollows.ts"
import { InMemoryUsers } from "../../../../src/modules/users/adapters/memory/InMemoryUsers.ts"
import { PostgresAdapters } from "../../../support/TestApp.ts"
import { profilesSuite } from "./Profiles.suite.ts"

profilesSuite("in-memory storage", Layer.mergeAll(InMemoryFollows.layer, InMemoryUsers.layer, MemoryEvents))
profilesSuite("PostgreSQL", PostgresAdapters)
