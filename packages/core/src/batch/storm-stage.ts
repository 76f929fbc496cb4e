/**
 * The fleet storm-control stage: between the Deduplicator (this process's windows) and the queue, the
 * pipeline hands over each window's first record and each window's end; this stage asks the shared
 * StormStore about everything pending in one round (one Redis round trip), and hands every decision back
 * in order. Records wait here, not in the queue, until decided: a folded record never takes a queue slot
 * or a request permit, and the batch is still taken only when the rate limiter allows a request, so
 * records keep packing ten a message.
 *
 * Logging calls only append to a list (O(1), no Redis); rounds run on the delivery side, one at a time.
 */
import { randomBytes } from 'node:crypto'
import { SEVERITY_STYLES, type Severity } from '../levels.js'
import type { LogRecord } from '../record.js'
import { describeRecord, type DedupWindow } from './dedup.js'
import { localDecisions, type StormDecision, type StormRequest, type StormStore } from './storm-store.js'

export type StormEntry =
  /** A record that opened a window in this process at `at`, ending at `endsAt` (epoch ms). */
  | { op: 'first', record: LogRecord, fingerprint: string, at: number, endsAt: number }
  /** A window of this process ended (with or without repeats). */
  | { op: 'end', window: DedupWindow, fingerprint: string }
  /**
   * The fleet's summary asked again after a wait (`window.repeats` is 0: they were contributed already).
   * `contributed`: the records this process put into the fleet's count for this window (its repeats and
   * its folded first record): what it sends itself if the store cannot be asked any more (Redis lost).
   */
  | { op: 'finish', window: DedupWindow, fingerprint: string, contributed: number, force?: boolean }

export interface StormStageOptions {
  store: StormStore
  /** The name to ask under: a new one by default; a pipeline's that handed its windows over (at exit). */
  instance?: string
  webhookId: string
  windowMs: number
  now: () => number
  /** Records waiting here at most; past this a first record goes straight to the queue, sent as alone. */
  maxRecords: number
  /** One decision, in the order the entries came. */
  apply: (entry: StormEntry, decision: StormDecision) => void
  /** A round ended with nothing left to decide. */
  settled: () => void
  /** A round failed in a way the store should never let happen (it is reported, decisions are local). */
  failed: (err: unknown) => void
}

/** A fingerprint's two 32-bit hashes as a short key part. */
export function fingerprintKey (key: number, check: number): string {
  return `${(key >>> 0).toString(36)}.${(check >>> 0).toString(36)}`
}

export class StormStage {
  /** This pipeline's name in the shared store: unique across processes, threads and hosts. */
  readonly instance: string
  #o: StormStageOptions
  #pending: StormEntry[] = []
  #inRound: StormEntry[] | undefined
  #records = 0
  #running = false
  #generation = 0
  /** Finishes waiting for the storm to go quiet (StormDecision `wait`), with when each is due. */
  #waits = new Map<ReturnType<typeof setTimeout>, { finish: StormEntry, due: number }>()
  /** Set by hurry(): a shutdown deadline no wait for quiet may pass. */
  #deadline: number | undefined
  /** Finishes in case another process is gone (StormDecision `watch`): nothing waits for these. */
  #watches = new Map<ReturnType<typeof setTimeout>, { finish: StormEntry, due: number }>()
  /** First records the fleet folded, by fingerprint, until their window ends here. */
  #foldedFirsts = new Map<string, number>()

  constructor (options: StormStageOptions) {
    this.#o = options
    this.instance = options.instance ?? randomBytes(9).toString('base64url')
  }

  /** First records waiting for a decision (they count as pending records). */
  get records (): number {
    return this.#records
  }

  /** True while nothing waits for a decision. */
  get idle (): boolean {
    return !this.#running && this.#pending.length === 0 && this.#waits.size === 0
  }

  /** Hands over a window's first record. False when too many wait: the caller sends it as alone. */
  first (record: LogRecord, key: number, check: number, at: number, endsAt: number): boolean {
    if (this.#records >= this.#o.maxRecords) return false
    this.#pending.push({ op: 'first', record, fingerprint: fingerprintKey(key, check), at, endsAt })
    this.#records++
    this.#schedule()
    return true
  }

  /** Hands over a window that ended; one without a fingerprint is decided locally. */
  end (window: DedupWindow): void {
    const fingerprint = window.key === undefined ? '' : fingerprintKey(window.key, window.check ?? 0)
    this.#pending.push({ op: 'end', window, fingerprint })
    this.#schedule()
  }

  /**
   * Takes everything not yet decided, synchronously (shutdown, process exit): the caller decides it as
   * a process alone would. A round under way is disowned: its answer is ignored. Finishes still waiting
   * are given up: their repeats are in Redis already, where the next process to finish the storm (or
   * contribute to it) sends them; if none does, they expire with the key.
   */
  drain (): StormEntry[] {
    for (const timer of this.#waits.keys()) clearTimeout(timer)
    this.#waits.clear()
    for (const timer of this.#watches.keys()) clearTimeout(timer)
    this.#watches.clear()
    const all = this.#inRound === undefined ? this.#pending : [...this.#inRound, ...this.#pending]
    this.#pending = []
    this.#inRound = undefined
    this.#records = 0
    this.#running = false
    this.#generation++
    return all
  }

  /**
   * A shutdown deadline (epoch ms on the pipeline's clock), or undefined when it passed without one:
   * waits for quiet end by then, and their finishes send the summary without waiting any longer.
   */
  hurry (deadline: number | undefined): void {
    this.#deadline = deadline
    if (deadline === undefined) return
    for (const [timer, { finish, due }] of [...this.#waits]) {
      if (due <= deadline) continue
      clearTimeout(timer)
      this.#waits.delete(timer)
      this.#later(finish, deadline - this.#o.now(), this.#waits)
    }
  }

  /**
   * First records of `fingerprint` the fleet folded since its window opened here: they are in the fleet's
   * count, and in this process's own summary when the fleet's cannot be had. Forgotten once taken.
   */
  takeFoldedFirsts (fingerprint: string): number {
    const n = this.#foldedFirsts.get(fingerprint) ?? 0
    this.#foldedFirsts.delete(fingerprint)
    return n
  }

  /**
   * This window's repeats are in the fleet's count and the summary is not due yet: ask again after `ms`.
   * `timers` is #waits (flush and close wait for these) or #watches (they do not).
   */
  #wait (entry: StormEntry, ms: number, timers: Map<ReturnType<typeof setTimeout>, { finish: StormEntry, due: number }>): void {
    if (entry.op === 'first') return
    const finish: StormEntry = entry.op === 'finish'
      ? { op: 'finish', window: entry.window, fingerprint: entry.fingerprint, contributed: entry.contributed }
      : { op: 'finish', window: { ...entry.window, repeats: 0 }, fingerprint: entry.fingerprint, contributed: entry.window.repeats + this.takeFoldedFirsts(entry.fingerprint) }
    // Its repeats now live in the fleet window: no longer owed by this process.
    if (entry.op === 'end') this.#o.apply(entry, { kind: 'fold' })
    const deadline = timers === this.#waits ? this.#deadline : undefined
    this.#later(finish, deadline === undefined ? ms : Math.min(ms, deadline - this.#o.now()), timers)
  }

  #later (finish: StormEntry, ms: number, timers: Map<ReturnType<typeof setTimeout>, { finish: StormEntry, due: number }>): void {
    const due = this.#o.now() + ms
    if (finish.op === 'finish' && this.#deadline !== undefined && due >= this.#deadline && timers === this.#waits) finish.force = true
    const timer = setTimeout(() => {
      timers.delete(timer)
      this.#pending.push(finish)
      this.#schedule()
    }, Math.max(0, ms))
    // Whoever must see the summary out (flush, close, the exit drain) holds the process; this never does.
    timer.unref()
    timers.set(timer, { finish, due })
  }

  #schedule (): void {
    if (this.#running) return
    this.#running = true
    // A microtask: a synchronous burst of log calls is decided in one round.
    queueMicrotask(() => { void this.#run(this.#generation) })
  }

  async #run (generation: number): Promise<void> {
    const o = this.#o
    try {
      while (this.#pending.length > 0) {
        const entries = this.#pending
        this.#pending = []
        this.#inRound = entries
        const now = o.now()
        const requests = entries.map((e) => request(e, now, o.windowMs))
        let decisions: StormDecision[]
        try {
          decisions = await o.store.decide(o.webhookId, this.instance, requests)
        } catch (err) {
          o.failed(err)
          decisions = localDecisions(requests)
        }
        if (generation !== this.#generation) return
        this.#inRound = undefined
        for (let i = 0; i < entries.length; i++) {
          const entry = entries[i]!
          if (entry.op === 'first') this.#records--
          const decision = entry.fingerprint === '' ? localDecisions([requests[i]!])[0]! : decisions[i] ?? localDecisions([requests[i]!])[0]!
          try {
            if (entry.op === 'first' && decision.kind === 'fold') this.#foldedFirsts.set(entry.fingerprint, (this.#foldedFirsts.get(entry.fingerprint) ?? 0) + 1)
            if (decision.kind === 'wait') this.#wait(entry, decision.ms, this.#waits)
            else if (decision.kind === 'watch') this.#wait(entry, decision.ms, this.#watches)
            else o.apply(entry, decision)
          } catch (err) {
            o.failed(err)
          }
        }
      }
    } finally {
      if (generation === this.#generation) {
        this.#running = false
        o.settled()
      }
    }
  }
}

/**
 * The window a fleet's summary describes: the alert as the first process saw it, the count and time span
 * Redis kept, and how many processes it covers. `own`: this process's window (its severity, if the
 * stored one is unknown).
 */
export function fleetWindow (decision: StormDecision & { kind: 'summary' }, own: DedupWindow, now: number): DedupWindow {
  const d = decision.description
  const severity = Object.hasOwn(SEVERITY_STYLES, d.severity) ? d.severity as Severity : own.severity
  return { severity, service: d.service, title: d.title, template: d.template, errorType: d.errorType, topFrame: d.topFrame, firstSeen: now - decision.firstSinceMs, lastSeen: now - decision.lastSinceMs, repeats: decision.repeats, endsAt: now, instances: decision.instances }
}

function request (entry: StormEntry, now: number, windowMs: number): StormRequest {
  if (entry.op === 'finish') return entry.force === true ? { op: 'finish', fingerprint: entry.fingerprint, windowMs, force: true } : { op: 'finish', fingerprint: entry.fingerprint, windowMs }
  if (entry.op === 'end') {
    const w = entry.window
    return { op: 'contribute', fingerprint: entry.fingerprint, windowMs, repeats: w.repeats, sinceMs: now - w.lastSeen }
  }
  const d = describeRecord(entry.record, entry.at, entry.endsAt)
  const description: StormRequest & { op: 'claim' } = {
    op: 'claim',
    fingerprint: entry.fingerprint,
    windowMs,
    leftMs: entry.endsAt - now,
    sinceMs: now - entry.at,
    description: { severity: d.severity, title: d.title, template: d.template }
  }
  if (d.service !== undefined) description.description.service = d.service
  if (d.errorType !== undefined) description.description.errorType = d.errorType
  if (d.topFrame !== undefined) description.description.topFrame = d.topFrame
  return description
}
