/*
 * The delivery pipeline: the only file that knows the order of the stages.
 *
 *   push(record) ──► Deduplicator ───► BoundedQueue ──► take batch ──► RateLimiter ──► WebhookSender ──► classify
 *   (caller's       (fingerprint; the   (per-severity    (≤10 embeds,   (wait: bucket,   (undici POST       │
 *    thread: O(1))   first of a kind     lanes, sheds     ≤6000 chars,   channel, global, ?wait=true)       │
 *                    passes, repeats     least severe)    budget/embed   cloudflare, invalid                │
 *                    are counted)           ▲             = 6000/n)      requests)                          │
 *                         └─ window ends ───┘ one "×N more" summary record                                  │
 *        ┌──────────────────────────────────────────────────────────────────────────────────────────────────┘
 *        ├─ ok ............ count sent, learn channel id
 *        ├─ 429 ........... pause by scope, resend the same batch (no retry spent)
 *        ├─ 5xx/net/timeout retry after retryDelays[n], then outage mode (http/outage.ts): hold every
 *        │                  record, probe with one at a time on a capped backoff, drain packed when it answers
 *        ├─ 400 50035 ..... one resend rendered stricter, then dead-letter
 *        ├─ 413 ........... split the batch, requeue the second half
 *        ├─ 401/403/404 ... disable the webhook, dead-letter everything for it
 *        └─ TLS ........... dead-letter, no retry
 *
 * The order and the state live here; the parts that need neither are beside it: what each answer calls
 * for is decided in http/response-actions.ts, what a batch sends is built in format/batch-payload.ts, and
 * the records the pipeline writes itself (storm summaries, the queue-full notice) in batch/summaries.ts.
 *
 * One loop runs per webhook and sends one request at a time, like Discord's own client libraries:
 * headers from each response steer the next request. While the limiter says wait, records pile up in
 * the queue and leave packed; when it says go, whatever is ready leaves at once.
 *
 * Storm control sits before the queue, so a storm of one alert costs one queue slot, not thousands,
 * and cannot shed other alerts. With `redisUrl` it is shared by every process posting to the webhook:
 * between the Deduplicator and the queue, a StormStage (batch/storm-stage.ts) asks Redis, one round trip
 * per round on the delivery side, whether a window's first record is the fleet's alert and who sends
 * the fleet's summary; what it has not decided at a deadline or at exit is decided as one process alone. Summaries are not user records: like the queue-full notice they are
 * not counted in `accepted` or `sent`; the repeats they stand for are counted in `collapsed`.
 */
import { Deduplicator, MAX_DEDUP_WINDOWS, type DedupWindow } from './batch/dedup.js'
import { deferredFingerprintHash, fingerprintHash } from './batch/fingerprint.js'
import { fleetWindow, StormStage, type StormEntry } from './batch/storm-stage.js'
import { dropNotice, spoken, summaryRecord } from './batch/summaries.js'
import type { StormDecision, StormStore } from './batch/storm-store.js'
import { BurstClock, sleep } from './clock.js'
import { DeadLetterFile } from './dead-letter.js'
import { holdProcess } from './exit.js'
import type { DropReason, DroppedEvent, NotifierEvents, ProblemEvent } from './events.js'
import { BatchPayload, embedBudget } from './format/batch-payload.js'
import { redactFields } from './format/render.js'
import { redact } from './format/safe-value.js'
import { isExpired, Outage, type OutageState } from './http/outage.js'
import { answered, decide } from './http/response-actions.js'
import { classifyFailure, classifyResponse, isInvalidStatus, type Verdict } from './http/retry-policy.js'
import { WebhookSender, userAgent } from './http/sender.js'
import { redactLoose, redactToken, type WebhookTarget } from './http/webhook-url.js'
import type { Severity } from './levels.js'
import { LIMITS } from './limits.js'
import type { ResolvedOptions } from './options.js'
import type { MessageFile, WebhookPayload } from './payload.js'
import { BoundedQueue } from './queue/bounded-queue.js'
import { parseRateLimitHeaders } from './rate-limit/headers.js'
import { RateLimiter, type RateLimitInfo } from './rate-limit/limiter.js'
import type { LimitStore } from './rate-limit/limit-store.js'
import type { LogRecord } from './record.js'
import { SelfLog } from './self-log.js'
import { VERSION } from './version.js'

/** After a deadline aborts the request under way, how long the loop may take to notice and stop. */
const ABORT_GRACE_MS = 1000
/**
 * Room kept before the close() deadline to dead-letter what is left: a request never runs past
 * deadline − margin, where the margin is a tenth of the close budget, at most this.
 */
const MAX_CLOSE_MARGIN_MS = 1000
/** Before a shutdown deadline's margin, room kept to ask Redis for the fleet's summary and send it. */
const STORM_SEND_ROOM_MS = 1500
const CLOSE_MARGIN_SHARE = 0.1

export interface Counters {
  /**
   * Records handed over (after the level filter). Always equals sent + dropped + collapsed + records
   * pending (queued or in flight); summaries and drop notices are not records and count in none of these.
   */
  accepted: number
  /** Records Discord confirmed. */
  sent: number
  /** HTTP requests made. */
  requests: number
  /** Retries after 5xx, network errors and timeouts. */
  retried: number
  /** 429 answers received. */
  rateLimited: number
  /** Proactive waits the limiter imposed. */
  waits: number
  /** 401, 403 and non-shared 429 answers (Discord's ban counter). */
  invalidRequests: number
  /** Records that will never be delivered, by reason. */
  dropped: number
  droppedByReason: Record<DropReason, number>
  /** Dropped records written to the dead-letter file. */
  deadLettered: number
  /** Repeats folded into a "×N more" summary by storm control (the first of each kind counts in `sent`). */
  collapsed: number
  /**
   * Send calls whose level or severity was not one the library knows (`sendDiagnostic({ level: 'urgent' })`):
   * each was sent as 'error', and the first was reported on stderr. Not a record count: these are in `accepted` too.
   */
  unknownLevels: number
}

export interface FlushResult {
  /** Records still queued or in flight when flush settled (0 = everything delivered or dropped). */
  pending: number
  timedOut: boolean
}

export interface HealthProblem {
  kind: string
  reason: string
  since: number
}

interface Batch {
  records: LogRecord[]
  /** The "N records dropped" notice travelling with this batch, if any. */
  notice: LogRecord | undefined
  payload: WebhookPayload
  /** Full texts of the records the embeds had to cut, sent with the payload (multipart). */
  files: MessageFile[]
  strict: boolean
}

type Emit = <K extends keyof NotifierEvents>(event: K, ...args: NotifierEvents[K]) => void

export interface PipelineDeps {
  options: ResolvedOptions
  target: WebhookTarget
  emit: Emit
  /** Whether anyone listens to `event`, so per-record event objects are only built when used. */
  wants?: (event: keyof NotifierEvents) => boolean
  /** Where rate-limit state is shared with other senders (default: the process-wide `sharedLimits`). */
  shared?: LimitStore
  /**
   * Where storm control's windows are shared with other processes (RedisStorms). Unset or not shared:
   * each process folds its own repeats and sends its own summaries.
   */
  storms?: StormStore
  /** Told of each first record the fleet folded (it will never be sent or dropped here). */
  onFolded?: () => void
  /** The storm-control instance to report windows as (HandOff.instance: the pipeline they came from). */
  stormInstance?: string
  /**
   * Told `true` when records become pending (queued, in flight, or repeats owed a summary) and `false`
   * when none are left, so the owner can see them through the end of the process.
   */
  onPending?: (pending: boolean) => void
}

/** A shutdown deadline as the stderr line names it: `the close() deadline`, `exitTimeoutMs at process exit`. */
export interface ShutdownDeadline {
  name: string
  /** The deadline's length as the user set it (ms). */
  ms: number
}

/** What is pending, taken out of a pipeline so another thread can deliver it (process exit). */
export interface HandOff {
  records: LogRecord[]
  /**
   * With storm control shared through Redis: windows that ended here with their fingerprint, for the
   * receiver to report to the fleet (their first records may have joined the fleet's window) as `instance`.
   */
  windows?: DedupWindow[]
  instance?: string
}

export class Pipeline {
  readonly counters: Counters = {
    accepted: 0,
    sent: 0,
    requests: 0,
    retried: 0,
    rateLimited: 0,
    waits: 0,
    invalidRequests: 0,
    dropped: 0,
    droppedByReason: { queue_full: 0, disabled: 0, rejected: 0, expired: 0, tls: 0, shutdown: 0, closed: 0 },
    deadLettered: 0,
    collapsed: 0,
    unknownLevels: 0
  }

  readonly log: SelfLog
  #opts: ResolvedOptions
  #target: WebhookTarget
  #emit: Emit
  #wants: (event: keyof NotifierEvents) => boolean
  #queue: BoundedQueue<LogRecord>
  #limiter: RateLimiter
  #sender: WebhookSender
  /** Renders each batch's request body. */
  #payloads: BatchPayload
  #deadLetter: DeadLetterFile | undefined
  #redact: (s: string) => string
  #running = false
  #inFlight = 0
  #closed = false
  #abort = new AbortController()
  #idleWaiters = new Set<() => void>()
  #disabled: HealthProblem | undefined
  #failing: HealthProblem | undefined
  #dedup: Deduplicator | undefined
  /** Reused for every record's fingerprint hash. */
  #fingerprint = new Int32Array(2)
  #dedupTimer: unknown
  /** The time for repeats folded without a record (foldRepeat): read once per burst, not per call. */
  #foldClock: BurstClock
  /** Fleet storm control: first records and window ends wait here for the shared store's decision. */
  #storms: StormStage | undefined
  /**
   * Summary records the pipeline created, with the repeats each stands for. They are delivered like
   * records but never counted as ones; a lost summary moves its repeats from `collapsed` to `dropped`.
   */
  #summaries = new WeakMap<LogRecord, number>()
  /** Summaries currently queued or in flight (so `size` counts user records only). */
  #summariesPending = 0
  /** Repeats folded into windows that are still open: their summary is owed. */
  #owedRepeats = 0
  #onPending: ((pending: boolean) => void) | undefined
  #onFolded: (() => void) | undefined
  #tracked = false
  /** The batch whose request is under way, so exit can hand its records over. */
  #current: Batch | undefined
  #outage: Outage
  /** Records stamped before this count their age from here (replayed or piped-in old logs). */
  #startedAt: number
  /** Set by close(): requests are cut short so the deadline leaves room to dead-letter the rest. */
  #closeDeadline: { at: number, marginMs: number } | undefined
  /** Cuts the wait for the next outage probe short (close() probes at once). */
  #probeWake: AbortController | undefined

  constructor (deps: PipelineDeps) {
    const o = deps.options
    this.#opts = o
    this.#target = deps.target
    this.#emit = deps.emit
    this.#wants = deps.wants ?? (() => true)
    this.#redact = (s) => redactLoose(redactToken(s, deps.target.token))
    this.log = new SelfLog(o.logLevel, o.log, this.#redact)
    this.#queue = new BoundedQueue(o.queueCapacity)
    this.#limiter = new RateLimiter(deps.target.id, o.rateLimits, deps.shared)
    this.#onPending = deps.onPending
    this.#onFolded = deps.onFolded
    const senderOpts: ConstructorParameters<typeof WebhookSender>[0] = { timeoutMs: o.timeoutMs, userAgent: userAgent(VERSION, o.userAgentSuffix) }
    if (o.dispatcher !== undefined) senderOpts.dispatcher = o.dispatcher
    this.#sender = new WebhookSender(senderOpts)
    this.#payloads = new BatchPayload(o, deps.target.token)
    if (o.deadLetterFile !== undefined) this.#deadLetter = new DeadLetterFile(o.deadLetterFile, this.#redact)
    // Shared storm control needs windows: this pipeline's own, or a caller's that folds repeats on its
    // thread and hands firsts and window ends over (pushFirst, pushSummaries: ThreadedNotifier's worker).
    if (deps.storms?.shared === true) {
      this.#storms = new StormStage({
        store: deps.storms,
        ...(deps.stormInstance === undefined ? {} : { instance: deps.stormInstance }),
        webhookId: deps.target.id,
        windowMs: o.dedup.windowMs,
        now: () => this.#opts.clock.now(),
        maxRecords: o.queueCapacity,
        apply: (entry, decision) => this.#stormDecided(entry, decision),
        settled: () => this.#settledIfIdle(),
        failed: (err) => this.log.errorOnce('storm_store', `fleet storm control failed, deciding locally: ${String(err)}`)
      })
    }
    // Shared storm control hears of every window that ends, repeats or not (its first record joined the fleet's).
    if (o.dedup.enabled) this.#dedup = new Deduplicator({ windowMs: o.dedup.windowMs, maxWindows: MAX_DEDUP_WINDOWS, reportEmpty: this.#storms !== undefined })
    this.#foldClock = new BurstClock(o.clock)
    this.#outage = new Outage(o.outage)
    this.#startedAt = o.clock.now()
  }

  /** Records queued plus records in the request under way (summaries and notices not included). */
  get size (): number {
    return this.#queue.size + this.#inFlight - this.#summariesPending + (this.#storms?.records ?? 0)
  }

  get disabled (): HealthProblem | undefined {
    return this.#disabled
  }

  get failing (): HealthProblem | undefined {
    return this.#failing
  }

  /** Set while Discord is unreachable and records are held (health: degraded). */
  get outage (): OutageState | undefined {
    return this.#outage.state
  }

  /**
   * Hands a record over. O(1) on the caller's thread; never throws, never waits. False when refused.
   * `at`: when it was logged, for a call handed over later (epoch ms on the options' clock; default now).
   */
  push (record: LogRecord, at?: number): boolean {
    this.counters.accepted++
    if (this.#closed) {
      this.#drop('closed', [record])
      return false
    }
    if (this.#disabled !== undefined) {
      this.#drop('disabled', [record], this.#disabled.reason)
      return false
    }
    const now = at ?? this.#opts.clock.now()
    const dedup = this.#dedup
    if (dedup !== undefined) {
      fingerprintHash(record, this.#opts.dedup.fingerprint, this.#fingerprint)
      const first = dedup.offer(this.#fingerprint[0]!, record, now, this.#fingerprint[1])
      // Summaries of windows that ended (or were evicted) go ahead of this record, so they read in order.
      if (dedup.hasDue) this.#enqueueSummaries(dedup.expire(now), now)
      this.#armDedupTimer(now)
      if (!first) {
        this.counters.collapsed++
        this.#owedRepeats++
        this.#track()
        return true
      }
      // Shared with other processes: the fleet decides whether this first record is the storm's alert.
      if (this.#storms?.first(record, this.#fingerprint[0]!, this.#fingerprint[1]!, now, now + dedup.windowMs) === true) {
        this.#track()
        return true
      }
    }
    return this.#enqueue(record, now)
  }

  /**
   * Storm control without a record: when the window of the alert a deferred-error record with this
   * severity, service and message would belong to is open, counts one more repeat (accepted, collapsed)
   * and returns true. False, counting nothing, otherwise: then push() the record. O(1), no allocation.
   * `at` as in push().
   */
  foldRepeat (severity: Severity, service: string | undefined, message: string, at?: number): boolean {
    const dedup = this.#dedup
    if (dedup === undefined || this.#closed || this.#disabled !== undefined) return false
    const time = this.#foldClock.timeCell(at)
    deferredFingerprintHash(severity, service, message, this.#opts.dedup.fingerprint, this.#fingerprint)
    const folded = dedup.fold(this.#fingerprint[0]!, this.#fingerprint[1]!, time)
    // Windows the fold found ended: their summaries go ahead, as in push().
    if (dedup.hasDue) this.#enqueueSummaries(dedup.expire(time[0]!), time[0]!)
    if (!folded) return false
    this.counters.accepted++
    this.counters.collapsed++
    this.#owedRepeats++
    if (!this.#tracked) this.#track()
    if (this.#dedupTimer === undefined) this.#armDedupTimer(time[0]!)
    return true
  }

  #track (): void {
    if (this.#tracked) return
    this.#tracked = true
    this.#onPending?.(true)
  }

  #untrackIfIdle (): void {
    if (!this.#tracked || !this.#idle() || this.#owedRepeats > 0) return
    this.#tracked = false
    this.#onPending?.(false)
  }

  #enqueue (record: LogRecord, now: number): boolean {
    const shed = this.#queue.push(record, now)
    if (shed !== undefined) {
      this.log.warnOnce('queue_full', () => `queue full (capacity ${this.#queue.capacity}): shedding the least severe records; a notice with the count follows`)
      // A shed summary loses the repeats it stood for: the notice counts them, as counters.dropped does.
      const repeats = this.#summariesPending > 0 ? this.#summaries.get(shed) : undefined
      if (repeats !== undefined) this.#queue.recountDrop(shed.severity, repeats)
      this.#drop('queue_full', [shed])
    }
    this.#track()
    this.#schedule()
    return shed !== record
  }

  #enqueueSummaries (windows: readonly DedupWindow[], now: number): void {
    const storms = this.#storms
    // Nearly always none: an index loop, so the common case allocates no iterator.
    for (let i = 0; i < windows.length; i++) {
      const window = windows[i]!
      // Shared with other processes: the fleet decides who sends the summary (#stormDecided).
      if (storms !== undefined && window.key !== undefined) storms.end(window)
      // A window without repeats has nothing to summarise (reported only for the fleet's sake).
      else if (window.repeats > 0) this.#enqueue(this.#ownSummary(window, window, now), now)
    }
  }

  /**
   * The summary record for `window`, standing for this process's own repeats of `own` (a lost summary
   * moves them from `collapsed` to `dropped`); the repeats are no longer owed.
   */
  #ownSummary (window: DedupWindow, own: DedupWindow, now: number, standsFor: number = own.repeats): LogRecord {
    const summary = summaryRecord(window, now)
    this.#summaries.set(summary, standsFor)
    this.#summariesPending++
    this.#owedRepeats = Math.max(0, this.#owedRepeats - own.repeats)
    return summary
  }

  /** The shared store's decision about a first record or a window's end (StormStage, in order). */
  #stormDecided (entry: StormEntry, decision: StormDecision): void {
    const now = this.#opts.clock.now()
    if (entry.op === 'first') {
      // Folded into another process's window: the fleet's summary counts it.
      if (decision.kind === 'fold') {
        this.counters.collapsed++
        this.#onFolded?.()
      } else this.#enqueue(entry.record, now)
      return
    }
    const own = entry.window
    if (decision.kind === 'fold') {
      // The repeats now live in the fleet window; another process sends the summary that counts them.
      this.#owedRepeats = Math.max(0, this.#owedRepeats - own.repeats)
      if (entry.op === 'end') this.#storms?.takeFoldedFirsts(entry.fingerprint)
      return
    }
    const mine = this.#ownPart(entry)
    let window = decision.kind === 'summary' ? fleetWindow(decision, own, now) : mine.window
    // A finish decided here: Redis was lost while the storm went quiet, and the fleet's count with it.
    if (entry.op === 'finish' && decision.kind !== 'summary') window = { ...window, fleetLost: true }
    if (window.repeats === 0) {
      this.#owedRepeats = Math.max(0, this.#owedRepeats - own.repeats)
      return
    }
    this.#enqueue(this.#ownSummary(window, own, now, mine.records), now)
  }

  /**
   * What this process put into the fleet's count for a window: its repeats, and its first record if the
   * fleet folded it (a finish: what it contributed); and the window as its own summary would say it.
   */
  #ownPart (entry: StormEntry & { op: 'end' | 'finish' }): { records: number, window: DedupWindow } {
    const own = entry.window
    const records = entry.op === 'finish' ? entry.contributed : own.repeats + (this.#storms?.takeFoldedFirsts(entry.fingerprint) ?? 0)
    return { records, window: records === own.repeats ? own : { ...own, repeats: records } }
  }

  /** Decides what the shared store has not (shutdown, process exit) as one process alone would. */
  #drainStorms (now: number): LogRecord[] {
    const out: LogRecord[] = []
    for (const entry of this.#storms?.drain() ?? []) {
      if (entry.op === 'first') {
        out.push(entry.record)
        continue
      }
      const mine = this.#ownPart(entry)
      if (mine.records > 0) out.push(this.#ownSummary(mine.window, entry.window, now, mine.records))
    }
    return out
  }

  /** Resolves flush() waiters once nothing is queued, in flight or waiting for the shared store. */
  #settledIfIdle (): void {
    if (!this.#idle()) return
    for (const done of [...this.#idleWaiters]) done()
    this.#untrackIfIdle()
  }

  /** One unref'd timer, for the oldest open window; it re-arms itself for the next. */
  #armDedupTimer (now: number): void {
    if (this.#dedupTimer !== undefined) return
    const next = this.#dedup?.nextEnd()
    if (next === undefined) return
    this.#dedupTimer = this.#opts.clock.setTimeout(() => {
      this.#dedupTimer = undefined
      const at = this.#opts.clock.now()
      this.#enqueueSummaries(this.#dedup!.expire(at), at)
      this.#armDedupTimer(at)
    }, next - now)
  }

  /** Ends every open window so the summaries owed so far are queued (flush, close). */
  #endWindows (): void {
    const dedup = this.#dedup
    if (dedup === undefined) return
    if (this.#dedupTimer !== undefined) {
      this.#opts.clock.clearTimeout(this.#dedupTimer)
      this.#dedupTimer = undefined
    }
    this.#enqueueSummaries(dedup.endAll(), this.#opts.clock.now())
  }

  /**
   * Queues summaries of windows counted elsewhere: a ThreadedNotifier folds repeats on the caller's
   * thread (so they never cross into the worker) and hands the summaries over here.
   */
  pushSummaries (windows: readonly DedupWindow[]): void {
    if (this.#closed || this.#disabled !== undefined || windows.length === 0) return
    this.#enqueueSummaries(windows, this.#opts.clock.now())
  }

  /**
   * Hands over the first record of a window opened elsewhere (a ThreadedNotifier folds repeats on the
   * caller's thread): with shared storm control the fleet decides whether it is sent; otherwise as push().
   * `key`/`check`: its fingerprint hashes; `at`/`endsAt`: when its window opened and ends (epoch ms).
   */
  pushFirst (record: LogRecord, key: number, check: number, at: number, endsAt: number): boolean {
    if (this.#storms === undefined || this.#closed || this.#disabled !== undefined) return this.push(record)
    this.counters.accepted++
    if (!this.#storms.first(record, key, check, at, endsAt)) return this.#enqueue(record, this.#opts.clock.now())
    this.#track()
    return true
  }

  rateLimitInfo (): RateLimitInfo {
    return this.#limiter.info(this.#opts.clock.now())
  }

  resetRateLimits (): void {
    this.#limiter.reset()
  }

  /**
   * Settles when everything queued has been delivered or dropped, or when `timeoutMs` passes. While it
   * is awaited the process stays alive (the deadline bounds that), so a script's last `await` settles.
   */
  flush (timeoutMs: number = this.#opts.flushTimeoutMs): Promise<FlushResult> {
    // Repeats counted so far are reported before flush settles, so the counts reconcile at shutdown.
    this.#endWindows()
    if (this.#idle()) return Promise.resolve({ pending: 0, timedOut: false })
    const release = holdProcess()
    return new Promise((resolve) => {
      const done = (): void => {
        this.#opts.clock.clearTimeout(timer)
        this.#idleWaiters.delete(done)
        release()
        resolve({ pending: this.size, timedOut: false })
      }
      const timer = this.#opts.clock.setTimeout(() => {
        this.#idleWaiters.delete(done)
        release()
        resolve({ pending: this.size, timedOut: true })
      }, timeoutMs)
      this.#idleWaiters.add(done)
    })
  }

  /**
   * Stops intake, delivers what it can within the deadline, dead-letters the rest, frees resources.
   * `deadline` names the deadline in the stderr line (a close at process exit is bound by exitTimeoutMs).
   */
  async close (timeoutMs: number = this.#opts.flushTimeoutMs, deadline: ShutdownDeadline = { name: 'the close() deadline', ms: timeoutMs }): Promise<FlushResult> {
    if (this.#closed) return { pending: 0, timedOut: false }
    this.#closed = true
    const result = await this.settle(timeoutMs, deadline)
    try {
      await this.#sender.close()
    } catch {}
    this.#deadLetter?.close()
    return result
  }

  /**
   * Delivers what it can within `timeoutMs`, then drops (dead-letters) whatever is still pending, with
   * one stderr line saying how many and where they went. Intake stays as it was: close() stops it first;
   * the drain when the event loop empties leaves it open for anything logged after.
   */
  async settle (timeoutMs: number, deadline: ShutdownDeadline): Promise<FlushResult> {
    const before = this.counters.droppedByReason.shutdown
    // Requests are cut short so the deadline leaves room to dead-letter the rest; an outage gets one
    // last probe now instead of waiting out its backoff.
    this.#closeDeadline = { at: this.#opts.clock.now() + timeoutMs, marginMs: Math.min(MAX_CLOSE_MARGIN_MS, Math.floor(timeoutMs * CLOSE_MARGIN_SHARE)) }
    this.#outage.probeNow(this.#opts.clock.now())
    this.#probeWake?.abort()
    // The fleet's summary waits for the storm to go quiet only while the deadline leaves room to send it.
    this.#storms?.hurry(this.#closeDeadline.at - this.#closeDeadline.marginMs - STORM_SEND_ROOM_MS)
    const result = await this.flush(timeoutMs)
    let undecided: LogRecord[] = []
    // Timed out, not "pending > 0": summaries in flight are not counted as pending, yet must be aborted too.
    if (result.timedOut) {
      this.#abort.abort()
      // Nothing waits on the fleet past the deadline: what it has not decided is decided here, alone.
      if (this.#storms !== undefined) undecided = this.#drainStorms(this.#opts.clock.now())
      // The loop notices the abort at its next await, drops its in-flight batch and exits.
      await this.flush(Math.max(timeoutMs, ABORT_GRACE_MS))
      this.#abort = new AbortController()
    }
    const left = this.#queue.drain()
    if (this.#storms !== undefined) left.push(...undecided, ...this.#drainStorms(this.#opts.clock.now()))
    if (left.length > 0) this.#drop('shutdown', left, `still queued at ${deadline.name}`)
    this.#queue.takeDrops()
    const lost = this.counters.droppedByReason.shutdown - before
    if (lost > 0) {
      const where = this.#deadLetter === undefined ? 'dropped (set deadLetterFile to keep them)' : `written to the dead-letter file ${this.#deadLetter.path}`
      this.log.error(`${lost} record${lost === 1 ? '' : 's'} not delivered within ${deadline.name} (${deadline.ms} ms): ${where}`)
    }
    if (!this.#closed) {
      this.#closeDeadline = undefined
      this.#storms?.hurry(undefined)
    }
    this.#untrackIfIdle()
    return result
  }

  /**
   * Takes every pending record out, synchronously, for delivery elsewhere: the process is exiting and
   * this thread will run nothing asynchronous again. The request under way, if any, is handed over
   * too (it may have reached Discord: at-least-once). The pipeline is closed afterwards.
   */
  handOff (): HandOff {
    this.#closed = true
    this.#endWindows()
    const records: LogRecord[] = []
    const notice = dropNotice(this.#queue.takeDrops(), this.#queue.capacity, this.#opts.clock.now())
    if (notice !== undefined) records.push(notice)
    if (this.#current !== undefined) records.push(...this.#current.records)
    records.push(...this.#queue.drain())
    const windows: DedupWindow[] = []
    // First records not yet decided go as this process alone would send them; windows that ended go to
    // the receiver, which reports them to the fleet (a summary of their repeats follows either way).
    for (const entry of this.#storms?.drain() ?? []) {
      if (entry.op === 'first') records.push(entry.record)
      // A finish (repeats 0, given already) reported again is a finish.
      else windows.push(entry.window)
    }
    this.#current = undefined
    this.#inFlight = 0
    this.#abort.abort()
    this.#tracked = false
    return windows.length === 0 ? { records } : { records, windows, instance: this.#storms!.instance }
  }

  /** The summaries this process alone would send for `windows` (those with repeats), as records. */
  localSummaries (windows: readonly DedupWindow[]): LogRecord[] {
    const now = this.#opts.clock.now()
    return windows.filter((w) => w.repeats > 0).map((w) => this.#ownSummary(w, w, now))
  }

  /** Records that `handOff()` could not give to anyone: dead-lettered here, synchronously. */
  dropAtExit (records: LogRecord[], detail: string): void {
    this.#drop('shutdown', records, detail)
    const n = records.length
    const where = this.#deadLetter === undefined ? 'dropped (set deadLetterFile to keep them)' : `written to the dead-letter file ${this.#deadLetter.path}`
    if (n > 0) this.log.error(`${n} record${n === 1 ? '' : 's'} pending at process exit could not be delivered (${detail}): ${where}`)
  }

  #idle (): boolean {
    return !this.#running && this.#queue.size === 0 && this.#queue.pendingDrops === 0 && (this.#storms?.idle ?? true)
  }

  #schedule (): void {
    if (this.#running) return
    this.#running = true
    // A microtask: a synchronous burst of log calls is all queued before the first batch is taken.
    queueMicrotask(() => {
      this.#run().catch((err: unknown) => {
        this.log.errorOnce('internal', `internal error in the delivery loop: ${String(err)}`)
      })
    })
  }

  async #run (): Promise<void> {
    try {
      while (!this.#abort.signal.aborted) {
        if (this.#disabled !== undefined) {
          const left = this.#queue.drain()
          if (left.length > 0) this.#drop('disabled', left, this.#disabled.reason)
          this.#queue.takeDrops()
          break
        }
        if (this.#queue.size === 0 && this.#queue.pendingDrops === 0) break
        if (!(await this.#waitForBudget())) break
        const batch = this.#takeBatch()
        if (batch === undefined) break
        this.#current = batch
        await this.#deliver(batch)
        this.#current = undefined
      }
    } finally {
      this.#running = false
      if (!this.#abort.signal.aborted && (this.#queue.size > 0 || this.#queue.pendingDrops > 0)) this.#schedule()
      else if (this.#abort.signal.aborted) {
        for (const done of [...this.#idleWaiters]) done()
        this.#untrackIfIdle()
      } else this.#settledIfIdle()
    }
  }

  /** Waits until the limiter grants a request (the permit is held until `acquire`). Returns false when aborted. */
  async #waitForBudget (): Promise<boolean> {
    for (;;) {
      const now = this.#opts.clock.now()
      const probe = this.#outage.waitMs(now)
      // A permit is only taken when no probe wait holds the request back.
      const wait = probe > 0 ? this.#limiter.waitTime(now) : await this.#limiter.reserve(now)
      if (wait.ms <= 0 && probe <= 0) return true
      if (probe > wait.ms) {
        this.log.debug(`Discord unreachable: next probe in ${probe} ms`)
        // Woken early by close() (one last probe) or by the abort at its deadline.
        const wake = this.#probeWake = new AbortController()
        const onAbort = (): void => wake.abort()
        this.#abort.signal.addEventListener('abort', onAbort, { once: true })
        await sleep(this.#opts.clock, probe, wake.signal)
        this.#abort.signal.removeEventListener('abort', onAbort)
        this.#probeWake = undefined
        if (this.#abort.signal.aborted) return false
        continue
      }
      this.counters.waits++
      this.#emit('rateLimited', { scope: wait.scope, waitMs: wait.ms, reactive: false })
      this.log.debug(`waiting ${wait.ms} ms for the ${wait.scope} limit`)
      if (!(await sleep(this.#opts.clock, wait.ms, this.#abort.signal))) return false
    }
  }

  #takeBatch (): Batch | undefined {
    this.#expireHeld(this.#opts.clock.now())
    // An outage probe carries one record; the drop notice waits for the drain unless nothing else is left.
    const maxRecords = this.#outage.batchLimit ?? Number.POSITIVE_INFINITY
    const limit = Math.min(LIMITS.embedsPerMessage, maxRecords)
    const notice = limit < LIMITS.embedsPerMessage && this.#queue.size > 0 ? undefined : dropNotice(this.#queue.takeDrops(), this.#queue.capacity, this.#opts.clock.now())
    const pending = this.#queue.size + (notice === undefined ? 0 : 1)
    if (pending === 0) return undefined
    // Under load each embed gets an equal share of the 6000-character message budget, so ten
    // records always fit one request; when quiet, a lone record may use all of it.
    const budget = embedBudget(Math.min(limit, pending))
    const records: LogRecord[] = []
    let embeds = notice === undefined ? 0 : 1
    let content = false
    while (embeds < limit && records.length < maxRecords) {
      const next = this.#queue.peek()
      if (next === undefined) break
      if (next.content !== undefined) {
        if (content) break // one plain-text message per request
        content = true
      }
      // A plain-text record is content only; one with a ready embed too sends both (BatchPayload).
      if (next.content === undefined || next.embed !== undefined) embeds++
      records.push(this.#queue.shift()!)
    }
    this.#inFlight = records.length
    const { payload, files } = this.#payloads.build(records, notice, budget, false)
    return { records, notice, payload, files, strict: false }
  }

  /** Renders `batch` again, stricter (after Discord refused it): its payload and files are replaced. */
  #renderStricter (batch: Batch): void {
    const { payload, files } = this.#payloads.stricter(batch.records, batch.notice)
    batch.payload = payload
    batch.files = files
  }

  async #deliver (batch: Batch): Promise<void> {
    let attempt = 0
    const clock = this.#opts.clock
    try {
      for (;;) {
        if (!(await this.#waitForBudget())) return this.#drop('shutdown', batch.records, 'in flight at the shutdown deadline')
        const sentAt = clock.now()
        const timeoutMs = this.#requestTimeout(sentAt)
        if (timeoutMs <= 0) return this.#drop('shutdown', batch.records, 'no time left before the shutdown deadline')
        this.#limiter.acquire(sentAt)
        this.counters.requests++
        const outcome = await this.#sender.post(this.#target, batch.payload, this.#abort.signal, batch.files, timeoutMs)
        const now = clock.now()
        let verdict: Verdict
        if (outcome.ok) {
          this.#limiter.update(now, parseRateLimitHeaders(outcome.headers, now))
          if (isInvalidStatus(outcome.status, outcome.headers)) {
            this.counters.invalidRequests++
            this.#limiter.recordInvalid(now)
          }
          verdict = classifyResponse({ status: outcome.status, headers: outcome.headers, body: outcome.body }, now)
        } else {
          if (outcome.failure.kind === 'aborted' || this.#abort.signal.aborted) return this.#drop('shutdown', batch.records, 'in flight at the shutdown deadline')
          verdict = classifyFailure(outcome.failure)
        }
        if (this.#outage.active && answered(verdict)) this.#endOutage(now)

        const action = decide(verdict, batch, { attempt, outage: this.#outage.active, retryDelays: this.#opts.retryDelays })
        switch (action.kind) {
          case 'delivered': {
            if (action.channelId !== undefined) this.#limiter.learnChannel(now, action.channelId)
            this.#limiter.succeeded()
            const summaries = this.#countSummaries(batch.records)
            this.#summariesPending -= summaries
            this.counters.sent += batch.records.length - summaries
            this.#failing = undefined
            this.log.clear('delivery')
            if (batch.notice !== undefined) this.log.clear('queue_full')
            const event = { records: batch.records.length - summaries, embeds: batch.payload.embeds?.length ?? 0, status: outcome.ok ? outcome.status : 0, attempt: attempt + 1, durationMs: now - sentAt }
            this.#emit('sent', action.channelId === undefined ? event : { ...event, channelId: action.channelId })
            return
          }
          case 'resend': {
            // Rate-limit waits never spend the retry budget (contract §4); the batch is resent as is.
            this.counters.rateLimited++
            const waitMs = this.#limiter.rateLimited(now, action.scope, action.retryAfterMs)
            const scope = action.scope
            this.#emit('rateLimited', { scope, waitMs, reactive: true, status: 429, ...(action.bucket === undefined ? {} : { bucket: action.bucket }) })
            const what = scope === 'cloudflare' ? 'Cloudflare blocked this IP (HTTP 429 without rate-limit headers): pausing every webhook' : `Discord answered 429 (${scope} limit)`
            this.log.warnOnce(`429:${scope}`, `${what}; resending in ${waitMs} ms`)
            if (this.#limiter.invalidCount(now) >= this.#opts.rateLimits.invalidRequestLimit) {
              this.log.errorOnce('invalid_requests', `${this.#opts.rateLimits.invalidRequestLimit} invalid requests in 10 minutes: sending pauses to stay clear of Discord's IP ban`)
            }
            continue
          }
          case 'hold':
            return this.#holdThroughOutage(batch, now, action.reason)
          case 'retry': {
            attempt = action.attempt
            this.counters.retried++
            this.#emit('retry', { attempt, delayMs: action.delayMs, reason: action.reason })
            this.log.debug(`retry ${attempt} in ${action.delayMs} ms: ${action.reason}`)
            if (!(await sleep(clock, action.delayMs, this.#abort.signal))) return this.#drop('shutdown', batch.records, 'in flight at the shutdown deadline')
            continue
          }
          case 'split': {
            this.#queue.requeue(batch.records.slice(action.keep))
            batch.records = batch.records.slice(0, action.keep)
            this.#inFlight = batch.records.length
            this.#renderStricter(batch)
            continue
          }
          case 'stricter': {
            batch.strict = true
            this.#renderStricter(batch)
            if (action.note !== undefined) this.log.debug(action.note)
            continue
          }
          case 'disable': {
            this.#disable(action.kind, action.reason, action.status, action.discordCode)
            return this.#drop('disabled', batch.records, action.reason)
          }
          case 'drop': {
            const { kind, message, status, discordCode } = action.problem
            if (action.failing) this.#fail(kind, message)
            else this.#problem(kind, message, status, discordCode)
            return this.#drop(action.reason, batch.records, action.detail)
          }
        }
      }
    } finally {
      this.#inFlight = 0
    }
  }

  /** A transient failure outlasted the retries: the batch goes back, first in line, and waits for a probe. */
  #holdThroughOutage (batch: Batch, now: number, reason: string): void {
    const started = this.#outage.enter(now, reason)
    if (batch.notice !== undefined) {
      // The notice travels on as a summary: delivered like a record, never counted as one.
      this.#summaries.set(batch.notice, 0)
      this.#summariesPending++
    }
    this.#queue.requeue(batch.notice === undefined ? batch.records : [batch.notice, ...batch.records])
    if (!started) {
      this.log.debug(`probe failed (${reason}); next in ${this.#outage.waitMs(now)} ms`)
      return
    }
    const { probeMinMs, probeMaxMs } = this.#opts.outage
    const message = `webhook ${this.#target.id} unreachable since ${new Date(now).toISOString()} (${reason}): holding ${this.#queue.size} records, probing with one at a time every ${spoken(probeMinMs)} to ${spoken(probeMaxMs)}; nothing is dead-lettered for this`
    this.log.warn(message)
    this.#emit('error', { kind: 'outage', message: this.#redact(message) })
  }

  #endOutage (now: number): void {
    const end = this.#outage.recovered(now)
    if (end === undefined) return
    this.log.warn(`webhook ${this.#target.id} reachable again after ${spoken(end.durationMs)} (${end.probes} probe${end.probes === 1 ? '' : 's'}); delivering ${this.size} held records`)
  }

  /** The request's timeout: the configured one, cut so a close() deadline keeps its margin. */
  #requestTimeout (now: number): number {
    const deadline = this.#closeDeadline
    if (deadline === undefined) return this.#opts.timeoutMs
    return Math.min(this.#opts.timeoutMs, deadline.at - deadline.marginMs - now)
  }

  /** Records held past maxRecordAgeMs are dead-lettered, not posted late (checked as they come up). */
  #expireHeld (now: number): void {
    const max = this.#opts.maxRecordAgeMs
    for (;;) {
      const next = this.#queue.peek()
      if (next === undefined || !isExpired(next.time, this.#startedAt, now, max)) return
      this.#queue.shift()
      this.#drop('expired', [next], `held longer than maxRecordAgeMs (${max} ms)`)
    }
  }

  #disable (kind: string, reason: string, status: number, discordCode: number | undefined): void {
    if (this.#disabled !== undefined) return
    this.#disabled = { kind, reason, since: this.#opts.clock.now() }
    const event: ProblemEvent = { kind: 'webhook_disabled', message: `webhook ${this.#target.id} disabled: ${reason}`, status }
    if (discordCode !== undefined) event.discordCode = discordCode
    this.log.errorOnce('disabled', `${event.message}. Nothing more is sent to it; fix the URL and restart.`)
    this.#emit('disabled', event)
    this.#emit('error', event)
  }

  #fail (kind: string, reason: string): void {
    this.#failing = { kind, reason, since: this.#opts.clock.now() }
    this.#problem(kind, reason)
  }

  #problem (kind: string, message: string, status?: number, discordCode?: number): void {
    this.log.errorOnce(kind === 'tls' || kind === 'delivery' ? kind : `problem:${kind}`, message)
    const event: ProblemEvent = { kind, message: this.#redact(message) }
    if (status !== undefined) event.status = status
    if (discordCode !== undefined) event.discordCode = discordCode
    this.#emit('error', event)
  }

  /** Summaries among `records`, forgotten as they leave (delivered). */
  #countSummaries (records: readonly LogRecord[]): number {
    if (this.#summariesPending === 0) return 0
    let n = 0
    for (const r of records) if (this.#summaries.delete(r)) n++
    return n
  }

  #drop (reason: DropReason, all: LogRecord[], detail?: string): void {
    // A lost summary loses the repeats it stood for: they move from `collapsed` to `dropped`, and the
    // summary itself is dead-lettered, so `accepted = sent + dropped + collapsed + pending` still holds.
    let repeats = 0
    let records = all
    /** What goes to the dead-letter file: records, and storm summaries for the repeats they stood for. */
    let lines = all
    if (this.#summariesPending > 0) {
      records = []
      lines = []
      for (const r of all) {
        const n = this.#summaries.get(r)
        if (n === undefined) {
          records.push(r)
          lines.push(r)
          continue
        }
        this.#summariesPending--
        this.#summaries.delete(r)
        repeats += n
        // A held "N dropped" notice stands for no repeats: its records were counted when shed.
        if (n > 0) lines.push(r)
      }
    }
    if (records.length === 0 && repeats === 0) return
    const count = records.length + repeats
    this.counters.collapsed -= repeats
    this.counters.dropped += count
    this.counters.droppedByReason[reason] += count
    if (this.#deadLetter !== undefined) {
      const time = new Date(this.#opts.clock.now()).toISOString()
      try {
        this.#deadLetter.write(lines.map((record) => ({ time, reason, webhookId: this.#target.id, ...(detail === undefined ? {} : { detail }), record: this.#redacted(record) })))
        this.counters.deadLettered += count
      } catch (err) {
        this.log.errorOnce('dead_letter_write', `cannot write the dead-letter file ${this.#deadLetter.path}: ${String(err)}`)
      }
    }
    // Built only for listeners: under overflow this runs once per shed record.
    if (this.#wants('dropped')) {
      const event: DroppedEvent = { reason, count, records, ...(detail === undefined ? {} : { detail }) }
      if (repeats > 0) event.repeats = repeats
      this.#emit('dropped', event)
    }
  }

  /** The record as it may be written outside the process: secret fields and error properties redacted. */
  #redacted (record: LogRecord): LogRecord {
    const keys = this.#opts.render.redactKeys
    const out: LogRecord = { ...record }
    if (record.fields !== undefined) out.fields = redactFields(record.fields, keys)
    const error = record.error
    if (error !== undefined) out.error = redact(error, keys.filter((k) => !k.includes('.'))) as LogRecord['error']
    return out
  }
}
