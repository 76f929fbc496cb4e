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
 * Windows all last `windowMs`, so they end in the order they opened: the oldest open window is always
 * the next to end. The number of open windows is bounded;
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
  /** The fingerprint's two hashes: set on windows reported with `reportEmpty` (fleet storm control). */
  key?: number
  check?: number
  /** Processes whose records this summary covers, when more than one (fleet storm control). */
  instances?: number
  /**
   * True when this process's part of a fleet's storm is summarised alone because Redis was lost before
   * the fleet's summary: repeats other processes had handed to Redis are not in this count.
   */
  fleetLost?: boolean
}

export interface DeduplicatorOptions {
  windowMs: number
  /** Open windows kept at most; opening one more ends the oldest early. */
  maxWindows: number
  /**
   * Also report windows that end without repeats, each with its fingerprint (`key`, `check`): storm
   * control shared by many processes must hear of every window its first record joined. Default false
   * (a window that never repeats allocates nothing).
   */
  reportEmpty?: boolean
}

/** Open windows kept at most by the notifiers; a flood of distinct records ends the oldest early. */
export const MAX_DEDUP_WINDOWS = 1000

export const NO_WINDOWS: readonly DedupWindow[] = Object.freeze([])
const NONE = NO_WINDOWS
const EMPTY = 0

/**
 * Open windows live in preallocated typed arrays: a pool of window ids, an open-addressing hash table
 * from key to id, and a ring of ids in opening order (which is ending order: every window lasts
 * `windowMs`). Opening, folding into and ending a window allocate nothing, so a flood of distinct
 * records on the caller's thread leaves no garbage here. Only a window that sees a repeat is described
 * (one small object), and only a window that ends with repeats yields a summary.
 *
 * A window's numbers sit side by side in one 64-byte slot of `#slots` (key, check, times, repeats), so
 * folding a repeat touches one cache line there and one in the table: between two repeats of one
 * alert, the logger's own garbage has usually pushed both out of the fast caches.
 */
const KEY = 0
const CHECK = 1
const FIRST_SEEN = 2
const LAST_SEEN = 3
const ENDS_AT = 4
const REPEATS = 5
/** 1 once the window is described (it has seen a repeat), else 0. */
const DESCRIBED = 6
const SLOT = 8

export class Deduplicator {
  readonly windowMs: number
  readonly maxWindows: number
  readonly #reportEmpty: boolean
  /** Per window id, SLOT numbers from id * SLOT. */
  #slots: Float64Array
  #described: Array<DedupWindow | undefined>
  // Hash table of (id + 1), EMPTY when free; linear probing with backward-shift deletion.
  #table: Int32Array
  #mask: number
  // Free ids (a stack) and open ids in opening order (a ring).
  #free: Int32Array
  #freeTop: number
  #ring: Int32Array
  #ringHead = 0
  #count = 0
  /** Windows that ended with repeats and whose summary has not been taken yet. */
  #due: DedupWindow[] = []

  constructor (options: DeduplicatorOptions) {
    this.windowMs = options.windowMs
    this.maxWindows = options.maxWindows
    this.#reportEmpty = options.reportEmpty === true
    const n = options.maxWindows
    this.#slots = new Float64Array(n * SLOT)
    this.#described = new Array<DedupWindow | undefined>(n).fill(undefined)
    // At most half full, so probes stay short.
    let size = 2
    while (size < n * 2) size *= 2
    this.#table = new Int32Array(size)
    this.#mask = size - 1
    this.#free = new Int32Array(n)
    for (let i = 0; i < n; i++) this.#free[i] = n - 1 - i
    this.#freeTop = n
    this.#ring = new Int32Array(n)
  }

  /** Open windows. */
  get size (): number {
    return this.#count
  }

  /**
   * Offers a record under `key` at `now`. True: it is the first of a new window and should be sent.
   * False: it was folded into the open window and counted. A string key is hashed; a number key is
   * taken as a hash, and `check` (a second hash) guards it: a record whose key matches an open window
   * but whose check does not is sent, never folded.
   */
  offer (key: string | number, record: LogRecord, now: number, check = 0): boolean {
    if (typeof key === 'string') {
      check = hashString(key, STRING_CHECK_SEED)
      key = hashString(key, STRING_KEY_SEED) & KEY_MASK
    }
    // Windows whose time is up end first, oldest first; then the key's window, if any, is current.
    this.#endExpired(now)
    const id = this.#find(key)
    if (id !== -1) {
      const at = id * SLOT
      const slots = this.#slots
      if (slots[at + CHECK] !== check) return true
      slots[at + REPEATS]!++
      slots[at + LAST_SEEN] = now
      if (slots[at + DESCRIBED] === 0) {
        this.#described[id] = describe(record, slots[at + FIRST_SEEN]!, slots[at + ENDS_AT]!)
        slots[at + DESCRIBED] = 1
      }
      return false
    }
    if (this.#count >= this.maxWindows) this.#end(this.#ring[this.#ringHead]!)
    this.#open(key, check, now)
    return true
  }

  /**
   * Folds one more repeat into the open window under `key` (a hash; `check` confirms it) without a
   * record, and returns true; returns false, counting nothing, when no such window is open or it has not
   * been described yet (its first repeat must be offered whole). The time (epoch ms) is read from
   * `time[0]` (BurstClock.cell: a raw double, so the logging thread boxes no number). Windows whose time
   * is up end first, as in `offer()`: take their summaries with `expire()`.
   */
  fold (key: number, check: number, time: Float64Array): boolean {
    const now = time[0]!
    const slots = this.#slots
    if (this.#count > 0 && slots[this.#ring[this.#ringHead]! * SLOT + ENDS_AT]! <= now) this.#endExpired(now)
    const id = this.#find(key)
    if (id === -1) return false
    const at = id * SLOT
    if (slots[at + CHECK] !== check || slots[at + DESCRIBED] === 0) return false
    slots[at + REPEATS]!++
    slots[at + LAST_SEEN] = now
    return true
  }

  /** True when windows ended with repeats and their summaries wait to be taken (`expire()`, `endAll()`). */
  get hasDue (): boolean {
    return this.#due.length > 0
  }

  /** Ends the windows whose time is up at `now` and returns every summary now due (oldest first). */
  expire (now: number): readonly DedupWindow[] {
    this.#endExpired(now)
    return this.#takeDue()
  }

  /** Ends every open window (flush, close) and returns the summaries due. */
  endAll (): readonly DedupWindow[] {
    while (this.#count > 0) this.#end(this.#ring[this.#ringHead]!)
    return this.#takeDue()
  }

  /** When the oldest open window ends, or undefined when none is open. */
  nextEnd (): number | undefined {
    return this.#count === 0 ? undefined : this.#slots[this.#ring[this.#ringHead]! * SLOT + ENDS_AT]
  }

  #endExpired (now: number): void {
    while (this.#count > 0) {
      const head = this.#ring[this.#ringHead]!
      if (this.#slots[head * SLOT + ENDS_AT]! > now) return
      this.#end(head)
    }
  }

  #open (key: number, check: number, now: number): void {
    const id = this.#free[--this.#freeTop]!
    const at = id * SLOT
    const slots = this.#slots
    slots[at + KEY] = key
    slots[at + CHECK] = check
    slots[at + FIRST_SEEN] = now
    slots[at + LAST_SEEN] = now
    slots[at + ENDS_AT] = now + this.windowMs
    slots[at + REPEATS] = 0
    slots[at + DESCRIBED] = 0
    this.#described[id] = undefined
    let slot = key & this.#mask
    while (this.#table[slot] !== EMPTY) slot = (slot + 1) & this.#mask
    this.#table[slot] = id + 1
    this.#ring[(this.#ringHead + this.#count) % this.maxWindows] = id
    this.#count++
  }

  /** Ends the window at the head of the ring (the only one that can end: the oldest). */
  #end (id: number): void {
    this.#ringHead = (this.#ringHead + 1) % this.maxWindows
    this.#count--
    const at = id * SLOT
    this.#remove(this.#slots[at + KEY]!, id)
    this.#free[this.#freeTop++] = id
    const described = this.#described[id]
    const repeats = this.#slots[at + REPEATS]!
    if (repeats > 0 && described !== undefined) {
      const window: DedupWindow = { ...described, lastSeen: this.#slots[at + LAST_SEEN]!, repeats }
      if (this.#reportEmpty) {
        window.key = this.#slots[at + KEY]!
        window.check = this.#slots[at + CHECK]!
      }
      this.#due.push(window)
    } else if (this.#reportEmpty) {
      this.#due.push(emptyWindow(this.#slots[at + KEY]!, this.#slots[at + CHECK]!, this.#slots[at + FIRST_SEEN]!, this.#slots[at + ENDS_AT]!))
    }
    this.#described[id] = undefined
  }

  #find (key: number): number {
    let slot = key & this.#mask
    for (let entry = this.#table[slot]!; entry !== EMPTY; entry = this.#table[slot]!) {
      if (this.#slots[(entry - 1) * SLOT + KEY] === key) return entry - 1
      slot = (slot + 1) & this.#mask
    }
    return -1
  }

  /** Removes `id` from the table, shifting later entries of its probe run back (no tombstones). */
  #remove (key: number, id: number): void {
    const mask = this.#mask
    let hole = key & mask
    while (this.#table[hole] !== id + 1) hole = (hole + 1) & mask
    let next = (hole + 1) & mask
    for (let entry = this.#table[next]!; entry !== EMPTY; entry = this.#table[next]!) {
      const home = this.#slots[(entry - 1) * SLOT + KEY]! & mask
      // Move the entry into the hole unless its home lies cyclically in (hole, next].
      const stays = hole <= next ? (home > hole && home <= next) : (home > hole || home <= next)
      if (!stays) {
        this.#table[hole] = entry
        hole = next
      }
      next = (next + 1) & mask
    }
    this.#table[hole] = EMPTY
  }

  #takeDue (): readonly DedupWindow[] {
    if (this.#due.length === 0) return NONE
    const due = this.#due
    this.#due = []
    return due
  }
}

const STRING_KEY_SEED = 0x811c9dc5
const STRING_CHECK_SEED = 0x9e3779b9
const KEY_MASK = 0x3fffffff

/** FNV-1a over UTF-16 units, from `seed`: string keys become the same numbers hashed keys are. */
function hashString (s: string, seed: number): number {
  let h = seed | 0
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return h
}

/** A window that ended without repeats: its fingerprint and times only, nothing to summarise. */
function emptyWindow (key: number, check: number, firstSeen: number, endsAt: number): DedupWindow {
  return { severity: 'error', service: undefined, title: '', template: '', errorType: undefined, topFrame: undefined, firstSeen, lastSeen: firstSeen, repeats: 0, endsAt, key, check }
}

/** What a summary says about records like `record` (title, template, error type, frame; small copies). */
export function describeRecord (record: LogRecord, firstSeen: number, endsAt: number): DedupWindow {
  return describe(record, firstSeen, endsAt)
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
