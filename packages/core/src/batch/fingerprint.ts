/**
 * What makes two records "the same alert" for storm control. Pure and cheap: this runs on the
 * caller's thread for every record, so it reads a bounded prefix of the text, makes one regex pass
 * and never renders anything.
 *
 *   severity   'error'
 *   message    service + message (or title) + error message, with the variable parts replaced:
 *              "order 'A-17' failed after 3012 ms (id 9f1c…)"  →  "order <str> failed after <n> ms (id <hex>)"
 *   errorType  'TypeError'
 *   topFrame   '/app/src/pay.js:42'   (file:line of the first "at" line; the column is dropped so a
 *              minified or re-bundled build that only shifts columns still groups)
 *
 * Deferred errors. A record may serialize its error only when `record.error` is first read (the Winston
 * transport does: reading a fresh Error's `stack` makes V8 format it, about 5 µs, twice the cost of the
 * whole log call). Reading it here would pay that on the caller's thread for every repeat of a storm,
 * so for such records the error's type, frame and message are left out of the key, which becomes
 * severity + message template (Winston puts the error's message in `message` for `logger.error(err)`)
 * and is kept apart from keys of eager records. The first record of each window is rendered anyway, so
 * its summary still names the error type and frame. Measured in bench/run.mjs (Winston per-call cost).
 */
import type { LogRecord } from '../record.js'

export const FINGERPRINT_PARTS = ['severity', 'message', 'errorType', 'topFrame'] as const
export type FingerprintPart = (typeof FINGERPRINT_PARTS)[number]

/** Only this much of a message takes part: enough to tell templates apart, bounded for 1 MB records. */
export const MAX_TEMPLATE_CHARS = 300
/** Only this much of a stack is searched for the first frame (a long first line is a long message). */
const MAX_FRAME_SCAN = 4000

/**
 * One pass, most specific first: quoted strings, UUIDs, 0x-hex, long hex runs with a digit (hashes,
 * object ids), then any number (ids like `ord_100123` become `ord_<n>`).
 */
const VARIABLE = /(["'`])(?:(?!\1)[^\\\n]|\\.){0,200}\1|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b|\b0x[0-9a-f]+\b|\b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b|\d+(?:\.\d+)?/gi

function placeholder (match: string): string {
  const c = match.charCodeAt(0)
  if (c === 34 /* " */ || c === 39 /* ' */ || c === 96 /* ` */) return '<str>'
  if (match.length === 36 && match.charCodeAt(8) === 45 /* - */) return '<uuid>'
  if (match.length > 1 && (match.charCodeAt(1) === 120 || match.charCodeAt(1) === 88) && c === 48) return '<hex>'
  return /[a-f]/i.test(match) ? '<hex>' : '<n>'
}

/**
 * Templates of recently seen texts. A storm repeats the same strings, and the regex pass is most of
 * what fingerprinting costs on the caller's thread; a hit costs one hash and one comparison. The cache
 * is direct-mapped (a fixed array, a slot per text hash, newest wins): unlike a Map it never grows,
 * rehashes or clears, so a flood of distinct texts costs no allocation beyond the templates themselves.
 */
const TEMPLATE_SLOTS = 512
const slotTexts: Array<string | undefined> = new Array(TEMPLATE_SLOTS).fill(undefined)
const slotTemplates: string[] = new Array<string>(TEMPLATE_SLOTS).fill('')

/** A cheap slot index from the length and three sampled characters (no pass over the whole text). */
function slotOf (text: string): number {
  const n = text.length
  return (Math.imul(n, 31) ^ Math.imul(text.charCodeAt(0), 7) ^ Math.imul(text.charCodeAt(n >> 1), 131) ^ text.charCodeAt(n - 1)) & (TEMPLATE_SLOTS - 1)
}

/** The message with numbers, ids, hex, UUIDs and quoted strings replaced by placeholders. */
export function normaliseTemplate (text: string): string {
  if (text === '') return text
  // Long texts are keyed by their head only, so a 1 MB message is never kept alive by the cache.
  const head = text.length > MAX_TEMPLATE_CHARS ? text.slice(0, MAX_TEMPLATE_CHARS) : text
  const slot = slotOf(head)
  if (slotTexts[slot] === head) return slotTemplates[slot]!
  const template = head.replace(VARIABLE, placeholder)
  slotTexts[slot] = head
  slotTemplates[slot] = template
  return template
}

/**
 * `file:line` of the first `at` line of a V8 stack, or undefined. `at fn (/a/b.js:12:5)` and
 * `at /a/b.js:12:5` both give `/a/b.js:12`; a frame without a position (`at <anonymous>`) is kept whole.
 */
export function topFrame (stack: string | undefined): string | undefined {
  if (typeof stack !== 'string') return undefined
  const end = Math.min(stack.length, MAX_FRAME_SCAN)
  let start = 0
  while (start < end) {
    let nl = stack.indexOf('\n', start)
    if (nl === -1 || nl > end) nl = end
    let i = start
    while (i < nl && (stack.charCodeAt(i) === 32 || stack.charCodeAt(i) === 9)) i++
    if (i > start && stack.startsWith('at ', i)) return frameLocation(stack.slice(i + 3, nl).trim())
    start = nl + 1
  }
  return undefined
}

function frameLocation (frame: string): string {
  const open = frame.lastIndexOf('(')
  const where = open !== -1 && frame.endsWith(')') ? frame.slice(open + 1, -1) : frame
  // Drop the column: `file:line:col` → `file:line`.
  const m = /^(.*:\d+):\d+$/.exec(where)
  return m === null ? where : m[1]!
}

/**
 * True when `record.error` is computed on first read (an accessor, not a plain property): reading it
 * would serialize the error, stack included, on the caller's thread.
 */
export function hasDeferredError (record: LogRecord): boolean {
  return !Object.hasOwn(record, 'error') && 'error' in record
}

/**
 * The pieces a record is recognised by, in a fixed order, written into a reused array: the string
 * and the hashed fingerprint are both made from them, so they group records identically.
 */
const MAX_PIECES = 8
const pieces: string[] = new Array<string>(MAX_PIECES).fill('')
/** How many of `pieces` the last record filled (the array itself is never shrunk: no re-allocation). */
let pieceCount = 0

function push (value: string): void {
  pieces[pieceCount++] = value
}

function collectPieces (record: LogRecord, parts: readonly FingerprintPart[]): void {
  pieceCount = 0
  const deferred = hasDeferredError(record)
  for (const part of parts) {
    switch (part) {
      case 'severity':
        push(record.severity)
        break
      case 'message': {
        // Its service, its message (or title, or plain content) and its error's message, each
        // normalised on its own so each hits the template cache as the same string object.
        const text = record.message !== '' ? record.message : record.title ?? record.content ?? record.embed?.title ?? ''
        push(record.service === undefined ? '' : normaliseTemplate(record.service))
        push(normaliseTemplate(text))
        const errorMessage = deferred ? undefined : record.error?.message
        push(errorMessage === undefined ? '' : normaliseTemplate(errorMessage))
        break
      }
      // U+2026 cannot be an error type or a frame: deferred and eager records never share a window.
      case 'errorType':
        push(deferred ? '\u2026' : record.error?.type ?? '')
        break
      case 'topFrame':
        push(deferred ? '\u2026' : topFrame(record.error?.stack) ?? '')
        break
    }
  }
}

/** The storm-control key of `record` as readable text: the chosen parts, in a fixed order. */
export function fingerprint (record: LogRecord, parts: readonly FingerprintPart[]): string {
  collectPieces(record, parts)
  return pieces.slice(0, pieceCount).join('\u0000')
}

const FNV_OFFSET = 0x811c9dc5
const FNV_PRIME = 0x01000193
const SECOND_SEED = 0x9e3779b9
const SECOND_PRIME = 0x5bd1e995
const PIECE_SEPARATOR = 0x1f
/** Keeps the first hash a small integer (a V8 Smi), so a Map keyed by it allocates nothing per lookup. */
const SMI_MASK = 0x3fffffff

/**
 * The storm-control key of `record` as two independent 32-bit hashes of the same pieces as
 * `fingerprint()`, written into `out` (out[0] is the map key, out[1] confirms a match). No string is
 * built: on the caller's thread, a flood of distinct records then costs no garbage here.
 */
export function fingerprintHash (record: LogRecord, parts: readonly FingerprintPart[], out: Int32Array): void {
  collectPieces(record, parts)
  let a = FNV_OFFSET | 0
  let b = SECOND_SEED | 0
  for (let p = 0; p < pieceCount; p++) {
    const piece = pieces[p]!
    for (let i = 0; i < piece.length; i++) {
      const c = piece.charCodeAt(i)
      a = Math.imul(a ^ c, FNV_PRIME)
      b = Math.imul(b ^ c, SECOND_PRIME)
    }
    a = Math.imul(a ^ PIECE_SEPARATOR, FNV_PRIME)
    b = Math.imul(b ^ PIECE_SEPARATOR, SECOND_PRIME)
  }
  out[0] = a & SMI_MASK
  out[1] = b
}
