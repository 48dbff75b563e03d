import { describe, expect, it } from "@effect/vitest"
import { Schema } from "effect"
import { Bio, Email, Password, Username } from "../../../../src/modules/users/domain/User.ts"

const decode = <S extends Schema.Top>(schema: S) => (input: unknown) =>
  Schema.decodeUnknownExit(schema as any)(input)
const messageOf = (schema: Schema.Top, input: unknown) => {
  try {
    Schema.decodeUnknownSync(schema as any)(input)
    return undefined
  } catch (error) {
    return String((error as Error).message)
  }
}

describe("Email", () => {
  it("is trimmed and lower-cased, so uniqueness ignores case", () => {
    expect(Schema.decodeUnknownSync(Email)("  Jake@Example.COM ")).toBe("jake@example.com")
  })
  it.each(["", "   ", "jake", "jake@", "@example.com", "ja ke@example.com"])("rejects %j", (input) => {
    expect(decode(Email)(input)._tag).toBe("Failure")
  })
  it("names blank input as blank", () => {
    expect(messageOf(Email, "")).toContain("can't be blank")
  })
})

describe("Username", () => {
  it("keeps its case and trims", () => {
    expect(Schema.decodeUnknownSync(Username)(" Jake ")).toBe("Jake")
  })
  it.each(["", "a/b", "a b", "x".repeat(65), "nul\u0000"])("rejects %j", (input) => {
    expect(decode(Username)(input)._tag).toBe("Failure")
  })
})

describe("Password", () => {
  it("needs at least 8 characters", () => {
    expect(messageOf(Password, "1234567")).toContain("is too short (minimum is 8 characters)")
    expect(decode(Password)("12345678")._tag).toBe("Success")
  })
  it("welcomes long passphrases, up to a bound that keeps hashing cheap", () => {
    expect(decode(Password)("correct horse battery staple ".repeat(8))._tag).toBe("Success")
    expect(messageOf(Password, "x".repeat(257))).toContain("is too long")
  })
})

describe("Bio and Image", () => {
  it("store blank as null", () => {
    expect(Schema.decodeUnknownSync(Bio)("")).toBeNull()
    expect(Schema.decodeUnknownSync(Bio)("  ")).toBeNull()
    expect(Schema.decodeUnknownSync(Bio)(null)).toBeNull()
    expect(Schema.decodeUnknownSync(Bio)("I work at statefarm")).toBe("I work at statefarm")
  })
})
