import { describe, expect, it } from 'vitest'
import { enabledFromEnv, logLevelFromEnv, withEnvironment } from '../src/options/env.js'
import { InvalidEnvironmentError, UnknownOptionError } from '../src/errors.js'
import { assertKnownOptions, suggest } from '../src/options/resolve.js'
import { resolveOptions } from '../src/options/resolve.js'

const URL_OK = 'https://discord.com/api/webhooks/123456789012345678/abcdefghijklmnopqrstuvwxyz0123456789'

describe('the environment switch and log level', () => {
  it.each([
    ['true', true], ['TRUE', true], [' 1 ', true], ['yes', true], ['On', true],
    ['false', false], ['0', false], ['no', false], ['OFF', false], ['', undefined], ['   ', undefined], [undefined, undefined]
  ])('DISCORD_NOTIFICATIONS_ENABLED=%j reads as %j', (value, expected) => {
    expect(enabledFromEnv(value === undefined ? {} : { DISCORD_NOTIFICATIONS_ENABLED: value })).toBe(expected)
  })

  it.each(['maybe', 'disabled', 'enable', '2', 'nope', 'constructor', 'toString'])('DISCORD_NOTIFICATIONS_ENABLED=%j is an error naming the variable', (value) => {
    expect(() => enabledFromEnv({ DISCORD_NOTIFICATIONS_ENABLED: value })).toThrow(InvalidEnvironmentError)
    expect(() => enabledFromEnv({ DISCORD_NOTIFICATIONS_ENABLED: value })).toThrow(/DISCORD_NOTIFICATIONS_ENABLED: expected true or false/)
  })

  it('reads DISCORD_NOTIFICATIONS_LOG_LEVEL with the usual aliases and refuses others', () => {
    expect(logLevelFromEnv({ DISCORD_NOTIFICATIONS_LOG_LEVEL: 'TRACE' })).toBe('debug')
    expect(logLevelFromEnv({ DISCORD_NOTIFICATIONS_LOG_LEVEL: 'warning' })).toBe('warn')
    expect(logLevelFromEnv({ DISCORD_NOTIFICATIONS_LOG_LEVEL: 'off' })).toBe('silent')
    expect(logLevelFromEnv({ LOG_LEVEL: 'debug' })).toBeUndefined()
    expect(() => logLevelFromEnv({ DISCORD_NOTIFICATIONS_LOG_LEVEL: 'verbose' })).toThrow(/DISCORD_NOTIFICATIONS_LOG_LEVEL/)
    expect(() => logLevelFromEnv({ DISCORD_NOTIFICATIONS_LOG_LEVEL: '__proto__' })).toThrow(/DISCORD_NOTIFICATIONS_LOG_LEVEL/)
  })

  it('fills only what the caller left unset, and skips the URL when disabled', () => {
    const env = { DISCORD_WEBHOOK_URL: ` ${URL_OK} `, DISCORD_NOTIFICATIONS_ENABLED: 'true', DISCORD_NOTIFICATIONS_LOG_LEVEL: 'debug' }
    expect(withEnvironment({}, env)).toEqual({ webhookUrl: URL_OK, enabled: true, logLevel: 'debug' })
    expect(withEnvironment({ webhookUrl: 'x', enabled: false, logLevel: 'error' }, env)).toEqual({ webhookUrl: 'x', enabled: false, logLevel: 'error' })
    expect(withEnvironment({}, { ...env, DISCORD_NOTIFICATIONS_ENABLED: 'off' })).toEqual({ enabled: false, logLevel: 'debug' })
  })
})

describe('unknown option keys', () => {
  it.each([
    ['retryDelay', 'retryDelays'], ['webhookURL', 'webhookUrl'], ['webhook_url', 'webhookUrl'], ['url', 'webhookUrl'],
    ['level', 'minSeverity'], ['timeout', 'timeoutMs'], ['flushTimeout', 'flushTimeoutMs'], ['deadletterfile', 'deadLetterFile'],
    ['somethingElseEntirely', undefined]
  ])('%s → %s', (key, expected) => {
    expect(suggest(key, Object.keys({ webhookUrl: 1, retryDelays: 1, minSeverity: 1, timeoutMs: 1, flushTimeoutMs: 1, deadLetterFile: 1 }))).toBe(expected)
  })

  it('refuses nested keys with their path, and quotes no key that is not a name', () => {
    expect(() => resolveOptions({ webhookUrl: URL_OK, dedup: { windowMS: 5 } } as never)).toThrow(/Unknown option `dedup.windowMS`: did you mean `dedup.windowMs`\?/)
    const err = (() => { try { assertKnownOptions({ [URL_OK]: true }) } catch (e) { return e as UnknownOptionError } })()
    expect(err).toBeInstanceOf(UnknownOptionError)
    expect(err?.message).not.toContain('abcdefghijklmnop')
    expect(err?.message).toMatch(/<a key of \d+ characters>/)
  })
})
