/*
 * Crash and shutdown handlers for an app that logs through Winston: the crash is logged through the
 * logger (so every transport sees it), every DiscordTransport of the logger is drained with a deadline,
 * then the process exits. The mechanics are the core's installProcessHandlers; this only adapts.
 *
 * Use this or Winston's own `handleExceptions` / `handleRejections`, not both: each would exit.
 */
import { installProcessHandlers as installCore, type Drainable, type FatalOrigin, type ProcessHandlerOptions } from '@logcord/core'
import { DiscordTransport } from './transport.js'

/** What the handlers need from a Winston logger (structural, so any winston 3 copy fits). */
export interface WinstonLoggerLike {
  log (entry: { level: string, message: string, [key: string]: unknown }): unknown
  levels: Record<string, number>
  transports: readonly unknown[]
}

export interface WinstonProcessHandlerOptions extends Omit<ProcessHandlerOptions, 'notifier' | 'onFatal'> {
  /** Level the crash is logged at. @default the logger's most severe level (`error` for Winston's npm levels) */
  level?: string
}

const MESSAGES: Readonly<Record<FatalOrigin, string>> = { uncaughtException: 'Uncaught exception', unhandledRejection: 'Unhandled rejection' }

/**
 * Logs uncaught exceptions and unhandled rejections through `logger`, drains the logger's
 * DiscordTransports (deadline `timeoutMs`, default 5000) and exits with `exitCode` (default 1);
 * SIGTERM/SIGINT drain and exit with 128 + the signal number. Returns an uninstall function.
 */
export function installProcessHandlers (logger: WinstonLoggerLike, options: WinstonProcessHandlerOptions = {}): () => void {
  const { level, drain, ...rest } = options
  const fatalLevel = level ?? mostSevere(logger.levels)
  // Read the transports when draining, not now: apps add transports after installing handlers.
  const transports: Drainable = {
    flush: (timeoutMs) => Promise.allSettled(logger.transports.filter(isDiscordTransport).map((t) => t.flush(timeoutMs)))
  }
  const extra = drain === undefined ? [] : Array.isArray(drain) ? drain : [drain as Drainable]
  return installCore({
    ...rest,
    drain: [transports, ...extra],
    onFatal: (error, origin) => {
      // `error` is where the Winston adapter looks for the Error object (winston's own handlers use it too).
      logger.log({ level: fatalLevel, message: MESSAGES[origin], error })
    }
  })
}

function mostSevere (levels: Record<string, number>): string {
  let best: string | undefined
  for (const [name, value] of Object.entries(levels)) {
    if (best === undefined || value < (levels[best] as number)) best = name
  }
  return best ?? 'error'
}

function isDiscordTransport (t: unknown): t is DiscordTransport {
  // instanceof misses a second copy of this package (ESM and CJS loaded side by side).
  return t instanceof DiscordTransport || (typeof t === 'object' && t !== null && typeof (t as Partial<DiscordTransport>).flush === 'function' && typeof (t as { notifier?: unknown }).notifier === 'object')
}
