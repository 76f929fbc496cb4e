import type { BucketInfo, RateLimitInfo } from '../types.js'
import type { BucketHeaders, LimitConfig, LimitStore, ReactiveScope, Wait } from './limit-store.js'

/**
 * Proactive limiting for one sender to one webhook, so steady load earns no 429: the webhook's bucket from X-RateLimit-*
 * headers (fallback: `fallbackLimit` per `fallbackWindowMs`), the hidden per-channel limit, the process-wide caps, and
 * pauses after a 429 by scope. Every reset gets `offsetMs` added (Discord's clock and the network are not ours). The
 * state lives in a LimitStore shared with every sender to the webhook; this class only keeps its channel and permit.
 */
export class RateLimiter {
  readonly webhookId: string
  #cfg: LimitConfig
  #store: LimitStore
  #channelKey: string
  /** A permit `reserve()` obtained and the request has not yet spent. */
  #held = false
  #sentAt = 0
  /** When the last request left (the channel window's stamp for it). */
  #leftAt = 0

  constructor (webhookId: string, cfg: LimitConfig, store: LimitStore) {
    this.webhookId = webhookId
    this.#cfg = cfg
    this.#store = store
    // Until a `wait=true` response names the channel, the webhook stands for its channel.
    this.#channelKey = `webhook:${webhookId}`
  }

  /** How long until this webhook may send, and which limit holds it (ms 0 = now). Spends nothing. */
  waitTime (now: number): Wait {
    if (this.#held) return { ms: 0, scope: 'bucket' }
    return this.#store.waitTime(this.webhookId, this.#channelKey, this.#cfg, now)
  }

  /** Like waitTime, but when the answer is "now" the permit is taken at once (atomically for every sender sharing the store) and held until `acquire()`. */
  reserve (now: number): Wait | Promise<Wait> {
    if (this.#held) return { ms: 0, scope: 'bucket' }
    const got = this.#store.reserve(this.webhookId, this.#channelKey, this.#cfg, now)
    if (got instanceof Promise) return got.then((w) => this.#took(w, now))
    return this.#took(got, now)
  }

  #took (w: Wait, now: number): Wait {
    if (w.ms <= 0) { this.#held = true; this.#sentAt = now }
    return w
  }

  /** A request leaves now: it spends the permit reserved for it, or one unit of every budget. */
  acquire (now: number): void {
    // A held permit's #sentAt stays the reservation time: the store's bucket log is keyed by it.
    const reservedAt = this.#held ? this.#sentAt : undefined
    this.#held = false
    if (reservedAt === undefined) this.#sentAt = now
    this.#leftAt = now
    this.#store.acquire(this.webhookId, this.#channelKey, this.#cfg, now, reservedAt)
  }

  /** The last request was answered: its channel stamp moves to now, and the headers (if any) update the bucket. */
  update (now: number, h: BucketHeaders): void {
    this.#store.answered(this.#channelKey, this.#leftAt, now)
    this.#store.update(this.webhookId, this.#sentAt, h, this.#cfg, now)
  }

  /** A 2xx told us the channel: from now on the channel-wide limit is keyed by it. */
  learnChannel (now: number, channelId: string): void {
    const key = `channel:${channelId}`
    if (key === this.#channelKey) return
    this.#store.mergeChannel(this.#channelKey, key, this.#cfg, now)
    this.#channelKey = key
  }

  /** A 429 arrived. Returns how long sending pauses and for whom. */
  rateLimited (now: number, scope: ReactiveScope, retryAfterMs: number | undefined): number {
    return this.#store.rateLimited(this.webhookId, this.#channelKey, scope, retryAfterMs, this.#cfg, now)
  }

  /** A request succeeded: a Cloudflare cool-down, if any, starts from scratch next time. */
  succeeded (): void { this.#store.succeeded() }
  recordInvalid (now: number): void { this.#store.recordInvalid(now) }
  invalidCount (now: number): number { return this.#store.invalidCount(now) }

  /** The seed's get_rate_limit_info() shape, camelCased; times in seconds like Discord's headers. */
  info (now: number): RateLimitInfo {
    const buckets: Record<string, BucketInfo> = {}
    const wait = this.waitTime(now).ms
    const b = this.#store.bucket(this.webhookId, now)
    if (b !== undefined) {
      buckets[b.id] = {
        limit: b.limit,
        remaining: b.remaining,
        resetTime: b.resetAt / 1000,
        resetAfter: Math.max(0, b.resetAt - now) / 1000,
        exhausted: b.remaining === 0,
        waitTime: wait / 1000,
        lastUpdated: b.lastUpdated / 1000
      }
    }
    return { globalRateLimit: this.#store.globalInfo(now), buckets }
  }

  /** Forgets this webhook's bucket state (the seed's reset_rate_limits, for tests). */
  reset (): void {
    this.#held = false
    this.#store.resetWebhook(this.webhookId)
  }
}
