/*
 * In-process delivery: the only file that knows the order of the stages.
 *
 *   deliver(record) ─► [fleet gate] ─► BoundedQueue ─► take batch ─► RateLimiter ─► WebhookSender ─► answer
 *   windowEnded(w)  ─┘ (redisUrl:     (lanes by       (≤10 embeds,   (bucket,        (undici POST        │
 *    ("×N more")       the fleet       severity, sheds  6000/n chars   channel,        ?wait=true)         │
 *                      decides)        least severe)    each)          global, …)                          │
 *   ┌──────────────────────────────────────────────────────────────────────────────────────────────────┘
 *   ├─ ok ............ sent; the limiter learns the channel id
 *   ├─ 429 ........... pause by scope, resend the same batch (no retry spent)
 *   ├─ 5xx/net/timeout retry after retryDelays[n], then outage mode: hold everything, probe with one record
 *   ├─ 400 50035 ..... one resend rendered stricter, then dead-letter
 *   ├─ 413 ........... split the batch
 *   ├─ 401/403/404 ... disable the webhook, dead-letter everything for it
 *   └─ TLS ........... dead-letter, no retry
 *
 * Answers: batches.ts; payloads: format/batch-payload.ts; drops: ledger.ts; deadlines: deadlines.ts. One loop per
 * webhook, one request at a time (each response's headers steer the next); while the limiter waits, records pile up.
 */
import { holdProcess } from '../exit.js'
import { stormStoreFor } from '../redis/storms.js'
import type { StormDecision, StormStore } from '../storm/fleet.js'
import { summaryRecord } from '../storm/summary.js'
import type { StormWindow } from '../storm/windows.js'
import type { FlushResult, HealthProblem, PlainRecord, RateLimitInfo, ResolvedOptions } from '../types.js'
import { Batches, type Batch } from './batches.js'
import { ABORT_GRACE_MS, requestsEnd, STORM_SEND_ROOM_MS, type DeadlineName } from './deadlines.js'
import { FleetGate, fleetWindow, type GateEntry, type GateState } from './gate.js'
import { Ledger, readCounters, SLOT, type DeliveryContext } from './ledger.js'
import { asItem, BoundedQueue, dropNotice, type Item } from './queue.js'

interface PipelineOptions extends DeliveryContext {
  /** Told when nothing is pending any more (the owner stops seeing the process's end for it). */
  idle?: () => void
  /** What another thread's pipeline handed over (process exit). */
  from?: HandOff | undefined
  /** Where storm windows are shared (default: Redis with `redisUrl`, else nowhere). */
  storms?: StormStore
}

/** What is pending, taken out so another thread can deliver it; `said`: the problems already reported on stderr. */
export interface HandOff { items: Item[], gate: GateState | undefined, said: string[] }

export class Pipeline {
  readonly #o: ResolvedOptions
  readonly #p: PipelineOptions
  readonly #ledger: Ledger
  readonly #queue: BoundedQueue
  readonly #batches: Batches
  readonly #storms: StormStore
  readonly #gate: FleetGate | undefined
  #running = false
  #current: Batch | undefined
  #closed = false
  #abort = new AbortController()
  #idleWaiters = new Set<() => void>()

  constructor (p: PipelineOptions) {
    const o = this.#o = p.options
    this.#p = p
    this.#ledger = new Ledger(p)
    this.#queue = new BoundedQueue(o.queueCapacity)
    this.#batches = new Batches(p, this.#queue, this.#ledger, () => this.#abort.signal)
    this.#storms = p.storms ?? stormStoreFor(o)
    if (this.#storms.shared) this.#gate = new FleetGate(p, { store: this.#storms, apply: (entry, decision) => this.#decided(entry, decision), settled: () => this.#settledIfIdle(), from: p.from?.gate })
    for (const item of p.from?.items ?? []) this.#enqueue(item)
  }

  get idle (): boolean { return !this.#running && this.#queue.size === 0 && this.#queue.pendingDrops === 0 && (this.#gate?.idle ?? true) }
  rateLimitInfo (): RateLimitInfo { return this.#batches.limiter.info(this.#o.clock.now()) }
  resetRateLimits (): void { this.#batches.limiter.reset() }

  problem (): HealthProblem | undefined {
    if (this.#batches.problem !== undefined) return this.#batches.problem
    const degraded = this.#batches.limits.status().degraded ?? this.#storms.status().degraded
    return degraded === undefined ? undefined : { kind: 'redis', reason: degraded }
  }

  /** A record that passed storm control, as plain data; `window`: the storm window it opened. */
  deliver (record: PlainRecord, window?: StormWindow): void {
    const item = asItem(record)
    if (this.#closed) this.#ledger.drop('closed', [item], 'logged after close()')
    else if (this.#gate !== undefined && window !== undefined && this.#batches.disabled === undefined) this.#gate.first(item, window)
    else this.#enqueue(item)
  }

  /** A storm window ended: its "×N more" summary, or, shared through Redis, the fleet's decision. */
  windowEnded (window: StormWindow): void {
    if (this.#gate !== undefined && this.#batches.disabled === undefined) this.#gate.end(window)
    else if (window.repeats > 0) this.#enqueue(summaryItem(window, window.repeats))
  }

  #enqueue (item: Item): void {
    const disabled = this.#batches.disabled
    if (disabled !== undefined) return this.#ledger.drop('disabled', [item], disabled.reason)
    const shed = this.#queue.push(item, this.#o.clock.now())
    if (shed !== undefined) {
      this.#p.log.warnOnce('queue_full', () => `queue full (capacity ${this.#queue.capacity}): shedding the least severe records; a notice with the count follows`)
      this.#ledger.drop('queue_full', [shed])
    }
    this.#schedule()
  }

  /** The fleet's decision about a first record or a window's end (FleetGate, in order). */
  #decided (entry: GateEntry, decision: StormDecision): void {
    if (entry.op === 'first') {
      if (decision.kind === 'fold') this.#ledger.c[SLOT.folded]!++
      else this.#enqueue(entry.item)
      return
    }
    if (decision.kind === 'fold') return
    const own = entry.window
    const mine = entry.op === 'finish' ? entry.contributed : own.repeats + this.#gate!.takeFolded(own.key)
    let window = decision.kind === 'summary' ? fleetWindow(decision, own, this.#o.clock.now()) : { ...own, repeats: mine }
    // A finish decided here: Redis was lost while the storm went quiet, and the fleet's count with it.
    if (entry.op === 'finish' && decision.kind !== 'summary') window = { ...window, fleetLost: true }
    if (window.repeats > 0) this.#enqueue(summaryItem(window, mine))
  }

  #schedule (): void {
    if (this.#running) return
    this.#running = true
    // A microtask: a synchronous burst of log calls is all queued before the first batch is taken.
    queueMicrotask(() => {
      this.#run().catch((err: unknown) => this.#p.log.errorOnce('internal', `internal error in the delivery loop: ${String(err)}`))
    })
  }

  async #run (): Promise<void> {
    try {
      while (!this.#abort.signal.aborted) {
        const disabled = this.#batches.disabled
        if (disabled !== undefined) {
          this.#ledger.drop('disabled', this.#queue.drain(), disabled.reason)
          this.#queue.takeDrops()
          break
        }
        if (this.#queue.size === 0 && this.#queue.pendingDrops === 0) break
        if (!(await this.#batches.waitForBudget())) break
        const batch = this.#current = this.#batches.take()
        if (batch === undefined) break
        await this.#batches.send(batch)
        this.#current = undefined
      }
    } finally {
      this.#running = false
      if (!this.#abort.signal.aborted && (this.#queue.size > 0 || this.#queue.pendingDrops > 0)) this.#schedule()
      else this.#settledIfIdle(this.#abort.signal.aborted)
    }
  }

  #settledIfIdle (aborted = false): void {
    if (!aborted && !this.idle) return
    for (const done of [...this.#idleWaiters]) done()
    if (this.idle) this.#p.idle?.()
  }

  /** Settles when everything queued is delivered or dropped, or after `timeoutMs` (it holds the process meanwhile). */
  flush (timeoutMs: number = this.#o.flushTimeoutMs): Promise<FlushResult> {
    if (this.idle) return Promise.resolve({ pending: 0, timedOut: false })
    const release = holdProcess()
    return new Promise((resolve) => {
      const clock = this.#o.clock
      const done = (timedOut: boolean): void => {
        clock.clearTimeout(timer)
        this.#idleWaiters.delete(onIdle)
        release()
        resolve({ pending: readCounters(this.#ledger.c).pending, timedOut })
      }
      const onIdle = (): void => done(false)
      const timer = clock.setTimeout(() => done(true), timeoutMs)
      this.#idleWaiters.add(onIdle)
    })
  }

  /** Stops intake, delivers within the deadline, dead-letters the rest, frees the HTTP client. */
  async close (timeoutMs: number = this.#o.flushTimeoutMs, named: DeadlineName = { name: 'the close() deadline', ms: timeoutMs }): Promise<FlushResult> {
    if (this.#closed) return { pending: 0, timedOut: false }
    this.#closed = true
    const result = await this.settle(timeoutMs, named)
    await this.#batches.sender.close().catch(() => {})
    this.#ledger.close()
    return result
  }

  /** Delivers what it can within `timeoutMs`, then dead-letters the rest with one stderr line (how many, where); intake stays open. */
  async settle (timeoutMs: number, named: DeadlineName): Promise<FlushResult> {
    const c = this.#ledger.c
    const before = c[SLOT.dropped + 5]! // shutdown
    const end = this.#batches.end = requestsEnd(this.#o.clock.now(), timeoutMs)
    // An outage probes once more now; the fleet's summary waits for quiet only while there is room to send it.
    this.#batches.probeNow()
    this.#gate?.hurry(end - STORM_SEND_ROOM_MS)
    const result = await this.flush(timeoutMs)
    if (result.timedOut) {
      this.#abort.abort()
      // The loop notices the abort at its next await, drops its batch and stops.
      await this.flush(Math.max(timeoutMs, ABORT_GRACE_MS))
      this.#abort = new AbortController()
    }
    this.#ledger.drop('shutdown', [...this.#undecided(this.#gate?.drain(), true), ...this.#queue.drain()], `still queued at ${named.name}`)
    this.#queue.takeDrops()
    this.#ledger.flushSync()
    this.#lostLine(c[SLOT.dropped + 5]! - before, `not delivered within ${named.name} (${named.ms} ms)`)
    if (!this.#closed) {
      this.#batches.end = undefined
      this.#gate?.hurry(undefined)
    }
    this.#settledIfIdle()
    return result
  }

  /** What a gate had not decided, as this process alone would; `counted`: with what it folded and contributed (a deadline), else a window's own repeats (exit). */
  #undecided (state: GateState | undefined, counted: boolean): Item[] {
    return (state?.entries ?? []).flatMap((e) => {
      if (e.op === 'first') return [e.item]
      const mine = !counted ? e.window.repeats : e.op === 'finish' ? e.contributed : e.window.repeats + (state!.folded.find(([k]) => k === e.window.key)?.[1] ?? 0)
      return mine > 0 ? [summaryItem({ ...e.window, repeats: mine }, mine)] : []
    })
  }

  /** Takes all pending out, synchronously, for another thread (process exit), the request under way too (it may have reached Discord: at-least-once); closes. Undefined if none. */
  handOff (): HandOff | undefined {
    this.#closed = true
    const notice = dropNotice(this.#queue.takeDrops(), this.#queue.capacity, this.#o.clock.now())
    const items = [...notice === undefined ? [] : [notice], ...this.#current?.items ?? [], ...this.#queue.drain()]
    const gate = this.#gate?.drain()
    this.#current = undefined
    this.#abort.abort()
    this.#ledger.flushSync()
    if (items.length === 0 && (gate === undefined || gate.entries.length === 0)) return undefined
    return { items, gate, said: this.#p.log.said }
  }

  /** What handOff() took and nothing can deliver: dead-lettered here, synchronously, with one stderr line. */
  dropAtExit (handed: HandOff, detail: string): void {
    const items = [...handed.items, ...this.#undecided(handed.gate, false)]
    this.#ledger.drop('shutdown', items, detail)
    this.#ledger.flushSync()
    this.#lostLine(items.filter((i) => i.repeats === 0 && i.notice !== true).length, `pending at process exit could not be delivered (${detail})`)
  }

  /** The stderr line for `n` records lost: what happened to them, and where they are. */
  #lostLine (n: number, what: string): void {
    const file = this.#o.deadLetterFile
    if (n > 0) this.#p.log.error(`${n} record${n === 1 ? '' : 's'} ${what}: ${file === undefined ? 'dropped (deadLetterFile is false)' : `written to the dead-letter file ${file}`}`)
  }
}

/** A storm summary as a queue item: the record says the fleet's count, `repeats` what it stands for here. */
function summaryItem (window: StormWindow, standsFor: number): Item { return asItem(summaryRecord(window), standsFor) }
