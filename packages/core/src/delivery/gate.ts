/*
 * The fleet gate: with storm control shared through Redis, a window's first record and its end wait here for
 * the fleet's decision before anything is queued; each round asks the StormStore (storm/fleet.ts) about all
 * pending in one round trip. A record waiting here counts as pending; one the fleet folds takes no queue slot.
 */
import { createHash, randomBytes } from 'node:crypto'
import { SEVERITY_STYLES, type Severity } from '../levels.js'
import { localDecisions, type StormDecision, type StormRequest, type StormStore } from '../storm/fleet.js'
import type { StormWindow } from '../storm/windows.js'
import type { DeliveryContext } from './ledger.js'
import type { Item } from './queue.js'

export type GateEntry =
  /** A record that opened `window` in this process. */
  | { op: 'first', item: Item, window: StormWindow }
  /** A window of this process ended (with or without repeats). */
  | { op: 'end', window: StormWindow }
  /** The fleet's summary asked again after a wait; `contributed`: this process's part of the fleet's count (sent by itself if Redis is lost). */
  | { op: 'finish', window: StormWindow, contributed: number, force?: boolean }

/** What a gate hands over when delivery moves to another thread (process exit). */
export interface GateState { instance: string, entries: GateEntry[], folded: Array<[string, number]> }

interface GateOptions {
  store: StormStore
  /** One decision, in the order the entries came. */
  apply: (entry: GateEntry, decision: StormDecision) => void
  /** A round ended with nothing left to decide. */
  settled: () => void
  /** Handed over from another gate: its name, and what it had not decided. */
  from?: GateState | undefined
}

type Timers = Map<ReturnType<typeof setTimeout>, { entry: GateEntry, due: number }>

export class FleetGate {
  /** This gate's name in Redis: unique across processes, threads and hosts. */
  readonly instance: string
  readonly #p: DeliveryContext
  readonly #o: GateOptions
  #pending: GateEntry[] = []
  #inRound: GateEntry[] | undefined
  #running = false
  #generation = 0
  /** Finishes waiting for the storm to go quiet: flush() and close() wait for these. */
  #waits: Timers = new Map()
  /** Finishes in case a process that will report is gone: nothing waits for these. */
  #watches: Timers = new Map()
  /** A shutdown deadline no wait for quiet may pass (epoch ms). */
  #deadline: number | undefined
  /** First records the fleet folded, by window key, until their window ends here. */
  readonly #folded: Map<string, number>

  constructor (p: DeliveryContext, options: GateOptions) {
    this.#p = p
    this.#o = options
    this.instance = options.from?.instance ?? randomBytes(9).toString('base64url')
    this.#folded = new Map(options.from?.folded)
    for (const entry of options.from?.entries ?? []) this.#add(entry)
  }

  get idle (): boolean { return !this.#running && this.#pending.length === 0 && this.#waits.size === 0 }
  first (item: Item, window: StormWindow): void { this.#add({ op: 'first', item, window }) }
  end (window: StormWindow): void { this.#add({ op: 'end', window }) }

  /** A shutdown deadline (epoch ms), or undefined once it passed: waits for quiet end by then, and their finishes send the summary. */
  hurry (deadline: number | undefined): void {
    this.#deadline = deadline
    if (deadline === undefined) return
    for (const [timer, { entry, due }] of [...this.#waits]) {
      if (due <= deadline) continue
      clearTimeout(timer)
      this.#waits.delete(timer)
      this.#later(entry, deadline - this.#now(), this.#waits)
    }
  }

  /** Takes everything not decided, synchronously, to deliver elsewhere (exit) or decide alone (a deadline passed); a round under way is disowned. */
  drain (): GateState {
    for (const timer of [...this.#waits.keys(), ...this.#watches.keys()]) clearTimeout(timer)
    for (const { entry } of this.#waits.values()) this.#pending.push(entry)
    this.#waits.clear()
    this.#watches.clear()
    const state = { instance: this.instance, entries: [...this.#inRound ?? [], ...this.#pending], folded: [...this.#folded] }
    this.#pending = []
    this.#inRound = undefined
    this.#running = false
    this.#generation++
    this.#folded.clear()
    return state
  }

  /** First records of `key` the fleet folded since its window opened here; forgotten once taken. */
  takeFolded (key: string): number {
    const n = this.#folded.get(key) ?? 0
    this.#folded.delete(key)
    return n
  }

  #add (entry: GateEntry): void {
    this.#pending.push(entry)
    if (this.#running) return
    this.#running = true
    // A microtask: a synchronous burst of log calls is decided in one round.
    queueMicrotask(() => { void this.#run(this.#generation) })
  }

  /** After a wait or a watch: ask again with a finish after `ms`. */
  #again (entry: GateEntry, ms: number, timers: Timers): void {
    if (entry.op === 'first') return
    const finish: GateEntry = entry.op === 'finish'
      ? { op: 'finish', window: entry.window, contributed: entry.contributed }
      : { op: 'finish', window: { ...entry.window, repeats: 0 }, contributed: entry.window.repeats + this.takeFolded(entry.window.key) }
    this.#later(finish, ms, timers)
  }

  /** Adds `entry` again after `ms`; a wait ends by the shutdown deadline, and its finish then sends the summary (force). */
  #later (entry: GateEntry, ms: number, timers: Timers): void {
    const deadline = timers === this.#waits ? this.#deadline : undefined
    if (deadline !== undefined) ms = Math.min(ms, deadline - this.#now())
    const due = this.#now() + ms
    if (entry.op === 'finish' && deadline !== undefined && due >= deadline) entry.force = true
    const timer = setTimeout(() => {
      timers.delete(timer)
      this.#add(entry)
    }, Math.max(0, ms))
    // Whoever must see the summary out (flush, close, the exit drain) holds the process; this never does.
    timer.unref()
    timers.set(timer, { entry, due })
  }

  #now (): number { return this.#p.options.clock.now() }
  /** A round failed in a way the store should never let happen (decisions are then local). */
  #failed (err: unknown): void { this.#p.log.errorOnce('storm_store', `fleet storm control failed, deciding locally: ${String(err)}`) }

  async #run (generation: number): Promise<void> {
    const o = this.#o
    try {
      while (this.#pending.length > 0) {
        const entries = this.#pending
        this.#pending = []
        this.#inRound = entries
        const requests = entries.map((e) => request(e, this.#now(), this.#p.options.dedup.windowMs))
        let decisions: StormDecision[]
        try {
          decisions = await o.store.decide(this.#p.target.id, this.instance, requests)
        } catch (err) {
          this.#failed(err)
          decisions = localDecisions(requests)
        }
        if (generation !== this.#generation) return
        this.#inRound = undefined
        entries.forEach((entry, i) => {
          const decision = decisions[i] ?? localDecisions([requests[i]!])[0]!
          if (entry.op === 'first' && decision.kind === 'fold') this.#folded.set(entry.window.key, (this.#folded.get(entry.window.key) ?? 0) + 1)
          try {
            if (decision.kind === 'wait' || decision.kind === 'watch') {
              this.#again(entry, decision.ms, decision.kind === 'wait' ? this.#waits : this.#watches)
              // The repeats of an end that waits are in the fleet's count now: the fold says so.
              if (entry.op === 'end') o.apply(entry, { kind: 'fold' })
            } else o.apply(entry, decision)
          } catch (err) {
            this.#failed(err)
          }
        })
      }
    } finally {
      if (generation === this.#generation) {
        this.#running = false
        o.settled()
      }
    }
  }
}

/** The window a fleet's summary describes (the alert as the first process saw it, Redis's count and span, the processes it covers); `own` gives the severity if the stored one is unknown. */
export function fleetWindow (decision: StormDecision & { kind: 'summary' }, own: StormWindow, now: number): StormWindow {
  const d = decision.description
  const severity = Object.hasOwn(SEVERITY_STYLES, d.severity) ? d.severity as Severity : own.severity
  return { key: own.key, severity, service: d.service, title: d.title, template: d.template, errorType: d.errorType, topFrame: d.topFrame, firstSeen: now - decision.firstSinceMs, lastSeen: now - decision.lastSinceMs, repeats: decision.repeats, endsAt: now, instances: decision.instances }
}

function request (entry: GateEntry, now: number, windowMs: number): StormRequest {
  const w = entry.window
  // A window's key in Redis: short, and never the record's text.
  const fingerprint = createHash('sha256').update(w.key).digest('base64url').slice(0, 22)
  if (entry.op === 'finish') return entry.force === true ? { op: 'finish', fingerprint, windowMs, force: true } : { op: 'finish', fingerprint, windowMs }
  if (entry.op === 'end') return { op: 'contribute', fingerprint, windowMs, repeats: w.repeats, sinceMs: now - w.lastSeen }
  const { service, errorType, topFrame } = w
  const description = { severity: w.severity, title: w.title, template: w.template, ...(service === undefined ? {} : { service }), ...(errorType === undefined ? {} : { errorType }), ...(topFrame === undefined ? {} : { topFrame }) }
  return { op: 'claim', fingerprint, windowMs, leftMs: w.endsAt - now, sinceMs: now - w.firstSeen, description }
}
