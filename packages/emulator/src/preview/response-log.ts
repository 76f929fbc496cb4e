import type { ResponseSummary } from '../server.js'

/** How many response summaries the preview's rate-limit chart can look back on. */
export const RESPONSE_LOG_CAPACITY = 10_000

/**
 * The last responses the emulator gave, for the preview page: it draws the rate-limit chart from
 * this history when it opens, then follows the live `response` events. Entries carry `seq`, so a
 * page that fetched the history and also heard an event counts it once.
 */
export class ResponseLog {
  readonly #entries: ResponseSummary[] = []
  #seq = 0

  /** The sequence number the next summary gets (1-based since the last reset). */
  nextSeq (): number {
    return this.#seq + 1
  }

  push (summary: ResponseSummary): void {
    this.#seq = summary.seq
    this.#entries.push(summary)
    // Shifting in batches keeps push O(1) amortised without a ring-buffer index to get wrong.
    if (this.#entries.length > RESPONSE_LOG_CAPACITY * 1.25) this.#entries.splice(0, this.#entries.length - RESPONSE_LOG_CAPACITY)
  }

  /** Entries with `seq` greater than `after`, oldest first, at most the capacity. */
  list (after = 0): ResponseSummary[] {
    const from = this.#entries.findIndex((entry) => entry.seq > after)
    if (from === -1) return []
    return this.#entries.slice(Math.max(from, this.#entries.length - RESPONSE_LOG_CAPACITY))
  }

  reset (): void {
    this.#entries.length = 0
    this.#seq = 0
  }
}
