import { systemClock, type Clock } from '../src/clock.js'

/**
 * The system clock as an object of its own: a notifier on a clock of its own keeps rate-limit state of
 * its own, so one test's webhook (the emulator's ids repeat) never waits on another's requests.
 */
export function ownClock (): Clock {
  return { now: () => systemClock.now(), setTimeout: (fn, ms) => systemClock.setTimeout(fn, ms), clearTimeout: (handle) => systemClock.clearTimeout(handle) }
}
