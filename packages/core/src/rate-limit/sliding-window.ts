/**
 * At most `limit` events in any `windowMs` span. Keeps the last `limit` timestamps in a ring, so
 * memory is bounded by the limit, not the traffic. Time is passed in: the state holds no clock.
 */
export class SlidingWindow {
  readonly limit: number
  readonly windowMs: number
  #stamps: number[]
  #next = 0
  #count = 0

  constructor (limit: number, windowMs: number) {
    this.limit = limit
    this.windowMs = windowMs
    this.#stamps = new Array<number>(limit).fill(0)
  }

  /** Milliseconds until one more event fits (0 = now). */
  waitTime (now: number): number {
    if (this.#count < this.limit) return 0
    const oldest = this.#stamps[this.#next]!
    return Math.max(0, oldest + this.windowMs - now)
  }

  /** Events counted in the window ending at `now`. */
  used (now: number): number {
    let n = 0
    for (let i = 0; i < this.#count; i++) if (this.#stamps[i]! > now - this.windowMs) n++
    return n
  }

  hit (now: number): void {
    this.#stamps[this.#next] = now
    this.#next = (this.#next + 1) % this.limit
    if (this.#count < this.limit) this.#count++
  }

  /** Events inside the window ending at `now`, oldest first. */
  stamps (now: number): number[] {
    return this.#stamps.slice(0, this.#count).filter((t) => t > now - this.windowMs).sort((a, b) => a - b)
  }

  /** Copies another window's events in (when two keys turn out to be one channel). */
  absorb (other: SlidingWindow, now: number): void {
    for (const t of other.stamps(now)) this.hit(t)
  }

  reset (): void {
    this.#stamps.fill(0)
    this.#next = 0
    this.#count = 0
  }
}
