import { MemoryAdapters, PostgresAdapters } from "../../../support/TestApp.ts"
import { commentRepositoryContract } from "./CommentRepository.contract.ts"

commentRepositoryContract("in-memory", MemoryAdapters)
commentRepositoryContract("PostgreSQL", PostgresAdapters)
