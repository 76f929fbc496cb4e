import type { Severity } from './levels.js'
import type { LogRecord } from './record.js'

export type DropReason =
  | 'queue_full'      // shed by the bounded queue's overflow policy
  | 'disabled'        // the webhook was disabled (401/403/404, bad thread config) or notifications are off
  | 'rejected'        // Discord refused the payload for good (400 after the stricter retry, 413 on one record)
  | 'expired'         // held longer than maxRecordAgeMs (e.g. through a very long outage)
  | 'tls'             // TLS or certificate failure; not retried
  | 'shutdown'        // still pending at the close() deadline, or when the process ended
  | 'closed'          // logged after close()

export type RateLimitScope = 'bucket' | 'channel' | 'global' | 'cloudflare' | 'invalid_requests'

export interface SentEvent {
  records: number
  embeds: number
  status: number
  attempt: number
  durationMs: number
  channelId?: string
}

export interface DroppedEvent {
  reason: DropReason
  count: number
  /** Per severity, for queue_full. */
  bySeverity?: Partial<Record<Severity, number>>
  /** The records themselves when known (written to the dead-letter file). */
  records?: LogRecord[]
  /**
   * Of `count`, the repeats that lost storm summaries stood for ("×99 more" that never arrived); the
   * summaries are among `records`. Absent when 0.
   */
  repeats?: number
  detail?: string
}

export interface RateLimitedEvent {
  scope: RateLimitScope
  /** How long sending to this webhook (or all, for global/cloudflare) pauses. */
  waitMs: number
  /** True when Discord answered 429; false for a proactive wait. */
  reactive: boolean
  bucket?: string
  status?: number
}

export interface RetryEvent {
  attempt: number
  delayMs: number
  reason: string
}

export interface ProblemEvent {
  /** Stable kind, e.g. `webhook_disabled`, `http_400`, `network`, `tls`, `dead_letter_write`. */
  kind: string
  message: string
  status?: number
  discordCode?: number
}

export interface NotifierEvents {
  sent: [SentEvent]
  dropped: [DroppedEvent]
  rateLimited: [RateLimitedEvent]
  retry: [RetryEvent]
  /** Emitted only when someone listens: an unhandled 'error' would crash the host process. */
  error: [ProblemEvent]
  disabled: [ProblemEvent]
}
