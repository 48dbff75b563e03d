import { MemoryAdapters, PostgresAdapters } from "../../../support/TestApp.ts"
import { commentsSuite } from "./Comments.suite.ts"

commentsSuite("in-memory storage", MemoryAdapters)
commentsSuite("PostgreSQL", PostgresAdapters)
