/**
 * The emulator's preview page (GET /) in a real browser: Debian's headless Chromium driven by
 * playwright-core. No browser is ever downloaded; without /usr/bin/chromium the suite is skipped.
 * Leaves a screenshot of the page in the temp directory. The README's docs/preview.png comes from the
 * demo instead (`node scripts/demo.mjs --screenshot docs/preview.png`): its alerts, with neutral paths.
 */
import { tmpdir } from 'node:os'
import { existsSync, mkdirSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { dirname, join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DiscordNotifier, SEVERITY_STYLES, type Severity } from '@logcord/core'
import { createEmulator, type Emulator } from '@logcord/discord-emulator'

const CHROMIUM = '/usr/bin/chromium'
const HAS_CHROMIUM = existsSync(CHROMIUM)
const SCREENSHOT = join(tmpdir(), 'logcord-preview.png')
const SCALE = 0.05
const XSS = '<img src=x onerror=alert(1)>'

// The callbacks passed to $$eval / evaluate run in the page. The repository's tsconfig has no DOM types,
// so the two browser APIs they use are declared here, for this file only.
declare const getComputedStyle: (element: unknown) => { borderLeftColor: string }
interface StyledElement { style: { gridColumn: string } }

/** The rgb() string a browser computes for a Discord colour integer. */
const rgb = (color: number): string => `rgb(${(color >> 16) & 0xff}, ${(color >> 8) & 0xff}, ${color & 0xff})`

/** Small SVG images for the avatar, author icon, thumbnail and image, served from a local origin. */
function startImageServer (): Promise<Server> {
  const images: Record<string, string> = {
    '/avatar.svg': '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" fill="#e67e22"/><text x="32" y="42" font-size="30" font-family="sans-serif" font-weight="700" fill="#fff" text-anchor="middle">LC</text></svg>',
    '/thumb.svg': '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 80 80"><rect width="80" height="80" rx="8" fill="#1abc9c"/><path d="M16 56 L32 36 L44 48 L64 22" stroke="#fff" stroke-width="6" fill="none" stroke-linecap="round"/></svg>',
    '/graph.svg': '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 120"><rect width="400" height="120" fill="#23272a"/><polyline points="0,100 50,90 100,95 150,60 200,70 250,30 300,40 350,20 400,25" fill="none" stroke="#e74c3c" stroke-width="4"/><text x="10" y="20" font-size="14" font-family="sans-serif" fill="#b9bbbe">p99 latency, last hour</text></svg>'
  }
  const server = createServer((req, res) => {
    const body = images[req.url ?? '']
    res.writeHead(body ? 200 : 404, { 'content-type': 'image/svg+xml' })
    res.end(body ?? '')
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

/** Posts to the v10 route (Retry-After in seconds; the versionless URL speaks v6 milliseconds). */
async function postOnce (url: string, body: unknown): Promise<Response> {
  const res = await fetch(`${url.replace('/api/webhooks/', '/api/v10/webhooks/')}?wait=true`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  await res.arrayBuffer()
  return res
}

/** Posts like a well-behaved client: a 429 (the scaled bucket is small) is waited out and resent. */
async function post (url: string, body: unknown): Promise<number> {
  for (;;) {
    const res = await postOnce(url, body)
    if (res.status !== 429) return res.status
    await new Promise((resolve) => setTimeout(resolve, Number(res.headers.get('retry-after')) * 1000 + 5))
  }
}

const MARKDOWN = [
  '**bold**, *italics*, __underline__, ~~strikethrough~~ and `inline code`; a [masked link](https://example.com/runbook).',
  '> a block quote',
  '## A header',
  '- first item',
  '- second item',
  '```js',
  'const total = items.reduce((sum, item) => sum + item.price, 0)',
  '```'
].join('\n')

const suite = HAS_CHROMIUM ? describe : describe.skip
const title = HAS_CHROMIUM
  ? 'the preview page in headless Chromium'
  : `the preview page in headless Chromium — skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`

suite(title, () => {
  let emu: Emulator
  let images: Server
  let browser: Browser
  let page: Page
  let dialogs = 0
  const pageErrors: string[] = []
  const severities: Severity[] = ['debug', 'info', 'warning', 'error', 'critical']

  beforeAll(async () => {
    emu = await createEmulator({ timeScale: SCALE, seed: 3 })
    images = await startImageServer()
    const imageOrigin = `http://127.0.0.1:${(images.address() as AddressInfo).port}`
    const webhookUrl = emu.webhookUrl()

    // Untrusted HTML in every text part of a message.
    await post(webhookUrl, { content: `content ${XSS}`, embeds: [{ title: `title ${XSS}`, description: `description ${XSS}`, color: 0x9b59b6, fields: [{ name: `name ${XSS}`, value: `value ${XSS}` }] }] })

    // What logcord itself sends: one diagnostic of each severity, an error with its stack, plain text.
    const notifier = new DiscordNotifier({
      webhookUrl,
      apiOrigin: emu.origin,
      username: 'logcord alerts',
      logLevel: 'silent',
      retryDelays: [20, 30, 50],
      rateLimits: { fallbackWindowMs: 2000 * SCALE, channelWindowMs: 60_000 * SCALE, cloudflareCooldownMs: 60_000 * SCALE, offsetMs: 30 }
    })
    notifier.sendPlaintext('Billing API 1.2.3 is starting up…')
    await notifier.flush()
    notifier.sendStartupNotification('Billing API', { version: '1.2.3', details: { Region: 'eu-west-1' } })
    await notifier.flush()
    const details: Record<Severity, Record<string, string>> = {
      debug: { 'Cache Hits': '98.2%', Entries: '12 408' },
      info: { 'Active Users': '150', 'Queue Size': '0' },
      warning: { 'Response Time': '250ms', Threshold: '100ms' },
      error: { Error: 'Permission denied', Path: '/tmp/cache' },
      critical: { 'Failed Charges': '37', Since: '12:00:05 UTC' }
    }
    const services: Record<Severity, string> = { debug: 'Cache', info: 'Email Service', warning: 'Database', error: 'File System', critical: 'Payments' }
    for (const level of severities) {
      notifier.sendDiagnostic({ level, service: services[level], message: `${SEVERITY_STYLES[level].label} diagnostic from ${services[level]}`, details: details[level] })
      await notifier.flush()
    }
    const cause = new Error('connect ECONNREFUSED 10.0.0.7:5432')
    notifier.sendErrorNotification({ service: 'User Registration', error: new TypeError('cannot save user', { cause }), context: 'Processing new user signup' })
    await notifier.flush()
    // A stack too deep for the embed: the message carries the whole record as a text file.
    const deep = new Error('ledger export timed out')
    deep.stack = ['Error: ledger export timed out', ...Array.from({ length: 60 }, (_, i) => `    at exportStep${i} (/srv/ledger/export.js:${i + 1}:9)`)].join('\n')
    notifier.sendErrorNotification({ service: 'Ledger', error: deep })
    await notifier.flush()
    await notifier.close()

    // A webhook with its own name and avatar, and an embed using every part Discord renders.
    await post(webhookUrl, {
      username: 'Status Bot',
      avatar_url: `${imageOrigin}/avatar.svg`,
      embeds: [{
        author: { name: 'logcord status', url: 'https://example.com/status', icon_url: `${imageOrigin}/avatar.svg` },
        title: 'Weekly report',
        url: 'https://example.com/report',
        description: MARKDOWN,
        color: 0x1abc9c,
        fields: [
          { name: 'Requests', value: '1.2M', inline: true },
          { name: 'Errors', value: '0.02%', inline: true },
          { name: 'p99', value: '182 ms', inline: true },
          { name: 'Deploys', value: '14', inline: true },
          { name: 'Notes', value: 'All **green** this week.' }
        ],
        thumbnail: { url: `${imageOrigin}/thumb.svg` },
        image: { url: `${imageOrigin}/graph.svg` },
        footer: { text: 'logcord', icon_url: `${imageOrigin}/thumb.svg` },
        timestamp: new Date().toISOString()
      }]
    })

    // Rejections and 429s: an invalid body, then a storm of forced 429s of two scopes.
    expect(await post(webhookUrl, { embeds: [{ title: 'x'.repeat(300) }] })).toBe(400)
    // Each storm gets a fresh webhook, so its requests meet a full bucket and only the forced 429 answers.
    emu.setFaults({ rateLimitStorm: { scope: 'user', rate: 1 } })
    const userStormUrl = emu.webhookUrl()
    for (let i = 0; i < 3; i++) expect((await postOnce(userStormUrl, { content: 'never saved' })).status).toBe(429)
    emu.setFaults({ rateLimitStorm: { scope: 'shared', rate: 1 } })
    const sharedStormUrl = emu.webhookUrl()
    for (let i = 0; i < 2; i++) expect((await postOnce(sharedStormUrl, { content: 'never saved' })).status).toBe(429)
    emu.setFaults({ rateLimitStorm: null })

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
    })
    page = await browser.newPage({ viewport: { width: 1360, height: 1300 }, deviceScaleFactor: 1 })
    page.on('dialog', (dialog) => {
      dialogs++
      void dialog.dismiss()
    })
    page.on('pageerror', (error) => pageErrors.push(error.message))
    await page.goto(emu.origin + '/')
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 10_000 })
  })

  afterAll(async () => {
    await browser?.close()
    await emu?.close()
    await new Promise((resolve) => images?.close(resolve))
  })

  it('shows an attached file as Discord does: a chip with name and size that opens the text', async () => {
    const chip = page.locator('[data-testid=message]', { has: page.locator('[data-testid=attachment]') }).last()
    const name = (await chip.locator('[data-testid=attachment-name]').textContent()) ?? ''
    expect(name).toMatch(/^error-\d{8}-\d{6}-1\.txt$/)
    expect(await chip.locator('[data-testid=attachment-size]').textContent()).toMatch(/^\d+\.\d\d KB$/)
    // The embed of the same message names the file in its last line.
    expect(await chip.locator('[data-testid=embed-description]').textContent()).toContain(`the full record is in ${name}`)
    expect(await chip.locator('[data-testid=attachment-text]').count()).toBe(0)
    await chip.locator('[data-testid=attachment-toggle]').click()
    const text = (await chip.locator('[data-testid=attachment-text]').textContent()) ?? ''
    expect(text).toContain('at exportStep0 (/srv/ledger/export.js:1:9)')
    expect(text).toContain('at exportStep59 (/srv/ledger/export.js:60:9)')
    expect(await chip.locator('[data-testid=attachment-text]').isVisible()).toBe(true)
    // The name links to the file itself, served as sent.
    const href = (await chip.locator('[data-testid=attachment-name]').getAttribute('href')) ?? ''
    const served = await page.evaluate(async (url) => await (await fetch(url)).text(), href)
    expect(served).toBe(text)
    await chip.locator('[data-testid=attachment-toggle]').click()
    expect(await chip.locator('[data-testid=attachment-text]').count()).toBe(0)
  })

  it('shows one embed per diagnostic, each with its severity colour as the left bar', async () => {
    const embeds = await page.$$eval('[data-testid=embed]', (nodes) => nodes.map((n) => ({
      title: n.querySelector('[data-testid=embed-title]')?.textContent ?? '',
      bar: getComputedStyle(n).borderLeftColor,
      fields: [...n.querySelectorAll('.e-field-name')].map((f) => f.textContent)
    })))
    for (const level of severities) {
      const label = `${SEVERITY_STYLES[level].label} diagnostic`
      const embed = embeds.find((e) => e.title.includes(SEVERITY_STYLES[level].label) && e.fields.length > 0 && e.title.includes('·'))
      expect(embed, label).toBeDefined()
      expect(embed!.bar).toBe(rgb(SEVERITY_STYLES[level].color))
    }
    const warning = embeds.find((e) => e.title.includes('Database'))!
    expect(warning.fields).toEqual(expect.arrayContaining(['Response Time', 'Threshold']))
    const report = embeds.find((e) => e.title === 'Weekly report')!
    expect(report.bar).toBe(rgb(0x1abc9c))
    expect(report.fields).toEqual(['Requests', 'Errors', 'p99', 'Deploys', 'Notes'])
  })

  it('renders the error notification with its stack in a code block', async () => {
    const error = page.locator('[data-testid=embed]', { hasText: 'User Registration' })
    await expect.poll(() => error.count()).toBe(1)
    expect(await error.evaluate((n) => getComputedStyle(n).borderLeftColor)).toBe(rgb(SEVERITY_STYLES.error.color))
    const code = await error.locator('.md-pre code').allTextContents()
    expect(code.join('\n')).toMatch(/at .+:\d+:\d+/)
    expect(await error.textContent()).toContain('cannot save user')
    expect(await error.textContent()).toContain('ECONNREFUSED')
  })

  it('renders Discord markdown, links, the inline field grid, author, thumbnail, image and footer', async () => {
    const report = page.locator('[data-testid=embed]', { hasText: 'Weekly report' })
    const d = report.locator('[data-testid=embed-description]')
    expect(await d.locator('strong').first().textContent()).toBe('bold')
    expect(await d.locator('em').first().textContent()).toBe('italics')
    expect(await d.locator('u').first().textContent()).toBe('underline')
    expect(await d.locator('s').first().textContent()).toBe('strikethrough')
    expect(await d.locator('code.md-code').first().textContent()).toBe('inline code')
    expect(await d.locator('a').first().getAttribute('href')).toBe('https://example.com/runbook')
    expect(await d.locator('.md-quote').textContent()).toBe('a block quote')
    expect(await d.locator('.md-h2').textContent()).toBe('A header')
    expect(await d.locator('ul li').allTextContents()).toEqual(['first item', 'second item'])
    const block = d.locator('pre code')
    expect(await block.getAttribute('data-lang')).toBe('js')
    expect(await block.textContent()).toBe('const total = items.reduce((sum, item) => sum + item.price, 0)')
    expect(await report.locator('.e-title a').getAttribute('href')).toBe('https://example.com/report')
    expect(await report.locator('.e-author').textContent()).toContain('logcord status')
    expect(await report.locator('.e-footer').textContent()).toMatch(/logcord.+Today at/)
    expect(await report.locator('.e-thumbnail img').count()).toBe(1)
    expect(await report.locator('.e-image img').count()).toBe(1)
    // Beside a thumbnail, inline fields share a row two at a time; a field that is not inline spans all 12 columns.
    const columns = await report.locator('[data-testid=embed-field]').evaluateAll((cells) => cells.map((c) => (c as unknown as StyledElement).style.gridColumn))
    expect(columns).toEqual(['1 / 7', '7 / 13', '1 / 7', '7 / 13', '1 / 13'])
    const header = page.locator('[data-testid=message]', { hasText: 'Weekly report' }).locator('.username')
    expect(await header.textContent()).toBe('Status Bot')
  })

  it('shows untrusted HTML as text and creates no element from it', async () => {
    const message = page.locator('[data-testid=message]', { hasText: 'description <img' })
    expect(await message.locator('[data-testid=content]').textContent()).toBe(`content ${XSS}`)
    expect(await message.locator('[data-testid=embed-title]').textContent()).toBe(`title ${XSS}`)
    expect(await message.locator('[data-testid=embed-description]').textContent()).toBe(`description ${XSS}`)
    expect(await message.locator('.e-field-name').textContent()).toBe(`name ${XSS}`)
    expect(await message.locator('.e-field-value').textContent()).toBe(`value ${XSS}`)
    expect(await message.locator('img').count()).toBe(0)
    expect(await page.locator('img[src="x"]').count()).toBe(0)
    expect(dialogs).toBe(0)
    expect(pageErrors).toEqual([])
  })

  it('shows the counters, 429s by scope, Discord error codes and the rate-limit chart', async () => {
    const stats = emu.stats()
    const counter = (key: string) => page.locator(`[data-counter="${key}"]`).textContent()
    await expect.poll(() => counter('received')).toBe(String(stats.accepted))
    expect(await counter('requests')).toBe(String(stats.requests))
    // Forced: 3 bucket and 2 shared 429s; the scaled bucket may have added real ones before.
    expect(stats.rateLimited.bucket).toBeGreaterThanOrEqual(3)
    expect(stats.rateLimited.shared).toBeGreaterThanOrEqual(2)
    expect(await counter('rate-limited')).toBe(String(stats.byStatus[429]))
    expect(await counter('429-bucket')).toBe(String(stats.rateLimited.bucket))
    expect(await counter('429-shared')).toBe(String(stats.rateLimited.shared))
    expect(await counter('rejected')).toBe('1')
    expect(await counter('faults')).toBe('5')
    expect(await page.locator('#rejected [data-code="50035"]').textContent()).toContain('Invalid Form Body')
    expect(await page.locator('#faults [data-fault="storm"]').textContent()).toBe('storm 5')
    expect(await page.locator('#chart rect[data-series="bucket"]').count()).toBeGreaterThan(0)
    expect(await page.locator('#chart rect[data-series="shared"]').count()).toBeGreaterThan(0)
    expect(await page.locator('#chart [data-series="remaining"] polyline').count()).toBeGreaterThan(0)
  })

  it('redraws an incident\'s message in place as it is edited, with Discord\'s "(edited)", until it shows Resolved', async () => {
    const before = await page.locator('[data-testid=message]').count()
    const n = new DiscordNotifier({ webhookUrl: emu.webhookUrl(), apiOrigin: emu.origin, logLevel: 'silent', rateLimits: { fallbackWindowMs: 2000 * SCALE, channelWindowMs: 60_000 * SCALE, offsetMs: 30 } })
    for (let i = 0; i < 3; i++) n.sendDiagnostic({ level: 'error', service: 'Queue', message: 'worker pool exhausted', incident: 'queue-pool' })
    await n.flush()
    const incident = page.locator('[data-testid=message]', { hasText: 'worker pool exhausted' })
    await expect.poll(() => incident.locator('[data-testid=edited]').count()).toBe(1)
    await expect.poll(() => incident.textContent()).toContain('×3 · first')
    n.resolveIncident('queue-pool', 'pool resized')
    await n.close()
    await expect.poll(() => incident.textContent()).toContain('✅ Resolved:')
    expect(await incident.textContent()).toContain('pool resized')
    expect(await page.locator('[data-testid=message]').count()).toBe(before + 1)
  })

  it('adds messages live from the event stream, then saves the screenshot', async () => {
    const before = await page.locator('[data-testid=message]').count()
    await post(emu.webhookUrl(), {
      username: 'logcord alerts',
      embeds: [{
        title: '🚨 Disk full on db-1',
        description: 'Writes are failing: `ENOSPC` on `/var/lib/postgresql`.',
        color: SEVERITY_STYLES.critical.color,
        fields: [{ name: 'Host', value: 'db-1', inline: true }, { name: 'Used', value: '100%', inline: true }, { name: 'Free', value: '0 B', inline: true }, { name: 'Runbook', value: '[Disk full](https://example.com/runbooks/disk-full)' }]
      }]
    })
    await expect.poll(() => page.locator('[data-testid=message]').count()).toBe(before + 1)
    // Without a thumbnail, three inline fields share a row, as in Discord.
    const live = page.locator('[data-testid=embed]', { hasText: 'Disk full on db-1' })
    const columns = await live.locator('[data-testid=embed-field]').evaluateAll((cells) => cells.map((c) => (c as unknown as StyledElement).style.gridColumn))
    expect(columns).toEqual(['1 / 5', '5 / 9', '9 / 13', '1 / 13'])
    await expect.poll(() => page.locator('[data-counter="received"]').textContent()).toBe(String(emu.stats().accepted))
    await page.waitForFunction(() => [...(globalThis as unknown as { document: { images: Iterable<{ complete: boolean }> } }).document.images].every((img) => img.complete))
    await page.waitForTimeout(200) // the chart's and the scroll position's next frame
    mkdirSync(dirname(SCREENSHOT), { recursive: true })
    await page.screenshot({ path: SCREENSHOT })
    expect(existsSync(SCREENSHOT)).toBe(true)
  })
})
