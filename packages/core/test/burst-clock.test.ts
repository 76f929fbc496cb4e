import { describe, expect, it, vi } from 'vitest'
import { BurstClock, systemClock, type Clock } from '../src/clock.js'

/** What the fold path reads: update, then the cell. */
function timeOf (clock: BurstClock): number {
  clock.update()
  return clock.cell[0]!
}

describe('BurstClock', () => {
  it('reads the system clock once per 32 calls within one synchronous run', () => {
    const read = vi.spyOn(Date, 'now')
    try {
      const clock = new BurstClock(systemClock)
      for (let i = 0; i < 64; i++) timeOf(clock)
      expect(read).toHaveBeenCalledTimes(2)
    } finally {
      read.mockRestore()
    }
  })

  it('reads it afresh on the next turn of the event loop, however few calls came before', async () => {
    let t = 1_000
    const read = vi.spyOn(Date, 'now').mockImplementation(() => t)
    try {
      const clock = new BurstClock(systemClock)
      expect(timeOf(clock)).toBe(1_000)
      t = 61_000
      expect(timeOf(clock)).toBe(1_000) // same run: the time read at its start
      await Promise.resolve()
      expect(timeOf(clock)).toBe(61_000)
      expect(read).toHaveBeenCalledTimes(2)
    } finally {
      read.mockRestore()
    }
  })

  it('reads any other clock (a test\'s) on every call', () => {
    let t = 0
    const fake: Clock = { now: () => ++t, setTimeout: () => undefined, clearTimeout: () => {} }
    const clock = new BurstClock(fake)
    expect([timeOf(clock), timeOf(clock), timeOf(clock)]).toEqual([1, 2, 3])
  })

  it('timeCell() holds a given call time, or reads the clock when none is given', () => {
    let t = 100
    const fake: Clock = { now: () => ++t, setTimeout: () => undefined, clearTimeout: () => {} }
    const clock = new BurstClock(fake)
    expect(clock.timeCell(42)[0]).toBe(42)
    expect(clock.timeCell(undefined)[0]).toBe(101)
    // A given time does not disturb the clock's own cell.
    expect(clock.timeCell(7)[0]).toBe(7)
    expect(clock.cell[0]).toBe(101)
  })
})
