/**
 * Storm control's windows: records with the same fingerprint inside a window are one alert.
 *
 *   t=0      first record ──► passes (sent at once), opens a window until t=windowMs
 *   t<end    repeats     ──► counted (first and last seen kept), the record itself let go
 *   t≥end    window ends ──► with repeats, one "×N more" summary is due (storm/summary.ts)
 *
 * Every repeat ends up in exactly one summary, so 1 + the "×N more" counts add up to what was logged. Open
 * windows are found by their text's template (a Map, and a short list for windows sharing one): a repeat costs
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

/** Open windows kept at most by a notifier. */
const MAX_WINDOWS = 10_000

/** An open window as a repeat finds and counts it: one object, so a repeat touches little memory. */
interface OpenWindow {
  readonly fingerprint: Fingerprint
  /** The window as its first record describes it (its counts are filled in when it ends). */
  readonly window: StormWindow
  repeats: number
  lastSeen: number
  ended: boolean
  /** What the last record that matched it by its text was found with. */
  lastError: unknown
  lastSeverity: string
  lastService: string | undefined
}

/** Texts remembered with the window they last matched; past this many the memory starts afresh. */
const MAX_TEXTS = 20_000

export class StormWindows {
  readonly windowMs: number
  readonly parts: Parts
  readonly #max: number
  /** Open windows by the template of their text. */
  readonly #byText = new Map<string, OpenWindow[]>()
  /** Recent texts and the window each matched: a repeat's text is nearly always one seen before, found without its template. */
  readonly #byRawText = new Map<string, OpenWindow>()
  /** Open windows in the order they opened, which is the order they end, from `#head` on. */
  #order: OpenWindow[] = []
  #head = 0
  #nextEnd = Infinity
  /** Open windows with repeats: their summaries are owed. */
  #owed = 0

  constructor (windowMs: number, parts: Parts, maxWindows = MAX_WINDOWS) {
    this.windowMs = windowMs
    this.parts = parts
    this.#max = maxWindows
  }

  get size (): number {
    return this.#order.length - this.#head
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
    const open = this.#byText.get(template)
    if (open === undefined) return undefined
    for (const o of open) {
      if (!matches(o.fingerprint, this.parts, severity, service, text, template, error)) continue
      if (this.#byRawText.size >= MAX_TEXTS) this.#byRawText.clear()
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

  /** Opens the window of `record` (its first record, as plain data, as sent) with fingerprint `f`; returns it and the window ended early to make room, if any. */
  open (f: Fingerprint, record: LogRecord, now: number): { window: StormWindow, evicted: StormWindow | undefined } {
    const evicted = this.size >= this.#max ? this.#end(now) : undefined
    const o: OpenWindow = { window: describe(fingerprintKey(f), record, now, now + this.windowMs), fingerprint: f, repeats: 0, lastSeen: now, ended: false, lastError: undefined, lastSeverity: '', lastService: undefined }
    this.#order.push(o)
    const list = this.#byText.get(f.text)
    if (list === undefined) this.#byText.set(f.text, [o])
    else list.push(o)
    if (this.#nextEnd === Infinity) this.#nextEnd = o.window.endsAt
    return { window: o.window, evicted }
  }

  /** Ends the windows whose time is up at `now`; returns them, oldest first. */
  expire (now: number): StormWindow[] {
    const ended: StormWindow[] = []
    while (this.size > 0 && this.#order[this.#head]!.window.endsAt <= now) ended.push(this.#end(now))
    return ended
  }

  /** Ends every open window at `now` (flush, close, the end of the process); returns them, oldest first. */
  endAll (now: number): StormWindow[] {
    const ended: StormWindow[] = []
    while (this.size > 0) ended.push(this.#end(now))
    this.#byRawText.clear()
    this.#nextEnd = Infinity
    return ended
  }

  /** Ends the oldest open window. */
  #end (now: number): StormWindow {
    const o = this.#order[this.#head++]!
    if (this.#head >= 1024 && this.#head * 2 >= this.#order.length) {
      this.#order = this.#order.slice(this.#head)
      this.#head = 0
    }
    const w = o.window
    o.ended = true
    w.repeats = o.repeats
    w.lastSeen = o.lastSeen
    w.endsAt = Math.min(w.endsAt, now)
    if (w.repeats > 0) this.#owed--
    const list = this.#byText.get(o.fingerprint.text)!
    if (list.length === 1) this.#byText.delete(o.fingerprint.text)
    else list.splice(list.indexOf(o), 1)
    this.#nextEnd = this.size > 0 ? this.#order[this.#head]!.window.endsAt : Infinity
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
