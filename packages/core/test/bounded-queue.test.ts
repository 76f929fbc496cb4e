import { describe, expect, it } from 'vitest'
import { BoundedQueue } from '../src/queue/bounded-queue.js'
import type { Severity } from '../src/levels.js'

const item = (severity: Severity, id: number) => ({ severity, id })

describe('BoundedQueue', () => {
  it('hands out the most severe record first, oldest first within a severity', () => {
    const q = new BoundedQueue<ReturnType<typeof item>>(10)
    q.push(item('info', 1), 0)
    q.push(item('error', 2), 0)
    q.push(item('info', 3), 0)
    q.push(item('critical', 4), 0)
    q.push(item('error', 5), 0)
    expect([q.shift(), q.shift(), q.shift(), q.shift(), q.shift()].map((x) => x?.id)).toEqual([4, 2, 5, 1, 3])
    expect(q.shift()).toBeUndefined()
    expect(q.size).toBe(0)
  })

  it('sheds the oldest least severe record when full and counts it', () => {
    const q = new BoundedQueue<ReturnType<typeof item>>(3)
    q.push(item('info', 1), 1000)
    q.push(item('debug', 2), 1000)
    q.push(item('info', 3), 1000)
    const shed = q.push(item('error', 4), 2000)
    expect(shed?.id).toBe(2)
    const shed2 = q.push(item('warning', 5), 3000)
    expect(shed2?.id).toBe(1)
    expect(q.size).toBe(3)
    expect(q.takeDrops()).toEqual({ count: 2, bySeverity: { debug: 1, info: 1 }, since: 2000 })
    expect(q.takeDrops()).toBeUndefined()
  })

  it('sheds the incoming record when it is less severe than everything held', () => {
    const q = new BoundedQueue<ReturnType<typeof item>>(2)
    q.push(item('error', 1), 0)
    q.push(item('error', 2), 0)
    expect(q.push(item('info', 3), 0)?.id).toBe(3)
    expect(q.drain().map((x) => x.id)).toEqual([1, 2])
    expect(q.pendingDrops).toBe(1)
  })

  it('keeps a critical record behind 10 000 info records at the front', () => {
    const q = new BoundedQueue<ReturnType<typeof item>>(10_000)
    for (let i = 0; i < 10_000; i++) q.push(item('info', i), 0)
    q.push(item('critical', -1), 0)
    expect(q.shift()?.id).toBe(-1)
    expect(q.size).toBe(9_999)
    expect(q.takeDrops()?.count).toBe(1)
  })

  it('puts requeued records back in front of their lane in their order', () => {
    const q = new BoundedQueue<ReturnType<typeof item>>(10)
    for (let i = 1; i <= 4; i++) q.push(item('info', i), 0)
    const a = q.shift()!
    const b = q.shift()!
    q.requeue([a, b])
    expect(q.drain().map((x) => x.id)).toEqual([1, 2, 3, 4])
  })

  it('stays correct across many push/shift cycles', () => {
    const q = new BoundedQueue<ReturnType<typeof item>>(50)
    let next = 0
    let expected = 0
    for (let round = 0; round < 2000; round++) {
      for (let i = 0; i < 3; i++) q.push(item('warning', next++), 0)
      for (let i = 0; i < 3; i++) expect(q.shift()?.id).toBe(expected++)
    }
    expect(q.size).toBe(0)
  })
})

describe('BoundedQueue.recountDrop', () => {
  it('counts a shed item as the records it stood for', () => {
    const q = new BoundedQueue<ReturnType<typeof item>>(1)
    q.push(item('info', 1), 5)
    q.push(item('info', 2), 6)
    q.push(item('warning', 3), 7)
    q.recountDrop('info', 99)
    expect(q.takeDrops()).toEqual({ count: 100, bySeverity: { info: 100 }, since: 6 })
    q.push(item('error', 4), 8)
    q.recountDrop('warning', 0)
    expect(q.takeDrops()).toBeUndefined()
  })
})
