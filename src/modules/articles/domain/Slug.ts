// How a title becomes a URL slug. Pure, so the rule reads the same in every adapter and test.

const MAX_BASE_LENGTH = 96
const SUFFIX = /^[a-z0-9]{6}$/

/** "Hello, Wörld!" → "hello-world": lower case, accents dropped, any run of other characters one dash. */
export const slugify = (title: string): string => {
  const base = title
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, MAX_BASE_LENGTH)
    .replace(/-+$/, "")
  return base === "" ? "article" : base
}

/** The slug tried when `base` is taken: a short random suffix (six base-36 characters). */
export const withSuffix = (base: string, suffix: string) => `${base}-${suffix}`

/** Whether `slug` was made from `base` (as is, or with a suffix): a title edit that keeps it needs no new slug. */
export const isSlugOf = (slug: string, base: string) =>
  slug === base || (slug.startsWith(`${base}-`) && SUFFIX.test(slug.slice(base.length + 1)))
