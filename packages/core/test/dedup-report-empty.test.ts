import { describe, expect, it } from 'vitest'
import { Deduplicator } from '../src/batch/dedup.js'
import { fingerprintKey } from '../src/batch/storm-stage.js'
import type { LogRecord } from '../src/record.js'

const WINDOW = 1000
const rec = (message: string): LogRecord => ({ severity: 'error', time: 0, message })

describe('Deduplicator reportEmpty (storm control shared by a fleet)', () => {
  it('off (the default): a window that ends without repeats reports nothing, and windows carry no fingerprint', () => {
    const d = new Deduplicator({ windowMs: WINDOW, maxWindows: 8 })
    d.offer('quiet', rec('quiet'), 0)
    d.offer('loud', rec('loud'), 0)
    d.offer('loud', rec('loud'), 10)
    const due = d.expire(WINDOW)
    expect(due).toHaveLength(1)
    expect(due[0]).toMatchObject({ title: 'loud', repeats: 1 })
    expect(due[0]!.key).toBeUndefined()
  })

  it('on: every window that ends is reported, in opening order, with its fingerprint; one without repeats says repeats 0', () => {
    const d = new Deduplicator({ windowMs: WINDOW, maxWindows: 8, reportEmpty: true })
    d.offer(11, rec('quiet'), 0, 21)
    d.offer(12, rec('loud'), 5, 22)
    d.offer(12, rec('loud'), 10, 22)
    d.offer(12, rec('loud'), 20, 22)
    const due = d.expire(WINDOW + 5)
    expect(due.map((w) => [w.key, w.check, w.repeats, w.firstSeen, w.endsAt])).toEqual([[11, 21, 0, 0, WINDOW], [12, 22, 2, 5, WINDOW + 5]])
    expect(due[1]).toMatchObject({ title: 'loud', lastSeen: 20 })
  })

  it('on: eviction and endAll report windows without repeats too, so no fleet registration is left behind', () => {
    const d = new Deduplicator({ windowMs: WINDOW, maxWindows: 2, reportEmpty: true })
    d.offer(1, rec('a'), 0, 1)
    d.offer(2, rec('b'), 0, 2)
    // A third window evicts the oldest: it ends early and is due.
    d.offer(3, rec('c'), 1, 3)
    expect(d.expire(1).map((w) => w.key)).toEqual([1])
    expect(d.endAll().map((w) => w.key)).toEqual([2, 3])
  })

  it('fingerprintKey: the two hashes as one unsigned key part, negative hashes included', () => {
    expect(fingerprintKey(0, 0)).toBe('0.0')
    expect(fingerprintKey(-1, 35)).toBe(`${(2 ** 32 - 1).toString(36)}.z`)
  })
})
