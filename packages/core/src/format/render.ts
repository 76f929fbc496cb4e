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
import type { Embed, EmbedField, LogRecord, RenderOptions, SerializedError } from '../types.js'
import { errorBlock, firstLineOf, type ErrorLayout } from './error-block.js'
import { INLINE_FIELD_MAX, field, renderFields } from './fields.js'
import { embedLength, fitEmbed } from './fit.js'
import { MAX_CAUSE_DEPTH } from './safe-value.js'
import { ELLIPSIS, codePointLength, escapeBackticks, neutralizeMentions, sliceCodePoints, truncate } from './text.js'

export type RenderRecordOptions = Required<RenderOptions> & {
  /** Largest `embedLength` of the result (its share of the message's 6000 total). */
  budget: number
}

/** Keys whose values show as `[redacted]` by default, at any depth. */
export const DEFAULT_REDACT_KEYS: readonly string[] = Object.freeze([
  'password', 'passwd', 'pass', 'secret', 'token', 'accessToken', 'refreshToken', 'apiKey', 'api_key',
  'authorization', 'cookie', 'set-cookie', 'webhookUrl', 'clientSecret', 'privateKey'
])

/** The render options' defaults (the options table takes them from here). */
export const RENDER_DEFAULTS: Readonly<Required<RenderOptions>> = Object.freeze({
  includeFields: [],
  excludeFields: [],
  redactKeys: [...DEFAULT_REDACT_KEYS],
  titleTemplate: '{emoji} {message}',
  maxStackLines: 30
})
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

interface Layout extends ErrorLayout {
  /** All fields, as many as fit after everything else, or none. */
  fields: 'all' | 'fit' | 'none'
  restMax: number
  contextMax: number
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
const DEFAULT_PLAIN_RENDER: Required<RenderOptions> = { ...RENDER_DEFAULTS, maxStackLines: PLAIN_STACK_LINES }
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

const PLACEHOLDER = /\{(emoji|label|level|service|message)\}/g

function prepare (record: LogRecord, style: SeverityStyle, options: RenderRecordOptions): Parts {
  const message = textOf(record.message)
  const error = isObject(record.error) ? record.error as SerializedError : undefined
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
