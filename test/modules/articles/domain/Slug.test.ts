import { describe, expect, it } from "@effect/vitest"
import { isSlugOf, slugify, withSuffix } from "../../../../src/modules/articles/domain/Slug.ts"

describe("slugify", () => {
  it("lower-cases, drops accents and joins words with single dashes", () => {
    expect(slugify("How to Train Your Dragon")).toBe("how-to-train-your-dragon")
    expect(slugify("  Ça va? Très   bien!! ")).toBe("ca-va-tres-bien")
    expect(slugify("Effect v4.1 — what's new")).toBe("effect-v4-1-what-s-new")
  })

  it("keeps letters of any script, and names an article with no letters at all", () => {
    expect(slugify("Привет мир")).toBe("привет-мир")
    expect(slugify("🐉 🐉")).toBe("article")
  })

  it("stays short enough for a URL path segment (100 characters) even percent-encoded, with a suffix", () => {
    for (const title of ["a".repeat(300), "Ж".repeat(300), "word ".repeat(80)]) {
      const slug = withSuffix(slugify(title), "abc123")
      expect(encodeURIComponent(slug).length).toBeLessThanOrEqual(100)
      expect(slug.endsWith("--abc123")).toBe(false)
    }
  })
})

describe("isSlugOf", () => {
  it("recognises a slug made from a base, with or without the random suffix", () => {
    expect(isSlugOf("hello-world", "hello-world")).toBe(true)
    expect(isSlugOf("hello-world-x7k2p9", "hello-world")).toBe(true)
    expect(isSlugOf("hello-world-again", "hello-world")).toBe(false)
    expect(isSlugOf("hello", "hello-world")).toBe(false)
  })
})
