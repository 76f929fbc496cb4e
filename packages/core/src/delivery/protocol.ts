/**
 * The caller's thread ⇄ a delivery worker (worker.ts ⇄ worker-entry.ts).
 *
 * Counters are not messages: both threads write their own slots of one SharedArrayBuffer (ledger.ts),
 * so stats() and health() add up in the tick of the call. At process exit, when the caller's event
 * loop is gone, the caller blocks in Atomics.wait until the worker's close has finished (SLOT.closed)
 * or the deadline passes, while the worker's own event loop keeps sending.
 */
import type { StormWindow } from '../storm/windows.js'
import type { FlushResult, HealthProblem, NotifierEvents, PlainRecord, RateLimitInfo, ResolvedOptions } from '../types.js'
import type { DeadlineName } from './deadlines.js'
import type { HandOff } from './pipeline.js'

/** The resolved options that cross into a worker: plain data only. */
export type WorkerOptions = Omit<ResolvedOptions, 'log' | 'dispatcher' | 'clock'>

export interface WorkerData {
  options: WorkerOptions
  counters: SharedArrayBuffer
  /** True: the library's own lines go to the caller's `log` option; false: straight to fd 2. */
  forwardLog: boolean
  /** What the caller's in-process delivery had pending when the process began to exit. */
  from?: HandOff
}

/** One thing to deliver: a record (with the storm window it opened) or a storm window that ended. */
export type Delivered = { record: PlainRecord, window?: StormWindow } | { window: StormWindow, ended: true }

export type ToWorker =
  | { type: 'deliver', seq: number, items: Delivered[] }
  | { type: 'flush', id: number, timeoutMs: number }
  /**
   * `named`: the deadline as the stderr line names it; `close`: stop intake after settling; `until`:
   * an absolute deadline (epoch ms) instead, at process exit, so the worker's start eats into its time.
   */
  | { type: 'settle', id: number, timeoutMs: number, named: DeadlineName, close: boolean, until?: number }
  | { type: 'resetRateLimits' }

export type FromWorker =
  | { type: 'reply', id: number, result: FlushResult }
  | { type: 'event', name: keyof NotifierEvents, payload: unknown }
  /** Nothing pending after the `seq`-th message. */
  | { type: 'idle', seq: number }
  | { type: 'state', problem: HealthProblem | undefined, rateLimits: RateLimitInfo }
  | { type: 'log', line: string }
