import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { HttpServer } from "effect/http"
import puppeteer, { type Browser, type HTTPResponse, type Page } from "puppeteer-core"
import { CHROMIUM_FLAGS, ensureChromium } from "../../scripts/chromium.ts"
import { MemoryAdapters, TestServer } from "../support/TestApp.ts"

// The /docs page in a real headless Chromium (Debian's, unpacked by scripts/chromium.ts): a user
// registers through the page's "Test Request", pastes the token into the page's authentication, and
// calls GET /api/user, which answers 200. Nothing the page asks for from elsewhere leaves the browser.

const launch = Effect.acquireRelease(
  Effect.promise(async () => {
    const chromium = await ensureChromium()
    const profile = await mkdtemp(join(tmpdir(), "docs-browser-"))
    const browser = await puppeteer.launch({
      executablePath: chromium.executablePath,
      env: chromium.env,
      args: [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`],
      headless: true,
      protocolTimeout: 60_000
    })
    return { browser, profile }
  }),
  ({ browser, profile }) =>
    Effect.promise(async () => {
      await browser.close()
      await rm(profile, { recursive: true, force: true })
    })
)

/** Clicks the button whose text starts with `label` (Scalar's buttons carry their text, not test ids). */
const clickButton = (page: Page, label: string) =>
  page.waitForFunction(
    `(() => {
      const button = [...document.querySelectorAll("button")].find((b) => (b.textContent ?? "").trim().startsWith(${JSON.stringify(label)}))
      button?.click()
      return button !== undefined
    })()`,
    { timeout: 20_000 }
  )

/** Sends the request shown in Scalar's client and resolves with the response the browser got. */
const send = (page: Page, method: string, path: string) =>
  Effect.promise(async () => {
    const answered = page.waitForResponse(
      (response) => response.request().method() === method && new URL(response.url()).pathname === path,
      { timeout: 20_000 }
    )
    await clickButton(page, "Send")
    return answered
  })

/**
 * Opens Scalar's client on an operation the way a user does: its group in the sidebar (opened if
 * closed), its entry (by summary), then its "Test Request" button (by method and path in the document,
 * after the /api server URL).
 */
const openClient = (page: Page, group: string, summary: string, method: string, path: string) =>
  Effect.promise(async () => {
    await page.keyboard.press("Escape")
    await page.evaluate(`[...document.querySelectorAll("button")].find((b) => (b.textContent ?? "").trim() === ${JSON.stringify(`Open Group ${group}`)})?.click()`)
    await clickButton(page, summary)
    await clickButton(page, `Test Request(${method.toLowerCase()} ${path})`)
    await page.waitForSelector("[role=dialog][aria-label='API Client']", { timeout: 20_000 })
  })

layer(TestServer(MemoryAdapters), { timeout: "300 seconds" })("the docs page in a real browser", (it) => {
  it.effect(
    "registers through the page, authenticates with Token <jwt> and gets 200 from GET /api/user",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const server = yield* HttpServer.HttpServer
          if (server.address._tag === "UnixPathAddress") throw new Error("the test server listens on TCP")
          const origin = `http://127.0.0.1:${server.address.port}`
          const { browser } = yield* launch
          const page = yield* Effect.promise(() => (browser as Browser).newPage())
          // Wide enough for Scalar's desktop layout, whose sidebar lists the operations.
          yield* Effect.promise(() => page.setViewport({ width: 1400, height: 1000 }))
          // Anything the page fetched from another origin (Scalar still names its web fonts; the page's
          // content security policy must stop them before they leave the browser).
          const elsewhere: Array<string> = []
          const external = (url: string) => !url.startsWith(origin) && !url.startsWith("data:")
          page.on("requestfinished", (request) => {
            if (external(request.url())) elsewhere.push(request.url())
          })
          page.on("requestfailed", (request) => {
            if (external(request.url()) && !/csp/i.test(request.failure()?.errorText ?? "")) elsewhere.push(request.url())
          })

          // The compressed forms are made in the background at start-up: served as soon as they exist.
          yield* Effect.promise(async () => {
            const deadline = Date.now() + 120_000
            while (Date.now() < deadline) {
              const probe = await fetch(`${origin}/docs`, { method: "GET", headers: { "accept-encoding": "br" } })
              await probe.arrayBuffer()
              if (probe.headers.get("content-encoding") === "br") return
              await new Promise((resolve) => setTimeout(resolve, 200))
            }
          })
          const docs = (yield* Effect.promise(() => page.goto(`${origin}/docs`, { waitUntil: "networkidle0", timeout: 120_000 }))) as HTTPResponse
          expect(docs.status()).toBe(200)
          expect(docs.headers()["content-encoding"]).toMatch(/^(br|gzip)$/)
          expect(docs.headers().etag).toBeTruthy()

          // Register with the page's example body.
          yield* openClient(page, "User and Authentication", "Register", "POST", "/users")
          const registered = yield* send(page, "POST", "/api/users")
          expect(registered.status()).toBe(201)
          const { user } = (yield* Effect.promise(() => registered.json())) as { user: { token: string; username: string } }

          // The authentication field is prefilled with "Token ": paste the token after it.
          yield* Effect.promise(() => page.keyboard.press("Escape"))
          const field = yield* Effect.promise(() =>
            page.waitForFunction(`[...document.querySelectorAll("input")].find((input) => input.value === "Token ") ?? null`, {
              timeout: 20_000
            })
          )
          yield* Effect.promise(async () => {
            await field.asElement()?.click()
            await page.keyboard.press("End")
            await page.keyboard.type(user.token)
          })

          yield* openClient(page, "User and Authentication", "Get current user", "GET", "/user")
          const current = yield* send(page, "GET", "/api/user")
          expect(current.request().headers().authorization).toBe(`Token ${user.token}`)
          expect(current.status()).toBe(200)
          expect(((yield* Effect.promise(() => current.json())) as { user: { username: string } }).user.username).toBe(user.username)

          // A list from the page: the paging parameters carry their defaults (no `?limit=&offset=`), and the
          // filters the snippet sends empty are no filters.
          yield* openClient(page, "Articles", "Get recent articles globally", "GET", "/articles")
          const articles = yield* send(page, "GET", "/api/articles")
          expect(articles.url()).not.toMatch(/[?&](limit|offset)=(&|$)/)
          expect(articles.status()).toBe(200)

          expect(elsewhere).toEqual([])
        })
      ),
    { timeout: 300_000 }
  )
})
