/**
 * Time is injected so tests control it. The default clock reads Date.now() and global timers at call
 * time, so vitest's fake timers also work. Timers are unref()'d: this library never keeps a process alive.
 */
export interface Clock {
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout (fn, ms) {
    const t = setTimeout(fn, Math.max(0, ms))
    if (typeof t === 'object' && t !== null && 'unref' in t) t.unref()
    return t
  },
  clearTimeout (handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>)
  }
}

/** Resolves after `ms` on `clock`; resolves early (with false) when `signal` aborts. */
export function sleep (clock: Clock, ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false)
    const onAbort = (): void => {
      clock.clearTimeout(handle)
      resolve(false)
    }
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve(true)
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/**
 * The system clock read at most once per `REUSES + 1` reads within one run of the event loop, and
 * afresh on the next turn: for storm control's count of a folded repeat, which needs the time only to
 * end windows whose time is up and to note when the alert was last seen. In a burst of thousands of
 * repeats (an incident) it saves a clock read per call, and the time it gives is never older than the
 * synchronous run it is read in (31 reads at most). Any other clock (a test's) is read every time.
 *
 * The time (epoch ms) is kept in `cell[0]`: read there, it stays a raw double, where a number returned
 * or passed between functions may be boxed (a heap allocation per call on the logging thread).
 */
export class BurstClock {
  readonly cell = new Float64Array(1)
  /** timeCell()'s cell for a given time. */
  readonly #given = new Float64Array(1)
  readonly #clock: Clock
  #reuses = 0
  #resetQueued = false
  readonly #reset = (): void => {
    this.#reuses = 0
    this.#resetQueued = false
  }

  constructor (clock: Clock) {
    this.#clock = clock
  }

  /** A cell holding `at` (epoch ms) when given (a call handed over later), else this clock's time (update()). */
  timeCell (at: number | undefined): Float64Array {
    if (at === undefined) {
      this.update()
      return this.cell
    }
    this.#given[0] = at
    return this.#given
  }

  /** Brings `cell[0]` up to date (see above). */
  update (): void {
    if (this.#reuses > 0) {
      this.#reuses--
      return
    }
    this.cell[0] = this.#clock.now()
    if (this.#clock !== systemClock) return
    this.#reuses = REUSES
    if (!this.#resetQueued) {
      this.#resetQueued = true
      queueMicrotask(this.#reset)
    }
  }
}

/** Reads after a clock read that reuse its time, within one synchronous run. */
const REUSES = 31
