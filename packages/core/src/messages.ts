/** The send methods' records (the caller resolves the severity and reads the time), and atCall(): the record as plain data at the call. */
import { redactFields } from './format/fields.js'
import { serializeError, toPlain } from './format/plain.js'
import { withoutAnsi } from './format/text.js'
import { SEVERITY_STYLES, type Severity } from './levels.js'
import { errorName, isError, read } from './thrown.js'
import type { Embed, EmbedField, LogRecord, PlainRecord, SerializedError } from './types.js'

/** Depth kept of embeds copied at the call, and of errors already serialised (a cause chain is 8 deep at most). */
const PLAIN_DEPTH = 8
const ERROR_DEPTH = 12
/** An Error's own properties that a logger puts on it and the record shows elsewhere (Winston assigns them). */
const SHOWN_ELSEWHERE = new Set(['level', 'service', 'timestamp'])

export type DiagnosticLevel = Severity | 'warn' | 'fatal'

export interface DiagnosticInput {
  level: DiagnosticLevel
  service: string
  message: string
  details?: Record<string, unknown>
  /** The incident it belongs to, instead of its fingerprint (≤ 200 characters): `resolveIncident(key)` ends it. */
  incident?: string
}

export interface ErrorNotificationInput {
  service: string
  error: unknown
  context?: string
  details?: Record<string, unknown>
  /** As DiagnosticInput's. */
  incident?: string
}

export interface EmbedInput {
  title?: string
  description?: string
  url?: string
  color?: number
  fields?: EmbedField[]
  footer?: { text: string, icon_url?: string } | string
  author?: { name: string, url?: string, icon_url?: string }
  thumbnail?: { url: string } | string
  image?: { url: string } | string
  /** A Date, epoch ms or an ISO string; `true` (the default) for now, `false` for none. */
  timestamp?: string | number | Date | boolean
  /** Severity used for queue priority and mentions. @default 'info' */
  severity?: Severity
}

export function plaintextRecord (text: string, severity: Severity, now: number): LogRecord {
  return { severity, message: '', content: String(text), time: now }
}

export function embedRecord (input: EmbedInput, severity: Severity, now: number): LogRecord {
  const embed: Embed = { color: input.color ?? SEVERITY_STYLES[severity].color }
  if (input.title !== undefined) embed.title = String(input.title)
  if (input.description !== undefined) embed.description = String(input.description)
  if (input.url !== undefined) embed.url = input.url
  if (input.fields !== undefined) embed.fields = input.fields
  if (input.footer !== undefined) embed.footer = typeof input.footer === 'string' ? { text: input.footer } : input.footer
  if (input.author !== undefined) embed.author = input.author
  if (input.thumbnail !== undefined) embed.thumbnail = typeof input.thumbnail === 'string' ? { url: input.thumbnail } : input.thumbnail
  if (input.image !== undefined) embed.image = typeof input.image === 'string' ? { url: input.image } : input.image
  const ts = input.timestamp ?? true
  if (ts !== false) {
    const d = ts === true ? new Date(now) : new Date(ts)
    if (!Number.isNaN(d.getTime())) embed.timestamp = d.toISOString()
  }
  return { severity, message: input.title ?? '', embed, time: now }
}

/** `level` as given is the footer's level name; `severity` is what it resolved to. */
export function diagnosticRecord (input: DiagnosticInput, severity: Severity, now: number): LogRecord {
  const record: LogRecord = { severity, level: String(input.level), service: input.service, title: `${SEVERITY_STYLES[severity].label} · ${input.service}`, message: String(input.message), time: now }
  if (input.details !== undefined) record.fields = input.details
  if (input.incident !== undefined) record.incident = input.incident
  return record
}

export function startupRecord (service: string, info: { version?: string, details?: Record<string, unknown> }, now: number): LogRecord {
  const fields: Record<string, unknown> = { ...info.details }
  if (info.version !== undefined) fields.Version = info.version
  fields['Node.js'] = process.version
  fields.PID = process.pid
  // The title template adds the severity emoji; titles here carry none of their own.
  return { severity: 'info', service, title: `${service} started`, message: info.version === undefined ? `${service} is up.` : `${service} ${info.version} is up.`, fields, time: now }
}

/** The title reads the error's message: it is taken now, as the record is at the call. */
export function errorRecord (input: ErrorNotificationInput, now: number): LogRecord {
  // An Error as it is (send() serialises it after storm control); anything else thrown, serialised now.
  const error = isError(input.error) ? input.error : serializeError(input.error)
  const message = isError(error) ? read(error, 'message') : error.message
  const shown = typeof message === 'string' && message !== '' ? message : isError(error) ? errorName(error) : error.type
  const record: LogRecord = { severity: 'error', service: input.service, title: `${input.service}: ${shown}`, message: '', error, time: now }
  if (input.context !== undefined) record.context = input.context
  if (input.details !== undefined) record.fields = input.details
  if (input.incident !== undefined) record.incident = input.incident
  return record
}

/**
 * The record at the call as plain data, never the caller's live objects: the error serialised (without what the record
 * shows elsewhere), fields and embed copied, render.redactKeys applied (nothing secret is held, sent to a worker or dead-lettered),
 * terminal escape sequences taken out of every text (a colourising log format's).
 */
export function atCall (record: LogRecord, severity: Severity = record.severity, redactKeys: readonly string[] = []): PlainRecord {
  const out: PlainRecord = { severity, message: withoutAnsi(typeof record.message === 'string' ? record.message : String(record.message ?? '')), time: typeof record.time === 'number' ? record.time : Date.now() }
  for (const key of ['level', 'title', 'service', 'footer', 'content', 'context'] as const) {
    const value = record[key]
    if (value !== undefined) out[key] = withoutAnsi(String(value))
  }
  if (record.fields !== undefined) out.fields = redactFields(record.fields, redactKeys)
  if (record.embed !== undefined) out.embed = toPlain(record.embed, PLAIN_DEPTH) as LogRecord['embed']
  const error = record.error
  if (error !== undefined) {
    const keys = redactKeys.filter((k) => !k.includes('.'))
    out.error = isError(error) || typeof (error as SerializedError).type !== 'string' ? shownOnce(serializeError(error, keys), out) : toPlain(error, ERROR_DEPTH, { redactKeys: keys }) as SerializedError
  }
  return out
}

/** `error.extra` without what the record shows already: its fields, and its level, service and time. */
function shownOnce (error: SerializedError, record: PlainRecord): SerializedError {
  if (error.extra === undefined) return error
  const { extra: all, ...rest } = error
  const keys = Object.keys(all).filter((key) => !SHOWN_ELSEWHERE.has(key) && (record.fields === undefined || !Object.hasOwn(record.fields, key)))
  if (keys.length === 0) return rest
  const extra: Record<string, unknown> = {}
  for (const key of keys) extra[key] = all[key]
  return { ...rest, extra }
}
