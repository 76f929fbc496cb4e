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

/**
 * `clock.now` for many reads in one synchronous run of the event loop: the system clock is read once per `reads`
 * calls of a run (a read costs a third of a storm repeat's work), so a time is late by those calls at most.
 * Any other clock (a test's) is read every time.
 */
export function runClock (clock: Clock, reads = 31): () => number {
  if (clock !== systemClock) return () => clock.now()
  let time = 0
  let left = 0
  let queued = false
  const newRun = (): void => { left = 0; queued = false }
  return () => {
    if (left > 0) { left--; return time }
    time = Date.now()
    left = reads
    if (!queued) { queued = true; queueMicrotask(newRun) }
    return time
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
