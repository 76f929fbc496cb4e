import { HEADERS } from '../limits.js'

/**
 * Pure parsing of Discord's rate-limit headers (developers/topics/rate-limits.mdx).
 * Discord calls every one of them optional, so each field is present only when its header was present
 * and well-formed: a garbage value is treated as absent and NaN never leaks out.
 */

export type HeaderMap = Record<string, string | string[] | undefined>

export type RateLimitScopeHeader = 'user' | 'global' | 'shared'

export interface RateLimitHeaders {
  /** X-RateLimit-Limit: requests allowed in the bucket's window. */
  limit?: number
  /** X-RateLimit-Remaining: requests left in the current window. */
  remaining?: number
  /** X-RateLimit-Reset-After in milliseconds (relative, so immune to clock skew). */
  resetAfterMs?: number
  /** When the bucket resets, on the caller's clock: now + Reset-After, else the absolute X-RateLimit-Reset. */
  resetAtMs?: number
  /** X-RateLimit-Bucket: opaque id of the limit. */
  bucket?: string
  /** X-RateLimit-Global was sent (only on 429s), or the scope says `global`. */
  global: boolean
  /** X-RateLimit-Scope (only on 429s). */
  scope?: RateLimitScopeHeader
  /** Retry-After in milliseconds (v8+ sends whole seconds; an HTTP-date is also understood). */
  retryAfterMs?: number
  /** At least one X-RateLimit-* header was present. A 429 without any is Cloudflare's IP ban (§3). */
  hasRateLimitHeaders: boolean
}

const RATE_LIMIT_PREFIX = 'x-ratelimit-'
const MS_PER_SECOND = 1000
const SCOPES: readonly RateLimitScopeHeader[] = ['user', 'global', 'shared']
// Plain decimal numbers only: Number('') is 0 and Number('0x10') is 16, neither of which Discord means.
const DECIMAL = /^\d+(?:\.\d+)?$/

export function parseRateLimitHeaders (headers: HeaderMap, nowMs: number): RateLimitHeaders {
  const lower = lowerCaseKeys(headers)
  const result: RateLimitHeaders = {
    global: false,
    hasRateLimitHeaders: Object.keys(lower).some((name) => name.startsWith(RATE_LIMIT_PREFIX))
  }

  const limit = decimal(lower[HEADERS.limit])
  if (limit !== undefined) result.limit = limit
  const remaining = decimal(lower[HEADERS.remaining])
  if (remaining !== undefined) result.remaining = remaining

  // Reset-After is relative, so it needs no clock-skew correction: prefer it over the absolute Reset.
  const resetAfter = decimal(lower[HEADERS.resetAfter])
  if (resetAfter !== undefined) {
    result.resetAfterMs = secondsToMs(resetAfter)
    result.resetAtMs = nowMs + result.resetAfterMs
  } else {
    const resetAt = decimal(lower[HEADERS.reset])
    if (resetAt !== undefined) result.resetAtMs = resetAt * MS_PER_SECOND
  }

  const bucket = lower[HEADERS.bucket]?.trim()
  if (bucket) result.bucket = bucket

  const scope = lower[HEADERS.scope]?.trim().toLowerCase()
  if (scope !== undefined && (SCOPES as readonly string[]).includes(scope)) result.scope = scope as RateLimitScopeHeader

  // Discord sends `X-RateLimit-Global: true`; its mere presence marks a global 429, so only an explicit
  // false-like value is read as false.
  const global = lower[HEADERS.global]?.trim().toLowerCase()
  result.global = (global !== undefined && global !== 'false' && global !== '0') || result.scope === 'global'

  const retryAfterMs = parseRetryAfter(lower[HEADERS.retryAfter], nowMs)
  if (retryAfterMs !== undefined) result.retryAfterMs = retryAfterMs

  return result
}

/**
 * `retry_after` from a 429 JSON body, in milliseconds. On API v8+ (we always send to v10) it is a float
 * in seconds, e.g. 64.57 where the Retry-After header says 65, so it is the more precise of the two.
 */
export function retryAfterFromBody (body: unknown): number | undefined {
  if (body === null || typeof body !== 'object') return undefined
  const value = (body as { retry_after?: unknown }).retry_after
  const seconds = typeof value === 'number' ? value : typeof value === 'string' ? decimal(value) : undefined
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return undefined
  return secondsToMs(seconds)
}

/** Retry-After: delta-seconds (what Discord sends) or an HTTP-date (RFC 9110 §10.2.3, what proxies may send). */
function parseRetryAfter (value: string | undefined, nowMs: number): number | undefined {
  const seconds = decimal(value)
  if (seconds !== undefined) return secondsToMs(seconds)
  if (value === undefined || !/[a-z]/i.test(value)) return undefined
  const at = Date.parse(value)
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined
}

/**
 * Seconds to whole milliseconds, rounded up so we never retry early. The small epsilon stops float noise
 * (0.3 * 1000 = 300.00000000000006) from adding a spurious millisecond.
 */
export function secondsToMs (seconds: number): number {
  return Math.max(0, Math.ceil(seconds * MS_PER_SECOND - 1e-6))
}

function decimal (value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const text = value.trim()
  if (!DECIMAL.test(text)) return undefined
  const n = Number(text)
  return Number.isFinite(n) ? n : undefined
}

/** Header names are case-insensitive; repeated headers keep their first value. */
function lowerCaseKeys (headers: HeaderMap): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {}
  if (headers === null || typeof headers !== 'object') return out
  for (const [name, value] of Object.entries(headers)) {
    const first = Array.isArray(value) ? value[0] : value
    if (typeof first !== 'string') continue
    const key = name.toLowerCase()
    if (out[key] === undefined) out[key] = first
  }
  return out
}

/** One header, case-insensitively (first value of a repeated header). */
export function headerValue (headers: HeaderMap, name: string): string | undefined {
  return lowerCaseKeys(headers)[name.toLowerCase()]
}
