import { performance } from 'node:perf_hooks'
import { EnvHttpProxyAgent, FormData, ProxyAgent, request, type Dispatcher } from 'undici'
import type { MessageFile, WebhookPayload, WebhookTarget } from '../types.js'
import { isTlsErrorCode, type SendFailure } from './retry-policy.js'
import { scrub } from './webhook-url.js'

/**
 * The one file that talks to the network: `post()` is one attempt (POST {url}?wait=true, JSON or multipart, contract §1),
 * ended by its timeout or the caller's signal; retries and waits are the pipeline's and the limiter's. It never rejects,
 * and no string it returns contains the webhook token (undici errors can quote the URL).
 */

export type SendOutcome =
  | {
    ok: true
    status: number
    /** Lower-case names; repeated headers joined with ", ". */
    headers: Record<string, string>
    /** Parsed JSON for application/json, otherwise text (at most 2 KB); undefined for an empty body (204). */
    body: unknown
    durationMs: number
  }
  | { ok: false, failure: SendFailure }

interface WebhookSenderOptions {
  /** Sends through this dispatcher (a MockAgent in tests). It is not closed by close(). */
  dispatcher?: Dispatcher
  /** Without a dispatcher: through this proxy; without either, through HTTPS_PROXY / HTTP_PROXY unless NO_PROXY names the host. */
  proxyUrl?: string
  /** Per-attempt limit for connecting, sending and reading the whole answer. */
  timeoutMs: number
  /** Build it with userAgent(): Discord requires `DiscordBot (url, version)` (§1). */
  userAgent: string
}

const PROJECT_URL = 'https://github.com/logcord/logcord'
/** Non-JSON bodies (Cloudflare HTML, proxy pages) are only kept for diagnostics. */
const MAX_TEXT_BODY_BYTES = 2048
/** Anything longer than this is not a Discord answer; stop reading rather than buffer it. */
const MAX_BODY_BYTES = 1024 * 1024
const TIMEOUT_CODES: ReadonlySet<string> = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT'])
const MAX_CAUSE_DEPTH = 5

/**
 * `DiscordBot (https://github.com/logcord/logcord, 1.2.3)`: Discord asks for this form and Cloudflare may block other
 * User-Agents (§1, #6473). A suffix is appended after a space; control characters (invalid in a header) are removed.
 */
export function userAgent (version: string, suffix?: string): string {
  const base = `DiscordBot (${PROJECT_URL}, ${clean(version)})`
  const extra = suffix === undefined ? '' : clean(suffix)
  return extra === '' ? base : `${base} ${extra}`
}

function clean (text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what it removes
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim()
}

export class WebhookSender {
  readonly #dispatcher: Dispatcher
  readonly #ownsDispatcher: boolean
  readonly #timeoutMs: number
  readonly #userAgent: string
  #closing: Promise<void> | undefined

  constructor (options: WebhookSenderOptions) {
    this.#timeoutMs = options.timeoutMs
    this.#userAgent = options.userAgent
    // Else our own keep-alive pool, so close() can release its sockets without touching undici's global one.
    this.#ownsDispatcher = options.dispatcher === undefined
    const timeouts = { headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs }
    this.#dispatcher = options.dispatcher ?? (options.proxyUrl !== undefined ? new ProxyAgent({ uri: options.proxyUrl, ...timeouts }) : new EnvHttpProxyAgent(timeouts))
  }

  /**
   * One attempt: resolves with the answer (any status) or a failure, never rejects. With `files`, multipart (multipartBody).
   * `timeoutMs` shortens this attempt's limit (never lengthens it), e.g. so a request cannot outlast a shutdown deadline.
   */
  post (target: WebhookTarget, payload: WebhookPayload, signal?: AbortSignal, files: readonly MessageFile[] = [], timeoutMs?: number): Promise<SendOutcome> {
    return this.#attempt('POST', target.url, target, payload, signal, files, timeoutMs)
  }

  /**
   * Edit Webhook Message (contract §7): `PATCH …/messages/{messageId}[?thread_id=]`, the fields given replacing the
   * message's (`embeds` the whole array; files it has are kept while `attachments` is left out). Same outcomes as post().
   */
  edit (target: WebhookTarget, message: { id: string, threadId?: string | undefined }, payload: WebhookPayload, signal?: AbortSignal, timeoutMs?: number): Promise<SendOutcome> {
    const url = `${target.url.slice(0, target.url.indexOf('?'))}/messages/${message.id}${message.threadId === undefined ? '' : `?thread_id=${message.threadId}`}`
    return this.#attempt('PATCH', url, target, payload, signal, [], timeoutMs)
  }

  async #attempt (method: 'POST' | 'PATCH', url: string, target: WebhookTarget, payload: WebhookPayload, signal: AbortSignal | undefined, files: readonly MessageFile[], timeoutMs: number | undefined): Promise<SendOutcome> {
    const limitMs = timeoutMs === undefined ? this.#timeoutMs : Math.max(1, Math.min(this.#timeoutMs, timeoutMs))
    const started = performance.now()
    const elapsed = (): number => Math.round(performance.now() - started)
    const fail = (kind: SendFailure['kind'], message: string, code?: string): SendOutcome => {
      const failure: SendFailure = { kind, message: scrub(message, target.token), durationMs: elapsed() }
      if (code !== undefined) failure.code = code
      return { ok: false, failure }
    }

    if (this.#closing !== undefined) return fail('aborted', 'the sender is closed', 'ERR_CLOSED')
    if (signal?.aborted === true) return fail('aborted', 'aborted before sending')

    // The first abort's reason says who ended the attempt: the timer or the caller.
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort('timeout'), limitMs)
    timer.unref()
    const onCallerAbort = (): void => controller.abort('caller')
    signal?.addEventListener('abort', onCallerAbort, { once: true })
    // undici may only notice an abort once a socket is assigned (e.g. after a slow connect), so the
    // attempt also races the signal itself: the timeout holds even while connecting.
    const aborted = new Promise<never>((_resolve, reject) => {
      controller.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true })
    })
    const exchange = this.#exchange(method, url, target.token, payload, files, controller.signal)
    // Whichever loses the race must not surface as an unhandled rejection.
    exchange.catch(() => {})
    aborted.catch(() => {})

    try {
      const answer = await Promise.race([exchange, aborted])
      return { ok: true, ...answer, durationMs: elapsed() }
    } catch (error) {
      if (controller.signal.reason === 'timeout') return fail('timeout', `no answer from Discord within ${limitMs} ms`, 'ERR_TIMEOUT')
      if (controller.signal.reason === 'caller') return fail('aborted', 'aborted by the caller')
      const code = errorCode(error)
      const message = errorMessage(error)
      if (code !== undefined && TIMEOUT_CODES.has(code)) return fail('timeout', message, code)
      if (isTlsErrorCode(code)) return fail('tls', message, code)
      return fail('network', message, code)
    } finally {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onCallerAbort)
    }
  }

  /** Closes the sender's own Agent (waiting for requests in flight); a dispatcher passed in is left open. */
  close (): Promise<void> {
    this.#closing ??= this.#ownsDispatcher ? this.#dispatcher.close() : Promise.resolve()
    return this.#closing
  }

  async #exchange (method: 'POST' | 'PATCH', url: string, token: string, payload: WebhookPayload, files: readonly MessageFile[], signal: AbortSignal): Promise<{ status: number, headers: Record<string, string>, body: unknown }> {
    const multipart = files.length > 0
    const response = await request(url, {
      method,
      dispatcher: this.#dispatcher,
      // A missing or wrong Content-Type is answered with 50035 (§1); for a form, undici sets
      // multipart/form-data with its boundary.
      headers: multipart ? { 'user-agent': this.#userAgent } : { 'content-type': 'application/json', 'user-agent': this.#userAgent },
      body: multipart ? multipartBody(payload, files) : payloadJson(payload),
      signal,
      // undici's own timers, in step with ours, so a stalled socket is torn down, not just abandoned.
      headersTimeout: this.#timeoutMs,
      bodyTimeout: this.#timeoutMs
    })
    const headers = flattenHeaders(response.headers, token)
    const body = await readBody(response.body, headers['content-type'], token)
    return { status: response.statusCode, headers, body }
  }
}

/**
 * The JSON of a payload with every string well-formed: a lone UTF-16 surrogate (text cut with `.slice()` through an
 * emoji) becomes U+FFFD. Discord stores UTF-8 and refuses the whole message otherwise (400 50035, sometimes 500).
 * Files need nothing: they are encoded as UTF-8, which replaces a lone surrogate the same way.
 */
export function payloadJson (payload: object): string {
  return JSON.stringify(payload, (_key, value: unknown) => typeof value === 'string' && !value.isWellFormed() ? value.toWellFormed() : value)
}

/**
 * Execute Webhook with files (contract §1): the JSON body as the `payload_json` part, each file as
 * `files[n]` with its filename, `attachments[n]` naming it. Built anew for every attempt.
 */
function multipartBody (payload: WebhookPayload, files: readonly MessageFile[]): FormData {
  const form = new FormData()
  const attachments = files.map((f, id) => ({ id, filename: f.name }))
  form.append('payload_json', payloadJson({ ...payload, attachments }))
  files.forEach((f, id) => form.append(`files[${id}]`, new Blob([f.content], { type: 'text/plain; charset=utf-8' }), f.name))
  return form
}

function flattenHeaders (raw: Record<string, string | string[] | undefined>, token: string): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue
    // A proxy's Location or similar header could echo the URL.
    headers[name.toLowerCase()] = scrub(Array.isArray(value) ? value.join(', ') : value, token)
  }
  return headers
}

/**
 * Reads the body to the end (an unread body keeps its socket from being reused): JSON parsed (§4: only with
 * a JSON Content-Type; Cloudflare answers HTML or text), text capped. Scrubbed before parsing: an error page
 * may quote the request path, and the token's URL-safe characters cannot break JSON syntax when replaced.
 */
async function readBody (stream: Dispatcher.ResponseData['body'], contentType: string | undefined, token: string): Promise<unknown> {
  const json = contentType?.trim().toLowerCase().startsWith('application/json') === true
  const keep = json ? MAX_BODY_BYTES : MAX_TEXT_BODY_BYTES
  const chunks: Buffer[] = []
  let kept = 0
  let total = 0
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    total += chunk.length
    if (kept < keep) {
      const part = chunk.subarray(0, keep - kept)
      chunks.push(part)
      kept += part.length
    }
    // Leaving the loop destroys the stream and its socket: acceptable for a body no Discord answer has.
    if (total > MAX_BODY_BYTES) break
  }
  if (total === 0) return undefined
  const text = scrub(Buffer.concat(chunks).toString('utf8'), token)
  if (!json) return text
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text.slice(0, MAX_TEXT_BODY_BYTES)
  }
}

/** The error's code; a TLS code anywhere on the cause chain wins, since undici may wrap socket errors. */
function errorCode (error: unknown): string | undefined {
  const codes: string[] = []
  let current: unknown = error
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && current !== null && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string') codes.push(code)
    current = (current as { cause?: unknown }).cause
  }
  return codes.find(isTlsErrorCode) ?? codes[0]
}

function errorMessage (error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const cause = error.cause instanceof Error && error.cause.message !== error.message ? `: ${error.cause.message}` : ''
  return `${error.message || error.name}${cause}`
}
