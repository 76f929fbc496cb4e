/**
 * The dead-letter file: every record that cannot be delivered, one JSON line each
 * (`{ id, time, reason, webhookId, detail?, record }`). The caller's thread never writes it: on the
 * thread an application logs from, lines go in batches (one message a turn of the event loop) to a
 * worker thread that writes them; a delivery worker, already off that thread, writes its own.
 *
 *   FileDeadLetters     JSON, the token scrubbed, one synchronous write a batch (sonic-boom)
 *   WorkerDeadLetters   the batch posted to dead-letter-worker.ts (a FileDeadLetters); at close and at
 *                       process exit, flushSync() waits (Atomics) until it has written what was posted
 */
import { randomUUID } from 'node:crypto'
import { isMainThread, Worker } from 'node:worker_threads'
import * as sonicBoomModule from 'sonic-boom'
import type { SonicBoom as SonicBoomStream } from 'sonic-boom'
import type { DropReason, PlainRecord } from '../types.js'

// sonic-boom is CommonJS (`module.exports = SonicBoom`) with ES typings: take the class from `default`.
const SonicBoom = ((sonicBoomModule as { default?: unknown }).default ?? sonicBoomModule) as typeof SonicBoomStream

/** How long close() or the process exit waits for the writer to catch up (ms). */
const FLUSH_WAIT_MS = 2000

export interface DeadLetter {
  /** Epoch ms of the drop. */
  time: number
  reason: DropReason
  detail: string | undefined
  record: PlainRecord
  /** The records it stands for (a storm summary: its repeats). */
  n: number
}

export interface DeadLetterOptions {
  path: string
  webhookId: string
  /** The webhook's token, removed from every line. */
  token: string
  /** The ledger's counters, and the index of `deadLettered` in them: counted here, by whoever writes. */
  counters: SharedArrayBuffer
  slot: number
}

export interface DeadLetters {
  add: (letters: DeadLetter[]) => void
  /** Everything added so far is in the file (or was reported lost) when this returns. */
  flushSync: () => void
  close: () => void
  /** A write failed: `reason` (called once per problem by the owner's SelfLog). */
  onFailure: (fn: (reason: string) => void) => void
}

/** The dead letters of a pipeline on `isMainThread`'s thread go through a worker; elsewhere, straight to the file. */
export function deadLetters (o: DeadLetterOptions): DeadLetters {
  return isMainThread ? new WorkerDeadLetters(o) : new FileDeadLetters(o)
}

export class FileDeadLetters implements DeadLetters {
  readonly #o: DeadLetterOptions
  readonly #counters: Int32Array
  #file: SonicBoomStream | undefined
  #failed: (reason: string) => void = () => {}

  constructor (o: DeadLetterOptions) {
    this.#o = o
    this.#counters = new Int32Array(o.counters)
  }

  onFailure (fn: (reason: string) => void): void {
    this.#failed = fn
  }

  add (letters: DeadLetter[]): void {
    let out = ''
    let n = 0
    for (const { time, reason, detail, record, n: count } of letters) {
      // Records are plain data, redacted at the call (notifier.ts atCall): JSON as they are.
      const line = JSON.stringify({ id: randomUUID(), time: new Date(time).toISOString(), reason, webhookId: this.#o.webhookId, ...(detail === undefined ? {} : { detail }), record })
      out += (line.includes(this.#o.token) ? line.split(this.#o.token).join('[redacted]') : line) + '\n'
      n += count
    }
    try {
      this.#file ??= new SonicBoom({ dest: this.#o.path, append: true, mkdir: true, sync: true })
      this.#file.write(out)
      Atomics.add(this.#counters, this.#o.slot, n)
    } catch (err) {
      this.#failed(`cannot write the dead-letter file ${this.#o.path}: ${String(err)}`)
    }
  }

  flushSync (): void {}

  close (): void {
    try {
      this.#file?.end()
    } catch {}
  }
}

class WorkerDeadLetters implements DeadLetters {
  readonly #o: DeadLetterOptions
  #worker: Worker | undefined
  /** [batches posted, batches written] */
  readonly #state = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT))
  #failed: (reason: string) => void = () => {}

  constructor (o: DeadLetterOptions) {
    this.#o = o
  }

  onFailure (fn: (reason: string) => void): void {
    this.#failed = fn
  }

  add (letters: DeadLetter[]): void {
    if (this.#worker === undefined) {
      const worker = this.#worker = new Worker(entryUrl(), { workerData: { options: this.#o, state: this.#state.buffer } })
      worker.on('message', (reason: string) => this.#failed(reason))
      worker.on('error', (err) => this.#failed(`the dead-letter writer failed: ${String(err)}`))
      // The library never keeps a process alive by itself; close() and the exit wait for it.
      worker.unref()
    }
    this.#worker.postMessage(letters)
    this.#state[0]!++
  }

  flushSync (): void {
    const deadline = Date.now() + FLUSH_WAIT_MS
    for (let written = Atomics.load(this.#state, 1); written < this.#state[0]! && Date.now() < deadline; written = Atomics.load(this.#state, 1)) {
      Atomics.wait(this.#state, 1, written, deadline - Date.now())
    }
  }

  close (): void {
    this.flushSync()
    void this.#worker?.terminate()
  }
}

/** The built writer sits next to the built entry; from the TypeScript source (the project's tests), the built one. */
function entryUrl (): URL {
  const here = import.meta.url
  return here.endsWith('.ts') ? new URL('../../dist/dead-letter-worker.js', here) : new URL('./dead-letter-worker.js', here)
}
