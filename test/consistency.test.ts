/**
 * Every entry point and mode behaves the same: the same records group into the same alerts, health()
 * adds up in the tick of the call, an error is read when it is logged, a revoked webhook is asked once,
 * dead letters are not written by the logging call, and a cron job's repeats through Redis all reach
 * the channel. Each script is test/fixtures/consistency-app.mjs in a child process that runs the BUILT
 * packages and ends by itself (or calls process.exit()), against the emulator in this process.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createEmulator, type Emulator, type StoredMessage } from '@logcord/discord-emulator'
import { redisAvailable, startRedis, type TestRedis } from '../scripts/lib/redis-server.mjs'
import { runNode, type NodeRun } from './crash-helpers.js'

const APP = fileURLToPath(new URL('./fixtures/consistency-app.mjs', import.meta.url))
const CLI = fileURLToPath(new URL('../packages/pino-discord/dist/cli.js', import.meta.url))
const MORE = /×(\d+) more/

type Run = NodeRun

function run (env: Record<string, string>): Promise<Run> {
  return runNode([APP], { env })
}

/** The JSON a fixture printed after `label`. */
function printed (out: string, label: string): Record<string, any> {
  const line = out.split('\n').find((l) => l.startsWith(`${label} `))
  if (line === undefined) throw new Error(`no ${label} line in ${JSON.stringify(out)}`)
  return JSON.parse(line.slice(label.length + 1)) as Record<string, any>
}

function titlesOf (messages: readonly StoredMessage[], webhookId: string): string[] {
  return messages.filter((m) => m.webhookId === webhookId).flatMap((m) => ((m.payload.embeds as Array<{ title?: string }> | undefined) ?? []).map((e) => e.title ?? ''))
}

/** Incidents, and the count each message shows (its footer's `×N`, else 1) sorted: what a channel shows of a set of records, grouped. */
function incidents (messages: readonly StoredMessage[], webhookId: string): { alerts: number, counts: number[] } {
  const embeds = messages.filter((m) => m.webhookId === webhookId).flatMap((m) => (m.payload.embeds as Array<{ footer?: { text?: string } }> | undefined) ?? [])
  const counts = embeds.map((e) => Number(/^×([\d,]+)/.exec(e.footer?.text ?? '')?.[1]?.replaceAll(',', '') ?? 1)).sort((a, b) => a - b)
  return { alerts: embeds.length, counts }
}

/** Records a channel accounts for: 1 an alert, N a "×N more" summary. */
function accounted (titles: string[]): number {
  return titles.reduce((n, t) => n + (MORE.test(t) ? Number(MORE.exec(t)![1]) : 1), 0)
}

const idOf = (url: string): string => new URL(url).pathname.split('/').at(-2)!

let emu: Emulator
beforeEach(async () => { emu = await createEmulator() })
afterEach(async () => { await emu.close() })

describe('the same records group into the same alerts through every entry point', () => {
  const entries = ['notifier', 'threaded', 'winston', 'winston-thread', 'pino', 'cli'] as const
  // Per setting: five failures logged twice each. A TypeError and a RangeError with one message are two
  // alerts; one message from two functions is one alert unless the fingerprint asks for the frame.
  const settings = [
    { name: 'the default fingerprint', dedup: undefined, expected: { alerts: 4, counts: [2, 2, 2, 4] } },
    { name: "fingerprint ['errorType', 'topFrame']", dedup: { fingerprint: ['errorType', 'topFrame'] }, expected: { alerts: 5, counts: [2, 2, 2, 2, 2] } }
  ]

  for (const setting of settings) {
    it(`${setting.name}: ${JSON.stringify(setting.expected)} from each entry point`, async () => {
      const got: Record<string, unknown> = {}
      await Promise.all(entries.map(async (entry) => {
        // The CLI takes no fingerprint option: it is held to the default only.
        if (entry === 'cli' && setting.dedup !== undefined) return
        const webhookUrl = emu.webhookUrl()
        const options = { webhookUrl, apiOrigin: emu.origin, ...(setting.dedup === undefined ? {} : { dedup: setting.dedup }) }
        if (entry === 'cli') {
          const lines = await run({ ENTRY: 'pino-stdout', SCRIPT: 'group' })
          const cli = await runNode([CLI, '--webhook-url', webhookUrl, '--api-origin', emu.origin], { stdin: lines.stdout })
          expect(cli.code).toBe(0)
        } else {
          const r = await run({ ENTRY: entry, SCRIPT: 'group', OPTIONS: JSON.stringify(options) })
          expect(r.stderr).toBe('')
          expect(r.code).toBe(0)
        }
        got[entry] = incidents(emu.messages, idOf(webhookUrl))
      }))
      for (const entry of Object.keys(got)) expect({ entry, ...got[entry] as object }).toEqual({ entry, ...setting.expected })
    }, 60_000)
  }
})

describe('notifiers and transports in every mode', () => {
  const modes = ['notifier', 'threaded', 'winston', 'winston-thread'] as const

  it.each(modes)('%s: health() and stats() in the tick of the call count the record as pending', async (entry) => {
    const r = await run({ ENTRY: entry, SCRIPT: 'health', OPTIONS: JSON.stringify({ webhookUrl: emu.webhookUrl(), apiOrigin: emu.origin }) })
    expect(r.code).toBe(0)
    const health = printed(r.stdout, 'HEALTH')
    expect(health.queueSize).toBe(1)
    expect(health.counters).toMatchObject({ accepted: 1, sent: 0, dropped: 0, collapsed: 0 })
    expect(printed(r.stdout, 'STATS')).toMatchObject({ accepted: 1, sent: 0, dropped: 0, collapsed: 0, queueSize: 1 })
  })

  it.each(modes)('%s: an alert shows its error as it was when logged, however long it waited', async (entry) => {
    emu.setFaults({ latencyMs: 600 })
    const r = await run({ ENTRY: entry, SCRIPT: 'late-read', OPTIONS: JSON.stringify({ webhookUrl: emu.webhookUrl(), apiOrigin: emu.origin }) })
    expect(r.code).toBe(0)
    expect(emu.messages).toHaveLength(2)
    const second = JSON.stringify(emu.messages[1]!.payload)
    expect(second).toContain('ledger locked')
    expect(second).not.toContain('CHANGED')
  })

  for (const exit of ['ends by itself', 'process.exit()']) {
    it.each(modes)(`%s, ${exit}: a revoked webhook gets one request, its repeats count as dropped (disabled), one stderr line`, async (entry) => {
      const webhookUrl = emu.webhookUrl()
      emu.revoke(idOf(webhookUrl), 401)
      const r = await run({ ENTRY: entry, SCRIPT: 'revoked', EXIT: exit === 'process.exit()' ? '1' : '0', OPTIONS: JSON.stringify({ webhookUrl, apiOrigin: emu.origin }) })
      expect(r.code).toBe(0)
      expect(emu.stats().requests).toBe(1)
      expect(r.stderr.split('\n').filter((l) => l.includes('disabled'))).toHaveLength(1)
      const stats = printed(r.stdout, 'STATS')
      expect(stats).toMatchObject({ accepted: 20, sent: 0, collapsed: 0, dropped: 20 })
      expect(stats.droppedByReason.disabled).toBe(20)
    })
  }

  it.each(['notifier', 'winston'] as const)('%s: records shed from a full queue are dead-lettered after the calls, not by them', async (entry) => {
    const deadLetterFile = join(mkdtempSync(join(tmpdir(), 'logcord-shed-')), 'dead.jsonl')
    const options = { webhookUrl: emu.webhookUrl(), apiOrigin: emu.origin, queueCapacity: 100, deadLetterFile, dedup: { enabled: false } }
    const r = await run({ ENTRY: entry, SCRIPT: 'shed', OPTIONS: JSON.stringify(options) })
    expect(r.code).toBe(0)
    expect(printed(r.stdout, 'WRITTEN_DURING_CALLS')).toBe(0)
    const lines = readFileSync(deadLetterFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { reason: string })
    expect(lines).toHaveLength(100)
    expect(new Set(lines.map((l) => l.reason))).toEqual(new Set(['queue_full']))
    // The hundred kept, and the notice of the hundred shed.
    const titles = emu.messages.flatMap((m) => (m.payload.embeds as Array<{ title: string }>).map((e) => e.title))
    expect(titles.filter((t) => !t.includes('dropped (queue full)'))).toHaveLength(100)
    expect(titles.filter((t) => t.includes('100 records dropped (queue full)'))).toHaveLength(1)
  }, 30_000)
})

describe.skipIf(!redisAvailable())('a cron job through Redis', () => {
  let redis: TestRedis
  beforeAll(async () => { redis = (await startRedis())! })
  afterAll(async () => { await redis?.stop() })

  it('run three times 5 s apart, ending by itself or with process.exit(): every occurrence reaches the channel', async () => {
    const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
    const started = Date.now()
    const variants = ['0', '1'].map(async (exit) => {
      const webhookUrl = emu.webhookUrl(`1${Date.now()}${exit}${String(Math.floor(Math.random() * 1e3)).padStart(3, '0')}`)
      for (let i = 0; i < 3; i++) {
        if (i > 0) await sleep(5000)
        const r = await run({ ENTRY: 'notifier', SCRIPT: 'cron', EXIT: exit, DISCORD_NOTIFICATIONS_REDIS_URL: redis.url, OPTIONS: JSON.stringify({ webhookUrl, apiOrigin: emu.origin }) })
        expect(r.stderr).toBe('')
        expect(r.code).toBe(0)
      }
      await emu.waitFor(() => accounted(titlesOf(emu.messages, idOf(webhookUrl))) >= 3, 70_000 - (Date.now() - started))
      expect(accounted(titlesOf(emu.messages, idOf(webhookUrl)))).toBe(3)
    })
    await Promise.all(variants)
  }, 90_000)
})
