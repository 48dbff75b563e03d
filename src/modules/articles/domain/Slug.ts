// How a title becomes a URL slug. Pure, so the rule reads the same in every adapter and test.

/**
 * The HTTP router refuses path parameters over 100 characters (as a 404), so a slug with its suffix
 * must stay within that even percent-encoded (a Cyrillic letter is six characters there).
 */
const MAX_ENCODED_BASE_LENGTH = 92
const SUFFIX = /^[a-z0-9]{6}$/

/** "Hello, Wörld!" → "hello-world": lower case, accents dropped, any run of other characters one dash. */
export const slugify = (title: string): string => {
  const base = title
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "-")
    .replace(/^-+|-+$/g, "")
  const bounded = fitEncoded([...base], MAX_ENCODED_BASE_LENGTH).replace(/-+$/, "")
  return bounded === "" ? "article" : bounded
}

/** The longest prefix (whole code points) whose percent-encoded form fits in `max` characters. */
const fitEncoded = (chars: ReadonlyArray<string>, max: number) => {
  let length = 0
  let end = 0
  for (const char of chars) {
    length += encodeURIComponent(char).length
    if (length > max) break
    end++
  }
  return chars.slice(0, end).join("")
}

/** The slug tried when `base` is taken: a short random suffix (six base-36 characters). */
export const withSuffix = (base: string, suffix: string) => `${base}-${suffix}`

/** Whether `slug` was made from `base` (as is, or with a suffix): a title edit that keeps it needs no new slug. */
export const isSlugOf = (slug: string, base: string) =>
  slug === base || (slug.startsWith(`${base}-`) && SUFFIX.test(slug.slice(base.length + 1)))
