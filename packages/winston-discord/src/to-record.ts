/**
 * Winston `info` → LogRecord. Pure and cheap: the time is passed in, nothing is rendered or copied here.
 * The record carries the Error itself and the metadata as they are: the notifier runs storm control on
 * them first and copies (serialises) only a record it sends, at the call.
 *
 * Winston builds `info` very differently per call shape, and an error's stack can end up in any
 * of four places. The shapes, as winston 3 and logform 2 build them:
 *
 *   logger.error(err)                      info IS the Error (level and defaultMeta assigned onto it)
 *   logger.log({ level, message: err })    info.message is the Error
 *   …either of the above + format.errors   plain info: message/stack strings, err's own props copied
 *   child.error(err)                       plain clone: message, stack, cause copied from the Error
 *   logger.error('msg', err)               plain info: err's props merged, message 'msg <err.message>',
 *                                          stack copied, the Error itself kept in info[SPLAT]
 *   logger.error('msg', { err })           info.err (or info.error) is the Error
 *   uncaught exception / rejection         info.error is the Error, message is 'uncaughtException: …\n<stack>'
 *
 * The primary error is taken from the first of: info itself, info.message, info.err / info.error,
 * an Error in info[SPLAT], a stack string on info, any other Error-valued key. The Error object
 * wins over copies of its parts because only the object still has its type, `cause` chain and code.
 */
import { types } from 'node:util'
import { LIMITS, severityFromLevel, type LogRecord, type Severity } from '@logcord/core'
import { loggedTime, renderValue } from '@logcord/core/internal'

/** triple-beam's symbols; `Symbol.for` so no dependency on triple-beam is needed. */
const LEVEL = Symbol.for('level')
const SPLAT = Symbol.for('splat')

/** Keys carried in the record's own slots, or the per-record opt-out flag: never fields. */
const RESERVED_KEYS: ReadonlySet<string> = new Set(['level', 'message', 'stack', 'timestamp', 'discord', 'service', 'incident'])
/**
 * Keys Winston's exception and rejection handlers add: flags, `trace` (the stack again, parsed
 * into dozens of frames) and `date` (the time again, as text). The stack and time already show.
 */
const HANDLER_KEYS: ReadonlySet<string> = new Set(['exception', 'rejection', 'trace', 'date'])
/** Where a log call conventionally puts its error: `logger.error('msg', { err })`. */
const ERROR_KEYS = ['err', 'error'] as const
/** `TypeError: boom` → `TypeError`, for errors Winston reduced to a stack string. */
const STACK_HEADER = /^([A-Za-z_$][\w$.]*)(?::|\r?\n|$)/

/** What Winston hands a transport's `log()`. Symbol keys are Winston's bookkeeping. */
export type WinstonInfo = Record<string, unknown>

export interface ToRecordOptions {
  /** Winston level name → severity, consulted before the built-in names. */
  levelMap?: Readonly<Record<string, Severity>> | undefined
  /**
   * Epoch ms of the log call: the embed time unless `info.timestamp` names the moment without doubt
   * (ISO 8601 with an offset, epoch ms or s, a Date). A formatted local time is never parsed back.
   */
  now: number
  /**
   * The info Winston logged, when `info` is the copy a `format` set on the transport returned
   * (winston-transport formats `Object.assign({}, info)`). The copy has only own enumerable
   * properties: when the original was the Error itself (`logger.error(err)`), its message, stack,
   * type and cause are read from the original.
   */
  original?: WinstonInfo | undefined
}

/** The level name as configured, not as colourised: format.colorize() rewrites `info.level` only. */
export function levelOf (info: WinstonInfo): string {
  const raw = (info as Record<symbol, unknown>)[LEVEL] ?? info.level
  return typeof raw === 'string' ? raw : String(raw ?? '')
}

export function severityOf (level: string, levelMap?: Readonly<Record<string, Severity>>): Severity {
  const mapped = levelMap !== undefined && Object.hasOwn(levelMap, level) ? levelMap[level] : undefined
  return mapped ?? severityFromLevel(level)
}

/** True for the info Winston's exception/rejection handler logs just before it may exit the process. */
export function isProcessFatal (info: WinstonInfo): boolean {
  // Never throws: log() asks it of every info before anything else.
  return read(info, 'exception') === true || read(info, 'rejection') === true
}

/** `info.service` as the record's service: a non-empty string (the usual defaultMeta), else none. */
export function serviceText (service: unknown): string | undefined {
  return typeof service === 'string' && service !== '' ? service : undefined
}

export function toRecord (info: WinstonInfo, options: ToRecordOptions): LogRecord {
  const level = levelOf(info)
  const fatal = isProcessFatal(info)
  // The Error a transport format's copy may have lost (see ToRecordOptions.original).
  const original = options.original !== info && options.original !== undefined && !isError(info) ? options.original : undefined
  const originalError = isError(original) ? original : isError(original?.message) ? original.message : undefined
  const rawMessage = info.message === undefined && isError(original) ? read(original, 'message') : info.message

  // 1. Find the Error object (or its remains), remembering where it came from.
  let error: unknown
  let source: 'self' | 'message' | 'key' | 'splat' | 'stack' | undefined
  let errorKey: string | undefined
  if (isError(info)) {
    error = info
    source = 'self'
  } else if (isError(original)) {
    error = original
    source = 'self'
  } else if (isError(rawMessage)) {
    error = rawMessage
    source = 'message'
  } else {
    for (const key of ERROR_KEYS) {
      if (isError(info[key])) {
        error = info[key]
        source = 'key'
        errorKey = key
        break
      }
    }
    if (error === undefined) {
      const splat = (info as Record<symbol, unknown>)[SPLAT]
      if (Array.isArray(splat)) {
        for (const arg of splat) {
          if (isError(arg)) {
            error = arg
            source = 'splat'
            break
          }
        }
      }
    }
    if (error === undefined && originalError !== undefined) {
      // format.errors() on the transport reduced info.message to strings on the copy: the Error
      // still has its type and cause.
      error = originalError
      source = 'message'
    }
    if (error === undefined && typeof info.stack === 'string' && info.stack !== '') {
      error = errorFromParts(info)
      source = 'stack'
    }
  }
  const fromOriginal = originalError !== undefined && error === originalError

  // 2. Everything else Winston carried becomes a field (the notifier copies it, at the call).
  let fields: Record<string, unknown> | undefined
  const timestamp = info.timestamp
  for (const key of Object.keys(info)) {
    if (RESERVED_KEYS.has(key) || key === errorKey) continue
    // format.timestamp({ alias }) writes the same time under a second key: the embed time shows it.
    if ((typeof timestamp === 'string' || typeof timestamp === 'number') && info[key] === timestamp) continue
    if (fatal && HANDLER_KEYS.has(key)) continue
    const value = info[key]
    if (value === undefined) continue
    if (error === undefined && isError(value)) {
      error = value
      source = 'key'
      continue
    }
    if (source === 'stack' && key === 'cause') continue // already part of the rebuilt error
    // Winston copies the Error's own props onto info for `logger.error('msg', err)`: shown once, in the error.
    if ((source === 'splat' || fromOriginal) && isObject(error) && Object.hasOwn(error, key) && Object.is((error as Record<string, unknown>)[key], value)) continue
    fields ??= {}
    fields[key] = value
  }

  // `logger.error(err)` puts err.code on info too; the core shows error.code already.
  if (source === 'self' && fields !== undefined && fields.code !== undefined && fields.code === read(error, 'code')) delete fields.code

  // 3. The message, without the copies of the error Winston folded into it.
  let message = source === 'message' ? stringOrEmpty(read(error, 'message')) : messageText(rawMessage)
  if (error !== undefined) message = withoutErrorEcho(message, error, source)

  // A string service (the usual defaultMeta) is the embed's author; anything else stays a field.
  const rawService = info.service
  const service = serviceText(rawService)
  if (service === undefined && rawService !== undefined) (fields ??= {}).service = rawService

  const severity = severityOf(level, options.levelMap)
  const time = loggedTime(info.timestamp, options.now)
  const record: LogRecord = { severity, level, message, time }
  if (error !== undefined) record.error = error as LogRecord['error']
  if (service !== undefined) record.service = service
  if (fields !== undefined) record.fields = fields
  // `logger.error('…', { incident: 'db-primary' })`: the record's incident (checked by the notifier); with
  // `resolved: true` the line ends it.
  if (info.incident !== undefined) {
    record.incident = info.incident as string
    if (info.resolved === true) {
      record.resolved = true
      delete record.fields?.resolved
      if (record.fields !== undefined && Object.keys(record.fields).length === 0) delete record.fields
    }
  }
  return record
}

// ---------------------------------------------------------------------------------------------

function isObject (v: unknown): v is object {
  return typeof v === 'object' && v !== null
}

function isError (v: unknown): v is Error {
  // instanceof misses errors from another realm (vm, jest environments); isNativeError misses
  // objects that only inherit from Error.prototype. Either is enough; neither runs a Proxy trap.
  return isObject(v) && (types.isNativeError(v) || v instanceof Error)
}

/** An error Winston reduced to strings (format.errors, child loggers): rebuilt so the core sees its type. */
function errorFromParts (info: WinstonInfo): object {
  const stack = info.stack as string
  const header = STACK_HEADER.exec(stack)
  const parts: Record<string, unknown> = { name: header?.[1] ?? 'Error', stack }
  parts.message = typeof info.message === 'string' ? info.message : ''
  if (info.cause !== undefined) parts.cause = info.cause
  return parts
}

function messageText (raw: unknown): string {
  if (typeof raw === 'string') return raw
  if (raw === undefined || raw === null) return ''
  // logger.info({ message: { … } }) or a number: rare, so rendering here costs nothing in practice.
  return renderValue(raw, LIMITS.description)
}

/**
 * Winston folds the error into the message in two shapes; both would repeat what the error block shows:
 * `logger.error('msg', err)` appends ` <err.message>`, the exception handler appends the whole stack.
 * The stack is only read when the message has several lines, so ordinary calls never make V8 format it.
 */
function withoutErrorEcho (message: string, error: unknown, source: string | undefined): string {
  if (message.includes('\n')) {
    const stack = read(error, 'stack')
    if (typeof stack === 'string' && stack !== '' && message.length > stack.length) {
      const at = message.indexOf(stack)
      if (at > 0) return message.slice(0, at).trimEnd()
    }
  }
  if (source === 'splat') {
    const errorMessage = read(error, 'message')
    if (typeof errorMessage === 'string' && errorMessage !== '') {
      const suffix = ` ${errorMessage}`
      if (message.length > suffix.length && message.endsWith(suffix)) return message.slice(0, -suffix.length)
    }
  }
  return message
}

/** A property of an app object that may be a throwing getter or a Proxy. */
function read (o: unknown, key: string): unknown {
  if (!isObject(o)) return undefined
  try {
    return (o as Record<string, unknown>)[key]
  } catch {
    return undefined
  }
}

function stringOrEmpty (v: unknown): string {
  return typeof v === 'string' ? v : ''
}
