import { InMemoryUsers } from "../../../../src/modules/users/adapters/memory/InMemoryUsers.ts"
import { PostgresAdapters } from "../../../support/TestApp.ts"
import { userAccountsSuite } from "./UserAccounts.suite.ts"

userAccountsSuite("in-memory storage", InMemoryUsers.layer)
userAccountsSuite("PostgreSQL", PostgresAdapters)
