import { DISCORD_CODES, HEADERS, MS_PER_SECOND } from './constants.js'
import { flattenFormErrors, type FormErrorTree } from './form-errors.js'
import type { RateLimitScope } from './faults.js'
import type { WindowState } from './rate-limits.js'

/**
 * Status lines, bodies and headers Discord answers with (contract §1, §3, §4), as pure
 * functions of the API version. `legacy` means v6/v7 and versionless URLs: milliseconds
 * in retry_after and Retry-After, flat form errors.
 */

export const STATUS = Object.freeze({
  ok: 200,
  noContent: 204,
  badRequest: 400,
  unauthorized: 401,
  forbidden: 403,
  notFound: 404,
  methodNotAllowed: 405,
  payloadTooLarge: 413,
  tooManyRequests: 429,
  internalError: 500,
  badGateway: 502,
  unavailable: 503
})

export type Headers = Record<string, string>

export interface Reply {
  status: number
  headers: Headers
  body: string
}

const JSON_TYPE = 'application/json'
const HTML_TYPE = 'text/html; charset=utf-8'

export function json (status: number, body: unknown, headers: Headers = {}): Reply {
  return { status, headers: { ...headers, 'content-type': JSON_TYPE }, body: JSON.stringify(body) }
}

export function html (status: number, body: string, headers: Headers = {}): Reply {
  return { status, headers: { ...headers, 'content-type': HTML_TYPE }, body }
}

export function discordError (status: number, code: number, message: string, headers?: Headers): Reply {
  return json(status, { message, code }, headers)
}

/** 400 Invalid Form Body: the v8+ tree, or the flat v6 body (§1). */
export function invalidForm (legacy: boolean, errors: FormErrorTree, headers?: Headers): Reply {
  const body = legacy
    ? flattenFormErrors(errors)
    : { code: DISCORD_CODES.invalidFormBody, message: 'Invalid Form Body', errors }
  return json(STATUS.badRequest, body, headers)
}

/** Seconds with a millisecond fraction, as Discord writes X-RateLimit-Reset(-After). */
function seconds (ms: number): string {
  return (ms / MS_PER_SECOND).toFixed(3)
}

/** The X-RateLimit-* headers of a webhook bucket (§3), sent on every response it covers. */
export function bucketHeaders (state: WindowState, bucket: string, t: number): Headers {
  return {
    [HEADERS.limit]: String(state.limit),
    [HEADERS.remaining]: String(state.remaining),
    [HEADERS.reset]: seconds(state.resetAt),
    [HEADERS.resetAfter]: seconds(state.resetAt - t),
    [HEADERS.bucket]: bucket
  }
}

const RATE_LIMIT_MESSAGES: Record<RateLimitScope, string> = {
  user: 'You are being rate limited.',
  global: 'You are being rate limited.',
  shared: 'The resource is being rate limited.'
}

/** Discord never tells a client to wait 0; the smallest wait it can express is 1 ms. */
const MIN_RETRY_MS = 1
const MS_DECIMALS = 1000

function ceilToMs (secondsValue: number): number {
  return Math.ceil(secondsValue * MS_DECIMALS) / MS_DECIMALS
}

/**
 * A rate-limit 429 (§3). `retryAfterMs` is already in scaled (real) milliseconds.
 * Global 429s carry no bucket headers; the others keep them, so a shared 429 can show
 * Remaining > 0, the signature of the hidden channel limit.
 */
export function rateLimited (
  scope: RateLimitScope,
  retryAfterMs: number,
  legacy: boolean,
  timeScale: number,
  headers: Headers = {}
): Reply {
  const waitMs = Math.max(MIN_RETRY_MS, retryAfterMs)
  const waitSeconds = waitMs / MS_PER_SECOND
  const global = scope === 'global'
  const out: Headers = global ? { [HEADERS.global]: 'true' } : { ...headers }
  out[HEADERS.scope] = scope
  // v8+ rounds Retry-After up to whole seconds (min 1). Under timeScale < 1 whole seconds
  // would dwarf the scaled windows (a 20 ms wait would read as 1 s), so the emulator
  // rounds up to milliseconds instead; clients parse it as a float. v6 speaks milliseconds.
  out[HEADERS.retryAfter] = legacy
    ? String(Math.ceil(waitMs))
    : timeScale < 1
      ? String(ceilToMs(waitSeconds))
      : String(Math.max(1, Math.ceil(waitSeconds)))
  const retryAfter = legacy ? Math.ceil(waitMs) : ceilToMs(waitSeconds)
  return json(STATUS.tooManyRequests, { message: RATE_LIMIT_MESSAGES[scope], retry_after: retryAfter, global }, out)
}

/** Cloudflare's 1015 ban (§3): `server: cloudflare`, no X-RateLimit-* headers at all. */
export function cloudflareBan (mode: 'html' | 'json', retryAfterSec: number | null): Reply {
  const headers: Headers = { server: 'cloudflare' }
  if (mode === 'json') {
    return json(STATUS.tooManyRequests, {
      code: 0,
      message: 'You are being blocked from accessing our API temporarily due to exceeding our rate limits frequently.'
    }, headers)
  }
  if (retryAfterSec !== null) headers[HEADERS.retryAfter] = String(retryAfterSec)
  return html(STATUS.tooManyRequests, 'error code: 1015', headers)
}

/** An injected 5xx: JSON from the API, or an HTML page from the edge (§4). */
export function serverError (status: number, asHtml: boolean): Reply {
  const reason = status === STATUS.badGateway ? 'Bad Gateway' : status === STATUS.unavailable ? 'Service Unavailable' : 'Internal Server Error'
  if (asHtml) {
    return html(status, `<html><head><title>${status} ${reason}</title></head><body><center><h1>${status} ${reason}</h1></center><hr><center>cloudflare</center></body></html>`, { server: 'cloudflare' })
  }
  return discordError(status, DISCORD_CODES.general, `${status}: ${reason}`)
}
