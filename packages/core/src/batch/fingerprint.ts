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
 * what fingerprinting costs on the caller's thread; a hit costs one hash lookup. Bounded: cleared
 * when full, so distinct texts (ids in every message) cost one insert each and never grow memory.
 */
const TEMPLATE_CACHE_MAX = 512
const templateCache = new Map<string, string>()

/** The message with numbers, ids, hex, UUIDs and quoted strings replaced by placeholders. */
export function normaliseTemplate (text: string): string {
  if (text === '') return text
  // Long texts are keyed by their head only, so a 1 MB message is never kept alive by the cache.
  const head = text.length > MAX_TEMPLATE_CHARS ? text.slice(0, MAX_TEMPLATE_CHARS) : text
  let template = templateCache.get(head)
  if (template === undefined) {
    template = head.replace(VARIABLE, placeholder)
    if (templateCache.size >= TEMPLATE_CACHE_MAX) templateCache.clear()
    templateCache.set(head, template)
  }
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

/** The text a record is recognised by: its service, its message (or title, or plain content) and its error's message. */
function templateOf (record: LogRecord, deferred: boolean): string {
  const text = record.message !== '' ? record.message : record.title ?? record.content ?? record.embed?.title ?? ''
  const errorMessage = deferred ? undefined : record.error?.message
  // Each part is normalised on its own, so each hits the template cache as the same string object.
  const service = record.service === undefined ? '' : normaliseTemplate(record.service) + '\u241f'
  const message = normaliseTemplate(text)
  return errorMessage === undefined || errorMessage === '' ? service + message : service + message + '\u241f' + normaliseTemplate(errorMessage)
}

/** The storm-control key of `record`: the chosen parts, in a fixed order, joined by a separator no log uses. */
export function fingerprint (record: LogRecord, parts: readonly FingerprintPart[]): string {
  const deferred = hasDeferredError(record)
  let key = ''
  for (const part of parts) {
    switch (part) {
      case 'severity': key += record.severity; break
      case 'message': key += templateOf(record, deferred); break
      // U+2026 cannot be an error type or a frame: deferred and eager records never share a window.
      case 'errorType': key += deferred ? '\u2026' : record.error?.type ?? ''; break
      case 'topFrame': key += deferred ? '\u2026' : topFrame(record.error?.stack) ?? ''; break
    }
    key += '\u0000'
  }
  return key
}
