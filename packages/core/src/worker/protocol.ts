import type { NotifierEvents } from '../events.js'
import type { Health } from '../notifier-base.js'
import type { NotifierOptions } from '../options.js'
import type { FlushResult } from '../pipeline.js'
import type { LogRecord } from '../record.js'
import type { DedupWindow } from '../batch/dedup.js'

/**
 * Main thread ⇄ delivery worker.
 *
 * The main thread counts records it posted; the worker counts records it has settled (delivered or
 * dropped) in a SharedArrayBuffer. At process exit, when the event loop is gone, the main thread blocks
 * in Atomics.wait until the two counts meet or a deadline passes, while the worker's own event loop
 * keeps sending. That is how an alert logged right before process.exit() still arrives.
 */
export const STATE_SETTLED = 0
/** Set to 1 by the worker once a close has finished (its dead letters and stderr line written). */
export const STATE_CLOSED = 1
export const STATE_SLOTS = 2

/** Options as plain data: functions cannot cross into a worker. */
export type WorkerNotifierOptions = Omit<NotifierOptions, 'log' | 'dispatcher' | 'clock'>

export interface WorkerData {
  options: WorkerNotifierOptions
  state: SharedArrayBuffer
  /** When true, the worker forwards the library's own log lines to the main thread instead of stderr. */
  forwardLog: boolean
  /** Repeats are folded on the main thread and storm control is shared through Redis (`redisUrl`). */
  stormsFromCaller?: boolean
  /** The storm-control instance the windows handed over at exit belong to. */
  stormInstance?: string
}

export type ToWorker =
  /**
   * `storms`: with storm control shared through Redis, four numbers per record (its fingerprint's two
   * hashes, when its window opened and when it ends; NaN for a record outside storm control).
   */
  | { type: 'records', records: LogRecord[], storms?: number[] }
  | { type: 'flush', id: number, timeoutMs?: number }
  /** `exitTimeoutMs`: a close at process exit (the stderr line names that deadline). */
  | { type: 'close', id: number, timeoutMs?: number, exitTimeoutMs?: number }
  | { type: 'resetRateLimits' }
  /** Windows of repeats folded on the caller's thread, to be sent as "×N more" summaries. */
  | { type: 'summaries', windows: DedupWindow[] }

export type EventName = keyof NotifierEvents

export type FromWorker =
  | { type: 'reply', id: number, result: FlushResult }
  | { type: 'event', name: EventName, payload: unknown }
  | { type: 'snapshot', health: Health }
  | { type: 'log', line: string }
