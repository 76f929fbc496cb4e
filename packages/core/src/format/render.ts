/**
 * LogRecord → Discord embed. Pure: the time shown is the record's own `time`, never the clock.
 *
 * Layout
 *   colour       severity colour              author   record.service
 *   title        titleTemplate ('{emoji} {message}')
 *   description  rest of the message · **Context:** · **Type**: message + ```stack``` · causes · inner errors
 *   fields       record.fields (include/exclude, redaction), error.code, error.extra
 *   footer       'Error (fatal) · host'        timestamp record.time
 *
 * Fitting to a budget: ten embeds share one 6000-character message, so each may get 600 or less. Layouts
 * give up detail in the order that keeps an alert useful: stack frames (top frames stay), fields, message
 * and context text, then title, footer and author. The first that fits is used; fitEmbed cuts the last.
 *
 * Backticks: outside the library's ``` blocks record text has its backticks backslash-escaped, inside
 * them every run is broken by a zero-width space (text.ts), so only the library's fences delimit code.
 */
import { SEVERITY_STYLES, type SeverityStyle } from '../levels.js'
import { LIMITS } from '../limits.js'
import type { Embed, EmbedField, LogRecord, RenderOptions, SerializedError } from '../types.js'
import { errorBlock, firstLineOf, textOf, type ErrorLayout } from './error-block.js'
import { INLINE_FIELD_MAX, field, renderFields } from './fields.js'
import { embedLength, fitEmbed } from './fit.js'
import { MAX_CAUSE_DEPTH, isObject } from './safe-value.js'
import { ELLIPSIS, codePointLength, escapeBackticks, sliceCodePoints, truncate } from './text.js'
import { isoTime } from './time.js'

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
/** Separator between description sections. */
const SECTION = '\n\n'

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
  { restMax: 1000, contextMax: 500, errorMessageMax: 1000, causes: MAX_CAUSE_DEPTH, innerErrors: 5, frameMax: 160 },
  { restMax: 300, contextMax: 200, errorMessageMax: 300, causes: 3, innerErrors: 3, frameMax: 120 },
  { restMax: 100, contextMax: 100, errorMessageMax: 200, causes: 1, innerErrors: 1, frameMax: 100 }
] as const

/** `record` as one embed of at most `options.budget` characters (clamped to 1..6000); never throws, degrading to a smaller valid embed. */
export function renderRecord (record: LogRecord, options: RenderRecordOptions): Embed {
  try {
    const style = SEVERITY_STYLES[record.severity] ?? SEVERITY_STYLES.info
    if (isObject(record.embed)) {
      const e: Embed = { ...record.embed }
      if (e.color === undefined) e.color = style.color
      if (e.timestamp === undefined) e.timestamp = isoTime(record.time)
      return fitEmbed(e, options.budget)
    }
    const parts = prepare(record, style, options)
    const layouts = layoutsFor(options.maxStackLines)
    for (const layout of layouts) {
      const fitted = fitEmbed(compose(parts, layout, options.budget))
      if (embedLength(fitted) <= options.budget) return fitted
    }
    return fitEmbed(compose(parts, layouts[layouts.length - 1] as Layout, options.budget), options.budget)
  } catch {
    return fitEmbed({ title: ELLIPSIS }, options.budget)
  }
}

/** The placeholders `render.titleTemplate` may hold. */
export const TITLE_PLACEHOLDERS = ['emoji', 'label', 'level', 'service', 'message'] as const
const PLACEHOLDER = /\{(emoji|label|level|service|message)\}/g

/** Everything that does not depend on the layout, computed once. */
type Parts = ReturnType<typeof prepare>

function prepare (record: LogRecord, style: SeverityStyle, options: RenderRecordOptions) {
  const message = textOf(record.message)
  const error = isObject(record.error) ? record.error as SerializedError : undefined
  const explicitTitle = textOf(record.title).trim()
  const first = explicitTitle === '' ? firstLineOf(message) : undefined
  const titleMessage = explicitTitle || (first?.line ?? firstLineOf(textOf(error?.message))?.line ?? style.label)
  let rest = first?.after ?? (explicitTitle !== '' ? message.trim() : '')
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
  if (first !== undefined && codePointLength(title) > LIMITS.title) rest = message.trim()

  const footerExtra = textOf(record.footer).trim()
  const footer = `${style.label}${level !== '' ? ` (${level})` : ''}${footerExtra !== '' ? ` · ${footerExtra}` : ''}`

  return {
    color: style.color,
    timestamp: isoTime(record.time),
    title,
    author: service !== '' ? service : undefined,
    footer,
    /** Message text not already in the title. */
    rest: escapeBackticks(rest),
    context: escapeBackticks(textOf(record.context).trim()),
    error,
    fields: renderFields(record, options)
  }
}

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
  for (const step of DESCRIPTION_STEPS) layouts.push({ ...fittedFields, ...step })
  // 4. Last resort: title, error and top frames first, message and context uncapped; fitEmbed cuts the rest.
  layouts.push({ ...fittedFields, fields: 'none', errorMessageMax: COMPACT.errorMessage, frameMax: COMPACT.frame, causes: 0, innerErrors: 0, compact: true })
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
