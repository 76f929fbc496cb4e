import { Worker } from 'node:worker_threads'
import { Deduplicator, MAX_DEDUP_WINDOWS, type DedupWindow } from '../batch/dedup.js'
import { deferredFingerprintHash, fingerprintHash } from '../batch/fingerprint.js'
import { InvalidOptionError } from '../errors.js'
import { holdProcess } from '../exit.js'
import { toPlain } from '../format/safe-value.js'
import { BurstClock, systemClock } from '../clock.js'
import { redactLoose } from '../http/webhook-url.js'
import { atLeast, type Severity } from '../levels.js'
import { disabledHealth, EMPTY_RATE_LIMITS, emptyCounters, kFoldRepeat, kSendAt, NotifierBase, type Health } from '../notifier-base.js'
import { resolveWithEnvironment } from '../env.js'
import type { NotifierOptions, ResolvedOptions } from '../options.js'
import type { Counters, FlushResult } from '../pipeline.js'
import type { RateLimitInfo } from '../rate-limit/limiter.js'
import type { LogRecord } from '../record.js'
import { STATE_CLOSED, STATE_SETTLED, STATE_SLOTS, type FromWorker, type ToWorker, type WorkerData, type WorkerNotifierOptions } from './protocol.js'

/** The notifier's options, less the two that cannot cross into a worker. `exitTimeoutMs` bounds the exit wait. */
export type ThreadedNotifierOptions = Omit<NotifierOptions, 'dispatcher' | 'clock'>

/** Extra time a flush/close reply may take beyond its own deadline before the main thread stops waiting. */
const REPLY_GRACE_MS = 1000
/**
 * At exit, the part of `exitTimeoutMs` kept back for the worker to dead-letter what it could not deliver
 * (at most this, at most a fifth of the deadline): the worker closes at once, so this is plenty.
 */
const EXIT_CLOSE_MARGIN_MS = 500
const PLAIN_DEPTH = 8
/** Internal: hands windows that ended elsewhere (an in-process notifier at exit) to the worker to report to the fleet. */
export const kHandWindows = Symbol.for('logcord.handWindows')

/**
 * A notifier whose whole sending side (queue, limiter, rendering, HTTP) runs in a worker thread.
 *
 * The caller's thread only copies each record into plain data and posts it (batched per tick).
 * At process exit — including `process.exit()` right after logging, and crashes — a synchronous
 * 'exit' handler blocks until the worker has settled every record or `exitTimeoutMs` passes:
 *
 *   main thread                      worker thread
 *   send(record) ─► buffer ─tick─► postMessage ─► DiscordNotifier ─► Discord
 *   'exit' handler: Atomics.wait(settled == posted) ◄── Atomics.add + notify per outcome
 *
 * Storm control runs here, on the caller's side: a repeat is counted and let go before it is copied
 * or posted, so a storm costs the caller what it costs in-process; the worker gets the first record
 * of each window and, when the window ends, its "×N more" summary.
 *
 * `health()`, `stats()` and `getRateLimitInfo()` read the worker's latest snapshot (≤ 50 ms old).
 */
export class ThreadedNotifier extends NotifierBase {
  readonly options: ResolvedOptions
  readonly exitTimeoutMs: number
  #worker: Worker | undefined
  #state = new Int32Array(new SharedArrayBuffer(STATE_SLOTS * Int32Array.BYTES_PER_ELEMENT))
  #posted = 0
  #buffer: LogRecord[] = []
  /** With storm control shared through Redis: four numbers per buffered record (protocol.ts `storms`). */
  #storms: number[] | undefined
  #scheduled = false
  #closed = false
  #snapshot: Health | undefined
  #crashed: string | undefined
  #replies = new Map<number, (result: FlushResult) => void>()
  #nextId = 1
  #userLog: ((line: string) => void) | undefined
  #dedup: Deduplicator | undefined
  #fingerprint = new Int32Array(2)
  #collapsed = 0
  /** The time for repeats folded without a record: read once per burst, not per call. */
  readonly #foldClock = new BurstClock(systemClock)
  #dedupTimer: NodeJS.Timeout | undefined
  /** Windows handed over by kHandWindows: the exit wait covers their summaries. */
  #handedWindows = 0
  #onExit = (): void => {
    this.drainSync()
  }

  /**
   * Options left unset are read from DISCORD_WEBHOOK_URL, DISCORD_NOTIFICATIONS_ENABLED and
   * DISCORD_NOTIFICATIONS_LOG_LEVEL, as in DiscordNotifier (explicit options win).
   * @param internal `atExit`: a worker started from the process 'exit' event to deliver what an
   * in-process notifier had pending (it shares the process's rate-limit table, so it carries on where
   * that notifier stopped).
   */
  constructor (options: ThreadedNotifierOptions = {}, internal?: { atExit?: boolean, stormsFromCaller?: boolean, stormInstance?: string | undefined }) {
    super()
    const given = options as ThreadedNotifierOptions & Pick<NotifierOptions, 'dispatcher' | 'clock'>
    for (const key of ['dispatcher', 'clock'] as const) {
      if (given[key] !== undefined) {
        throw new InvalidOptionError(key, 'no value in threaded mode', given[key], 'Functions and sockets cannot cross into the delivery worker; use the in-process DiscordNotifier to inject them.')
      }
    }
    // Validate on the caller's thread, so mistakes surface here with a clear message. The worker gets
    // the options with the environment already applied.
    const { options: rest, resolved } = resolveWithEnvironment(given)
    this.options = resolved
    this.exitTimeoutMs = this.options.exitTimeoutMs
    this.#userLog = rest.log
    if (!this.options.enabled || this.options.target === undefined) return

    const { log: _log, ...plain } = rest
    // With redisUrl, the worker shares storm control with other processes: it needs each window's
    // fingerprint, and to hear of windows that end without repeats too.
    const shared = this.options.dedup.enabled && this.options.redisUrl !== undefined
    if (shared) this.#storms = []
    if (this.options.dedup.enabled) {
      this.#dedup = new Deduplicator({ windowMs: this.options.dedup.windowMs, maxWindows: MAX_DEDUP_WINDOWS, reportEmpty: shared })
      // Repeats are folded here; the worker must not fold the summaries' firsts a second time.
      plain.dedup = { ...plain.dedup, enabled: false }
    }
    // At exit the main thread never reads messages again: the worker writes its lines to fd 2 itself.
    const workerData: WorkerData = { options: plain as WorkerNotifierOptions, state: this.#state.buffer as SharedArrayBuffer, forwardLog: rest.log !== undefined && internal?.atExit !== true, stormsFromCaller: shared || (internal?.stormsFromCaller === true && this.options.redisUrl !== undefined) }
    if (internal?.stormInstance !== undefined) workerData.stormInstance = internal.stormInstance
    // A worker inherits the process's execArgv; `--input-type` (a script run with `node -e`) makes a
    // worker started from a file fail at once, so it is left out.
    const worker = new Worker(workerEntryUrl(), { workerData, execArgv: process.execArgv.filter((arg) => !arg.startsWith('--input-type')) })
    worker.on('message', (message: FromWorker) => this.#onMessage(message))
    // The library never keeps a process alive by itself; the 'exit' handler does the final wait.
    // After the 'message' listener: adding one refs the worker's port again.
    worker.unref()
    worker.on('error', (err) => {
      this.#crashed = `the delivery worker failed: ${redactLoose(String(err))}`
      this.#log(`logcord error: ${this.#crashed}`)
      this.#settleReplies()
    })
    worker.on('exit', () => {
      this.#worker = undefined
      this.#settleReplies()
    })
    // The library never keeps a process alive by itself; the 'exit' handler does the final wait.
    // After the listeners: adding a 'message' listener refs the worker's port again.
    worker.unref()
    this.#worker = worker
    if (internal?.atExit !== true) process.on('exit', this.#onExit)
  }

  get enabled (): boolean {
    return this.options.enabled && this.options.target !== undefined
  }

  send (record: LogRecord): boolean {
    return this.#send(record, undefined)
  }

  override [kSendAt] (record: LogRecord, at: number): boolean {
    return this.#send(record, at)
  }

  #send (record: LogRecord, at: number | undefined): boolean {
    if (this.#worker === undefined || this.#closed) return false
    // Calls a sender staged earlier go first (see kStage).
    if (this.hasStaged) this.handOverStaged()
    try {
      if (!atLeast(record.severity, this.options.minSeverity)) return false
      const dedup = this.#dedup
      // Read once, and only for storm control (fleet storms imply it).
      const now = dedup === undefined ? 0 : at ?? Date.now()
      if (dedup !== undefined) {
        fingerprintHash(record, this.options.dedup.fingerprint, this.#fingerprint)
        const first = dedup.offer(this.#fingerprint[0]!, record, now, this.#fingerprint[1])
        if (dedup.hasDue) this.#postSummaries(dedup.expire(now))
        this.#armDedupTimer(now)
        if (!first) {
          this.#collapsed++
          return true
        }
      }
      this.#buffer.push(plainRecord(record))
      // In step with the buffer: the window this record opened (its fingerprint is still in #fingerprint).
      if (this.#storms !== undefined) {
        this.#storms.push(this.#fingerprint[0]!, this.#fingerprint[1]!, now, now + this.#dedup!.windowMs)
      }
      this.#posted++
      if (!this.#scheduled) {
        this.#scheduled = true
        queueMicrotask(() => this.#postBuffer())
      }
      return true
    } catch (err) {
      this.#log(`logcord error: could not queue a record: ${redactLoose(String(err))}`)
      return false
    }
  }

  override [kFoldRepeat] (severity: Severity, service: string | undefined, message: string, at?: number): boolean {
    const dedup = this.#dedup
    if (dedup === undefined || this.#worker === undefined || this.#closed) return false
    try {
      if (!this.foldPasses(severity, this.options.minSeverity)) return false
      const time = this.#foldClock.timeCell(at)
      deferredFingerprintHash(severity, service, message, this.options.dedup.fingerprint, this.#fingerprint)
      const folded = dedup.fold(this.#fingerprint[0]!, this.#fingerprint[1]!, time)
      if (dedup.hasDue) this.#postSummaries(dedup.expire(time[0]!))
      if (folded) {
        this.#collapsed++
        if (this.#dedupTimer === undefined) this.#armDedupTimer(time[0]!)
      }
      return folded
    } catch {
      return false
    }
  }

  /** Records posted to the worker and not yet delivered or dropped. */
  get pending (): number {
    return Math.max(0, ((this.#posted | 0) - Atomics.load(this.#state, STATE_SETTLED)) | 0)
  }

  /**
   * Blocks the calling thread until the worker has settled every record posted so far, or `timeoutMs`
   * passes. Near the deadline the worker is told to close, so what it could not deliver is
   * dead-lettered (and said on stderr) before the process is gone. Returns the records still pending.
   * Meant for process 'exit' handlers, where nothing asynchronous runs any more; returns at once when
   * nothing is pending.
   */
  drainSync (timeoutMs: number = this.exitTimeoutMs): number {
    this.handOverStaged()
    const summaries = this.#endWindows() + this.#handedWindows
    this.#postBuffer()
    // A failed worker settles nothing: waiting for it would only hold the exit up.
    if (this.#worker === undefined || this.#crashed !== undefined) return this.pending
    const deadline = Date.now() + timeoutMs
    const margin = Math.min(EXIT_CLOSE_MARGIN_MS, Math.floor(timeoutMs / 5))
    // Storm summaries are not records this thread counts: when some were just posted, the worker's close
    // (which delivers everything within its deadline, then dead-letters the rest) is what is waited for.
    if (summaries === 0 && this.#waitSettled(deadline - margin)) return 0
    this.#postToWorker({ type: 'close', id: 0, timeoutMs: summaries === 0 ? 0 : Math.max(0, deadline - margin - Date.now()), exitTimeoutMs: timeoutMs })
    // Until the close has finished, not just until the records settled: its stderr line comes last.
    for (;;) {
      const left = deadline - Date.now()
      if (Atomics.load(this.#state, STATE_CLOSED) === 1 || left <= 0) break
      Atomics.wait(this.#state, STATE_CLOSED, 0, left)
    }
    return this.pending
  }

  /** Atomics.wait until every posted record is settled (true) or `deadline` (epoch ms) passes (false). */
  #waitSettled (deadline: number): boolean {
    for (;;) {
      const settled = Atomics.load(this.#state, STATE_SETTLED)
      if ((((this.#posted | 0) - settled) | 0) <= 0) return true
      const left = deadline - Date.now()
      if (left <= 0) return false
      Atomics.wait(this.#state, STATE_SETTLED, settled, left)
    }
  }

  protected now (): number {
    return Date.now()
  }

  /** As DiscordNotifier's: false during an outage, when failing or disabled; a Redis-only degradation is healthy. */
  isHealthy (): boolean {
    const health = this.health()
    return health.status === 'healthy' || (health.status === 'degraded' && health.reason?.startsWith('Discord unreachable') !== true)
  }

  getQueueSize (): number {
    this.handOverStaged()
    return this.pending
  }

  getRateLimitInfo (): RateLimitInfo {
    return this.#snapshot?.rateLimits ?? EMPTY_RATE_LIMITS
  }

  resetRateLimits (): void {
    this.#postToWorker({ type: 'resetRateLimits' })
  }

  stats (): Counters {
    this.handOverStaged()
    const c = this.#snapshot?.counters ?? emptyCounters()
    // Repeats folded here never reached the worker: they count as handed over and collapsed.
    // Levels are resolved here too, so unknown ones are counted on this thread.
    return { ...c, accepted: c.accepted + this.#collapsed, collapsed: c.collapsed + this.#collapsed, droppedByReason: { ...c.droppedByReason }, unknownLevels: this.unknownLevels }
  }

  #warned = new Set<string>()
  protected warnOnce (key: string, message: string): void {
    if (this.#warned.has(key) || this.options.logLevel === 'error') return
    this.#warned.add(key)
    this.#log(`logcord warn: ${redactLoose(message)}`)
  }

  health (): Health {
    if (!this.enabled) return disabledHealth()
    const base: Health = this.#snapshot === undefined
      ? { status: 'healthy', enabled: true, queueSize: 0, webhook: this.options.target!.redacted, rateLimits: EMPTY_RATE_LIMITS, counters: emptyCounters() }
      : { ...this.#snapshot }
    base.queueSize = this.pending
    base.counters = this.stats()
    if (this.#crashed !== undefined && base.status === 'healthy') {
      base.status = 'unhealthy'
      base.reason = this.#crashed
    }
    return base
  }

  flush (timeoutMs: number = this.options.flushTimeoutMs): Promise<FlushResult> {
    this.handOverStaged()
    return this.#request('flush', timeoutMs)
  }

  async close (timeoutMs: number = this.options.flushTimeoutMs): Promise<FlushResult> {
    if (this.#closed) return { pending: 0, timedOut: false }
    this.handOverStaged()
    this.#closed = true
    const result = await this.#request('close', timeoutMs)
    process.removeListener('exit', this.#onExit)
    const worker = this.#worker
    this.#worker = undefined
    await worker?.terminate()
    return result
  }

  protected listenerFailed (event: string, err: unknown): void {
    this.#log(`logcord error: a '${event}' listener threw: ${redactLoose(String(err))}`)
  }

  #request (type: 'flush' | 'close', timeoutMs: number): Promise<FlushResult> {
    // Repeats counted so far are reported before flush settles, as in-process.
    this.#endWindows()
    this.#postBuffer()
    if (this.#worker === undefined) return Promise.resolve({ pending: this.pending, timedOut: false })
    const id = this.#nextId++
    // The worker is unref'd: while the answer is awaited, the process must not end under it.
    const release = holdProcess()
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#replies.delete(id)
        release()
        resolve({ pending: this.pending, timedOut: true })
      }, timeoutMs + REPLY_GRACE_MS)
      timer.unref()
      this.#replies.set(id, (result) => {
        clearTimeout(timer)
        release()
        resolve(result)
      })
      this.#postToWorker({ type, id, timeoutMs })
    })
  }

  /** @internal Windows that ended in another notifier (at process exit), reported by this one's worker. */
  [kHandWindows] (windows: readonly DedupWindow[]): void {
    this.#handedWindows += windows.length
    this.#postSummaries(windows)
  }

  #postSummaries (windows: readonly DedupWindow[]): void {
    if (windows.length === 0) return
    // Records logged before the summaries go first, so the channel reads in order.
    this.#postBuffer()
    this.#postToWorker({ type: 'summaries', windows: [...windows] })
  }

  /** One unref'd timer, for the oldest open window; it re-arms itself for the next. */
  #armDedupTimer (now: number): void {
    if (this.#dedupTimer !== undefined) return
    const next = this.#dedup?.nextEnd()
    if (next === undefined) return
    this.#dedupTimer = setTimeout(() => {
      this.#dedupTimer = undefined
      const at = Date.now()
      this.#postSummaries(this.#dedup!.expire(at))
      this.#armDedupTimer(at)
    }, next - now)
    this.#dedupTimer.unref()
  }

  /** Ends every open window and posts the summaries due; returns how many were posted. */
  #endWindows (): number {
    const dedup = this.#dedup
    if (dedup === undefined) return 0
    if (this.#dedupTimer !== undefined) {
      clearTimeout(this.#dedupTimer)
      this.#dedupTimer = undefined
    }
    const windows = dedup.endAll()
    this.#postSummaries(windows)
    return windows.length
  }

  #postBuffer (): void {
    this.#scheduled = false
    if (this.#buffer.length === 0) return
    const records = this.#buffer
    this.#buffer = []
    const storms = this.#storms
    if (storms !== undefined) this.#storms = []
    if (!this.#postToWorker(storms === undefined ? { type: 'records', records } : { type: 'records', records, storms })) {
      // Nothing will settle these: take them out of the count the exit handler waits for.
      this.#posted -= records.length
    }
  }

  #postToWorker (message: ToWorker): boolean {
    if (this.#worker === undefined) return false
    try {
      this.#worker.postMessage(message)
      return true
    } catch (err) {
      this.#log(`logcord error: could not hand records to the delivery worker: ${redactLoose(String(err))}`)
      return false
    }
  }

  #onMessage (message: FromWorker): void {
    switch (message.type) {
      case 'reply':
        this.#replies.get(message.id)?.(message.result)
        this.#replies.delete(message.id)
        break
      case 'snapshot':
        this.#snapshot = message.health
        break
      case 'log':
        this.#log(message.line)
        break
      case 'event':
        this.emitSafe(message.name, message.payload as never)
        break
    }
  }

  #settleReplies (): void {
    for (const reply of this.#replies.values()) reply({ pending: this.pending, timedOut: false })
    this.#replies.clear()
  }

  #log (line: string): void {
    if (this.options.logLevel === 'silent') return
    try {
      if (this.#userLog !== undefined) this.#userLog(line)
      else process.stderr.write(line + '\n')
    } catch {}
  }
}

/** Copies a record into structured-clone-safe data (getters, Proxies, functions and cycles included). */
function plainRecord (record: LogRecord): LogRecord {
  const out: LogRecord = { ...record }
  if (record.fields !== undefined) out.fields = toPlain(record.fields, PLAIN_DEPTH) as Record<string, unknown>
  if (record.embed !== undefined) out.embed = toPlain(record.embed, PLAIN_DEPTH) as LogRecord['embed']
  if (record.error !== undefined) out.error = toPlain(record.error, PLAIN_DEPTH) as LogRecord['error']
  return out
}

/**
 * The built worker file sits next to the built entry (dist/worker.js). When this module runs from its
 * TypeScript source (the project's own tests), use the built copy.
 */
function workerEntryUrl (): URL {
  const here = import.meta.url
  return here.endsWith('.ts') ? new URL('../../dist/worker.js', here) : new URL('./worker.js', here)
}
