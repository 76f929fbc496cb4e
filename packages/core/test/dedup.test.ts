import { describe, expect, it } from 'vitest'
import { Deduplicator } from '../src/batch/dedup.js'
import { DEFAULTS, resolveOptions } from '../src/options.js'
import type { LogRecord } from '../src/record.js'

const WINDOW = 60_000
const rec = (message: string, extra: Partial<LogRecord> = {}): LogRecord => ({ severity: 'error', message, time: 0, ...extra })

function make (maxWindows = 100): Deduplicator {
  return new Deduplicator({ windowMs: WINDOW, maxWindows })
}

describe('Deduplicator', () => {
  it('passes the first of a kind and folds its repeats inside the window', () => {
    const d = make()
    expect(d.offer('k', rec('a'), 1000)).toBe(true)
    expect(d.offer('k', rec('a'), 2000)).toBe(false)
    expect(d.offer('k', rec('a'), 3000)).toBe(false)
    expect(d.offer('other', rec('b'), 3000)).toBe(true)
    expect(d.expire(3000)).toEqual([])
  })

  it('owes one summary with the repeat count and first/last seen when the window ends', () => {
    const d = make()
    const disk = (n: number) => rec(`disk full on /dev/sda${n}`, { service: 'db', error: { type: 'Error', message: 'ENOSPC', stack: 'Error: ENOSPC\n    at write (/app/db.js:9:1)' } })
    d.offer('k', disk(1), 1000)
    for (let t = 1100; t < 1100 + 37; t++) d.offer('k', disk(t), t)
    expect(d.expire(1000 + WINDOW - 1)).toEqual([])
    const [summary, ...rest] = d.expire(1000 + WINDOW)
    expect(rest).toEqual([])
    expect(summary).toMatchObject({
      repeats: 37, firstSeen: 1000, lastSeen: 1136, endsAt: 1000 + WINDOW, severity: 'error', service: 'db',
      title: 'disk full on /dev/sda1100', template: 'disk full on /dev/sda<n>', errorType: 'Error', topFrame: '/app/db.js:9'
    })
    expect(d.size).toBe(0)
  })

  it('owes nothing for a window without repeats', () => {
    const d = make()
    d.offer('k', rec('a'), 0)
    expect(d.expire(WINDOW)).toEqual([])
    expect(d.size).toBe(0)
  })

  it('starts a new window, sent at once, for the first record after the old one ended', () => {
    const d = make()
    d.offer('k', rec('a'), 0)
    d.offer('k', rec('a'), 10)
    // No timer ran: the late record itself ends the old window, whose summary is then due.
    expect(d.offer('k', rec('a'), WINDOW + 5)).toBe(true)
    expect(d.expire(WINDOW + 5).map((w) => w.repeats)).toEqual([1])
    expect(d.nextEnd()).toBe(2 * WINDOW + 5)
  })

  it('ends every window at once for flush and close, and counts add up', () => {
    const d = make()
    let passed = 0
    for (let i = 0; i < 1000; i++) if (d.offer(`k${i % 3}`, rec('a'), i)) passed++
    const due = d.endAll()
    expect(passed).toBe(3)
    expect(passed + due.reduce((n, w) => n + w.repeats, 0)).toBe(1000)
    expect(d.size).toBe(0)
    expect(d.nextEnd()).toBeUndefined()
  })

  it('bounds open windows: the oldest ends early and its summary is due at once', () => {
    const d = make(2)
    d.offer('a', rec('a'), 0)
    d.offer('a', rec('a'), 1)
    d.offer('b', rec('b'), 2)
    d.offer('c', rec('c'), 3)
    expect(d.size).toBe(2)
    expect(d.expire(3).map((w) => [w.title, w.repeats])).toEqual([['a', 1]])
  })

  it('reports the oldest window end for the timer', () => {
    const d = make()
    expect(d.nextEnd()).toBeUndefined()
    d.offer('a', rec('a'), 100)
    d.offer('b', rec('b'), 200)
    expect(d.nextEnd()).toBe(100 + WINDOW)
  })

  it('keeps only short copies of huge records', () => {
    const d = make()
    d.offer('k', rec('y'.repeat(1_000_000)), 0)
    d.offer('k', rec('y'.repeat(1_000_000)), 1)
    const [w] = d.endAll()
    expect(w!.title.length).toBeLessThanOrEqual(300)
    expect(w!.template.length).toBeLessThanOrEqual(300)
  })
})

describe('dedup options', () => {
  const url = `https://discord.com/api/webhooks/123456789012345678/${'t'.repeat(68)}`

  it('defaults to on, a 60 s window and every fingerprint part', () => {
    expect(resolveOptions({ webhookUrl: url }).dedup).toEqual({ enabled: true, windowMs: 60_000, fingerprint: ['severity', 'message', 'errorType', 'topFrame'] })
    expect(DEFAULTS.dedup.enabled).toBe(true)
  })

  it('puts chosen parts in canonical order without duplicates', () => {
    expect(resolveOptions({ webhookUrl: url, dedup: { fingerprint: ['topFrame', 'severity', 'topFrame'] } }).dedup.fingerprint).toEqual(['severity', 'topFrame'])
  })

  it.each([
    [{ dedup: 'yes' }, 'dedup'],
    [{ dedup: { enabled: 'no' } }, 'dedup.enabled'],
    [{ dedup: { windowMs: 0 } }, 'dedup.windowMs'],
    [{ dedup: { fingerprint: [] } }, 'dedup.fingerprint'],
    [{ dedup: { fingerprint: ['stack'] } }, 'dedup.fingerprint']
  ])('rejects %j naming the option', (bad, option) => {
    expect(() => resolveOptions({ webhookUrl: url, ...(bad as object) })).toThrow(expect.objectContaining({ option }))
  })
})
