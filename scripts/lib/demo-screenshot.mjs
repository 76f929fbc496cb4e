// Saves a picture of the emulator's preview page once the demo has run: the README's docs/preview.png
// comes from here (`node scripts/demo.mjs --screenshot docs/preview.png`). Debian's headless Chromium,
// driven by playwright-core; no browser is ever downloaded.
import { existsSync, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { chromium } from 'playwright-core'

const CHROMIUM = '/usr/bin/chromium'

/**
 * Opens the emulator's preview page, waits until it shows every message the emulator holds, scrolls to
 * the first embed holding `focus` (the demo's error with a stack and a cause) and saves the page as PNG
 * (`element`: only what that CSS selector shows).
 */
export async function saveScreenshot (emulator, path, focus = 'charge failed for order', element = undefined) {
  if (!existsSync(CHROMIUM)) throw new Error(`--screenshot needs ${CHROMIUM} (apt-get install -y chromium fonts-noto-color-emoji)`)
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
  })
  try {
    const page = await browser.newPage({ viewport: { width: 1360, height: 1300 }, deviceScaleFactor: 1 })
    await page.goto(`${emulator.origin}/`)
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 10_000 })
    const received = String(emulator.stats().accepted)
    await page.waitForFunction((n) => globalThis.document.querySelector('[data-counter="received"]')?.textContent === n, received, { timeout: 10_000 })
    await page.waitForFunction(() => [...globalThis.document.images].every((img) => img.complete), undefined, { timeout: 10_000 })
    const embed = page.locator('[data-testid=embed]', { hasText: focus }).first()
    if (await embed.count() > 0) await embed.evaluate((el) => (el.closest('[data-testid=message]') ?? el).scrollIntoView({ block: 'start' }))
    await page.waitForTimeout(300) // the chart's and the scroll position's next frame
    mkdirSync(dirname(path), { recursive: true })
    if (element === undefined) await page.screenshot({ path })
    else await page.locator(element).screenshot({ path })
  } finally {
    await browser.close()
  }
}
