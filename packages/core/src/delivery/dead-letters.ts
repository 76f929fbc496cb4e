/**
 * The dead-letter file: every record that cannot be delivered, one JSON line each
 * (`{ id, time, reason, webhookId, detail?, record }`). The caller's thread never writes it: on the
 * thread an application logs from, lines go in batches (one message a turn of the event loop) to a
 * worker thread that writes them; a delivery worker, already off that thread, writes its own.
 *
 *   FileDeadLetters     JSON, the token scrubbed, one synchronous append a batch
 *   WorkerDeadLetters   the batch posted to dead-letter-worker.ts (a FileDeadLetters); at close and at
 *                       process exit, flushSync() waits (Atomics) until it has written what was posted
 */
import { randomUUID } from 'node:crypto'
import { appendFileSync, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { isMainThread, Worker } from 'node:worker_threads'
import { redactToken } from '../http/webhook-url.js'
import type { DropReason, PlainRecord } from '../types.js'

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

type Failed = (reason: string) => void

/**
 * The dead letters of a pipeline on `isMainThread`'s thread go through a worker; elsewhere, straight to
 * the file. `failed`: a write failed (reported once by the owner's SelfLog).
 */
export function deadLetters (o: DeadLetterOptions, failed: Failed): FileDeadLetters | WorkerDeadLetters {
  return isMainThread ? new WorkerDeadLetters(o, failed) : new FileDeadLetters(o, failed)
}

export class FileDeadLetters {
  readonly #o: DeadLetterOptions
  readonly #failed: Failed

  constructor (o: DeadLetterOptions, failed: Failed) {
    this.#o = o
    this.#failed = failed
  }

  add (letters: DeadLetter[]): void {
    let out = ''
    let n = 0
    for (const { time, reason, detail, record, n: count } of letters) {
      // Records are plain data, redacted at the call (messages.ts atCall): JSON as they are.
      out += redactToken(JSON.stringify({ id: randomUUID(), time: new Date(time).toISOString(), reason, webhookId: this.#o.webhookId, ...(detail === undefined ? {} : { detail }), record }), this.#o.token) + '\n'
      n += count
    }
    try {
      mkdirSync(dirname(this.#o.path), { recursive: true })
      appendFileSync(this.#o.path, out)
      Atomics.add(new Int32Array(this.#o.counters), this.#o.slot, n)
    } catch (err) {
      this.#failed(`cannot write the dead-letter file ${this.#o.path}: ${String(err)}`)
    }
  }

  flushSync (): void {}
  close (): void {}
}

class WorkerDeadLetters {
  readonly #o: DeadLetterOptions
  readonly #failed: Failed
  #worker: Worker | undefined
  /** [batches posted, batches written] */
  readonly #state = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT))

  constructor (o: DeadLetterOptions, failed: Failed) {
    this.#o = o
    this.#failed = failed
  }

  add (letters: DeadLetter[]): void {
    if (this.#worker === undefined) {
      const worker = this.#worker = new Worker(builtFile('dead-letter-worker.js'), { workerData: { options: this.#o, state: this.#state.buffer } })
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

/** A built entry (`worker.js`, `dead-letter-worker.js`) sits next to the built code; from the TypeScript source (the project's tests), in dist/. */
export function builtFile (name: string): URL {
  return new URL(import.meta.url.endsWith('.ts') ? `../../dist/${name}` : `./${name}`, import.meta.url)
}
