/*
 * Crash and shutdown handlers for an app that logs through Pino: the crash is logged with
 * `logger.fatal`, then the process exits. The core's installProcessHandlers does the mechanics.
 *
 * Why exiting is enough for a worker transport (`target: '@logcord/pino-discord'` or
 * `discordTransport()`): pino ends its transport stream in a process 'exit' hook, and thread-stream's
 * end() blocks the main thread while our worker's close() drains (within `closeTimeoutMs`).
 * An in-process stream (`pino(opts, await pinoDiscord(opts))`) has no such hook: pass it as `stream`
 * and it is ended, so drained, before the process exits.
 */
import { installProcessHandlers as installCore, type Drainable, type FatalOrigin, type ProcessHandlerOptions } from '@logcord/core'

/** What the handlers need from a pino logger. */
export interface PinoLoggerLike {
  fatal (obj: object, msg: string): void
}

/** A stream that drains when ended: the in-process transport (or a pino.transport() stream). */
export interface EndableStream {
  end (): unknown
  once (event: 'close', listener: () => void): unknown
}

export interface PinoProcessHandlerOptions extends Omit<ProcessHandlerOptions, 'notifier' | 'onFatal'> {
  /** An in-process transport stream to end (and so drain) before exiting. Not needed for worker transports. */
  stream?: EndableStream
}

const MESSAGES: Readonly<Record<FatalOrigin, string>> = { uncaughtException: 'Uncaught exception', unhandledRejection: 'Unhandled rejection' }

/**
 * Logs uncaught exceptions and unhandled rejections with `logger.fatal({ err }, …)` and exits with
 * `exitCode` (default 1); SIGTERM/SIGINT exit with 128 + the signal number. Draining is bounded by
 * `timeoutMs` (default 5000) for `stream`, and by the transport's `closeTimeoutMs` in pino's exit hook.
 */
export function installProcessHandlers (logger: PinoLoggerLike, options: PinoProcessHandlerOptions = {}): () => void {
  const { stream, drain, ...rest } = options
  const drains: Drainable[] = drain === undefined ? [] : Array.isArray(drain) ? [...drain] : [drain as Drainable]
  if (stream !== undefined) drains.push(endOnce(stream))
  return installCore({
    ...rest,
    drain: drains,
    // `err` is pino's default errorKey: its serializer keeps type, message, stack and cause.
    onFatal: (err, origin) => logger.fatal({ err }, MESSAGES[origin])
  })
}

function endOnce (stream: EndableStream): Drainable {
  let closed: Promise<void> | undefined
  return {
    flush: () => (closed ??= new Promise<void>((resolve) => {
      stream.once('close', resolve)
      stream.end()
    }))
  }
}
