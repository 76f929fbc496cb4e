import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Deduplicator } from '../src/batch/dedup.js'
import type { LogRecord } from '../src/record.js'

/** The obvious implementation: a Map in opening order. The typed-array table must behave exactly like it. */
class Model {
  #open = new Map<number, { first: number, last: number, repeats: number, endsAt: number, described: boolean }>()
  due: Array<{ key: number, repeats: number, first: number, last: number }> = []
  constructor (readonly windowMs: number, readonly max: number) {}
  offer (key: number, now: number): boolean {
    this.#endExpired(now)
    const w = this.#open.get(key)
    if (w !== undefined) {
      w.repeats++
      w.last = now
      w.described = true
      return false
    }
    if (this.#open.size >= this.max) this.#end(this.#open.keys().next().value!)
    this.#open.set(key, { first: now, last: now, repeats: 0, endsAt: now + this.windowMs, described: false })
    return true
  }

  /** A repeat without a record: counted only into a window a repeat already described. */
  fold (key: number, now: number): boolean {
    this.#endExpired(now)
    const w = this.#open.get(key)
    if (w === undefined || !w.described) return false
    w.repeats++
    w.last = now
    return true
  }

  #endExpired (now: number): void {
    for (const [k, w] of this.#open) {
      if (w.endsAt > now) break
      this.#end(k)
    }
  }

  endAll (): void {
    for (const k of [...this.#open.keys()]) this.#end(k)
  }

  #end (key: number): void {
    const w = this.#open.get(key)!
    this.#open.delete(key)
    if (w.repeats > 0) this.due.push({ key, repeats: w.repeats, first: w.first, last: w.last })
  }
}

const record = (key: number): LogRecord => ({ severity: 'error', message: `k${key}`, time: 0 })

describe('Deduplicator matches a reference model', () => {
  it('for any sequence of colliding keys, times and window counts', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 1, max: 50 }),
      // Keys that share low bits collide in the table and exercise probing and backward-shift deletion.
      // Each step offers a record, or folds a repeat without one (as the Winston transport does).
      fc.array(fc.tuple(fc.integer({ min: 0, max: 11 }).map((k) => k * 16 + (k % 3)), fc.integer({ min: 0, max: 20 }), fc.boolean()), { maxLength: 300 }),
      (max, windowMs, steps) => {
        const d = new Deduplicator({ windowMs, maxWindows: max })
        const m = new Model(windowMs, max)
        const got: Array<{ key: number, repeats: number, first: number, last: number }> = []
        let now = 0
        for (const [key, dt, fold] of steps) {
          now += dt
          if (fold) expect(d.fold(key, 7, Float64Array.of(now))).toBe(m.fold(key, now))
          else expect(d.offer(key, record(key), now, 7)).toBe(m.offer(key, now))
          for (const w of d.expire(now)) got.push({ key: Number(w.title.slice(1)), repeats: w.repeats, first: w.firstSeen, last: w.lastSeen })
        }
        for (const w of d.endAll()) got.push({ key: Number(w.title.slice(1)), repeats: w.repeats, first: w.firstSeen, last: w.lastSeen })
        m.endAll()
        expect(got).toEqual(m.due)
        expect(d.size).toBe(0)
      }
    ), { numRuns: 500 })
  })
})
