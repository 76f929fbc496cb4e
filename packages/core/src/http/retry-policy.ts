import { DISCORD_CODES, HEADERS } from '../limits.js'
import { headerValue, parseRateLimitHeaders, retryAfterFromBody, type HeaderMap } from './headers.js'
import { redactLoose } from './webhook-url.js'

/**
 * Pure: turns one HTTP answer (or one failure to get an answer) into what the pipeline should do next.
 * The table it implements is contract §4; the 429 scopes are contract §3.
 *
 *   response ──► classifyResponse ──► ok | rate_limited | retry | disable | reject | too_large
 *   failure  ──► classifyFailure  ──► retry | tls
 */

export type RateLimitVerdictScope = 'bucket' | 'channel' | 'global' | 'cloudflare'

export type Verdict =
  | { kind: 'ok', channelId?: string, messageId?: string }
  | { kind: 'rate_limited', scope: RateLimitVerdictScope, retryAfterMs: number | undefined, invalid: boolean, bucket?: string }
  | { kind: 'retry', reason: string, status?: number }
  | { kind: 'disable', reason: string, status: number, discordCode?: number }
  | { kind: 'reject', reason: string, status: number, discordCode?: number, stricter: boolean, errors?: unknown }
  | { kind: 'too_large', status: 413 }
  | { kind: 'tls', reason: string, code: string }

export type VerdictKind = Verdict['kind']

/** Why no HTTP answer arrived. `message` never contains the webhook token. */
export interface SendFailure {
  kind: 'timeout' | 'network' | 'tls' | 'aborted'
  code?: string
  message: string
  durationMs: number
}

export interface ResponseInput {
  status: number
  headers: Record<string, string>
  body: unknown
}

const STATUS = Object.freeze({
  badRequest: 400,
  unauthorized: 401,
  forbidden: 403,
  notFound: 404,
  methodNotAllowed: 405,
  payloadTooLarge: 413,
  tooManyRequests: 429,
  serverError: 500,
  badGateway: 502
})

/** Discord's "internal network error": the client is blocked, e.g. for a browser-like User-Agent (§1, #6473). */
const BLOCKED_CLIENT_CODE = 40333
/** Cloudflare's own 5xx range: 520-527, the edge could not reach Discord (§4; Discord4J PR #804 retries 520). */
const CLOUDFLARE_5XX_MIN = 520
const CLOUDFLARE_5XX_MAX = 527
/** Discord's own message text is shown in reasons, but kept short: it is not a stable API (§2). */
const MAX_MESSAGE_CHARS = 120

const THREAD_CODES: ReadonlySet<number> = new Set([
  DISCORD_CODES.forumNeedsThread,
  DISCORD_CODES.threadIdAndName,
  DISCORD_CODES.threadNameNotForum
])

export function classifyResponse (input: ResponseInput, nowMs: number): Verdict {
  const { status, headers } = input
  const body = jsonBody(input)

  if (status >= 200 && status < 300) return okVerdict(body)
  if (status === STATUS.tooManyRequests) return rateLimitVerdict(headers, body, nowMs)

  const code = discordCode(body)
  const said = describeAnswer(status, body, code)

  if (status >= STATUS.serverError) {
    const edge = status >= CLOUDFLARE_5XX_MIN && status <= CLOUDFLARE_5XX_MAX
    const why = edge
      ? 'Cloudflare could not reach Discord; retrying'
      : status === STATUS.badGateway
        ? 'no gateway was available; retrying'
        : 'Discord failed on its side; retrying'
    return { kind: 'retry', reason: `${said}: ${why}`, status }
  }

  if (status === STATUS.payloadTooLarge) return { kind: 'too_large', status: STATUS.payloadTooLarge }

  if (status === STATUS.unauthorized || status === STATUS.forbidden || status === STATUS.notFound) {
    // Permanent for the target. For 404 the docs warn that repeating requests to a deleted webhook leads
    // to a temporary restriction, so stop at once (§3).
    const verdict: Verdict = { kind: 'disable', reason: `${said}: ${disableAdvice(status, code)}`, status }
    if (code !== undefined) verdict.discordCode = code
    return verdict
  }

  if (status === STATUS.badRequest && code !== undefined && THREAD_CODES.has(code)) {
    // A thread_id / thread_name mismatch is a configuration error: every later message fails the same way.
    return { kind: 'disable', reason: `${said}: ${threadAdvice(code)}`, status, discordCode: code }
  }

  // 50035 is a length or schema violation: one resend after stricter truncation may succeed (§2, §4).
  const stricter = status === STATUS.badRequest && code === DISCORD_CODES.invalidFormBody
  const verdict: Verdict = { kind: 'reject', reason: `${said}: ${rejectAdvice(status, code)}`, status, stricter }
  if (code !== undefined) verdict.discordCode = code
  const errors = body?.errors
  if (errors !== undefined) verdict.errors = errors
  return verdict
}

/**
 * Network errors and timeouts are retried like 5xx (§4). A timed-out POST may still have been delivered
 * (Execute Webhook has no idempotency key, §1), so a retry can duplicate a message: that is accepted.
 * TLS failures are not retried: a bad certificate does not fix itself in seconds, and retrying a
 * man-in-the-middle is pointless.
 */
export function classifyFailure (error: SendFailure): Verdict {
  const code = error.code === undefined ? '' : ` (${error.code})`
  switch (error.kind) {
    case 'tls':
      return { kind: 'tls', reason: `TLS failure talking to Discord${code}: ${error.message}`, code: error.code ?? 'TLS' }
    case 'timeout':
      return { kind: 'retry', reason: `no answer from Discord in time${code}: ${error.message}` }
    case 'aborted':
      // The caller cancelled (usually shutdown). Delivery is unknown; whether to try again is the caller's call.
      return { kind: 'retry', reason: `the request was aborted${code}: ${error.message}` }
    case 'network':
      return { kind: 'retry', reason: `network error${code}: ${error.message}` }
  }
}

/**
 * Discord's Cloudflare ban counts 401, 403 and 429 responses per IP (10,000 per 10 minutes, §3), except
 * 429s that carry `X-RateLimit-Scope: shared`. Only the header exempts a 429: a sub-limit 429 recognised by
 * `Remaining > 0` or body code 20028 still counts unless Discord also said `shared`.
 */
export function isInvalidStatus (status: number, headers: HeaderMap): boolean {
  if (status === STATUS.unauthorized || status === STATUS.forbidden) return true
  if (status !== STATUS.tooManyRequests) return false
  return headerValue(headers, HEADERS.scope)?.trim().toLowerCase() !== 'shared'
}

/**
 * The wait before the next retry, or undefined when the retries are spent (the pipeline then holds the
 * batch in outage mode, http/outage.ts: a transient failure never dead-letters on its own). `attempt` counts the retries
 * already made: 0 before the first retry. With delays [2000, 3000, 5000] a request is sent at most 4 times.
 */
export function retryDelay (attempt: number, delays: readonly number[]): number | undefined {
  if (!Number.isInteger(attempt) || attempt < 0) return undefined
  const delay = delays[attempt]
  return delay !== undefined && Number.isFinite(delay) && delay >= 0 ? delay : undefined
}

const TLS_CODES: ReadonlySet<string> = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_TLS_HANDSHAKE_TIMEOUT',
  'ERR_TLS_INVALID_PROTOCOL_VERSION',
  'ERR_TLS_PROTOCOL_VERSION_CONFLICT',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'HOSTNAME_MISMATCH',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'ERR_SSL_WRONG_VERSION_NUMBER'
])
// OpenSSL verification codes as Node reports them (node:tls, X509_V_ERR_* without the prefix).
const TLS_CODE_PREFIXES = ['CERT_', 'UNABLE_TO_GET_ISSUER_CERT', 'ERR_SSL_', 'ERR_TLS_CERT']

/** True for the error codes Node's TLS layer uses for certificate and handshake failures. */
export function isTlsErrorCode (code: string | undefined): boolean {
  if (code === undefined) return false
  return TLS_CODES.has(code) || TLS_CODE_PREFIXES.some((prefix) => code.startsWith(prefix))
}

// ---------------------------------------------------------------------------------------------------------

interface DiscordBody {
  code?: unknown
  message?: unknown
  errors?: unknown
  global?: unknown
  retry_after?: unknown
  id?: unknown
  channel_id?: unknown
}

/**
 * The body as a JSON object, or undefined. Error bodies are JSON only when Content-Type says so (§4):
 * Cloudflare answers with HTML or text. A string body with a JSON content type (a caller that did not
 * parse) is parsed here.
 */
function jsonBody (input: ResponseInput): DiscordBody | undefined {
  const { body } = input
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) return body as DiscordBody
  if (typeof body !== 'string' || !isJsonContentType(headerValue(input.headers, 'content-type'))) return undefined
  try {
    const parsed: unknown = JSON.parse(body)
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed as DiscordBody : undefined
  } catch {
    return undefined
  }
}

export function isJsonContentType (value: string | undefined): boolean {
  return value !== undefined && value.trim().toLowerCase().startsWith('application/json')
}

function okVerdict (body: DiscordBody | undefined): Verdict {
  // wait=true answers 200 with the created message, whose channel_id keys the per-channel limiter (§1, §3).
  const verdict: Verdict = { kind: 'ok' }
  if (typeof body?.channel_id === 'string') verdict.channelId = body.channel_id
  if (typeof body?.id === 'string') verdict.messageId = body.id
  return verdict
}

function rateLimitVerdict (headers: Record<string, string>, body: DiscordBody | undefined, nowMs: number): Verdict {
  const parsed = parseRateLimitHeaders(headers, nowMs)
  const bodyRetryMs = retryAfterFromBody(body)

  // Cloudflare's IP ban comes without any X-RateLimit-* header, as `error code: 1015` text/HTML or as the
  // static JSON `{"code": 0, "message": "…blocked…"}` (§3). A Discord-made 429 body always carries
  // `retry_after`, so a headerless 429 that has one is still treated as Discord's (only global 429s drop
  // the bucket headers, and those keep X-RateLimit-Global).
  if (!parsed.hasRateLimitHeaders && bodyRetryMs === undefined) {
    // Both body forms mean the same per-IP ban, so the body is not needed to decide. Retry-After is seen
    // with and without; without it the limiter applies its own growing cool-down (§3).
    return { kind: 'rate_limited', scope: 'cloudflare', retryAfterMs: parsed.retryAfterMs, invalid: true }
  }

  // The body's retry_after is in float seconds and more precise than the rounded-up header (§3). Without
  // either, Reset-After still says when the bucket frees up.
  const retryAfterMs = bodyRetryMs ?? parsed.retryAfterMs ?? parsed.resetAfterMs
  const scope: RateLimitVerdictScope = parsed.global || body?.global === true
    ? 'global'
    // A hidden per-channel limit, shared by every webhook of the channel (§3, #4043, #2190): marked by
    // Scope: shared, by a 429 although Remaining > 0 (a sub-limit), or by code 20028 (PR #8290).
    : parsed.scope === 'shared' || (parsed.remaining !== undefined && parsed.remaining > 0) || discordCode(body) === DISCORD_CODES.channelWriteLimit
      ? 'channel'
      : 'bucket'

  const verdict: Verdict = { kind: 'rate_limited', scope, retryAfterMs, invalid: isInvalidStatus(STATUS.tooManyRequests, headers) }
  if (parsed.bucket !== undefined) verdict.bucket = parsed.bucket
  return verdict
}

function discordCode (body: DiscordBody | undefined): number | undefined {
  const code = body?.code
  return typeof code === 'number' && Number.isInteger(code) ? code : undefined
}

/** "Discord answered 401 Invalid Webhook Token (code 50027)": status, Discord's own words, its code. */
function describeAnswer (status: number, body: DiscordBody | undefined, code: number | undefined): string {
  let text = `Discord answered ${status}`
  if (typeof body?.message === 'string' && body.message.trim() !== '') {
    const message = redactLoose(body.message.trim().replace(/\s+/g, ' '))
    text += ` ${message.length > MAX_MESSAGE_CHARS ? message.slice(0, MAX_MESSAGE_CHARS - 1) + '…' : message}`
  }
  if (code !== undefined) text += ` (code ${code})`
  return text
}

function disableAdvice (status: number, code: number | undefined): string {
  if (status === STATUS.unauthorized) return 'the token is wrong or was rotated; copy the webhook URL again'
  if (status === STATUS.notFound) return 'the webhook was deleted; create a new one and update webhookUrl'
  if (code === BLOCKED_CLIENT_CODE) return 'Discord is blocking this client (often an unexpected User-Agent or a flagged IP)'
  return 'the webhook is not allowed to post here'
}

function threadAdvice (code: number): string {
  if (code === DISCORD_CODES.forumNeedsThread) return 'the webhook posts to a forum or media channel; set threadId or threadName'
  if (code === DISCORD_CODES.threadIdAndName) return 'set threadId or threadName, not both'
  return 'threadName works only in forum and media channels; remove it'
}

function rejectAdvice (status: number, code: number | undefined): string {
  if (code === DISCORD_CODES.invalidFormBody) return 'the message broke a Discord length or schema rule; see errors'
  if (code === DISCORD_CODES.emptyMessage) return 'the message had nothing to show; dropping it'
  if (code === DISCORD_CODES.invalidJson) return 'the request body was not valid JSON; dropping it'
  if (status === STATUS.methodNotAllowed) return 'the endpoint does not accept POST; check the webhook URL'
  if (status < STATUS.badRequest) return 'an unexpected non-error answer (a redirect?); check apiOrigin and any proxy'
  return 'Discord refused this message; dropping it'
}
