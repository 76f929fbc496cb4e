/**
 * Storm control: records with the same fingerprint inside a window are collapsed.
 *
 *   t=0      first record ──► passes (sent at once), opens a window until t=windowMs
 *   t<end    repeats     ──► folded: counted, first/last seen kept, the record itself let go
 *   t≥end    window ends ──► when repeats > 0, one summary ("×37 more in the last 60 s") is due
 *
 * Every folded record ends up in exactly one summary, so 1 + the "×N more" numbers add up to what was
 * logged. Time is passed in and nothing here schedules anything: the pipeline owns the timer.
 *
 * Windows all last `windowMs`, so they end in the order they opened: a Map (insertion-ordered) is the
 * expiry queue, and the oldest window is always its first entry. The number of open windows is bounded;
 * opening one more ends the oldest early (its summary is due at once), so a flood of distinct records
 * cannot grow memory without limit and still loses no count.
 *
 * A window is described (title, template, error type, frame) from its first repeat, not its first
 * record: most windows never see a repeat, so they stay a few numbers. The repeat has the same
 * fingerprint as the first record, so the description is of the same alert.
 */
import type { Severity } from '../levels.js'
import type { LogRecord } from '../record.js'
import { MAX_TEMPLATE_CHARS, normaliseTemplate, topFrame } from './fingerprint.js'

/** What a summary needs to say about the collapsed records. Small copies only: records may be 1 MB. */
export interface DedupWindow {
  severity: Severity
  service: string | undefined
  /** The first record's title or message, cut to a few hundred characters. */
  title: string
  /** The normalised message the records shared. */
  template: string
  errorType: string | undefined
  topFrame: string | undefined
  /** Epoch ms of the first record (the one that was sent) and of the last repeat. */
  firstSeen: number
  lastSeen: number
  /** Records folded into this window after the first. */
  repeats: number
  /** When the window ends (epoch ms). */
  endsAt: number
}

export interface DeduplicatorOptions {
  windowMs: number
  /** Open windows kept at most; opening one more ends the oldest early. */
  maxWindows: number
}

const NONE: readonly DedupWindow[] = Object.freeze([])

interface Open {
  firstSeen: number
  lastSeen: number
  repeats: number
  endsAt: number
  /** Set at the first repeat. */
  described: DedupWindow | undefined
}

export class Deduplicator {
  readonly windowMs: number
  readonly maxWindows: number
  #open = new Map<string, Open>()
  /** Windows that ended with repeats and whose summary has not been taken yet. */
  #due: DedupWindow[] = []
  /** When the oldest open window ends: `expire()` runs on every record, so its usual answer is one comparison. */
  #headEnd = Number.POSITIVE_INFINITY

  constructor (options: DeduplicatorOptions) {
    this.windowMs = options.windowMs
    this.maxWindows = options.maxWindows
  }

  /** Open windows. */
  get size (): number {
    return this.#open.size
  }

  /**
   * Offers a record under `key` at `now`. True: it is the first of a new window and should be sent.
   * False: it was folded into the open window and counted.
   */
  offer (key: string, record: LogRecord, now: number): boolean {
    const open = this.#open.get(key)
    if (open !== undefined) {
      if (now < open.endsAt) {
        open.repeats++
        open.lastSeen = now
        open.described ??= describe(record, open.firstSeen, open.endsAt)
        return false
      }
      this.#end(key, open)
    }
    if (this.#open.size >= this.maxWindows) {
      const oldest = this.#open.entries().next().value
      if (oldest !== undefined) this.#end(oldest[0], oldest[1])
    }
    if (this.#open.size === 0) this.#headEnd = now + this.windowMs
    this.#open.set(key, { firstSeen: now, lastSeen: now, repeats: 0, endsAt: now + this.windowMs, described: undefined })
    return true
  }

  /** Ends the windows whose time is up at `now` and returns every summary now due (oldest first). */
  expire (now: number): readonly DedupWindow[] {
    if (now < this.#headEnd && this.#due.length === 0) return NONE
    for (const [key, window] of this.#open) {
      if (window.endsAt > now) break
      this.#end(key, window)
    }
    return this.#takeDue()
  }

  /** Ends every open window (flush, close) and returns the summaries due. */
  endAll (): readonly DedupWindow[] {
    for (const [key, window] of this.#open) this.#end(key, window)
    return this.#takeDue()
  }

  /** When the oldest open window ends, or undefined when none is open. */
  nextEnd (): number | undefined {
    return this.#open.size === 0 ? undefined : this.#headEnd
  }

  #end (key: string, window: Open): void {
    this.#open.delete(key)
    this.#headEnd = Number.POSITIVE_INFINITY
    for (const next of this.#open.values()) {
      this.#headEnd = next.endsAt
      break
    }
    if (window.repeats > 0 && window.described !== undefined) {
      this.#due.push({ ...window.described, lastSeen: window.lastSeen, repeats: window.repeats })
    }
  }

  #takeDue (): readonly DedupWindow[] {
    if (this.#due.length === 0) return NONE
    const due = this.#due
    this.#due = []
    return due
  }
}

function describe (record: LogRecord, firstSeen: number, endsAt: number): DedupWindow {
  const error = record.error
  const text = record.title ?? (record.message !== '' ? record.message : record.content ?? record.embed?.title ?? error?.message ?? '')
  return {
    severity: record.severity,
    service: record.service,
    title: text.length > MAX_TEMPLATE_CHARS ? text.slice(0, MAX_TEMPLATE_CHARS) : text,
    template: normaliseTemplate(record.message !== '' ? record.message : error?.message ?? text),
    errorType: error?.type,
    topFrame: topFrame(error?.stack),
    firstSeen,
    lastSeen: firstSeen,
    repeats: 0,
    endsAt
  }
}
