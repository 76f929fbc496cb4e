/**
 * Storm control's windows: records with the same fingerprint inside a window are one alert.
 *
 *   t=0      first record ──► passes (sent at once), opens a window until t=windowMs
 *   t<end    repeats     ──► counted (first and last seen kept), the record itself let go
 *   t≥end    window ends ──► with repeats, one "×N more" summary is due (storm/summary.ts)
 *
 * Every repeat ends up in exactly one summary, so 1 + the "×N more" counts add up to what was logged.
 * Every window lasts `windowMs`, so windows end in the order they opened: a Map, which iterates in
 * insertion order, has the next to end first. Opening one more than `maxWindows` ends the oldest early,
 * so a flood of distinct records cannot grow memory without bound and loses no count. Time is passed
 * in and nothing here schedules anything: the notifier owns the timer.
 */
import { SEVERITY_STYLES, type Severity } from '../levels.js'
import type { LogRecord, SerializedError } from '../types.js'
import { inAppFrame, MAX_TEMPLATE_CHARS, normaliseTemplate, recordText } from './fingerprint.js'

/** What a summary says about the collapsed records: small copies only (a record may be 1 MB). */
export interface StormWindow {
  /** The fingerprint (storm/fingerprint.ts). */
  key: string
  severity: Severity
  service: string | undefined
  /** The first record's title or message, cut to 300 characters. */
  title: string
  /** The normalised text the records shared. */
  template: string
  errorType: string | undefined
  topFrame: string | undefined
  /** Epoch ms of the first record (the one that was sent) and of the last repeat. */
  firstSeen: number
  lastSeen: number
  /** Records folded into this window after the first. */
  repeats: number
  /** When the window ends, or, once ended, when it did (earlier when ended early: flush, eviction). Epoch ms. */
  endsAt: number
  /** Processes whose records a fleet's summary covers, when more than one (storm control through Redis). */
  instances?: number
  /** This process's part of a fleet's storm, summarised alone because Redis was lost before the fleet's summary. */
  fleetLost?: boolean
}

/** Open windows kept at most by a notifier. */
export const MAX_WINDOWS = 10_000

export class StormWindows {
  readonly windowMs: number
  readonly #max: number
  readonly #open = new Map<string, StormWindow>()
  /** When the oldest open window ends (Infinity when none is open). */
  #nextEnd = Infinity
  /** Open windows with repeats: their summaries are owed. */
  #owed = 0

  constructor (windowMs: number, maxWindows = MAX_WINDOWS) {
    this.windowMs = windowMs
    this.#max = maxWindows
  }

  get size (): number {
    return this.#open.size
  }

  /** When the oldest open window ends (epoch ms), or Infinity. */
  get nextEnd (): number {
    return this.#nextEnd
  }

  /** True while an open window has repeats: a summary is owed. */
  get owed (): boolean {
    return this.#owed > 0
  }

  get (key: string): StormWindow | undefined {
    return this.#open.get(key)
  }

  /**
   * Counts a repeat under `key` at `now` and returns true, or returns false when no window is open for
   * it (the record is then sent, and opens one). Windows whose time is up must be ended first (expire).
   */
  fold (key: string, now: number): boolean {
    const w = this.#open.get(key)
    if (w === undefined) return false
    if (w.repeats++ === 0) this.#owed++
    w.lastSeen = now
    return true
  }

  /**
   * Opens the window of `record` (its first record, as it is sent) under `key`. Returns the window
   * that had to end early to make room, if any.
   */
  open (key: string, record: LogRecord, now: number): StormWindow | undefined {
    let evicted: StormWindow | undefined
    if (this.#open.size >= this.#max) evicted = this.#end(this.#open.keys().next().value!, now)
    this.#open.set(key, describe(key, record, now, now + this.windowMs))
    if (this.#nextEnd === Infinity) this.#nextEnd = now + this.windowMs
    return evicted
  }

  /** Ends the windows whose time is up at `now`; returns them, oldest first. */
  expire (now: number): StormWindow[] {
    const ended: StormWindow[] = []
    for (const w of this.#open.values()) {
      if (w.endsAt > now) break
      ended.push(this.#end(w.key, now))
    }
    return ended
  }

  /** Ends every open window at `now` (flush, close, the end of the process); returns them, oldest first. */
  endAll (now: number): StormWindow[] {
    const ended = [...this.#open.values()]
    for (const w of ended) w.endsAt = Math.min(w.endsAt, now)
    this.#open.clear()
    this.#nextEnd = Infinity
    this.#owed = 0
    return ended
  }

  #end (key: string, now: number): StormWindow {
    const w = this.#open.get(key)!
    w.endsAt = Math.min(w.endsAt, now)
    this.#open.delete(key)
    if (w.repeats > 0) this.#owed--
    const next = this.#open.values().next()
    this.#nextEnd = next.done === true ? Infinity : next.value.endsAt
    return w
  }
}

/** A window as its first record describes it. */
function describe (key: string, record: LogRecord, firstSeen: number, endsAt: number): StormWindow {
  const error = record.error as SerializedError | undefined
  const text = recordText(record)
  const title = record.title !== undefined && record.title !== '' ? record.title : text !== '' ? text : error?.message ?? ''
  return {
    key,
    severity: Object.hasOwn(SEVERITY_STYLES, record.severity) ? record.severity : 'error',
    service: typeof record.service === 'string' ? record.service : undefined,
    title: title.slice(0, MAX_TEMPLATE_CHARS),
    template: normaliseTemplate(text !== '' ? text : error?.message ?? ''),
    errorType: error?.type,
    topFrame: inAppFrame(error?.stack),
    firstSeen,
    lastSeen: firstSeen,
    repeats: 0,
    endsAt
  }
}
