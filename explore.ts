import puppeteer from "puppeteer-core"
import { mkdtempSync } from "node:fs"
const root = "/work/tmp/contract/chr/root"
const browser = await puppeteer.launch({
  executablePath: `${root}/usr/lib/chromium/chromium`,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", `--user-data-dir=${mkdtempSync("/work/tmp/contract/prof-")}`],
  env: { ...process.env, LD_LIBRARY_PATH: `${root}/usr/lib/x86_64-linux-gnu:${root}/usr/lib/x86_64-linux-gnu/pulseaudio` },
  headless: true
})
const page = await browser.newPage()
page.on("request", (r) => { if (!r.url().startsWith("http://127.0.0.1:41100/docs")) console.log("REQ", r.method(), r.url().slice(0, 100), JSON.stringify(r.headers().authorization ?? "")) })
page.on("response", (r) => { if (r.url().includes("/api/")) console.log("RES", r.status(), r.url()) })
await page.goto("http://127.0.0.1:41100/docs", { waitUntil: "networkidle0", timeout: 60000 })
const input = await page.$("input")
console.log("auth value", await page.evaluate((e) => (e as HTMLInputElement).value, input))
await page.click('button ::-p-text(Test Request(post /api/users))').catch(async () => {
  const b = await page.$$("button"); for (const x of b) { const t = await page.evaluate((e) => e.textContent, x); if (t?.includes("Test Request(post /api/users)")) { await x.click(); break } }
})
await new Promise((r) => setTimeout(r, 3000))
const texts = await page.evaluate(() => [...document.querySelectorAll("button")].filter((e) => /send|request/i.test((e.textContent ?? "") + (e.getAttribute("aria-label") ?? "") + e.className)).map((e) => `${e.tagName} aria=${(e.getAttribute("aria-label") ?? "")} class=${e.className.slice(0,80)} | ${(e.textContent ?? "").trim().slice(0, 60)}`))
console.log(texts.join("\n"))
const dlg = await page.evaluate(() => { const d = document.querySelector("[role=dialog], dialog"); return d ? d.outerHTML.slice(0, 300) : "no dialog" })
console.log(dlg)
await page.screenshot({ path: "/work/tmp/contract/shot2.png" })
await browser.close()
