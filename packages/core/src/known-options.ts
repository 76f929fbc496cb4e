/**
 * Option names every entry point accepts. JavaScript callers get no compile-time check, and a
 * misspelt key (`retryDelay` for `retryDelays`) would be ignored, silently keeping the default: so
 * unknown keys are refused, naming the closest known one.
 */
import { distance } from 'fastest-levenshtein'
import { UnknownOptionError } from './errors.js'
import type { DedupOptions, MentionOptions, NotifierOptions, OutageModeOptions, RateLimitOptions, RenderOptions } from './options.js'

// `satisfies Record<keyof …, true>`: the compiler fails when an option is added without its name here.
const TOP = {
  webhookUrl: true, enabled: true, apiOrigin: true, username: true, avatarUrl: true, threadId: true, threadName: true,
  mentions: true, minSeverity: true, queueCapacity: true, timeoutMs: true, retryDelays: true, flushTimeoutMs: true,
  exitTimeoutMs: true, outage: true, maxRecordAgeMs: true, attachments: true, redisUrl: true, deadLetterFile: true, logLevel: true, log: true, rateLimits: true, render: true, dedup: true, userAgentSuffix: true,
  dispatcher: true, clock: true
} as const satisfies Record<keyof NotifierOptions, true>
const NESTED = {
  mentions: Object.keys({ roles: true, users: true, minSeverity: true } as const satisfies Record<keyof MentionOptions, true>),
  render: Object.keys({ includeFields: true, excludeFields: true, redactKeys: true, titleTemplate: true, maxStackLines: true } as const satisfies Record<keyof RenderOptions, true>),
  rateLimits: Object.keys({
    fallbackLimit: true, fallbackWindowMs: true, channelLimit: true, channelWindowMs: true, globalPerSecond: true,
    offsetMs: true, invalidRequestLimit: true, cloudflareCooldownMs: true
  } as const satisfies Record<keyof RateLimitOptions, true>),
  dedup: Object.keys({ enabled: true, windowMs: true, fingerprint: true } as const satisfies Record<keyof DedupOptions, true>),
  outage: Object.keys({ probeMinMs: true, probeMaxMs: true } as const satisfies Record<keyof OutageModeOptions, true>)
} as const

/** Every top-level key of NotifierOptions. */
export const NOTIFIER_OPTION_KEYS: readonly string[] = Object.freeze(Object.keys(TOP))

/** Names people reach for that are too far from the real one for an edit distance to find. */
const ALIASES: Readonly<Record<string, string>> = Object.freeze({
  url: 'webhookUrl', webhook: 'webhookUrl', hook: 'webhookUrl', uri: 'webhookUrl',
  level: 'minSeverity', severity: 'minSeverity', minLevel: 'minSeverity',
  retries: 'retryDelays', timeout: 'timeoutMs', name: 'username', avatar: 'avatarUrl', thread: 'threadId'
})

/**
 * Throws UnknownOptionError for the first key of `input` (or of its `mentions`, `render`,
 * `rateLimits`, `dedup` objects) that is not in `known` (top level) or the nested option's own keys.
 * An adapter passes its own keys besides NOTIFIER_OPTION_KEYS so the suggestion can be one of them.
 */
export function assertKnownOptions (input: object, known: readonly string[] = NOTIFIER_OPTION_KEYS): void {
  check(input, known, '')
  for (const [name, keys] of Object.entries(NESTED)) {
    const value = (input as Record<string, unknown>)[name]
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) check(value, keys, `${name}.`)
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
  const lower = key.toLowerCase().replace(/[-_\s]/g, '')
  const alias = prefix === '' ? ALIASES[key] : undefined
  if (alias !== undefined && known.includes(alias)) return alias
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
  const allowed = Math.max(2, Math.floor(lower.length / 3))
  return best !== undefined && bestDistance <= allowed ? prefix + best : undefined
}

/** A key is quoted only when it looks like a name; anything else might be a pasted secret. */
function shown (key: string): string {
  return /^[A-Za-z_$][\w$-]{0,39}$/.test(key) ? key : `<a key of ${key.length} characters>`
}
