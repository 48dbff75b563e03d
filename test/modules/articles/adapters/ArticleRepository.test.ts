import { Layer } from "effect"
import { InMemoryArticles } from "../../../../src/modules/articles/adapters/memory/InMemoryArticles.ts"
import { InMemoryUsers } from "../../../../src/modules/users/adapters/memory/InMemoryUsers.ts"
import { PostgresAdapters } from "../../../support/TestApp.ts"
import { articleRepositoryContract } from "./ArticleRepository.contract.ts"

articleRepositoryContract("in-memory", Layer.mergeAll(InMemoryUsers.layer, InMemoryArticles.layer))
articleRepositoryContract("PostgreSQL", PostgresAdapters)
