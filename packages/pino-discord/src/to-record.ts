/**
 * Pure translation: one parsed pino log object → the core's neutral LogRecord.
 * No I/O, no clock: the record's time comes from the log line (or `now`, passed in).
 *
 *   {"level":50,"time":…,"pid":1,"hostname":"h","svc":"api","err":{…},"msg":"payment failed"}
 *      │           │          └──────┬───────┘   └──┬──┘    └──┬──┘   └──────┬───────────┘
 *   severity     time             footer         fields      error     message (→ title)
 */
import { severityFromLevel, severityFromPinoNumber, type PlainRecord, type SerializedError, type Severity } from '@logcord/core'
import { loggedTime } from '@logcord/core/internal'

/** What pino tells a transport about its configuration (pino-abstract-transport `expectPinoConfig`). */
export interface PinoConfig {
  /** @default 'msg' */
  messageKey?: string
  /** @default 'err' */
  errorKey?: string
  /**
   * pino's `nestedKey`: the object logged (its error, its other keys) is under this key instead of at the top. pino
   * does not tell a transport this one: pass it as `pinoConfig: { nestedKey }` (the CLI: `--nested-key`). @default none
   */
  nestedKey?: string
  /** pino's `{ labels: { 50: 'error' }, values: { error: 50 } }`, custom levels included. */
  levels?: { labels?: Record<string | number, string>, values?: Record<string, number> }
}

export const DEFAULT_MESSAGE_KEY = 'msg'
export const DEFAULT_ERROR_KEY = 'err'

/** pino's own keys that are not context: they become severity, time and footer instead of fields. */
const META_KEYS = ['level', 'time', 'pid', 'hostname'] as const
/** Separator pino-std-serializers puts between an error's stack and its cause's (`stackWithCauses`). */
const CAUSED_BY = '\ncaused by: '
/** Separator pino-std-serializers puts between an error's message and its cause's (`messageWithCauses`). */
const MESSAGE_JOIN = ': '
/** Causes rebuilt from stack text; real chains are short, and core cuts deeper ones anyway. */
const MAX_CAUSES = 8
/** Keys of pino's serialized error that get their own SerializedError slot rather than `extra`. */
const ERROR_SLOTS = new Set(['type', 'name', 'message', 'stack', 'code', 'cause', 'aggregateErrors', 'errors'])
/** First line of a V8 stack frame: where the header (`Type: message`, possibly multi-line) ends. */
const FRAME_START = /\n\s+at /
/** A plausible error type at the start of a stack header (`TypeError`, `errors.HttpError`). */
const TYPE_NAME = /^[A-Za-z_$][\w$.]*$/

/**
 * Turns a parsed pino line into a record. Never throws on odd input: anything that is not an object
 * becomes a plain info record with its text.
 */
export function toRecord (obj: unknown, config: PinoConfig = {}, now: number = Date.now()): PlainRecord {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    return { severity: 'info', message: typeof obj === 'string' ? obj : JSON.stringify(obj) ?? String(obj), time: now }
  }
  const log = obj as Record<string, unknown>
  const messageKey = config.messageKey ?? DEFAULT_MESSAGE_KEY
  const errorKey = config.errorKey ?? DEFAULT_ERROR_KEY

  const { severity, level } = levelOf(log.level, config.levels)
  const rawMessage = log[messageKey]
  // With nestedKey the logged object's keys, its error among them, are one level down; pino's own stay at the top.
  const nested = config.nestedKey === undefined ? undefined : log[config.nestedKey]
  const logged = typeof nested === 'object' && nested !== null && !Array.isArray(nested) ? nested as Record<string, unknown> : undefined
  const errorValue = log[errorKey] ?? logged?.[errorKey]
  const error = pinoErrorToSerialized(errorValue)

  const record: PlainRecord = {
    severity,
    message: rawMessage === undefined ? '' : typeof rawMessage === 'string' ? rawMessage : JSON.stringify(rawMessage),
    time: loggedTime(log.time, now)
  }
  if (level !== undefined) record.level = level
  if (error !== undefined) record.error = error
  // `logger.error({ err: 'plain text' }, 'msg')`: not error-shaped, so keep it visible as a field.
  const errorIsField = error === undefined && errorValue !== undefined

  const fields: Record<string, unknown> = {}
  let hasFields = false
  for (const [from, keys] of [[log, Object.keys(log)], [logged, logged === undefined ? [] : Object.keys(logged)]] as const) {
    for (const key of keys) {
      if (from === log && logged !== undefined && key === config.nestedKey) continue
      if (key === messageKey || (key === errorKey && !errorIsField) || (from === log && (META_KEYS as readonly string[]).includes(key))) continue
      // `logger.error({ incident: 'db-primary' }, …)`: the record's incident, not a field.
      if (key === 'incident') {
        record.incident = from![key] as string
        continue
      }
      fields[key] = from![key]
      hasFields = true
    }
  }
  // `{ incident, resolved: true }`: the line ends its incident.
  if (record.incident !== undefined && fields.resolved === true) {
    record.resolved = true
    delete fields.resolved
    hasFields = Object.keys(fields).length > 0
  }
  if (hasFields) record.fields = fields

  const footer = footerOf(log.hostname, log.pid)
  if (footer !== undefined) record.footer = footer
  return record
}

/**
 * Level → severity and display name. A custom level counts by its name when the name is one the
 * core knows (`alert`, `notice`, `crit`), otherwise by its number, which pino orders like its own.
 */
export function levelOf (value: unknown, levels?: PinoConfig['levels']): { severity: Severity, level: string | undefined } {
  if (typeof value === 'number') {
    const name = levels?.labels?.[value] ?? DEFAULT_LABELS[value]
    const byName = name === undefined ? undefined : knownSeverity(name)
    return { severity: byName ?? severityFromPinoNumber(value), level: name ?? String(value) }
  }
  if (typeof value === 'string' && value !== '') {
    // `formatters.level` may write the label instead of the number.
    const byName = knownSeverity(value)
    if (byName !== undefined) return { severity: byName, level: value }
    const n = levels?.values?.[value]
    return { severity: typeof n === 'number' ? severityFromPinoNumber(n) : 'info', level: value }
  }
  return { severity: 'info', level: undefined }
}

const DEFAULT_LABELS: Readonly<Record<number, string>> = Object.freeze({ 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' })

function knownSeverity (name: string): Severity | undefined {
  // severityFromLevel answers `fallback` for names it does not know; two different fallbacks tell them apart.
  const a = severityFromLevel(name, 'debug')
  return a === severityFromLevel(name, 'critical') ? a : undefined
}

function footerOf (hostname: unknown, pid: unknown): string | undefined {
  const parts: string[] = []
  if (typeof hostname === 'string' && hostname !== '') parts.push(hostname)
  if (typeof pid === 'number' || typeof pid === 'string') parts.push(`pid ${pid}`)
  return parts.length === 0 ? undefined : parts.join(' · ')
}

/**
 * pino-std-serializers' error shape → SerializedError. pino 7+ folds the cause chain into the text:
 * `message` becomes "outer: inner" and `stack` "outer stack\ncaused by: inner stack"; other
 * serializers keep a nested `cause` object. Both come back as a `cause` chain with one stack each.
 * Returns undefined when the value is not error-shaped.
 */
export function pinoErrorToSerialized (value: unknown, depth = 0): SerializedError | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const e = value as Record<string, unknown>
  if (typeof e.message !== 'string' && typeof e.stack !== 'string') return undefined

  const type = typeof e.type === 'string' && e.type !== '' ? e.type : typeof e.name === 'string' && e.name !== '' ? e.name : 'Error'
  const out: SerializedError = { type, message: typeof e.message === 'string' ? e.message : '' }
  const code = e.code
  if (typeof code === 'string' || (typeof code === 'number' && Number.isFinite(code))) out.code = code

  if (typeof e.stack === 'string' && e.stack !== '') {
    const [own, ...causeStacks] = e.stack.split(CAUSED_BY)
    out.stack = own ?? e.stack
    const textCause = causeStacks.length > 0 ? causeFromStacks(causeStacks.slice(0, MAX_CAUSES)) : undefined
    if (textCause !== undefined) {
      out.cause = textCause
      out.message = stripCauseMessages(out.message, textCause)
    }
  }
  if (out.cause === undefined && depth < MAX_CAUSES) {
    const nested = pinoErrorToSerialized(e.cause, depth + 1)
    if (nested !== undefined) out.cause = nested
  }

  const inner = Array.isArray(e.aggregateErrors) ? e.aggregateErrors : Array.isArray(e.errors) ? e.errors : undefined
  if (inner !== undefined && depth < MAX_CAUSES) {
    const errors = inner.map((x) => pinoErrorToSerialized(x, depth + 1)).filter((x): x is SerializedError => x !== undefined)
    if (errors.length > 0) out.errors = errors
  }

  const extra: Record<string, unknown> = {}
  let hasExtra = false
  for (const key of Object.keys(e)) {
    if (ERROR_SLOTS.has(key)) continue
    extra[key] = e[key]
    hasExtra = true
  }
  if (hasExtra) out.extra = extra
  return out
}

/** Rebuilds a cause chain from the stacks pino appended after "caused by: ". */
function causeFromStacks (stacks: string[]): SerializedError | undefined {
  let cause: SerializedError | undefined
  for (let i = stacks.length - 1; i >= 0; i--) {
    const stack = stacks[i] ?? ''
    const frame = FRAME_START.exec(stack)
    const header = frame === null ? stack : stack.slice(0, frame.index)
    const sep = header.indexOf(MESSAGE_JOIN)
    const head = sep === -1 ? header : header.slice(0, sep)
    const typed = TYPE_NAME.test(head)
    const next: SerializedError = {
      type: typed ? head : 'Error',
      message: typed ? (sep === -1 ? '' : header.slice(sep + MESSAGE_JOIN.length)) : header,
      stack
    }
    if (cause !== undefined) next.cause = cause
    cause = next
  }
  return cause
}

/** "outer: mid: inner" → "outer" once mid and inner are carried as causes. */
function stripCauseMessages (message: string, cause: SerializedError): string {
  const parts: string[] = []
  for (let c: SerializedError | undefined = cause; c !== undefined; c = c.cause) parts.push(c.message)
  const suffix = MESSAGE_JOIN + parts.join(MESSAGE_JOIN)
  return message.endsWith(suffix) ? message.slice(0, -suffix.length) : message
}
