import type { Dispatcher } from 'undici'
import { systemClock, type Clock } from './clock.js'
import { assertAvatarUrl, assertThreadName, assertUsername } from './discord-names.js'
import { InvalidOptionError } from './errors.js'
import { parseWebhookUrl, type WebhookTarget } from './http/webhook-url.js'
import { assertKnownOptions } from './known-options.js'
import { FINGERPRINT_PARTS, type FingerprintPart } from './batch/fingerprint.js'
import { isSeverity, SEVERITIES, type Severity } from './levels.js'
import { LIMITS } from './limits.js'
import { RING_CAPACITY } from './rate-limit/limit-table.js'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent'
const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent']

export interface MentionOptions {
  /** Role ids to ping. */
  roles?: string[]
  /** User ids to ping. */
  users?: string[]
  /** Ping only for records at or above this severity. @default 'error' */
  minSeverity?: Severity
}

export interface RenderOptions {
  /** Field keys rendered first / only (when non-empty, only these). @default [] */
  includeFields?: string[]
  /** Field keys never rendered. @default [] */
  excludeFields?: string[]
  /** Keys whose values are replaced by `[redacted]` at any depth (case-insensitive). */
  redactKeys?: string[]
  /** Title template; `{emoji}`, `{label}`, `{level}`, `{service}`, `{message}` are replaced. @default '{emoji} {message}' */
  titleTemplate?: string
  /** Stack lines kept in full rendering. @default 30 */
  maxStackLines?: number
}

export interface RateLimitOptions {
  /** Per-webhook bucket assumed until Discord's headers are seen. @default 5 */
  fallbackLimit?: number
  /** @default 2000 */
  fallbackWindowMs?: number
  /** Discord's hidden per-channel limit, shared by every webhook of a channel. @default 30 */
  channelLimit?: number
  /** @default 60000 */
  channelWindowMs?: number
  /** Process-wide cap, kept below Discord's 50/s global limit. @default 40 */
  globalPerSecond?: number
  /** Added to every computed reset, for clock and network jitter. @default 250 */
  offsetMs?: number
  /** Invalid responses (401, 403, non-shared 429) allowed per 10 minutes before sending stops. Discord bans at 10000. @default 500 */
  invalidRequestLimit?: number
  /** First cool-down after a Cloudflare 429 without Retry-After; doubles on repeats up to 1 h. @default 60000 */
  cloudflareCooldownMs?: number
}

export interface DedupOptions {
  /** Collapse repeats of the same alert into one follow-up summary. `false` sends every record. @default true */
  enabled?: boolean
  /** How long after the first of a kind its repeats are folded into one summary. @default 60000 */
  windowMs?: number
  /**
   * What makes records "the same": `severity`, `message` (service, message and error message with
   * numbers, ids, hex, UUIDs and quoted strings normalised), `errorType`, `topFrame` (file:line of the
   * first stack frame). @default ['severity', 'message', 'errorType', 'topFrame']
   */
  fingerprint?: FingerprintPart[]
}

export interface OutageModeOptions {
  /** First wait between probes once the retries are spent; doubles after each failed probe (with jitter). @default 5000 */
  probeMinMs?: number
  /** Longest wait between probes. @default 30000 */
  probeMaxMs?: number
}

export interface NotifierOptions {
  /**
   * Discord webhook URL. Required unless `enabled` is false. Treated as a secret. A URL on a loopback
   * host (`http://127.0.0.1:PORT/api/webhooks/<id>/<token>`, the emulator) is sent to as-is.
   * @default DISCORD_WEBHOOK_URL (read by the constructors, not by resolveOptions)
   */
  webhookUrl?: string
  /** @default DISCORD_NOTIFICATIONS_ENABLED, else true */
  enabled?: boolean
  /** Send to this origin instead of https://discord.com (a proxy, an emulator). http only on loopback. */
  apiOrigin?: string
  /**
   * Overrides the webhook's display name: 1-80 characters after trimming, without "clyde" or "discord",
   * and not "everyone", "here" or "system message" (Discord refuses those, contract §1).
   */
  username?: string
  /** Overrides the webhook's avatar: an absolute http(s) image URL. */
  avatarUrl?: string
  /** Post into this thread of the webhook's channel (overrides `?thread_id=` in the URL). */
  threadId?: string
  /** Forum/media channels: create a thread with this name (1-100 characters after trimming). */
  threadName?: string
  /** Opt-in pings. By default nothing ever pings: `allowed_mentions` is `{ parse: [] }`. */
  mentions?: MentionOptions
  /** Records below this severity are ignored. @default 'debug' */
  minSeverity?: Severity
  /** Records held while Discord's limits apply; overflow sheds the least severe, oldest first. @default 2000 */
  queueCapacity?: number
  /** Per-attempt request timeout. @default 10000 */
  timeoutMs?: number
  /** Waits before each retry of a 5xx, network error or timeout. @default [2000, 3000, 5000] */
  retryDelays?: number[]
  /**
   * Deadline for flush() and close(), and for the drain when the event loop empties with records
   * pending (a script that ends). @default 10000
   */
  flushTimeoutMs?: number
  /**
   * How long `process.exit()` (or a crash) may be held up while records pending at that moment are
   * delivered from a worker thread started for them; what misses it is dead-lettered. No wait at all
   * when nothing is pending. @default 5000
   */
  exitTimeoutMs?: number
  /** After the retries: one probe record at a time until Discord answers again (nothing is dead-lettered meanwhile). */
  outage?: OutageModeOptions
  /**
   * Held records older than this (from their time, or from the notifier's start if stamped earlier) are
   * dead-lettered instead of sent, reason `expired`. @default 86400000 (24 h)
   */
  maxRecordAgeMs?: number
  /** Append undeliverable records as JSON lines to this file. @default undefined (off) */
  deadLetterFile?: string
  /** Verbosity of the library's own stderr lines. @default DISCORD_NOTIFICATIONS_LOG_LEVEL, else 'warn' */
  logLevel?: LogLevel
  /** Where the library's own lines go. @default a write to process.stderr */
  log?: (line: string) => void
  rateLimits?: RateLimitOptions
  render?: RenderOptions
  /**
   * When rendering has to cut a record (stack lines, causes, long values, fields beyond 25, its share
   * of the 6000-character message), the message also carries the record's full text as a `.txt` file
   * (at most 1 MiB a record; contract §1) and the embed names it. `false` sends embeds only. @default true
   */
  attachments?: boolean
  /** Storm control: the first record of a kind is sent at once, its repeats in a window become one "×N more" summary. */
  dedup?: DedupOptions
  /** Text appended to the `DiscordBot (url, version)` User-Agent. */
  userAgentSuffix?: string
  /** undici Dispatcher used for requests (a MockAgent in tests, a ProxyAgent behind a proxy). */
  dispatcher?: Dispatcher
  /** Time source (tests). */
  clock?: Clock
  /**
   * Share the webhook's limits with every other process and host that posts to it, through this Redis
   * (`redis://` or `rediss://`, credentials in the URL; needs the optional package `ioredis`).
   * Unreachable Redis: each process falls back to its own limiter. @default undefined (this process only)
   */
  redisUrl?: string
}

export interface ResolvedOptions {
  target: WebhookTarget | undefined
  enabled: boolean
  username: string | undefined
  avatarUrl: string | undefined
  threadName: string | undefined
  mentions: { roles: string[], users: string[], minSeverity: Severity }
  minSeverity: Severity
  queueCapacity: number
  timeoutMs: number
  retryDelays: number[]
  flushTimeoutMs: number
  exitTimeoutMs: number
  outage: Required<OutageModeOptions>
  maxRecordAgeMs: number
  deadLetterFile: string | undefined
  logLevel: LogLevel
  log: (line: string) => void
  rateLimits: Required<RateLimitOptions>
  render: Required<RenderOptions>
  dedup: Required<DedupOptions>
  attachments: boolean
  userAgentSuffix: string
  dispatcher: Dispatcher | undefined
  clock: Clock
  redisUrl: string | undefined
}

export const DEFAULT_REDACT_KEYS: readonly string[] = Object.freeze([
  'password', 'passwd', 'pass', 'secret', 'token', 'accessToken', 'refreshToken', 'apiKey', 'api_key',
  'authorization', 'cookie', 'set-cookie', 'webhookUrl', 'clientSecret', 'privateKey'
])

/** Every default in one place; `satisfies` makes the compiler check it is complete. */
export const DEFAULTS = {
  enabled: true,
  mentions: { roles: [] as string[], users: [] as string[], minSeverity: 'error' as Severity },
  minSeverity: 'debug' as Severity,
  queueCapacity: 2000,
  timeoutMs: 10_000,
  retryDelays: [2000, 3000, 5000],
  flushTimeoutMs: 10_000,
  exitTimeoutMs: 5000,
  outage: { probeMinMs: 5000, probeMaxMs: 30_000 } satisfies Required<OutageModeOptions>,
  maxRecordAgeMs: 24 * 60 * 60 * 1000,
  logLevel: 'warn' as LogLevel,
  rateLimits: {
    fallbackLimit: 5,
    fallbackWindowMs: 2000,
    channelLimit: 30,
    channelWindowMs: 60_000,
    globalPerSecond: 40,
    offsetMs: 250,
    invalidRequestLimit: 500,
    cloudflareCooldownMs: 60_000
  } satisfies Required<RateLimitOptions>,
  render: {
    includeFields: [] as string[],
    excludeFields: [] as string[],
    redactKeys: [...DEFAULT_REDACT_KEYS],
    titleTemplate: '{emoji} {message}',
    maxStackLines: 30
  } satisfies Required<RenderOptions>,
  dedup: {
    enabled: true,
    windowMs: 60_000,
    fingerprint: [...FINGERPRINT_PARTS] as FingerprintPart[]
  } satisfies Required<DedupOptions>,
  attachments: true,
  userAgentSuffix: ''
} as const

const defaultLog = (line: string): void => {
  process.stderr.write(line.endsWith('\n') ? line : line + '\n')
}

/**
 * Validates once, at construction. Errors name the option, what was expected, what came, and the fix;
 * an unknown key is refused with the closest known name. Reads no environment variable: the entry
 * points apply DISCORD_WEBHOOK_URL and the other variables first (see env.ts).
 */
export function resolveOptions (input: NotifierOptions = {}): ResolvedOptions {
  if (input === null || typeof input !== 'object') throw new InvalidOptionError('options', 'an object', input)
  assertKnownOptions(input)
  const enabled = optBool(input, 'enabled', DEFAULTS.enabled)
  let target: WebhookTarget | undefined
  if (input.webhookUrl !== undefined || enabled) {
    if (input.webhookUrl === undefined) {
      throw new InvalidOptionError('webhookUrl', 'a Discord webhook URL', undefined, 'Pass `webhookUrl` or set DISCORD_WEBHOOK_URL; to turn notifications off, set `enabled: false` or DISCORD_NOTIFICATIONS_ENABLED=false.')
    }
    const parseOpts: { apiOrigin?: string, threadId?: string } = {}
    if (input.apiOrigin !== undefined) parseOpts.apiOrigin = optString(input, 'apiOrigin') as string
    if (input.threadId !== undefined) parseOpts.threadId = optString(input, 'threadId') as string
    target = parseWebhookUrl(input.webhookUrl, parseOpts)
  }
  // Names and URLs Discord would refuse with a 400 on every message (discord-names.ts, contract §1).
  const username = optString(input, 'username')
  if (username !== undefined) assertUsername(username)
  const avatarUrl = optString(input, 'avatarUrl')
  if (avatarUrl !== undefined) assertAvatarUrl(avatarUrl)
  const threadName = optString(input, 'threadName')
  if (threadName !== undefined) assertThreadName(threadName)
  if (threadName !== undefined && target?.threadId !== undefined) {
    throw new InvalidOptionError('threadName', 'to be unset when a thread id is given', threadName, 'Discord rejects both together (code 220002): keep one.')
  }

  const m = input.mentions ?? {}
  if (typeof m !== 'object' || m === null) throw new InvalidOptionError('mentions', 'an object like { roles: [\'123…\'], minSeverity: \'error\' }', m)
  const mentions = {
    roles: optIds(m.roles, 'mentions.roles'),
    users: optIds(m.users, 'mentions.users'),
    minSeverity: optSeverity(m.minSeverity, 'mentions.minSeverity', DEFAULTS.mentions.minSeverity)
  }

  const logLevel = input.logLevel ?? DEFAULTS.logLevel
  if (!LOG_LEVELS.includes(logLevel)) throw new InvalidOptionError('logLevel', `one of ${LOG_LEVELS.join(', ')}`, logLevel)
  if (input.log !== undefined && typeof input.log !== 'function') throw new InvalidOptionError('log', 'a function (line: string) => void', input.log)

  const retryDelays = input.retryDelays ?? DEFAULTS.retryDelays
  if (!Array.isArray(retryDelays) || !retryDelays.every((d) => Number.isFinite(d) && d >= 0)) {
    throw new InvalidOptionError('retryDelays', 'an array of non-negative millisecond delays, e.g. [2000, 3000, 5000]', retryDelays)
  }

  const rl = input.rateLimits ?? {}
  if (typeof rl !== 'object' || rl === null) throw new InvalidOptionError('rateLimits', 'an object', rl)
  const rateLimits = { ...DEFAULTS.rateLimits }
  for (const key of Object.keys(rateLimits) as Array<keyof typeof rateLimits>) {
    const v = rl[key]
    if (v === undefined) continue
    const min = key === 'offsetMs' ? 0 : 1
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min) throw new InvalidOptionError(`rateLimits.${key}`, `a number >= ${min}`, v)
    // The shared rate-limit table keeps this many request times per window (Discord's own limits are 5 and 30).
    if ((key === 'channelLimit' || key === 'fallbackLimit') && v > RING_CAPACITY) {
      throw new InvalidOptionError(`rateLimits.${key}`, `a number from 1 to ${RING_CAPACITY}`, v, 'To take the limit out of the way (tests), shorten its window instead.')
    }
    rateLimits[key] = v
  }
  if (rateLimits.globalPerSecond >= 50) {
    throw new InvalidOptionError('rateLimits.globalPerSecond', 'a number below 50 (Discord\'s global limit)', rateLimits.globalPerSecond)
  }

  const r = input.render ?? {}
  if (typeof r !== 'object' || r === null) throw new InvalidOptionError('render', 'an object', r)
  const render = {
    includeFields: optStrings(r.includeFields, 'render.includeFields', DEFAULTS.render.includeFields),
    excludeFields: optStrings(r.excludeFields, 'render.excludeFields', DEFAULTS.render.excludeFields),
    redactKeys: optStrings(r.redactKeys, 'render.redactKeys', DEFAULTS.render.redactKeys),
    titleTemplate: r.titleTemplate === undefined ? DEFAULTS.render.titleTemplate : mustString(r.titleTemplate, 'render.titleTemplate'),
    maxStackLines: optInt(r.maxStackLines, 'render.maxStackLines', DEFAULTS.render.maxStackLines, 1)
  }

  const dd = input.dedup ?? {}
  if (typeof dd !== 'object' || dd === null) throw new InvalidOptionError('dedup', 'an object like { enabled: true, windowMs: 60000 }', dd)
  const dedup = {
    enabled: dd.enabled === undefined ? DEFAULTS.dedup.enabled : mustBool(dd.enabled, 'dedup.enabled'),
    windowMs: optInt(dd.windowMs, 'dedup.windowMs', DEFAULTS.dedup.windowMs, 1),
    fingerprint: optParts(dd.fingerprint, 'dedup.fingerprint')
  }

  const og = input.outage ?? {}
  if (typeof og !== 'object' || og === null) throw new InvalidOptionError('outage', 'an object like { probeMinMs: 5000, probeMaxMs: 30000 }', og)
  const outage = {
    probeMinMs: optInt(og.probeMinMs, 'outage.probeMinMs', DEFAULTS.outage.probeMinMs, 1),
    probeMaxMs: optInt(og.probeMaxMs, 'outage.probeMaxMs', DEFAULTS.outage.probeMaxMs, 1)
  }
  if (outage.probeMaxMs < outage.probeMinMs) {
    throw new InvalidOptionError('outage.probeMaxMs', `an integer >= outage.probeMinMs (${outage.probeMinMs})`, outage.probeMaxMs)
  }

  const dispatcher = input.dispatcher
  if (dispatcher !== undefined && (typeof dispatcher !== 'object' || dispatcher === null || typeof (dispatcher as { dispatch?: unknown }).dispatch !== 'function')) {
    throw new InvalidOptionError('dispatcher', 'an undici Dispatcher (Agent, Pool, MockAgent, ProxyAgent)', dispatcher)
  }
  const clock = input.clock ?? systemClock

  return {
    target,
    enabled,
    username,
    avatarUrl,
    threadName,
    mentions,
    minSeverity: optSeverity(input.minSeverity, 'minSeverity', DEFAULTS.minSeverity),
    queueCapacity: optInt(input.queueCapacity, 'queueCapacity', DEFAULTS.queueCapacity, 1),
    timeoutMs: optInt(input.timeoutMs, 'timeoutMs', DEFAULTS.timeoutMs, 1),
    retryDelays: [...retryDelays],
    flushTimeoutMs: optInt(input.flushTimeoutMs, 'flushTimeoutMs', DEFAULTS.flushTimeoutMs, 0),
    exitTimeoutMs: optInt(input.exitTimeoutMs, 'exitTimeoutMs', DEFAULTS.exitTimeoutMs, 0),
    outage,
    maxRecordAgeMs: optInt(input.maxRecordAgeMs, 'maxRecordAgeMs', DEFAULTS.maxRecordAgeMs, 1),
    deadLetterFile: optString(input, 'deadLetterFile'),
    logLevel,
    log: input.log ?? defaultLog,
    rateLimits,
    render,
    dedup,
    attachments: input.attachments === undefined ? DEFAULTS.attachments : mustBool(input.attachments, 'attachments'),
    userAgentSuffix: input.userAgentSuffix === undefined ? DEFAULTS.userAgentSuffix : mustString(input.userAgentSuffix, 'userAgentSuffix'),
    dispatcher,
    clock,
    redisUrl: optRedisUrl(input.redisUrl)
  }
}

/** A redis:// or rediss:// URL. The error never shows the URL itself: it may carry a password. */
function optRedisUrl (v: unknown): string | undefined {
  if (v === undefined || v === '') return undefined
  const expected = 'a redis:// or rediss:// URL, e.g. redis://:password@host:6379/0'
  if (typeof v !== 'string') throw new InvalidOptionError('redisUrl', expected, v)
  let protocol: string
  try {
    protocol = new URL(v).protocol
  } catch {
    throw new InvalidOptionError('redisUrl', expected, 'a string that is not a URL (not shown: it may contain a password)')
  }
  if (protocol !== 'redis:' && protocol !== 'rediss:') throw new InvalidOptionError('redisUrl', expected, `a ${protocol}// URL (not shown: it may contain a password)`)
  return v
}

function optBool (o: NotifierOptions, key: 'enabled', dflt: boolean): boolean {
  const v = o[key]
  if (v === undefined) return dflt
  if (typeof v !== 'boolean') throw new InvalidOptionError(key, 'true or false', v)
  return v
}

function mustBool (v: unknown, name: string): boolean {
  if (typeof v !== 'boolean') throw new InvalidOptionError(name, 'true or false', v)
  return v
}

/** Fingerprint parts, de-duplicated and in canonical order, so equal settings build equal keys. */
function optParts (v: unknown, name: string): FingerprintPart[] {
  if (v === undefined) return [...DEFAULTS.dedup.fingerprint]
  const expected = `a non-empty array of ${FINGERPRINT_PARTS.map((p) => `'${p}'`).join(', ')}`
  if (!Array.isArray(v) || v.length === 0) throw new InvalidOptionError(name, expected, v, 'To send every record, set `dedup: { enabled: false }`.')
  for (const part of v) if (!(FINGERPRINT_PARTS as readonly unknown[]).includes(part)) throw new InvalidOptionError(name, expected, part)
  return FINGERPRINT_PARTS.filter((p) => v.includes(p))
}

function optString (o: object, key: string): string | undefined {
  const v = (o as Record<string, unknown>)[key]
  if (v === undefined) return undefined
  return mustString(v, key)
}

function mustString (v: unknown, name: string): string {
  if (typeof v !== 'string') throw new InvalidOptionError(name, 'a string', v)
  return v
}

function optInt (v: unknown, name: string, dflt: number, min: number): number {
  if (v === undefined) return dflt
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new InvalidOptionError(name, `an integer >= ${min}`, v)
  return v
}

function optStrings (v: unknown, name: string, dflt: readonly string[]): string[] {
  if (v === undefined) return [...dflt]
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw new InvalidOptionError(name, 'an array of strings', v)
  return [...v]
}

function optIds (v: unknown, name: string): string[] {
  const ids = optStrings(v, name, [])
  for (const id of ids) {
    if (!/^\d{17,20}$/.test(id)) throw new InvalidOptionError(name, 'snowflake ids (17-20 digits, as strings)', id)
  }
  if (ids.length > LIMITS.allowedMentionIds) throw new InvalidOptionError(name, `at most ${LIMITS.allowedMentionIds} ids`, ids)
  return ids
}

function optSeverity (v: unknown, name: string, dflt: Severity): Severity {
  if (v === undefined) return dflt
  if (!isSeverity(v)) throw new InvalidOptionError(name, `one of ${SEVERITIES.join(', ')}`, v)
  return v
}
