import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { DiscordNotifier, WebhookPayload } from '@logcord/core'
import { isExpired, Outage } from '../src/delivery/outage.js'
import { mockDiscord, okBody, TOKEN } from './mock-discord.js'

describe('Outage: the probe schedule', () => {
  it('doubles the wait after each failed probe, caps it, and jitters it within [delay/2, delay]', () => {
    for (const r of [0, 0.5, 0.999]) {
      const o = new Outage({ afterMs: 0, probeMinMs: 1000, probeMaxMs: 8000 }, () => r)
      expect(o.enter(0, '503')).toBe(true)
      const waits = [o.waitMs(0)]
      let now = 0
      for (let i = 0; i < 6; i++) {
        now += 10_000
        expect(o.enter(now, '503')).toBe(false)
        waits.push(o.waitMs(now))
      }
      const full = [1000, 2000, 4000, 8000, 8000, 8000, 8000]
      waits.forEach((w, i) => {
        expect(w).toBeGreaterThanOrEqual(full[i]! / 2)
        expect(w).toBeLessThanOrEqual(full[i]!)
      })
    }
  })

  it('is active from the first failed retry until Discord answers, and reports how long it lasted', () => {
    const o = new Outage({ afterMs: 0, probeMinMs: 10, probeMaxMs: 10 }, () => 0)
    expect(o.active).toBe(false)
    expect(o.problem).toBeUndefined()
    expect(o.waitMs(5)).toBe(0)
    o.enter(100, 'timeout')
    expect(o.enter(105, 'again')).toBe(false)
    expect(o.active).toBe(true)
    expect(o.problem).toEqual({ kind: 'outage', since: 100, reason: 'Discord unreachable, records held: again' })
    expect(o.waitMs(106)).toBeGreaterThan(0)
    o.probeNow(106)
    expect(o.waitMs(106)).toBe(0)
    expect(o.answered(400)).toEqual({ durationMs: 300, probes: 2 })
    expect(o.active).toBe(false)
    expect(o.answered(500)).toBeUndefined()
  })

  it('calls Discord down only once every request for afterMs failed: one answer in between starts the count again', () => {
    const o = new Outage({ afterMs: 30_000, probeMinMs: 10, probeMaxMs: 10 })
    expect(o.down(0)).toBe(false)
    o.failed(1000)
    o.failed(20_000)
    expect(o.down(30_999)).toBe(false)
    expect(o.down(31_000)).toBe(true)
    // Flaky: one request answered, and the failures before it no longer count.
    expect(o.answered(31_500)).toBeUndefined()
    expect(o.down(31_500)).toBe(false)
    o.failed(40_000)
    expect(o.down(69_999)).toBe(false)
    expect(o.down(70_000)).toBe(true)
  })

  it('counts a record\'s age from its time, or from the start for records stamped earlier', () => {
    expect(isExpired(0, 0, 1001, 1000)).toBe(true)
    expect(isExpired(0, 0, 1000, 1000)).toBe(false)
    // A replayed record from last week is as old as this process, not a week.
    expect(isExpired(-7 * 86_400_000, 500, 1000, 1000)).toBe(false)
  })
})

const { bodies, lines, make, answer, post } = mockDiscord({ retryDelays: [5, 5], outage: { afterMs: 0, probeMinMs: 10, probeMaxMs: 20 }, dedup: { enabled: false } })

/** Resolves when the notifier reports the outage (its 'error' event of kind `outage`). */
const outageOf = (n: DiscordNotifier): Promise<void> => new Promise((resolve) => {
  n.on('error', (e) => { if (e.kind === 'outage') resolve() })
})
const titles = (b: WebhookPayload): string[] => (b.embeds ?? []).map((e) => String(e.description))

describe('outage mode in the pipeline', () => {
  it('probes with one record, then drains the backlog packed, most severe first, then in order', async () => {
    answer(503, { message: 'down' }, { times: 3 }) // the batch's attempt and its two retries
    answer(503, { message: 'down' }, { times: 2 }) // two failed probes
    answer(200, okBody, { times: 10 })
    const n = make()
    n.sendDiagnostic({ level: 'info', service: 's', message: 'i1' })
    n.sendDiagnostic({ level: 'error', service: 's', message: 'e1' })
    n.sendDiagnostic({ level: 'info', service: 's', message: 'i2' })
    n.sendDiagnostic({ level: 'critical', service: 's', message: 'c1' })
    n.sendDiagnostic({ level: 'error', service: 's', message: 'e2' })
    expect(await n.flush(5000)).toMatchObject({ timedOut: false, pending: 0 })
    expect(bodies.map((b) => b.embeds?.length)).toEqual([5, 5, 5, 1, 1, 1, 4])
    // The probes (and the one that got through) carry the most severe record; the rest leave together.
    expect(titles(bodies[3]!)).toEqual(['c1'])
    expect(titles(bodies[5]!)).toEqual(['c1'])
    expect(titles(bodies[6]!)).toEqual(['e1', 'e2', 'i1', 'i2'])
    expect(n.stats()).toMatchObject({ sent: 5, dropped: 0, retried: 2, requests: 7 })
    expect(lines.filter((l) => /unreachable since/.test(l))).toHaveLength(1)
    expect(lines.filter((l) => /reachable again .*3 probes/.test(l))).toHaveLength(1)
    expect(lines.join('\n')).not.toContain(TOKEN)
    await n.close()
  })

  it('a flaky Discord (retries spent, but answers within outage.afterMs) keeps the batch whole at the last wait: no outage', async () => {
    // Before: a batch's three failures entered outage mode and probed with one record at a time.
    answer(200, okBody, { times: 1 })
    answer(503, { message: 'flaky' }, { times: 4 })
    answer(200, okBody, { times: 2 })
    const n = make({ outage: { afterMs: 30_000, probeMinMs: 10, probeMaxMs: 20 } })
    const kinds: string[] = []
    n.on('error', (e) => kinds.push(e.kind))
    n.sendDiagnostic({ level: 'error', service: 's', message: 'first' })
    expect(await n.flush(5000)).toMatchObject({ timedOut: false })
    for (const m of ['a', 'b', 'c']) n.sendDiagnostic({ level: 'error', service: 's', message: m })
    expect(await n.flush(5000)).toMatchObject({ timedOut: false, pending: 0 })
    expect(bodies.map((b) => b.embeds?.length)).toEqual([1, 3, 3, 3, 3, 3])
    expect(kinds).toEqual([])
    expect(lines.filter((l) => /unreachable/.test(l))).toEqual([])
    expect(n.stats()).toMatchObject({ sent: 4, retried: 4, dropped: 0 })
    await n.close()
  })

  it('never dead-letters for network errors and timeouts; close() dead-letters what is still held', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'logcord-outage-')), 'dead.jsonl')
    post().replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })).persist()
    const n = make({ deadLetterFile: file })
    n.sendDiagnostic({ level: 'error', service: 's', message: 'a' })
    n.sendDiagnostic({ level: 'warning', service: 's', message: 'b' })
    expect(await n.flush(300)).toMatchObject({ timedOut: true, pending: 2 })
    expect(n.stats()).toMatchObject({ dropped: 0, sent: 0 })
    expect(n.health()).toMatchObject({ status: 'degraded' })
    expect(n.health().reason).toMatch(/ECONNREFUSED/)
    await n.close(50)
    expect(n.stats()).toMatchObject({ dropped: 2, deadLettered: 2 })
    expect(n.stats().droppedByReason.shutdown).toBe(2)
    const dead = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { reason: string })
    expect(dead.map((d) => d.reason)).toEqual(['shutdown', 'shutdown'])
  })

  it('close() during an outage probes at once instead of waiting out the backoff', async () => {
    answer(503, { message: 'down' }, { times: 3 })
    answer(200, okBody, { times: 5 })
    // The next probe would be 60 s away; the close deadline is 2 s.
    const n = make({ outage: { afterMs: 0, probeMinMs: 60_000, probeMaxMs: 60_000 } })
    const outage = outageOf(n)
    n.sendDiagnostic({ level: 'error', service: 's', message: 'a' })
    n.sendDiagnostic({ level: 'error', service: 's', message: 'b' })
    await outage
    expect(n.health().status).toBe('degraded')
    const started = performance.now()
    expect(await n.close(2000)).toMatchObject({ timedOut: false, pending: 0 })
    expect(performance.now() - started).toBeLessThan(1000)
    expect(n.stats()).toMatchObject({ sent: 2, dropped: 0 })
    expect(bodies.map((b) => b.embeds?.length)).toEqual([2, 2, 2, 1, 1])
  })

  it('dead-letters a held record once it is older than maxRecordAgeMs (reason: expired)', async () => {
    answer(503, { message: 'down' }, { times: 3 })
    answer(200, okBody, { times: 5 })
    let now = Date.now()
    const clock = {
      now: () => now,
      setTimeout: (fn: () => void, ms: number) => { const t = setTimeout(fn, Math.min(ms, 5)); t.unref(); return t },
      clearTimeout: (h: unknown) => clearTimeout(h as NodeJS.Timeout)
    }
    const n = make({ clock, maxRecordAgeMs: 60_000 })
    const outage = outageOf(n)
    n.sendDiagnostic({ level: 'error', service: 's', message: 'old' })
    await outage
    expect(n.health().status).toBe('degraded')
    now += 61_000
    n.sendDiagnostic({ level: 'error', service: 's', message: 'fresh' })
    expect(await n.flush(2000)).toMatchObject({ timedOut: false })
    expect(n.stats().droppedByReason.expired).toBe(1)
    expect(bodies.flatMap(titles).at(-1)).toBe('fresh')
    expect(n.stats().sent).toBe(1)
    await n.close()
  })

  it('holds the "N dropped" notice through the outage too, and still counts it as no record', async () => {
    answer(503, { message: 'down' }, { times: 3 })
    answer(200, okBody, { times: 5 })
    const n = make({ queueCapacity: 3 })
    for (let i = 0; i < 6; i++) n.sendDiagnostic({ level: 'error', service: 's', message: `r${i}` })
    expect(await n.flush(3000)).toMatchObject({ timedOut: false, pending: 0 })
    expect(bodies.map((b) => b.embeds?.length)).toEqual([4, 4, 4, 1, 3])
    // The probe carried one record; the notice left with the drain, after the other two.
    expect(JSON.stringify(bodies[4])).toMatch(/3 records dropped \(queue full\)/)
    expect(n.stats()).toMatchObject({ accepted: 6, sent: 3, dropped: 3 })
    expect(n.stats().droppedByReason.queue_full).toBe(3)
    expect(n.getQueueSize()).toBe(0)
    await n.close()
  })

  it('a permanent answer to a probe (404) still disables at once and dead-letters', async () => {
    answer(500, { message: 'oops' }, { times: 3 })
    answer(404, { code: 10015, message: 'Unknown Webhook' })
    const n = make()
    n.sendDiagnostic({ level: 'error', service: 's', message: 'a' })
    n.sendDiagnostic({ level: 'error', service: 's', message: 'b' })
    await n.flush(2000)
    expect(n.health().status).toBe('disabled')
    expect(n.stats()).toMatchObject({ sent: 0, dropped: 2 })
    expect(n.stats().droppedByReason.disabled).toBe(2)
    await n.close()
  })

  it('cuts a request short so a request timeout equal to the close deadline leaves room to dead-letter', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'logcord-outage-')), 'dead.jsonl')
    // Never answers: every attempt ends by its timeout.
    post().reply(200, okBody).delay(60_000).persist()
    const n = make({ deadLetterFile: file, timeoutMs: 1000, flushTimeoutMs: 1000 })
    for (let i = 0; i < 25; i++) n.sendDiagnostic({ level: 'error', service: 's', message: `r${i}` })
    const started = performance.now()
    const result = await n.close()
    const took = performance.now() - started
    expect(result.timedOut).toBe(false)
    // The request was cut at deadline − margin (100 ms): the close ends inside its deadline.
    expect(took).toBeLessThan(1000)
    expect(n.stats()).toMatchObject({ dropped: 25, deadLettered: 25, sent: 0 })
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(25)
  })
})
