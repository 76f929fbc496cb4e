/**
 * The public API: what applications call. What the logcord packages share with each other lives in
 * `@logcord/core/internal` (internal.ts), which is not part of the public API.
 */
export { SEVERITIES, SEVERITY_STYLES, isSeverity, severityFromLevel, severityFromPinoNumber } from './levels.js'
export type { Severity, SeverityStyle } from './levels.js'
export { LIMITS } from './limits.js'
export { LogcordError, InvalidOptionError, UnknownOptionError, InvalidEnvironmentError, InvalidWebhookUrlError } from './errors.js'
export type { ErrorCode } from './errors.js'
export type { Clock } from './clock.js'
export type * from './types.js'
export { DEFAULTS } from './options/table.js'
export { DEFAULT_REDACT_KEYS } from './format/render.js'
export { DiscordNotifier, ThreadedNotifier, createNotifierFromEnv } from './notifier.js'
export type { DiagnosticInput, DiagnosticLevel, ErrorNotificationInput, EmbedInput, ThreadedNotifierOptions } from './notifier.js'
export { VERSION } from './version.js'
export { EmbedBuilder } from './format/embed-builder.js'
export type { EmbedColor, EmbedFooterInput, EmbedAuthorInput } from './format/embed-builder.js'
export { installProcessHandlers, DEFAULT_PROCESS_DRAIN_MS } from './process-handlers.js'
export type { ProcessHandlerOptions, FatalOrigin, Drainable, FatalNotifier } from './process-handlers.js'
export { replayDeadLetters } from './replay.js'
export type { ReplayOptions, ReplayResult } from './replay.js'
export { runCheck } from './check.js'
export type { CheckLine, CheckResult } from './check.js'
