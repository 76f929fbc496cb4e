/**
 * What is wrong with a webhook, and how it is said: one stderr line per problem (SelfLog's keys) and
 * an `error` event (only for listeners), never the token. `disabled` and `failing` are what health()
 * shows; an outage's own state is in outage.ts.
 */
import type { Clock } from '../clock.js'
import type { SelfLog } from '../self-log.js'
import { spoken } from '../storm/summary.js'
import type { HealthProblem, NotifierEvents, ProblemEvent, WebhookTarget } from '../types.js'
import type { ResponseProblem } from './actions.js'
import type { OutageEnd, OutageOptions } from './outage.js'

type Emit = <K extends keyof NotifierEvents>(event: K, ...args: NotifierEvents[K]) => void

export class Problems {
  readonly #log: SelfLog
  readonly #emit: Emit
  readonly #target: WebhookTarget
  readonly #clock: Clock
  #disabled: HealthProblem | undefined
  #failing: HealthProblem | undefined

  constructor (log: SelfLog, emit: Emit, target: WebhookTarget, clock: Clock) {
    this.#log = log
    this.#emit = emit
    this.#target = target
    this.#clock = clock
  }

  /** Discord said the webhook is gone (401, 403, 404, or thread settings it refuses): nothing more is sent. */
  get disabled (): HealthProblem | undefined {
    return this.#disabled
  }

  get current (): HealthProblem | undefined {
    return this.#disabled ?? this.#failing
  }

  disable (reason: string, status: number, discordCode: number | undefined): void {
    if (this.#disabled !== undefined) return
    this.#disabled = { kind: 'disabled', reason, since: this.#clock.now() }
    const event: ProblemEvent = { kind: 'webhook_disabled', message: `webhook ${this.#target.id} disabled: ${reason}`, status }
    if (discordCode !== undefined) event.discordCode = discordCode
    this.#log.errorOnce('disabled', `${event.message}. Nothing more is sent to it; fix the URL and restart.`)
    this.#emit('disabled', event)
    this.#emit('error', event)
  }

  /** A problem with a batch; `failing`: the webhook counts as failing until a batch gets through. */
  report ({ kind, message, status, discordCode }: ResponseProblem, failing: boolean): void {
    if (failing) this.#failing = { kind: 'failing', reason: message, since: this.#clock.now() }
    this.#log.errorOnce(kind === 'tls' ? kind : `problem:${kind}`, message)
    const event: ProblemEvent = { kind, message: this.#log.redact(message) }
    if (status !== undefined) event.status = status
    if (discordCode !== undefined) event.discordCode = discordCode
    this.#emit('error', event)
  }

  /** A batch got through: a failing webhook works again, and the next queue-full is worth a line. */
  delivered (noticeSent: boolean): void {
    this.#failing = undefined
    if (noticeSent) this.#log.clear('queue_full')
  }

  rateLimited (scope: string, waitMs: number, overInvalidLimit: boolean, invalidLimit: number): void {
    const what = scope === 'cloudflare' ? 'Cloudflare blocked this IP (HTTP 429 without rate-limit headers): pausing every webhook' : `Discord answered 429 (${scope} limit)`
    this.#log.warnOnce(`429:${scope}`, `${what}; resending in ${waitMs} ms`)
    if (overInvalidLimit) this.#log.errorOnce('invalid_requests', `${invalidLimit} invalid requests in 10 minutes: sending pauses to stay clear of Discord's IP ban`)
  }

  outageStarted (now: number, reason: string, held: number, { probeMinMs, probeMaxMs }: OutageOptions): void {
    const message = `webhook ${this.#target.id} unreachable since ${new Date(now).toISOString()} (${reason}): holding ${held} records, probing with one at a time every ${spoken(probeMinMs)} to ${spoken(probeMaxMs)}; nothing is dead-lettered for this`
    this.#log.warn(message)
    this.#emit('error', { kind: 'outage', message: this.#log.redact(message) })
  }

  outageProbeFailed (reason: string, nextMs: number): void {
    this.#log.debug(`probe failed (${reason}); next in ${nextMs} ms`)
  }

  outageEnded (end: OutageEnd, held: number): void {
    this.#log.warn(`webhook ${this.#target.id} reachable again after ${spoken(end.durationMs)} (${end.probes} probe${end.probes === 1 ? '' : 's'}); delivering ${held} held records`)
  }
}
