/**
 * Options checked once, at construction, from the one table (table.ts). A mistake names the option, what was
 * expected, what came and how to fix it; an unknown key, nested ones too, is refused with the closest known name
 * (`retryDelay` → "did you mean `retryDelays`?"). Reads no environment variable: the entry points do (env.ts).
 */
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { distance } from 'fastest-levenshtein'
import { systemClock } from '../clock.js'
import { InvalidOptionError, UnknownOptionError } from '../errors.js'
import { parseWebhookUrl } from '../http/webhook-url.js'
import type { NotifierOptions, ResolvedOptions, WebhookTarget } from '../types.js'
import { GROUPS, OPTIONS, setOption, type OptionSpec } from './table.js'

/** Every top-level option name. */
export const NOTIFIER_OPTION_KEYS: readonly string[] = Object.freeze([...new Set(OPTIONS.map((o) => o.key.split('.')[0]!))])
const NESTED: Readonly<Record<string, string[]>> = Object.fromEntries(Object.keys(GROUPS).map((g) => [g, OPTIONS.filter((o) => o.key.startsWith(`${g}.`)).map((o) => o.key.slice(g.length + 1))]))

/** Where dead letters go unless `deadLetterFile` says otherwise: one file per machine user's temp directory. */
export function defaultDeadLetterFile (): string {
  return join(tmpdir(), 'logcord', 'dead-letters.ndjson')
}

const defaultLog = (line: string): void => {
  process.stderr.write(line.endsWith('\n') ? line : line + '\n')
}

/**
 * The options with every default applied and every value checked.
 * @throws InvalidOptionError (UnknownOptionError) or InvalidWebhookUrlError, never echoing a secret.
 */
export function resolveOptions (input: NotifierOptions = {}): ResolvedOptions {
  if (input === null || typeof input !== 'object') throw new InvalidOptionError('options', 'an object', input)
  assertKnownOptions(input)
  const o: Record<string, any> = {}
  for (const spec of OPTIONS) setOption(o, spec.key, valueOf(input, spec))
  if (o.outage.probeMaxMs < o.outage.probeMinMs) throw new InvalidOptionError('outage.probeMaxMs', `an integer >= outage.probeMinMs (${o.outage.probeMinMs})`, o.outage.probeMaxMs)
  if (o.thread === true) {
    for (const key of ['dispatcher', 'clock'] as const) {
      if (o[key] !== undefined) throw new InvalidOptionError(key, 'no value in threaded mode', o[key], 'Functions and sockets cannot cross into the delivery worker; use the in-process DiscordNotifier to inject them.')
    }
  }
  if (o.proxyUrl !== undefined && o.dispatcher !== undefined) throw new InvalidOptionError('proxyUrl', 'to be unset when `dispatcher` is given', 'a URL (not shown)', 'Build the dispatcher with undici\'s ProxyAgent instead, or drop `dispatcher`.')
  let target: WebhookTarget | undefined
  if (o.webhookUrl !== undefined || o.enabled === true) {
    if (o.webhookUrl === undefined) {
      throw new InvalidOptionError('webhookUrl', 'a Discord webhook URL', undefined, 'Pass `webhookUrl` or set DISCORD_WEBHOOK_URL; to turn notifications off, set `enabled: false` or DISCORD_NOTIFICATIONS_ENABLED=false.')
    }
    target = parseWebhookUrl(o.webhookUrl, { ...(o.apiOrigin === undefined ? {} : { apiOrigin: o.apiOrigin }), ...(o.threadId === undefined ? {} : { threadId: o.threadId }) })
  }
  if (o.threadName !== undefined && target?.threadId !== undefined) {
    throw new InvalidOptionError('threadName', 'to be unset when a thread id is given', o.threadName, 'Discord rejects both together (code 220002): keep one.')
  }
  const { webhookUrl: _url, apiOrigin: _origin, threadId: _thread, ...rest } = o
  return { ...rest, target, deadLetterFile: o.deadLetterFile === false ? undefined : o.deadLetterFile ?? defaultDeadLetterFile(), log: o.log ?? defaultLog, clock: o.clock ?? systemClock } as ResolvedOptions
}

function valueOf (input: NotifierOptions, spec: OptionSpec): unknown {
  const [group, name] = spec.key.split('.') as [string, string | undefined]
  let value: unknown = (input as Record<string, unknown>)[group]
  if (name !== undefined) {
    if (value === undefined) return copy(spec.default)
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidOptionError(group, GROUPS[group]!, value)
    value = (value as Record<string, unknown>)[name]
  }
  return value === undefined ? copy(spec.default) : spec.check(value, spec.key)
}

function copy (value: unknown): unknown {
  return Array.isArray(value) ? [...value] : value
}

/** Names people reach for that are too far from the real one for an edit distance to find. */
const ALIASES: Readonly<Record<string, string>> = Object.freeze({
  url: 'webhookUrl', webhook: 'webhookUrl', hook: 'webhookUrl', uri: 'webhookUrl', level: 'minSeverity', severity: 'minSeverity', minLevel: 'minSeverity', retries: 'retryDelays', timeout: 'timeoutMs', name: 'username', avatar: 'avatarUrl'
})

/** Throws UnknownOptionError for the first key of `input` (or of a group) that is not an option; an adapter passes its own keys too, to be suggested. */
export function assertKnownOptions (input: object, known: readonly string[] = NOTIFIER_OPTION_KEYS): void {
  check(input, known, '')
  for (const [group, keys] of Object.entries(NESTED)) {
    const value = (input as Record<string, unknown>)[group]
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) check(value, keys, `${group}.`)
  }
}

function check (input: object, known: readonly string[], prefix: string): void {
  for (const key of Object.keys(input)) {
    if (known.includes(key)) continue
    throw new UnknownOptionError(prefix + shown(key), suggest(key, known, prefix), known.map((k) => prefix + k))
  }
}

/** The closest known name: same letters in another case, a listed alias, or a small edit distance. */
export function suggest (key: string, known: readonly string[], prefix = ''): string | undefined {
  const alias = prefix === '' ? ALIASES[key] : undefined
  if (alias !== undefined && known.includes(alias)) return alias
  const lower = key.toLowerCase().replace(/[-_\s]/g, '')
  let best: string | undefined
  let bestDistance = Infinity
  for (const name of known) {
    const d = distance(lower, name.toLowerCase())
    if (d < bestDistance) {
      best = name
      bestDistance = d
    }
  }
  // Up to a third of the name may differ (two edits for short names): closer than that is a typo.
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(lower.length / 3)) ? prefix + best : undefined
}

/** A key is quoted only when it looks like a name; anything else might be a pasted secret. */
function shown (key: string): string {
  return /^[A-Za-z_$][\w$-]{0,39}$/.test(key) ? key : `<a key of ${key.length} characters>`
}
