/*
 * What the pipeline does with Discord's answer to a batch, decided without touching any state:
 *
 *   verdict (http/retry-policy.ts) + the batch's shape + the attempt ──► decide() ──► action
 *
 * The pipeline applies the action to its own state (counters, queue, limiter, outage, events); this
 * file only says which action a verdict calls for, with the messages the pipeline reports.
 */
import type { DropReason } from '../types.js'
import type { RateLimitVerdictScope, Verdict } from '../http/retry-policy.js'
import { retryDelay } from '../http/retry-policy.js'

/** A problem to report on stderr and as an `error` event. `kind` names it (`http_413`, `tls`, …). */
export interface ResponseProblem {
  kind: string
  message: string
  status?: number
  discordCode?: number
}

/** What to do with the batch after Discord's answer. */
export type ResponseAction =
  /** Delivered: count it sent; `channelId` (when Discord said) is the channel the limiter learns. */
  | { kind: 'delivered', channelId: string | undefined }
  /** A 429: tell the limiter, then resend the batch as is once it allows (no retry spent, contract §4). */
  | { kind: 'resend', scope: RateLimitVerdictScope, retryAfterMs: number | undefined, bucket: string | undefined }
  /** A transient failure: resend after `delayMs`; `attempt` is the retry's number (1 for the first). */
  | { kind: 'retry', attempt: number, delayMs: number, reason: string }
  /** Retries spent (or a failed outage probe): hold the batch through an outage (http/outage.ts). */
  | { kind: 'hold', reason: string }
  /** Too large: keep the first `keep` records, requeue the rest first in line, resend rendered stricter. */
  | { kind: 'split', keep: number }
  /** Resend once rendered stricter; `note`, when set, is the debug line to log. */
  | { kind: 'stricter', note: string | undefined }
  /** The webhook is gone or forbidden: disable it and drop the batch as `disabled` with `reason`. */
  | { kind: 'disable', reason: string, status: number, discordCode: number | undefined }
  /**
   * Drop the batch as `reason` (`detail` says why), reporting `problem`; `failing`: the webhook is
   * failing until a batch gets through (health).
   */
  | { kind: 'drop', reason: DropReason, detail: string, problem: ResponseProblem, failing: boolean }

/** The batch as decide() needs it: how many records, and whether it was already rendered stricter. */
export interface BatchShape {
  records: readonly unknown[]
  strict: boolean
}

export interface DecideContext {
  /** Retries spent on this batch so far (0 on the first answer). */
  attempt: number
  /** Whether the webhook is in an outage: each probe is then one attempt, with no retries of its own. */
  outage: boolean
  /** The delays (ms) of the retries after a transient failure (options.retryDelays). */
  retryDelays: readonly number[]
}

/** The action `verdict` calls for on `batch`. Pure: no state is read but what is passed in. */
export function decide (verdict: Verdict, batch: BatchShape, ctx: DecideContext): ResponseAction {
  switch (verdict.kind) {
    case 'ok':
      return { kind: 'delivered', channelId: verdict.channelId }
    case 'rate_limited':
      return { kind: 'resend', scope: verdict.scope, retryAfterMs: verdict.retryAfterMs, bucket: verdict.bucket }
    case 'retry': {
      // In an outage each probe is one attempt; otherwise the seed's retries come first.
      const delay = ctx.outage ? undefined : retryDelay(ctx.attempt, ctx.retryDelays)
      if (delay === undefined) return { kind: 'hold', reason: verdict.reason }
      return { kind: 'retry', attempt: ctx.attempt + 1, delayMs: delay, reason: verdict.reason }
    }
    case 'disable':
      return { kind: 'disable', reason: verdict.reason, status: verdict.status, discordCode: verdict.discordCode }
    case 'too_large':
      // Split: the second half goes back to the front of the queue, the first half is resent.
      if (batch.records.length > 1) return { kind: 'split', keep: Math.ceil(batch.records.length / 2) }
      if (!batch.strict) return { kind: 'stricter', note: undefined }
      return { kind: 'drop', reason: 'rejected', detail: 'HTTP 413', problem: { kind: 'http_413', message: 'Discord answered 413 (request too large) even for one record rendered small: dropped', status: 413 }, failing: false }
    case 'reject': {
      if (verdict.stricter && !batch.strict) return { kind: 'stricter', note: `Discord rejected the payload (${verdict.reason}); resending once, rendered stricter` }
      const problem: ResponseProblem = { kind: `http_${verdict.status}`, message: `Discord rejected a message: ${verdict.reason}${verdict.errors === undefined ? '' : ` ${safeString(verdict.errors)}`}`, status: verdict.status }
      if (verdict.discordCode !== undefined) problem.discordCode = verdict.discordCode
      return { kind: 'drop', reason: 'rejected', detail: verdict.reason, problem, failing: false }
    }
    case 'tls':
      return { kind: 'drop', reason: 'tls', detail: verdict.reason, problem: { kind: 'tls', message: `TLS failure talking to Discord (${verdict.code}): ${verdict.reason}. Not retried; check proxies and the system's CA certificates.` }, failing: true }
  }
}

/**
 * Whether Discord (not only the network or Cloudflare's edge) answered: any verdict but a transient
 * failure, a TLS failure or a Cloudflare ban ends an outage.
 */
export function answered (verdict: Verdict): boolean {
  if (verdict.kind === 'retry' || verdict.kind === 'tls') return false
  return !(verdict.kind === 'rate_limited' && verdict.scope === 'cloudflare')
}

/** `value` as JSON for a message, cut to 500 characters; '' when it cannot be serialised. */
function safeString (value: unknown): string {
  try {
    const s = JSON.stringify(value)
    return s.length > 500 ? s.slice(0, 500) + '…' : s
  } catch {
    return ''
  }
}
