/**
 * Where storm control's windows are shared: the one seam between a notifier's windows (which fold
 * repeats in its own process, on the caller's thread) and the other processes that log the same error.
 *
 * - `localStorms`: one process on its own. Every first record is sent and every window's summary is sent
 *   by the process that counted it; the delivery skips the store.
 * - `RedisStorms` (redis/storms.ts): every process on every host that posts to one webhook. A storm is
 *   one fleet window in Redis: the first process to claim it sends the alert, every other process's
 *   first record is folded into it, each process adds its repeats when its own window ends, and the
 *   last one to leave sends one summary whose count covers every process ("×1999 more … from 8
 *   instances").
 *
 * A store is asked only from the delivery side, in rounds (one Redis round trip for every decision
 * pending), never from a logging call. When it cannot answer (Redis absent, lost or slower than the
 * link's timeout), every decision is the local one: nothing is lost, counts still add up.
 */

/** What a fleet summary says about the alert, as the first process saw it (small copies). */
export interface StormDescription {
  severity: string
  service?: string
  title: string
  template: string
  errorType?: string
  topFrame?: string
}

/**
 * A record that opened a window in this process. `windowMs`: the window's length; `leftMs`: how long
 * this process's window has still to run; `sinceMs`: how long ago the record was logged.
 */
export interface StormClaim {
  op: 'claim'
  fingerprint: string
  windowMs: number
  leftMs: number
  sinceMs: number
  description: StormDescription
}

/** A window of this process ended with `repeats` folded records (0 included); the last was `sinceMs` ago. */
export interface StormContribution {
  op: 'contribute'
  fingerprint: string
  windowMs: number
  repeats: number
  sinceMs: number
}

/** Asked again after a `wait`: this process's repeats are in the fleet window already. */
export interface StormFinish {
  op: 'finish'
  fingerprint: string
  windowMs: number
  /** A shutdown deadline cannot wait for quiet: send the summary now unless another process is open. */
  force?: boolean
}

export type StormRequest = StormClaim | StormContribution | StormFinish

/**
 * - `send`: a claim that opened the fleet window: send the record.
 * - `fold`: a claim folded into another process's window, or a contribution the fleet window keeps
 *   (another process will send the summary): send nothing; the records are counted as collapsed.
 * - `local`: no fleet window to join (none exists, or the store is unreachable): do as one process alone.
 * - `summary`: this contribution closes the fleet window (or its period): send one summary of `repeats`
 *   records from `instances` processes, described as the first process saw the alert.
 * - `wait`: the contribution is in the fleet window and no other process's window is open, but the storm
 *   was active less than a quiet period ago: ask again (`finish`) after `ms`, in case another process joins.
 * - `watch`: folded, and another process whose window is open will send the summary; in case it is gone
 *   by then (a crash, an exit that could not reach Redis), ask again (`finish`) after `ms` if still running.
 *   Unlike `wait`, nothing waits for it: flush() and close() do not.
 */
export type StormDecision =
  | { kind: 'send' }
  | { kind: 'fold' }
  | { kind: 'local' }
  | { kind: 'summary', repeats: number, instances: number, description: StormDescription, firstSinceMs: number, lastSinceMs: number }
  | { kind: 'wait', ms: number }
  | { kind: 'watch', ms: number }

export interface StormStore {
  /** False for the in-process store: the pipeline then skips the store altogether. */
  readonly shared: boolean
  /**
   * One decision per request, in order. `instance` names the asking pipeline (unique across every
   * process and host). Never rejects: on any failure every decision is `local` (a claim is then `send`).
   */
  decide: (webhookId: string, instance: string, requests: readonly StormRequest[]) => Promise<StormDecision[]>
  status: () => { degraded?: string }
}

const SEND: StormDecision = Object.freeze({ kind: 'send' })
const LOCAL: StormDecision = Object.freeze({ kind: 'local' })

/**
 * The decisions a process alone makes: every first record sent, every summary sent by its own process.
 * A finish that cannot be asked (Redis lost while the storm went quiet) is local too: the process sends
 * what it put into the fleet's count itself; the fleet's count is out of reach, and the other
 * processes' part of it is sent by them if they are still running (each asks again after a wait).
 */
export function localDecisions (requests: readonly StormRequest[]): StormDecision[] {
  return requests.map((r) => r.op === 'claim' ? SEND : LOCAL)
}

/** Storm control within one process: nothing is shared. */
export const localStorms: StormStore = {
  shared: false,
  decide: (_webhookId, _instance, requests) => Promise.resolve(localDecisions(requests)),
  status: () => ({})
}
