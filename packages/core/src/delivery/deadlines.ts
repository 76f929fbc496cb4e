/**
 * Shutdown deadlines: how the time before `close()`'s, `flush()`'s or the process exit's deadline is
 * shared out, so that what cannot be delivered is dead-lettered, and said, before the deadline passes.
 *
 *   now ──────────── requests may run ─────────────┬──── margin ────┐ deadline
 *                     the fleet's summary asked by ┘ (room to send)  └ what is left is dead-lettered
 */

/** A deadline as the stderr line names it (`the close() deadline`, `exitTimeoutMs at process exit`) and its length (ms). */
export interface DeadlineName {
  name: string
  ms: number
}

/** After a deadline aborts the request under way, how long the delivery loop may take to notice and stop. */
export const ABORT_GRACE_MS = 1000
/** How much longer than its own deadline a worker's flush or close answer may take before the caller stops waiting. */
export const REPLY_GRACE_MS = 1000
/** The margin: a tenth of the deadline's length, at most this. */
const MAX_MARGIN_MS = 1000
const MARGIN_SHARE = 0.1
/** Room kept before the margin to ask Redis for the fleet's summary and send it. */
const STORM_SEND_ROOM_MS = 1500
/** At process exit, the part of exitTimeoutMs a worker keeps to dead-letter (at most this, at most a fifth). */
const EXIT_MARGIN_MS = 500

export class Deadline {
  /** Epoch ms. */
  readonly at: number
  readonly marginMs: number
  readonly named: DeadlineName

  constructor (now: number, timeoutMs: number, named: DeadlineName) {
    this.at = now + timeoutMs
    this.marginMs = Math.min(MAX_MARGIN_MS, Math.floor(timeoutMs * MARGIN_SHARE))
    this.named = named
  }

  /** A request's timeout (ms): `timeoutMs`, cut so the request ends before the margin. */
  requestTimeout (now: number, timeoutMs: number): number {
    return Math.min(timeoutMs, this.at - this.marginMs - now)
  }

  /** When the fleet's summary must be asked for at the latest (epoch ms). */
  get stormDeadline (): number {
    return this.at - this.marginMs - STORM_SEND_ROOM_MS
  }
}

/** The time a delivery worker gets to deliver at process exit, out of `exitTimeoutMs` (the rest is for dead letters). */
export function exitDeliveryMs (exitTimeoutMs: number): number {
  return Math.max(0, exitTimeoutMs - Math.min(EXIT_MARGIN_MS, Math.floor(exitTimeoutMs / 5)))
}
