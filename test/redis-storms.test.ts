/**
 * Storm control shared by processes through Redis: a real redis-server started on a free port (Debian's
 * package; .ci/run installs it). The store on its own first (claims, contributions, the last process
 * sending the summary, a process that is gone, expiry, Redis lost), then the built dist in child
 * processes that end by themselves, against the emulator. Build first: `pnpm build`.
 */
import { execFileSync, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createEmulator, type Emulator } from '@logcord/discord-emulator'
import { DiscordNotifier } from '@logcord/core'
import type { PlainRecord as LogRecord } from '../packages/core/src/types.js'
import { resolveOptions } from '@logcord/core/internal'
import { newCounters } from '../packages/core/src/delivery/ledger.js'
import { Pipeline } from '../packages/core/src/delivery/pipeline.js'
import { RedisStorms } from '../packages/core/src/redis/storms.js'
import { SelfLog } from '../packages/core/src/self-log.js'
import type { StormDecision, StormRequest } from '../packages/core/src/storm/fleet.js'
import { redisAvailable, startRedis, type TestRedis } from '../scripts/lib/redis-server.mjs'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const APP = fileURLToPath(new URL('./fixtures/fleet-app.mjs', import.meta.url))
const PASSWORD = 'storm-secret-3'
const WEBHOOK = '123456789012345678'

function redisCli (port: number, ...args: string[]): string {
  return execFileSync('redis-cli', ['-p', String(port), '-a', PASSWORD, '--no-auth-warning', ...args], { encoding: 'utf8' }).trim()
}

function keys (port: number): string[] {
  return redisCli(port, '--scan').split('\n').filter(Boolean)
}

const description = { severity: 'error', title: 'payment provider timeout', template: 'payment provider timeout', errorType: 'Error', topFrame: '/app/pay.js:42' }
function claim (fingerprint: string, windowMs = 60_000, leftMs = windowMs): StormRequest {
  return { op: 'claim', fingerprint, windowMs, leftMs, sinceMs: 0, description }
}
function contribute (fingerprint: string, repeats: number, windowMs = 60_000): StormRequest {
  return { op: 'contribute', fingerprint, windowMs, repeats, sinceMs: 0 }
}
function finish (fingerprint: string, windowMs = 60_000): StormRequest {
  return { op: 'finish', fingerprint, windowMs }
}
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

interface Run { code: number | null, stderr: string }
/** `input`: the child's stdin stays open until it is called (a fixture with EXIT=stdin exits then). */
function run (env: Record<string, string>, input?: (end: () => void) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [APP], { cwd: ROOT, env: { ...process.env, ...env }, stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'] })
    input?.(() => child.stdin!.end())
    let stderr = ''
    child.stderr!.on('data', (d: Buffer) => { stderr += String(d) })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stderr }))
  })
}

/**
 * A webhook of its own per test: the emulator's ids repeat from run to run, and a storm window left in
 * Redis by an earlier test (it lives until the window ends) must not be joined by the next.
 */
function freshWebhook (emu: Emulator): string {
  return emu.webhookUrl(`1${Date.now()}${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`)
}

/** Alerts and summaries the emulator received, and the records they account for (1 + "×N more" each). */
function accounted (emu: Emulator): { titles: string[], records: number } {
  const titles = emu.messages.flatMap((m) => ((m.payload.embeds as Array<{ title?: string }> | undefined) ?? []).map((e) => e.title ?? ''))
  const records = titles.reduce((n, t) => n + (/×(\d+) more/.test(t) ? Number(/×(\d+) more/.exec(t)![1]) : 1), 0)
  return { titles, records }
}

describe.skipIf(!redisAvailable())('storm control shared through Redis', () => {
  let redis: TestRedis
  beforeAll(async () => { redis = (await startRedis({ password: PASSWORD }))! })
  afterAll(async () => { await redis?.stop() })
  // A Discord emulator at real time for each test (the store's own tests do not use it).
  let emu: Emulator
  beforeEach(async () => { emu = await createEmulator({ timeScale: 1 }) })
  afterEach(async () => { await emu.close() })

  describe('the store', () => {
    // Short waits so the test runs in seconds: a process is gone 300 ms after its window, quiet is 300 ms.
    let store: RedisStorms
    beforeEach(() => { store = new RedisStorms(redis.url, 300, 300) })

    it('the first claim sends, the others fold; the last process to leave sends one summary covering all, then the key is gone', async () => {
      const fp = `a${Date.now()}`
      expect(await store.decide(WEBHOOK, 'p1', [claim(fp, 500)])).toEqual([{ kind: 'send' }])
      expect(await store.decide(WEBHOOK, 'p2', [claim(fp, 500)])).toEqual([{ kind: 'fold' }])
      expect(await store.decide(WEBHOOK, 'p3', [claim(fp, 500)])).toEqual([{ kind: 'fold' }])
      // Every key is namespaced by the webhook id and expires.
      const stored = keys(redis.port)
      expect(stored).toContain(`logcord:v1:wh:${WEBHOOK}:storm:${fp}`)
      for (const key of stored) expect(Number(redisCli(redis.port, 'PTTL', key))).toBeGreaterThan(0)

      // p1 and p2 leave while p3's window is open: their repeats wait in the fleet window, and each would
      // look again after p3's window and grace, in case p3 is gone by then.
      expect(await store.decide(WEBHOOK, 'p1', [contribute(fp, 10, 500)])).toMatchObject([{ kind: 'watch' }])
      const [watch] = await store.decide(WEBHOOK, 'p2', [contribute(fp, 20, 500)])
      expect(watch!.kind).toBe('watch')
      expect((watch as { ms: number }).ms).toBeGreaterThan(500)
      expect((watch as { ms: number }).ms).toBeLessThanOrEqual(500 + 300 + 1)
      // p3 is the last: the storm was active just now, so it is asked to wait for quiet, then finishes.
      const [last] = await store.decide(WEBHOOK, 'p3', [contribute(fp, 30, 500)])
      expect(last!.kind).toBe('wait')
      await sleep((last as { ms: number }).ms + 250)
      const [summary] = await store.decide(WEBHOOK, 'p3', [finish(fp, 500)])
      // 2 folded first records + 10 + 20 + 30 repeats, from 3 processes, described as the first saw it.
      expect(summary).toMatchObject({ kind: 'summary', repeats: 62, instances: 3, description })
      // The window's time was up: nothing is left behind.
      expect(keys(redis.port).filter((k) => k.includes(fp))).toEqual([])
      // A finish asked again (another process racing) finds nothing to send.
      expect(await store.decide(WEBHOOK, 'p2', [finish(fp, 500)])).toEqual([{ kind: 'fold' }])
    })

    it('a process that never reports its window (gone) does not hold the summary back past its end', async () => {
      const fp = `b${Date.now()}`
      await store.decide(WEBHOOK, 'p1', [claim(fp, 400)])
      await store.decide(WEBHOOK, 'gone', [claim(fp, 400, 100)])
      // p1 leaves while `gone`'s window is (said to be) open: it folds, and is told when to look again.
      const [watch] = await store.decide(WEBHOOK, 'p1', [contribute(fp, 5, 400)])
      expect(watch).toMatchObject({ kind: 'watch' })
      expect((watch as { ms: number }).ms).toBeLessThanOrEqual(100 + 300 + 1)
      // Too early: gone's registration still counts.
      expect(await store.decide(WEBHOOK, 'p1', [finish(fp, 400)])).toMatchObject([{ kind: 'watch' }])
      // Past gone's end + grace, and quiet: the finish sends what the fleet counted.
      await sleep(100 + 300 + 350)
      const [summary] = await store.decide(WEBHOOK, 'p1', [finish(fp, 400)])
      expect(summary).toMatchObject({ kind: 'summary', repeats: 6, instances: 2 })
      expect(keys(redis.port).filter((k) => k.includes(fp))).toEqual([])
    })

    it('a summary sent before the window ends keeps the window (count reset) so a late process folds instead of alerting again', async () => {
      const fp = `c${Date.now()}`
      await store.decide(WEBHOOK, 'p1', [claim(fp)])
      expect(await store.decide(WEBHOOK, 'p1', [contribute(fp, 4)])).toMatchObject([{ kind: 'wait' }])
      await sleep(400)
      expect(await store.decide(WEBHOOK, 'p1', [finish(fp)])).toMatchObject([{ kind: 'summary', repeats: 4, instances: 1 }])
      const key = `logcord:v1:wh:${WEBHOOK}:storm:${fp}`
      expect(Number(redisCli(redis.port, 'PTTL', key))).toBeGreaterThan(0)
      // A late process joins the same storm: no second alert, and its repeats get their own summary.
      expect(await store.decide(WEBHOOK, 'late', [claim(fp)])).toEqual([{ kind: 'fold' }])
      expect(await store.decide(WEBHOOK, 'late', [contribute(fp, 2)])).toMatchObject([{ kind: 'wait' }])
      await sleep(400)
      expect(await store.decide(WEBHOOK, 'late', [finish(fp)])).toMatchObject([{ kind: 'summary', repeats: 3, instances: 1 }])
    })

    it('the same error after the fleet window is over is a new alert, also when the window\'s key is still there', async () => {
      const fp = `n${Date.now()}`
      const windowMs = 1500
      expect(await store.decide(WEBHOOK, 'p1', [claim(fp, windowMs)])).toEqual([{ kind: 'send' }])
      expect(await store.decide(WEBHOOK, 'p1', [contribute(fp, 4, windowMs)])).toMatchObject([{ kind: 'wait' }])
      await sleep(400)
      // Summarised before the window's end: the key stays (count reset) until the end and beyond.
      expect(await store.decide(WEBHOOK, 'p1', [finish(fp, windowMs)])).toMatchObject([{ kind: 'summary', repeats: 4 }])
      await sleep(windowMs)
      const key = `logcord:v1:wh:${WEBHOOK}:storm:${fp}`
      expect(Number(redisCli(redis.port, 'EXISTS', key))).toBe(1)
      // A new incident, from another process and from the first: alerted, then folded into the new window.
      expect(await store.decide(WEBHOOK, 'p2', [claim(fp, windowMs)])).toEqual([{ kind: 'send' }])
      expect(await store.decide(WEBHOOK, 'p1', [claim(fp, windowMs)])).toEqual([{ kind: 'fold' }])
    })

    it('a contribution with no fleet window is sent as the process\'s own summary; many requests go in one call, in order', async () => {
      const fp = `d${Date.now()}`
      const decided = await store.decide(WEBHOOK, 'p1', [contribute(`${fp}-none`, 7), claim(fp), claim(`${fp}-2`), contribute(fp, 0)])
      expect(decided.map((d: StormDecision) => d.kind)).toEqual(['local', 'send', 'send', 'wait'])
    })

    it('Redis lost: every decision is the local one at once (claims send, summaries and finishes stay local), health says degraded; back when Redis is', async () => {
      await redis.stop()
      try {
        const asked = Date.now()
        const decided = await store.decide(WEBHOOK, 'p1', [claim('e1'), contribute('e1', 3), finish('e1')])
        expect(decided).toEqual([{ kind: 'send' }, { kind: 'local' }, { kind: 'local' }])
        expect(Date.now() - asked).toBeLessThan(1000)
        await expect.poll(() => store.status().degraded, { timeout: 3000 }).toMatch(/storm control is not shared/)
      } finally {
        await redis.restart()
      }
      await expect.poll(() => store.status().degraded, { timeout: 5000 }).toBeUndefined()
      expect(await store.decide(WEBHOOK, 'p1', [claim(`f${Date.now()}`)])).toEqual([{ kind: 'send' }])
    })
  })

  describe('notifiers in one process (each its own instance)', () => {
    it('Redis lost while the storm goes quiet: each process still running sends its own part, so every record is in a sent message', async () => {
      const webhookUrl = freshWebhook(emu)
      const webhookId = new URL(webhookUrl).pathname.split('/').at(-2)!
      const options = { webhookUrl, apiOrigin: emu.origin, redisUrl: redis.url, dedup: { enabled: true, windowMs: 600_000 }, logLevel: 'silent' as const }
      const a = new DiscordNotifier(options)
      const b = new DiscordNotifier(options)
      const failure = (): Error => new Error('inventory service unavailable')
      for (let i = 0; i < 100; i++) {
        a.sendErrorNotification({ service: 'shop', error: failure() })
        b.sendErrorNotification({ service: 'shop', error: failure() })
      }
      // Both leave at once: their parts go into the fleet's count (199: the repeats and the folded first
      // record), and the fleet's summary waits 2 s for quiet. Redis dies during that wait.
      const leaving = Promise.all([a.flush(10_000), b.flush(10_000)])
      const stormKey = (): string | undefined => keys(redis.port).find((k) => k.includes(`wh:${webhookId}:storm:`))
      await expect.poll(() => { const k = stormKey(); return k === undefined ? 0 : Number(redisCli(redis.port, 'HGET', k, 'count')) }, { timeout: 5000, interval: 20 }).toBe(199)
      const link = new RedisStorms(redis.url)
      await redis.stop()
      try {
        await leaving
        const { titles } = accounted(emu)
        // No fleet summary (its count was in Redis); each part is sent by the process it came from.
        const parts = titles.filter((t) => t.includes(' more in the last ')).map((t) => Number(/×(\d+) more/.exec(t)?.[1]))
        expect(titles.filter((t) => t.includes(' instances: '))).toEqual([])
        expect(titles.length - parts.length + parts.reduce((x, y) => x + y, 0), titles.join(' | ')).toBe(200)
        expect(parts.sort()).toEqual([a.stats().collapsed, b.stats().collapsed].sort())
        // Each says so: the count is this process's part, not the fleet's.
        const summaryEmbeds = emu.messages.flatMap((m) => (m.payload.embeds as Array<{ title?: string, description?: string }> | undefined) ?? []).filter((e) => (e.title ?? '').includes(' more in the last '))
        for (const e of summaryEmbeds) expect(e.description).toContain('Redis was lost before the fleet\'s summary went out')
        for (const n of [a, b]) {
          const c = n.stats()
          expect(c.accepted).toBe(100)
          expect(c.sent + c.dropped + c.collapsed + n.getQueueSize()).toBe(c.accepted)
        }
      } finally {
        await redis.restart()
        await a.close()
        await b.close()
      }
      // The thread's link to Redis is back before the next test.
      await expect.poll(() => link.status().degraded, { timeout: 5000 }).toBeUndefined()
    }, 30_000)

    it('two notifiers, one storm: logging never waits on Redis, one alert and one summary, each notifier\'s counters add up', async () => {
      // Errors only: Redis stopping after the suite would otherwise say so on stderr.
      const options = { webhookUrl: freshWebhook(emu), apiOrigin: emu.origin, redisUrl: redis.url, dedup: { enabled: true, windowMs: 600_000 }, logLevel: 'error' as const }
      const a = new DiscordNotifier(options)
      const b = new DiscordNotifier(options)
      const started = performance.now()
      // Made in one place: the same top frame, so the same alert.
      const failure = (): Error => new Error('payment provider timeout')
      for (let i = 0; i < 300; i++) {
        a.sendErrorNotification({ service: 'checkout', error: failure() })
        b.sendErrorNotification({ service: 'checkout', error: failure() })
      }
      // 600 log calls, no round trip among them (a Redis round trip alone is ~0.1 ms; this bounds it loosely).
      expect(performance.now() - started).toBeLessThan(1000)
      await a.flush(10_000)
      await b.flush(10_000)
      const { titles, records } = accounted(emu)
      expect(records).toBe(600)
      expect(titles).toHaveLength(2)
      expect(titles[1]).toMatch(/^🔴 ×599 more in the last \d+ s from 2 instances: checkout: payment provider timeout$/)
      for (const n of [a, b]) {
        const c = n.stats()
        expect(c.accepted).toBe(300)
        expect(c.sent + c.dropped + c.collapsed + n.getQueueSize()).toBe(c.accepted)
      }
      // One notifier sent the alert; the other folded its first record into the fleet's window.
      expect(a.stats().sent + b.stats().sent).toBe(1)
      await a.close()
      await b.close()
    }, 30_000)
  })

  describe('a process that is gone', () => {
    it('a pipeline whose summary waits on a process that never reports looks again after that process\'s window and sends it', async () => {
      const options = resolveOptions({ webhookUrl: freshWebhook(emu), apiOrigin: emu.origin, redisUrl: redis.url, dedup: { enabled: true, windowMs: 600_000 }, logLevel: 'error' })
      const webhookId = options.target!.id
      const storms = new RedisStorms(redis.url, 300, 300)
      const pipeline = new Pipeline({ options, target: options.target!, counters: newCounters(), log: new SelfLog('error', () => {}, (line) => line), emit: () => {}, wants: () => false, storms })
      const record = (): LogRecord => ({ severity: 'error', time: Date.now(), message: 'disk full on /var' })
      // What a notifier's storm control hands its delivery: the first record with the window it opened.
      const window = { key: 'disk', severity: 'error' as const, service: undefined, title: 'disk full on /var', template: 'disk full on /var', errorType: undefined, topFrame: undefined, firstSeen: Date.now(), lastSeen: Date.now(), repeats: 0, endsAt: Date.now() + 600_000 }
      // The pipeline alerts first.
      pipeline.deliver(record(), window)
      const fingerprint = (await new Promise<string>((resolve) => {
        const poll = setInterval(() => {
          const key = keys(redis.port).find((k) => k.includes(`wh:${webhookId}:storm:`))
          if (key !== undefined) { clearInterval(poll); resolve(key.split(':storm:')[1]!) }
        }, 20)
      }))
      // Another process joins the storm (its first record folds into the fleet's window) and crashes with
      // its window open, 200 ms left: it will never report it.
      await storms.decide(webhookId, 'crashed', [claim(fingerprint, 600_000, 200)])
      // Nine repeats, then the window ends (the notifier's flush() ends it): the fleet keeps the repeats
      // (the crashed process is still "open") and flush does not wait for it.
      pipeline.windowEnded({ ...window, repeats: 9, lastSeen: Date.now(), endsAt: Date.now() })
      const flushed = await pipeline.flush(5000)
      expect(flushed).toEqual({ pending: 0, timedOut: false })
      expect(accounted(emu).records).toBe(1)
      // Past the crashed process's window and grace, the pipeline looks again and sends the summary.
      await expect.poll(() => accounted(emu).titles.length, { timeout: 5000 }).toBe(2)
      expect(accounted(emu).titles[1]).toMatch(/^🔴 ×10 more in the last \d+ s from 2 instances: disk full on \/var$/)
      await pipeline.close(5000)
    }, 30_000)
  })

  describe('a close() deadline shorter than the quiet wait', () => {
    it('close(1500): the summary is sent before the deadline instead of waiting for quiet; counters add up', async () => {
      const options = { webhookUrl: freshWebhook(emu), apiOrigin: emu.origin, redisUrl: redis.url, dedup: { enabled: true, windowMs: 600_000 }, logLevel: 'error' as const }
      const n = new DiscordNotifier(options)
      for (let i = 0; i < 50; i++) n.sendErrorNotification({ service: 'close', error: new Error('deadline') })
      const result = await n.close(1500)
      expect(result).toEqual({ pending: 0, timedOut: false })
      const { titles, records } = accounted(emu)
      expect(records).toBe(50)
      expect(titles).toHaveLength(2)
      const c = n.stats()
      expect(c).toMatchObject({ accepted: 50, sent: 1, collapsed: 49, dropped: 0 })
    }, 30_000)
  })

  describe('child processes, the built dist', () => {
    // A Pino record and a notifier's error notification are different alerts: one storm per fleet here.
    const fleets: Array<[string, string[]]> = [['in-process notifiers', ['storm-notifier']], ['Pino worker transports', ['storm-pino']], ['ThreadedNotifiers and in-process notifiers', ['storm-threaded', 'storm-notifier']], ['Winston transports, in-process and thread mode', ['storm-winston', 'storm-winston-thread']]]
    it.each(fleets)('%s: five processes log the same error 200 times each: one alert and one summary covering all 1000, exit 0; keys expire', async (_name, modes) => {
      const COUNT = 200
      const webhookUrl = freshWebhook(emu)
      const options = { webhookUrl, apiOrigin: emu.origin, redisUrl: redis.url, dedup: { enabled: true, windowMs: 600_000 } }
      const runs = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((name, i) => run({ OPTIONS: JSON.stringify(options), COUNT: String(COUNT), NAME: name, MODE: modes[i % modes.length]! })))
      for (const r of runs) {
        expect(r.stderr).toBe('')
        expect(r.code).toBe(0)
      }
      const { titles, records } = accounted(emu)
      expect(records).toBe(5 * COUNT)
      expect(emu.stats().accepted).toBeLessThanOrEqual(3)
      expect(titles.filter((t) => /×\d+ more .* from [2-5] instances: /.test(t)).length).toBeGreaterThanOrEqual(1)
      const token = new URL(webhookUrl).pathname.split('/').pop()!
      for (const key of keys(redis.port)) {
        expect(key).not.toContain(token)
        expect(Number(redisCli(redis.port, 'PTTL', key))).toBeGreaterThan(0)
      }
    }, 90_000)

    it('a process that calls process.exit() right after logging hands its storm over as it would alone: counts add up, exit 0', async () => {
      const COUNT = 100
      const options = { webhookUrl: freshWebhook(emu), apiOrigin: emu.origin, redisUrl: redis.url, dedup: { enabled: true, windowMs: 600_000 } }
      const modes = [['storm-notifier', '0'], ['storm-notifier', '0'], ['storm-notifier', '1'], ['storm-threaded', '1']]
      const runs = await Promise.all(modes.map(([mode, exit], i) => run({ OPTIONS: JSON.stringify(options), COUNT: String(COUNT), NAME: String(i), MODE: mode!, EXIT: exit! })))
      for (const r of runs) {
        expect(r.stderr).toBe('')
        expect(r.code).toBe(0)
      }
      const { records } = accounted(emu)
      expect(records).toBe(4 * COUNT)
    }, 60_000)

    it('a process that calls process.exit() with its window open hands it to the exit worker, which reports it to the fleet: one summary, counts add up', async () => {
      const COUNT = 100
      const options = { webhookUrl: freshWebhook(emu), apiOrigin: emu.origin, redisUrl: redis.url, dedup: { enabled: true, windowMs: 600_000 } }
      const env = { OPTIONS: JSON.stringify(options), COUNT: String(COUNT), MODE: 'storm-notifier' }
      // The server logs the storm first (its window known to the fleet), and exits after the others.
      let shutDown = (): void => {}
      const server = run({ ...env, NAME: 'server', EXIT: 'stdin' }, (end) => { shutDown = end })
      const webhookId = new URL(options.webhookUrl).pathname.split('/').at(-2)!
      await expect.poll(() => keys(redis.port).filter((k) => k.includes(`wh:${webhookId}:storm:`)).length, { timeout: 10_000 }).toBe(1)
      const jobs = await Promise.all(['a', 'b'].map((name) => run({ ...env, NAME: name, EXIT: '0' })))
      shutDown()
      const runs = [...jobs, await server]
      for (const r of runs) {
        expect(r.stderr).toBe('')
        expect(r.code).toBe(0)
      }
      const { titles, records } = accounted(emu)
      expect(records).toBe(3 * COUNT)
      expect(titles).toHaveLength(2)
      expect(titles[1]).toMatch(/×299 more .* from 3 instances/)
    }, 60_000)

    it('Redis unreachable: each process sends its own alert and summary, counts add up, one stderr line each, exit 0', async () => {
      const COUNT = 50
      const dead = await startRedis()
      await dead!.stop()
      const options = { webhookUrl: freshWebhook(emu), apiOrigin: emu.origin, redisUrl: dead!.url, dedup: { enabled: true, windowMs: 600_000 } }
      const runs = await Promise.all(['a', 'b'].map((name, i) => run({ OPTIONS: JSON.stringify(options), COUNT: String(COUNT), NAME: name, MODE: i === 0 ? 'storm-pino' : 'storm-notifier' })))
      for (const r of runs) {
        expect(r.code).toBe(0)
        expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1)
      }
      const { titles, records } = accounted(emu)
      expect(records).toBe(2 * COUNT)
      expect(titles).toHaveLength(4)
    }, 60_000)
  })
})
