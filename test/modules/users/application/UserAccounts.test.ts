import { MemoryEvents } from "../../../../src/app/Events.ts"
import { Layer } from "effect"
import { InMemoryUsers } from "../../../../src/modules/users/adapters/memory/InMemoryUsers.ts"
import { PostgresAdapters } from "../../../support/TestApp.ts"
import { userAccountsSuite } from "./UserAccounts.suite.ts"

userAccountsSuite("in-memory storage", Layer.merge(InMemoryUsers.layer, MemoryEvents))
userAccountsSuite("PostgreSQL", PostgresAdapters)
