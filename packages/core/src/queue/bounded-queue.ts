import { SEVERITIES, SEVERITY_STYLES, type Severity } from '../levels.js'
import { Fifo } from './fifo.js'

export interface Prioritised {
  readonly severity: Severity
}

export interface DropSummary {
  count: number
  bySeverity: Partial<Record<Severity, number>>
  /** Time of the first drop in this summary (epoch ms). */
  since: number
}

/**
 * A bounded queue with one FIFO lane per severity.
 *
 * - `shift()` takes the most severe lane first, oldest first within a lane: under pressure a critical
 *   record logged behind thousands of info records goes out next.
 * - Overflow sheds the least severe, oldest record; when the incoming record is less severe than
 *   everything held, the incoming one is shed instead. Every shed record is counted.
 */
export class BoundedQueue<T extends Prioritised> {
  readonly capacity: number
  #lanes: Array<Fifo<T>> = SEVERITIES.map(() => new Fifo<T>())
  #size = 0
  #drops: DropSummary | undefined

  constructor (capacity: number) {
    this.capacity = capacity
  }

  get size (): number {
    return this.#size
  }

  /** Adds `item`. Returns the record shed to make room (possibly `item` itself), if any. */
  push (item: T, now: number): T | undefined {
    let shed: T | undefined
    if (this.#size >= this.capacity) {
      const rank = SEVERITY_STYLES[item.severity].rank
      const lowest = this.#lowestNonEmpty()
      if (lowest === -1 || lowest > rank) {
        this.#countDrop(item.severity, now)
        return item
      }
      shed = this.#lanes[lowest]!.shift()!
      this.#size--
      this.#countDrop(shed.severity, now)
    }
    this.#lanes[SEVERITY_STYLES[item.severity].rank]!.push(item)
    this.#size++
    return shed
  }

  /** The item `shift()` would return. */
  peek (): T | undefined {
    for (let r = this.#lanes.length - 1; r >= 0; r--) {
      const item = this.#lanes[r]!.peek()
      if (item !== undefined) return item
    }
    return undefined
  }

  shift (): T | undefined {
    for (let r = this.#lanes.length - 1; r >= 0; r--) {
      const item = this.#lanes[r]!.shift()
      if (item !== undefined) {
        this.#size--
        return item
      }
    }
    return undefined
  }

  /**
   * Puts items back at the front of their lanes, in their original order (after a 429 or a split).
   * May exceed capacity by the few items returned; the next push sheds as usual.
   */
  requeue (items: readonly T[]): void {
    for (let i = items.length - 1; i >= 0; i--) {
      const item = items[i]!
      this.#lanes[SEVERITY_STYLES[item.severity].rank]!.unshift(item)
      this.#size++
    }
  }

  /** Removes and returns everything, most severe first. */
  drain (): T[] {
    const out: T[] = []
    for (let r = this.#lanes.length - 1; r >= 0; r--) out.push(...this.#lanes[r]!.drain())
    this.#size = 0
    return out
  }

  /** Returns and clears the drops counted since the last call (for the "N records dropped" notice). */
  takeDrops (): DropSummary | undefined {
    const d = this.#drops
    this.#drops = undefined
    return d
  }

  /**
   * Counts one shed record of `severity` as `n` records instead: the caller knows it stood for more (a
   * storm summary for its repeats), and the "N records dropped" notice must say so.
   */
  recountDrop (severity: Severity, n: number): void {
    const d = this.#drops
    if (d === undefined) return
    d.count += n - 1
    const left = (d.bySeverity[severity] ?? 1) + n - 1
    if (left > 0) d.bySeverity[severity] = left
    else delete d.bySeverity[severity]
    if (d.count <= 0) this.#drops = undefined
  }

  get pendingDrops (): number {
    return this.#drops?.count ?? 0
  }

  #lowestNonEmpty (): number {
    for (let r = 0; r < this.#lanes.length; r++) if (this.#lanes[r]!.length > 0) return r
    return -1
  }

  #countDrop (severity: Severity, now: number): void {
    const d = this.#drops ??= { count: 0, bySeverity: {}, since: now }
    d.count++
    d.bySeverity[severity] = (d.bySeverity[severity] ?? 0) + 1
  }
}
