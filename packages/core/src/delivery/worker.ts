/**
 * Delivery from a worker thread: the caller's thread only posts plain records (batched per tick); the
 * queue, the limiter, rendering and HTTP run in the worker (worker-entry.ts), which writes the shared
 * counters itself. At process exit, `exitWait()` blocks the exiting thread until the worker has closed
 * (everything delivered or dead-lettered), at most until the deadline:
 *
 *   caller thread                          worker thread
 *   deliver(record) ─► buffer ─tick─► postMessage ─► Pipeline ─► Discord
 *   'exit': Atomics.wait(closed) ◄────────── Atomics.store + notify once its close finished
 */
import { Worker } from 'node:worker_threads'
import { holdProcess } from '../exit.js'
import { redactLoose } from '../http/webhook-url.js'
import type { StormWindow } from '../storm/windows.js'
import type { FlushResult, HealthProblem, NotifierEvents, PlainRecord, RateLimitInfo, ResolvedOptions } from '../types.js'
import { exitDeliveryMs, REPLY_GRACE_MS, type DeadlineName } from './deadlines.js'
import { SLOT } from './ledger.js'
import type { HandOff } from './pipeline.js'
import type { Delivered, FromWorker, ToWorker, WorkerData, WorkerOptions } from './protocol.js'

const EMPTY_RATE_LIMITS: RateLimitInfo = { globalRateLimit: { active: false, resetTime: 0, waitTime: 0 }, buckets: {} }

export interface WorkerDeliveryOptions {
  options: ResolvedOptions
  counters: Int32Array
  /** The caller's own `log` option, when given: the worker's lines are sent there. */
  userLog: ((line: string) => void) | undefined
  emit: <K extends keyof NotifierEvents>(event: K, ...args: NotifierEvents[K]) => void
  idle: () => void
  /** Started at process exit for what an in-process delivery had pending: its lines go to fd 2. */
  from?: HandOff
}

export class WorkerDelivery {
  readonly #o: WorkerDeliveryOptions
  readonly #counters: Int32Array
  #worker: Worker | undefined
  #buffer: Delivered[] = []
  #seq = 0
  #idleSeq = 0
  #problem: HealthProblem | undefined
  #rateLimits = EMPTY_RATE_LIMITS
  #crashed: HealthProblem | undefined
  #replies = new Map<number, (result: FlushResult) => void>()
  #nextId = 1

  constructor (o: WorkerDeliveryOptions) {
    this.#o = o
    this.#counters = o.counters
    const { log: _log, dispatcher: _dispatcher, clock: _clock, ...plain } = o.options
    const data: WorkerData = { options: plain as WorkerOptions, counters: o.counters.buffer as SharedArrayBuffer, forwardLog: o.userLog !== undefined && o.from === undefined }
    if (o.from !== undefined) data.from = o.from
    // A worker inherits execArgv; `--input-type` (a script run with `node -e`) makes a worker started from a file fail.
    const worker = new Worker(workerEntryUrl(), { workerData: data, execArgv: process.execArgv.filter((arg) => !arg.startsWith('--input-type')) })
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

  get idle (): boolean {
    return this.#buffer.length === 0 && this.#idleSeq === this.#seq
  }

  deliver (record: PlainRecord, window?: StormWindow): void {
    this.#post(window === undefined ? { record } : { record, window })
  }

  windowEnded (window: StormWindow): void {
    this.#post({ window, ended: true })
  }

  problem (): HealthProblem | undefined {
    return this.#crashed ?? this.#problem
  }

  rateLimitInfo (): RateLimitInfo {
    return this.#rateLimits
  }

  resetRateLimits (): void {
    this.#send({ type: 'resetRateLimits' })
  }

  flush (timeoutMs: number): Promise<FlushResult> {
    return this.#request(timeoutMs, (id) => ({ type: 'flush', id, timeoutMs }))
  }

  settle (timeoutMs: number, named: DeadlineName): Promise<FlushResult> {
    return this.#request(timeoutMs, (id) => ({ type: 'settle', id, timeoutMs, named, close: false }))
  }

  async close (timeoutMs: number): Promise<FlushResult> {
    const result = await this.#request(timeoutMs, (id) => ({ type: 'settle', id, timeoutMs, named: { name: 'the close() deadline', ms: timeoutMs }, close: true }))
    const worker = this.#worker
    this.#worker = undefined
    await worker?.terminate()
    return result
  }

  /**
   * For the process 'exit' event: the worker closes within exitTimeoutMs (`deliver` false: at once,
   * dead-lettering everything), and the returned function blocks until it has, or `deadline` (epoch ms).
   */
  exitWait (deliver: boolean): ((deadline: number) => void) | undefined {
    this.#postBuffer()
    if (this.idle || this.#worker === undefined || this.#crashed !== undefined) return undefined
    const exitTimeoutMs = this.#o.options.exitTimeoutMs
    this.#send({ type: 'settle', id: 0, timeoutMs: 0, until: Date.now() + (deliver ? exitDeliveryMs(exitTimeoutMs) : 0), named: { name: 'exitTimeoutMs at process exit', ms: exitTimeoutMs }, close: true })
    return (deadline) => {
      for (let left = deadline - Date.now(); left > 0 && Atomics.load(this.#counters, SLOT.closed) === 0; left = deadline - Date.now()) {
        Atomics.wait(this.#counters, SLOT.closed, 0, left)
      }
    }
  }

  #post (item: Delivered): void {
    if (this.#buffer.push(item) === 1) queueMicrotask(() => this.#postBuffer())
  }

  #postBuffer (): void {
    if (this.#buffer.length === 0) return
    const items = this.#buffer
    this.#buffer = []
    this.#send({ type: 'deliver', seq: ++this.#seq, items })
  }

  #request (timeoutMs: number, message: (id: number) => ToWorker): Promise<FlushResult> {
    this.#postBuffer()
    if (this.#worker === undefined) return Promise.resolve({ pending: 0, timedOut: false })
    const id = this.#nextId++
    // The worker is unref'd: while the answer is awaited, the process must not end under it.
    const release = holdProcess()
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#replies.delete(id)
        release()
        resolve({ pending: 0, timedOut: true })
      }, timeoutMs + REPLY_GRACE_MS)
      timer.unref()
      this.#replies.set(id, (result) => {
        clearTimeout(timer)
        release()
        resolve(result)
      })
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
        this.#replies.delete(message.id)
        break
      case 'idle':
        this.#idleSeq = message.seq
        if (this.idle) this.#o.idle()
        break
      case 'state':
        this.#problem = message.problem
        this.#rateLimits = message.rateLimits
        break
      case 'log':
        this.#log(message.line)
        break
      case 'event':
        this.#o.emit(message.name, message.payload as never)
        break
    }
  }

  #settleReplies (): void {
    for (const reply of this.#replies.values()) reply({ pending: 0, timedOut: false })
    this.#replies.clear()
  }

  #log (line: string): void {
    if (this.#o.options.logLevel === 'silent') return
    try {
      if (this.#o.userLog !== undefined) this.#o.userLog(line)
      else process.stderr.write(line + '\n')
    } catch {}
  }
}

/**
 * The built worker file sits next to the built entry (dist/worker.js). When this module runs from its
 * TypeScript source (the project's own tests), the built copy is used.
 */
function workerEntryUrl (): URL {
  const here = import.meta.url
  return here.endsWith('.ts') ? new URL('../../dist/worker.js', here) : new URL('./worker.js', here)
}
