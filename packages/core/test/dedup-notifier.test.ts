import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createEmulator, type Emulator } from '@logcord/discord-emulator'
import { DiscordNotifier, type Embed, type NotifierOptions, type WebhookPayload } from '@logcord/core'
import { ownClock } from './own-clock.js'

// Discord's limits run faster in the emulator; the notifier's hidden-limit settings are scaled to match.
// The safety offset stays absolute: network and event-loop jitter do not scale with the clock.
const SCALE = 0.02
const scaledLimits = (scale: number) => ({ fallbackWindowMs: 2000 * scale, channelWindowMs: 60_000 * scale, offsetMs: 30 })
const STORM = 10_000
const MORE = /×(\d+) more in the last/

let emu: Emulator
let notifiers: DiscordNotifier[]

async function start (scale = SCALE): Promise<void> {
  emu = await createEmulator({ timeScale: scale, seed: 5 })
}

beforeEach(() => {
  notifiers = []
})

afterEach(async () => {
  await Promise.all(notifiers.map((n) => n.close(500)))
  await emu.close()
})

function make (extra: NotifierOptions = {}, scale = SCALE): DiscordNotifier {
  const n = new DiscordNotifier({
    webhookUrl: emu.webhookUrl(),
    apiOrigin: emu.origin,
    logLevel: 'silent',
    clock: ownClock(),
    // "×N more" summaries: incidents (edited in place) are tested in test/incidents.test.ts.
    incidents: { enabled: false },
    ...extra,
    rateLimits: { ...scaledLimits(scale), ...extra.rateLimits }
  })
  notifiers.push(n)
  return n
}

const embeds = (): Embed[] => emu.messages.flatMap((m) => (m.payload as unknown as WebhookPayload).embeds ?? [])

/** What the channel says was logged: 1 for each alert, N for each "×N more" summary. */
function channelCount (list: Embed[]): number {
  return list.reduce((n, e) => {
    const m = MORE.exec(e.title ?? '')
    return n + (m === null ? 1 : Number(m[1]))
  }, 0)
}

/** The same failure from the same line, with a different id each time, as a real storm looks. */
function failure (i: number): Error {
  return new Error(`payment ${crypto.randomUUID()} failed for order ${100_000 + i}`)
}

describe('storm control against the emulator', () => {
  it('counts the repeats of a lost "×99 more" summary as dropped, so the books still balance', async () => {
    await start()
    const dir = mkdtempSync(join(tmpdir(), 'logcord-storm-'))
    const deadLetterFile = join(dir, 'dead.jsonl')
    const n = make({ deadLetterFile })
    for (let i = 0; i < 100; i++) n.sendErrorNotification({ service: 'checkout', error: failure(i) })
    await new Promise((resolve) => n.once('sent', resolve))
    // Discord stops answering: the request carrying the summary is the one that is lost.
    emu.setFaults({ hangRate: 1 })
    expect(n.stats()).toMatchObject({ accepted: 100, sent: 1, collapsed: 99, dropped: 0 })
    await n.close(300)
    const s = n.stats()
    expect(s).toMatchObject({ accepted: 100, sent: 1, collapsed: 0, dropped: 99, deadLettered: 99 })
    expect(s.droppedByReason.shutdown).toBe(99)
    expect(s.accepted).toBe(s.sent + s.dropped + s.collapsed + n.getQueueSize())
    const lines = readFileSync(deadLetterFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { record: { title: string } })
    expect(lines.map((l) => l.record.title)).toEqual([expect.stringContaining('×99 more')])
  })

  it('collapses a storm of 10 000 identical errors into a handful of messages whose counts add up exactly', async () => {
    await start()
    const n = make()
    for (let i = 0; i < STORM; i++) n.sendErrorNotification({ service: 'checkout', error: failure(i) })
    await n.flush()
    const list = embeds()
    expect(emu.messages.length).toBeLessThanOrEqual(3)
    expect(channelCount(list)).toBe(STORM)
    const summary = list.find((e) => MORE.test(e.title ?? ''))!
    expect(summary.title).toContain(`×${STORM - 1} more`)
    expect(summary.fields).toEqual(expect.arrayContaining([
      expect.objectContaining({ name: 'First seen' }),
      expect.objectContaining({ name: 'Last seen' }),
      expect.objectContaining({ name: 'Pattern', value: expect.stringContaining('payment <uuid> failed for order <n>') })
    ]))
    const s = n.stats()
    expect(s).toMatchObject({ accepted: STORM, sent: 1, collapsed: STORM - 1, dropped: 0 })
    expect(s.accepted).toBe(s.sent + s.dropped + s.collapsed + n.getQueueSize())
  })

  it('sends the summary when the window ends, without waiting for flush', async () => {
    await start()
    const windowMs = 200
    const n = make({ dedup: { windowMs } })
    for (let i = 0; i < 50; i++) n.sendDiagnostic({ level: 'warning', service: 'cache', message: `miss for key ${i}` })
    await emu.waitFor((list) => list.some((m) => MORE.test(JSON.stringify(m.payload))), windowMs * 20)
    expect(channelCount(embeds())).toBe(50)
    expect(embeds().map((e) => e.title)).toEqual([expect.stringContaining('Warning · cache'), expect.stringMatching(/×49 more/)])
  })

  it('keeps distinct alerts apart and reconciles every count at close()', async () => {
    await start()
    const n = make()
    for (let i = 0; i < 300; i++) {
      n.sendDiagnostic({ level: 'error', service: 'api', message: `upstream ${i} timed out` })
      if (i % 3 === 0) n.sendDiagnostic({ level: 'info', service: 'api', message: `user ${i} logged in` })
      if (i % 100 === 0) n.sendErrorNotification({ service: 'api', error: new RangeError(`bad offset ${i}`) })
    }
    await n.close()
    const list = embeds()
    expect(channelCount(list)).toBe(300 + 100 + 3)
    expect(list).toHaveLength(6) // three kinds: each its first record and one summary
    const s = n.stats()
    expect(s.accepted).toBe(403)
    expect(s.sent + s.dropped + s.collapsed).toBe(403)
    expect(s.sent).toBe(3)
  })

  it('close() gives up on a summary stuck in flight at its deadline', async () => {
    await start()
    const n = make()
    n.sendDiagnostic({ level: 'error', service: 'q', message: 'stuck 1' })
    await n.flush()
    emu.setFaults({ hangRate: 1 })
    // Repeats: folded now, their summary is sent by close() and hangs.
    n.sendDiagnostic({ level: 'error', service: 'q', message: 'stuck 2' })
    n.sendDiagnostic({ level: 'error', service: 'q', message: 'stuck 3' })
    const started = performance.now()
    const result = await n.close(200)
    expect(result.timedOut).toBe(true)
    expect(performance.now() - started).toBeLessThan(2000)
    const s = n.stats()
    expect(s.accepted).toBe(s.sent + s.dropped + s.collapsed)
  })

  it('sends every record when dedup is off', async () => {
    // The process-wide cap (40 requests a second) is real time, not emulator time: 10 000 records
    // would take 25 s however fast the emulator's clock runs, so this storm is a fifth of the size.
    const storm = STORM / 5
    const fast = 0.002
    await start(fast)
    const n = make({ dedup: { enabled: false }, queueCapacity: storm }, fast)
    for (let i = 0; i < storm; i++) n.sendErrorNotification({ service: 'checkout', error: failure(i) })
    await n.flush(60_000)
    const list = embeds()
    expect(list).toHaveLength(storm)
    expect(list.some((e) => MORE.test(e.title ?? ''))).toBe(false)
    expect(n.stats()).toMatchObject({ accepted: storm, sent: storm, collapsed: 0, dropped: 0 })
  })
})

describe('priority under pressure', () => {
  it('sends a critical alert logged behind 10 000 queued info records in the next request or the one after', async () => {
    await start()
    const backlog = 10_000
    const n = make({ dedup: { enabled: false }, queueCapacity: backlog + 1 })
    for (let i = 0; i < backlog; i++) n.sendDiagnostic({ level: 'info', service: 'jobs', message: `job ${i} done` })
    await emu.waitFor(1, 5000)
    const before = emu.messages.length
    n.sendDiagnostic({ level: 'critical', service: 'db', message: 'primary database unreachable' })
    const isCritical = (m: { payload: unknown }): boolean => JSON.stringify(m.payload).includes('primary database unreachable')
    await emu.waitFor((list) => list.some(isCritical), 10_000)
    const index = emu.messages.findIndex(isCritical)
    // A request may already be on its way when the alert is logged; the one after carries it.
    expect(index).toBeLessThanOrEqual(before + 1)
    expect(n.getQueueSize()).toBeGreaterThan(backlog - 10 * (index + 1) - 1)
  })
})
