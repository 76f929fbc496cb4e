/**
 * Outage mode, once Discord is down rather than flaky: a batch spent its retries and every request for `afterMs` failed
 * (5xx, network, timeouts). A flaky Discord (some requests failing, others answered) keeps the batch retrying at the
 * last wait instead. The alerts of an outage lasting minutes to hours are the ones needed afterwards, so nothing is
 * dead-lettered:
 *
 *   down ──► enter ──► wait (capped exponential backoff, jitter) ──► probe: one record
 *                       ▲                                                       │
 *                       └───────────── transient failure: enter() ◄─────────────┤
 *                                                                               └─ answer: recovered()
 *                                                                                  the backlog drains packed
 *
 * One small probe at a time, rate-limit waits still applying. Pure state: it only says when the next probe may leave.
 */
import type { HealthProblem, ResolvedOptions } from '../types.js'

/**
 * `options` (ms): afterMs, how long every request must have failed before the outage starts (default 30000);
 * probeMinMs, the first wait between probes (5000, doubling after each failed one); probeMaxMs, the longest (30000).
 */
export class Outage {
  readonly #options: ResolvedOptions['outage']
  readonly #random: () => number
  /** What the last failed request said (never the token), since when (epoch ms: the retries were spent), probes failed so far. */
  #state: { reason: string, since: number, probes: number } | undefined
  #nextProbeAt = 0
  /** Since when (epoch ms) every request has failed; undefined once Discord answered. */
  #failingSince: number | undefined

  constructor (options: ResolvedOptions['outage'], random: () => number = Math.random) {
    this.#options = options
    this.#random = random
  }

  get active (): boolean { return this.#state !== undefined }

  /** For health(): degraded while it lasts. */
  get problem (): HealthProblem | undefined {
    const s = this.#state
    return s === undefined ? undefined : { kind: 'outage', reason: `Discord unreachable, records held: ${s.reason}`, since: s.since }
  }

  /** A request failed transiently (5xx, network, timeout): a run of failures starts or goes on. */
  failed (now: number): void { this.#failingSince ??= now }

  /** Whether every request has failed for `afterMs`: Discord is down, not flaky. */
  down (now: number): boolean { return this.#failingSince !== undefined && now - this.#failingSince >= this.#options.afterMs }

  /** Discord is down and a batch spent its retries, or a probe met another transient failure: the next probe waits (longer). True when this starts an outage. */
  enter (now: number, reason: string): boolean {
    const s = this.#state
    this.#state = { reason, since: s?.since ?? now, probes: s === undefined ? 0 : s.probes + 1 }
    this.#nextProbeAt = now + this.#delay(this.#state.probes)
    return s === undefined
  }

  /** Discord answered (any answer that is not a transient failure): the run of failures, and any outage, is over. */
  answered (now: number): { durationMs: number, probes: number } | undefined {
    const s = this.#state
    this.#state = undefined
    this.#failingSince = undefined
    return s === undefined ? undefined : { durationMs: now - s.since, probes: s.probes + 1 }
  }

  /** The next probe may leave at once (at shutdown: one last try before the deadline). */
  probeNow (now: number): void { if (this.#state !== undefined) this.#nextProbeAt = now }
  /** Milliseconds until the next probe may leave; 0 outside an outage. */
  waitMs (now: number): number { return this.#state === undefined ? 0 : Math.max(0, this.#nextProbeAt - now) }

  /** The wait after `failures` failed probes: min·2^failures, capped, then drawn from [delay / 2, delay] ("equal jitter": processes do not probe in step). */
  #delay (failures: number): number {
    const { probeMinMs, probeMaxMs } = this.#options
    return Math.round(Math.min(probeMaxMs, probeMinMs * 2 ** Math.min(failures, 30)) * (1 - 0.5 * this.#random()))
  }
}

/** The oldest a held record may be (counted from its time, or from `startedAt` if it is older) before it is dropped. */
export function isExpired (recordTime: number, startedAt: number, now: number, maxAgeMs: number): boolean {
  return now - Math.max(recordTime, startedAt) > maxAgeMs
}
