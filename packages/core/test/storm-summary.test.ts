import { describe, expect, it } from 'vitest'
import { dropNotice } from '../src/delivery/queue.js'
import { spoken, summaryRecord } from '../src/storm/summary.js'
import type { StormWindow } from '../src/storm/windows.js'

const T0 = Date.parse('2026-01-02T03:04:05.000Z')
const window = (over: Partial<StormWindow> = {}): StormWindow => ({
  key: 'k',
  severity: 'error',
  service: 'api',
  title: 'db timeout',
  template: 'db timeout after <n> ms',
  errorType: 'TimeoutError',
  topFrame: 'query (db.js:10:5)',
  firstSeen: T0,
  lastSeen: T0 + 40_000,
  repeats: 37,
  endsAt: T0 + 60_000,
  ...over
})

describe('spoken', () => {
  it('seconds below two minutes, minutes from there, at least 1 s', () => {
    expect(spoken(0)).toBe('1 s')
    expect(spoken(45_000)).toBe('45 s')
    expect(spoken(119_000)).toBe('119 s')
    expect(spoken(120_000)).toBe('2 min')
    expect(spoken(185_000)).toBe('3 min')
  })
})

describe('summaryRecord', () => {
  it('a window that ran its course: "×N more in the last <window>", with the fields that describe it', () => {
    const r = summaryRecord(window())
    expect(r.title).toBe('×37 more in the last 60 s: db timeout')
    expect(r.message).toBe('Repeats of this alert were collapsed into this summary (first seen 03:04:05 UTC, last seen 03:04:45 UTC).')
    expect(r).toMatchObject({ severity: 'error', time: T0 + 40_000, service: 'api' })
    expect(r.fields).toEqual({ Repeats: 37, 'First seen': '2026-01-02T03:04:05.000Z', 'Last seen': '2026-01-02T03:04:45.000Z', Pattern: 'db timeout after <n> ms', Error: 'TimeoutError at query (db.js:10:5)' })
  })

  it('a window ended early covers up to its end; a fleet window names its instances', () => {
    const r = summaryRecord(window({ instances: 8, service: undefined, topFrame: undefined, endsAt: T0 + 12_000 }))
    expect(r.title).toBe('×37 more in the last 12 s from 8 instances: db timeout')
    expect(r.fields).toMatchObject({ Instances: 8, Error: 'TimeoutError' })
    expect(r.service).toBeUndefined()
  })
})

describe('dropNotice', () => {
  it('none without drops; otherwise the count, since when, the capacity and a count per severity', () => {
    expect(dropNotice(undefined, 1000, T0)).toBeUndefined()
    const r = dropNotice({ count: 3, bySeverity: { info: 2, debug: 1 }, since: T0 }, 1000, T0 + 5000)?.record
    expect(r).toMatchObject({ severity: 'warning', time: T0 + 5000, title: '3 records dropped (queue full) since 03:04:05 UTC' })
    expect(r?.message).toContain('The queue (capacity 1000) was full')
    expect(Object.values(r?.fields ?? {})).toEqual([2, 1])
    expect(dropNotice({ count: 1, bySeverity: { info: 1 }, since: T0 }, 10, T0)?.record.title).toBe('1 record dropped (queue full) since 03:04:05 UTC')
  })
})
