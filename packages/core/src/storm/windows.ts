/**
 * Storm control's windows: records with the same fingerprint inside a window are one alert.
 *
 *   t=0      first record ──► passes (sent at once), opens a window until t=windowMs
 *   t<end    repeats     ──► counted (first and last seen kept), the record itself let go
 *   t≥end    window ends ──► with repeats, one "×N more" summary is due (storm/summary.ts)
 *
 * Every repeat ends up in exactly one summary, so 1 + the "×N more" counts add up to what was logged. Open
 * windows are found by their text's template (a Map, and a short chain for windows sharing one): a repeat costs
 * two Map lookups. Windows all last `windowMs`, so they end in the order they opened: a queue (an array and its
 * head's index). Opening one more than `maxWindows` ends the oldest early: bounded memory, no count lost. Time
 * is passed in and nothing here schedules anything: the notifier owns the timer.
 */
import { SEVERITY_STYLES, type Severity } from '../levels.js'
import type { LogRecord, SerializedError } from '../types.js'
import { fingerprintKey, inAppFrame, MAX_TEMPLATE_CHARS, matches, normaliseTemplate, recordText, type Fingerprint, type Parts } from './fingerprint.js'

/** What a summary says about the collapsed records: small copies only (a record may be 1 MB). */
export interface StormWindow {
  /** The fingerprint as one string (storm/fingerprint.ts). */
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

/** Open windows kept at most by a notifier. Every open window is one small object; a burst of distinct records opens one each. */
const MAX_WINDOWS = 1000

/**
 * An open window as a repeat finds and counts it: one object, and its description is only written when it ends
 * (or when the fleet is told of it), so a first record that is never repeated costs little memory.
 */
interface OpenWindow {
  readonly fingerprint: Fingerprint
  /** What describe() needs of the first record, small copies only (a record may be 1 MB). */
  readonly severity: Severity
  readonly service: string | undefined
  readonly title: string
  readonly template: string
  readonly errorType: string | undefined
  readonly topFrame: string | undefined
  readonly firstSeen: number
  endsAt: number
  repeats: number
  lastSeen: number
  ended: boolean
  /** What the last record that matched it by its text was found with. */
  lastError: unknown
  lastSeverity: string
  lastService: string | undefined
  /** The next open window whose text has the same template (a short chain; usually none). */
  next: OpenWindow | undefined
}

/** Texts remembered with the window they last matched; past this many the memory starts afresh. */
const MAX_TEXTS = 2 * MAX_WINDOWS

export class StormWindows {
  readonly windowMs: number
  readonly parts: Parts
  readonly #max: number
  readonly #describeAll: boolean
  /** Open windows by the template of their text: the first of a chain linked by `next`. */
  #byText = new Map<string, OpenWindow>()
  /** Windows ended since `#byText` was last built afresh. */
  #ended = 0
  /** Recent texts and the window each matched: a repeat's text is nearly always one seen before, found without its template. */
  #byRawText = new Map<string, OpenWindow>()
  /** Open windows in the order they opened, which is the order they end: a ring of `#max` slots from `#head` on, never reallocated. */
  readonly #order: Array<OpenWindow | undefined>
  #head = 0
  #size = 0
  #nextEnd = Infinity
  /** Open windows with repeats: their summaries are owed. */
  #owed = 0

  /** `describeAll`: windows without repeats are returned too when they end (the fleet counts every process's part). */
  constructor (windowMs: number, parts: Parts, { maxWindows = MAX_WINDOWS, describeAll = false } = {}) {
    this.windowMs = windowMs
    this.parts = parts
    this.#max = maxWindows
    this.#describeAll = describeAll
    this.#order = new Array<OpenWindow | undefined>(maxWindows).fill(undefined)
  }

  get size (): number {
    return this.#size
  }

  /** When the oldest open window ends (epoch ms), or Infinity. */
  get nextEnd (): number {
    return this.#nextEnd
  }

  /** True while an open window has repeats: a summary is owed. */
  get owed (): boolean {
    return this.#owed > 0
  }

  /** The open window a record with this severity, service, text and error belongs to, or undefined. End windows whose time is up first (expire). */
  find (severity: string, service: string | undefined, text: string, error: LogRecord['error']): OpenWindow | undefined {
    const seen = this.#byRawText.get(text)
    if (seen !== undefined && !seen.ended) {
      // The same text, Error object, severity and service as the last match (an Error logged again,
      // or one many callers share): the same alert, without reading the error again.
      if (error !== undefined && seen.lastError === error && seen.lastSeverity === severity && seen.lastService === service) return seen
      if (matches(seen.fingerprint, this.parts, severity, service, text, seen.fingerprint.text, error)) {
        seen.lastError = error
        seen.lastSeverity = severity
        seen.lastService = service
        return seen
      }
    }
    const template = this.parts.message ? normaliseTemplate(text) : ''
    for (let o = this.#byText.get(template); o !== undefined; o = o.next) {
      if (!matches(o.fingerprint, this.parts, severity, service, text, template, error)) continue
      if (this.#byRawText.size >= MAX_TEXTS) this.#byRawText = new Map() // replaced, not cleared: see storm/fingerprint.ts
      this.#byRawText.set(text, o)
      return o
    }
    return undefined
  }

  /** Counts one more repeat in `o` at `now`. */
  fold (o: OpenWindow, now: number): void {
    if (o.repeats++ === 0) this.#owed++
    o.lastSeen = now
  }

  /**
   * Opens the window of `record` (its first record, as plain data, as sent) with fingerprint `f`; returns the window
   * ended early to make room, if any (as expire() would), and, with `describeAll`, the new window's description (what the fleet is told).
   */
  open (f: Fingerprint, record: LogRecord, now: number): { window: StormWindow | undefined, evicted: StormWindow | undefined } {
    const evicted = this.size >= this.#max ? this.#end(now) : undefined
    const o = opened(f, record, now, now + this.windowMs)
    this.#order[(this.#head + this.#size++) % this.#max] = o
    o.next = this.#byText.get(f.text)
    this.#byText.set(f.text, o)
    if (this.#nextEnd === Infinity) this.#nextEnd = o.endsAt
    return { window: this.#describeAll ? describe(o) : undefined, evicted }
  }

  /** Ends the windows whose time is up at `now`; returns those with repeats (all, with `describeAll`), oldest first. */
  expire (now: number): StormWindow[] {
    const ended: StormWindow[] = []
    while (this.size > 0 && this.#order[this.#head]!.endsAt <= now) {
      const w = this.#end(now)
      if (w !== undefined) ended.push(w)
    }
    return ended
  }

  /** Ends every open window at `now` (flush, close, the end of the process); returns them as expire() does. */
  endAll (now: number): StormWindow[] {
    const ended: StormWindow[] = []
    while (this.size > 0) {
      const w = this.#end(now)
      if (w !== undefined) ended.push(w)
    }
    this.#byRawText = new Map()
    this.#nextEnd = Infinity
    return ended
  }

  /** Ends the oldest open window; its description, unless it has no repeats and only those are asked for. */
  #end (now: number): StormWindow | undefined {
    const o = this.#order[this.#head]!
    this.#order[this.#head] = undefined // let it be collected
    this.#head = (this.#head + 1) % this.#max
    this.#size--
    o.ended = true
    o.endsAt = Math.min(o.endsAt, now)
    if (o.repeats > 0) this.#owed--
    const text = o.fingerprint.text
    const first = this.#byText.get(text)!
    if (first === o) {
      if (o.next === undefined) this.#byText.delete(text)
      else this.#byText.set(text, o.next)
    } else {
      let before = first
      while (before.next !== o) before = before.next!
      before.next = o.next
    }
    o.next = undefined
    o.lastError = undefined
    // A Map whose keys come and go leaves its old tables behind in V8's old space until a full collection, and their
    // stale entries keep young windows alive and promoted (a 100k-record burst held 25 MB more): build it afresh
    // once as many windows have ended as it can hold, a copy of at most #max entries per #max windows.
    if (++this.#ended >= this.#max) {
      this.#ended = 0
      this.#byText = new Map(this.#byText)
    }
    this.#nextEnd = this.size > 0 ? this.#order[this.#head]!.endsAt : Infinity
    return o.repeats > 0 || this.#describeAll ? describe(o) : undefined
  }
}

/** What an alert is called in a summary or an announcement: its title, else its text (`recordText`), else its error's message; uncut. */
export function alertTitle (record: LogRecord, text = recordText(record)): string {
  return record.title !== undefined && record.title !== '' ? record.title : text !== '' ? text : (record.error as SerializedError | undefined)?.message ?? ''
}

/** An open window for its first record: the parts a summary shows, copied small. */
function opened (fingerprint: Fingerprint, record: LogRecord, firstSeen: number, endsAt: number): OpenWindow {
  const error = record.error as SerializedError | undefined
  const text = recordText(record)
  const title = alertTitle(record, text)
  return {
    fingerprint,
    severity: Object.hasOwn(SEVERITY_STYLES, record.severity) ? record.severity : 'error',
    service: typeof record.service === 'string' ? record.service : undefined,
    title: title.length > MAX_TEMPLATE_CHARS ? title.slice(0, MAX_TEMPLATE_CHARS) : title,
    template: normaliseTemplate(text !== '' ? text : error?.message ?? ''),
    errorType: error?.type,
    topFrame: fingerprint.frame !== '' ? fingerprint.frame : inAppFrame(error?.stack),
    firstSeen,
    endsAt,
    repeats: 0,
    lastSeen: firstSeen,
    ended: false,
    lastError: undefined,
    lastSeverity: '',
    lastService: undefined,
    next: undefined
  }
}

/** A window's description as of now: plain data, nothing live (the delivery may keep it). */
function describe (o: OpenWindow): StormWindow {
  return {
    key: fingerprintKey(o.fingerprint),
    severity: o.severity,
    service: o.service,
    title: o.title,
    template: o.template,
    errorType: o.errorType,
    topFrame: o.topFrame,
    firstSeen: o.firstSeen,
    lastSeen: o.lastSeen,
    repeats: o.repeats,
    endsAt: o.endsAt
  }
}
