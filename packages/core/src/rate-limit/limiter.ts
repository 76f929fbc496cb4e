import type { RateLimitOptions } from '../options.js'
import type { RateLimitScope } from '../events.js'
import { SlidingWindow } from './sliding-window.js'
import { SharedLimits, sharedLimits } from './shared-limits.js'

/**
 * A limiter's state as plain data, for another thread to carry on where this one stopped (delivery at
 * process exit): when it may send next, and the requests that still count against the channel's window.
 */
export interface LimiterState {
  /** Epoch ms before which nothing may be sent (bucket, pauses and windows all considered). */
  resumeAt: number
  /** Departures (epoch ms) within the channel window, oldest first. */
  channelRequests: number[]
}

/** What the limiter needs from a response's X-RateLimit-* headers (all optional: Discord may omit them). */
export interface BucketHeaders {
  limit?: number
  remaining?: number
  resetAtMs?: number
  bucket?: string
}

export interface BucketInfo {
  limit: number
  remaining: number
  /** Epoch seconds. */
  resetTime: number
  /** Seconds from now. */
  resetAfter: number
  exhausted: boolean
  /** Seconds this webhook must still wait. */
  waitTime: number
  /** Epoch seconds. */
  lastUpdated: number
}

export interface RateLimitInfo {
  globalRateLimit: { active: boolean, resetTime: number, waitTime: number }
  buckets: Record<string, BucketInfo>
}

/**
 * Proactive limiting for one webhook, so that steady load earns no 429:
 * - the webhook's own bucket, from X-RateLimit-* headers (fallback: `fallbackLimit` per `fallbackWindowMs`);
 * - the hidden per-channel limit and the process-wide caps, through SharedLimits;
 * - reactive pauses after a 429, by scope.
 * Every reset gets `offsetMs` added: Discord's clock and the network are not ours.
 */
export class RateLimiter {
  readonly webhookId: string
  #cfg: Required<RateLimitOptions>
  #shared: SharedLimits
  #fallback: SlidingWindow
  #bucket: { id: string, limit: number, remaining: number, resetAt: number, windowMs: number, lastUpdated: number } | undefined
  #pausedUntil = 0
  #channelKey: string

  constructor (webhookId: string, cfg: Required<RateLimitOptions>, shared: SharedLimits = sharedLimits) {
    this.webhookId = webhookId
    this.#cfg = cfg
    this.#shared = shared
    this.#fallback = new SlidingWindow(cfg.fallbackLimit, cfg.fallbackWindowMs)
    // Until a `wait=true` response names the channel, the webhook stands for its channel.
    this.#channelKey = `webhook:${webhookId}`
  }

  get channelKey (): string {
    return this.#channelKey
  }

  /** How long until this webhook may send, and which limit holds it (ms 0 = now). */
  waitTime (now: number): { ms: number, scope: RateLimitScope } {
    let ms = 0
    let scope: RateLimitScope = 'bucket'
    const own = Math.max(this.#pausedUntil - now, this.#bucketWait(now))
    if (own > 0) ms = own
    const shared = this.#shared.waitTime(this.#channelKey, this.#cfg, now)
    if (shared.ms > ms) {
      ms = shared.ms
      scope = shared.scope
    }
    return { ms: Math.ceil(ms), scope }
  }

  /** A request leaves now: spend one unit of every budget it draws on. */
  acquire (now: number): void {
    this.#fallback.hit(now)
    const b = this.#bucket
    if (b !== undefined) {
      if (now >= b.resetAt) {
        // A new window opens with this request; until its response arrives, assume it lasts as long
        // as the longest window Discord has reported for this bucket.
        b.remaining = b.limit
        b.resetAt = now + b.windowMs + this.#cfg.offsetMs
      }
      b.remaining = Math.max(0, b.remaining - 1)
    }
    this.#shared.acquire(this.#channelKey, this.#cfg, now)
  }

  /** Updates the bucket from a response's headers; absent headers leave the state as it is. */
  update (now: number, h: BucketHeaders): void {
    if (h.limit === undefined || h.remaining === undefined || h.resetAtMs === undefined) return
    const windowMs = Math.max(h.resetAtMs - now, this.#bucket?.windowMs ?? 0)
    this.#bucket = {
      id: h.bucket ?? this.#bucket?.id ?? this.webhookId,
      limit: h.limit,
      remaining: h.remaining,
      resetAt: h.resetAtMs + this.#cfg.offsetMs,
      windowMs,
      lastUpdated: now
    }
  }

  /** A 2xx told us the channel: from now on the channel-wide limit is keyed by it. */
  learnChannel (now: number, channelId: string): void {
    const key = `channel:${channelId}`
    if (key === this.#channelKey) return
    this.#shared.mergeChannel(this.#channelKey, key, this.#cfg, now)
    this.#channelKey = key
  }

  /** A 429 arrived. Returns how long sending pauses and for whom. */
  rateLimited (now: number, scope: 'bucket' | 'channel' | 'global' | 'cloudflare', retryAfterMs: number | undefined): number {
    const offset = this.#cfg.offsetMs
    switch (scope) {
      case 'cloudflare':
        return this.#shared.cloudflareBan(retryAfterMs, this.#cfg, now)
      case 'global': {
        const wait = (retryAfterMs ?? 1000) + offset
        this.#shared.pauseGlobal(now + wait)
        return wait
      }
      case 'channel': {
        // Discord's hidden channel limit answers with ~40 s waits; the header state does not show it.
        const wait = (retryAfterMs ?? this.#cfg.channelWindowMs) + offset
        this.#shared.pauseChannel(this.#channelKey, now + wait, this.#cfg)
        return wait
      }
      default: {
        const wait = (retryAfterMs ?? this.#cfg.fallbackWindowMs) + offset
        this.#pausedUntil = Math.max(this.#pausedUntil, now + wait)
        if (this.#bucket !== undefined) this.#bucket.remaining = 0
        return wait
      }
    }
  }

  /** A request succeeded: a Cloudflare cool-down, if any, starts from scratch next time. */
  succeeded (): void {
    this.#shared.clearCloudflareStrikes()
  }

  recordInvalid (now: number): void {
    this.#shared.recordInvalid(this.#cfg, now)
  }

  invalidCount (now: number): number {
    return this.#shared.invalidCount(this.#cfg, now)
  }

  /** The seed's get_rate_limit_info() shape, camelCased; times in seconds like Discord's headers. */
  info (now: number): RateLimitInfo {
    const buckets: Record<string, BucketInfo> = {}
    const wait = this.waitTime(now).ms
    if (this.#bucket !== undefined) {
      const b = this.#bucket
      const expired = now >= b.resetAt
      const remaining = expired ? b.limit : b.remaining
      buckets[b.id] = {
        limit: b.limit,
        remaining,
        resetTime: b.resetAt / 1000,
        resetAfter: Math.max(0, b.resetAt - now) / 1000,
        exhausted: remaining === 0,
        waitTime: wait / 1000,
        lastUpdated: b.lastUpdated / 1000
      }
    }
    return { globalRateLimit: this.#shared.info(now), buckets }
  }

  exportState (now: number): LimiterState {
    return { resumeAt: now + this.waitTime(now).ms, channelRequests: this.#shared.recentRequests(this.#channelKey, this.#cfg, now) }
  }

  /** Carries on from another limiter's state: waits until its resume time, counts its recent requests. */
  importState (state: LimiterState, now: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, state.resumeAt)
    for (const t of state.channelRequests) if (t > now - this.#cfg.channelWindowMs) this.#shared.acquire(this.#channelKey, this.#cfg, t)
  }

  /** Forgets this webhook's bucket state (the seed's reset_rate_limits, for tests). */
  reset (): void {
    this.#bucket = undefined
    this.#pausedUntil = 0
    this.#fallback.reset()
  }

  #bucketWait (now: number): number {
    const b = this.#bucket
    if (b === undefined) return this.#fallback.waitTime(now)
    if (now >= b.resetAt) return 0
    return b.remaining > 0 ? 0 : b.resetAt - now
  }
}
