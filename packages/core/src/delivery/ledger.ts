/**
 * The books: every counter, every drop and the dead-letter file, in one place.
 *
 * Counters live in an Int32Array over a SharedArrayBuffer, so the caller's thread and a delivery
 * worker write their own slots and anyone reads them at any moment. `pending` is never stored: it is
 * what `accepted` leaves after sent, dropped and collapsed, so `accepted = sent + dropped + collapsed +
 * pending` holds for whatever values are read, in the tick of the call.
 *
 * A drop is counted at once; its dead-letter line is written after the call that dropped it, with the
 * others of that turn of the event loop, in one write (or at once, synchronously, when the process ends).
 */
import { randomUUID } from 'node:crypto'
import * as sonicBoomModule from 'sonic-boom'
import type { SonicBoom as SonicBoomStream } from 'sonic-boom'
import { redactFields } from '../format/fields.js'
import { redact } from '../format/plain.js'
import { DROP_REASONS, type Counters, type DroppedEvent, type DropReason, type LogRecord } from '../types.js'
import { weight, type Item } from './queue.js'

// sonic-boom is CommonJS (`module.exports = SonicBoom`) with ES typings: take the class from `default`.
const SonicBoom = ((sonicBoomModule as { default?: unknown }).default ?? sonicBoomModule) as typeof SonicBoomStream

/** Counter slots. The caller's thread writes the first three, the delivery side the rest. */
export const SLOT = {
  accepted: 0,
  /** Repeats storm control folded on the caller's thread. */
  collapsed: 1,
  unknownLevels: 2,
  sent: 3,
  /** First records the fleet folded into another process's alert (collapsed too). */
  folded: 4,
  /** Repeats of summaries that were lost: counted in dropped, taken out of collapsed. */
  lostRepeats: 5,
  requests: 6,
  retried: 7,
  rateLimited: 8,
  waits: 9,
  invalidRequests: 10,
  deadLettered: 11,
  /** Drops by reason, in DROP_REASONS order. */
  dropped: 12,
  /** Records settled by a delivery worker (Atomics.notify'd for the exit wait) and its close finished. */
  settled: 12 + DROP_REASONS.length,
  closed: 13 + DROP_REASONS.length
} as const
export const COUNTER_SLOTS = 14 + DROP_REASONS.length

export function newCounters (): Int32Array {
  return new Int32Array(new SharedArrayBuffer(COUNTER_SLOTS * Int32Array.BYTES_PER_ELEMENT))
}

/** The counters, and the records pending (queued, in flight, or waiting for the fleet's decision). */
export function readCounters (c: Int32Array): Counters & { pending: number } {
  const droppedByReason = {} as Record<DropReason, number>
  let dropped = 0
  DROP_REASONS.forEach((reason, i) => {
    droppedByReason[reason] = c[SLOT.dropped + i]!
    dropped += c[SLOT.dropped + i]!
  })
  const collapsed = c[SLOT.collapsed]! + c[SLOT.folded]! - c[SLOT.lostRepeats]!
  const counters = {
    accepted: c[SLOT.accepted]!,
    sent: c[SLOT.sent]!,
    requests: c[SLOT.requests]!,
    retried: c[SLOT.retried]!,
    rateLimited: c[SLOT.rateLimited]!,
    waits: c[SLOT.waits]!,
    invalidRequests: c[SLOT.invalidRequests]!,
    dropped,
    droppedByReason,
    deadLettered: c[SLOT.deadLettered]!,
    collapsed,
    unknownLevels: c[SLOT.unknownLevels]!
  }
  return { ...counters, pending: Math.max(0, counters.accepted - counters.sent - dropped - collapsed) }
}

export interface LedgerOptions {
  counters: Int32Array
  webhookId: string | undefined
  deadLetterFile: string | undefined
  redactKeys: readonly string[]
  /** Removes the webhook token from a line. */
  scrub: (s: string) => string
  emit: (event: DroppedEvent) => void
  wants: () => boolean
  /** A dead-letter write failed (reported once by the owner). */
  failed: (err: unknown) => void
}

/** A dead letter waiting to be written; `n`: the records it stands for (a summary: its repeats). */
interface Line { time: string, reason: DropReason, detail: string | undefined, record: LogRecord, n: number }

export class Ledger {
  readonly c: Int32Array
  readonly #o: LedgerOptions
  #file: SonicBoomStream | undefined
  #lines: Line[] = []
  #scheduled = false

  constructor (options: LedgerOptions) {
    this.#o = options
    this.c = options.counters
  }

  get deadLetterFile (): string | undefined {
    return this.#o.deadLetterFile
  }

  /** Items that will never be delivered: counted now, dead-lettered after the call, reported to listeners. */
  drop (reason: DropReason, items: readonly Item[], detail?: string, now = Date.now()): void {
    let records = 0
    let repeats = 0
    const kept: Item[] = []
    for (const item of items) {
      const n = weight(item)
      if (n === 0) continue
      if (item.repeats > 0) repeats += n
      else records += n
      kept.push(item)
    }
    const count = records + repeats
    if (count === 0) return
    const c = this.c
    c[SLOT.dropped + DROP_REASONS.indexOf(reason)]! += count
    c[SLOT.lostRepeats]! += repeats
    if (this.#o.deadLetterFile !== undefined) {
      const time = new Date(now).toISOString()
      for (const item of kept) this.#lines.push({ time, reason, detail, record: item.record, n: weight(item) })
      c[SLOT.deadLettered]! += count
      this.#schedule()
    }
    if (this.#o.wants()) {
      const event: DroppedEvent = { reason, count, records: kept.map((i) => i.record), ...(detail === undefined ? {} : { detail }) }
      if (repeats > 0) event.repeats = repeats
      this.#o.emit(event)
    }
  }

  #schedule (): void {
    if (this.#scheduled) return
    this.#scheduled = true
    setImmediate(() => this.flushSync())
  }

  /** Writes the dead letters waiting for the end of the turn (also at close and at process exit). */
  flushSync (): void {
    this.#scheduled = false
    if (this.#lines.length === 0 || this.#o.deadLetterFile === undefined) return
    const lines = this.#lines
    this.#lines = []
    try {
      this.#file ??= new SonicBoom({ dest: this.#o.deadLetterFile, append: true, mkdir: true, sync: true })
      let out = ''
      for (const line of lines) out += this.#o.scrub(safeJson(this.#line(line))) + '\n'
      this.#file.write(out)
    } catch (err) {
      this.c[SLOT.deadLettered]! -= lines.reduce((n, l) => n + l.n, 0)
      this.#o.failed(err)
    }
  }

  close (): void {
    this.flushSync()
    try {
      this.#file?.end()
    } catch {}
  }

  /** The line as written outside the process: secret fields and error properties redacted. */
  #line ({ time, reason, detail, record }: Line): object {
    const keys = this.#o.redactKeys
    const out: LogRecord = { ...record }
    if (record.fields !== undefined) out.fields = redactFields(record.fields, keys)
    if (record.error !== undefined) out.error = redact(record.error, keys.filter((k) => !k.includes('.'))) as LogRecord['error']
    return { id: randomUUID(), time, reason, webhookId: this.#o.webhookId, ...(detail === undefined ? {} : { detail }), record: out }
  }
}

function safeJson (value: unknown): string {
  const seen = new WeakSet()
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return `${v}n`
    if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) return '[Circular]'
      seen.add(v)
    }
    return v
  })
}
