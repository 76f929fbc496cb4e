/**
 * A batch: what leaves together (up to ten records, each rendered within its share of the message's
 * 6000 characters, with the drop notice), and how it gets through: the limiter's wait, the request, and
 * what each answer calls for (actions.ts), until it is delivered, held through an outage or dropped.
 */
import { sleep } from '../clock.js'
import type { BatchPayload } from '../format/batch-payload.js'
import { embedBudget } from '../format/batch-payload.js'
import { parseRateLimitHeaders } from '../http/headers.js'
import { classifyFailure, classifyResponse, isInvalidStatus, type Verdict } from '../http/retry-policy.js'
import type { WebhookSender } from '../http/sender.js'
import { LIMITS } from '../limits.js'
import type { RateLimiter } from '../rate-limit/limiter.js'
import type { SelfLog } from '../self-log.js'
import type { MessageFile, NotifierEvents, ResolvedOptions, WebhookPayload, WebhookTarget } from '../types.js'
import { answered, decide } from './actions.js'
import type { Deadline } from './deadlines.js'
import { SLOT, type Ledger } from './ledger.js'
import { isExpired, type Outage } from './outage.js'
import type { Problems } from './problems.js'
import { dropNotice, type BoundedQueue, type Item } from './queue.js'

export interface Batch { items: Item[], notice: Item | undefined, payload: WebhookPayload, files: MessageFile[], strict: boolean }

type Emit = <K extends keyof NotifierEvents>(event: K, ...args: NotifierEvents[K]) => void

/** What sending needs from the pipeline: its parts, and its shutdown state (read when used). */
export interface BatchContext {
  options: ResolvedOptions
  target: WebhookTarget
  queue: BoundedQueue
  limiter: RateLimiter
  sender: WebhookSender
  payloads: BatchPayload
  outage: Outage
  problems: Problems
  ledger: Ledger
  log: SelfLog
  emit: Emit
  signal: () => AbortSignal
  deadline: () => Deadline | undefined
  /** Records pending, for the outage lines. */
  size: () => number
}

export class Batches {
  readonly #c: BatchContext
  /** Records stamped before this count their age from here (replayed or piped-in old logs). */
  readonly #startedAt: number
  /** Cuts the wait for the next outage probe short (a shutdown probes at once). */
  #probeWake: AbortController | undefined

  constructor (context: BatchContext) {
    this.#c = context
    this.#startedAt = context.options.clock.now()
  }

  /** The next outage probe may leave at once (a shutdown: one last try before the deadline). */
  probeNow (): void {
    this.#c.outage.probeNow(this.#c.options.clock.now())
    this.#probeWake?.abort()
  }

  /** Waits until the limiter grants a request (held until `acquire`). False when aborted. */
  async waitForBudget (): Promise<boolean> {
    const clock = this.#c.options.clock
    for (;;) {
      const now = clock.now()
      const probe = this.#c.outage.waitMs(now)
      // A permit is only taken when no probe wait holds the request back.
      const wait = probe > 0 ? this.#c.limiter.waitTime(now) : await this.#c.limiter.reserve(now)
      if (wait.ms <= 0 && probe <= 0) return true
      if (probe > wait.ms) {
        this.#c.log.debug(`Discord unreachable: next probe in ${probe} ms`)
        const wake = this.#probeWake = new AbortController()
        const onAbort = (): void => wake.abort()
        this.#c.signal().addEventListener('abort', onAbort, { once: true })
        await sleep(clock, probe, wake.signal)
        this.#c.signal().removeEventListener('abort', onAbort)
        this.#probeWake = undefined
        if (this.#c.signal().aborted) return false
        continue
      }
      this.#c.ledger.c[SLOT.waits]!++
      this.#c.emit('rateLimited', { scope: wait.scope, waitMs: wait.ms, reactive: false })
      this.#c.log.debug(`waiting ${wait.ms} ms for the ${wait.scope} limit`)
      if (!(await sleep(clock, wait.ms, this.#c.signal()))) return false
    }
  }

  take (): Batch | undefined {
    const now = this.#c.options.clock.now()
    for (let next = this.#c.queue.peek(); next !== undefined && isExpired(next.record.time, this.#startedAt, now, this.#c.options.maxRecordAgeMs); next = this.#c.queue.peek()) {
      this.#c.ledger.drop('expired', [this.#c.queue.shift()!], `held longer than maxRecordAgeMs (${this.#c.options.maxRecordAgeMs} ms)`)
    }
    // An outage probe carries one record; the drop notice waits for the drain unless nothing else is left.
    const limit = this.#c.outage.active ? 1 : LIMITS.embedsPerMessage
    const notice = this.#c.outage.active && this.#c.queue.size > 0 ? undefined : dropNotice(this.#c.queue.takeDrops(), this.#c.queue.capacity, now)
    if (this.#c.queue.size + (notice === undefined ? 0 : 1) === 0) return undefined
    const items: Item[] = []
    let embeds = notice === undefined ? 0 : 1
    let content = false
    for (let next = this.#c.queue.peek(); next !== undefined && embeds < limit && items.length < limit; next = this.#c.queue.peek()) {
      const r = next.record
      if (r.content !== undefined) {
        if (content) break // one plain-text message per request
        content = true
      }
      // A plain-text record is content only; one with a ready embed too sends both (BatchPayload).
      if (r.content === undefined || r.embed !== undefined) embeds++
      items.push(this.#c.queue.shift()!)
    }
    // Under load each embed gets an equal share of the 6000-character message budget.
    const { payload, files } = this.#c.payloads.build(items.map((i) => i.record), notice?.record, embedBudget(Math.max(1, embeds)), false)
    return { items, notice, payload, files, strict: false }
  }

  async send (batch: Batch): Promise<void> {
    const clock = this.#c.options.clock
    const c = this.#c.ledger.c
    const lost = (detail: string): void => this.#c.ledger.drop('shutdown', batch.items, detail)
    let attempt = 0
    for (;;) {
      if (!(await this.waitForBudget())) return lost('in flight at the shutdown deadline')
      const sentAt = clock.now()
      const timeoutMs = this.#c.deadline()?.requestTimeout(sentAt, this.#c.options.timeoutMs) ?? this.#c.options.timeoutMs
      if (timeoutMs <= 0) return lost('no time left before the shutdown deadline')
      this.#c.limiter.acquire(sentAt)
      c[SLOT.requests]!++
      const outcome = await this.#c.sender.post(this.#c.target, batch.payload, this.#c.signal(), batch.files, timeoutMs)
      const now = clock.now()
      let verdict: Verdict
      if (outcome.ok) {
        this.#c.limiter.update(now, parseRateLimitHeaders(outcome.headers, now))
        if (isInvalidStatus(outcome.status, outcome.headers)) {
          c[SLOT.invalidRequests]!++
          this.#c.limiter.recordInvalid(now)
        }
        verdict = classifyResponse({ status: outcome.status, headers: outcome.headers, body: outcome.body }, now)
      } else {
        if (outcome.failure.kind === 'aborted' || this.#c.signal().aborted) return lost('in flight at the shutdown deadline')
        verdict = classifyFailure(outcome.failure)
      }
      const end = this.#c.outage.active && answered(verdict) ? this.#c.outage.recovered(now) : undefined
      if (end !== undefined) this.#c.problems.outageEnded(end, this.#c.size())
      const action = decide(verdict, { records: batch.items, strict: batch.strict }, { attempt, outage: this.#c.outage.active, retryDelays: this.#c.options.retryDelays })
      switch (action.kind) {
        case 'delivered': {
          if (action.channelId !== undefined) this.#c.limiter.learnChannel(now, action.channelId)
          this.#c.limiter.succeeded()
          const records = batch.items.filter((i) => i.repeats === 0 && i.notice !== true).length
          c[SLOT.sent]! += records
          this.#c.problems.delivered(batch.notice !== undefined)
          const event = { records, embeds: batch.payload.embeds?.length ?? 0, status: outcome.ok ? outcome.status : 0, attempt: attempt + 1, durationMs: now - sentAt }
          this.#c.emit('sent', action.channelId === undefined ? event : { ...event, channelId: action.channelId })
          return
        }
        case 'resend': {
          // Rate-limit waits never spend the retry budget (contract §4); the batch is resent as is.
          c[SLOT.rateLimited]!++
          const waitMs = this.#c.limiter.rateLimited(now, action.scope, action.retryAfterMs)
          this.#c.emit('rateLimited', { scope: action.scope, waitMs, reactive: true, status: 429, ...(action.bucket === undefined ? {} : { bucket: action.bucket }) })
          this.#c.problems.rateLimited(action.scope, waitMs, this.#c.limiter.invalidCount(now) >= this.#c.options.rateLimits.invalidRequestLimit, this.#c.options.rateLimits.invalidRequestLimit)
          continue
        }
        case 'hold':
          // The retries are spent: the batch goes back, first in line, and waits for a probe.
          this.#c.queue.requeue(batch.notice === undefined ? batch.items : [batch.notice, ...batch.items])
          if (this.#c.outage.enter(now, action.reason)) this.#c.problems.outageStarted(now, action.reason, this.#c.size(), this.#c.options.outage)
          else this.#c.problems.outageProbeFailed(action.reason, this.#c.outage.waitMs(now))
          return
        case 'retry':
          attempt = action.attempt
          c[SLOT.retried]!++
          this.#c.emit('retry', { attempt, delayMs: action.delayMs, reason: action.reason })
          this.#c.log.debug(`retry ${attempt} in ${action.delayMs} ms: ${action.reason}`)
          if (!(await sleep(clock, action.delayMs, this.#c.signal()))) return lost('in flight at the shutdown deadline')
          continue
        case 'split':
          this.#c.queue.requeue(batch.items.slice(action.keep))
          batch.items = batch.items.slice(0, action.keep)
          this.#renderStricter(batch)
          continue
        case 'stricter':
          batch.strict = true
          this.#renderStricter(batch)
          if (action.note !== undefined) this.#c.log.debug(action.note)
          continue
        case 'disable':
          this.#c.problems.disable(action.reason, action.status, action.discordCode)
          return this.#c.ledger.drop('disabled', batch.items, action.reason)
        case 'drop':
          this.#c.problems.report(action.problem, action.failing)
          return this.#c.ledger.drop(action.reason, batch.items, action.detail)
      }
    }
  }

  #renderStricter (batch: Batch): void {
    Object.assign(batch, this.#c.payloads.stricter(batch.items.map((i) => i.record), batch.notice?.record))
  }
}
