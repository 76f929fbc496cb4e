/**
 * @logcord/pino-discord — pino logs to Discord embeds, delivered from pino's worker thread.
 *
 * The default export is the transport factory pino's worker loads (`target: '@logcord/pino-discord'`).
 * `discordTransport()` / `discordTarget()` validate options on the main thread first.
 */
import pinoDiscord from './transport.js'

export default pinoDiscord
export { pinoDiscord }
export { discordTransport, discordTarget, transportTarget, type PinoTransportOptions } from './main-thread.js'
export { toRecord, levelOf, pinoErrorToSerialized, DEFAULT_MESSAGE_KEY, DEFAULT_ERROR_KEY, type PinoConfig } from './to-record.js'
export { assertPlainData, resolvePinoOptions, DEFAULT_CLOSE_TIMEOUT_MS, type PinoDiscordOptions, type InProcessOptions, type Formatter, type ResolvedPinoOptions } from './options.js'
export type { PinoDiscordStats, PinoDiscordStream } from './transport.js'
export { installProcessHandlers } from './process-handlers.js'
export type { PinoProcessHandlerOptions, PinoLoggerLike, EndableStream } from './process-handlers.js'
