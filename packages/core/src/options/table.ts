/**
 * Every option, written once: its key, its default, how a value is checked (and what a wrong one is told), and
 * what it means. DEFAULTS, the unknown-key check and its "did you mean", validation (resolve.ts) and the READMEs'
 * options tables (scripts/options-table.mjs, held equal by test/docs.test.ts) all come from here. Options that
 * depend on each other (the webhook URL and its origin, a thread's id and name) are checked in resolve.ts.
 */
import { InvalidOptionError } from '../errors.js'
import { RENDER_DEFAULTS, TITLE_PLACEHOLDERS } from '../format/render.js'
import { knownSeverity, SEVERITIES } from '../levels.js'
import { LIMITS } from '../limits.js'
import { RING_CAPACITY } from '../rate-limit/limit-table.js'
import { FINGERPRINT_PARTS, type ResolvedOptions } from '../types.js'
import { codePointLength } from '../format/text.js'

export interface OptionSpec {
  /** The key as written in the options; nested ones dotted (`rateLimits.channelLimit`). */
  key: string
  /** The value when unset (undefined: unset means off, or read from the environment). */
  default: unknown
  /** The default as the README says it, when the value alone would not (an environment variable, "off"). */
  shown?: string
  /** What it does, for the README. */
  doc: string
  /** The value as used: checked, copied; throws InvalidOptionError naming `key` and what was expected. */
  check: (value: unknown, key: string) => unknown
}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const

const bool = (v: unknown, key: string): boolean => {
  if (typeof v !== 'boolean') throw new InvalidOptionError(key, 'true or false', v)
  return v
}
const string = (v: unknown, key: string): string => {
  if (typeof v !== 'string') throw new InvalidOptionError(key, 'a string', v)
  return v
}
const strings = (v: unknown, key: string): string[] => {
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw new InvalidOptionError(key, 'an array of strings', v)
  return [...v as string[]]
}
const int = (min: number) => (v: unknown, key: string): number => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new InvalidOptionError(key, `an integer >= ${min}`, v)
  return v
}
/** A number of milliseconds or requests, not necessarily whole (windows scaled down in tests). */
const num = (min: number, max = Infinity, hint?: string) => (v: unknown, key: string): number => {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw new InvalidOptionError(key, max === Infinity ? `a number >= ${min}` : `a number from ${min} to ${max}`, v, hint)
  }
  return v
}
/** A severity, or a logger's name for one in any case (`warn`, `fatal`, `crit`, … as sendDiagnostic takes them): the severity it maps to. */
const severity = (v: unknown, key: string): string => {
  const known = typeof v === 'string' ? knownSeverity(v) : undefined
  if (known === undefined) throw new InvalidOptionError(key, `one of ${SEVERITIES.join(', ')} (or a logger's name for one: warn, fatal, err, …)`, v)
  return known
}
/** A title template: text with `{emoji}`, `{label}`, `{level}`, `{service}` and `{message}` only. */
const titleTemplate = (v: unknown, key: string): string => {
  const unknown = [...string(v, key).matchAll(/\{([^{}]*)\}/g)].map((m) => m[1]!).find((name) => !(TITLE_PLACEHOLDERS as readonly string[]).includes(name))
  if (unknown !== undefined) throw new InvalidOptionError(key, `a template whose placeholders are ${TITLE_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}`, v, `{${unknown}} is not one of them.`)
  return v as string
}
const ids = (v: unknown, key: string): string[] => {
  const list = strings(v, key)
  for (const id of list) if (!/^\d{17,20}$/.test(id)) throw new InvalidOptionError(key, 'snowflake ids (17-20 digits, as strings)', id)
  if (list.length > LIMITS.allowedMentionIds) throw new InvalidOptionError(key, `at most ${LIMITS.allowedMentionIds} ids`, list)
  return list
}
const fn = (shape: string) => (v: unknown, key: string): unknown => {
  if (typeof v !== 'function') throw new InvalidOptionError(key, `a function ${shape}`, v)
  return v
}
/** A redis:// or rediss:// URL. Never echoed: it may carry a password. */
const redisUrl = (v: unknown, key: string): string | undefined => {
  if (v === '') return undefined
  const expected = 'a redis:// or rediss:// URL, e.g. redis://:password@host:6379/0'
  if (typeof v !== 'string') throw new InvalidOptionError(key, expected, v)
  const protocol = URL.canParse(v) ? new URL(v).protocol : undefined
  if (protocol === undefined) throw new InvalidOptionError(key, expected, 'a string that is not a URL (not shown: it may contain a password)')
  if (protocol !== 'redis:' && protocol !== 'rediss:') throw new InvalidOptionError(key, expected, `a ${protocol}// URL (not shown: it may contain a password)`)
  return v
}
/** An http(s):// proxy URL. Never echoed: it may carry a password. */
const proxyUrl = (v: unknown, key: string): string => {
  const expected = 'an http:// or https:// proxy URL, e.g. http://proxy.internal:3128'
  if (typeof v !== 'string') throw new InvalidOptionError(key, expected, v)
  const protocol = URL.canParse(v) ? new URL(v).protocol : undefined
  if (protocol !== 'http:' && protocol !== 'https:') throw new InvalidOptionError(key, expected, protocol === undefined ? 'a string that is not a URL (not shown: it may contain a password)' : `a ${protocol}// URL (not shown: it may contain a password)`)
  return v
}
const LIMIT_HINT = 'To take the limit out of the way (tests), shorten its window instead.'

/**
 * Names Discord refuses with a 400 on every message (contract §1), so every alert would be lost: a
 * username is trimmed, whitespace runs collapsed, then 1-80 code points without "clyde" or "discord",
 * and not "everyone", "here" or "system message"; a thread name is 1-100 code points after trimming.
 */
const username = (v: unknown, key: string): string => {
  const name = string(v, key).trim().replace(/\s+/g, ' ')
  const lower = name.toLowerCase()
  const length = codePointLength(name)
  if (length < 1 || length > LIMITS.username) throw new InvalidOptionError(key, `1-${LIMITS.username} characters after trimming (Discord refuses others)`, v)
  const part = ['clyde', 'discord'].find((p) => lower.includes(p))
  const fix = 'Choose another display name, e.g. "Alerts".'
  if (part !== undefined) throw new InvalidOptionError(key, `a name without "${part}" (Discord refuses names containing "clyde" or "discord")`, v, fix)
  if (['everyone', 'here', 'system message'].includes(lower)) throw new InvalidOptionError(key, 'a name other than "everyone", "here" or "system message" (Discord refuses these)', v, fix)
  return v as string
}
const threadName = (v: unknown, key: string): string => {
  const length = codePointLength(string(v, key).trim())
  if (length < 1 || length > 100) throw new InvalidOptionError(key, '1-100 characters after trimming (Discord\'s limit for a thread name)', v)
  return v as string
}
/** An avatar (contract §1, §2's rule for image URLs): an absolute http(s) URL with a host. */
const avatarUrl = (v: unknown, key: string): string => {
  const url = URL.canParse(string(v, key).trim()) ? new URL((v as string).trim()) : undefined
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.hostname === '') throw new InvalidOptionError(key, 'an absolute http(s) URL of an image, e.g. "https://example.com/bot.png"', v)
  return v as string
}

export const OPTIONS: readonly OptionSpec[] = [
  { key: 'webhookUrl', default: undefined, shown: '`DISCORD_WEBHOOK_URL` (required unless disabled)', check: (v) => v, doc: 'Any form Discord hands out: `discord.com`, `discordapp.com`, `ptb.`/`canary.`, with or without `/api/vN`, with `?thread_id=`. Requests always go to `/api/v10` with `?wait=true`. `/slack` and `/github` URLs are refused. A URL on a loopback host (`http://127.0.0.1:PORT/api/webhooks/…`, as the emulator prints it) is sent to as-is. A secret: never echoed.' },
  { key: 'enabled', default: true, shown: '`DISCORD_NOTIFICATIONS_ENABLED`, else `true`', check: bool, doc: '`false` turns every send into a no-op.' },
  { key: 'apiOrigin', default: undefined, shown: '`https://discord.com`', check: string, doc: 'Send elsewhere (a proxy; an emulator whose URL is not on loopback). Plain `http` only on loopback.' },
  { key: 'username', default: undefined, shown: "the webhook's own", check: username, doc: 'Per-message name: 1-80 characters after trimming, neither "clyde" nor "discord" in it, not "everyone", "here" or "system message" (Discord refuses those with a 400 on every message, contract §1).' },
  { key: 'avatarUrl', default: undefined, shown: "the webhook's own", check: avatarUrl, doc: 'Per-message avatar: an absolute http(s) URL of an image.' },
  { key: 'threadId', default: undefined, shown: "the URL's `?thread_id=`", check: string, doc: 'Post into this thread of the webhook\'s channel.' },
  { key: 'threadName', default: undefined, check: threadName, doc: 'Forum and media channels: create a thread with this name (1-100 characters). Not with `threadId`.' },
  { key: 'mentions.roles', default: [], shown: 'none', check: ids, doc: 'Role ids to ping (17-20 digit strings, at most 100). Nothing pings otherwise: every request carries `allowed_mentions: { parse: [] }` (contract §6).' },
  { key: 'mentions.users', default: [], shown: 'none', check: ids, doc: 'User ids to ping.' },
  { key: 'mentions.minSeverity', default: 'error', check: severity, doc: 'Pings only for records at or above this severity (a logger\'s name for one, such as `warn`, is taken too).' },
  { key: 'minSeverity', default: 'debug', check: severity, doc: 'Records below it are ignored. A logger\'s name for a severity (`warn`, `fatal`, `err`, any case) is taken too.' },
  { key: 'queueCapacity', default: 2000, check: int(1), doc: 'Records held while limits apply. Overflow sheds the least severe, oldest first, counted and dead-lettered.' },
  { key: 'timeoutMs', default: 10_000, check: int(1), doc: 'Per-attempt request timeout (ms).' },
  {
    key: 'retryDelays',
    default: [2000, 3000, 5000],
    check: (v, k) => {
      if (!Array.isArray(v) || !v.every((d) => typeof d === 'number' && Number.isFinite(d) && d >= 0)) throw new InvalidOptionError(k, 'an array of non-negative millisecond delays, e.g. [2000, 3000, 5000]', v)
      return [...v as number[]]
    },
    doc: 'Waits (ms) before each retry of a 5xx, a network error or a timeout. 429s never spend these. After the last, the last wait repeats until `outage.afterMs` of failures, then outage mode.'
  },
  { key: 'outage.afterMs', default: 30_000, check: int(0), doc: 'Outage mode starts once every request for this long (ms) has failed: Discord is down, not flaky. Records are held, never dead-lettered, for an outage.' },
  { key: 'outage.probeMinMs', default: 5000, check: int(1), doc: 'Outage mode: one probe request (one record) at a time, the wait doubling from this (ms)…' },
  { key: 'outage.probeMaxMs', default: 30_000, check: int(1), doc: '…to this (ms), with jitter. At least `outage.probeMinMs`.' },
  { key: 'maxRecordAgeMs', default: 86_400_000, shown: '`86400000` (24 h)', check: int(1), doc: 'A held record older than this (from its time, or from the notifier\'s start for older stamps) is dead-lettered, reason `expired`, instead of posted late.' },
  { key: 'exitTimeoutMs', default: 5000, check: int(0), doc: 'How long `process.exit()` (or a crash) may be held up while the records pending then are delivered from a worker thread started for them; what misses it is dead-lettered. No wait when nothing is pending.' },
  { key: 'flushTimeoutMs', default: 10_000, check: int(0), doc: 'Deadline of `flush()` and `close()`, and of the drain when the event loop empties with records pending. During `close()` a request is cut short to end a tenth of the deadline (at most 1 s) before it, so what remains is dead-lettered in time.' },
  { key: 'deadLetterFile', default: undefined, shown: '`logcord/dead-letters.ndjson` in `os.tmpdir()`', check: (v, k) => v === false ? false : string(v, k), doc: 'Every record that cannot be delivered is appended here as a JSON line `{ id, time, reason, webhookId, detail?, record }` (redacted, never the token; file mode 0600), written in batches after the logging call; the stderr line reporting a drop names the file. `false`: nowhere.' },
  { key: 'logLevel', default: 'warn', shown: '`DISCORD_NOTIFICATIONS_LOG_LEVEL`, else `\'warn\'`', check: (v, k) => { if (!(LOG_LEVELS as readonly unknown[]).includes(v)) throw new InvalidOptionError(k, `one of ${LOG_LEVELS.join(', ')}`, v); return v }, doc: 'The library\'s own stderr lines: `debug` shows every retry and wait, `silent` nothing.' },
  { key: 'log', default: undefined, shown: 'stderr', check: fn('(line: string) => void'), doc: 'Where those lines go.' },
  { key: 'render.titleTemplate', default: RENDER_DEFAULTS.titleTemplate, check: titleTemplate, doc: 'Placeholders `{emoji}`, `{label}`, `{level}`, `{service}`, `{message}`.' },
  { key: 'render.includeFields', default: RENDER_DEFAULTS.includeFields, check: strings, doc: 'When not empty, only these context keys become embed fields, in this order.' },
  { key: 'render.excludeFields', default: RENDER_DEFAULTS.excludeFields, check: strings, doc: 'Context keys never shown.' },
  { key: 'render.redactKeys', default: RENDER_DEFAULTS.redactKeys, shown: '`password`, `secret`, `token`, `authorization`, `cookie`, `apiKey`, …', check: strings, doc: 'Values under these keys (any depth, any case) show as `[redacted]`, in embeds, files and dead letters; an entry with dots (`user.credentials.pin`) redacts exactly that path.' },
  { key: 'render.maxStackLines', default: RENDER_DEFAULTS.maxStackLines, check: int(1), doc: 'Stack lines kept when there is room.' },
  { key: 'attachments', default: true, check: bool, doc: 'A record the embed had to cut also travels whole, as a text file attached to the same message (multipart, up to 10 a message, contract §1): message, time, level, service, context, every stack frame and cause, every field and its whole value, redacted as the embed is, never the token. At most 1 MiB a record; beyond, the file ends with a line saying how many bytes were left out. Records that fit get no file. `false`: embeds only.' },
  { key: 'dedup.enabled', default: true, check: bool, doc: 'Storm control: repeats of one fingerprint inside a window are counted, not sent; the first goes at once, one follow-up says "×37 more in the last 60 s". With `redisUrl`, one alert and one summary for every process together.' },
  { key: 'dedup.windowMs', default: 60_000, check: int(1), doc: 'The window (ms).' },
  {
    key: 'dedup.fingerprint',
    default: ['severity', 'message', 'errorType'],
    check: (v, k) => {
      const expected = `a non-empty array of ${FINGERPRINT_PARTS.map((p) => `'${p}'`).join(', ')}`
      if (!Array.isArray(v) || v.length === 0) throw new InvalidOptionError(k, expected, v, 'To send every record, set `dedup: { enabled: false }`.')
      for (const part of v) if (!(FINGERPRINT_PARTS as readonly unknown[]).includes(part)) throw new InvalidOptionError(k, expected, part)
      return FINGERPRINT_PARTS.filter((p) => v.includes(p))
    },
    doc: 'What makes records "the same": `severity`; `message` (service, message and the error\'s message, with numbers, ids, hex and quoted strings normalised); `errorType` (the error\'s name, read without its stack); `topFrame` (file:line of the first in-app stack frame: costs a stack format per call, so not by default).'
  },
  { key: 'incidents.enabled', default: true, check: bool, doc: 'With storm control on, an alert is an incident: the first record of a fingerprint (or of a record\'s own `incident` key) is posted, and its message is edited in place with `×3,000 · first 12:00:03 · last 12:04:51 UTC` while it repeats, then marked Resolved. `false`: "×N more" summaries instead. With `redisUrl`, the fleet\'s summaries (incidents are not shared between processes).' },
  { key: 'incidents.editIntervalMs', default: 10_000, check: int(0), doc: 'An incident\'s message is edited at most this often (ms), only when something changed; the last change is always written. Storm windows last this long while incidents are on.' },
  { key: 'incidents.resolveAfterMs', default: 300_000, shown: '`300000` (5 min)', check: int(1), doc: 'Without a repeat for this long (ms), the incident is resolved: a last edit, green, "Resolved", how many over how long. `notifier.resolveIncident(key, note?)` resolves at once.' },
  { key: 'incidents.announceResolved', default: false, check: bool, doc: 'Edits notify nobody (contract §7): also post a short "Resolved" message.' },
  { key: 'rateLimits.fallbackLimit', default: 5, check: num(1, RING_CAPACITY, LIMIT_HINT), doc: 'Requests per `fallbackWindowMs` assumed for a webhook until Discord\'s headers say otherwise.' },
  { key: 'rateLimits.fallbackWindowMs', default: 2000, check: num(1), doc: 'The window of that assumption (ms).' },
  { key: 'rateLimits.channelLimit', default: 30, check: num(1, RING_CAPACITY, LIMIT_HINT), doc: 'Discord\'s hidden per-channel limit, shared by every webhook of the channel (contract §3)…' },
  { key: 'rateLimits.channelWindowMs', default: 60_000, check: num(1), doc: '…per this window (ms).' },
  { key: 'rateLimits.globalPerSecond', default: 40, check: (v, k) => { if (typeof v !== 'number' || !Number.isFinite(v) || v < 1 || v >= 50) throw new InvalidOptionError(k, 'a number from 1 and below 50 (Discord\'s global limit)', v); return v }, doc: 'Process-wide cap, shared by every thread of the process (Discord\'s global limit is 50/s).' },
  { key: 'rateLimits.offsetMs', default: 50, check: num(0), doc: 'Added to every computed reset, for jitter (ms). Discord\'s `X-RateLimit-Reset-After` is relative, so an answer that arrives late only makes the computed reset later; discord.js adds the same 50 ms.' },
  { key: 'rateLimits.invalidRequestLimit', default: 500, check: num(1), doc: '401/403/non-shared-429 answers allowed per 10 minutes before sending pauses (Discord bans an IP at 10,000, contract §3).' },
  { key: 'rateLimits.cloudflareCooldownMs', default: 60_000, check: num(1), doc: 'Pause after a Cloudflare 429 without `Retry-After` (ms); doubles on repeats, up to an hour.' },
  { key: 'redisUrl', default: undefined, shown: 'off (env `DISCORD_NOTIFICATIONS_REDIS_URL`, CLI `--redis-url`)', check: redisUrl, doc: '`redis://` or `rediss://` (credentials in the URL): share the webhook\'s limits and storm control with every other process and host posting to it. Needs the optional package `ioredis`. See [Many processes](#many-processes).' },
  { key: 'proxyUrl', default: undefined, shown: '`HTTPS_PROXY` / `HTTP_PROXY`, except hosts in `NO_PROXY`; else none', check: proxyUrl, doc: 'Send through this HTTP proxy (CONNECT; credentials in the URL, never echoed). Plain data, so it reaches the worker threads and the CLIs (`--proxy`). Without it the standard variables are honoured (undici\'s `EnvHttpProxyAgent`). Not with `dispatcher`.' },
  { key: 'userAgentSuffix', default: '', check: string, doc: 'Appended to the `DiscordBot (url, version)` User-Agent.' },
  { key: 'thread', default: false, check: bool, doc: 'Deliver from a worker thread of its own (what `ThreadedNotifier` is). Refuses `dispatcher` and `clock`, which cannot cross into a worker.' },
  {
    key: 'dispatcher',
    default: undefined,
    shown: 'an undici `Agent` of its own, closed by `close()`',
    check: (v, k) => {
      if (typeof v !== 'object' || v === null || typeof (v as { dispatch?: unknown }).dispatch !== 'function') throw new InvalidOptionError(k, 'an undici Dispatcher (Agent, Pool, MockAgent, ProxyAgent)', v)
      return v
    },
    doc: 'An undici `Dispatcher` to send through (a `MockAgent` in tests; for a proxy, `proxyUrl` is enough); yours is never closed.'
  },
  { key: 'clock', default: undefined, shown: 'the system clock', check: (v, k) => { if (typeof v !== 'object' || v === null || typeof (v as { now?: unknown }).now !== 'function') throw new InvalidOptionError(k, 'a clock { now(), setTimeout(fn, ms), clearTimeout(handle) }', v); return v }, doc: 'Time source, for tests. A notifier on a clock of its own keeps rate-limit state of its own.' }
]

/** The groups nested options live in: each must be an object when given. */
export const GROUPS: Readonly<Record<string, string>> = {
  mentions: "an object like { roles: ['123…'], minSeverity: 'error' }",
  outage: 'an object like { afterMs: 30000, probeMinMs: 5000, probeMaxMs: 30000 }',
  render: 'an object',
  dedup: 'an object like { enabled: true, windowMs: 60000 }',
  incidents: 'an object like { enabled: true, editIntervalMs: 10000, resolveAfterMs: 300000 }',
  rateLimits: 'an object'
}

/** Sets option `key` (dotted when nested) in `o`, creating its group. */
export function setOption (o: Record<string, any>, key: string, value: unknown): void {
  const [group, name] = key.split('.') as [string, string | undefined]
  if (name === undefined) o[group] = value
  else (o[group] ??= {})[name] = value
}

const defaults: Record<string, any> = {}
for (const { key, default: value } of OPTIONS) if (value !== undefined) setOption(defaults, key, value)

/** The options that have a default. */
export type Defaults = Readonly<Pick<ResolvedOptions, 'enabled' | 'minSeverity' | 'queueCapacity' | 'timeoutMs' | 'retryDelays' | 'maxRecordAgeMs' | 'exitTimeoutMs' | 'flushTimeoutMs' | 'logLevel' | 'attachments' | 'userAgentSuffix' | 'thread' | 'mentions' | 'outage' | 'render' | 'dedup' | 'incidents' | 'rateLimits'>>

/** Every default, nested as the options are; frozen. */
export const DEFAULTS = deepFreeze(defaults) as unknown as Defaults

function deepFreeze<T> (o: T): T {
  if (typeof o === 'object' && o !== null) {
    for (const v of Object.values(o)) deepFreeze(v)
    Object.freeze(o)
  }
  return o
}
