import { describe, expect, it } from 'vitest'
import { resolveOptions } from '../src/options/resolve.js'
import { DEFAULTS } from '../src/options/table.js'
import { fingerprintOf, partsOf, recordText } from '../src/storm/fingerprint.js'
import { StormWindows, type StormWindow } from '../src/storm/windows.js'
import type { LogRecord } from '../src/types.js'

const WINDOW = 60_000
const rec = (message: string, extra: Partial<LogRecord> = {}): LogRecord => ({ severity: 'error', message, time: 0, ...extra })

const PARTS = partsOf(['severity', 'message', 'errorType'])
const windows = (max?: number): StormWindows => new StormWindows(WINDOW, PARTS, { maxWindows: max })

/** A call as the notifier makes it: end what is due, then fold a repeat or open a window for a first. */
function offer (w: StormWindows, record: LogRecord, now: number, ended: StormWindow[] = []): boolean {
  if (now >= w.nextEnd) ended.push(...w.expire(now))
  const open = w.find(record.severity, record.service, recordText(record), record.error)
  if (open !== undefined) {
    w.fold(open, now)
    return false
  }
  const { evicted } = w.open(fingerprintOf(PARTS, record.severity, record.service, recordText(record), record.error), record, now)
  if (evicted !== undefined) ended.push(evicted)
  return true
}

describe('StormWindows', () => {
  it('passes the first of a kind and folds its repeats inside the window', () => {
    const w = windows()
    expect(offer(w, rec('k'), 1000)).toBe(true)
    expect(offer(w, rec('k'), 2000)).toBe(false)
    expect(offer(w, rec('k'), 3000)).toBe(false)
    expect(offer(w, rec('other'), 3000)).toBe(true)
    expect(w.expire(3000)).toEqual([])
    expect(w.owed).toBe(true)
  })

  it('ends a window with its repeat count, first and last seen, described by its first record', () => {
    const w = windows()
    const disk = (n: number): LogRecord => rec(`disk full on /dev/sda${n}`, { service: 'db', error: { type: 'Error', message: 'ENOSPC', stack: 'Error: ENOSPC\n    at write (/app/db.js:9:1)' } })
    offer(w, disk(1), 1000)
    for (let t = 1100; t < 1100 + 37; t++) offer(w, disk(t), t)
    expect(w.expire(1000 + WINDOW - 1)).toEqual([])
    const [ended, ...rest] = w.expire(1000 + WINDOW)
    expect(rest).toEqual([])
    expect(ended).toMatchObject({
      repeats: 37,
      firstSeen: 1000,
      lastSeen: 1136,
      endsAt: 1000 + WINDOW,
      severity: 'error',
      service: 'db',
      title: 'disk full on /dev/sda1',
      template: 'disk full on /dev/sda<n>',
      errorType: 'Error',
      topFrame: '/app/db.js:9'
    })
    expect(w.size).toBe(0)
    expect(w.owed).toBe(false)
  })

  it('ends a window without repeats too: nothing is owed for it, and only the fleet is told of it', () => {
    const w = windows()
    offer(w, rec('k'), 0)
    expect(w.owed).toBe(false)
    expect(w.expire(WINDOW)).toEqual([])
    expect(w.size).toBe(0)
    const fleet = new StormWindows(WINDOW, PARTS, { describeAll: true })
    expect(fleet.open(fingerprintOf(PARTS, 'error', undefined, 'k', undefined), rec('k'), 0).window).toMatchObject({ title: 'k', repeats: 0 })
    expect(fleet.expire(WINDOW).map((x) => x.repeats)).toEqual([0])
  })

  it('opens a new window, sent at once, for the first record after the old one ended', () => {
    const w = windows()
    const ended: StormWindow[] = []
    offer(w, rec('k'), 0)
    offer(w, rec('k'), 10)
    // No timer ran: the late record itself ends the old window.
    expect(offer(w, rec('k'), WINDOW + 5, ended)).toBe(true)
    expect(ended.map((x) => x.repeats)).toEqual([1])
    expect(w.nextEnd).toBe(2 * WINDOW + 5)
  })

  it('ends every window at once for flush and close, and counts add up', () => {
    const w = windows()
    let passed = 0
    for (let i = 0; i < 1000; i++) if (offer(w, rec(`k${['x', 'y', 'z'][i % 3]}`), i)) passed++
    const ended = w.endAll(1000)
    expect(passed).toBe(3)
    expect(passed + ended.reduce((n, x) => n + x.repeats, 0)).toBe(1000)
    expect(w.size).toBe(0)
    expect(w.nextEnd).toBe(Infinity)
  })

  it('bounds open windows: opening one more ends the oldest early', () => {
    const w = windows(2)
    const ended: StormWindow[] = []
    offer(w, rec('a'), 0, ended)
    offer(w, rec('a'), 1, ended)
    offer(w, rec('b'), 2, ended)
    offer(w, rec('c'), 3, ended)
    expect(w.size).toBe(2)
    expect(ended.map((x) => [x.title, x.repeats, x.endsAt])).toEqual([['a', 1, 3]])
    expect(w.nextEnd).toBe(2 + WINDOW)
  })

  it('keeps finding and ending windows in order as the bounded table turns over many times', () => {
    const w = windows(3)
    const ended: StormWindow[] = []
    for (let i = 0; i < 50; i++) {
      expect(offer(w, rec(`job ${['a', 'b', 'c', 'd'][i % 4]} ${i}`), i, ended)).toBe(true)
      // A repeat of the newest is found; the table never holds more than its bound.
      expect(offer(w, rec(`job ${['a', 'b', 'c', 'd'][i % 4]} ${i + 1000}`), i, ended)).toBe(false)
      expect(w.size).toBeLessThanOrEqual(3)
    }
    expect(ended.map((x) => x.firstSeen)).toEqual(Array.from({ length: 47 }, (_, i) => i))
    expect(w.endAll(100).map((x) => x.firstSeen)).toEqual([47, 48, 49])
  })

  it('says when the oldest window ends, for the timer', () => {
    const w = windows()
    expect(w.nextEnd).toBe(Infinity)
    offer(w, rec('a'), 100)
    offer(w, rec('b'), 200)
    expect(w.nextEnd).toBe(100 + WINDOW)
  })

  it('keeps only short copies of huge records', () => {
    const w = windows()
    offer(w, rec('y'.repeat(1_000_000)), 0)
    offer(w, rec('y'.repeat(1_000_000)), 0)
    const [x] = w.endAll(1)
    expect(x!.title.length).toBeLessThanOrEqual(300)
    expect(x!.template.length).toBeLessThanOrEqual(300)
  })
})

describe('dedup options', () => {
  const url = `https://discord.com/api/webhooks/123456789012345678/${'t'.repeat(68)}`

  it('defaults to on, a 60 s window, and every fingerprint part but the stack frame (a stack format per call)', () => {
    expect(resolveOptions({ webhookUrl: url }).dedup).toEqual({ enabled: true, windowMs: 60_000, fingerprint: ['severity', 'message', 'errorType'] })
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
