/**
 * Text measurement and cutting the way Discord counts: Unicode code points after trimming
 * (discord-api-docs #1315 — the API runs on Python 3, whose `len()` counts code points).
 * JavaScript's `.length` counts UTF-16 units, so every length check here goes through
 * `codePointLength`, and every cut lands on a code-point (and, where cheap, grapheme) boundary.
 */

import { stripVTControlCharacters } from 'node:util'

export const ELLIPSIS = '…'

/** Not whitespace to Python's `str.strip()`, so Discord keeps it: the stand-in for a required-but-empty field name or value (BASE_TYPE_REQUIRED otherwise). */
export const ZERO_WIDTH_SPACE = '\u200b'

const FENCE = '```'
const FENCE_CLOSE = '\n```'
const FENCE_PATTERN = /```/g
const TRAILING_BACKTICKS = /`+$/
const BACKTICK_BEFORE_BACKTICK = /`(?=`)/g
const BACKSLASHES_THEN_BACKTICK = /(\\*)`/g

/** UTF-16 units per code point at most; a window this many times the limit always holds `limit` code points. */
export const MAX_UNITS_PER_CODE_POINT = 2
/** How far around a cut we look for a grapheme boundary (emoji ZWJ sequences, flags, combining marks). */
const GRAPHEME_WINDOW = 32
let segmenter: Intl.Segmenter | undefined

/**
 * `s` without terminal escape sequences (colours, cursor moves): what a colourising log format (winston's
 * `colorize()`, pino-pretty, chalk in the message) leaves in text that reaches Discord as noise. Node's own parser.
 */
export function withoutAnsi (s: string): string {
  return s.includes('\u001b') || s.includes('\u009b') ? stripVTControlCharacters(s) : s
}

/** Number of Unicode code points in `s` (a lone surrogate counts as one, as in Python). */
export function codePointLength (s: string): number {
  let n = 0
  for (let i = 0; i < s.length; i = nextCodePoint(s, i)) n++
  return n
}

/** Index of the code point after the one at `i`: a surrogate pair is one, a lone surrogate too. */
function nextCodePoint (s: string, i: number): number {
  return i + ((s.codePointAt(i) ?? 0) > 0xffff ? 2 : 1)
}

/**
 * Trims `s` and cuts it to at most `max` code points (`max` below 1 gives ''). A cut result ends with '…',
 * never splits a surrogate pair or a grapheme cluster, drops a dangling backtick run (which would start a
 * fence or inline code that swallows what follows), and closes a ``` code fence left open by the cut with
 * '\n```' (the closing fence comes after the '…' and still counts toward `max`).
 */
export function truncate (s: string, max: number): string {
  if (!(max >= 1)) return ''
  const limit = Math.floor(max)
  let t = s.trimStart()
  // Only the first `limit` code points can survive, so only a window of units is looked at: 1 MB costs what a short string does.
  const window = limit * MAX_UNITS_PER_CODE_POINT + MAX_UNITS_PER_CODE_POINT
  if (t.length > window) {
    t = t.slice(0, window)
  } else {
    t = t.trimEnd()
    if (codePointLength(t) <= limit) return t
  }
  let keep = limit - ELLIPSIS.length
  let head = cutHead(t, keep)
  if (isInsideFence(head)) {
    if (codePointLength(head) + ELLIPSIS.length + FENCE_CLOSE.length <= limit) return head + ELLIPSIS + FENCE_CLOSE
    keep -= FENCE_CLOSE.length
    head = cutHead(t, keep)
    if (isInsideFence(head)) return head + ELLIPSIS + FENCE_CLOSE
  }
  return head + ELLIPSIS
}

/** `s` cut to at most `max` code points by plain slicing (no ellipsis, no trimming). */
export function sliceCodePoints (s: string, max: number): string {
  let i = 0
  for (let n = 0; n < max && i < s.length; n++) i = nextCodePoint(s, i)
  return s.slice(0, i)
}

/**
 * Breaks every mention Discord would parse in message `content` by inserting a zero-width space:
 * `@everyone`, `@here`, `<@id>`, `<@!id>`, `<@&roleId>`. `allowed_mentions: { parse: [] }` already
 * stops pings (contract §6); this is the second lock for plain-text fallbacks, whose text is untrusted.
 */
export function neutralizeMentions (s: string): string {
  return s
    .replace(/@(everyone|here)/gi, `@${ZERO_WIDTH_SPACE}$1`)
    .replace(/<@(?!\u200b)/g, `<@${ZERO_WIDTH_SPACE}`)
}

/** Backslash-escapes Discord markdown characters, for short labels such as an error type name. */
export function escapeMarkdown (s: string): string {
  return s.replace(/[\\*_`~|]/g, '\\$&')
}

/**
 * Makes text safe inside a ``` code block. Discord's markdown is not CommonMark: a block runs from ```
 * to the next ``` anywhere (even mid-line) and a longer fence does not nest a shorter one, so a
 * zero-width space goes after every backtick that another follows. Reads as written; idempotent.
 */
export function escapeCodeBlock (s: string): string {
  return s.replace(BACKTICK_BEFORE_BACKTICK, `\`${ZERO_WIDTH_SPACE}`)
}

/**
 * Makes record text outside a code block show its backticks as typed: every backtick, and every
 * backslash just before one, is backslash-escaped (Discord shows `` \` `` as a backtick), so record
 * text never opens inline code or a block that would swallow the library's own. Other markdown stays.
 */
export function escapeBackticks (s: string): string {
  return s.includes('`') ? s.replace(BACKSLASHES_THEN_BACKTICK, (_, slashes: string) => `${slashes}${slashes}\\\``) : s
}

/** Wraps `s` in a ``` block. */
export function codeBlock (s: string): string {
  return `${FENCE}\n${escapeCodeBlock(s)}\n${FENCE}`
}

function cutHead (t: string, keep: number): string {
  if (keep <= 0) return ''
  const index = graphemeBoundaryAtOrBefore(t, sliceCodePoints(t, keep).length)
  return t.slice(0, index).trimEnd().replace(TRAILING_BACKTICKS, '').trimEnd()
}

function isInsideFence (s: string): boolean {
  const fences = s.match(FENCE_PATTERN)
  return fences !== null && fences.length % 2 === 1
}

/** Largest grapheme boundary ≤ `index` (a cut keeps 'é' or 👨‍👩‍👧 whole or drops it), segmenting only a window; a longer cluster (zalgo) keeps `index`. */
function graphemeBoundaryAtOrBefore (t: string, index: number): number {
  // Node ships full ICU since v13; a small-icu build without Segmenter still cuts on code points.
  if (typeof Intl.Segmenter === 'function') segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' })
  if (segmenter === undefined || index <= 0 || index >= t.length) return index
  const start = Math.max(0, index - GRAPHEME_WINDOW)
  const end = Math.min(t.length, index + GRAPHEME_WINDOW)
  let best = -1
  for (const { index: offset } of segmenter.segment(t.slice(start, end))) {
    const at = start + offset
    if (at > index) break
    best = at
  }
  return best < 0 || (best === start && start > 0) ? index : best
}
