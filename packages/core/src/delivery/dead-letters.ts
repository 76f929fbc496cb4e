/*
 * The dead-letter file: each undeliverable record as a JSON line `{ id, time, reason, webhookId, detail?, record }`,
 * token scrubbed, one synchronous append a batch. From the main thread batches go to dead-letter-worker.ts (flushSync()
 * waits for it, Atomics, at close and exit); elsewhere (a delivery worker, the writer itself) it is written directly.
 */
import { randomUUID } from 'node:crypto'
import { accessSync, appendFileSync, constants, mkdirSync, statSync, type Stats } from 'node:fs'
import { dirname } from 'node:path'
import { isMainThread, Worker, type WorkerOptions } from 'node:worker_threads'
import { redactToken } from '../http/webhook-url.js'
import type { DropReason, PlainRecord } from '../types.js'

/** How long close() or the process exit waits for the writer to catch up (ms). */
const FLUSH_WAIT_MS = 2000

/** `time`: epoch ms of the drop; `n`: the records it stands for (a storm summary: its repeats). */
export interface DeadLetter { time: number, reason: DropReason, detail: string | undefined, record: PlainRecord, n: number }

/** `token`: removed from every line; `counters`, `slot` and `failedSlot`: the ledger's counters and the indexes of `deadLettered` and `deadLetterFailed`, counted by whoever writes. */
export interface DeadLetterOptions { path: string, webhookId: string, token: string, counters: SharedArrayBuffer, slot: number, failedSlot: number }

export class DeadLetters {
  readonly #o: DeadLetterOptions
  /** A write failed (reported once by the owner's SelfLog). */
  readonly #failed: (reason: string) => void
  #worker: Worker | undefined
  /** The writer thread could not start: letters are written on this thread. */
  #direct = false
  /** [batches posted, batches written]: both stay 0 when the file is written directly. */
  readonly #state = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT))

  constructor (o: DeadLetterOptions, failed: (reason: string) => void) {
    this.#o = o
    this.#failed = failed
  }

  add (letters: DeadLetter[]): void {
    if (!isMainThread || this.#direct) return this.#write(letters)
    if (this.#worker === undefined) {
      let worker: Worker
      try {
        worker = this.#worker = startWorker(builtFile('dead-letter-worker.js'), { workerData: { options: this.#o, state: this.#state.buffer } })
      } catch (err) {
        // Never a throw into the application: said once, and written here instead.
        this.#failed(`the dead-letter writer could not start (${String(err)}): writing from this thread`)
        this.#direct = true
        return this.#write(letters)
      }
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

  #write (letters: DeadLetter[]): void {
    let out = ''
    let n = 0
    for (const { time, reason, detail, record, n: count } of letters) {
      // Records are plain data, redacted at the call (messages.ts atCall): JSON as they are.
      out += redactToken(JSON.stringify({ id: randomUUID(), time: new Date(time).toISOString(), reason, webhookId: this.#o.webhookId, ...(detail === undefined ? {} : { detail }), record }), this.#o.token) + '\n'
      n += count
    }
    try {
      // Records may hold what only the application's user should read.
      mkdirSync(dirname(this.#o.path), { recursive: true, mode: 0o700 })
      appendFileSync(this.#o.path, out, { mode: 0o600 })
      Atomics.add(new Int32Array(this.#o.counters), this.#o.slot, n)
    } catch (err) {
      Atomics.add(new Int32Array(this.#o.counters), this.#o.failedSlot, n)
      this.#failed(`cannot write the dead-letter file ${this.#o.path}: ${String(err)}`)
    }
  }
}

/**
 * Why `path` cannot take dead letters, or undefined when it can: it, or the directory it would be made in, is there and
 * writable (nothing is created). Checked when a notifier is built, so a fallback that could never work is refused then.
 */
export function unwritable (path: string): string | undefined {
  try {
    const file = found(path)
    if (file !== undefined) {
      if (!file.isFile()) return 'it is not a file'
      accessSync(path, constants.W_OK)
      return undefined
    }
    // The first ancestor that exists is where mkdir -p would start.
    let dir = dirname(path)
    let at = found(dir)
    while (at === undefined) {
      const up = dirname(dir)
      if (up === dir) return 'no directory above it exists'
      at = found(dir = up)
    }
    if (!at.isDirectory()) return `${dir} is a file, not a directory`
    accessSync(dir, constants.W_OK)
    return undefined
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    return code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'it is not writable' : String(err)
  }
}

/** What is at `path`, or undefined when nothing is (a file where a directory should be counts as nothing). */
function found (path: string): Stats | undefined {
  try {
    return statSync(path)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined
    throw err
  }
}

/** A built entry (`worker.js`, `dead-letter-worker.js`) sits next to the built code; from the TypeScript source (the project's tests), in dist/. */
export function builtFile (name: string): URL {
  return new URL(import.meta.url.endsWith('.ts') ? `../../dist/${name}` : `./${name}`, import.meta.url)
}

/**
 * A worker thread of the library's (`file` from builtFile()) with the process's flags, less those a worker refuses:
 * `--input-type` (`node --input-type=module -e …`; a worker given a file fails on it) and per-process ones such as
 * `--expose-gc`, which Node names in ERR_WORKER_INVALID_EXEC_ARGV. @throws what `new Worker` throws otherwise.
 */
export function startWorker (file: URL, options: Omit<WorkerOptions, 'execArgv'>): Worker {
  const execArgv = process.execArgv.filter((arg) => !arg.startsWith('--input-type'))
  try {
    return new Worker(file, { ...options, execArgv })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw err
    const refused = new Set(String((err as Error).message).split(': ').at(-1)!.split(/,\s*/))
    return new Worker(file, { ...options, execArgv: execArgv.filter((arg) => !refused.has(arg) && !refused.has(arg.split('=')[0]!)) })
  }
}
