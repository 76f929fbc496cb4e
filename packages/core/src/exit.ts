/*
 * What happens to records still pending when the process ends. An idle notifier never holds a process
 * open: its timers are unref()'d, and nothing here is registered while nothing is pending.
 *
 *   await flush() / close() ─────► a ref'd handle holds the event loop until they settle (their deadline
 *                                   bounds it), so `await notifier.close()` at an ESM top level settles
 *   event loop empties ───────────► 'beforeExit': every notifier with records pending drains them
 *   (a script that ends)             (deadline: flushTimeoutMs) and dead-letters what is left; the process
 *                                    then exits with the code it would have had
 *   process.exit() / a crash ─────► 'exit': nothing asynchronous runs any more, so pending records are
 *                                    handed to a delivery worker started there, and the exit blocks
 *                                    (Atomics.wait) until it has settled them, at most exitTimeoutMs
 *
 * Storm windows whose summary (or, through Redis, whose report to the fleet) is owed count as pending:
 * each of these paths ends them first.
 */
import { isMainThread } from 'node:worker_threads'

/** A notifier that may have records pending when the process ends. */
export interface ExitParticipant {
  /** Delivers what is pending within the notifier's deadline, then dead-letters the rest. Never rejects. */
  drainBeforeExit (): Promise<unknown>
  /**
   * Called synchronously from the process 'exit' event: hands pending records to whatever can still
   * deliver them (or, with `deliver` false, dead-letters them at once) and returns a function that blocks until they are settled or `deadline` (epoch ms)
   * passes; undefined when nothing is pending.
   */
  handOffAtExit (deliver: boolean): ((deadline: number) => void) | undefined
  /** How long the process 'exit' may block for this notifier (ms). */
  readonly exitTimeoutMs: number
}

const participants = new Set<ExitParticipant>()
let listening = false
let draining: Promise<unknown> | undefined
/** Set when a shutdown deadline already passed (installProcessHandlers): exit then waits no more. */
let budgetSpent = false

/**
 * The process is exiting after a drain that already used its deadline: records still pending at the
 * 'exit' event are dead-lettered at once instead of being given another `exitTimeoutMs`.
 */
export function exitBudgetSpent (): void {
  budgetSpent = true
}

/** Registers `p` while it has records pending; cheap to call repeatedly. */
export function trackPending (p: ExitParticipant): void {
  participants.add(p)
  if (listening) return
  listening = true
  process.on('beforeExit', onBeforeExit)
  process.on('exit', onExit)
}

/** `p` has nothing pending any more. */
export function untrackPending (p: ExitParticipant): void {
  participants.delete(p)
}

function onBeforeExit (): void {
  // Draining schedules work, so the loop runs on and 'beforeExit' comes again when it is done;
  // by then the participants have settled and removed themselves.
  if (draining !== undefined || participants.size === 0) return
  const release = holdProcess()
  draining = Promise.allSettled([...participants].map((p) => p.drainBeforeExit())).finally(() => {
    draining = undefined
    release()
  })
}

function onExit (): void {
  // Only the main thread's exit ends the process; a worker's own notifiers went with its host.
  if (!isMainThread || participants.size === 0) return
  const waits: Array<[(deadline: number) => void, number]> = []
  for (const p of participants) {
    try {
      const wait = p.handOffAtExit(!budgetSpent)
      if (wait !== undefined) waits.push([wait, p.exitTimeoutMs])
    } catch {
      // Exit handlers must never throw: the process would print a confusing second error.
    }
  }
  participants.clear()
  const start = Date.now()
  // Every hand-off started before any wait, so the workers deliver in parallel.
  for (const [wait, timeoutMs] of waits) {
    try {
      wait(start + timeoutMs)
    } catch {}
  }
}

let holds = 0
let handle: ReturnType<typeof setInterval> | undefined
/** Longest delay setInterval accepts: the handle only exists to keep the loop alive. */
const HOLD_INTERVAL_MS = 2 ** 31 - 1

/**
 * Keeps the event loop alive until the returned function is called (counted: nested holds are fine).
 * Used while a flush or close is awaited, which its own deadline always ends.
 */
export function holdProcess (): () => void {
  holds++
  if (handle === undefined) handle = setInterval(noop, HOLD_INTERVAL_MS)
  let released = false
  return () => {
    if (released) return
    released = true
    if (--holds === 0 && handle !== undefined) {
      clearInterval(handle)
      handle = undefined
    }
  }
}

function noop (): void {}
