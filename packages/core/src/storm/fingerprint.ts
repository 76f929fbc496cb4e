/**
 * What makes two records "the same alert" for storm control, one rule for every entry point:
 *   severity   'error'
 *   message    the service, the message (or title, or content) and the error's message, variable parts
 *              replaced: "order 'A-17' failed after 3012 ms" → "order <str> failed after <n> ms"
 *   errorType  `err.name`, else its constructor's (`class DbError extends Error {}`); read without formatting the stack
 *   topFrame   file:line of the first in-app frame (not node_modules, not node:internal). Opt-in: reading
 *              an Error's `stack` makes V8 format it, a few microseconds per call
 * Runs on the caller's thread for every record: templates of recent texts are kept (a bounded Map), never computed twice.
 */
import { errorName, isError, read } from '../thrown.js'
import type { FingerprintPart, LogRecord, SerializedError } from '../types.js'

/** Only this much of a text takes part: enough to tell templates apart, bounded for 1 MB records. */
export const MAX_TEMPLATE_CHARS = 300
/** Templates kept; past this many the cache starts afresh (cheaper than forgetting the oldest of a Map). */
const MAX_TEMPLATES = 2000
/** Only this much of a stack is searched for its first in-app frame. */
const MAX_FRAME_SCAN = 8000
const FRAME = /^\s+at /

/** One pass, most specific first: quoted strings, UUIDs, 0x-hex, long hex runs with a digit (hashes, object ids), then any number (`ord_100123` → `ord_<n>`). */
const VARIABLE = /(["'`])(?:(?!\1)[^\\\n]|\\.){0,200}\1|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b|\b0x[0-9a-f]+\b|\b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b|\d+(?:\.\d+)?/gi

function placeholder (match: string): string {
  const c = match.charCodeAt(0)
  if (c === 34 || c === 39 || c === 96) return '<str>'
  if (match.length === 36 && match.charCodeAt(8) === 45) return '<uuid>'
  if (c === 48 && (match.charCodeAt(1) | 32) === 120) return '<hex>'
  return /[a-f]/i.test(match) ? '<hex>' : '<n>'
}

/** Replaced when full, not cleared: a cleared Map's old tables keep their young keys alive until a full collection (storm/windows.ts). */
let templates = new Map<string, string>()

/** The text with numbers, ids, hex, UUIDs and quoted strings replaced by placeholders (first 300 characters). */
export function normaliseTemplate (text: string): string {
  if (text === '') return text
  const head = text.length > MAX_TEMPLATE_CHARS ? text.slice(0, MAX_TEMPLATE_CHARS) : text
  let template = templates.get(head)
  if (template === undefined) {
    template = head.replace(VARIABLE, placeholder)
    if (templates.size >= MAX_TEMPLATES) templates = new Map()
    templates.set(head, template)
  }
  return template
}

/** The error's message, type and stack: from an Error (never formatting its stack unless asked) or plain data. */
function errorMessage (e: LogRecord['error']): string {
  const message = e === undefined ? undefined : isError(e) ? read(e, 'message') : (e as SerializedError).message
  return typeof message === 'string' ? message : ''
}

function errorType (e: LogRecord['error']): string {
  if (e === undefined) return ''
  if (isError(e)) return errorName(e)
  // Plain data: a SerializedError's `type`, or the `name` of an error a logger reduced to its parts.
  const type = (e as SerializedError).type ?? (e as { name?: unknown }).name
  return typeof type === 'string' ? type : ''
}

function errorStack (e: LogRecord['error']): unknown {
  return e === undefined ? undefined : isError(e) ? read(e, 'stack') : (e as SerializedError).stack
}

/**
 * `file:line` of the first frame of a V8 stack that is the application's own: not in node_modules nor Node
 * itself (`node:…`, `internal/…`). Without the column, so a build that only shifts columns still groups.
 * Falls back to the first frame when every frame is a library's.
 */
export function inAppFrame (stack: unknown): string | undefined {
  if (typeof stack !== 'string') return undefined
  let first: string | undefined
  for (const line of stack.slice(0, MAX_FRAME_SCAN).split('\n')) {
    // A frame is indented; a message line that happens to start with "at" is not.
    if (!FRAME.test(line)) continue
    const frame = line.trim()
    const open = frame.lastIndexOf('(')
    const where = open !== -1 && frame.endsWith(')') ? frame.slice(open + 1, -1) : frame.slice(3)
    const location = /^(.*:\d+):\d+$/.exec(where)?.[1] ?? where
    first ??= location
    if (!location.includes('node_modules') && !location.startsWith('node:') && !location.startsWith('internal/')) return location
  }
  return first
}

/** The text a record's 'message' part is made from: its message, or title, or content, or embed title. */
export function recordText (record: LogRecord): string {
  for (const text of [record.message, record.title, record.content, record.embed?.title]) if (typeof text === 'string' && text !== '') return text
  return ''
}

/** What a record is told apart by: each part's value, '' for the parts not used. */
export interface Fingerprint {
  severity: string
  /** The templates of the record's text, its service and its error's message. */
  text: string
  service: string
  errorText: string
  errorType: string
  frame: string
}

/** The parts in use, as flags read on every call. */
export interface Parts { severity: boolean, message: boolean, errorType: boolean, topFrame: boolean }

export function partsOf (parts: readonly FingerprintPart[]): Parts {
  return { severity: parts.includes('severity'), message: parts.includes('message'), errorType: parts.includes('errorType'), topFrame: parts.includes('topFrame') }
}

/** The fingerprint of a record with this severity, service, text and error. */
export function fingerprintOf (p: Parts, severity: string, service: string | undefined, text: string, error: LogRecord['error']): Fingerprint {
  return {
    severity: p.severity ? severity : '',
    text: p.message ? normaliseTemplate(text) : '',
    service: p.message ? normaliseTemplate(service ?? '') : '',
    errorText: p.message ? normaliseTemplate(errorMessage(error)) : '',
    errorType: p.errorType ? errorType(error) : '',
    frame: p.topFrame ? inAppFrame(errorStack(error)) ?? '' : ''
  }
}

/**
 * Whether a record with this severity, service, text (whose template is `template`) and error has the fingerprint
 * `f`: the parts of fingerprintOf(), compared one by one, each only computed when the ones before it matched.
 */
export function matches (f: Fingerprint, p: Parts, severity: string, service: string | undefined, text: string, template: string, error: LogRecord['error']): boolean {
  if (p.severity && f.severity !== severity) return false
  if (p.message) {
    if (f.service !== normaliseTemplate(service ?? '')) return false
    // `logger.error(err)`: the text is the error's message, whose template is known already.
    const message = errorMessage(error)
    if (f.errorText !== (message === text ? template : normaliseTemplate(message))) return false
  }
  return (!p.errorType || f.errorType === errorType(error)) && (!p.topFrame || f.frame === (inAppFrame(errorStack(error)) ?? ''))
}

/** A fingerprint as one string (the fleet's key in Redis is a hash of it). */
export function fingerprintKey (f: Fingerprint): string {
  return `${f.severity}\u0000${f.service}\u0000${f.text}\u0000${f.errorText}\u0000${f.errorType}\u0000${f.frame}`
}
