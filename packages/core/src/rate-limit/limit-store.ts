import type { RateLimitInfo, RateLimitOptions, RateLimitScope } from '../types.js'

/** Every rate-limit setting, resolved. */
export type LimitConfig = Required<RateLimitOptions>

/** How long a request must wait (ms, 0 = now) and which limit holds it. */
export interface Wait {
  ms: number
  scope: RateLimitScope
}

/** What a response's X-RateLimit-* headers say about the webhook's bucket (all optional: contract §3). */
export interface BucketHeaders {
  limit?: number
  remaining?: number
  resetAtMs?: number
  bucket?: string
}

export interface BucketState {
  id: string
  limit: number
  remaining: number
  /** Epoch ms, offset included. */
  resetAt: number
  lastUpdated: number
}

export type ReactiveScope = 'bucket' | 'channel' | 'global' | 'cloudflare'
export type GlobalInfo = RateLimitInfo['globalRateLimit']

export interface StoreStatus {
  /** Why this store is running on a fallback (one process's own view), if it is. */
  degraded?: string
}

/**
 * Where the rate-limit state of every sender to a webhook lives: `SharedLimits` for every thread of one process (a
 * SharedArrayBuffer; synchronous), `RedisLimits` for every process on every host (falling back to a `SharedLimits`).
 * Keys: a webhook id (its bucket, contract §3) and a channel key (`webhook:<id>` until a response names the channel,
 * then `channel:<id>`: the hidden ~30/60 s limit is per channel, contract §3). Times: epoch ms on the caller's clock.
 */
export interface LimitStore {
  /** The wait imposed on a request to `webhookId`/`channelKey` now, spending nothing. */
  waitTime: (webhookId: string, channelKey: string, cfg: LimitConfig, now: number) => Wait
  /** Atomically: if no limit holds the request back, spends one unit of each budget (bucket, channel, process), resolving `{ ms: 0 }`; else the wait. */
  reserve: (webhookId: string, channelKey: string, cfg: LimitConfig, now: number) => Wait | Promise<Wait>
  /**
   * A request leaves now. Without `reservedAt`: spends one unit of every budget without checking. With it:
   * the request reserved at `reservedAt` leaves only now, so the windows count it from now.
   */
  acquire: (webhookId: string, channelKey: string, cfg: LimitConfig, now: number, reservedAt?: number) => void
  /** Discord answered the request that left at `leftAt`: the channel's hidden limit counts accepted messages, so its window counts the request from now (contract §3). */
  answered: (channelKey: string, leftAt: number, now: number) => void
  /** A response to a request sent at `sentAt` arrived with these headers; requests sent after `sentAt` are still on their way, so Remaining is reduced by them. */
  update: (webhookId: string, sentAt: number, h: BucketHeaders, cfg: LimitConfig, now: number) => void
  /** `fromKey` turned out to be channel `toKey`: its requests, and every sender still using it, count there. */
  mergeChannel: (fromKey: string, toKey: string, cfg: LimitConfig, now: number) => void
  /** A 429 arrived; pauses by scope and returns the pause in ms. */
  rateLimited: (webhookId: string, channelKey: string, scope: ReactiveScope, retryAfterMs: number | undefined, cfg: LimitConfig, now: number) => number
  /** A request went through: a Cloudflare cool-down starts from scratch next time. */
  succeeded: () => void
  recordInvalid: (now: number) => void
  /** Invalid requests (401, 403, non-shared 429) in the last 10 minutes. */
  invalidCount: (now: number) => number
  bucket: (webhookId: string, now: number) => BucketState | undefined
  globalInfo: (now: number) => GlobalInfo
  /** Forgets one webhook's bucket state (tests, resetRateLimits()). */
  resetWebhook: (webhookId: string) => void
  status: () => StoreStatus
}
