import { describe, expect, it } from 'vitest'
import { BoundedQueue, weight, type Item } from '../src/delivery/queue.js'
import type { Severity } from '../src/levels.js'

const item = (severity: Severity, id: number): Item => ({ severity, record: { severity, message: String(id), time: 0 }, repeats: 0 })
const idOf = (x: Item | undefined): number | undefined => x === undefined ? undefined : Number(x.record.message)

describe('BoundedQueue', () => {
  it('hands out the most severe record first, oldest first within a severity', () => {
    const q = new BoundedQueue(10)
    q.push(item('info', 1), 0)
    q.push(item('error', 2), 0)
    q.push(item('info', 3), 0)
    q.push(item('critical', 4), 0)
    q.push(item('error', 5), 0)
    expect([q.shift(), q.shift(), q.shift(), q.shift(), q.shift()].map(idOf)).toEqual([4, 2, 5, 1, 3])
    expect(q.shift()).toBeUndefined()
    expect(q.size).toBe(0)
  })

  it('sheds the oldest least severe record when full and counts it', () => {
    const q = new BoundedQueue(3)
    q.push(item('info', 1), 1000)
    q.push(item('debug', 2), 1000)
    q.push(item('info', 3), 1000)
    const shed = q.push(item('error', 4), 2000)
    expect(idOf(shed)).toBe(2)
    const shed2 = q.push(item('warning', 5), 3000)
    expect(idOf(shed2)).toBe(1)
    expect(q.size).toBe(3)
    expect(q.takeDrops()).toEqual({ count: 2, bySeverity: { debug: 1, info: 1 }, since: 2000 })
    expect(q.takeDrops()).toBeUndefined()
  })

  it('sheds the incoming record when it is less severe than everything held', () => {
    const q = new BoundedQueue(2)
    q.push(item('error', 1), 0)
    q.push(item('error', 2), 0)
    expect(idOf(q.push(item('info', 3), 0))).toBe(3)
    expect(q.drain().map(idOf)).toEqual([1, 2])
    expect(q.pendingDrops).toBe(1)
  })

  it('keeps a critical record behind 10 000 info records at the front', () => {
    const q = new BoundedQueue(10_000)
    for (let i = 0; i < 10_000; i++) q.push(item('info', i), 0)
    q.push(item('critical', -1), 0)
    expect(idOf(q.shift())).toBe(-1)
    expect(q.size).toBe(9_999)
    expect(q.takeDrops()?.count).toBe(1)
  })

  it('puts requeued records back in front of their lane in their order', () => {
    const q = new BoundedQueue(10)
    for (let i = 1; i <= 4; i++) q.push(item('info', i), 0)
    const a = q.shift()!
    const b = q.shift()!
    q.requeue([a, b])
    expect(q.drain().map(idOf)).toEqual([1, 2, 3, 4])
  })

  it('stays correct across many push/shift cycles', () => {
    const q = new BoundedQueue(50)
    let next = 0
    let expected = 0
    for (let round = 0; round < 2000; round++) {
      for (let i = 0; i < 3; i++) q.push(item('warning', next++), 0)
      for (let i = 0; i < 3; i++) expect(idOf(q.shift())).toBe(expected++)
    }
    expect(q.size).toBe(0)
  })
})

describe('what a shed item counts for', () => {
  it('a storm summary counts as the repeats it stood for, a drop notice as nothing', () => {
    const q = new BoundedQueue(1)
    const summary: Item = { ...item('info', 1), repeats: 99 }
    const notice: Item = { ...item('info', 2), notice: true }
    q.push(summary, 5)
    q.push(item('warning', 3), 6)
    expect(q.takeDrops()).toEqual({ count: 99, bySeverity: { info: 99 }, since: 6 })
    q.push(item('error', 4), 7)
    q.push(notice, 8)
    expect(q.takeDrops()).toEqual({ count: 1, bySeverity: { warning: 1 }, since: 7 })
    expect([summary, notice, item('debug', 5)].map(weight)).toEqual([99, 0, 1])
  })
})
