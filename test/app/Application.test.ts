import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Application, migrationsOf } from "../../src/app/Application.ts"
import { modules } from "../../src/app/Modules.ts"

const step = Effect.void

describe("the module fold", () => {
  it("keeps the applied migrations' ids and names, in id order", () => {
    expect(Object.keys(Application.migrations)).toEqual([
      "0001_create_users",
      "0002_create_articles",
      "0003_create_follows",
      "0004_create_comments",
      "0005_count_articles",
      "0006_users_token_version",
      "0007_shard_article_count",
      "0008_create_event_outbox",
      "0009_create_event_inbox",
      "0010_detach_articles_from_users",
      "0011_detach_follows_from_users",
      "0012_detach_comments",
      "0013_create_idempotency_keys",
      "0014_index_tags_by_recency"
    ])
  })

  it("orders migrations by id whatever the module order", () => {
    const ordered = migrationsOf([
      { name: "b", migrations: { "0003_c": step, "0001_a": step } },
      { name: "a", migrations: { "0002_b": step } }
    ])
    expect(Object.keys(ordered)).toEqual(["0001_a", "0002_b", "0003_c"])
  })

  it("refuses two migrations with one id, naming both", () => {
    expect(() =>
      migrationsOf([
        { name: "users", migrations: { "0001_create_users": step } },
        { name: "bookmarks", migrations: { "1_create_bookmarks": step } }
      ])
    ).toThrow(/id 1 is used by both users \("0001_create_users"\) and bookmarks \("1_create_bookmarks"\)/)
  })

  it("refuses a migration not named <id>_<name>", () => {
    expect(() => migrationsOf([{ name: "tags", migrations: { create_tags: step } }])).toThrow(/"create_tags" of tags/)
  })

  it("serves every module's groups in module order", () => {
    expect(Object.keys(Application.api.groups)).toEqual(modules.flatMap((module) => module.http.groups.map((group) => group.identifier)))
    expect(Object.keys(Application.api.groups)).toEqual(["users", "profiles", "articles", "tags", "comments"])
  })

  it("runs seed steps in module order", () => {
    expect(Application.seed.flatMap((step) => Object.keys(step.sizes))).toEqual([
      "users",
      "follows",
      "articles",
      "favorites",
      "comments"
    ])
  })
})
