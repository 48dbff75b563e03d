import { InMemoryUsers } from "../../../../src/modules/users/adapters/memory/InMemoryUsers.ts"
import { PostgresAdapters } from "../../../support/TestApp.ts"
import { userRepositoryContract } from "./UserRepository.contract.ts"

userRepositoryContract("in-memory", InMemoryUsers.layer)
userRepositoryContract("PostgreSQL", PostgresAdapters)
