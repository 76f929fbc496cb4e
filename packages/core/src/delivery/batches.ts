/*
 * A batch (≤10 records and the drop notice, each within its share of 6000 characters) and how it gets through:
 * the limiter's wait, the request, what Discord's answer calls for (http/retry-policy.ts), until delivered, held
 * (outage) or dropped. Problems: one stderr line each (SelfLog's keys), an `error` event, never the token.
 */
import { sleep } from '../clock.js'
import { BatchPayload, embedBudget, hasEmbed } from '../format/batch-payload.js'
import { capString } from '../format/safe-value.js'
import { codePointLength } from '../format/text.js'
import { parseRateLimitHeaders } from '../http/headers.js'
import { classifyFailure, classifyResponse, isInvalidStatus, retryDelay, type Verdict } from '../http/retry-policy.js'
import { userAgent, WebhookSender, type SendOutcome } from '../http/sender.js'
import { DISCORD_CODES, LIMITS } from '../limits.js'
import type { LimitStore } from '../rate-limit/limit-store.js'
import { RateLimiter } from '../rate-limit/limiter.js'
import { limitStoreFor } from '../redis/limits.js'
import { spoken } from '../storm/summary.js'
import type { DropReason, HealthProblem, MessageFile, ProblemEvent, WebhookPayload } from '../types.js'
import { VERSION } from '../version.js'
import { SHUTDOWN_RETRY_MS, shutdownAnswerMs } from './deadlines.js'
import type { IncidentEdit } from './incidents.js'
import { readCounters, SLOT, type DeliveryContext, type Ledger } from './ledger.js'
import { isExpired, Outage } from './outage.js'
import { dropNotice, type BoundedQueue, type Item } from './queue.js'

export interface Batch { items: Item[], notice: Item | undefined, payload: WebhookPayload, files: MessageFile[], strict: boolean }

export class Batches {
  readonly limits: LimitStore
  readonly limiter: RateLimiter
  readonly sender: WebhookSender
  readonly #outage: Outage
  /** While a shutdown deadline runs, when requests must have ended (epoch ms, deadlines.ts). */
  end: number | undefined
  readonly #p: DeliveryContext
  readonly #queue: BoundedQueue
  readonly #ledger: Ledger
  readonly #signal: () => AbortSignal
  readonly #payloads: BatchPayload
  /** Records stamped before this count their age from here (replayed or piped-in old logs). */
  readonly #startedAt: number
  /** Cuts the wait for the next outage probe short (a shutdown probes at once). */
  #probeWake: AbortController | undefined
  #disabled: HealthProblem | undefined
  /** A TLS failure: the webhook counts as failing until a batch gets through. */
  #failing: HealthProblem | undefined
  /** The slowest answer Discord gave this webhook so far (ms): what a shutdown waits for an answer is measured from it. */
  #slowestAnswerMs = 0

  /** Told of every post Discord took, with its answer (incidents keep the message id). */
  readonly #posted: ((batch: Batch, answer: { messageId?: string, channelId?: string }) => void) | undefined

  /** `signal`: the pipeline's shutdown signal, read when used. */
  constructor (p: DeliveryContext, queue: BoundedQueue, ledger: Ledger, signal: () => AbortSignal, posted?: (batch: Batch, answer: { messageId?: string, channelId?: string }) => void) {
    const o = p.options
    this.#p = p
    this.#posted = posted
    this.#queue = queue
    this.#ledger = ledger
    this.#signal = signal
    this.#startedAt = o.clock.now()
    this.limits = limitStoreFor(o, p.log)
    this.limiter = new RateLimiter(p.target.id, o.rateLimits, this.limits)
    this.sender = new WebhookSender({ timeoutMs: o.timeoutMs, userAgent: userAgent(VERSION, o.userAgentSuffix), ...(o.dispatcher === undefined ? {} : { dispatcher: o.dispatcher }), ...(o.proxyUrl === undefined ? {} : { proxyUrl: o.proxyUrl }) })
    this.#outage = new Outage(o.outage)
    this.#payloads = new BatchPayload(o, p.target.token)
  }

  /** Discord said the webhook is gone (401, 403, 404, or thread settings it refuses): nothing more is sent. */
  get disabled (): HealthProblem | undefined { return this.#disabled }
  get problem (): HealthProblem | undefined { return this.#disabled ?? this.#failing ?? this.#outage.problem }

  /** The next outage probe may leave at once (a shutdown: one last try before the deadline). */
  probeNow (): void {
    this.#outage.probeNow(this.#p.options.clock.now())
    this.#probeWake?.abort()
  }

  /** Waits until the limiter grants a request (held until `acquire`). False when aborted. */
  async waitForBudget (): Promise<boolean> {
    const clock = this.#p.options.clock
    for (;;) {
      const now = clock.now()
      const probe = this.#outage.waitMs(now)
      // A permit is only taken when no probe wait holds the request back.
      const wait = probe > 0 ? this.limiter.waitTime(now) : await this.limiter.reserve(now)
      if (wait.ms <= 0 && probe <= 0) return true
      if (probe > wait.ms) {
        this.#p.log.debug(`Discord unreachable: next probe in ${probe} ms`)
        const wake = this.#probeWake = new AbortController()
        const onAbort = (): void => wake.abort()
        this.#signal().addEventListener('abort', onAbort, { once: true })
        await sleep(clock, probe, wake.signal)
        this.#signal().removeEventListener('abort', onAbort)
        this.#probeWake = undefined
        if (this.#signal().aborted) return false
        continue
      }
      this.#ledger.c[SLOT.waits]!++
      this.#p.emit('rateLimited', { scope: wait.scope, waitMs: wait.ms, reactive: false })
      this.#p.log.debug(`waiting ${wait.ms} ms for the ${wait.scope} limit`)
      if (!(await sleep(clock, wait.ms, this.#signal()))) return false
    }
  }

  take (): Batch | undefined {
    const { clock, maxRecordAgeMs } = this.#p.options
    const now = clock.now()
    const queue = this.#queue
    for (let next = queue.peek(); next !== undefined && isExpired(next.record.time, this.#startedAt, now, maxRecordAgeMs); next = queue.peek()) {
      this.#ledger.drop('expired', [queue.shift()!], `held longer than maxRecordAgeMs (${maxRecordAgeMs} ms)`)
    }
    // An outage probe carries one record; the drop notice waits for the drain unless nothing else is left.
    const limit = this.#outage.active ? 1 : LIMITS.embedsPerMessage
    const notice = this.#outage.active && queue.size > 0 ? undefined : dropNotice(queue.takeDrops(), queue.capacity, now)
    if (queue.size + (notice === undefined ? 0 : 1) === 0) return undefined
    const items: Item[] = []
    let embeds = notice === undefined ? 0 : 1
    // Plain-text records join into one content, a line each, while it stays within Discord's 2000 (code points).
    const room = this.#payloads.contentRoom
    let content = -1
    for (let next = queue.peek(); next !== undefined && items.length < (this.#outage.active ? 1 : Infinity); next = queue.peek()) {
      const r = next.record
      const embedded = hasEmbed(r)
      if (embedded && embeds >= limit) break
      if (r.content !== undefined) {
        const length = codePointLength(r.content)
        if (content >= 0 && content + 1 + length > room) break
        content += 1 + length
      }
      if (embedded) embeds++
      items.push(queue.shift()!)
    }
    // Under load each embed gets an equal share of the 6000-character message budget.
    const { payload, files } = this.#payloads.build(items.map((i) => i.record), notice?.record, embedBudget(Math.max(1, embeds)), false)
    return { items, notice, payload, files, strict: false }
  }

  async send (batch: Batch): Promise<void> {
    const { clock, retryDelays, outage } = this.#p.options
    const { log, emit, target } = this.#p
    const c = this.#ledger.c
    const lost = (detail: string): void => this.#ledger.drop('shutdown', batch.items, detail)
    let attempt = 0
    for (;;) {
      if (!(await this.waitForBudget())) return lost('in flight at the shutdown deadline')
      const sentAt = clock.now()
      const timeoutMs = this.#timeoutMs(sentAt)
      if (timeoutMs <= 0) return lost('no time left before the shutdown deadline')
      this.limiter.acquire(sentAt)
      c[SLOT.requests]!++
      const outcome = await this.sender.post(target, batch.payload, this.#signal(), batch.files, timeoutMs)
      const now = clock.now()
      let verdict: Verdict
      if (outcome.ok) verdict = this.#answered(outcome, sentAt, now)
      else {
        if (outcome.failure.kind === 'aborted' || this.#signal().aborted) return lost('in flight at the shutdown deadline')
        verdict = classifyFailure(outcome.failure)
      }
      const end = answered(verdict) ? this.#outage.answered(now) : undefined
      if (end !== undefined) log.warn(`webhook ${target.id} reachable again after ${spoken(end.durationMs)} (${end.probes} probe${end.probes === 1 ? '' : 's'}); delivering ${this.#pending} held records`)
      switch (verdict.kind) {
        case 'ok': {
          const channelId = verdict.channelId
          if (channelId !== undefined) this.limiter.learnChannel(now, channelId)
          this.limiter.succeeded()
          const records = batch.items.filter((i) => i.repeats === 0 && i.notice !== true).length
          c[SLOT.sent]! += records
          // A failing webhook works again, and the next queue-full is worth a line.
          this.#failing = undefined
          if (batch.notice !== undefined) log.clear('queue_full')
          const event = { records, embeds: batch.payload.embeds?.length ?? 0, status: outcome.ok ? outcome.status : 0, attempt: attempt + 1, durationMs: now - sentAt }
          emit('sent', channelId === undefined ? event : { ...event, channelId })
          this.#posted?.(batch, verdict)
          return
        }
        case 'rate_limited':
          // Rate-limit waits never spend the retry budget (contract §4); the batch is resent as is.
          this.#rateLimited(verdict, now)
          continue
        case 'retry': {
          // In an outage each probe is one attempt, with no retries of its own. Retries spent while Discord still answers
          // some requests (flaky, not down) go on at the last wait.
          // At shutdown a retry goes again soon and no outage is entered: the deadline bounds it, then what is left is dead-lettered.
          this.#outage.failed(now)
          const backoff = this.#outage.active ? undefined : retryDelay(attempt, retryDelays) ?? (this.#outage.down(now) ? undefined : retryDelays.at(-1))
          const delayMs = this.end === undefined ? backoff : Math.min(backoff ?? SHUTDOWN_RETRY_MS, SHUTDOWN_RETRY_MS)
          if (delayMs !== undefined) {
            c[SLOT.retried]!++
            emit('retry', { attempt: ++attempt, delayMs, reason: verdict.reason })
            log.debug(`retry ${attempt} in ${delayMs} ms: ${verdict.reason}`)
            if (!(await sleep(clock, delayMs, this.#signal()))) return lost('in flight at the shutdown deadline')
            continue
          }
          // The retries are spent: the batch goes back, first in line, and waits for a probe.
          this.#queue.requeue(batch.notice === undefined ? batch.items : [batch.notice, ...batch.items])
          if (!this.#outage.enter(now, verdict.reason)) return log.debug(`probe failed (${verdict.reason}); next in ${this.#outage.waitMs(now)} ms`)
          const message = `webhook ${target.id} unreachable since ${new Date(now).toISOString()} (${verdict.reason}): holding ${this.#pending} records, probing with one at a time every ${spoken(outage.probeMinMs)} to ${spoken(outage.probeMaxMs)}; nothing is dead-lettered for this`
          log.warn(message)
          return emit('error', { kind: 'outage', message: log.redact(message) })
        }
        case 'disable':
          this.#disable(verdict)
          return this.#ledger.drop('disabled', batch.items, verdict.reason)
        case 'too_large':
          // Split: the second half goes back to the front of the queue, the first half is resent.
          if (batch.items.length > 1) {
            const keep = Math.ceil(batch.items.length / 2)
            this.#queue.requeue(batch.items.slice(keep))
            batch.items = batch.items.slice(0, keep)
          } else if (batch.strict) {
            return this.#drop(batch, 'rejected', 'HTTP 413', { kind: 'http_413', message: 'Discord answered 413 (request too large) even for one record rendered small: dropped', status: 413 })
          } else batch.strict = true
          this.#renderStricter(batch)
          continue
        case 'reject': {
          if (verdict.stricter && !batch.strict) {
            batch.strict = true
            this.#renderStricter(batch)
            log.debug(`Discord rejected the payload (${verdict.reason}); resending once, rendered stricter`)
            continue
          }
          const problem: ProblemEvent = { kind: `http_${verdict.status}`, message: `Discord rejected a message: ${verdict.reason}${verdict.errors === undefined ? '' : ` ${capString(JSON.stringify(verdict.errors), 500)}`}`, status: verdict.status, ...code(verdict.discordCode) }
          // Discord names the embeds it refuses (errors.embeds.<index>): those records cost only themselves, the others go again without them.
          const refused = refusedEmbeds(batch, verdict.errors)
          if (refused === undefined) return this.#drop(batch, 'rejected', verdict.reason, problem)
          this.#drop({ ...batch, items: refused.filter((i) => i !== batch.notice) }, 'rejected', verdict.reason, problem)
          batch.items = batch.items.filter((i) => !refused.includes(i))
          if (refused.includes(batch.notice!)) batch.notice = undefined
          if (batch.items.length === 0 && batch.notice === undefined) return
          this.#renderStricter(batch)
          continue
        }
        case 'tls':
          this.#failing = { kind: 'failing', reason: `TLS failure talking to Discord (${verdict.code}): ${verdict.reason}. Not retried; check proxies and the system's CA certificates.`, since: clock.now() }
          return this.#drop(batch, 'tls', verdict.reason, { kind: 'tls', message: this.#failing.reason })
      }
    }
  }

  /**
   * Edits an incident's message (contract §7), through the same limiter as posts; 429s are waited out and the edit
   * sent again. `ok`; `gone`: the message was deleted (10008) or its thread archived (50083); `failed`: try again
   * later (5xx, network, shutdown); `refused`: Discord will never take this edit (said once).
   */
  async edit (edit: IncidentEdit, threadId: string | undefined): Promise<'ok' | 'gone' | 'failed' | 'refused'> {
    const { clock } = this.#p.options
    // At shutdown a failed edit goes again soon, within the deadline, as a post does; otherwise at its next turn.
    const again = async (): Promise<boolean> => this.end !== undefined && !this.#signal().aborted && await sleep(clock, SHUTDOWN_RETRY_MS, this.#signal())
    for (;;) {
      if (this.#disabled !== undefined || !(await this.waitForBudget())) return 'failed'
      const sentAt = clock.now()
      const timeoutMs = this.#timeoutMs(sentAt)
      if (timeoutMs <= 0) return 'failed'
      this.limiter.acquire(sentAt)
      this.#ledger.c[SLOT.requests]!++
      const outcome = await this.sender.edit(this.#p.target, { id: edit.message.id, threadId }, edit.payload, this.#signal(), timeoutMs)
      const now = clock.now()
      if (!outcome.ok) {
        if (await again()) continue
        return 'failed'
      }
      const verdict = this.#answered(outcome, sentAt, now)
      switch (verdict.kind) {
        case 'ok':
          this.limiter.succeeded()
          this.#ledger.c[SLOT.edits]!++
          return 'ok'
        case 'rate_limited':
          this.#rateLimited(verdict, now)
          continue
        case 'disable':
          if (verdict.discordCode === DISCORD_CODES.unknownMessage) return 'gone'
          this.#disable(verdict)
          return 'refused'
        case 'reject':
        case 'too_large':
          if (verdict.kind === 'reject' && verdict.discordCode === DISCORD_CODES.threadArchived) return 'gone'
          this.#p.log.errorOnce('edit_refused', `Discord refused an incident's edit (${verdict.kind === 'reject' ? verdict.reason : 'HTTP 413'}); the message keeps what it showed`)
          return 'refused'
        default:
          if (await again()) continue
          return 'failed'
      }
    }
  }

  /**
   * How long a request leaving at `sentAt` may wait for its answer (ms): `timeoutMs`, and while a shutdown deadline runs, a
   * few times the slowest answer seen, and never past the deadline. A hung request given up is sent again (its records may
   * arrive twice, never lost): one hung request must not eat the whole deadline. 0 or less: no time left.
   */
  #timeoutMs (sentAt: number): number {
    const { timeoutMs } = this.#p.options
    const answerMs = this.end === undefined ? timeoutMs : Math.min(timeoutMs, shutdownAnswerMs(this.#slowestAnswerMs))
    return Math.min(answerMs, (this.end ?? Infinity) - sentAt)
  }

  /** What Discord's answer to a request sent at `sentAt` says, its headers and invalid statuses taken into the limiter. */
  #answered (answer: Extract<SendOutcome, { ok: true }>, sentAt: number, now: number): Verdict {
    this.#slowestAnswerMs = Math.max(this.#slowestAnswerMs, now - sentAt)
    this.limiter.update(now, parseRateLimitHeaders(answer.headers, now))
    if (isInvalidStatus(answer.status, answer.headers)) {
      this.#ledger.c[SLOT.invalidRequests]!++
      this.limiter.recordInvalid(now)
    }
    return classifyResponse({ status: answer.status, headers: answer.headers, body: answer.body }, now)
  }

  /** A 429: counted, waited out by the limiter (never a retry spent, contract §4), said once per scope. */
  #rateLimited ({ scope, bucket, retryAfterMs }: Extract<Verdict, { kind: 'rate_limited' }>, now: number): void {
    const { log, emit } = this.#p
    const { invalidRequestLimit } = this.#p.options.rateLimits
    this.#ledger.c[SLOT.rateLimited]!++
    const waitMs = this.limiter.rateLimited(now, scope, retryAfterMs)
    emit('rateLimited', { scope, waitMs, reactive: true, status: 429, ...(bucket === undefined ? {} : { bucket }) })
    log.warnOnce(`429:${scope}`, `${scope === 'cloudflare' ? 'Cloudflare blocked this IP (HTTP 429 without rate-limit headers): pausing every webhook' : `Discord answered 429 (${scope} limit)`}; resending in ${waitMs} ms`)
    if (this.limiter.invalidCount(now) >= invalidRequestLimit) log.errorOnce('invalid_requests', `${invalidRequestLimit} invalid requests in 10 minutes: sending pauses to stay clear of Discord's IP ban`)
  }

  /** Discord said the webhook is gone (401/403/404, thread settings it refuses): nothing more is sent to it. Said once. */
  #disable (verdict: Extract<Verdict, { kind: 'disable' }>): void {
    if (this.#disabled !== undefined) return
    this.#disabled = { kind: 'disabled', reason: verdict.reason, since: this.#p.options.clock.now() }
    const event: ProblemEvent = { kind: 'webhook_disabled', message: `webhook ${this.#p.target.id} disabled: ${verdict.reason}`, status: verdict.status, ...code(verdict.discordCode) }
    this.#p.log.errorOnce('disabled', `${event.message}. Nothing more is sent to it; fix the URL and restart.`)
    this.#p.emit('disabled', event)
    this.#p.emit('error', event)
  }

  /** Records pending, for the outage lines. */
  get #pending (): number { return readCounters(this.#ledger.c).pending }

  /** Drops the batch as `reason` (`detail` says why), reporting `problem` once on stderr and as an `error` event. */
  #drop (batch: Batch, reason: DropReason, detail: string, problem: ProblemEvent): void {
    const log = this.#p.log
    log.errorOnce(problem.kind === 'tls' ? 'tls' : `problem:${problem.kind}`, problem.message)
    this.#p.emit('error', { ...problem, message: log.redact(problem.message) })
    this.#ledger.drop(reason, batch.items, detail)
  }

  #renderStricter (batch: Batch): void {
    Object.assign(batch, this.#payloads.stricter(batch.items.map((i) => i.record), batch.notice?.record))
  }
}

/**
 * The items whose embeds a 400's `errors` names (`{ embeds: { '3': … } }`, indices as keys), in a batch that holds
 * others too; undefined when it names none of them, or all (then the batch as a whole was refused).
 */
function refusedEmbeds (batch: Batch, errors: unknown): Item[] | undefined {
  const named = typeof errors === 'object' && errors !== null ? (errors as { embeds?: unknown }).embeds : undefined
  if (typeof named !== 'object' || named === null) return undefined
  const owners = embedOwners(batch)
  const refused = Object.keys(named).map(Number).filter((i) => Number.isInteger(i) && i >= 0 && i < owners.length).map((i) => owners[i]!)
  return refused.length === 0 || refused.length === owners.length ? undefined : refused
}

/** The items of a batch in the order of its embeds (BatchPayload.build: the notice, then each record that has one): embed `i` shows `embedOwners(batch)[i]`. */
export function embedOwners (batch: Batch): Item[] {
  return [...(batch.notice === undefined ? [] : [batch.notice]), ...batch.items.filter((i) => hasEmbed(i.record))]
}

/** Whether Discord itself answered (any verdict but a transient or TLS failure or a Cloudflare ban): ends an outage. */
export function answered (verdict: Verdict): boolean {
  if (verdict.kind === 'retry' || verdict.kind === 'tls') return false
  return !(verdict.kind === 'rate_limited' && verdict.scope === 'cloudflare')
}

function code (discordCode: number | undefined): { discordCode?: number } { return discordCode === undefined ? {} : { discordCode } }
