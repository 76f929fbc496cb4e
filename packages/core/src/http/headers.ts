import { HEADERS } from '../limits.js'

/**
 * Pure parsing of Discord's rate-limit headers (developers/topics/rate-limits.mdx), every one optional: a field is
 * present only when its header was present and well-formed (garbage counts as absent; NaN never leaks out).
 */

/** Response headers, names lower-cased (as the sender returns them). */
export type HeaderMap = Readonly<Record<string, string>>

type RateLimitScopeHeader = 'user' | 'global' | 'shared'

interface RateLimitHeaders {
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

// Plain decimal numbers only: Number('') is 0 and Number('0x10') is 16, neither of which Discord means.
const DECIMAL = /^\d+(?:\.\d+)?$/

export function parseRateLimitHeaders (headers: HeaderMap, nowMs: number): RateLimitHeaders {
  const result: RateLimitHeaders = { global: false, hasRateLimitHeaders: Object.keys(headers).some((name) => name.startsWith('x-ratelimit-')) }

  const limit = decimal(headers[HEADERS.limit])
  if (limit !== undefined) result.limit = limit
  const remaining = decimal(headers[HEADERS.remaining])
  if (remaining !== undefined) result.remaining = remaining

  // Reset-After is relative, so it needs no clock-skew correction: prefer it over the absolute Reset.
  const resetAfter = decimal(headers[HEADERS.resetAfter])
  if (resetAfter !== undefined) {
    result.resetAfterMs = secondsToMs(resetAfter)
    result.resetAtMs = nowMs + result.resetAfterMs
  } else {
    const resetAt = decimal(headers[HEADERS.reset])
    if (resetAt !== undefined) result.resetAtMs = resetAt * 1000
  }

  const bucket = headers[HEADERS.bucket]?.trim()
  if (bucket) result.bucket = bucket

  const scope = headers[HEADERS.scope]?.trim().toLowerCase()
  if (scope !== undefined && /^(?:user|global|shared)$/.test(scope)) result.scope = scope as RateLimitScopeHeader

  // Discord sends `X-RateLimit-Global: true`; its presence marks a global 429, so only an explicit false-like value is false.
  const global = headers[HEADERS.global]?.trim().toLowerCase()
  result.global = (global !== undefined && global !== 'false' && global !== '0') || result.scope === 'global'

  const retryAfterMs = parseRetryAfter(headers[HEADERS.retryAfter], nowMs)
  if (retryAfterMs !== undefined) result.retryAfterMs = retryAfterMs

  return result
}

/** `retry_after` from a 429 JSON body, in ms. On API v8+ (we send to v10) it is float seconds, e.g. 64.57 where Retry-After says 65: the more precise. */
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

/** Seconds to whole milliseconds, rounded up so we never retry early; the epsilon keeps float noise (0.3 * 1000 = 300.00000000000006) from adding one. */
export function secondsToMs (seconds: number): number {
  return Math.max(0, Math.ceil(seconds * 1000 - 1e-6))
}

function decimal (value: string | undefined): number | undefined {
  const text = value?.trim() ?? ''
  const n = Number(text)
  return DECIMAL.test(text) && Number.isFinite(n) ? n : undefined
}
