/**
 * The books: every counter, every drop and the dead-letter file, in one place.
 *
 * Counters live in an Int32Array over a SharedArrayBuffer, so the caller's thread and a delivery
 * worker write their own slots and anyone reads them at any moment. `pending` is never stored: it is
 * what `accepted` leaves after sent, dropped and collapsed, so `accepted = sent + dropped + collapsed +
 * pending` holds for whatever values are read, in the tick of the call.
 *
 * A drop is counted at once; its dead letter is handed on after the call, with the others of that turn
 * of the event loop, to be written off the caller's thread (dead-letters.ts), and at once when the
 * process ends.
 */
import { DROP_REASONS, type Counters, type DroppedEvent, type DropReason } from '../types.js'
import { deadLetters, type DeadLetter, type DeadLetters } from './dead-letters.js'
import { weight, type Item } from './queue.js'

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
  webhookId: string
  /** The webhook's token, removed from every dead letter. */
  token: string
  deadLetterFile: string | undefined
  emit: (event: DroppedEvent) => void
  wants: () => boolean
  /** A dead-letter write failed (reported once by the owner). */
  failed: (reason: string) => void
}

/**
 * Dead letters posted in one message at most: a flood's records then leave while still in the young
 * generation, which costs the caller less garbage collection than one message a turn (bench/dead-letter.mjs).
 */
const LETTER_BATCH = 256

export class Ledger {
  readonly c: Int32Array
  readonly #o: LedgerOptions
  readonly #file: DeadLetters | undefined
  #letters: DeadLetter[] = []
  #scheduled = false

  constructor (options: LedgerOptions) {
    this.#o = options
    this.c = options.counters
    if (options.deadLetterFile !== undefined) {
      this.#file = deadLetters({ path: options.deadLetterFile, webhookId: options.webhookId, token: options.token, counters: options.counters.buffer as SharedArrayBuffer, slot: SLOT.deadLettered })
      this.#file.onFailure(options.failed)
    }
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
      if (this.#file !== undefined && this.#letters.push({ time: now, reason, detail, record: item.record, n }) >= LETTER_BATCH) this.#handOn()
    }
    const count = records + repeats
    if (count === 0) return
    this.c[SLOT.dropped + DROP_REASONS.indexOf(reason)]! += count
    this.c[SLOT.lostRepeats]! += repeats
    if (this.#file !== undefined && !this.#scheduled) {
      this.#scheduled = true
      setImmediate(() => {
        this.#scheduled = false
        this.#handOn()
      })
    }
    if (this.#o.wants()) {
      const event: DroppedEvent = { reason, count, records: kept.map((i) => i.record), ...(detail === undefined ? {} : { detail }) }
      if (repeats > 0) event.repeats = repeats
      this.#o.emit(event)
    }
  }

  #handOn (): void {
    if (this.#letters.length === 0) return
    const letters = this.#letters
    this.#letters = []
    this.#file?.add(letters)
  }

  /** Every dead letter so far is written when this returns (close, a deadline, the process exit). */
  flushSync (): void {
    this.#handOn()
    this.#file?.flushSync()
  }

  close (): void {
    this.#handOn()
    this.#file?.close()
  }
}
