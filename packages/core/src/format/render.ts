/**
 * LogRecord → Discord embed (and → plain text for the fallback). Pure: the time shown is the
 * record's own `time`, never the clock.
 *
 * Layout
 *   colour       severity colour              author   record.service
 *   title        titleTemplate ('{emoji} {message}')
 *   description  rest of the message · **Context:** · **Type**: message + ```stack``` · causes · inner errors
 *   fields       record.fields (include/exclude, redaction), error.code, error.extra
 *   footer       'Error (fatal) · host'        timestamp record.time
 *
 * Fitting to a budget. Under load the batcher packs ten embeds into one 6000-character message,
 * so each may get 600 characters or less. Detail is given up in the order that keeps an alert
 * useful: stack frames first (top frames stay), then fields, then the message and context text —
 * and at the smallest budgets title, footer and author are shortened too, so the title, the error
 * type and message, and the top stack frames still show. The first layout that fits is used;
 * the last one is handed to fitEmbed, which cuts whatever remains.
 *
 * Backticks. Record text never opens or closes a code block: outside the library's ``` blocks its
 * backticks are backslash-escaped, inside them every run is broken by a zero-width space (text.ts).
 * Both read as written; only the library's own fences delimit code.
 */
import { SEVERITY_STYLES, type SeverityStyle } from '../levels.js'
import { LIMITS } from '../limits.js'
import { DEFAULTS, type RenderOptions } from '../options.js'
import type { Embed, EmbedField } from '../payload.js'
import type { LogRecord, SerializedError } from '../record.js'
import { embedLength, fitEmbed } from './fit.js'
import { MAX_CAUSE_DEPTH, REDACTED, renderValue, redact } from './safe-value.js'
import { ELLIPSIS, codeBlock, codePointLength, escapeBackticks, escapeCodeBlock, escapeMarkdown, neutralizeMentions, sliceCodePoints, truncate } from './text.js'

export type RenderRecordOptions = Required<RenderOptions> & {
  /** Largest `embedLength` of the result (its share of the message's 6000 total). */
  budget: number
}

/** A field value this short, on one line, is shown inline (three to a row). */
export const INLINE_FIELD_MAX = 40
/** Frames always kept when the stack is trimmed to fit. */
const MIN_STACK_FRAMES = 3
/** A cause's stack gets this fraction of the main stack's lines. */
const CAUSE_STACK_DIVISOR = 3
/** Only this much of a huge message or stack is ever looked at; no layout shows more. */
const MAX_SCAN = LIMITS.description * 2
/** Separator between description sections. */
const SECTION = '\n\n'
const PLAIN_STACK_LINES = 5
const PLAIN_FIELD_VALUE = 200
const PLAIN_FIELDS = 10

interface Layout {
  stackLines: number
  causeStackLines: number
  causes: number
  innerErrors: number
  /** All fields, as many as fit after everything else, or none. */
  fields: 'all' | 'fit' | 'none'
  restMax: number
  contextMax: number
  errorMessageMax: number
  frameMax: number
  /** Title, footer and author are shortened; the error block goes before the message text. */
  compact: boolean
}

const UNBOUNDED = LIMITS.description
/** Shortened title / footer / author in compact layouts: enough to recognise, small enough for 600. */
const COMPACT = { title: 80, footer: 60, author: 40, errorMessage: 120, frame: 80 }
/** Intermediate description caps, from generous to tight. */
const DESCRIPTION_STEPS = [
  { rest: 1000, context: 500, errorMessage: 1000, causes: MAX_CAUSE_DEPTH, innerErrors: 5, frame: 160 },
  { rest: 300, context: 200, errorMessage: 300, causes: 3, innerErrors: 3, frame: 120 },
  { rest: 100, context: 100, errorMessage: 200, causes: 1, innerErrors: 1, frame: 100 }
] as const

/**
 * Renders `record` as one embed of at most `options.budget` characters (clamped to 1..6000).
 * Never throws: anything unexpected in the record degrades to a smaller, still valid embed.
 */
export function renderRecord (record: LogRecord, options: RenderRecordOptions): Embed {
  try {
    const style = styleOf(record)
    if (isObject(record.embed)) return renderGivenEmbed(record.embed, record, style, options.budget)
    const parts = prepare(record, style, options)
    const layouts = layoutsFor(options.maxStackLines)
    for (const layout of layouts) {
      const candidate = compose(parts, layout, options.budget)
      const fitted = fitEmbed(candidate)
      if (embedLength(fitted) <= options.budget) return fitted
    }
    return fitEmbed(compose(parts, layouts[layouts.length - 1] as Layout, options.budget), options.budget)
  } catch {
    return fitEmbed({ title: `${ELLIPSIS}` }, options.budget)
  }
}

/**
 * A plain-text rendering for `content`, used when Discord rejected the embed. Mentions are
 * neutralised (content is the one place Discord parses them, contract §6) and the text is bounded.
 * `options` are the same render options as for the embed (redaction applies here too).
 */
export function renderPlain (record: LogRecord, maxChars: number = LIMITS.content, options: RenderOptions = {}): string {
  try {
    const style = styleOf(record)
    const lines: string[] = []
    if (isObject(record.embed)) {
      const e = fitEmbed(record.embed)
      lines.push(`${style.emoji} ${e.title ?? style.label}`)
      if (e.description !== undefined) lines.push(e.description)
      for (const f of e.fields ?? []) lines.push(`**${f.name}:** ${truncate(f.value, PLAIN_FIELD_VALUE)}`)
    } else {
      const parts = prepare(record, style, { ...DEFAULT_PLAIN_RENDER, ...definedOnly(options), titleTemplate: PLAIN_TITLE_TEMPLATE, budget: maxChars })
      const service = parts.author === undefined ? '' : ` · ${parts.author}`
      lines.push(`${style.emoji} **${style.label}**${service} — ${parts.title}`)
      if (parts.rest !== '') lines.push(truncate(parts.rest, maxChars))
      if (parts.context !== '') lines.push(`**Context:** ${truncate(parts.context, maxChars)}`)
      if (parts.error !== undefined) lines.push(errorBlock(parts.error, PLAIN_ERROR_LAYOUT))
      for (const f of parts.fields.slice(0, PLAIN_FIELDS)) lines.push(`**${f.name}:** ${truncate(f.value, PLAIN_FIELD_VALUE)}`)
      lines.push(parts.footer)
    }
    return truncate(neutralizeMentions(lines.join('\n')), maxChars)
  } catch {
    return truncate(neutralizeMentions(typeof record?.message === 'string' ? record.message.slice(0, MAX_SCAN) : ''), maxChars)
  }
}

/** The header line of the plain rendering already shows emoji and label. */
const PLAIN_TITLE_TEMPLATE = '{message}'
const DEFAULT_PLAIN_RENDER: Required<RenderOptions> = { ...DEFAULTS.render, maxStackLines: PLAIN_STACK_LINES }
const PLAIN_ERROR_LAYOUT: ErrorLayout = {
  stackLines: PLAIN_STACK_LINES,
  causeStackLines: 0,
  causes: DESCRIPTION_STEPS[1].causes,
  innerErrors: DESCRIPTION_STEPS[1].innerErrors,
  errorMessageMax: DESCRIPTION_STEPS[1].errorMessage,
  frameMax: DESCRIPTION_STEPS[1].frame
}

function definedOnly (options: RenderOptions): RenderOptions {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(options)) if (value !== undefined) out[key] = value
  return out as RenderOptions
}

// ---------------------------------------------------------------------------------------------
// Parts: everything that does not depend on the layout, computed once

interface Parts {
  color: number
  timestamp: string | undefined
  title: string
  author: string | undefined
  footer: string
  /** Message text not already in the title. */
  rest: string
  context: string
  error: SerializedError | undefined
  fields: EmbedField[]
}

function styleOf (record: LogRecord): SeverityStyle {
  return SEVERITY_STYLES[record.severity] ?? SEVERITY_STYLES.info
}

function isObject (v: unknown): v is Record<string, unknown> & object {
  return typeof v === 'object' && v !== null
}

function textOf (v: unknown): string {
  return typeof v === 'string' ? v.slice(0, MAX_SCAN) : ''
}

function isoTime (time: unknown): string | undefined {
  if (typeof time !== 'number' || !Number.isFinite(time)) return undefined
  const date = new Date(time)
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString()
}

function renderGivenEmbed (embed: Embed, record: LogRecord, style: SeverityStyle, budget: number): Embed {
  const e: Embed = { ...embed }
  if (e.color === undefined) e.color = style.color
  if (e.timestamp === undefined) {
    const timestamp = isoTime(record.time)
    if (timestamp !== undefined) e.timestamp = timestamp
  }
  return fitEmbed(e, budget)
}

function firstLineOf (s: string): { line: string, after: string } | undefined {
  const lines = s.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim()
    if (line !== '') return { line, after: lines.slice(i + 1).join('\n').trim() }
  }
  return undefined
}

const PLACEHOLDER = /\{(emoji|label|level|service|message)\}/g

function prepare (record: LogRecord, style: SeverityStyle, options: RenderRecordOptions): Parts {
  const message = textOf(record.message)
  const error = isObject(record.error) ? record.error : undefined
  const explicitTitle = textOf(record.title).trim()
  const first = firstLineOf(message)
  const errorFirst = error === undefined ? undefined : firstLineOf(textOf(error.message))

  let titleMessage: string
  let rest: string
  if (explicitTitle !== '') {
    titleMessage = explicitTitle
    rest = message.trim()
  } else if (first !== undefined) {
    titleMessage = first.line
    rest = first.after
  } else {
    titleMessage = errorFirst?.line ?? style.label
    rest = ''
  }
  // Only the first LIMITS.title code points can show; one more tells us the line was cut.
  const shownMessage = sliceCodePoints(titleMessage, LIMITS.title + 1)
  const service = textOf(record.service).trim()
  const level = textOf(record.level).trim()
  const values: Record<string, string> = {
    emoji: style.emoji,
    label: style.label,
    level: escapeBackticks(level !== '' ? level : record.severity),
    service: escapeBackticks(service),
    message: escapeBackticks(shownMessage)
  }
  const template = typeof options.titleTemplate === 'string' ? options.titleTemplate : '{emoji} {message}'
  let title = template.replace(PLACEHOLDER, (_, key: string) => values[key] ?? '').replace(/\s+/g, ' ').trim()
  if (title === '') title = style.label
  // A first line too long for the title is shown whole in the description too.
  if (explicitTitle === '' && first !== undefined && codePointLength(title) > LIMITS.title) rest = message.trim()

  const footerExtra = textOf(record.footer).trim()
  const footer = `${style.label}${level !== '' ? ` (${level})` : ''}${footerExtra !== '' ? ` · ${footerExtra}` : ''}`

  return {
    color: style.color,
    timestamp: isoTime(record.time),
    title,
    author: service !== '' ? service : undefined,
    footer,
    rest: escapeBackticks(rest),
    context: escapeBackticks(textOf(record.context).trim()),
    error,
    fields: renderFields(record, error, options)
  }
}

// ---------------------------------------------------------------------------------------------
// Fields

/**
 * The record's fields as the embed shows them (include/exclude lists, redaction, `error.code`,
 * `error.extra`), but with room for `maxFields` fields of `maxValue` code points each: the attached
 * file's view of the same data, redacted exactly as the embed is.
 */
export function recordFields (record: LogRecord, options: Required<RenderOptions>, maxFields: number, maxValue: number): EmbedField[] {
  try {
    return renderFields(record, isObject(record.error) ? record.error : undefined, options, maxFields, maxValue)
  } catch {
    return []
  }
}

function renderFields (record: LogRecord, error: SerializedError | undefined, options: Required<RenderOptions>, maxFields: number = LIMITS.fields, maxValue: number = LIMITS.fieldValue): EmbedField[] {
  const allKeys = Array.isArray(options.redactKeys) ? options.redactKeys : []
  // `password` redacts that key at any depth; `user.credentials.pin` redacts exactly that path.
  const redactKeys = allKeys.filter((k) => typeof k === 'string' && !k.includes('.'))
  const redactPaths = allKeys.filter((k) => typeof k === 'string' && k.includes('.')).map((k) => k.toLowerCase().split('.'))
  const redacted = new Set(redactKeys.map((k) => String(k).toLowerCase()))
  const include = Array.isArray(options.includeFields) ? options.includeFields : []
  const exclude = new Set(Array.isArray(options.excludeFields) ? options.excludeFields : [])
  const out: EmbedField[] = []
  const add = (name: string, value: unknown): void => {
    if (out.length >= maxFields || value === undefined) return
    const text = redacted.has(name.toLowerCase()) ? REDACTED : renderValue(value, maxValue, { redactKeys })
    out.push(field(escapeBackticks(name), escapeBackticks(text)))
  }

  const fields = isObject(record.fields) ? withPathsRedacted(record.fields, redactPaths) : undefined
  if (fields !== undefined) {
    let keys: string[]
    try {
      keys = include.length > 0 ? include.filter((k) => Object.hasOwn(fields, k)) : Object.keys(fields)
    } catch {
      keys = []
    }
    for (const key of keys) {
      if (out.length >= maxFields) break
      if (exclude.has(key)) continue
      let value: unknown
      try {
        value = fields[key]
      } catch (thrown) {
        value = `[Throws: ${renderValue(thrown, INLINE_FIELD_MAX)}]`
      }
      add(key, value)
    }
  }

  if (error !== undefined) {
    const code = error.code
    if (typeof code === 'string' || typeof code === 'number') add('error.code', code)
    if (isObject(error.extra)) {
      for (const key of Object.keys(error.extra)) add(`error.${key}`, redacted.has(key.toLowerCase()) ? REDACTED : error.extra[key])
    }
  }
  return out
}

/**
 * A copy of `fields` with each dotted path (lower-cased segments, matched case-insensitively) replaced
 * by '[redacted]'. Only the objects along a matching path are copied; the record itself is never
 * changed. Never throws: an object whose keys cannot be read is left to the renderer, which copes.
 */
/**
 * `fields` as plain data with every `redactKeys` entry applied: a plain key at any depth, a dotted
 * entry (`user.credentials.pin`) at exactly that path. For what leaves the process other than the
 * embed itself: the dead-letter file.
 */
export function redactFields (fields: Record<string, unknown>, redactKeys: readonly string[]): Record<string, unknown> {
  const keys = redactKeys.filter((k) => !k.includes('.'))
  const paths = redactKeys.filter((k) => k.includes('.')).map((k) => k.toLowerCase().split('.'))
  return redact(withPathsRedacted(fields, paths), keys) as Record<string, unknown>
}

function withPathsRedacted (fields: Record<string, unknown>, paths: readonly string[][]): Record<string, unknown> {
  if (paths.length === 0) return fields
  const redactAt = (node: unknown, path: readonly string[]): unknown => {
    const [head, ...rest] = path
    if (head === undefined || typeof node !== 'object' || node === null || Array.isArray(node)) return node
    let keys: string[]
    try {
      keys = Object.keys(node)
    } catch {
      return node
    }
    let copy: Record<string, unknown> | undefined
    for (const key of keys) {
      if (key.toLowerCase() !== head) continue
      copy ??= copyOwn(node as Record<string, unknown>, keys)
      let value: unknown
      try {
        value = (node as Record<string, unknown>)[key]
      } catch {
        value = undefined
      }
      copy[key] = rest.length === 0 ? REDACTED : redactAt(value, rest)
    }
    return copy ?? node
  }
  let out: unknown = fields
  for (const path of paths) out = redactAt(out, path)
  return out as Record<string, unknown>
}

function copyOwn (node: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const copy: Record<string, unknown> = {}
  for (const key of keys) {
    // A throwing getter keeps throwing in the copy, so the renderer shows it as it would have.
    const desc = Object.getOwnPropertyDescriptor(node, key)
    if (desc !== undefined) Object.defineProperty(copy, key, { ...desc, configurable: true, enumerable: true })
  }
  return copy
}

function field (name: string, value: string): EmbedField {
  return { name, value, inline: codePointLength(value) <= INLINE_FIELD_MAX && !value.includes('\n') }
}

// ---------------------------------------------------------------------------------------------
// Layouts

/** From most to least detailed; the renderer takes the first that fits the budget. */
function layoutsFor (maxStackLines: number): Layout[] {
  const maxStack = Number.isInteger(maxStackLines) && maxStackLines >= 1 ? maxStackLines : 1
  const minStack = Math.min(MIN_STACK_FRAMES, maxStack)
  const full: Layout = {
    stackLines: maxStack,
    causeStackLines: Math.ceil(maxStack / CAUSE_STACK_DIVISOR),
    causes: MAX_CAUSE_DEPTH,
    innerErrors: LIMITS.fields,
    fields: 'all',
    restMax: UNBOUNDED,
    contextMax: UNBOUNDED,
    errorMessageMax: UNBOUNDED,
    frameMax: LIMITS.fieldValue,
    compact: false
  }
  const layouts: Layout[] = [full]
  // 1. Stack frames, halving, down to the top few; causes' stacks go last.
  for (let lines = Math.floor(maxStack / 2); lines > minStack; lines = Math.floor(lines / 2)) {
    layouts.push({ ...full, stackLines: lines, causeStackLines: Math.ceil(lines / CAUSE_STACK_DIVISOR) })
  }
  const trimmedStack: Layout = { ...full, stackLines: minStack, causeStackLines: 0 }
  layouts.push(trimmedStack)
  // 2. Fields: as many as fit.
  const fittedFields: Layout = { ...trimmedStack, fields: 'fit' }
  layouts.push(fittedFields)
  // 3. Description: message, context, causes and inner errors, tighter each step.
  for (const step of DESCRIPTION_STEPS) {
    layouts.push({
      ...fittedFields,
      restMax: step.rest,
      contextMax: step.context,
      errorMessageMax: step.errorMessage,
      causes: step.causes,
      innerErrors: step.innerErrors,
      frameMax: step.frame
    })
  }
  // 4. Last resort: title, error and top frames first; fitEmbed cuts the rest.
  layouts.push({
    ...fittedFields,
    fields: 'none',
    restMax: UNBOUNDED,
    contextMax: UNBOUNDED,
    errorMessageMax: COMPACT.errorMessage,
    frameMax: COMPACT.frame,
    causes: 0,
    innerErrors: 0,
    compact: true
  })
  return layouts
}

function compose (parts: Parts, layout: Layout, budget: number): Embed {
  const e: Embed = {
    title: layout.compact ? truncate(parts.title, COMPACT.title) : parts.title,
    color: parts.color,
    footer: { text: layout.compact ? truncate(parts.footer, COMPACT.footer) : parts.footer }
  }
  if (parts.timestamp !== undefined) e.timestamp = parts.timestamp
  if (parts.author !== undefined) e.author = { name: layout.compact ? truncate(parts.author, COMPACT.author) : parts.author }

  const rest = parts.rest === '' ? '' : truncate(parts.rest, layout.restMax)
  const context = parts.context === '' ? '' : `**Context:** ${truncate(parts.context, layout.contextMax)}`
  const error = parts.error === undefined ? '' : errorBlock(parts.error, layout)
  // Compact layouts are cut from the end by fitEmbed, so the error goes first there.
  const sections = layout.compact ? [error, rest, context] : [rest, context, error]
  const description = sections.filter((s) => s !== '').join(SECTION)
  if (description !== '') e.description = description

  if (layout.fields === 'all' && parts.fields.length > 0) e.fields = parts.fields
  if (layout.fields === 'fit' && parts.fields.length > 0) {
    const fields = fieldsThatFit(parts.fields, budget - embedLength(fitEmbed(e)))
    if (fields.length > 0) e.fields = fields
  }
  return e
}

/** Fields in order while they fit in `room`; a long value is cut when a useful part of it fits. */
function fieldsThatFit (fields: readonly EmbedField[], room: number): EmbedField[] {
  const out: EmbedField[] = []
  let left = room
  for (const f of fields) {
    const name = truncate(f.name, LIMITS.fieldName)
    const nameLength = Math.max(1, codePointLength(name))
    const valueLength = Math.max(1, codePointLength(f.value.trim()))
    if (nameLength + valueLength <= left) {
      out.push(f)
      left -= nameLength + valueLength
    } else if (left - nameLength >= INLINE_FIELD_MAX) {
      const value = truncate(f.value, left - nameLength)
      out.push(field(f.name, value))
      left -= nameLength + codePointLength(value)
    }
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Errors

type ErrorLayout = Pick<Layout, 'stackLines' | 'causeStackLines' | 'causes' | 'innerErrors' | 'errorMessageMax' | 'frameMax'>

function errorHeadline (err: SerializedError, messageMax: number): string {
  const type = escapeMarkdown(truncate(textOf(err.type), INLINE_FIELD_MAX) || 'Error')
  const message = truncate(escapeBackticks(textOf(err.message)), messageMax)
  return message === '' ? `**${type}**` : `**${type}**: ${message}`
}

function errorBlock (err: SerializedError, layout: ErrorLayout): string {
  const lines = [errorHeadline(err, layout.errorMessageMax)]
  const frames = stackFrames(err, layout.stackLines, layout.frameMax)
  if (frames !== '') lines.push(codeBlock(frames))

  // Walk the cause chain with a bound and a seen-set: a hand-made SerializedError may be cyclic.
  const seen = new Set<SerializedError>([err])
  let cause = isObject(err.cause) ? err.cause : undefined
  let shown = 0
  let hidden = 0
  while (cause !== undefined && !seen.has(cause) && shown + hidden < MAX_CAUSE_DEPTH) {
    seen.add(cause)
    if (shown < layout.causes) {
      lines.push(`**Caused by** ${errorHeadline(cause, layout.errorMessageMax).replace(/^\*\*(.*?)\*\*/, '$1')}`)
      const causeFrames = stackFrames(cause, layout.causeStackLines, layout.frameMax)
      if (causeFrames !== '') lines.push(codeBlock(causeFrames))
      shown++
    } else {
      hidden++
    }
    cause = isObject(cause.cause) ? cause.cause : undefined
  }
  if (hidden > 0) lines.push(`${ELLIPSIS} ${hidden} more cause${hidden === 1 ? '' : 's'}`)

  const inner = Array.isArray(err.errors) ? err.errors.filter(isObject) as SerializedError[] : []
  if (inner.length > 0 && layout.innerErrors > 0) {
    lines.push(`**Errors (${inner.length}):**`)
    inner.slice(0, layout.innerErrors).forEach((e, i) => {
      const type = escapeMarkdown(truncate(textOf(e.type), INLINE_FIELD_MAX) || 'Error')
      lines.push(`${i + 1}. ${type}: ${truncate(escapeBackticks(firstLineOf(textOf(e.message))?.line ?? ''), layout.errorMessageMax)}`)
    })
    if (inner.length > layout.innerErrors) lines.push(`${ELLIPSIS} ${inner.length - layout.innerErrors} more`)
  }
  return lines.join('\n')
}

const FRAME = /^\s*at\s/

/**
 * The top `max` lines of the stack, each cut to `frameMax`. V8 starts a stack with
 * `Type: message`, which the headline already shows, so those lines are dropped.
 */
function stackFrames (err: SerializedError, max: number, frameMax: number): string {
  if (max <= 0) return ''
  const lines = stackLines(err)
  // Escaped before the cut, so a backtick run in a frame can never look like a fence to truncate().
  const shown = lines.slice(0, max).map((l) => truncate(escapeCodeBlock(l), frameMax))
  if (lines.length > max) shown.push(`${ELLIPSIS} ${lines.length - max} more`)
  return shown.join('\n')
}

/**
 * Every line of the error's stack (its first `maxChars` UTF-16 units), trimmed, without the leading
 * `Type: message` the headline shows.
 */
export function stackLines (err: SerializedError, maxChars: number = MAX_SCAN): string[] {
  const stack = typeof err.stack === 'string' ? err.stack.slice(0, maxChars) : ''
  if (stack === '') return []
  let lines = stack.split('\n')
  const firstFrame = lines.findIndex((l) => FRAME.test(l))
  const message = firstLineOf(textOf(err.message))?.line ?? ''
  const head = lines.slice(0, Math.max(firstFrame, 1)).join('\n')
  const repeatsMessage = (message !== '' && head.includes(message)) || head.trim() === textOf(err.type).trim() || head.trim().startsWith(`${textOf(err.type)}:`)
  if (firstFrame > 0 && (repeatsMessage || message === '')) lines = lines.slice(firstFrame)
  else if (firstFrame === -1 && repeatsMessage) lines = lines.slice(1)
  return lines.map((l) => l.trim()).filter((l) => l !== '')
}
