/*
 * In-process delivery: the only file that knows the order of the stages.
 *
 *   deliver(record) ─► [fleet gate] ─► BoundedQueue ─► take batch ─► RateLimiter ─► WebhookSender ─► answer
 *   windowEnded(w)  ─┘ (redisUrl:     (lanes by       (≤10 embeds,   (bucket,        (undici POST        │
 *    ("×N more")       the fleet       severity, sheds  6000/n chars   channel,        ?wait=true)         │
 *                      decides)        least severe)    each)          global, …)                          │
 *   ┌──────────────────────────────────────────────────────────────────────────────────────────────────┘
 *   ├─ ok ............ sent; the limiter learns the channel id; an incident keeps the message id
 *   │                  (more of it: counted, the message edited in place when the queue is empty: incidents.ts)
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
import { hasEmbed } from '../format/batch-payload.js'
import { Batches, embedOwners, type Batch } from './batches.js'
import { Incidents, type Incident, type IncidentEdit, type IncidentState } from './incidents.js'
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
export interface HandOff { items: Item[], gate: GateState | undefined, said: string[], incidents?: IncidentState }

export class Pipeline {
  readonly #o: ResolvedOptions
  readonly #p: PipelineOptions
  readonly #ledger: Ledger
  readonly #queue: BoundedQueue
  readonly #batches: Batches
  readonly #storms: StormStore
  readonly #gate: FleetGate | undefined
  /** Alerts as incidents, edited in place (storm control on, not shared through Redis). */
  readonly #incidents: Incidents | undefined
  #incidentTimer: unknown
  /** flush() calls waiting: owed edits leave at once, whatever the interval. */
  #hurry = 0
  /** Closed: edits still owed are given up (said once), so nothing waits for them any more. */
  #editsOff = false
  #running = false
  #current: Batch | undefined
  #closed = false
  #abort = new AbortController()
  #idleWaiters = new Set<() => void>()

  constructor (p: PipelineOptions) {
    const o = this.#o = p.options
    this.#p = p
    this.#ledger = new Ledger(p, (items) => items.reduce((n, i) => n + (i.record.incident === undefined ? 0 : this.#incidents?.lost(i.record.incident) ?? 0), 0))
    this.#queue = new BoundedQueue(o.queueCapacity)
    this.#batches = new Batches(p, this.#queue, this.#ledger, () => this.#abort.signal, (batch, answer) => this.#posted(batch, answer))
    this.#storms = p.storms ?? stormStoreFor(o)
    if (o.incidents.enabled && o.dedup.enabled && !this.#storms.shared) this.#incidents = new Incidents(o.incidents, p.from?.incidents)
    if (this.#storms.shared) this.#gate = new FleetGate(p, { store: this.#storms, apply: (entry, decision) => this.#decided(entry, decision), settled: () => this.#settledIfIdle(), from: p.from?.gate })
    for (const item of p.from?.items ?? []) this.#enqueue(item)
    if (this.#owed) this.#schedule()
  }

  get idle (): boolean { return !this.#running && this.#queue.size === 0 && this.#queue.pendingDrops === 0 && (this.#gate?.idle ?? true) && !this.#owed }

  /** An incident's edit is owed (and the webhook still takes requests). */
  get #owed (): boolean { return !this.#editsOff && this.#incidents?.owed === true && this.#batches.disabled === undefined }
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
    if (this.#closed) return this.#ledger.drop('closed', [item], 'logged after close()')
    if (this.#gate !== undefined && window !== undefined && this.#batches.disabled === undefined) return this.#gate.first(item, window)
    const key = record.incident
    if (this.#incidents === undefined || key === undefined || !hasEmbed(record) || this.#batches.disabled !== undefined) return this.#enqueue(item)
    // A record of an open incident is counted there (collapsed); one that opens an incident is posted.
    const post = this.#incidents.occurred(record, key, this.#o.clock.now())
    this.#gauge()
    if (post !== undefined) return this.#enqueue(asItem(post))
    this.#ledger.c[SLOT.folded]!++
    this.#armIncidents()
  }

  /** A storm window ended: its repeats counted in its incident, or its "×N more" summary, or, shared through Redis, the fleet's decision. */
  windowEnded (window: StormWindow): void {
    if (this.#batches.disabled === undefined && this.#incidents?.repeated(window.key, window.repeats, window.lastSeen) === true) return this.#armIncidents()
    if (this.#gate !== undefined && this.#batches.disabled === undefined) this.#gate.end(window)
    else if (window.repeats > 0) this.#enqueue(summaryItem(window, window.repeats))
  }

  /** The application says the incident `key` is over: its message says Resolved at the next edit. Nothing when none is open. */
  resolveIncident (key: string, note?: string): void {
    const resolved = this.#incidents?.resolve(key, this.#o.clock.now(), note)
    if (resolved !== undefined) this.#resolved([resolved])
  }

  /** A post Discord took: the incidents among its records keep its message id (and the thread it lives in). */
  #posted (batch: Batch, answer: { messageId?: string, channelId?: string }): void {
    if (this.#incidents === undefined || answer.messageId === undefined) return
    // With threadName each post opens a forum post, whose id the answer gives as its channel (contract §7).
    const threadId = this.#o.threadName !== undefined ? answer.channelId : this.#p.target.threadId
    const records = embedOwners(batch).map((item, embed) => ({ record: item.record, embed }))
    this.#incidents.posted(threadId === undefined ? { id: answer.messageId } : { id: answer.messageId, threadId }, batch.payload, records, this.#o.clock.now())
  }

  /** The incident edit due now (all owed ones while a flush or deadline runs), sent; what Discord answered applied. */
  async #edit (edit: IncidentEdit): Promise<void> {
    const incidents = this.#incidents!
    const result = await this.#batches.edit(edit, edit.message.threadId)
    const now = this.#o.clock.now()
    if (result === 'ok' || result === 'refused') incidents.edited(edit, now)
    // Deleted by a moderator, or its thread archived: posted again, once, with its count; they stand for nothing new.
    else if (result === 'gone') for (const record of incidents.gone(edit.message)) this.#enqueue({ ...asItem(record), notice: true })
    else edit.message.dueAt = now + this.#o.incidents.editIntervalMs
    this.#gauge()
  }

  /** `n` incidents resolved: counted, and with `announceResolved` a short message says so (edits notify nobody). */
  #resolved (incidents: Incident[]): void {
    this.#ledger.c[SLOT.incidentsResolved]! += incidents.length
    this.#gauge()
    if (this.#o.incidents.announceResolved) for (const i of incidents) this.#enqueue({ ...asItem(Incidents.announcement(i, this.#o.clock.now())), notice: true })
    this.#schedule()
  }

  #gauge (): void { this.#ledger.c[SLOT.incidentsOpen] = this.#incidents?.open ?? 0 }

  /** One unref'd timer for the next owed edit or the next incident to go quiet. */
  #armIncidents (): void {
    const incidents = this.#incidents
    if (incidents === undefined || this.#closed) return
    const clock = this.#o.clock
    clock.clearTimeout(this.#incidentTimer)
    const at = Math.min(incidents.nextDue, incidents.nextQuiet)
    if (at === Infinity) return
    this.#incidentTimer = clock.setTimeout(() => {
      const quiet = incidents.quiet(clock.now())
      if (quiet.length > 0) this.#resolved(quiet)
      this.#schedule()
      this.#armIncidents()
    }, Math.max(0, at - clock.now()))
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
    const failed = new Set<string>()
    try {
      while (!this.#abort.signal.aborted) {
        const disabled = this.#batches.disabled
        if (disabled !== undefined) {
          this.#ledger.drop('disabled', this.#queue.drain(), disabled.reason)
          this.#queue.takeDrops()
          break
        }
        if (this.#queue.size === 0 && this.#queue.pendingDrops === 0) {
          // New alerts leave before edits; an edit that failed waits for its next turn, not for this loop.
          const edit = this.#incidents?.due(this.#o.clock.now(), this.#hurry > 0 || this.#batches.end !== undefined, failed)
          if (edit === undefined) break
          await this.#edit(edit)
          if (this.#incidents!.owed) failed.add(edit.message.id)
          continue
        }
        if (!(await this.#batches.waitForBudget())) break
        const batch = this.#current = this.#batches.take()
        if (batch === undefined) break
        await this.#batches.send(batch)
        this.#current = undefined
      }
    } finally {
      this.#running = false
      if (!this.#abort.signal.aborted && (this.#queue.size > 0 || this.#queue.pendingDrops > 0)) this.#schedule()
      else {
        this.#armIncidents()
        this.#settledIfIdle(this.#abort.signal.aborted)
      }
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
    this.#hurry++
    this.#schedule()
    return new Promise((resolve) => {
      const clock = this.#o.clock
      const done = (timedOut: boolean): void => {
        this.#hurry--
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
    this.#o.clock.clearTimeout(this.#incidentTimer)
    const result = await this.settle(timeoutMs, named)
    if (this.#owed) {
      const owed = this.#incidents!.owedRecords()
      const kept = this.#ledger.letter('shutdown', owed, `incident update not written within ${named.name}`)
      this.#ledger.flushSync()
      this.#p.log.error(`${owed.length} incident message${owed.length === 1 ? '' : 's'} not updated within ${named.name} (${named.ms} ms): the channel shows older counts${kept ? `; their last state is in the dead-letter file ${this.#o.deadLetterFile}` : ''}`)
    }
    this.#editsOff = true
    this.#settledIfIdle()
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
    // Open incidents go along when an edit is owed or a first record is among the items (the worker edits it once posted).
    const along = this.#owed || (this.#batches.disabled === undefined && items.some((i) => i.record.incident !== undefined))
    const incidents = along ? this.#incidents!.snapshot() : undefined
    this.#current = undefined
    this.#abort.abort()
    this.#ledger.flushSync()
    if (items.length === 0 && (gate === undefined || gate.entries.length === 0) && incidents === undefined) return undefined
    return { items, gate, said: this.#p.log.said, ...(incidents === undefined ? {} : { incidents }) }
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
