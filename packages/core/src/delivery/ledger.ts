/*
 * The books: counters, drops and the dead-letter file. Counters: an Int32Array over a SharedArrayBuffer, each thread
 * writing its own slots. `pending` is derived, so `accepted = sent + dropped + collapsed + pending` holds for whatever
 * is read. A drop counts at once; its dead letter leaves with that turn's others (dead-letters.ts), at exit at once.
 */
import type { SelfLog } from '../self-log.js'
import { DROP_REASONS, type Counters, type DroppedEvent, type DropReason, type Emit, type NotifierEvents, type PlainRecord, type ResolvedOptions, type WebhookTarget } from '../types.js'
import { DeadLetters, type DeadLetter } from './dead-letters.js'
import { weight, type Item } from './queue.js'

/** What the delivery side of one webhook is given: its options, where its counters, lines and events go. */
export interface DeliveryContext {
  options: ResolvedOptions
  target: WebhookTarget
  /** The ledger's counters: shared with whoever reads them. */
  counters: Int32Array
  log: SelfLog
  emit: Emit
  /** Whether anyone listens to `event`: per-record event objects are only built for listeners. */
  wants: (event: keyof NotifierEvents) => boolean
}

/**
 * Counter slots. The caller's thread writes accepted, collapsed (repeats storm control folded) and unknownLevels; the
 * delivery side the rest: folded (first records the fleet folded, collapsed too), lostRepeats (of lost summaries: in
 * dropped, out of collapsed), dropped (by reason, DROP_REASONS order), closed (a worker's close done, notified),
 * edits (incident messages edited), incidentsOpen (a gauge) and incidentsResolved.
 */
export const SLOT = { accepted: 0, collapsed: 1, unknownLevels: 2, sent: 3, folded: 4, lostRepeats: 5, requests: 6, retried: 7, rateLimited: 8, waits: 9, invalidRequests: 10, deadLettered: 11, dropped: 12, closed: 12 + DROP_REASONS.length, deadLetterFailed: 13 + DROP_REASONS.length, edits: 14 + DROP_REASONS.length, incidentsOpen: 15 + DROP_REASONS.length, incidentsResolved: 16 + DROP_REASONS.length } as const

export function newCounters (): Int32Array {
  return new Int32Array(new SharedArrayBuffer((SLOT.incidentsResolved + 1) * Int32Array.BYTES_PER_ELEMENT))
}

/** The counters, and the records pending (queued, in flight, or waiting for the fleet's decision). */
export function readCounters (c: Int32Array): Counters & { pending: number } {
  const droppedByReason = Object.fromEntries(DROP_REASONS.map((reason, i) => [reason, c[SLOT.dropped + i]!])) as Record<DropReason, number>
  const dropped = Object.values(droppedByReason).reduce((sum, n) => sum + n, 0)
  const collapsed = c[SLOT.collapsed]! + c[SLOT.folded]! - c[SLOT.lostRepeats]!
  const accepted = c[SLOT.accepted]!
  const sent = c[SLOT.sent]!
  return { accepted, sent, requests: c[SLOT.requests]!, retried: c[SLOT.retried]!, rateLimited: c[SLOT.rateLimited]!, waits: c[SLOT.waits]!, invalidRequests: c[SLOT.invalidRequests]!, dropped, droppedByReason, deadLettered: c[SLOT.deadLettered]!, deadLetterFailed: c[SLOT.deadLetterFailed]!, collapsed, unknownLevels: c[SLOT.unknownLevels]!, edits: c[SLOT.edits]!, incidents: { open: c[SLOT.incidentsOpen]!, resolved: c[SLOT.incidentsResolved]! }, pending: Math.max(0, accepted - sent - dropped - collapsed) }
}

/** Dead letters posted in one message at most: a flood's records leave while still young, less GC than one message a turn (bench/dead-letter.mjs). */
const LETTER_BATCH = 256

export class Ledger {
  readonly c: Int32Array
  readonly #p: DeliveryContext
  readonly #file: DeadLetters | undefined
  #letters: DeadLetter[] = []
  #scheduled: NodeJS.Immediate | undefined

  /** `dropped`: told of the items of every drop; returns the repeats they took with them (an incident's, never shown). */
  readonly #dropped: ((items: readonly Item[]) => number) | undefined

  constructor (p: DeliveryContext, dropped?: (items: readonly Item[]) => number) {
    this.#p = p
    this.#dropped = dropped
    this.c = p.counters
    const path = p.options.deadLetterFile
    if (path !== undefined) this.#file = new DeadLetters({ path, webhookId: p.target.id, token: p.target.token, counters: p.counters.buffer as SharedArrayBuffer, slot: SLOT.deadLettered, failedSlot: SLOT.deadLetterFailed }, (reason) => p.log.errorOnce('dead_letter_write', reason))
  }

  /** Items that will never be delivered: counted now, dead-lettered after the call, reported to listeners. */
  drop (reason: DropReason, items: readonly Item[], detail?: string, now = Date.now()): void {
    let count = 0
    let repeats = 0
    const kept: Item[] | undefined = this.#p.wants('dropped') ? [] : undefined
    for (const item of items) {
      const n = weight(item)
      if (n === 0) continue
      count += n
      if (item.repeats > 0) repeats += n
      kept?.push(item)
      if (this.#file !== undefined && this.#letters.push({ time: now, reason, detail, record: item.record, n }) >= LETTER_BATCH) this.#handOn()
    }
    const lost = this.#dropped?.(items) ?? 0
    count += lost
    repeats += lost
    if (count === 0) return
    this.c[SLOT.dropped + DROP_REASONS.indexOf(reason)]! += count
    this.c[SLOT.lostRepeats]! += repeats
    if (this.#file !== undefined) this.#scheduled ??= setImmediate(() => this.#handOn())
    if (kept !== undefined) {
      const event: DroppedEvent = { reason, count, records: kept.map((i) => i.record), ...(detail === undefined ? {} : { detail }) }
      if (repeats > 0) event.repeats = repeats
      this.#p.emit('dropped', event)
    }
  }

  /** Dead letters for what is not a record (an incident's last state that no edit wrote): written, counted nowhere. True when there is a file. */
  letter (reason: DropReason, records: readonly PlainRecord[], detail: string, now = Date.now()): boolean {
    if (this.#file === undefined) return false
    for (const record of records) this.#letters.push({ time: now, reason, detail, record, n: 0 })
    this.#handOn()
    return true
  }

  #handOn (): void {
    if (this.#scheduled !== undefined) clearImmediate(this.#scheduled)
    this.#scheduled = undefined
    if (this.#letters.length > 0) this.#file?.add(this.#letters.splice(0))
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
