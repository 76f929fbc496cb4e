/**
 * The environment variables every entry point reads — the notifiers, both transports and the CLI —
 * with one rule: an option passed explicitly wins over the environment.
 *
 * | variable                          | option       | values                                               |
 * | --------------------------------- | ------------ | ---------------------------------------------------- |
 * | `DISCORD_WEBHOOK_URL`             | `webhookUrl` | the webhook URL (a secret)                           |
 * | `DISCORD_NOTIFICATIONS_ENABLED`   | `enabled`    | true/false, 1/0, yes/no, on/off (any case)           |
 * | `DISCORD_NOTIFICATIONS_LOG_LEVEL` | `logLevel`   | debug/trace, info, warn/warning, error/fatal, silent/off/none |
 * | `DISCORD_NOTIFICATIONS_REDIS_URL` | `redisUrl`   | redis:// or rediss:// (a secret when it holds a password)  |
 *
 * Empty values count as unset. Any other value is an InvalidEnvironmentError: a switch that cannot be
 * read must not quietly mean "on". The application's generic LOG_LEVEL is deliberately not read: an
 * app turned to `trace` must not also turn on this library's own debug lines.
 */
import { InvalidEnvironmentError, InvalidWebhookUrlError } from '../errors.js'
import type { LogLevel, NotifierOptions, ResolvedOptions } from '../types.js'
import { resolveOptions } from './resolve.js'
import { DEFAULTS } from './table.js'

const ENV_WEBHOOK_URL = 'DISCORD_WEBHOOK_URL'
const ENV_ENABLED = 'DISCORD_NOTIFICATIONS_ENABLED'
const ENV_LOG_LEVEL = 'DISCORD_NOTIFICATIONS_LOG_LEVEL'
const ENV_REDIS_URL = 'DISCORD_NOTIFICATIONS_REDIS_URL'

const SWITCH: Readonly<Record<string, boolean>> = Object.freeze({ true: true, 1: true, yes: true, on: true, false: false, 0: false, no: false, off: false })
const LOG_LEVEL_NAMES: Readonly<Record<string, LogLevel>> = Object.freeze({
  debug: 'debug', trace: 'debug', info: 'info', warn: 'warn', warning: 'warn', error: 'error', critical: 'error', fatal: 'error', silent: 'silent', none: 'silent', off: 'silent'
})

/** `DISCORD_NOTIFICATIONS_ENABLED` as a boolean; undefined when unset or empty. */
export function enabledFromEnv (env: NodeJS.ProcessEnv = process.env): boolean | undefined {
  return fromTable(env, ENV_ENABLED, SWITCH, 'enabled', 'true or false (also 1/0, yes/no, on/off)')
}

/** `DISCORD_NOTIFICATIONS_LOG_LEVEL` as a LogLevel; undefined when unset or empty. */
export function logLevelFromEnv (env: NodeJS.ProcessEnv = process.env): LogLevel | undefined {
  return fromTable(env, ENV_LOG_LEVEL, LOG_LEVEL_NAMES, 'logLevel', 'debug, info, warn, error or silent')
}

/** A variable read through `table` (any case); undefined when unset or empty, an error when unknown. */
function fromTable<T> (env: NodeJS.ProcessEnv, name: string, table: Readonly<Record<string, T>>, option: string, expected: string): T | undefined {
  const raw = env[name]?.trim()
  if (raw === undefined || raw === '') return undefined
  const key = raw.toLowerCase()
  // Own keys only: `constructor` or `toString` must not read as a value.
  if (!Object.hasOwn(table, key)) throw new InvalidEnvironmentError(name, option, expected, raw)
  return table[key]
}

/**
 * `options` with the environment filled in where the caller left an option unset (undefined). When notifications
 * end up disabled, DISCORD_WEBHOOK_URL is not read: nothing needs it, and a test placeholder must not fail the start.
 */
export function withEnvironment<T extends NotifierOptions> (options: T, env: NodeJS.ProcessEnv = process.env): T {
  const out: T = { ...options }
  if (out.enabled === undefined) {
    const enabled = enabledFromEnv(env)
    if (enabled !== undefined) out.enabled = enabled
  }
  if (out.logLevel === undefined) {
    const level = logLevelFromEnv(env)
    if (level !== undefined) out.logLevel = level
  }
  for (const [key, name] of [['webhookUrl', ENV_WEBHOOK_URL], ['redisUrl', ENV_REDIS_URL]] as const) {
    const value = out[key] === undefined && out.enabled !== false ? env[name]?.trim() : undefined
    if (value !== undefined && value !== '') out[key] = value
  }
  return out
}

/** createNotifierFromEnv's options: all settled from `env` (the constructor must not read process.env again); no DISCORD_WEBHOOK_URL: off, one warning. */
export function environmentForFactory (overrides: NotifierOptions, env: NodeJS.ProcessEnv): NotifierOptions {
  const options: NotifierOptions = withEnvironment(overrides, env)
  options.logLevel ??= DEFAULTS.logLevel
  options.enabled ??= true
  if (options.enabled !== false && options.webhookUrl === undefined) {
    options.enabled = false
    if (options.logLevel !== 'silent' && options.logLevel !== 'error') {
      const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'))
      log(`logcord warn: ${ENV_WEBHOOK_URL} is not set: Discord notifications are disabled`)
    }
  }
  return options
}

/** What the notifiers' constructors call: the environment applied (explicit values kept), then `resolveOptions`; a bad URL from DISCORD_WEBHOOK_URL says so. */
export function resolveWithEnvironment<T extends NotifierOptions> (options: T, env: NodeJS.ProcessEnv = process.env): { options: T, resolved: ResolvedOptions } {
  if (options === null || typeof options !== 'object') return { options, resolved: resolveOptions(options) }
  const applied = withEnvironment(options, env)
  try {
    return { options: applied, resolved: resolveOptions(applied) }
  } catch (err) {
    if (err instanceof InvalidWebhookUrlError && options.webhookUrl === undefined && applied.webhookUrl !== undefined) {
      err.message = err.message.replace('`webhookUrl`', `\`webhookUrl\` (from ${ENV_WEBHOOK_URL})`)
    }
    throw err
  }
}
