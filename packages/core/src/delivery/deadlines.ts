/**
 * Shutdown deadlines (close(), flush(), the process exit), shared out so what cannot be delivered is dead-lettered, and said, in time.
 *
 *   now ──────────── requests may run ─────────────┬──── margin ────┐ deadline
 *                     the fleet's summary asked by ┘ (room to send)  └ what is left is dead-lettered
 */

/** A deadline as the stderr line names it (`the close() deadline`, `exitTimeoutMs at process exit`) and its length (ms). */
export interface DeadlineName { name: string, ms: number }

/** After a deadline aborts the request under way, how long the delivery loop may take to notice and stop (ms). */
export const ABORT_GRACE_MS = 1000
/** How much longer than its own deadline a worker's flush or close answer may take before the caller stops waiting (ms). */
export const REPLY_GRACE_MS = 1000
/** Room kept before the margin to ask Redis for the fleet's summary and send it (ms). */
export const STORM_SEND_ROOM_MS = 1500

/** When requests must have ended (epoch ms) for a deadline `timeoutMs` after `now`: before the margin, a tenth of `timeoutMs`, at most 1000 ms. */
export function requestsEnd (now: number, timeoutMs: number): number {
  return now + timeoutMs - Math.min(1000, Math.floor(timeoutMs * 0.1))
}

/** The time a delivery worker gets to deliver at process exit, out of `exitTimeoutMs`; it keeps a fifth, at most 500 ms, to dead-letter. */
export function exitDeliveryMs (exitTimeoutMs: number): number {
  return Math.max(0, exitTimeoutMs - Math.min(500, Math.floor(exitTimeoutMs / 5)))
}

/**
 * At shutdown, how long a request may go unanswered before it is sent again (ms): four times the slowest answer the
 * webhook gave, at least 1 s (Discord answers a webhook in well under a second when it answers at all; the emulator in
 * a few ms). The caller keeps it within `timeoutMs`.
 */
export function shutdownAnswerMs (slowestAnswerMs: number): number {
  return Math.max(1000, 4 * slowestAnswerMs)
}

/** At shutdown, the longest wait before a retry (ms): the deadline, not the backoff, bounds the tries. */
export const SHUTDOWN_RETRY_MS = 250
