/**
 * The emulated Execute Webhook endpoint. A request walks the same gates, in the same order,
 * as one sent to Discord (contract §1-§4):
 *
 *   arrive ─► drop / hang ─► read body ─► latency ─► outage / IP ban / Cloudflare / 5xx  (edge)
 *     ─► global limit ─► webhook bucket ─► auth (404/401) ─► size (413) ─► Content-Type ─► JSON
 *     ─► validate (50035/50006) ─► attachments ─► channel limit (shared 429) ─► save ─► 200 / 204
 *
 * The body is JSON or multipart/form-data (payload_json + files[n], §1; see request-body.ts).
 *
 * Everything after the bucket carries the X-RateLimit-* headers, so failed requests
 * spend the bucket exactly as Discord's do.
 */
import { EventEmitter, once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { API_VERSIONS, DISCORD_CODES, HEADERS, LIMITS, MS_PER_SECOND, SNOWFLAKE } from './constants.js'
import { handleControl, CONTROL_PREFIX } from './control.js'
import { previewReply } from './preview/routes.js'
import { ResponseLog } from './preview/response-log.js'
import { EventStream } from './event-stream.js'
import { FaultInjector, mulberry32, type EdgeFault, type Faults, type FaultKind, type FaultsInput, type OutageMode, type RateLimitScope } from './faults.js'
import { FormErrors } from './form-errors.js'
import { readBody, send } from './http-io.js'
import { applyAttachmentEntries, parseRequestBody, type ParsedBody, type StoredAttachment } from './request-body.js'
import { bucketHashFor, channelIdFor, generateToken, generateWebhookId, SnowflakeGenerator } from './ids.js'
import { mentionsThatWouldPing } from './mentions.js'
import { toDiscordMessage, type StoredMessage } from './message-object.js'
import { resolveOptions, TOKEN_PATTERN, type EmulatorOptions, type ResolvedOptions, type WebhookConfig } from './options.js'
import { RateLimits, scaleLimits, type WindowState } from './rate-limits.js'
import {
  bucketHeaders,
  cloudflareBan,
  discordError,
  invalidForm,
  json,
  rateLimited,
  serverError,
  STATUS,
  type Headers,
  type Reply
} from './replies.js'
import { StatsCounter, type EmulatorStats, type LimitedBy } from './stats.js'
import { FORM_ERROR_CODES, validateWebhookPayload } from './validate.js'

export interface ResponseSummary {
  /** Emulator clock time (ms). */
  time: number
  /** HTTP status; 0 when the request was dropped or left hanging. */
  status: number
  webhookId: string
  /** X-RateLimit-Scope of a rate-limit 429. */
  scope?: RateLimitScope
  /** The injected fault that shaped this response, if any. */
  fault?: FaultKind
  /** 1-based position among the responses since the last reset (the preview page's history key). */
  seq: number
  /** Discord's JSON error `code` of a 4xx/5xx answer, when it has one. */
  code?: number
  /** X-RateLimit-Remaining / X-RateLimit-Limit of the webhook bucket, when the answer carries them. */
  remaining?: number
  limit?: number
}

export interface EmulatorEvents {
  message: StoredMessage
  /** A message edited in place (its payload is the merged result) or deleted (`deletedAt` set). */
  messageUpdate: StoredMessage
  response: ResponseSummary
}

export type RevokeStatus = 401 | 404

interface Webhook {
  id: string
  token: string
  channelId: string
  revoked?: RevokeStatus
}

interface RequestContext {
  webhookId: string
  token: string
  /** v6/v7 or versionless: milliseconds and flat errors (§1). */
  legacy: boolean
  wait: boolean
  threadId?: string
  /** `GET`, `PATCH`, `DELETE …/messages/{id}` (contract §7); absent for Execute Webhook. */
  messageId?: string
  method: string
}

const WEBHOOK_ROUTE = /^\/api(?:\/v(\d{1,2}))?\/webhooks\/(\d{17,20})\/([A-Za-z0-9_-]+)(?:\/messages\/(\d{17,20}))?\/?$/
const MESSAGE_METHODS = new Set(['GET', 'PATCH', 'DELETE'])
/** §1: boolean query values may be written true/True/1. */
const TRUE_VALUES = new Set(['true', 'True', '1'])
/** Wait reported by a forced 429 whose limit is switched off, before scaling. */
const STORM_FALLBACK_WAIT_MS = 1000
const DEFAULT_WAIT_FOR_MS = 5000

export class Emulator {
  /** Messages Discord would have saved, oldest first. The array is live; `reset()` empties it in place. */
  readonly messages: StoredMessage[] = []

  readonly #options: ResolvedOptions
  readonly #now: () => number
  readonly #server: Server
  readonly #limits: RateLimits
  readonly #faults: FaultInjector
  readonly #stats = new StatsCounter()
  readonly #events = new EventEmitter()
  readonly #stream = new EventStream()
  readonly #responses = new ResponseLog()
  readonly #webhooks = new Map<string, Webhook>()
  readonly #bucketHashes = new Map<string, string>()
  readonly #snowflakes: SnowflakeGenerator
  /** Separate from the fault PRNG so generating URLs never shifts a fault sequence. */
  readonly #idRandom: () => number
  readonly #latencyTimers = new Set<NodeJS.Timeout>()
  #origin = ''
  #closing: Promise<void> | undefined

  /** @internal Use `createEmulator()`. */
  constructor (options: ResolvedOptions) {
    this.#options = options
    this.#now = options.now
    this.#limits = new RateLimits(scaleLimits(options.limits, options.timeScale))
    this.#faults = new FaultInjector(options.faults, options.seed, options.now())
    this.#snowflakes = new SnowflakeGenerator(options.now)
    this.#idRandom = mulberry32(options.seed ^ ID_SEED_SALT)
    this.#events.setMaxListeners(0)
    for (const hook of options.webhooks) this.addWebhook(hook)
    this.#server = createServer({ noDelay: true }, (req, res) => this.#onRequest(req, res))
  }

  /** @internal */
  async listen (): Promise<void> {
    this.#server.listen(this.#options.port, this.#options.host)
    await once(this.#server, 'listening')
    const address = this.#server.address() as AddressInfo
    const anyAddress = address.address === '0.0.0.0' || address.address === '::'
    const host = anyAddress ? '127.0.0.1' : address.family === 'IPv6' ? `[${address.address}]` : address.address
    this.#origin = `http://${host}:${address.port}`
  }

  /** e.g. `http://127.0.0.1:40123` */
  get origin (): string {
    return this.#origin
  }

  get port (): number {
    return (this.#server.address() as AddressInfo | null)?.port ?? 0
  }

  /** The faults in force now. */
  get faults (): Faults {
    return this.#faults.current
  }

  /**
   * A versionless webhook URL, the form Discord hands out (§1). Without arguments a new
   * webhook is registered with a fresh 18-digit id and 68-character token; an `id` alone
   * reuses that webhook's token. A `token` that differs from the registered one gives a
   * URL that answers 401, which is handy for tests.
   */
  webhookUrl (id?: string, token?: string): string {
    const hookId = id ?? generateWebhookId(this.#idRandom)
    if (!SNOWFLAKE.idPattern.test(hookId)) throw new TypeError(`webhookUrl: id must be a 17-20 digit snowflake, received ${JSON.stringify(hookId)}.`)
    if (token !== undefined && !TOKEN_PATTERN.test(token)) throw new TypeError('webhookUrl: token must use URL-safe characters [A-Za-z0-9_-].')
    const hook = this.#webhooks.get(hookId) ?? this.addWebhook({ id: hookId, token: token ?? generateToken(this.#idRandom) })
    return `${this.#origin}/api/webhooks/${hookId}/${token ?? hook.token}`
  }

  /** Registers (or replaces) a webhook, e.g. to map it to a shared channel. */
  addWebhook (config: WebhookConfig): Readonly<Required<WebhookConfig>> {
    const hook: Webhook = { id: config.id, token: config.token, channelId: config.channelId ?? channelIdFor(config.id) }
    this.#webhooks.set(hook.id, hook)
    return { id: hook.id, token: hook.token, channelId: hook.channelId }
  }

  /** From now on the webhook answers 401 (code 50027, token rotated) or 404 (code 10015, deleted). */
  revoke (webhookId: string, status: RevokeStatus = STATUS.notFound): void {
    const hook = this.#webhooks.get(webhookId) ?? this.addWebhook({ id: webhookId, token: generateToken(this.#idRandom) })
    ;(this.#webhooks.get(hook.id) as Webhook).revoked = status
  }

  stats (): EmulatorStats {
    return this.#stats.snapshot()
  }

  setFaults (faults: FaultsInput): void {
    this.#faults.set(faults, this.#now())
  }

  /**
   * Every request fails for the next `ms` milliseconds of the emulator's clock, then the emulator
   * recovers: 503 by default, or a Cloudflare ban, dropped sockets or hung requests (`mode`).
   */
  setOutage (ms: number, mode: OutageMode = 'unavailable'): void {
    this.setFaults({ outage: { forMs: ms, mode } })
  }

  /** Clears messages, counters and rate-limit state, and lifts revocations. Webhooks and faults stay. */
  reset (): void {
    this.messages.length = 0
    this.#stats.reset()
    this.#limits.reset()
    this.#responses.reset()
    for (const hook of this.#webhooks.values()) delete hook.revoked
  }

  /**
   * Resolves with a copy of `messages` once there are `count` of them, or once `predicate`
   * accepts the list. Event-driven: it wakes on each saved message, never polls.
   */
  waitFor (
    target: number | ((messages: readonly StoredMessage[]) => boolean),
    timeoutMs: number = DEFAULT_WAIT_FOR_MS
  ): Promise<StoredMessage[]> {
    const done = typeof target === 'number' ? (list: readonly StoredMessage[]) => list.length >= target : target
    if (done(this.messages)) return Promise.resolve([...this.messages])
    return new Promise((resolve, reject) => {
      const onMessage = (): void => {
        if (!done(this.messages)) return
        cleanup()
        resolve([...this.messages])
      }
      const timer = setTimeout(() => {
        cleanup()
        const wanted = typeof target === 'number' ? `${target} messages` : 'the predicate'
        reject(new Error(`waitFor: timed out after ${timeoutMs} ms waiting for ${wanted}; ${this.messages.length} received.`))
      }, timeoutMs)
      timer.unref()
      const cleanup = (): void => {
        clearTimeout(timer)
        this.#events.off('message', onMessage)
      }
      this.#events.on('message', onMessage)
    })
  }

  /** Subscribes to saved messages or response summaries; returns the unsubscribe function. */
  on<E extends keyof EmulatorEvents>(event: E, listener: (payload: EmulatorEvents[E]) => void): () => void {
    this.#events.on(event, listener)
    return () => this.#events.off(event, listener)
  }

  /** Stops listening and destroys every open socket, hung and streaming ones included. */
  close (): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      for (const timer of this.#latencyTimers) clearTimeout(timer)
      this.#latencyTimers.clear()
      this.#stream.close()
      if (!this.#server.listening) return resolve()
      this.#server.close(() => resolve())
      this.#server.closeAllConnections()
    })
    return this.#closing
  }

  #onRequest (req: IncomingMessage, res: ServerResponse): void {
    try {
      this.#route(req, res)
    } catch (error) {
      // A bug here must not take down the process that hosts the emulator (tests, demo).
      send(res, discordError(STATUS.internalError, DISCORD_CODES.general, `Emulator error: ${(error as Error).message}`))
    }
  }

  #route (req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/'
    const q = url.indexOf('?')
    const pathname = q === -1 ? url : url.slice(0, q)
    const query = q === -1 ? '' : url.slice(q + 1)

    const preview = previewReply(req.method ?? 'GET', pathname, query, this.#responses)
    if (preview) {
      req.resume()
      send(res, preview)
      return
    }
    if (pathname.startsWith(CONTROL_PREFIX)) {
      handleControl({ emulator: this, stream: this.#stream, req, res, pathname, query })
      return
    }
    const match = WEBHOOK_ROUTE.exec(pathname)
    if (!match) {
      req.resume()
      send(res, discordError(STATUS.notFound, DISCORD_CODES.general, '404: Not Found'))
      return
    }
    this.#onWebhookRequest(req, res, match, query)
  }

  #onWebhookRequest (req: IncomingMessage, res: ServerResponse, match: RegExpExecArray, query: string): void {
    this.#stats.request()
    const version = match[1] === undefined ? API_VERSIONS.versionless : Number(match[1])
    const params = new URLSearchParams(query)
    const threadId = params.get('thread_id') ?? undefined
    const ctx: RequestContext = {
      webhookId: match[2] as string,
      token: match[3] as string,
      legacy: version < API_VERSIONS.firstStructured,
      wait: TRUE_VALUES.has(params.get('wait') ?? ''),
      ...(threadId ? { threadId } : {}),
      ...(match[4] === undefined ? {} : { messageId: match[4] }),
      method: req.method ?? 'GET'
    }

    if (version < API_VERSIONS.oldest || version > API_VERSIONS.newest) {
      req.resume()
      this.#finish(res, ctx, discordError(STATUS.badRequest, DISCORD_CODES.invalidApiVersion, 'Invalid API version'))
      return
    }
    if (ctx.messageId === undefined ? ctx.method !== 'POST' : !MESSAGE_METHODS.has(ctx.method)) {
      req.resume()
      this.#finish(res, ctx, discordError(STATUS.methodNotAllowed, DISCORD_CODES.general, '405: Method Not Allowed'))
      return
    }

    const connectionFault = this.#faults.connection(this.#now())
    if (connectionFault === 'outage_drop' || connectionFault === 'outage_hang') {
      this.#stats.fault('outage')
      this.#summarize(ctx, 0, undefined, 'outage')
      if (connectionFault === 'outage_drop') req.socket.destroy()
      else req.resume()
      return
    }
    if (connectionFault === 'drop') {
      this.#stats.fault('drop')
      this.#summarize(ctx, 0, undefined, 'drop')
      req.socket.destroy()
      return
    }
    if (connectionFault === 'hang') {
      // Never answered: the socket stays open until the client gives up or close() runs.
      this.#stats.fault('hang')
      this.#summarize(ctx, 0, undefined, 'hang')
      req.resume()
      return
    }

    readBody(req, LIMITS.requestBytes, (raw) => {
      this.#stats.received(raw?.length ?? LIMITS.requestBytes)
      // The request counts against the limits when it has arrived, however long parsing a multipart
      // body takes on a loaded machine: that time is the emulator's, not the client's.
      const arrived = this.#now()
      // Reading the body (JSON or multipart) happens on arrival; its verdict is given at its gate below.
      void parseRequestBody(req.headers['content-type'], raw).then((body) => {
        const latency = this.#faults.latencyMs
        if (latency <= 0) return this.#process(res, ctx, body, arrived)
        this.#stats.fault('latency')
        // Latency is network time, so it is real milliseconds, never scaled by timeScale.
        const timer = setTimeout(() => {
          this.#latencyTimers.delete(timer)
          this.#process(res, ctx, body, this.#now())
        }, latency)
        this.#latencyTimers.add(timer)
      }).catch((error: unknown) => {
        send(res, discordError(STATUS.internalError, DISCORD_CODES.general, `Emulator error: ${(error as Error).message}`))
      })
    })
  }

  #process (res: ServerResponse, ctx: RequestContext, body: ParsedBody, t: number): void {
    if (res.destroyed) return

    const banMs = this.#limits.banMs(t)
    if (banMs > 0) {
      // §3: an IP ban answers everything from Cloudflare, without any X-RateLimit-* header.
      const mode = this.#faults.cloudflareMode
      const retryAfter = mode === 'html' ? Math.ceil(banMs / MS_PER_SECOND) : null
      return this.#finish(res, ctx, cloudflareBan(mode, retryAfter), 'cloudflare')
    }
    const edge = this.#faults.edge(t)
    if (edge) return this.#edgeFault(res, ctx, edge)

    const storm = this.#faults.storm()
    if (storm) this.#stats.fault('storm')

    const global = this.#limits.takeGlobal(t)
    if (storm === 'global' || (global && !global.allowed)) {
      const wait = global ? global.resetAt - t : this.#stormWaitMs()
      return this.#finish(res, ctx, this.#rateLimited(ctx, 'global', wait), 'global', storm === 'global' ? 'storm' : undefined)
    }

    // Edits and deletes take from the webhook's bucket unless switched off (contract §7: undocumented); reads never.
    const limited = ctx.messageId === undefined || (ctx.method !== 'GET' && this.#options.editLimits.bucket)
    const bucket = limited ? this.#limits.takeWebhook(ctx.webhookId, t) : undefined
    const headers = bucket ? bucketHeaders(bucket, this.#bucketHash(ctx.webhookId), t) : {}
    if (storm === 'user' || (bucket && !bucket.allowed)) {
      return this.#finish(res, ctx, this.#userLimited(ctx, bucket, headers, t), 'bucket', storm === 'user' ? 'storm' : undefined)
    }

    const hook = this.#authenticate(ctx)
    if (!hook) {
      const known = this.#webhooks.get(ctx.webhookId)
      const reply = known && known.revoked !== STATUS.notFound
        ? discordError(STATUS.unauthorized, DISCORD_CODES.invalidWebhookToken, 'Invalid Webhook Token', headers)
        : discordError(STATUS.notFound, DISCORD_CODES.unknownWebhook, 'Unknown Webhook', headers)
      return this.#finish(res, ctx, reply)
    }

    const stored = ctx.messageId === undefined ? undefined : this.#ownMessage(hook, ctx)
    if (ctx.messageId !== undefined) {
      if (stored === undefined) return this.#finish(res, ctx, discordError(STATUS.notFound, DISCORD_CODES.unknownMessage, 'Unknown Message', headers))
      if (ctx.method === 'GET') return this.#finish(res, ctx, json(STATUS.ok, toDiscordMessage(stored), headers))
      if (ctx.method === 'DELETE') {
        this.deleteMessage(stored.id)
        return this.#finish(res, ctx, { status: STATUS.noContent, headers, body: '' })
      }
    }
    if (!body.ok) {
      switch (body.kind) {
        case 'tooLarge':
          return this.#finish(res, ctx, discordError(STATUS.payloadTooLarge, DISCORD_CODES.requestTooLarge, 'Request entity too large', headers))
        case 'contentType': {
          const errors = new FormErrors()
          errors.add([], FORM_ERROR_CODES.contentType, 'Expected "Content-Type" header to be one of {\'application/json\', \'multipart/form-data\'}.')
          return this.#finish(res, ctx, invalidForm(ctx.legacy, errors.tree, headers))
        }
        case 'invalidJson':
          return this.#finish(res, ctx, discordError(STATUS.badRequest, DISCORD_CODES.invalidJson, 'The request body contains invalid JSON.', headers))
        case 'form':
          return this.#finish(res, ctx, invalidForm(ctx.legacy, body.errors, headers))
      }
    }
    const payload = body.payload
    const result = validateWebhookPayload(payload, body.attachments.length)
    if (!result.ok) {
      const reply = result.code === DISCORD_CODES.invalidFormBody
        ? invalidForm(ctx.legacy, result.errors, headers)
        : discordError(STATUS.badRequest, result.code, result.message, headers)
      return this.#finish(res, ctx, reply)
    }
    const attachmentErrors = new FormErrors()
    const attachments = applyAttachmentEntries(payload as Record<string, unknown>, body.attachments, attachmentErrors)
    if (!attachmentErrors.isEmpty) return this.#finish(res, ctx, invalidForm(ctx.legacy, attachmentErrors.tree, headers))

    // §3: the hidden per-channel limit. It never shows in the headers, so this 429 keeps
    // the bucket's Remaining (often > 0) — the signature clients detect it by.
    const counted = stored === undefined || this.#options.editLimits.channel
    const channelWait = counted ? this.#limits.channelWaitMs(hook.channelId, t) : 0
    if (storm === 'shared' || channelWait > 0) {
      const wait = channelWait > 0 ? channelWait : this.#stormWaitMs()
      return this.#finish(res, ctx, this.#rateLimited(ctx, 'shared', wait, headers), 'shared', storm === 'shared' ? 'storm' : undefined)
    }

    if (stored !== undefined) return this.#finish(res, ctx, json(STATUS.ok, toDiscordMessage(this.#edit(stored, payload as Record<string, unknown>, attachments, counted, t)), headers))
    const message = this.#save(hook, ctx, payload as Record<string, unknown>, attachments, t)
    const reply: Reply = ctx.wait
      ? json(STATUS.ok, toDiscordMessage(message), headers)
      : { status: STATUS.noContent, headers, body: '' }
    this.#finish(res, ctx, reply)
  }

  #authenticate (ctx: RequestContext): Webhook | undefined {
    let hook = this.#webhooks.get(ctx.webhookId)
    if (!hook) {
      if (!this.#options.autoCreate) return undefined
      this.addWebhook({ id: ctx.webhookId, token: ctx.token })
      hook = this.#webhooks.get(ctx.webhookId) as Webhook
    }
    if (hook.revoked !== undefined || hook.token !== ctx.token) return undefined
    return hook
  }

  #save (hook: Webhook, ctx: RequestContext, payload: Record<string, unknown>, attachments: StoredAttachment[], t: number): StoredMessage {
    const message: StoredMessage = {
      id: this.#snowflakes.next(),
      webhookId: hook.id,
      channelId: hook.channelId,
      ...(ctx.threadId ? { threadId: ctx.threadId } : {}),
      payload,
      attachments,
      receivedAt: t,
      pings: mentionsThatWouldPing(payload)
    }
    this.#limits.recordChannel(hook.channelId, t)
    this.messages.push(message)
    this.#stats.accepted()
    this.#events.emit('message', message)
    this.#stream.send('message', message)
    return message
  }

  /** The message `ctx` names, if this webhook sent it, in the thread the request names, and it is not deleted. */
  #ownMessage (hook: Webhook, ctx: RequestContext): StoredMessage | undefined {
    const m = this.messages.find((x) => x.id === ctx.messageId)
    return m === undefined || m.webhookId !== hook.id || m.threadId !== ctx.threadId || m.deletedAt !== undefined ? undefined : m
  }

  /**
   * An edit (contract §7): each field given replaces the message's (`embeds` the whole array); `attachments` given keeps
   * only the files it names by id, left out keeps them all; new files are added. Mentions are never worked out again here
   * (an edit notifies nobody).
   */
  #edit (m: StoredMessage, edit: Record<string, unknown>, files: StoredAttachment[], counted: boolean, t: number): StoredMessage {
    const { attachments: keep, ...fields } = edit
    if (Array.isArray(keep)) {
      const ids = new Set(keep.map((a: { id?: unknown }) => String(a.id)))
      m.attachments = m.attachments.filter((_a, i) => ids.has(`${m.id.slice(0, -2)}${String(i).padStart(2, '0')}`) || ids.has(String(i)))
    }
    m.attachments.push(...files)
    m.payload = { ...m.payload, ...fields }
    m.edits = (m.edits ?? 0) + 1
    m.editedAt = t
    if (counted) this.#limits.recordChannel(m.channelId, t)
    this.#events.emit('messageUpdate', m)
    this.#stream.send('messageUpdate', m)
    return m
  }

  /** Deletes a saved message as a moderator would: it stays in `messages` with `deletedAt`, and edits of it get 10008. False if unknown. */
  deleteMessage (id: string): boolean {
    const m = this.messages.find((x) => x.id === id)
    if (m === undefined || m.deletedAt !== undefined) return false
    m.deletedAt = this.#now()
    this.#events.emit('messageUpdate', m)
    this.#stream.send('messageUpdate', m)
    return true
  }

  #edgeFault (res: ServerResponse, ctx: RequestContext, fault: EdgeFault): void {
    this.#stats.fault(fault.kind)
    switch (fault.kind) {
      case 'outage':
        return fault.mode === 'cloudflare'
          ? this.#finish(res, ctx, cloudflareBan('html', fault.retryAfterSec), 'cloudflare', 'outage')
          : this.#finish(res, ctx, serverError(STATUS.unavailable, false), undefined, 'outage')
      case 'cloudflare':
        return this.#finish(res, ctx, cloudflareBan(fault.mode, fault.retryAfterSec), 'cloudflare', 'cloudflare')
      case 'error':
        return this.#finish(res, ctx, serverError(fault.status, fault.html), undefined, 'error')
    }
  }

  #userLimited (ctx: RequestContext, bucket: WindowState | undefined, headers: Headers, t: number): Reply {
    if (!bucket) return this.#rateLimited(ctx, 'user', this.#stormWaitMs(), headers)
    // A forced 429 may strike a bucket with room left; a real user-scope 429 shows none.
    return this.#rateLimited(ctx, 'user', bucket.resetAt - t, { ...headers, [HEADERS.remaining]: '0' })
  }

  #rateLimited (ctx: RequestContext, scope: RateLimitScope, waitMs: number, headers?: Headers): Reply {
    return rateLimited(scope, waitMs, ctx.legacy, this.#options.timeScale, headers)
  }

  #stormWaitMs (): number {
    return STORM_FALLBACK_WAIT_MS * this.#options.timeScale
  }

  #bucketHash (webhookId: string): string {
    let hash = this.#bucketHashes.get(webhookId)
    if (hash === undefined) {
      hash = bucketHashFor(webhookId)
      this.#bucketHashes.set(webhookId, hash)
    }
    return hash
  }

  #finish (res: ServerResponse, ctx: RequestContext, reply: Reply, limitedBy?: LimitedBy, fault?: FaultKind | undefined): void {
    if (this.#stats.response(reply.status, limitedBy)) this.#limits.recordInvalid(this.#now())
    send(res, reply)
    this.#summarize(ctx, reply.status, reply.headers[HEADERS.scope] as RateLimitScope | undefined, fault, reply)
  }

  #summarize (ctx: RequestContext, status: number, scope: RateLimitScope | undefined, fault: FaultKind | undefined, reply?: Reply): void {
    const summary: ResponseSummary = { time: this.#now(), status, webhookId: ctx.webhookId, seq: this.#responses.nextSeq() }
    if (scope) summary.scope = scope
    if (fault) summary.fault = fault
    if (reply) describeReply(summary, reply)
    // Kept for the preview page's chart even when nobody listens right now.
    this.#responses.push(summary)
    if (this.#events.listenerCount('response') === 0 && this.#stream.size === 0) return
    this.#events.emit('response', summary)
    this.#stream.send('response', summary)
  }
}

/** Adds what the preview page shows of an answer: Discord's error code and the bucket's remaining requests. */
function describeReply (summary: ResponseSummary, reply: Reply): void {
  const remaining = reply.headers[HEADERS.remaining]
  const limit = reply.headers[HEADERS.limit]
  if (remaining !== undefined) summary.remaining = Number(remaining)
  if (limit !== undefined) summary.limit = Number(limit)
  if (reply.status < STATUS.badRequest || !String(reply.headers['content-type']).startsWith('application/json')) return
  try {
    const code = (JSON.parse(reply.body) as { code?: unknown }).code
    if (typeof code === 'number') summary.code = code
  } catch {
    // Not JSON after all: no code to show.
  }
}

/** Mixed into the seed of the id PRNG so it differs from the fault PRNG's. */
const ID_SEED_SALT = 0x5eed1d

/** Starts an emulator on 127.0.0.1 (a random port by default) and resolves once it listens. */
export async function createEmulator (options: EmulatorOptions = {}): Promise<Emulator> {
  const emulator = new Emulator(resolveOptions(options))
  await emulator.listen()
  return emulator
}
