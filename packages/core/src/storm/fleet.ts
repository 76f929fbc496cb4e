/**
 * Where storm windows are shared between processes: `localStorms` (one process alone sends every first record
 * and its own summaries) or `RedisStorms` (redis/storms.ts: one fleet window per storm; the first process to
 * claim it sends the alert, the others fold in and add their repeats when their windows end, and the last to
 * leave sends one summary for all, "×1999 more … from 8 instances"). Asked from the delivery side in rounds, never
 * from a logging call; when the store cannot answer, every decision is the local one: nothing lost, counts add up.
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
 * `claim`: a record opened a window here: the window's length, how long it still runs, how long ago it was logged (ms).
 * `contribute`: a window of this process ended with `repeats` folded records (0 included); the last was `sinceMs` ago.
 * `finish`: asked again after a `wait`, this process's repeats being in the fleet window already; `force`: a shutdown
 * deadline cannot wait for quiet, so the summary goes now unless another process is open.
 */
export type StormRequest =
  | { op: 'claim', fingerprint: string, windowMs: number, leftMs: number, sinceMs: number, description: StormDescription }
  | { op: 'contribute', fingerprint: string, windowMs: number, repeats: number, sinceMs: number }
  | { op: 'finish', fingerprint: string, windowMs: number, force?: boolean }

/**
 * `send` the record (the claim opened the fleet window); `fold` (another process sends: counted as
 * collapsed); `local` (no fleet window or no store: as one process alone); `summary` of `repeats`
 * records from `instances` processes (this contribution closes the window); `wait` `ms` and ask again
 * (`finish`: the storm was active less than a quiet period ago); `watch`: folded, but ask again after
 * `ms` in case the process that should send is gone (flush() and close() do not wait for it).
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

/** A process alone: every first record sent, every summary its own (also a finish Redis can no longer answer). */
export function localDecisions (requests: readonly StormRequest[]): StormDecision[] {
  return requests.map((r) => r.op === 'claim' ? SEND : LOCAL)
}

/** Storm control within one process: nothing is shared. */
export const localStorms: StormStore = {
  shared: false,
  decide: (_webhookId, _instance, requests) => Promise.resolve(localDecisions(requests)),
  status: () => ({})
}
