import { describe, expect, it } from "@effect/vitest"
import { Result, Schema } from "effect"
import { Body, TagList, Title } from "../../../../src/modules/articles/domain/Article.ts"

const decode = Schema.decodeUnknownResult(TagList)

describe("TagList", () => {
  it("keeps the order given, trims, and drops repeats (first one wins)", () => {
    expect(Result.getOrThrow(decode(["zeta", " alpha ", "zeta", "Alpha"]))).toEqual(["zeta", "alpha", "Alpha"])
    expect(Result.getOrThrow(decode([]))).toEqual([])
  })

  it("refuses null, blank tags and more than 20 tags", () => {
    expect(Result.isFailure(decode(null))).toBe(true)
    expect(Result.isFailure(decode(["ok", "  "]))).toBe(true)
    expect(Result.isFailure(decode(Array.from({ length: 21 }, (_, i) => `t${i}`)))).toBe(true)
  })
})

describe("Title", () => {
  it("is trimmed text, never blank", () => {
    expect(Schema.decodeUnknownSync(Title)("  Hello  ")).toBe("Hello")
    expect(Result.isFailure(Schema.decodeUnknownResult(Title)("   "))).toBe(true)
  })
})

describe("Body", () => {
  it("is Markdown kept exactly as sent; whitespace alone is blank", () => {
    const markdown = "    const indented = 'a code block'\n\nA paragraph.\n"
    expect(Schema.decodeUnknownSync(Body)(markdown)).toBe(markdown)
    expect(Result.isFailure(Schema.decodeUnknownResult(Body)(" \n\t "))).toBe(true)
  })
})
