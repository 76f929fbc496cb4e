/*
 * What happens to records pending when the process ends (an idle notifier never holds it open):
 *
 *   await flush() / close() ──► a ref'd handle holds the event loop until they settle (their deadline)
 *   event loop empties ───────► 'beforeExit': each notifier with records pending drains them
 *                               (flushTimeoutMs), dead-letters the rest; the exit code is unchanged
 *   process.exit() / a crash ─► 'exit': pending records go to a delivery worker started there; the
 *                               exit blocks (Atomics.wait) until it settles them, at most exitTimeoutMs
 *
 * Storm windows whose summary (or report to the fleet) is owed count as pending: each path ends them first.
 */
import { isMainThread } from 'node:worker_threads'

/** A notifier that may have records pending when the process ends. */
export interface ExitParticipant {
  /** Delivers what is pending within the notifier's deadline, then dead-letters the rest. Never rejects. */
  drainBeforeExit (): Promise<unknown>
  /**
   * At 'exit': hands pending records to what can still deliver them (dead-letters them if not `deliver`); returns
   * a function blocking until they settle or `deadline` (epoch ms) passes, undefined when nothing is pending.
   */
  handOffAtExit (deliver: boolean): ((deadline: number) => void) | undefined
  /** How long the process 'exit' may block for this notifier (ms). */
  readonly exitTimeoutMs: number
}

const participants = new Set<ExitParticipant>()
let listening = false
let draining: Promise<unknown> | undefined
let budgetSpent = false

/** A drain (installProcessHandlers) already used the shutdown deadline: records pending at 'exit' are dead-lettered at once. */
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
  // Draining schedules work, so 'beforeExit' comes again when it is done, the participants settled and removed.
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

/** Keeps the event loop alive until the returned function is called (holds are counted), while a flush or close (its deadline ends it) is awaited. */
export function holdProcess (): () => void {
  holds++
  // The longest delay setInterval accepts: the handle only keeps the loop alive.
  if (handle === undefined) handle = setInterval(() => {}, 2 ** 31 - 1)
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
