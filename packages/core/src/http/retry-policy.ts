import { DISCORD_CODES, HEADERS } from '../limits.js'
import { parseRateLimitHeaders, retryAfterFromBody, type HeaderMap } from './headers.js'
import { redactLoose } from './webhook-url.js'

/** Pure: one HTTP answer (classifyResponse) or failure to get one (classifyFailure) → what the pipeline does next (contract §4; 429 scopes: §3). */

type RateLimitVerdictScope = 'bucket' | 'channel' | 'global' | 'cloudflare'

export type Verdict =
  | { kind: 'ok', channelId?: string, messageId?: string }
  | { kind: 'rate_limited', scope: RateLimitVerdictScope, retryAfterMs: number | undefined, bucket?: string }
  | { kind: 'retry', reason: string, status?: number }
  | { kind: 'disable', reason: string, status: number, discordCode?: number }
  | { kind: 'reject', reason: string, status: number, discordCode?: number, stricter: boolean, errors?: unknown }
  | { kind: 'too_large', status: 413 }
  | { kind: 'tls', reason: string, code: string }

/** Why no HTTP answer arrived. `message` never contains the webhook token. */
export interface SendFailure {
  kind: 'timeout' | 'network' | 'tls' | 'aborted'
  code?: string
  message: string
  durationMs: number
}

interface ResponseInput {
  status: number
  headers: HeaderMap
  /** A JSON object when Discord sent one (the sender parses application/json only), else ignored. */
  body: unknown
}

/** Discord's "internal network error": the client is blocked, e.g. for a browser-like User-Agent (§1, #6473). */
const BLOCKED_CLIENT_CODE = 40333
/** Discord's own message text is shown in reasons, but kept short: it is not a stable API (§2). */
const MAX_MESSAGE_CHARS = 120
/** 400s for a thread_id / thread_name that does not suit the channel (§1, §4). */
const THREAD_ADVICE = new Map<number, string>([
  [DISCORD_CODES.forumNeedsThread, 'the webhook posts to a forum or media channel; set threadId or threadName'],
  [DISCORD_CODES.threadIdAndName, 'set threadId or threadName, not both'],
  [DISCORD_CODES.threadNameNotForum, 'threadName works only in forum and media channels; remove it']
])

export function classifyResponse (input: ResponseInput, nowMs: number): Verdict {
  const { status, headers } = input
  const body = input.body !== null && typeof input.body === 'object' && !Array.isArray(input.body) ? input.body as DiscordBody : undefined

  // wait=true answers 200 with the created message, whose channel_id keys the per-channel limiter (§1, §3) and whose id an incident edits (§7).
  if (status >= 200 && status < 300) {
    const ok: Verdict = { kind: 'ok' }
    if (typeof body?.channel_id === 'string') ok.channelId = body.channel_id
    if (typeof body?.id === 'string') ok.messageId = body.id
    return ok
  }
  if (status === 429) return rateLimitVerdict(headers, body, nowMs)

  const code = discordCode(body)
  const said = describeAnswer(status, body, code)
  const withCode = code === undefined ? {} : { discordCode: code }

  if (status >= 500) {
    // 520-527 are Cloudflare's own: its edge could not reach Discord (§4; Discord4J PR #804 retries 520).
    const why = status >= 520 && status <= 527 ? 'Cloudflare could not reach Discord' : status === 502 ? 'no gateway was available' : 'Discord failed on its side'
    return { kind: 'retry', reason: `${said}: ${why}; retrying`, status }
  }
  if (status === 413) return { kind: 'too_large', status: 413 }
  // Permanent for the target; for 404 the docs warn that repeating requests to a deleted webhook gets a temporary restriction (§3).
  if (status === 401 || status === 403 || status === 404) return { kind: 'disable', reason: `${said}: ${disableAdvice(status, code)}`, status, ...withCode }
  // A thread configuration error: every later message fails the same way.
  const thread = status === 400 && code !== undefined ? THREAD_ADVICE.get(code) : undefined
  if (thread !== undefined) return { kind: 'disable', reason: `${said}: ${thread}`, status, ...withCode }

  // 50035 is a length or schema violation: one resend after stricter truncation may succeed (§2, §4).
  const stricter = status === 400 && code === DISCORD_CODES.invalidFormBody
  return { kind: 'reject', reason: `${said}: ${rejectAdvice(status, code)}`, status, stricter, ...withCode, ...(body?.errors === undefined ? {} : { errors: body.errors }) }
}

/**
 * Network errors and timeouts are retried like 5xx (§4); a timed-out POST may have been delivered (Execute Webhook has
 * no idempotency key, §1), so a retry can duplicate a message: accepted. TLS failures are not retried (a bad certificate
 * does not fix itself in seconds; retrying a man-in-the-middle is pointless). An aborted attempt (the caller cancelled,
 * usually at shutdown) has an unknown outcome; whether to try again is the caller's call.
 */
export function classifyFailure (error: SendFailure): Verdict {
  const code = error.code === undefined ? '' : ` (${error.code})`
  if (error.kind === 'tls') return { kind: 'tls', reason: `TLS failure talking to Discord${code}: ${error.message}`, code: error.code ?? 'TLS' }
  const what = error.kind === 'timeout' ? 'no answer from Discord in time' : error.kind === 'aborted' ? 'the request was aborted' : 'network error'
  return { kind: 'retry', reason: `${what}${code}: ${error.message}` }
}

/**
 * Discord's Cloudflare ban counts 401, 403 and 429 responses per IP (10,000 per 10 minutes, §3), except
 * 429s that carry `X-RateLimit-Scope: shared`: a sub-limit 429 (`Remaining > 0`, code 20028) still counts.
 */
export function isInvalidStatus (status: number, headers: HeaderMap): boolean {
  return status === 401 || status === 403 || (status === 429 && headers[HEADERS.scope]?.trim().toLowerCase() !== 'shared')
}

/**
 * The wait (ms) before the next retry, from the validated `retryDelays`; undefined when spent (or not an index): the pipeline then
 * holds the batch in outage mode (delivery/outage.ts). `attempt`: retries made, 0 before the first; [2000, 3000, 5000] sends at most 4 times.
 */
export function retryDelay (attempt: number, delays: readonly number[]): number | undefined {
  return delays[attempt]
}

/** True for Node's TLS error codes for certificate and handshake failures, OpenSSL's (node:tls, X509_V_ERR_* without the prefix) included. */
export function isTlsErrorCode (code: string | undefined): boolean {
  return code !== undefined && TLS_CODE.test(code)
}

const TLS_CODE = /^(?:CERT_|UNABLE_TO_GET_ISSUER_CERT|ERR_SSL_|ERR_TLS_CERT)|^(?:UNABLE_TO_VERIFY_LEAF_SIGNATURE|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_TLS_(?:HANDSHAKE_TIMEOUT|INVALID_PROTOCOL_VERSION|PROTOCOL_VERSION_CONFLICT)|INVALID_(?:CA|PURPOSE)|HOSTNAME_MISMATCH|UNABLE_TO_DECRYPT_CERT_SIGNATURE|UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY)$/

interface DiscordBody {
  code?: unknown
  message?: unknown
  errors?: unknown
  global?: unknown
  channel_id?: unknown
  id?: unknown
}

function rateLimitVerdict (headers: HeaderMap, body: DiscordBody | undefined, nowMs: number): Verdict {
  const parsed = parseRateLimitHeaders(headers, nowMs)
  const bodyRetryMs = retryAfterFromBody(body)

  // Cloudflare's IP ban has no X-RateLimit-* header: `error code: 1015` text/HTML or the static JSON `{"code": 0,
  // "message": "…blocked…"}`, with or without Retry-After (§3; without, the limiter's growing cool-down applies). A
  // Discord-made 429 body always has `retry_after`, so a headerless 429 with one is Discord's (a global 429 has no bucket headers).
  if (!parsed.hasRateLimitHeaders && bodyRetryMs === undefined) return { kind: 'rate_limited', scope: 'cloudflare', retryAfterMs: parsed.retryAfterMs }

  // The body's float retry_after beats the rounded-up header (§3); without either, Reset-After says when the bucket frees up.
  const retryAfterMs = bodyRetryMs ?? parsed.retryAfterMs ?? parsed.resetAfterMs
  // A hidden per-channel limit, shared by every webhook of the channel (§3, #4043, #2190): marked by
  // Scope: shared, by a 429 although Remaining > 0 (a sub-limit), or by code 20028 (PR #8290).
  const channel = parsed.scope === 'shared' || (parsed.remaining ?? 0) > 0 || discordCode(body) === DISCORD_CODES.channelWriteLimit
  const scope = parsed.global || body?.global === true ? 'global' : channel ? 'channel' : 'bucket'
  return { kind: 'rate_limited', scope, retryAfterMs, ...(parsed.bucket === undefined ? {} : { bucket: parsed.bucket }) }
}

function discordCode (body: DiscordBody | undefined): number | undefined {
  const code = body?.code
  return typeof code === 'number' && Number.isInteger(code) ? code : undefined
}

/** "Discord answered 401 Invalid Webhook Token (code 50027)": status, Discord's own words, its code. */
function describeAnswer (status: number, body: DiscordBody | undefined, code: number | undefined): string {
  let text = `Discord answered ${status}`
  // Discord's 5xx say their status again ("502: Bad Gateway"): said once.
  const said = typeof body?.message === 'string' ? body.message.trim().replace(new RegExp(`^${status}\\b:?\\s*`), '') : ''
  if (said !== '') {
    const message = redactLoose(said.replace(/\s+/g, ' '))
    text += ` ${message.length > MAX_MESSAGE_CHARS ? message.slice(0, MAX_MESSAGE_CHARS - 1) + '…' : message}`
  }
  if (code !== undefined) text += ` (code ${code})`
  return text
}

function disableAdvice (status: number, code: number | undefined): string {
  if (status === 401) return 'the token is wrong or was rotated; copy the webhook URL again'
  if (status === 404) return 'the webhook was deleted; create a new one and update webhookUrl'
  if (code === BLOCKED_CLIENT_CODE) return 'Discord is blocking this client (often an unexpected User-Agent or a flagged IP)'
  return 'the webhook is not allowed to post here'
}

function rejectAdvice (status: number, code: number | undefined): string {
  if (code === DISCORD_CODES.invalidFormBody) return 'the message broke a Discord length or schema rule; see errors'
  if (code === DISCORD_CODES.emptyMessage) return 'the message had nothing to show; dropping it'
  if (code === DISCORD_CODES.invalidJson) return 'the request body was not valid JSON; dropping it'
  if (status === 405) return 'the endpoint does not accept POST; check the webhook URL'
  if (status < 400) return 'an unexpected non-error answer (a redirect?); check apiOrigin and any proxy'
  return 'Discord refused this message; dropping it'
}
