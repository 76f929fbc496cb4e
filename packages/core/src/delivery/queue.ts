/**
 * The bounded queue, one FIFO lane per severity, and the "N records dropped" notice for what it shed.
 *
 * - `shift()` takes the most severe lane first, oldest first within a lane: a critical record logged
 *   behind thousands of info records goes out next.
 * - Overflow sheds the least severe, oldest item; when the incoming item is less severe than everything
 *   held, the incoming one is shed instead. Every shed item is counted for the notice.
 */
import { SEVERITIES, SEVERITY_STYLES, type Severity } from '../levels.js'
import type { PlainRecord } from '../types.js'
import { Fifo } from './fifo.js'

/** What the queue holds: a record, and for the library's own records what they stand for. */
export interface Item {
  readonly severity: Severity
  readonly record: PlainRecord
  /** A storm summary: the repeats it stands for (a lost one moves them from collapsed to dropped). 0: a user record. */
  readonly repeats: number
  /** The drop notice: stands for nothing, its records were counted when shed. */
  readonly notice?: true
}

export function userItem (record: PlainRecord): Item {
  return { severity: record.severity, record, repeats: 0 }
}

/** Records an item stands for: 1 for a user record, its repeats for a summary, 0 for a notice. */
export function weight (item: Item): number {
  return item.notice === true ? 0 : item.repeats > 0 ? item.repeats : 1
}

export interface DropSummary {
  count: number
  bySeverity: Partial<Record<Severity, number>>
  /** Time of the first drop in this summary (epoch ms). */
  since: number
}

export class BoundedQueue {
  readonly capacity: number
  readonly #lanes: Array<Fifo<Item>> = SEVERITIES.map(() => new Fifo<Item>())
  #size = 0
  #drops: DropSummary | undefined

  constructor (capacity: number) {
    this.capacity = capacity
  }

  get size (): number {
    return this.#size
  }

  /** Adds `item`. Returns the item shed to make room (possibly `item` itself), if any. */
  push (item: Item, now: number): Item | undefined {
    let shed: Item | undefined
    if (this.#size >= this.capacity) {
      const rank = SEVERITY_STYLES[item.severity].rank
      const lowest = this.#lanes.findIndex((lane) => lane.length > 0)
      if (lowest === -1 || lowest > rank) {
        this.#countDrop(item, now)
        return item
      }
      shed = this.#lanes[lowest]!.shift()!
      this.#size--
      this.#countDrop(shed, now)
    }
    this.#lanes[SEVERITY_STYLES[item.severity].rank]!.push(item)
    this.#size++
    return shed
  }

  /** The item `shift()` would return. */
  peek (): Item | undefined {
    for (let r = this.#lanes.length - 1; r >= 0; r--) {
      const item = this.#lanes[r]!.peek()
      if (item !== undefined) return item
    }
    return undefined
  }

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
    for (let i = items.length - 1; i >= 0; i--) {
      const item = items[i]!
      this.#lanes[SEVERITY_STYLES[item.severity].rank]!.unshift(item)
      this.#size++
    }
  }

  /** Removes and returns everything, most severe first. */
  drain (): Item[] {
    const out: Item[] = []
    for (let r = this.#lanes.length - 1; r >= 0; r--) out.push(...this.#lanes[r]!.drain())
    this.#size = 0
    return out
  }

  /** Records shed since the last `takeDrops()`, for the notice. */
  get pendingDrops (): number {
    return this.#drops?.count ?? 0
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

/**
 * The "N records dropped (queue full)" notice for the drops counted since the last one, with a count
 * per severity; undefined when there were none. `capacity` in records, `now` in epoch ms.
 */
export function dropNotice (drops: DropSummary | undefined, capacity: number, now: number): Item | undefined {
  if (drops === undefined) return undefined
  const since = new Date(drops.since).toISOString().slice(11, 19)
  const fields: Record<string, unknown> = {}
  for (const s of Object.keys(drops.bySeverity) as Severity[]) fields[SEVERITY_STYLES[s].label] = drops.bySeverity[s]
  const record: PlainRecord = {
    severity: 'warning',
    time: now,
    title: `${drops.count} record${drops.count === 1 ? '' : 's'} dropped (queue full) since ${since} UTC`,
    message: `The queue (capacity ${capacity}) was full while Discord's rate limits held sending back; the least severe, oldest records were shed.`,
    fields
  }
  return { severity: 'warning', record, repeats: 0, notice: true }
}
