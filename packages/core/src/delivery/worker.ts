/**
 * Delivery from a worker thread (worker-entry.ts: queue, limiter, rendering, HTTP); the caller's thread only
 * posts plain records, batched per tick. Both threads write their own slots of one SharedArrayBuffer (ledger.ts),
 * so stats() and health() add up in the tick of the call. At exit, `exitWait()` blocks until the worker has
 * closed (all delivered or dead-lettered) or the deadline passed, while the worker's event loop keeps sending:
 *
 *   caller thread                          worker thread
 *   deliver(record) ─► buffer ─tick─► postMessage ─► Pipeline ─► Discord
 *   'exit': Atomics.wait(closed) ◄────────── Atomics.store + notify once its close finished
 */
import { Worker } from 'node:worker_threads'
import { holdProcess } from '../exit.js'
import { redactLoose } from '../http/webhook-url.js'
import type { StormWindow } from '../storm/windows.js'
import type { Emit, FlushResult, HealthProblem, NotifierEvents, PlainRecord, RateLimitInfo, ResolvedOptions } from '../types.js'
import { builtFile, startWorker } from './dead-letters.js'
import { exitDeliveryMs, REPLY_GRACE_MS, type DeadlineName } from './deadlines.js'
import { SLOT } from './ledger.js'
import type { HandOff } from './pipeline.js'

export interface WorkerData {
  /** The resolved options that cross into a worker: plain data only. */
  options: Omit<ResolvedOptions, 'log' | 'dispatcher' | 'clock'>
  counters: SharedArrayBuffer
  /** True: the library's own lines go to the caller's `log` option; false: straight to fd 2. */
  forwardLog: boolean
  /** What the caller's in-process delivery had pending when the process began to exit. */
  from?: HandOff
}

/** One thing to deliver: a record (with the storm window it opened) or a storm window that ended. */
type Delivered = { record: PlainRecord, window?: StormWindow } | { window: StormWindow, ended: true } | { resolve: string, note?: string }

export type ToWorker =
  | { type: 'deliver', seq: number, items: Delivered[] }
  | { type: 'flush', id: number, timeoutMs: number }
  /** `named`: the deadline as stderr names it; `close`: stop intake after; `until`: an epoch-ms deadline instead (exit: the worker's start counts). */
  | { type: 'settle', id: number, timeoutMs: number, named: DeadlineName, close: boolean, until?: number }
  | { type: 'resetRateLimits' }

export type FromWorker =
  | { type: 'reply', id: number, result: FlushResult }
  | { type: 'event', name: keyof NotifierEvents, payload: unknown }
  /** Nothing pending after the `seq`-th message. */
  | { type: 'idle', seq: number }
  | { type: 'state', problem: HealthProblem | undefined, rateLimits: RateLimitInfo }
  | { type: 'log', line: string }

export const EMPTY_RATE_LIMITS: RateLimitInfo = { globalRateLimit: { active: false, resetTime: 0, waitTime: 0 }, buckets: {} }

interface WorkerDeliveryOptions {
  options: ResolvedOptions
  counters: Int32Array
  /** The caller's own `log` option, when given: the worker's lines are sent there. */
  userLog: ((line: string) => void) | undefined
  emit: Emit
  idle: () => void
  /** Started at process exit for what an in-process delivery had pending: its lines go to fd 2. */
  from?: HandOff
}

export class WorkerDelivery {
  readonly #o: WorkerDeliveryOptions
  #worker: Worker | undefined
  readonly #buffer: Delivered[] = []
  #seq = 0
  #idleSeq = 0
  #state: Extract<FromWorker, { type: 'state' }> = { type: 'state', problem: undefined, rateLimits: EMPTY_RATE_LIMITS }
  #crashed: HealthProblem | undefined
  #replies = new Map<number, (result: FlushResult) => void>()
  #nextId = 1

  constructor (o: WorkerDeliveryOptions) {
    this.#o = o
    const { log: _log, dispatcher: _dispatcher, clock: _clock, ...plain } = o.options
    const data: WorkerData = { options: plain as WorkerData['options'], counters: o.counters.buffer as SharedArrayBuffer, forwardLog: o.userLog !== undefined && o.from === undefined, from: o.from }
    const worker = startWorker(builtFile('worker.js'), { workerData: data })
    worker.on('message', (message: FromWorker) => this.#onMessage(message))
    worker.on('error', (err) => {
      this.#crashed = { kind: 'worker', reason: `the delivery worker failed: ${redactLoose(String(err))}`, since: Date.now() }
      this.#log(`logcord error: ${this.#crashed.reason}`)
      this.#settleReplies()
    })
    worker.on('exit', () => {
      this.#worker = undefined
      this.#settleReplies()
    })
    // The library never keeps a process alive by itself (after the 'message' listener, which refs it).
    worker.unref()
    this.#worker = worker
    if (o.from !== undefined) this.#seq++
  }

  get idle (): boolean { return this.#buffer.length === 0 && this.#idleSeq === this.#seq }
  deliver (record: PlainRecord, window?: StormWindow): void { this.#post(window === undefined ? { record } : { record, window }) }
  windowEnded (window: StormWindow): void { this.#post({ window, ended: true }) }
  resolveIncident (key: string, note?: string): void { this.#post(note === undefined ? { resolve: key } : { resolve: key, note }) }
  problem (): HealthProblem | undefined { return this.#crashed ?? this.#state.problem }
  rateLimitInfo (): RateLimitInfo { return this.#state.rateLimits }
  resetRateLimits (): void { this.#send({ type: 'resetRateLimits' }) }
  flush (timeoutMs: number): Promise<FlushResult> { return this.#request(timeoutMs, (id) => ({ type: 'flush', id, timeoutMs })) }
  settle (timeoutMs: number, named: DeadlineName): Promise<FlushResult> { return this.#request(timeoutMs, (id) => ({ type: 'settle', id, timeoutMs, named, close: false })) }

  async close (timeoutMs: number): Promise<FlushResult> {
    const result = await this.#request(timeoutMs, (id) => ({ type: 'settle', id, timeoutMs, named: { name: 'the close() deadline', ms: timeoutMs }, close: true }))
    const worker = this.#worker
    this.#worker = undefined
    await worker?.terminate()
    return result
  }

  /** At process 'exit': the worker closes within exitTimeoutMs (`deliver` false: at once, all dead-lettered); the result blocks until then or `deadline` (epoch ms). */
  exitWait (deliver: boolean): ((deadline: number) => void) | undefined {
    this.#postBuffer()
    if (this.idle || this.#worker === undefined || this.#crashed !== undefined) return undefined
    const exitTimeoutMs = this.#o.options.exitTimeoutMs
    this.#send({ type: 'settle', id: 0, timeoutMs: 0, until: Date.now() + (deliver ? exitDeliveryMs(exitTimeoutMs) : 0), named: { name: 'exitTimeoutMs at process exit', ms: exitTimeoutMs }, close: true })
    return (deadline) => {
      for (let left = deadline - Date.now(); left > 0 && Atomics.load(this.#o.counters, SLOT.closed) === 0; left = deadline - Date.now()) {
        Atomics.wait(this.#o.counters, SLOT.closed, 0, left)
      }
    }
  }

  #post (item: Delivered): void { if (this.#buffer.push(item) === 1) queueMicrotask(() => this.#postBuffer()) }

  #postBuffer (): void {
    if (this.#buffer.length > 0) this.#send({ type: 'deliver', seq: ++this.#seq, items: this.#buffer.splice(0) })
  }

  #request (timeoutMs: number, message: (id: number) => ToWorker): Promise<FlushResult> {
    this.#postBuffer()
    if (this.#worker === undefined) return Promise.resolve({ pending: 0, timedOut: false })
    const id = this.#nextId++
    // The worker is unref'd: while the answer is awaited, the process must not end under it.
    const release = holdProcess()
    return new Promise((resolve) => {
      const done = (result: FlushResult): void => {
        clearTimeout(timer)
        this.#replies.delete(id)
        release()
        resolve(result)
      }
      const timer = setTimeout(() => done({ pending: 0, timedOut: true }), timeoutMs + REPLY_GRACE_MS).unref()
      this.#replies.set(id, done)
      this.#send(message(id))
    })
  }

  #send (message: ToWorker): void {
    try {
      this.#worker?.postMessage(message)
    } catch (err) {
      this.#log(`logcord error: could not hand records to the delivery worker: ${redactLoose(String(err))}`)
    }
  }

  #onMessage (message: FromWorker): void {
    switch (message.type) {
      case 'reply':
        this.#replies.get(message.id)?.(message.result)
        break
      case 'idle':
        this.#idleSeq = message.seq
        if (this.idle) this.#o.idle()
        break
      case 'state':
        this.#state = message
        break
      case 'log':
        this.#log(message.line)
        break
      case 'event':
        this.#o.emit(message.name, message.payload as never)
        break
    }
  }

  #settleReplies (): void { for (const reply of this.#replies.values()) reply({ pending: 0, timedOut: false }) }

  #log (line: string): void {
    if (this.#o.options.logLevel === 'silent') return
    try {
      if (this.#o.userLog !== undefined) this.#o.userLog(line)
      else process.stderr.write(line + '\n')
    } catch {}
  }
}
