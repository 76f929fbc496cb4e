/*
 * The bounded queue, one FIFO lane per severity, and the "N records dropped" notice. `shift()`: most severe lane,
 * oldest first. Overflow sheds the least severe, oldest item (or the incoming one if less severe than all held).
 */
import { SEVERITIES, SEVERITY_STYLES, type Severity } from '../levels.js'
import type { PlainRecord } from '../types.js'

/** What the queue holds: a record, and for the library's own records what they stand for. */
export interface Item {
  readonly severity: Severity
  readonly record: PlainRecord
  /** A storm summary: the repeats it stands for (a lost one moves them from collapsed to dropped). 0: a user record. */
  readonly repeats: number
  /** The drop notice: stands for nothing, its records were counted when shed. */
  readonly notice?: true
}

/** `record` as an item; `repeats`: what a storm summary stands for. */
export function asItem (record: PlainRecord, repeats = 0): Item { return { severity: record.severity, record, repeats } }

/** Records an item stands for: 1 for a user record, its repeats for a summary, 0 for a notice. */
export function weight (item: Item): number { return item.notice === true ? 0 : item.repeats > 0 ? item.repeats : 1 }

/** Records shed, by severity, since `since` (epoch ms of the first drop). */
interface DropSummary { count: number, bySeverity: Partial<Record<Severity, number>>, since: number }

export class BoundedQueue {
  readonly capacity: number
  readonly #lanes: Array<Fifo<Item>> = SEVERITIES.map(() => new Fifo<Item>())
  #size = 0
  #drops: DropSummary | undefined

  constructor (capacity: number) { this.capacity = capacity }
  get size (): number { return this.#size }
  /** Records shed since the last `takeDrops()`, for the notice. */
  get pendingDrops (): number { return this.#drops?.count ?? 0 }

  /** Adds `item`. Returns the item shed to make room (possibly `item` itself), if any. */
  push (item: Item, now: number): Item | undefined {
    let shed: Item | undefined
    if (this.#size >= this.capacity) {
      const lowest = this.#lanes.findIndex((lane) => lane.length > 0)
      shed = lowest === -1 || lowest > SEVERITY_STYLES[item.severity].rank ? item : this.#lanes[lowest]!.shift()!
      this.#countDrop(shed, now)
      if (shed === item) return item
      this.#size--
    }
    this.#lanes[SEVERITY_STYLES[item.severity].rank]!.push(item)
    this.#size++
    return shed
  }

  /** The item `shift()` would return. */
  peek (): Item | undefined { return this.#lanes.findLast((lane) => lane.length > 0)?.peek() }

  shift (): Item | undefined {
    const item = this.peek()
    if (item !== undefined) {
      this.#lanes[SEVERITY_STYLES[item.severity].rank]!.shift()
      this.#size--
    }
    return item
  }

  /** Puts items back at the front of their lanes, in order (a split, an outage); may exceed capacity briefly. */
  requeue (items: readonly Item[]): void {
    for (let i = items.length - 1; i >= 0; i--) this.#lanes[SEVERITY_STYLES[items[i]!.severity].rank]!.unshift(items[i]!)
    this.#size += items.length
  }

  /** Removes and returns everything, most severe first. */
  drain (): Item[] {
    this.#size = 0
    return this.#lanes.toReversed().flatMap((lane) => lane.drain())
  }

  takeDrops (): DropSummary | undefined {
    const d = this.#drops
    this.#drops = undefined
    return d
  }

  #countDrop (item: Item, now: number): void {
    const n = weight(item)
    if (n === 0) return
    const d = this.#drops ??= { count: 0, bySeverity: {}, since: now }
    d.count += n
    d.bySeverity[item.severity] = (d.bySeverity[item.severity] ?? 0) + n
  }
}

/** The "N records dropped (queue full)" notice, counted per severity, for the drops since the last; undefined if none. `capacity` in records, `now` epoch ms. */
export function dropNotice (drops: DropSummary | undefined, capacity: number, now: number): Item | undefined {
  if (drops === undefined) return undefined
  const since = new Date(drops.since).toISOString().slice(11, 19)
  const fields = Object.fromEntries(Object.entries(drops.bySeverity).map(([s, n]) => [SEVERITY_STYLES[s as Severity].label, n]))
  const record: PlainRecord = {
    severity: 'warning',
    time: now,
    title: `${drops.count} record${drops.count === 1 ? '' : 's'} dropped (queue full) since ${since} UTC`,
    message: `The queue (capacity ${capacity}) was full while Discord's rate limits held sending back; the least severe, oldest records were shed.`,
    fields
  }
  return { ...asItem(record), notice: true }
}

/** An array-backed FIFO with O(1) amortised shift and unshift, compacted lazily. */
class Fifo<T> {
  #items: T[] = []
  #head = 0

  get length (): number { return this.#items.length - this.#head }
  push (item: T): void { this.#items.push(item) }
  peek (): T | undefined { return this.#items[this.#head] }

  shift (): T | undefined {
    if (this.#head >= this.#items.length) return undefined
    const item = this.#items[this.#head] as T
    this.#items[this.#head++] = undefined as T // let it be collected
    // Compact when the dead prefix dominates, so memory tracks the live size.
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head)
      this.#head = 0
    }
    return item
  }

  unshift (item: T): void {
    if (this.#head > 0) this.#items[--this.#head] = item
    else this.#items.unshift(item)
  }

  drain (): T[] {
    const out = this.#items.slice(this.#head)
    this.#items = []
    this.#head = 0
    return out
  }
}
