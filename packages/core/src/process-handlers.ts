/*
 * Process-level handlers, so the crash itself and the shutdown still reach Discord:
 *
 *   uncaughtException ─┐
 *   unhandledRejection ┴─► print it to stderr (as Node would) ─► onFatal(err) or a critical record
 *                          ─► drain every target (deadline timeoutMs) ─► process.exit(exitCode)
 *   SIGTERM / SIGINT ────► onSignal?(signal) ─► drain (deadline) ─► process.exit(128 + signal number)
 *
 * While draining, another crash is reported into the same drain; a second signal exits at once.
 */
import { constants } from 'node:os'
import { InvalidOptionError } from './errors.js'
import { exitBudgetSpent } from './exit.js'
import { serializeError } from './format/plain.js'
import { redactLoose } from './http/webhook-url.js'
import type { LogRecord } from './types.js'

export type FatalOrigin = 'uncaughtException' | 'unhandledRejection'

/** Anything with a deadline-bounded flush: a notifier, a Winston DiscordTransport, an adapter. */
export interface Drainable {
  flush (timeoutMs?: number): Promise<unknown>
}

/** The notifier the handlers report a crash to, when no `onFatal` is given. */
export interface FatalNotifier extends Drainable {
  send (record: LogRecord): boolean
}

export interface ProcessHandlerOptions {
  /** Receives a critical record for each crash (unless `onFatal` is given) and is drained before exit. */
  notifier?: FatalNotifier
  /** Reports a crash instead of the default record, e.g. `(err) => logger.fatal(err)`. Must not throw (it is guarded). */
  onFatal?: (error: unknown, origin: FatalOrigin) => void
  /** Called once when a handled signal arrives, before draining (e.g. to log "shutting down"). */
  onSignal?: (signal: NodeJS.Signals) => void
  /** More things to drain before exiting (transports, other notifiers). */
  drain?: Drainable | readonly Drainable[]
  /** Exit code after a crash. @default 1 */
  exitCode?: number
  /** How long draining may take before the process exits anyway. @default 5000 */
  timeoutMs?: number
  /** Signals that drain and exit; `[]` leaves signals alone. @default ['SIGTERM', 'SIGINT'] */
  signals?: readonly NodeJS.Signals[]
  /** Handle uncaught exceptions. @default true */
  exceptions?: boolean
  /** Handle unhandled promise rejections. @default true */
  rejections?: boolean
  /** Service name shown on the default crash record. */
  service?: string
  /** Write the crash to stderr as Node's default handler would (installing a handler silences Node's). @default true */
  printErrors?: boolean
  /** How the process ends (tests). @default process.exit */
  exit?: (code: number) => void
}

/** Long enough for a request and a retry against a healthy Discord, short enough for an orchestrator's grace period. */
export const DEFAULT_PROCESS_DRAIN_MS = 5000

const TITLES: Readonly<Record<FatalOrigin, string>> = { uncaughtException: 'Uncaught exception', unhandledRejection: 'Unhandled rejection' }

/**
 * Installs handlers for crashes and termination signals that report, drain within `timeoutMs`,
 * then exit. Returns a function that removes them again.
 *
 * ```js
 * installProcessHandlers({ notifier })                                  // the bare notifier
 * installProcessHandlers({ onFatal: (err) => logger.fatal(err), drain: transport })
 * ```
 */
export function installProcessHandlers (options: ProcessHandlerOptions = {}): () => void {
  const o = resolve(options)
  const drains: Drainable[] = [...(o.notifier === undefined ? [] : [o.notifier]), ...o.drain]
  let exiting: { code: number } | undefined

  const drainThenExit = (code: number): void => {
    if (exiting !== undefined) {
      // A crash while a signal drains: the process ends as a crash.
      exiting.code = Math.max(exiting.code, code)
      return
    }
    const state = { code }
    exiting = state
    let timer: NodeJS.Timeout | undefined
    // The deadline timer stays ref'd: unref'd, a hanging drain would end the process "naturally", code 0, after a crash.
    const deadline = new Promise<void>((resolve) => { timer = setTimeout(resolve, o.timeoutMs) })
    const flushed = Promise.allSettled(drains.map(async (d) => await d.flush(o.timeoutMs)))
    let drained = false
    void flushed.then(() => { drained = true })
    void Promise.race([flushed, deadline]).then(() => {
      clearTimeout(timer)
      // The deadline is the whole budget: what is still pending is dead-lettered at exit, not retried.
      if (!drained) exitBudgetSpent()
      o.exit(state.code)
    })
  }

  const onCrash = (origin: FatalOrigin) => (error: unknown): void => {
    if (o.printErrors) safeWrite(`${TITLES[origin]}: ${describe(error)}\n`)
    try {
      if (o.onFatal !== undefined) o.onFatal(error, origin)
      else o.notifier?.send(crashRecord(error, origin, o.service))
    } catch (err) {
      // A broken reporter must not turn one crash into a silent one: the crash is printed above.
      safeWrite(`logcord error: reporting the ${TITLES[origin].toLowerCase()} failed: ${describe(err)}\n`)
    }
    drainThenExit(o.exitCode)
  }
  const onException = onCrash('uncaughtException')
  const onRejection = onCrash('unhandledRejection')
  const onSignal = (signal: NodeJS.Signals): void => {
    if (exiting !== undefined) {
      // Second signal: the user insists. Exit now with what we have.
      o.exit(exiting.code)
      return
    }
    try {
      o.onSignal?.(signal)
    } catch (err) {
      safeWrite(`logcord error: the onSignal callback threw: ${describe(err)}\n`)
    }
    // Shells and orchestrators read 128 + n as "terminated by signal n".
    drainThenExit(128 + (constants.signals[signal] ?? 0))
  }

  if (o.exceptions) process.on('uncaughtException', onException)
  if (o.rejections) process.on('unhandledRejection', onRejection)
  for (const signal of o.signals) process.on(signal, onSignal)
  return () => {
    process.off('uncaughtException', onException)
    process.off('unhandledRejection', onRejection)
    for (const signal of o.signals) process.off(signal, onSignal)
  }
}

/** The record sent for a crash when the app gives no `onFatal`. */
function crashRecord (error: unknown, origin: FatalOrigin, service?: string): LogRecord {
  const serialized = serializeError(error)
  const record: LogRecord = {
    severity: 'critical',
    level: origin,
    title: `${TITLES[origin]}: ${serialized.message || serialized.type}`,
    message: `The process exits with this ${origin === 'uncaughtException' ? 'exception' : 'rejection'}.`,
    error: serialized,
    fields: { PID: process.pid },
    time: Date.now()
  }
  if (service !== undefined) record.service = service
  return record
}

type Resolved = Required<Omit<ProcessHandlerOptions, 'notifier' | 'onFatal' | 'onSignal' | 'service' | 'drain'>>
  & Pick<ProcessHandlerOptions, 'notifier' | 'onFatal' | 'onSignal' | 'service'> & { drain: Drainable[] }

function resolve (options: ProcessHandlerOptions): Resolved {
  if (options === null || typeof options !== 'object') throw new InvalidOptionError('options', 'an object', options)
  const { notifier, onFatal, onSignal } = options
  if (notifier !== undefined && (typeof notifier !== 'object' || notifier === null || typeof notifier.send !== 'function' || typeof notifier.flush !== 'function')) {
    throw new InvalidOptionError('notifier', 'a DiscordNotifier or ThreadedNotifier', notifier)
  }
  for (const [name, fn] of [['onFatal', onFatal], ['onSignal', onSignal], ['exit', options.exit]] as const) {
    if (fn !== undefined && typeof fn !== 'function') throw new InvalidOptionError(name, 'a function', fn)
  }
  const drain = options.drain === undefined ? [] : Array.isArray(options.drain) ? [...options.drain] : [options.drain as Drainable]
  drain.forEach((d, i) => {
    if (typeof d !== 'object' || d === null || typeof (d as Partial<Drainable>).flush !== 'function') {
      throw new InvalidOptionError(`drain[${i}]`, 'an object with flush(timeoutMs): Promise (a notifier or a DiscordTransport)', d)
    }
  })
  const timeoutMs = options.timeoutMs ?? DEFAULT_PROCESS_DRAIN_MS
  if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs < 0) throw new InvalidOptionError('timeoutMs', 'an integer >= 0 (milliseconds)', timeoutMs)
  const exitCode = options.exitCode ?? 1
  if (typeof exitCode !== 'number' || !Number.isInteger(exitCode) || exitCode < 0) throw new InvalidOptionError('exitCode', 'an integer >= 0', exitCode)
  const signals = options.signals ?? ['SIGTERM', 'SIGINT']
  if (!Array.isArray(signals) || !signals.every((s) => typeof s === 'string' && Object.hasOwn(constants.signals, s))) {
    throw new InvalidOptionError('signals', 'an array of signal names such as [\'SIGTERM\', \'SIGINT\']', signals)
  }
  for (const key of ['exceptions', 'rejections', 'printErrors'] as const) {
    const v = options[key]
    if (v !== undefined && typeof v !== 'boolean') throw new InvalidOptionError(key, 'true or false', v)
  }
  if (options.service !== undefined && typeof options.service !== 'string') throw new InvalidOptionError('service', 'a string', options.service)
  if (notifier === undefined && onFatal === undefined && drain.length === 0) {
    throw new InvalidOptionError('notifier', 'a notifier, an onFatal callback or something to drain', undefined, 'Without one, nothing would report the crash: pass `{ notifier }` or `{ onFatal, drain }`.')
  }
  return {
    notifier,
    onFatal,
    onSignal,
    drain,
    exitCode,
    timeoutMs,
    signals: [...signals],
    exceptions: options.exceptions ?? true,
    rejections: options.rejections ?? true,
    service: options.service,
    printErrors: options.printErrors ?? true,
    exit: options.exit ?? ((code) => process.exit(code))
  }
}

/** The stack when there is one; never throws, whatever was thrown (getters, Proxies, null). */
function describe (value: unknown): string {
  try {
    if (value instanceof Error) return redactLoose(value.stack ?? `${value.name}: ${value.message}`)
    return redactLoose(typeof value === 'string' ? value : String(value))
  } catch {
    return '[a value that cannot be printed]'
  }
}

function safeWrite (text: string): void {
  try {
    process.stderr.write(text)
  } catch {}
}
