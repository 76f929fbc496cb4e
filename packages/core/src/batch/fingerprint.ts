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
 * Templates of recently seen texts, with the two hashes of each template. An incident repeats the same
 * strings, and the regex pass plus hashing every character is most of what fingerprinting costs on the
 * caller's thread; a hit costs a few sampled characters, one 64-byte block and a comparison. The cache
 * is a fixed 4-way set-associative table (a set per sampled text hash, its ways replaced in turn):
 * unlike a Map it never grows, rehashes or clears, so a flood of distinct texts costs no allocation
 * beyond the templates themselves. Sets are many (2048 for at most 8192 texts) so that a thousand
 * distinct alerts cycling through an incident almost never meet five to a set, where they would
 * evict each other and pay the regex again (bench/winston.mjs, distinct workload).
 */
const TEMPLATE_WAYS = 4
const TEMPLATE_SETS = 2048
const TEMPLATE_SLOTS = TEMPLATE_SETS * TEMPLATE_WAYS
const slotTexts: Array<string | undefined> = new Array(TEMPLATE_SLOTS).fill(undefined)
/** A slot's template as text, made on first need (summaries, fingerprint()): a lookup needs only its hashes. */
const slotTemplates: Array<string | undefined> = new Array<string | undefined>(TEMPLATE_SLOTS).fill(undefined)
/**
 * Per set, one 64-byte block: the ways' sampled text hashes (compared before the texts themselves),
 * then each way's template's two hashes, then the way to replace next. A hit reads one block.
 */
const SET_INTS = 16
const SET_HASHES = TEMPLATE_WAYS
const SET_NEXT = SET_HASHES + TEMPLATE_WAYS * 2
const sets = new Int32Array(TEMPLATE_SETS * SET_INTS)
/** Characters sampled for the set index: enough to tell apart texts of one length, no full pass. */
const SET_SAMPLES = 8

/** A cheap hash of the length and a few sampled characters; its low bits pick the set. */
function sampleHash (text: string): number {
  const n = text.length
  let h = Math.imul(n, 0x9e3779b1)
  const step = n > SET_SAMPLES ? (n / SET_SAMPLES) | 0 : 1
  for (let i = 0; i < n; i += step) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  h = Math.imul(h ^ text.charCodeAt(n - 1), 0x01000193)
  return h ^ (h >>> 16)
}

/** Where in `sets` a slot's two template hashes are. */
function hashesAt (slot: number): number {
  return (slot >> 2) * SET_INTS + SET_HASHES + (slot & (TEMPLATE_WAYS - 1)) * 2
}

/** The slot holding `text`'s template and hashes, filled on a miss. `text` must not be empty. */
function templateSlot (text: string): number {
  // Long texts are keyed by their head only, so a 1 MB message is never kept alive by the cache.
  const head = text.length > MAX_TEMPLATE_CHARS ? text.slice(0, MAX_TEMPLATE_CHARS) : text
  const h = sampleHash(head)
  const set = h & (TEMPLATE_SETS - 1)
  const block = set * SET_INTS
  const first = set * TEMPLATE_WAYS
  for (let way = 0; way < TEMPLATE_WAYS; way++) if (sets[block + way] === h && slotTexts[first + way] === head) return first + way
  const way = sets[block + SET_NEXT]!
  sets[block + SET_NEXT] = (way + 1) % TEMPLATE_WAYS
  const slot = first + way
  slotTexts[slot] = head
  sets[block + way] = h
  slotTemplates[slot] = undefined
  templateHashes(head, sets, hashesAt(slot))
  return slot
}

/** The message with numbers, ids, hex, UUIDs and quoted strings replaced by placeholders. */
export function normaliseTemplate (text: string): string {
  if (text === '') return text
  const slot = templateSlot(text)
  return (slotTemplates[slot] ??= slotTexts[slot]!.replace(VARIABLE, placeholder))
}

/*
 * The template's two hashes without the regex and without building the template: one pass over the
 * text that finds what VARIABLE finds, in the same order of preference, and mixes in each placeholder's
 * characters instead of the variable's. A text that misses the cache (ids that change with every
 * call: "order 1234 failed", "order 1235 failed") then costs one scan, not a regex replace, a new
 * string and two hash passes. The property test in dedup-fingerprint.test.ts holds the two to one answer.
 */
const PLACEHOLDER_STR = '<str>'
const PLACEHOLDER_UUID = '<uuid>'
const PLACEHOLDER_HEX = '<hex>'
const PLACEHOLDER_N = '<n>'
/** A quoted string matches with at most this many characters (or escapes) inside, as in VARIABLE. */
const MAX_QUOTED = 200

function isWordChar (c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95
}

function isHexChar (c: number): boolean {
  const lower = c | 32
  return (c >= 48 && c <= 57) || (lower >= 97 && lower <= 102)
}

function isDigitChar (c: number): boolean {
  return c >= 48 && c <= 57
}

/** `\b` after a match that ends with a word character: the text ends or a non-word character follows. */
function wordEndsAt (text: string, i: number): boolean {
  return i === text.length || !isWordChar(text.charCodeAt(i))
}

/** End of the quoted string opening at `i` with `quote`, or -1: `(["'`])(?:(?!\1)[^\\\n]|\\.){0,200}\1`. */
function quotedEnd (text: string, i: number, quote: number): number {
  let j = i + 1
  for (let units = 0; units < MAX_QUOTED && j < text.length; units++) {
    const c = text.charCodeAt(j)
    if (c === quote) return j + 1
    if (c === 10) return -1
    if (c === 92) {
      // An escape pairs with any character but a line terminator ('.' without the s flag).
      const next = j + 1 < text.length ? text.charCodeAt(j + 1) : 10
      if (next === 10 || next === 13 || next === 0x2028 || next === 0x2029) return -1
      j += 2
    } else {
      j++
    }
  }
  return j < text.length && text.charCodeAt(j) === quote ? j + 1 : -1
}

/** End of hex characters from `i` (case-insensitive). */
function hexRunEnd (text: string, i: number): number {
  while (i < text.length && isHexChar(text.charCodeAt(i))) i++
  return i
}

/** End of a UUID at `i` (a word boundary before it is the caller's), or -1. */
function uuidEnd (text: string, i: number): number {
  if (i + 36 > text.length) return -1
  for (let j = i; j < i + 36; j++) {
    const c = text.charCodeAt(j)
    // Dashes after 8, 12, 16 and 20 hex characters: 8-4-4-4-12.
    const dash = j === i + 8 || j === i + 13 || j === i + 18 || j === i + 23
    if (dash ? c !== 45 : !isHexChar(c)) return -1
  }
  return wordEndsAt(text, i + 36) ? i + 36 : -1
}

/**
 * Writes hashA() and hashB() of `text.replace(VARIABLE, placeholder)` into `out[at]` and `out[at + 1]`.
 * At each position the alternatives are tried in VARIABLE's order: a quoted string, a UUID, 0x-hex, a
 * hex run of 8 or more with a digit (those three only at a word boundary), then a number. A literal
 * character is mixed in as it is passed, a variable as its placeholder's characters.
 */
export function templateHashes (text: string, out: Int32Array, at: number): void {
  let a = FNV_OFFSET | 0
  let b = SECOND_SEED | 0
  const n = text.length
  // Whether the character before `i` is a word character: a `\b` before a UUID or hex run needs false.
  let afterWord = false
  let i = 0
  while (i < n) {
    const c = text.charCodeAt(i)
    let end = -1
    let placeholderText = PLACEHOLDER_N
    if (c === 34 || c === 39 || c === 96) {
      end = quotedEnd(text, i, c)
      placeholderText = PLACEHOLDER_STR
    } else if (!afterWord && isHexChar(c)) {
      end = uuidEnd(text, i)
      placeholderText = PLACEHOLDER_UUID
      if (end === -1 && c === 48 && (text.charCodeAt(i + 1) | 32) === 120) {
        const run = hexRunEnd(text, i + 2)
        if (run > i + 2 && wordEndsAt(text, run)) end = run
        placeholderText = PLACEHOLDER_HEX
      }
      if (end === -1) {
        const run = hexRunEnd(text, i)
        if (run - i >= 8 && wordEndsAt(text, run)) {
          let digit = false
          let letter = false
          for (let j = i; j < run; j++) isDigitChar(text.charCodeAt(j)) ? (digit = true) : (letter = true)
          if (digit) {
            end = run
            placeholderText = letter ? PLACEHOLDER_HEX : PLACEHOLDER_N
          }
        }
      }
    }
    if (end === -1 && isDigitChar(c)) {
      end = i + 1
      while (end < n && isDigitChar(text.charCodeAt(end))) end++
      if (end + 1 < n && text.charCodeAt(end) === 46 && isDigitChar(text.charCodeAt(end + 1))) {
        end += 2
        while (end < n && isDigitChar(text.charCodeAt(end))) end++
      }
      placeholderText = PLACEHOLDER_N
    }
    if (end === -1) {
      a = Math.imul(a ^ c, FNV_PRIME)
      b = Math.imul(b ^ c, SECOND_PRIME)
      afterWord = isWordChar(c)
      i++
      continue
    }
    for (let k = 0; k < placeholderText.length; k++) {
      a = Math.imul(a ^ placeholderText.charCodeAt(k), FNV_PRIME)
      b = Math.imul(b ^ placeholderText.charCodeAt(k), SECOND_PRIME)
    }
    afterWord = isWordChar(text.charCodeAt(end - 1))
    i = end
  }
  out[at] = a
  out[at + 1] = b
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
 * The pieces a record is recognised by, in a fixed order: `fingerprint()` joins them as text, and
 * `fingerprintHash()` folds each piece's two hashes into two running hashes (template pieces come
 * hashed from the template cache). Both walk the same pieces, so they group records identically.
 */
function textPieces (severity: string, service: string | undefined, text: string, error: LogRecord['error'], deferred: boolean, parts: readonly FingerprintPart[]): string[] {
  const out: string[] = []
  for (const part of parts) {
    switch (part) {
      case 'severity':
        out.push(severity)
        break
      case 'message':
        // Its service, its text and its error's message, each normalised on its own.
        out.push(normaliseTemplate(service ?? ''), normaliseTemplate(text), normaliseTemplate(error?.message ?? ''))
        break
      // U+2026 cannot be an error type or a frame: deferred and eager records never share a window.
      case 'errorType':
        out.push(deferred ? DEFERRED : error?.type ?? '')
        break
      case 'topFrame':
        out.push(deferred ? DEFERRED : topFrame(error?.stack) ?? '')
        break
    }
  }
  return out
}

/** Pieces after the message's template: its error's message, the error type, the frame. */
const MAX_SUFFIX_PIECES = 3
/** What stands for the error type and frame of a record whose error is deferred. */
const DEFERRED = '\u2026'

/** The text a record's 'message' part is made from: its message, or title, or plain content. */
function recordText (record: LogRecord): string {
  return record.message !== '' ? record.message : record.title ?? record.content ?? record.embed?.title ?? ''
}

/** The storm-control key of `record` as readable text: the chosen parts, in a fixed order. */
export function fingerprint (record: LogRecord, parts: readonly FingerprintPart[]): string {
  const deferred = hasDeferredError(record)
  return textPieces(record.severity, record.service, recordText(record), deferred ? undefined : record.error, deferred, parts).join('\u0000')
}

const FNV_OFFSET = 0x811c9dc5
const FNV_PRIME = 0x01000193
const SECOND_SEED = 0x9e3779b9
const SECOND_PRIME = 0x5bd1e995
/** Keeps the first hash a small integer (a V8 Smi), so a Map keyed by it allocates nothing per lookup. */
const SMI_MASK = 0x3fffffff

function hashA (text: string): number {
  let a = FNV_OFFSET | 0
  for (let i = 0; i < text.length; i++) a = Math.imul(a ^ text.charCodeAt(i), FNV_PRIME)
  return a
}

function hashB (text: string): number {
  let b = SECOND_SEED | 0
  for (let i = 0; i < text.length; i++) b = Math.imul(b ^ text.charCodeAt(i), SECOND_PRIME)
  return b
}

/** A template piece's two hashes from the cache, as an index into `sets` (-1: the empty text). */
function templatePair (text: string): number {
  return text === '' ? -1 : hashesAt(templateSlot(text))
}

function pairA (pair: number): number {
  return pair === -1 ? FNV_OFFSET | 0 : sets[pair]!
}

function pairB (pair: number): number {
  return pair === -1 ? SECOND_SEED | 0 : sets[pair + 1]!
}

const DEFERRED_A = hashA(DEFERRED)
const DEFERRED_B = hashB(DEFERRED)
/** The hashes of the last severity seen: a handful of names, nearly always the same one again. */
let lastSeverity = ''
let lastSeverityA = hashA('')
let lastSeverityB = hashB('')

/** Part codes, so the walk below switches on small integers instead of comparing strings. */
const SEVERITY_PART = 0
const MESSAGE_PART = 1
const ERROR_TYPE_PART = 2
const TOP_FRAME_PART = 3
/** The last parts array seen and its codes: callers pass the same resolved option every time. */
let planParts: readonly FingerprintPart[] | undefined
let plan = new Int8Array(0)

function planOf (parts: readonly FingerprintPart[]): Int8Array {
  if (parts !== planParts) {
    plan = Int8Array.from(parts, (p) => FINGERPRINT_PARTS.indexOf(p))
    planParts = parts
  }
  return plan
}

function hashPieces (severity: string, service: string | undefined, text: string, error: LogRecord['error'], deferred: boolean, parts: readonly FingerprintPart[], out: Int32Array): void {
  let a = FNV_OFFSET | 0
  let b = SECOND_SEED | 0
  const codes = planOf(parts)
  for (let i = 0; i < codes.length; i++) {
    switch (codes[i]) {
      case SEVERITY_PART:
        if (severity !== lastSeverity) {
          lastSeverityA = hashA(severity)
          lastSeverityB = hashB(severity)
          lastSeverity = severity
        }
        a = Math.imul(a ^ lastSeverityA, FNV_PRIME)
        b = Math.imul(b ^ lastSeverityB, SECOND_PRIME)
        break
      case MESSAGE_PART: {
        let pair = templatePair(service ?? '')
        a = Math.imul(a ^ pairA(pair), FNV_PRIME)
        b = Math.imul(b ^ pairB(pair), SECOND_PRIME)
        pair = templatePair(text)
        a = Math.imul(a ^ pairA(pair), FNV_PRIME)
        b = Math.imul(b ^ pairB(pair), SECOND_PRIME)
        pair = templatePair(error?.message ?? '')
        a = Math.imul(a ^ pairA(pair), FNV_PRIME)
        b = Math.imul(b ^ pairB(pair), SECOND_PRIME)
        break
      }
      case ERROR_TYPE_PART: {
        const type = deferred ? '' : error?.type ?? ''
        a = Math.imul(a ^ (deferred ? DEFERRED_A : hashA(type)), FNV_PRIME)
        b = Math.imul(b ^ (deferred ? DEFERRED_B : hashB(type)), SECOND_PRIME)
        break
      }
      case TOP_FRAME_PART: {
        const frame = deferred ? '' : topFrame(error?.stack) ?? ''
        a = Math.imul(a ^ (deferred ? DEFERRED_A : hashA(frame)), FNV_PRIME)
        b = Math.imul(b ^ (deferred ? DEFERRED_B : hashB(frame)), SECOND_PRIME)
        break
      }
    }
  }
  out[0] = a & SMI_MASK
  out[1] = b
}

/**
 * The storm-control key of `record` as two independent 32-bit hashes of the same pieces as
 * `fingerprint()`, written into `out` (out[0] is the map key, out[1] confirms a match). No string is
 * built: on the caller's thread, a flood of distinct records then costs no garbage here.
 */
export function fingerprintHash (record: LogRecord, parts: readonly FingerprintPart[], out: Int32Array): void {
  const deferred = hasDeferredError(record)
  hashPieces(record.severity, record.service, recordText(record), deferred ? undefined : record.error, deferred, parts, out)
}

/**
 * What `fingerprintHash()` writes for a record with this severity, service and non-empty `message` whose
 * error is deferred (see above), without the record: the Winston transport recognises a repeat of
 * `logger.error(err)` from the Error itself, before it builds anything. Every piece but the message's
 * template is the same for one severity, service and set of parts, so the running hashes before it
 * and the pieces after it are worked out once for that context, and a call mixes in the template's
 * hashes only: a short, straight path for the logging thread.
 */
export function deferredFingerprintHash (severity: string, service: string | undefined, message: string, parts: readonly FingerprintPart[], out: Int32Array): void {
  if (parts !== contextParts || severity !== contextSeverity || service !== contextService) setContext(severity, service, parts)
  let a = prefixA
  let b = prefixB
  if (withText) {
    const at = hashesAt(templateSlot(message))
    a = Math.imul(a ^ sets[at]!, FNV_PRIME)
    b = Math.imul(b ^ sets[at + 1]!, SECOND_PRIME)
    for (let i = 0; i < suffixCount; i++) {
      a = Math.imul(a ^ suffixA[i]!, FNV_PRIME)
      b = Math.imul(b ^ suffixB[i]!, SECOND_PRIME)
    }
  }
  out[0] = a & SMI_MASK
  out[1] = b
}

/** The context deferredFingerprintHash() last worked out, and what it gave. */
let contextParts: readonly FingerprintPart[] | undefined
let contextSeverity = ''
let contextService: string | undefined
/** The running hashes before the message's template (all of them when the parts leave it out). */
let prefixA = 0
let prefixB = 0
let withText = false
/** The hashes of the pieces after the message's template, in order. */
const suffixA = new Int32Array(MAX_SUFFIX_PIECES)
const suffixB = new Int32Array(MAX_SUFFIX_PIECES)
let suffixCount = 0

function setContext (severity: string, service: string | undefined, parts: readonly FingerprintPart[]): void {
  // The walk hashPieces() makes, stopped at the message's text: the pieces before it make the prefix,
  // the ones after it (all constant for a deferred error) the suffix.
  let a = FNV_OFFSET | 0
  let b = SECOND_SEED | 0
  let afterText = false
  suffixCount = 0
  const piece = (pa: number, pb: number): void => {
    if (afterText) {
      suffixA[suffixCount] = pa
      suffixB[suffixCount] = pb
      suffixCount++
    } else {
      a = Math.imul(a ^ pa, FNV_PRIME)
      b = Math.imul(b ^ pb, SECOND_PRIME)
    }
  }
  for (const part of parts) {
    switch (part) {
      case 'severity':
        piece(hashA(severity), hashB(severity))
        break
      case 'message': {
        const pair = templatePair(service ?? '')
        piece(pairA(pair), pairB(pair))
        afterText = true
        piece(FNV_OFFSET | 0, SECOND_SEED | 0) // the deferred error's message: left out, as ''
        break
      }
      case 'errorType':
      case 'topFrame':
        piece(DEFERRED_A, DEFERRED_B)
        break
    }
  }
  prefixA = a
  prefixB = b
  withText = afterText
  contextParts = parts
  contextSeverity = severity
  contextService = service
}
