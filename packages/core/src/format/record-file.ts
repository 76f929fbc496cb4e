/**
 * The full text of a record, for the file attached to a message whose embed had to cut it. Pure; the
 * time shown is the record's own. "Cut" is measured, not guessed: each piece the file holds (a message
 * line, a stack frame, a cause, a field name and its whole value) is looked up in the embed's text, so
 * every kind of cut (30 stack lines, 1024 a field value, 25 fields, 4096 a description, the message's
 * share of 6000) is caught the same way. Fields are redacted as in the embed (renderFields).
 */
import { Buffer } from 'node:buffer'
import { LIMITS } from '../limits.js'
import { SEVERITY_STYLES } from '../levels.js'
import { chain, firstLineOf, innerErrors, stackLines } from './error-block.js'
import { renderFields } from './fields.js'
import { embedLength } from './fit.js'
import { renderRecord, type RenderRecordOptions } from './render.js'
import { MAX_CAUSE_DEPTH, REDACTED, isObject, renderValue } from './safe-value.js'
import { codePointLength, escapeCodeBlock, escapeMarkdown, truncate } from './text.js'
import { isoTime } from './time.js'
import type { Embed, EmbedField, LogRecord, MessageFile, RenderOptions, SerializedError } from '../types.js'

/**
 * Largest file attached for one record, in UTF-8 bytes: a real record (tens of thousands of frames or
 * fields) never reaches 1 MiB, and ten (a full message) stay far below Discord's 10 MiB a file and 25 MiB
 * a request (contract §1). A longer text keeps its first part and a line saying how many bytes were left out.
 */
export const MAX_FILE_BYTES = 1024 * 1024
/** Fields written to a file at most (a record's context, not a dump of a database). */
const MAX_FILE_FIELDS = 1000
/** Code points of one field value in a file; the file cap bounds the whole. */
const MAX_FILE_VALUE = 64 * 1024
/** Separates the note from the description above it. */
const NOTE_SEPARATOR = '\n\n'
/** Inner errors of an AggregateError, and causes, written at most. */
const MAX_INNER_ERRORS = 50
/** Nesting of AggregateErrors inside AggregateErrors written at most (a hand-made one may contain itself). */
const MAX_NESTING = 3
const INDENT = '    '
/** A string longer than this (UTF-16 units; a code point is at most two) cannot fit in one message's 6000. */
const MAX_SHOWN_UNITS = LIMITS.totalEmbedChars * 2

/** `error-20260101-120000-1.txt`: severity, the record's UTC time, position among the message's files. */
export function fileName (record: LogRecord, position: number): string {
  const severity = typeof record.severity === 'string' && /^[a-z]+$/.test(record.severity) ? record.severity : 'record'
  const iso = isoTime(record.time)
  const stamp = iso === undefined ? '' : `-${iso.slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}`
  return `${severity}${stamp}-${position}.txt`
}

/**
 * Renders `record` as `renderRecord` does; when that embed lacks anything of the record, pushes the
 * record's full text onto `files` (`secret`, the webhook token, as `[redacted]`) and returns the embed,
 * within `options.budget`, rendered one note smaller, ending with the note naming the file. Never throws.
 */
export function renderWithFile (record: LogRecord, options: RenderRecordOptions, files: MessageFile[], secret = ''): Embed {
  const embed = renderRecord(record, options)
  try {
    if (!wasCut(record, embed, options)) return embed
    const name = fileName(record, files.length + 1)
    // The one line the embed ends with when a file carries the rest (contract §1: files by name).
    const note = `📎 Cut to fit Discord's limits: the full record is in ${name}`
    const cost = codePointLength(note) + NOTE_SEPARATOR.length
    // Cut by a per-part limit with room to spare in the budget: the note fits beside this embed as is.
    const roomy = embedLength(embed) + cost <= options.budget && codePointLength(embed.description ?? '') + cost <= LIMITS.description
    const smaller = roomy ? embed : renderRecord(record, { ...options, budget: Math.max(1, options.budget - cost) })
    files.push({ name, content: recordText(record, options, secret) })
    const description = smaller.description === undefined ? '' : truncate(smaller.description, LIMITS.description - cost)
    return { ...smaller, description: description === '' ? note : `${description}${NOTE_SEPARATOR}${note}` }
  } catch {
    return embed
  }
}

/**
 * True when some part of the record is not shown whole in `embed`: a message or context line, an error
 * type, message or stack frame anywhere on the cause chain, an inner error, a field name or its whole
 * value, the service, the footer. Compared with whitespace collapsed, since the title joins lines.
 */
export function wasCut (record: LogRecord, embed: Embed, options: Required<RenderOptions>): boolean {
  const parts = [embed.title, embed.description, embed.footer?.text, embed.author?.name]
  for (const f of embed.fields ?? []) parts.push(f.name, f.value)
  const shown = comparable(parts.filter((p) => typeof p === 'string').join('\n'))
  const has = (s: string): boolean => {
    const t = comparable(s)
    return t === '' || shown.includes(t)
  }
  if (isObject(record.embed)) return givenEmbedCut(record.embed, embed, has)
  // More code points than a whole message holds cannot all be shown: no need to look further.
  if ([record.message, record.context, record.error?.message].some((v) => typeof v === 'string' && v.length > MAX_SHOWN_UNITS)) return true

  for (const line of lines(record.message)) if (!has(line)) return true
  if (!has(str(record.context)) || !has(str(record.service)) || !has(str(record.footer)) || !has(str(record.title))) return true

  if (isObject(record.error)) {
    const errors = chain(record.error as SerializedError, MAX_CAUSE_DEPTH + 2)
    if (errors.length > MAX_CAUSE_DEPTH + 1) return true
    for (const err of errors) {
      if (!has(escapeMarkdown(str(err.type))) || !has(str(err.message))) return true
      for (const frame of stackLines(err, MAX_FILE_VALUE)) if (!has(escapeCodeBlock(frame))) return true
      // The embed lists inner errors by type and first line only: anything more is in the file alone.
      for (const e of innerErrors(err)) {
        if (stackLines(e).length > 0 || lines(e.message).length > 1 || isObject(e.cause)) return true
        if (!has(str(e.type)) || !has(str(e.message))) return true
      }
    }
  }

  // One code point more than a field value can hold is enough to tell a value that was cut.
  const full = fieldsOf(record, options, LIMITS.fields + 1, LIMITS.fieldValue + 1)
  if (full.length > LIMITS.fields) return true
  const fields = embed.fields ?? []
  return full.some((f) => !fields.some((g) => g.name.trim() === f.name.trim() && g.value.trim() === f.value.trim()))
}

function givenEmbedCut (given: Embed, embed: Embed, has: (s: string) => boolean): boolean {
  const fields = Array.isArray(given.fields) ? given.fields : []
  if (fields.length > LIMITS.fields) return true
  if (!has(anyText(given.title)) || !has(anyText(given.description))) return true
  if (!has(anyText(given.footer?.text)) || !has(anyText(given.author?.name))) return true
  for (const f of fields) {
    if (!isObject(f)) continue
    const name = anyText(f.name).trim()
    const value = anyText(f.value).trim()
    if (!(embed.fields ?? []).some((g) => (name === '' || g.name.trim() === name) && (value === '' || g.value.trim() === value))) return true
  }
  return false
}

/** Text comparable with an embed's: whitespace collapsed, rendering's escapes (backslashes, zero-width spaces) dropped so escaped text never looks cut. */
function comparable (s: string): string {
  return s.replace(/[\\`\u200b]/g, '').replace(/\s+/g, ' ').trim()
}

/**
 * The record as plain text: header (severity, time, level, service), message, context, the error with every
 * frame and cause, then every field with its whole value (redacted as in the embed). Every `secret` (the
 * webhook token) becomes `[redacted]`; at most `maxBytes` UTF-8 bytes, as capText cuts them.
 */
export function recordText (record: LogRecord, options: Required<RenderOptions>, secret = '', maxBytes: number = MAX_FILE_BYTES): string {
  let omitted = 0
  // A piece longer than the file is cut before any work on it (no 1 MB scan twice); its lost bytes count toward the marker.
  const clip = (v: unknown): string => {
    const s = str(v)
    if (s.length <= maxBytes) return s
    const head = s.slice(0, maxBytes)
    omitted += Buffer.byteLength(s) - Buffer.byteLength(head)
    return head
  }
  const style = SEVERITY_STYLES[record.severity] ?? SEVERITY_STYLES.info
  const out: string[] = []
  const message = clip(record.message).trim()
  const title = clip(record.title).trim() || (firstLineOf(message)?.line ?? style.label)
  out.push(`${style.emoji} ${style.label}: ${title}`, '')
  const time = isoTime(record.time)
  if (time !== undefined) out.push(`Time: ${time}`)
  out.push(`Level: ${clip(record.level).trim() || record.severity}`)
  const service = clip(record.service).trim()
  if (service !== '') out.push(`Service: ${service}`)
  const footer = clip(record.footer).trim()
  if (footer !== '') out.push(`Source: ${footer}`)

  if (isObject(record.embed)) {
    section(out, 'Embed', givenEmbedText(record.embed))
  } else {
    if (message !== '') section(out, 'Message', message)
    const context = clip(record.context).trim()
    if (context !== '') section(out, 'Context', context)
    if (isObject(record.error)) section(out, 'Error', errorText(record.error as SerializedError, clip))
    const fields = fieldsOf(record, options, MAX_FILE_FIELDS, MAX_FILE_VALUE)
    if (fields.length > 0) section(out, 'Fields', fields.map(fieldText).join('\n'))
  }
  const content = clip(record.content).trim()
  if (content !== '') section(out, 'Content', content)
  const text = out.join('\n') + '\n'
  return capText(secret === '' ? text : text.split(secret).join(REDACTED), maxBytes, omitted)
}

function section (out: string[], heading: string, body: string): void {
  out.push('', `${heading}:`, body)
}

function fieldText (f: EmbedField): string {
  return f.value.includes('\n') ? `${f.name}:\n${indent(f.value)}` : `${f.name}: ${f.value}`
}

function errorText (error: SerializedError, clip: (v: unknown) => string, nesting = 0): string {
  const out: string[] = []
  chain(error).forEach((err, depth) => {
    const type = clip(err.type).trim() || 'Error'
    const message = clip(err.message).trim()
    out.push(`${depth === 0 ? '' : 'Caused by: '}${message === '' ? type : `${type}: ${message}`}`)
    for (const frame of stackLines(err, MAX_FILE_VALUE)) out.push(`${INDENT}${frame}`)
    if (err.code !== undefined) out.push(`${INDENT}code: ${String(err.code)}`)
    const inner = innerErrors(err)
    if (inner.length > 0 && nesting < MAX_NESTING) {
      out.push(`${INDENT}Errors (${inner.length}):`)
      inner.slice(0, MAX_INNER_ERRORS).forEach((e, i) => out.push(indent(`${i + 1}. ${errorText(e, clip, nesting + 1)}`)))
    }
  })
  return out.join('\n')
}

function givenEmbedText (e: Embed): string {
  const out: string[] = []
  if (anyText(e.author?.name) !== '') out.push(`Author: ${anyText(e.author?.name)}`)
  if (anyText(e.title) !== '') out.push(`Title: ${anyText(e.title)}`)
  if (anyText(e.description) !== '') out.push(`Description:\n${indent(anyText(e.description))}`)
  for (const f of Array.isArray(e.fields) ? e.fields : []) {
    if (isObject(f)) out.push(fieldText({ name: anyText(f.name), value: anyText(f.value) }))
  }
  if (anyText(e.footer?.text) !== '') out.push(`Footer: ${anyText(e.footer?.text)}`)
  return out.join('\n')
}

/** `text` cut to ≤ `maxBytes` UTF-8 bytes on a character boundary, then a line saying how many were left out (`omitted`: bytes cut before, counted too). */
export function capText (text: string, maxBytes: number, omitted = 0): string {
  const total = Buffer.byteLength(text, 'utf8') + omitted
  if (total <= maxBytes) return text
  const marker = (left: number): string => `\n\n[… ${left} more bytes left out: a file holds at most ${maxBytes} bytes of a record]\n`
  // The marker's length depends on the count; reserve for the largest count it can show.
  const room = Math.max(0, maxBytes - Buffer.byteLength(marker(total)))
  // The longest prefix whose UTF-8 fits in `room`: encodeInto stops before a character that would not fit whole.
  const { read, written } = new TextEncoder().encodeInto(text, new Uint8Array(room))
  return text.slice(0, read) + marker(total - written)
}

/** The fields as the embed shows them (renderFields), with the file's room; none when they cannot be read. */
function fieldsOf (record: LogRecord, options: Required<RenderOptions>, maxFields: number, maxValue: number): EmbedField[] {
  try {
    return renderFields(record, options, maxFields, maxValue)
  } catch {
    return []
  }
}

function str (v: unknown): string {
  return typeof v === 'string' ? v : ''
}

function anyText (v: unknown): string {
  if (typeof v === 'string') return v.trim()
  if (v === undefined || v === null) return ''
  return renderValue(v, MAX_FILE_VALUE)
}

function lines (v: unknown): string[] {
  return str(v).split('\n').map((l) => l.trim()).filter((l) => l !== '')
}

function indent (s: string): string {
  return s.split('\n').map((l) => INDENT + l).join('\n')
}
